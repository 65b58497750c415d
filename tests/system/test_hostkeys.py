"""Host key checking (known_hosts) and user key refusal, as OpenSSH's ssh does it.

burrow is the subject, against burrowd and sshd; ssh rows are the baseline
for the exact wording.  Every refused connection also proves the remote
command did not run (it would have created a marker file).
"""

import subprocess

import pytest

from sshutil import CLIENTS, SERVERS, SSH_KEYGEN, diag, pub_of

CHANGED = "WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!"
FAILED = "Host key verification failed."

matrix = pytest.mark.parametrize(
    "client,server", [(c, s) for c in CLIENTS for s in SERVERS],
    ids=["%s-%s" % (c, s) for c in CLIENTS for s in SERVERS])


def _marker_cmd(h):
    marker = h.dir / "marker"
    return marker, "touch %s; echo ran" % marker


def _ok(res, srv):
    assert res.rc == 0, diag(res, srv)
    assert res.stdout == b"ran\n", diag(res, srv)


def _refused(res, srv, marker):
    assert res.rc == 255, diag(res, srv)
    assert FAILED in res.err, diag(res, srv)
    assert res.stdout == b"", diag(res, srv)
    assert not marker.exists(), "remote command ran\n" + diag(res, srv)


@matrix
def test_known_key(h, client, server):
    srv = h.server(server)
    kh = h.known_hosts(["%s %s" % (srv.known_hosts_name(), srv.host_pub())])
    before = kh.read_text()
    marker, cmd = _marker_cmd(h)
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="yes"))
    _ok(res, srv)
    assert "Permanently added" not in res.err, diag(res, srv)
    assert kh.read_text() == before


@matrix
def test_changed_key(h, client, server):
    srv = h.server(server)
    kh = h.known_hosts(["%s %s" % (srv.known_hosts_name(), pub_of(h.keys.other_hostkey))])
    marker, cmd = _marker_cmd(h)
    # accept-new must still refuse a key that differs from a known one.
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="accept-new"))
    _refused(res, srv, marker)
    assert CHANGED in res.err, diag(res, srv)


@matrix
def test_unknown_strict_yes(h, client, server):
    srv = h.server(server)
    kh = h.known_hosts()
    marker, cmd = _marker_cmd(h)
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="yes"))
    _refused(res, srv, marker)
    assert "No ED25519 host key is known for %s" % srv.known_hosts_name() in res.err, \
        diag(res, srv)
    assert kh.read_text() == ""


@matrix
def test_accept_new(h, client, server):
    srv = h.server(server)
    kh = h.known_hosts()
    marker, cmd = _marker_cmd(h)
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="accept-new"))
    _ok(res, srv)
    assert ("Warning: Permanently added '%s' (ED25519) to the list of known hosts."
            % srv.known_hosts_name()) in res.err, diag(res, srv)
    # The line written names [host]:port and the server's key ...
    entries = [line.split() for line in kh.read_text().splitlines() if line.strip()]
    assert [e[:3] for e in entries] == [[srv.known_hosts_name()] + srv.host_pub().split()], \
        kh.read_text()
    # ... and is enough on its own for strict checking next time.
    marker.unlink()
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="yes"))
    _ok(res, srv)
    assert "Permanently added" not in res.err, diag(res, srv)


def _hash(kh):
    subprocess.run([SSH_KEYGEN, "-H", "-f", str(kh)], check=True, timeout=30,
                   capture_output=True, stdin=subprocess.DEVNULL)
    text = kh.read_text()
    assert text.startswith("|1|"), text


@matrix
def test_hashed_entry(h, client, server):
    srv = h.server(server)
    kh = h.known_hosts(["%s %s" % (srv.known_hosts_name(), srv.host_pub())])
    _hash(kh)
    marker, cmd = _marker_cmd(h)
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="yes"))
    _ok(res, srv)


@matrix
def test_hashed_entry_changed(h, client, server):
    srv = h.server(server)
    kh = h.known_hosts(["%s %s" % (srv.known_hosts_name(), pub_of(h.keys.other_hostkey))])
    _hash(kh)
    marker, cmd = _marker_cmd(h)
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="accept-new"))
    _refused(res, srv, marker)
    assert CHANGED in res.err, diag(res, srv)


@matrix
def test_host_port_entry(h, client, server):
    """On a non-22 port the "[host]:port" entry is the one that counts.

    (OpenSSH also accepts a bare-host entry with exactly the right key as a
    fallback; that nuance is deliberately not tested.  The cases below hold
    both with and without the fallback.)"""
    srv = h.server(server)
    key = srv.host_pub()
    other = pub_of(h.keys.other_hostkey)
    name = srv.known_hosts_name()
    other_port = srv.port + 1 if srv.port < 65535 else srv.port - 1
    marker, cmd = _marker_cmd(h)

    # Right key under another port, another key under the bare host: unknown.
    kh = h.known_hosts(["[127.0.0.1]:%d %s" % (other_port, key), "127.0.0.1 %s" % other])
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="yes"))
    _refused(res, srv, marker)
    assert "No ED25519 host key is known for %s" % name in res.err, diag(res, srv)

    # Right key under [host]:port wins over another key under the bare host.
    kh = h.known_hosts(["127.0.0.1 %s" % other, "%s %s" % (name, key)])
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="yes"))
    _ok(res, srv)
    marker.unlink()

    # Another key under [host]:port is a change, whatever the bare host says.
    kh = h.known_hosts(["127.0.0.1 %s" % key, "%s %s" % (name, other)])
    res = h.run(h.client_argv(client, srv, cmd, known_hosts=kh, strict="accept-new"))
    _refused(res, srv, marker)
    assert CHANGED in res.err, diag(res, srv)


@matrix
def test_wrong_user_key(h, client, server):
    srv = h.server(server)
    marker, cmd = _marker_cmd(h)
    res = h.run(h.client_argv(client, srv, cmd, identity=h.keys.wrong_key))
    assert res.rc == 255, diag(res, srv)
    assert "Permission denied (publickey)." in res.err, diag(res, srv)
    assert res.stdout == b"", diag(res, srv)
    assert not marker.exists(), "remote command ran\n" + diag(res, srv)
