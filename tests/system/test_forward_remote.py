"""Remote forwarding (-R) in every pairing: bulk data both ways at once, many
connections, -R 0 allocation, cancel through an OpenSSH control master, the
listener freed when the client is SIGKILLed, ExitOnForwardFailure, and
burrowd's forwarded-tcpip audit line.

Everything is on this machine: the server's listener is on the loopback, the
originator is this test (connecting to it) and the target (fwdutil.Target) is
reached by the client.
"""

import hashlib
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import pytest

import fwdutil
from fwdutil import listener_rx, roundtrip, start_forward, wait_unlisten
from sshutil import HOST, PAIRINGS, PAIRING_IDS, diag, free_port

pairing = pytest.mark.parametrize("client,server", PAIRINGS, ids=PAIRING_IDS)

CONNS = 200
PER_CONN = 1 << 20


def _spec(rport, tport, bind=None):
    spec = "%d:%s:%d" % (rport, HOST, tport)
    return spec if bind is None else "%s:%s" % (bind, spec)


def start_remote(h, client, srv, specs, extra=(), **kw):
    """start_forward for -R with ExitOnForwardFailure=yes: a refused forward
    ends the client at once instead of leaving the test waiting."""
    return start_forward(h, client, srv, specs, opt="-R",
                         extra=["ExitOnForwardFailure=yes"] + list(extra), **kw)


def _check_forwarded_audit(h, srv, rport, **kw):
    """burrowd: wait for (and return) the forwarded-tcpip audit line."""
    if srv.kind != "burrowd":
        return None
    rx = fwdutil.audit_rx(h, target=None, kind="forwarded-tcpip",
                          target_rx=listener_rx(rport), **kw)
    m = srv.wait_log(rx, timeout=15.0, flags=re.M)
    assert m, "no audit line matching\n  %s\n%s" % (rx, diag(None, srv))
    return m


@pairing
def test_bulk_256mib_both_ways(h, targets, client, server):
    """One -R connection carrying 256 MiB each way at the same time; both
    SHA-256 pairs match and burrowd audits sent = received = 256 MiB."""
    t = targets(fwdutil.h_duplex)
    srv = h.server(server)
    rport = free_port()
    fw = start_remote(h, client, srv, [_spec(rport, t.port)], wait_tcp=[rport])
    s = socket.create_connection((HOST, rport), timeout=10)
    origin = "%s:%d" % s.getsockname()
    try:
        sent, got, n, err = fwdutil.duplex(s, fwdutil.DUPLEX_BYTES, 110)
    finally:
        s.close()
    assert err is None, "%s\n%s" % (err, fw.diag())
    recs = t.wait_records(1)
    assert recs and "error" not in recs[0], "%r\n%s" % (recs, fw.diag())
    assert recs[0]["n"] == fwdutil.DUPLEX_BYTES, "%r\n%s" % (recs, fw.diag())
    assert recs[0]["sha"] == sent, "originator -> target differs\n" + fw.diag()
    assert n == fwdutil.DUPLEX_BYTES, "got %d bytes\n%s" % (n, fw.diag())
    assert got == recs[0]["reply_sha"], "target -> originator differs\n" + fw.diag()
    _check_forwarded_audit(h, srv, rport, originator=origin,
                           sent=fwdutil.DUPLEX_BYTES, received=fwdutil.DUPLEX_BYTES)


@pairing
def test_200_concurrent_connections(h, targets, client, server):
    """200 simultaneous connections through one -R, 1 MiB each way each."""
    t = targets(fwdutil.h_echo)
    srv = h.server(server)
    rport = free_port()
    fw = start_remote(h, client, srv, [_spec(rport, t.port)], wait_tcp=[rport])
    ok, problems = fwdutil.many_echo(rport, CONNS, PER_CONN, timeout=100)
    assert ok == CONNS, "%d of %d connections ok:\n%s\n%s" % (
        ok, CONNS, "\n".join(problems[:20]), fw.diag())
    recs = t.wait_records(CONNS)
    assert len(recs) == CONNS and all(r.get("n") == PER_CONN for r in recs), fw.diag()
    if srv.kind == "burrowd":
        rx = fwdutil.audit_rx(h, target=None, kind="forwarded-tcpip",
                              target_rx=listener_rx(rport),
                              sent=PER_CONN, received=PER_CONN)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if len(re.findall(rx, srv.log_text(), re.M)) >= CONNS:
                break
            time.sleep(0.2)
        assert len(re.findall(rx, srv.log_text(), re.M)) == CONNS, diag(None, srv)


@pairing
def test_audit_line_directions(h, targets, client, server):
    """sent counts originator -> SSH client, received SSH client -> originator:
    100000 bytes up, the 65-byte hash line down."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    rport = free_port()
    fw = start_remote(h, client, srv, [_spec(rport, t.port)], wait_tcp=[rport])
    payload = os.urandom(100000)
    s = socket.create_connection((HOST, rport), timeout=10)
    origin = "%s:%d" % s.getsockname()
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = fwdutil.recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), fw.diag()
    _check_forwarded_audit(h, srv, rport, originator=origin, sent=100000, received=65)


ALLOC_RX = r"Allocated port (\d+) for remote forward to %s:%d"


@pairing
def test_allocate_port_zero(h, targets, client, server):
    """-R 0:host:port: the client prints the allocated port on stderr, and
    the port forwards."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    fw = start_remote(h, client, srv, ["0:%s:%d" % (HOST, t.port)])
    m = fw.wait_err(ALLOC_RX % (re.escape(HOST), t.port), timeout=15)
    assert m, "no 'Allocated port' message\n" + fw.diag()
    port = int(m.group(1))
    assert 0 < port < 65536, fw.diag()
    assert fwdutil.wait_listen(port, fw.proc, 10), fw.diag()
    assert roundtrip(port), fw.diag()
    _check_forwarded_audit(h, srv, port, sent=65536, received=65)


@pairing
def test_allocate_port_zero_background(h, targets, client, server):
    """-f -N -R 0:... with ExitOnForwardFailure: when the client returns,
    its stdout already holds the 'Allocated port' line and the port works."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    marker = h.dir / ("kh-f-%s" % uuid.uuid4().hex)
    h.markers.append(str(marker))
    argv = h.client_argv(client, srv, None, known_hosts=marker,
                         extra=["ExitOnForwardFailure=yes"],
                         opts=["-f", "-N", "-R", "0:%s:%d" % (HOST, t.port)])
    out = h.dir / "f.out"
    err = h.dir / "f.err"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = h.spawn(argv, stdout=o, stderr=e)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        rc = "timeout"

    def msg():
        return "argv: %s\nrc %s\nstdout: %r\nstderr:\n%s\n%s" % (
            " ".join(map(str, argv)), rc, out.read_text(errors="replace"),
            err.read_text(errors="replace"), diag(None, srv))
    assert rc == 0, msg()
    rx = ALLOC_RX % (re.escape(HOST), t.port)
    m = re.search(rx, out.read_text(errors="replace"))
    if client == "ssh" and not m:
        # OpenSSH 9.2 logs it on stderr even with -f; burrow must use stdout.
        m = re.search(rx, err.read_text(errors="replace"))
    assert m, msg()
    port = int(m.group(1))
    # No waiting: with ExitOnForwardFailure, -f returns only after the
    # server answered, and the server answers after it bound the port.
    assert fwdutil.listening(port), "port %d not listening when -f returned\n%s" % (
        port, msg())
    assert roundtrip(port), msg()
    h.kill_marked(str(marker))


def _busy_loopbacks():
    """Sockets listening on a port on 127.0.0.1 and (if present) ::1: a
    server binding 'localhost' for that port must fail on every address."""
    for _ in range(20):
        port = free_port()
        socks = []
        try:
            a = socket.socket()
            socks.append(a)
            a.bind((HOST, port))
            a.listen(1)
            if fwdutil.have_ipv6_loopback():
                b = socket.socket(socket.AF_INET6)
                socks.append(b)
                b.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
                b.bind(("::1", port))
                b.listen(1)
            return port, socks
        except OSError:
            for s in socks:
                s.close()
    pytest.fail("no port free on both loopbacks")


@pairing
def test_exit_on_forward_failure_busy_port(h, client, server):
    """A -R on a port the server cannot bind: with ExitOnForwardFailure=yes
    "Error: remote port forwarding failed for listen port N" and exit 255
    (also with -f, which must not leave a background client); without it
    "Warning: ..." and the command still runs."""
    srv = h.server(server)
    port, socks = _busy_loopbacks()
    dead = fwdutil.closed_port()
    spec = "%d:%s:%d" % (port, HOST, dead)
    try:
        argv = h.client_argv(client, srv, None, extra=["ExitOnForwardFailure=yes"],
                             opts=["-N", "-R", spec])
        start = time.monotonic()
        res = h.run(argv, timeout=20)
        took = time.monotonic() - start
        assert res.rc == 255, diag(res, srv)
        assert took < 10, "took %.1fs\n%s" % (took, diag(res, srv))
        assert re.search(r"Error: remote port forwarding failed for listen port %d\b" % port,
                         res.err), diag(res, srv)

        marker = h.dir / ("kh-f-%s" % uuid.uuid4().hex)
        h.markers.append(str(marker))
        argv = h.client_argv(client, srv, None, known_hosts=marker,
                             extra=["ExitOnForwardFailure=yes"],
                             opts=["-f", "-N", "-R", spec])
        res = h.run(argv, timeout=20)
        assert res.rc == 255, diag(res, srv)
        assert re.search(r"Error: remote port forwarding failed for listen port %d\b" % port,
                         res.err), diag(res, srv)
        time.sleep(0.3)
        left = subprocess.run(["pgrep", "-f", "--", str(marker)], capture_output=True,
                              text=True, timeout=10).stdout.split()
        assert not left, "a background client is left: %s\n%s" % (left, diag(res, srv))

        argv = h.client_argv(client, srv, "echo ran", opts=["-R", spec])
        res = h.run(argv, timeout=20)
        assert res.rc == 0, diag(res, srv)
        assert res.stdout == b"ran\n", diag(res, srv)
        assert re.search(r"Warning: remote port forwarding failed for listen port %d\b" % port,
                         res.err), diag(res, srv)
    finally:
        for s in socks:
            s.close()


def _wait_gone(port, fw, within):
    took = wait_unlisten(port, timeout=10)
    assert took is not None, "port %d still listening 10 s after SIGKILL\n%s" % (
        port, fw.diag())
    assert took <= within, "port %d freed only after %.2fs\n%s" % (port, took, fw.diag())


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
@pytest.mark.parametrize("second", ["ssh", "burrow"])
@pytest.mark.parametrize("first", ["ssh", "burrow"])
def test_listener_freed_on_sigkill(h, targets, first, second, server):
    """SIGKILL the client: the server closes the listener within 1 s and a new
    client binds the same port at once (ExitOnForwardFailure=yes) and
    forwards to its own target."""
    srv = h.server(server)
    rport = free_port()
    ta = targets(fwdutil.h_sink_hash)
    fw = start_remote(h, first, srv, [_spec(rport, ta.port)], wait_tcp=[rport])
    assert roundtrip(rport), fw.diag()
    assert len(ta.wait_records(1)) == 1, fw.diag()
    os.killpg(fw.proc.pid, signal.SIGKILL)
    _wait_gone(rport, fw, 1.0)
    tb = targets(fwdutil.h_sink_hash)
    fw2 = start_remote(h, second, srv, [_spec(rport, tb.port)], wait_tcp=[rport])
    assert roundtrip(rport), fw2.diag()
    assert len(tb.wait_records(1)) == 1, "the new target was not reached\n" + fw2.diag()
    assert len(ta.records) == 1, "the old target was reached\n" + fw2.diag()
    assert fw2.proc.poll() is None, fw2.diag()


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_cancel_with_control_master(h, targets, server):
    """OpenSSH's ssh as a control master: `-O cancel -R` closes the server's
    listener while the connection stays up; `-O forward -R` opens it again."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    rport = free_port()
    sockdir = tempfile.mkdtemp(prefix="bm-")  # short: sun_path is 108 bytes
    ctl = os.path.join(sockdir, "ctl")
    spec = _spec(rport, t.port)
    fw = None
    try:
        fw = start_remote(h, "ssh", srv, [spec], opts=["-M", "-S", ctl], wait_tcp=[rport])
        assert roundtrip(rport), fw.diag()
        base = h.client_argv("ssh", srv, None, opts=["-S", ctl])
        dest = base[-1]
        res = h.run(base[:-1] + ["-O", "cancel", "-R", spec, dest], timeout=20)
        assert res.rc == 0, "%s\n%s" % (res, fw.diag())
        assert wait_unlisten(rport, timeout=5) is not None, \
            "port %d still listening after cancel\n%s" % (rport, fw.diag())
        assert fwdutil.expect_eof(rport) == "refused", fw.diag()
        assert fw.proc.poll() is None, "the master must stay up\n" + fw.diag()
        res = h.run(base[:-1] + ["-O", "forward", "-R", spec, dest], timeout=20)
        assert res.rc == 0, "%s\n%s" % (res, fw.diag())
        assert fwdutil.wait_listen(rport, fw.proc, 10), fw.diag()
        assert roundtrip(rport), fw.diag()
        if srv.kind == "burrowd":
            # cancel is not a refusal: nothing may be logged as refused
            assert "refused: tcpip-forward" not in srv.log_text(), diag(None, srv)
        h.run(base[:-1] + ["-O", "exit", dest], timeout=20)
    finally:
        if fw is not None:
            fw.stop()
        try:
            os.unlink(ctl)
        except OSError:
            pass
        os.rmdir(sockdir)


# RFC 4254 7.1 bind semantics under GatewayPorts. Only loopback addresses are
# ever bound here: "everywhere" requests must be narrowed to loopback by the
# server (GatewayPorts no), and clientspecified must bind exactly what was asked.
LOOPBACK_HEX = {"0100007F", "00000000000000000000000001000000"}  # 127.0.0.1, ::1


@pytest.mark.parametrize("bind", ["*", "0.0.0.0", "localhost"])
@pairing
def test_gatewayports_no_binds_loopback_only(h, targets, client, server, bind):
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    fw = start_remote(h, client, srv, ["%s:0:%s:%d" % (bind, HOST, t.port)])
    m = fw.wait_err(ALLOC_RX % (re.escape(HOST), t.port), timeout=15)
    assert m, fw.diag()
    port = int(m.group(1))
    assert fwdutil.wait_listen(port, fw.proc, 10), fw.diag()
    addrs = set(fwdutil._proc_listening(port))
    assert addrs and addrs <= LOOPBACK_HEX, "listening on %s\n%s" % (addrs, fw.diag())
    assert roundtrip(port), fw.diag()


@pairing
def test_gatewayports_clientspecified_binds_requested_address(h, targets, client, server):
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server, config=["GatewayPorts clientspecified"])
    fw = start_remote(h, client, srv, ["127.0.0.2:0:%s:%d" % (HOST, t.port)])
    m = fw.wait_err(ALLOC_RX % (re.escape(HOST), t.port), timeout=15)
    assert m, fw.diag()
    port = int(m.group(1))
    assert fwdutil.wait_listen(port, fw.proc, 10), fw.diag()
    assert set(fwdutil._proc_listening(port)) == {"0200007F"}, fw.diag()  # 127.0.0.2
    assert roundtrip(port, host="127.0.0.2"), fw.diag()


@pairing
def test_remote_unix_socket_listener(h, targets, client, server):
    """-R /path.sock:host:port: streamlocal-forward@openssh.com on the server side."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    path = h.dir / "remote.sock"
    fw = start_remote(h, client, srv, ["%s:%s:%d" % (path, HOST, t.port)])
    assert fwdutil.wait_unix_listen(str(path), fw.proc, 15), fw.diag()
    payload = os.urandom(256 << 10)
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(30)
    try:
        s.connect(str(path))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = fwdutil.recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), fw.diag()
