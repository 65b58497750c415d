"""PermitTTY no (globally or in a Match block) refuses pty-req as sshd does."""

import pytest

from sshutil import USER


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
@pytest.mark.parametrize("where", ["global", "match"])
def test_permit_tty_no(h, server, where):
    if where == "global":
        srv = h.server(server, extra=["PermitTTY no" if server == "sshd" else "PermitTTY=no"])
    else:
        srv = h.server(server, config=["Match User %s" % USER, "PermitTTY no"])
    for client in ("ssh", "burrow"):
        res = h.run(h.client_argv(client, srv, "tty; echo done", opts=["-tt"]), timeout=30)
        # With -tt a refused pty ends the session before the command, as ssh does.
        assert res.rc == 255, res
        assert "PTY allocation request failed on channel 0" in res.err, res
        assert "done" not in res.out, res


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_permit_tty_other_user_block(h, server):
    """A block for another user leaves ptys allowed."""
    srv = h.server(server, config=["Match User nobody-else", "PermitTTY no"])
    res = h.run(h.client_argv("burrow", srv, "tty", opts=["-tt"]), timeout=30)
    assert res.rc == 0 and res.out.strip().startswith("/dev/pts/"), res
