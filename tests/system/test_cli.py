"""Command-line behaviour of burrow and burrowd (ssh and sshd rows are the baseline)."""

import re
import stat
import subprocess

import pytest

from sshutil import (BURROW, BURROWD, HOST, SSH, SSH_KEYGEN, SSHD, USER, diag, free_port, need,
                     pub_of)


def _client(kind):
    if kind == "burrow":
        need(BURROW)
        return str(BURROW)
    return SSH


def _server(kind):
    if kind == "burrowd":
        need(BURROWD)
        return str(BURROWD)
    return SSHD


def test_issue_example(h):
    """The issue's example, verbatim (plus a PidFile in the temp dir)."""
    srv = h.server("burrowd")  # -D -e -p PORT -h DIR/hostkey -o ListenAddress=... -o AuthorizedKeysFile=...
    hostkey = srv.hostkey
    assert hostkey.exists(), "burrowd did not create %s\n%s" % (hostkey, diag(None, srv))
    mode = stat.S_IMODE(hostkey.stat().st_mode)
    assert mode & 0o077 == 0, "host key %s has mode %o" % (hostkey, mode)
    said = srv.wait_log(r"(?im)^.*generat.*%s.*$|^.*%s.*generat.*$"
                        % (re.escape(str(hostkey)), re.escape(str(hostkey))), timeout=2)
    assert said, "burrowd did not log that it generated %s\n%s" % (hostkey, diag(None, srv))

    kh = h.dir / "known_hosts"
    argv = [str(BURROW), "-p", str(srv.port), "-i", str(h.keys.user_key),
            "-o", "UserKnownHostsFile=%s" % kh, "-o", "StrictHostKeyChecking=accept-new",
            "%s@%s" % (USER, HOST), "echo hi; exit 7"]
    need(BURROW)
    res = h.run(argv)
    assert res.rc == 7, diag(res, srv)
    assert res.stdout == b"hi\n", diag(res, srv)
    # The key accepted is the one burrowd generated, stored under [host]:port (hashed
    # when the system ssh_config says HashKnownHosts yes, as Debian's does).
    fields = kh.read_text().split()
    assert fields[1:3] == pub_of(hostkey).split(), kh.read_text()
    found = subprocess.run([SSH_KEYGEN, "-F", srv.known_hosts_name(), "-f", str(kh)],
                           capture_output=True, text=True, timeout=30)
    assert found.returncode == 0 and pub_of(hostkey).split()[1] in found.stdout, kh.read_text()


@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_client_unknown_option(h, client):
    res = h.run([_client(client), "-F", "/dev/null", "-o", "Frobnicate=yes",
                 "%s@%s" % (USER, HOST), "true"], timeout=30)
    assert res.rc == 255, res
    assert "Bad configuration option" in res.err, res
    assert re.search(r"(?i)frobnicate", res.err), res


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_server_unknown_option(h, server):
    port = free_port()
    res = h.run([_server(server), "-D", "-e", "-p", str(port),
                 "-h", str(h.dir / "hostkey"),
                 "-o", "ListenAddress=%s" % HOST,
                 "-o", "PidFile=%s" % (h.dir / "pid"),
                 "-o", "Frobnicate=yes"], timeout=15)
    assert not res.timed_out, "server started despite a bad option\n%s" % res
    assert res.rc != 0, res
    assert "command-line" in res.err, res
    assert "Frobnicate" in res.err, res


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_server_config_test_bad_keyword(h, server):
    cfg = h.dir / "server_config"
    cfg.write_text("# system test\nListenAddress 127.0.0.1\nFrobnicate yes\n")
    res = h.run([_server(server), "-t", "-f", str(cfg)], timeout=15)
    assert not res.timed_out, res
    assert res.rc != 0, res
    line = re.search(r"(?m)^.*%s(:? line |:)3\b.*$" % re.escape(str(cfg)), res.err)
    assert line, "error does not name %s line 3\n%s" % (cfg, res)
    assert "Frobnicate" in line.group(0), res


@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_client_usage(h, client):
    res = h.run([_client(client)], timeout=15)
    assert res.rc == 255, res
    assert re.search(r"(?i)usage:", res.err), res
    assert res.stdout == b"", res


@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_connection_refused(h, client):
    port = free_port()  # nothing listens there
    res = h.run([_client(client), "-F", "/dev/null", "-p", str(port),
                 "-o", "BatchMode=yes", "-o", "UserKnownHostsFile=%s" % (h.dir / "kh"),
                 "-o", "StrictHostKeyChecking=accept-new",
                 "%s@%s" % (USER, HOST), "true"], timeout=30)
    assert res.rc == 255, res
    want = "%s: connect to host %s port %d: Connection refused" % (client, HOST, port)
    assert want in res.err, res
