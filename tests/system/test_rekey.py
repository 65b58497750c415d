"""Rekeying under load: 64 MiB through `cat` with a small RekeyLimit on one side.

Both logs are at DEBUG1 (client -v, server LogLevel DEBUG1); each completed key
exchange logs "SSH2_MSG_NEWKEYS received" on each side, so both logs must show
more than one (the initial exchange plus at least one rekey).
"""

import pytest

from sshutil import diag

BIG = 64 << 20
LIMIT = "4M"  # ~16 rekeys per 64 MiB; 1M costs ~9 s per test with sntrup761
MARK = "SSH2_MSG_NEWKEYS received"

REKEY_PAIRINGS = [
    ("ssh", "sshd"),        # baseline: proves the harness and the log wording
    ("burrow", "burrowd"),
    ("ssh", "burrowd"),
    ("burrow", "sshd"),
]


@pytest.mark.parametrize("side", ["client", "server"])
@pytest.mark.parametrize("client,server", REKEY_PAIRINGS,
                         ids=["%s-%s" % p for p in REKEY_PAIRINGS])
def test_rekey_64mib(h, client, server, side):
    srv = h.server(server, log_level="DEBUG1",
                   rekey=LIMIT if side == "server" else None)
    argv = h.client_argv(client, srv, "cat", verbose=True,
                         rekey=LIMIT if side == "client" else None)
    res, sent, got, n = h.stream(argv, BIG)
    assert not res.timed_out, diag(res, srv)
    assert n == BIG, "received %d of %d bytes\n%s" % (n, BIG, diag(res, srv))
    assert got == sent, diag(res, srv)
    assert res.rc == 0, diag(res, srv)
    client_kex = res.err.count(MARK)
    server_kex = srv.log_text().count(MARK)
    assert client_kex > 1, "client saw %d NEWKEYS\n%s" % (client_kex, diag(res, srv))
    assert server_kex > 1, "server saw %d NEWKEYS\n%s" % (server_kex, diag(res, srv))
