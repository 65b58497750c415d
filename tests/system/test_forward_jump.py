"""Stdio forwarding (-W) in every pairing, and ProxyJump (-J) through a burrowd
and through an sshd jump host to a final burrowd or sshd.

-J is tested as OpenSSH documents it: the jump hosts are reached with the
same -F file and not with the -o options of the command line, so every
setting lives in the -F file (Host blocks for the ports, Host * for the rest).
"""

import pytest

import fwdutil
from fwdutil import Target, check_audit
from sshutil import (BURROW, HOST, PAIRINGS, PAIRING_IDS, SERVERS, SSH, USER,
                     diag, need)

pairing = pytest.mark.parametrize("client,server", PAIRINGS, ids=PAIRING_IDS)


@pairing
def test_stdio_forward(h, client, server):
    """-W host:port: stdin/stdout carry the bytes (16 MiB through an echo
    target, SHA-256 both ways); EOF on stdin ends the session."""
    t = Target(fwdutil.h_echo)
    try:
        srv = h.server(server)
        n = 16 << 20
        argv = h.client_argv(client, srv, None, opts=["-W", "%s:%d" % (HOST, t.port)])
        res, sent, got, received = h.stream(argv, n, timeout=60)
        assert not res.timed_out, diag(res, srv)
        assert received == n, "received %d of %d\n%s" % (received, n, diag(res, srv))
        assert got == sent, diag(res, srv)
        assert res.rc == 0, diag(res, srv)
        recs = t.wait_records(1)
        assert recs and recs[0].get("n") == n, "%r\n%s" % (recs, diag(res, srv))
        check_audit(h, srv, target="%s:%d" % (HOST, t.port), sent=n, received=n)
    finally:
        t.close()


def _config(h, hosts):
    """A -F file: one Host block per (alias, port), then Host * with the rest."""
    kh = h.known_hosts()
    lines = []
    for alias, port in hosts:
        lines += ["Host %s" % alias, "    HostName %s" % HOST, "    Port %d" % port, ""]
    lines += [
        "Host *",
        "    User %s" % USER,
        "    IdentityFile %s" % h.keys.user_key,
        "    IdentitiesOnly yes",
        "    UserKnownHostsFile %s" % kh,
        "    GlobalKnownHostsFile /dev/null",
        "    StrictHostKeyChecking accept-new",
        "    BatchMode yes",
    ]
    path = h.dir / ("config-%d" % len(list(h.dir.glob("config-*"))))
    path.write_text("\n".join(lines) + "\n")
    return path


def _client(kind):
    if kind == "ssh":
        return SSH
    need(BURROW)
    return str(BURROW)


# "$SSH_CONNECTION" = client addr, client port, server addr, server port: the
# last field proves which server ran the command.
WHERE = 'echo "where: $SSH_CONNECTION"'


def _ran_on(res, port):
    for line in res.out.splitlines():
        if line.startswith("where: "):
            f = line.split()
            return len(f) == 5 and f[4] == str(port)
    return False


@pytest.mark.parametrize("final", SERVERS)
@pytest.mark.parametrize("jump", SERVERS)
@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_proxy_jump(h, client, jump, final):
    """`client -F cfg -J jumphost final command`: runs on the final server,
    reached through a direct-tcpip channel of the jump server."""
    j = h.server(jump)
    f = h.server(final)
    cfg = _config(h, [("jumphost", j.port), ("finalhost", f.port)])
    argv = [_client(client), "-F", str(cfg), "-J", "jumphost", "finalhost", WHERE]
    res = h.run(argv, timeout=60)
    assert res.rc == 0, diag(res, j, f)
    assert _ran_on(res, f.port), diag(res, j, f)
    check_audit(h, j, target="%s:%d" % (HOST, f.port))


CHAINS = [("sshd", "sshd", "sshd"), ("burrowd", "sshd", "burrowd"),
          ("sshd", "burrowd", "sshd")]


@pytest.mark.parametrize("chain", CHAINS, ids=["-".join(c) for c in CHAINS])
@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_proxy_jump_two_hops(h, client, chain):
    """-J user@host:port,user@host:port (explicit forms, two hops) to a final
    server; all-sshd with ssh is the baseline."""
    j1 = h.server(chain[0])
    j2 = h.server(chain[1])
    f = h.server(chain[2])
    cfg = _config(h, [])
    hops = "%s@%s:%d,%s@%s:%d" % (USER, HOST, j1.port, USER, HOST, j2.port)
    argv = [_client(client), "-F", str(cfg), "-J", hops, "-p", str(f.port),
            "%s@%s" % (USER, HOST), WHERE]
    res = h.run(argv, timeout=60)
    assert res.rc == 0, diag(res, j1, j2, f)
    assert _ran_on(res, f.port), diag(res, j1, j2, f)
    # The first hop opened a channel to the second, the second to the final host.
    check_audit(h, j1, target="%s:%d" % (HOST, j2.port))
    check_audit(h, j2, target="%s:%d" % (HOST, f.port))
