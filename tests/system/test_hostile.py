"""Hostile clients against a running server.

Each attack must end with the server closing that connection (EOF or
DISCONNECT) and logging the reason with the client's "ADDR port PORT", while a
legitimate session opened before the attack completes and the server still
accepts a new login afterwards.  burrowd is the subject; sshd rows are the
baseline that proves the attacks and the harness (its log wording differs, and
it answers a pre-auth channel open with UNIMPLEMENTED instead of closing).
"""

import re
import subprocess

import pytest

import hostile
from sshutil import PROBE, diag, need, wait_line

CLOSED = r"^(EOF|DISCONNECT \d+ .*)$"

# attack -> server -> (expected outcome regex, log reason regex, reason and
# address on the same log line?)
EXPECT = {
    "garbage-version": {
        "burrowd": (CLOSED, r"Bad protocol version identification", True),
        "sshd": (CLOSED, r"invalid format", True),
    },
    "bad-packet-length": {
        "burrowd": (CLOSED, r"Bad packet length", True),
        "sshd": (CLOSED, r"Bad packet length", False),
    },
    "strict-kex-ignore": {
        "burrowd": (CLOSED, r"strict KEX violation", True),
        "sshd": (CLOSED, r"strict KEX violation", True),
    },
    "corrupt-mac": {
        "burrowd": (CLOSED, r"Corrupted MAC on input", True),
        "sshd": (CLOSED, r"Corrupted MAC on input|message authentication code incorrect",
                 False),
    },
    "preauth-channel-open": {
        "burrowd": (CLOSED, r"before authentication", True),
        # sshd keeps the connection open and answers SSH_MSG_UNIMPLEMENTED,
        # which the probe's transport consumes: it reports TIMEOUT.
        "sshd": (r"^(MSG 3|TIMEOUT)$", r"dispatch_protocol_error: type 90", False),
    },
}

PY_ATTACKS = {
    "garbage-version": hostile.garbage_version,
    "bad-packet-length": hostile.huge_packet,
    "strict-kex-ignore": hostile.ignore_during_strict_kex,
}


def _probe(h, mode, srv):
    need(PROBE)
    res = h.run([PROBE, mode, "127.0.0.1", str(srv.port)], timeout=40)
    assert res.rc == 0 and not res.timed_out, "ssh-probe failed\n" + diag(res, srv)
    lines = res.out.splitlines()
    assert len(lines) == 1, "ssh-probe must print one line\n" + diag(res, srv)
    return lines[0], None


def _attack(h, name, srv):
    if name in PY_ATTACKS:
        return PY_ATTACKS[name](srv.port)
    return _probe(h, name, srv)


def _legit_argv(h, srv, command):
    # OpenSSH's ssh is the legitimate client: a failure here blames the server.
    return h.client_argv("ssh", srv, command)


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
@pytest.mark.parametrize("attack", list(EXPECT))
def test_attack(h, attack, server):
    want_outcome, reason, same_line = EXPECT[attack][server]
    srv = h.server(server)

    legit = h.spawn(_legit_argv(h, srv, "echo ready; sleep 2; echo alive"),
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    early = wait_line(legit, "ready", 30)
    assert early == b"ready\n", "legit session did not start: %r\n%s" % (
        early, diag(None, srv))

    outcome, local_port = _attack(h, attack, srv)
    assert re.match(want_outcome, outcome), "outcome %r\n%s" % (outcome, diag(None, srv))

    addr = r"127\.0\.0\.1 port %s" % (local_port if local_port else r"\d+")
    if same_line:
        pat = r"(?m)^.*(%s.*%s|%s.*%s).*$" % (reason, addr, addr, reason)
        assert srv.wait_log(pat), "no log line with %r and %r\n%s" % (
            reason, addr, diag(None, srv))
    else:
        assert srv.wait_log(reason), "no log reason %r\n%s" % (reason, diag(None, srv))
        assert srv.wait_log(addr), "no log address %r\n%s" % (addr, diag(None, srv))

    try:
        rest, err = legit.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("legit session hung\n" + diag(None, srv))
    assert early + rest == b"ready\nalive\n", "legit session: %r %r\n%s" % (
        rest, err, diag(None, srv))
    assert legit.returncode == 0, diag(None, srv)

    assert srv.alive(), "server died\n" + diag(None, srv)
    res = h.run(_legit_argv(h, srv, "echo hi"))
    assert res.rc == 0 and res.stdout == b"hi\n", "no new login afterwards\n" + diag(res, srv)


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
def test_probe_sanity(h, server):
    """ssh-probe kex-only completes a key exchange and gets SERVICE_ACCEPT."""
    srv = h.server(server)
    need(PROBE)
    res = h.run([PROBE, "kex-only", "127.0.0.1", str(srv.port)], timeout=40)
    assert res.rc == 0, diag(res, srv)
    assert re.match(r"^(MSG \d+|EOF|TIMEOUT|DISCONNECT \d+ .*)\n$", res.out), diag(res, srv)
