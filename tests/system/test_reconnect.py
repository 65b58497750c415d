"""Reconnect=yes (issue 8): a -N tunnel survives the server going away.

burrow -N -o Reconnect=yes -L ... -R ...: transfers checked by SHA-256, the
server is SIGKILLed (listener parent and connection child: the whole process
group), started again on the same port; within the backoff the -L works
again, the -R port is bound again on the server, and new transfers match.
"""

import hashlib
import json
import os
import re
import signal
import socket
import struct
import subprocess
import time

import pytest

import fwdutil
from fwdutil import listening, roundtrip, start_forward
from sshutil import HOST, free_port, kill_group
from test_liveness import descendants

SERVERS = ["burrowd", "sshd"]


def _wait(pred, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def _kill_server(srv):
    """SIGKILL the server and every process below it (sshd's connection
    children leave its process group; burrowd's stay in it)."""
    for p in descendants(srv.proc.pid):
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    kill_group(srv.proc, grace=0.0)


def _restart(srv):
    port = srv.port
    deadline = time.monotonic() + 10
    while listening(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    srv.start(port)


@pytest.mark.parametrize("server", SERVERS)
def test_reconnect_restores_forwards(h, targets, server):
    tl = targets(fwdutil.h_sink_hash)
    tr = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    lport, rport = free_port(), free_port()
    fw = start_forward(h, "burrow", srv, ["%d:%s:%d" % (lport, HOST, tl.port)],
                       opts=["-R", "%d:%s:%d" % (rport, HOST, tr.port),
                             "-o", "Reconnect=yes", "-o", "ReconnectMaxDelay=4",
                             "-o", "ServerAliveInterval=1"],
                       wait_tcp=[lport])
    assert _wait(lambda: listening(rport), 15), "-R not bound\n" + fw.diag()
    assert roundtrip(lport, 1 << 20), "-L before the outage\n" + fw.diag()
    assert roundtrip(rport, 1 << 20), "-R before the outage\n" + fw.diag()

    _kill_server(srv)
    assert fw.wait_err(r"Connection lost to ", 10), "loss not logged\n" + fw.diag()
    assert fw.wait_err(r"Reconnecting in \d+\.\d s \(attempt 1\)", 10), fw.diag()
    # The -L listener stays bound across the outage.
    assert listening(lport), "-L listener gone during the outage\n" + fw.diag()
    # What it accepts meanwhile is closed at once (no connection to carry it).
    got = fwdutil.expect_eof(lport, timeout=5)
    assert got in (b"", "reset"), "%r\n%s" % (got, fw.diag())
    time.sleep(1.5)  # at least one failed attempt while the server is down
    _restart(srv)
    assert fw.wait_err(r"Reconnected to ", 15), "no reconnect\n" + fw.diag()
    assert fw.proc.poll() is None, fw.diag()
    assert _wait(lambda: listening(rport), 15), "-R not bound again\n" + fw.diag()
    assert roundtrip(lport, 2 << 20), "-L after reconnecting\n" + fw.diag()
    assert roundtrip(rport, 2 << 20), "-R after reconnecting\n" + fw.diag()

    # And once more: the backoff starts over after a successful reconnect.
    _kill_server(srv)
    assert _wait(lambda: len(re.findall(r"Connection lost to ", fw.err())) >= 2, 10), \
        fw.diag()
    _restart(srv)
    assert _wait(lambda: len(re.findall(r"Reconnected to ", fw.err())) >= 2, 15), fw.diag()
    assert _wait(lambda: listening(rport), 15), fw.diag()
    assert roundtrip(lport, 1 << 20), fw.diag()
    assert roundtrip(rport, 1 << 20), fw.diag()
    fw.stop()


# sshd only: burrowd was seen answering success for a port another process holds.
def test_reconnect_exit_on_forward_failure(h, targets):
    """A -R that cannot be restored ends burrow with 255 (ExitOnForwardFailure)."""
    tr = targets(fwdutil.h_sink_hash)
    srv = h.server("sshd")
    rport = free_port()
    fw = start_forward(h, "burrow", srv, ["%s:%d:%s:%d" % (HOST, rport, HOST, tr.port)],
                       opt="-R",
                       opts=["-o", "Reconnect=yes", "-o", "ExitOnForwardFailure=yes"])
    assert _wait(lambda: listening(rport), 15), fw.diag()
    _kill_server(srv)
    assert fw.wait_err(r"Connection lost to ", 10), fw.diag()
    # Someone else holds the port now: the forward cannot come back.
    squat = socket.socket()
    assert _wait(lambda: not listening(rport), 10)
    squat.bind((HOST, rport))
    squat.listen(1)
    try:
        srv.start(srv.port)
        try:
            fw.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pytest.fail("burrow still running\n" + fw.diag(), pytrace=False)
    finally:
        squat.close()
    assert fw.proc.returncode == 255, fw.diag()
    assert "remote port forwarding failed" in fw.err(), fw.diag()


def test_reconnect_ignored_with_command(h):
    """With a command, Reconnect does nothing: the loss ends burrow (255)."""
    srv = h.server("burrowd")
    argv = h.client_argv("burrow", srv, "sleep 30",
                         opts=["-o", "Reconnect=yes"])
    proc = h.spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.5)
    _kill_server(srv)
    _, err = proc.communicate(timeout=15)
    assert proc.returncode == 255, err
    assert b"Reconnecting" not in err, err


def _socks_roundtrip(dport, tport, nbytes):
    """SOCKS5 CONNECT 127.0.0.1:tport through -D, nbytes up to a sink-hash target."""
    s = socket.create_connection((HOST, dport), timeout=15)
    try:
        s.sendall(b"\x05\x01\x00\x05\x01\x00\x01" + socket.inet_aton(HOST) +
                  struct.pack(">H", tport))
        got = b""
        while len(got) < 12:
            d = s.recv(12 - len(got))
            if not d:
                return False
            got += d
        if got[:4] != b"\x05\x00\x05\x00":
            return False
        payload = os.urandom(nbytes)
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = fwdutil.recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    return reply == (hashlib.sha256(payload).hexdigest() + "\n").encode()


def test_reconnect_dynamic(h, targets):
    """-D keeps its listener across the outage and works again afterwards."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server("burrowd")
    dport = free_port()
    fw = start_forward(h, "burrow", srv, ["%s:%d" % (HOST, dport)], opt="-D",
                       opts=["-o", "Reconnect=yes", "-o", "ReconnectMaxDelay=2"],
                       wait_tcp=[dport])
    assert _socks_roundtrip(dport, t.port, 1 << 20), fw.diag()
    _kill_server(srv)
    assert fw.wait_err(r"Connection lost to ", 10), fw.diag()
    assert listening(dport), fw.diag()
    _restart(srv)
    assert fw.wait_err(r"Reconnected to ", 15), fw.diag()
    assert _socks_roundtrip(dport, t.port, 2 << 20), fw.diag()


def _status(h, srv, path):
    r = h.run(h.client_argv("burrow", srv, None,
                            opts=["-S", str(path), "-O", "status", "--json"]), timeout=30)
    assert r.rc == 0, r.err
    return json.loads(r.out)


def test_reconnect_control_status_and_exit(h, targets, tmp_path):
    """-O status counts reconnects and says "reconnecting" during the outage;
    -O exit ends burrow (0) even while there is no connection."""
    tl = targets(fwdutil.h_sink_hash)
    srv = h.server("burrowd")
    lport = free_port()
    path = tmp_path / "ctl"
    fw = start_forward(h, "burrow", srv, ["%d:%s:%d" % (lport, HOST, tl.port)],
                       opts=["-M", "-S", str(path), "-o", "Reconnect=yes",
                             "-o", "ReconnectMaxDelay=2"],
                       wait_tcp=[lport])
    assert _status(h, srv, path)["reconnects"] == 0
    for n in (1, 2):
        _kill_server(srv)
        assert _wait(lambda: len(re.findall(r"Connection lost to ", fw.err())) >= n, 10), \
            fw.diag()
        st = _status(h, srv, path)
        assert st["state"] == "reconnecting", st
        _restart(srv)
        assert _wait(lambda: len(re.findall(r"Reconnected to ", fw.err())) >= n, 15), \
            fw.diag()
        st = _status(h, srv, path)
        assert st["state"] == "connected" and st["reconnects"] == n, st
        assert roundtrip(lport, 1 << 20), fw.diag()
    _kill_server(srv)
    assert _wait(lambda: len(re.findall(r"Connection lost to ", fw.err())) >= 3, 10), fw.diag()
    r = h.run(h.client_argv("burrow", srv, None, opts=["-S", str(path), "-O", "exit"]),
              timeout=30)
    assert r.rc == 0, r.err
    fw.proc.wait(timeout=10)
    assert fw.proc.returncode == 0, fw.diag()
