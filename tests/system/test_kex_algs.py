"""Every key exchange method against OpenSSH and ourselves.

For each method: ssh -> burrowd, burrow -> sshd and burrow -> burrowd, the
client restricted to that one method (KexAlgorithms=NAME), login plus 1 MiB
through a remote `cat` checked by SHA-256. Both debug logs must name the
method ("kex: algorithm: NAME"), so a silent fallback to another method fails.
OpenSSH 9.2 has no mlkem768x25519-sha256; that method is tested burrow ->
burrowd only, and only when this build has it (`burrow -Q kex`).
"""

import subprocess

import pytest

from sshutil import BURROW, diag

MIB = 1 << 20

KEX = [
    "curve25519-sha256",
    "curve25519-sha256@libssh.org",
    "ecdh-sha2-nistp256",
    "ecdh-sha2-nistp384",
    "ecdh-sha2-nistp521",
    "diffie-hellman-group-exchange-sha256",
    "diffie-hellman-group16-sha512",
    "diffie-hellman-group18-sha512",
    "diffie-hellman-group14-sha256",
]
PQ = "mlkem768x25519-sha256"

PAIRINGS = [("ssh", "burrowd"), ("burrow", "sshd"), ("burrow", "burrowd")]


def burrow_has(name):
    """Whether this build lists a kex method (burrow -Q kex, like ssh -Q kex)."""
    try:
        out = subprocess.run([str(BURROW), "-Q", "kex"], capture_output=True,
                             timeout=10).stdout.decode()
    except OSError:
        return False
    return name in out.split()


def transfer(h, client, server, kex):
    srv = h.server(server, log_level="DEBUG1")
    argv = h.client_argv(client, srv, "cat", verbose=True,
                         extra=["KexAlgorithms=%s" % kex])
    res, sent, got, n = h.stream(argv, MIB)
    assert not res.timed_out, diag(res, srv)
    assert n == MIB, "received %d of %d bytes\n%s" % (n, MIB, diag(res, srv))
    assert got == sent, diag(res, srv)
    assert res.rc == 0, diag(res, srv)
    mark = "kex: algorithm: %s" % kex
    assert mark in res.err, "client log lacks %r\n%s" % (mark, diag(res, srv))
    assert mark in srv.log_text(), "server log lacks %r\n%s" % (mark, diag(res, srv))
    return res, srv


@pytest.mark.parametrize("kex", KEX)
@pytest.mark.parametrize("client,server", PAIRINGS,
                         ids=["%s-%s" % p for p in PAIRINGS])
def test_kex_method(h, client, server, kex):
    res, srv = transfer(h, client, server, kex)
    if kex.startswith("diffie-hellman-group-exchange"):
        # RFC 4419 messages both ways, and a group of at least 2048 bits.
        text = res.err + srv.log_text()
        assert "SSH2_MSG_KEX_DH_GEX_REQUEST" in text, diag(res, srv)
        assert "SSH2_MSG_KEX_DH_GEX_GROUP" in text, diag(res, srv)


def test_kex_mlkem(h):
    if not burrow_has(PQ):
        pytest.skip("%s not built: libcrypto lacks ML-KEM-768 (needs OpenSSL >= 3.5)"
                    % PQ)
    transfer(h, "burrow", "burrowd", PQ)


@pytest.mark.parametrize("client,server", [("ssh", "burrowd"), ("burrow", "sshd")],
                         ids=["ssh-burrowd", "burrow-sshd"])
def test_kex_no_common_method(h, client, server):
    """A server that offers only group14 and a client that wants only ECDH: refused."""
    if server == "sshd":
        srv = h.server(server, extra=["KexAlgorithms diffie-hellman-group14-sha256"])
    else:
        srv = h.server(server, extra=["KexAlgorithms=diffie-hellman-group14-sha256"])
    argv = h.client_argv(client, srv, "true", extra=["KexAlgorithms=ecdh-sha2-nistp256"])
    res = h.run(argv, timeout=30)
    assert res.rc == 255, diag(res, srv)
    assert "no matching key exchange method" in res.err, diag(res, srv)
