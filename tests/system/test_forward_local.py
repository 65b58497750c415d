"""Local forwarding (-L) in every pairing: bulk transfers, many connections,
half-close, refused targets, -f, ExitOnForwardFailure, -g, Unix sockets, IPv6.

Targets are Python servers on 127.0.0.1 (fwdutil.Target).  For burrowd the
audit line of each forwarded connection is checked too (fwdutil.check_audit).
"""

import hashlib
import os
import re
import socket
import subprocess
import time
import uuid

import pytest

import fwdutil
from fwdutil import (check_audit, closed_port, recv_all, send_random,
                     start_forward)
from sshutil import HOST, PAIRINGS, PAIRING_IDS, diag, free_port

pairing = pytest.mark.parametrize("client,server", PAIRINGS, ids=PAIRING_IDS)

BULK = 256 << 20
CONNS = 200
PER_CONN = 1 << 20


def _connect(port, host=HOST, timeout=10.0):
    s = socket.create_connection((host, port), timeout=timeout)
    return s


@pairing
def test_bulk_upload_256mib(h, targets, client, server):
    """256 MiB client -> target; the target's SHA-256 equals ours."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport, HOST, t.port)],
                       wait_tcp=[lport])
    s = _connect(lport)
    origin = "%s:%d" % s.getsockname()
    sent = hashlib.sha256()
    try:
        send_random(s, BULK, sent)
        s.shutdown(socket.SHUT_WR)
        n, reply = recv_all(s, time.monotonic() + 120)
    finally:
        s.close()
    assert reply == (sent.hexdigest() + "\n").encode(), fw.diag()
    recs = t.wait_records(1)
    assert recs and recs[0].get("n") == BULK, "%r\n%s" % (recs, fw.diag())
    check_audit(h, srv, target="%s:%d" % (HOST, t.port), originator=origin,
                sent=BULK, received=65)


@pairing
def test_bulk_download_256mib(h, targets, client, server):
    """256 MiB target -> client; our SHA-256 equals the target's."""
    t = targets(fwdutil.h_source)
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport, HOST, t.port)],
                       wait_tcp=[lport])
    s = _connect(lport)
    origin = "%s:%d" % s.getsockname()
    got = hashlib.sha256()
    req = b"%d\n" % BULK
    try:
        s.sendall(req)
        n, _ = recv_all(s, time.monotonic() + 120, got)
        s.shutdown(socket.SHUT_WR)
    finally:
        s.close()
    recs = t.wait_records(1)
    assert recs and "error" not in recs[0], "%r\n%s" % (recs, fw.diag())
    assert n == BULK, "got %d of %d bytes\n%s" % (n, BULK, fw.diag())
    assert got.hexdigest() == recs[0]["sha"], fw.diag()
    check_audit(h, srv, target="%s:%d" % (HOST, t.port), originator=origin,
                sent=len(req), received=BULK)


@pairing
def test_200_concurrent_connections(h, targets, client, server):
    """200 simultaneous connections through one forward, 1 MiB each way each,
    different data per connection, all checked."""
    t = targets(fwdutil.h_echo)
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport, HOST, t.port)],
                       wait_tcp=[lport])
    ok, problems = fwdutil.many_echo(lport, CONNS, PER_CONN, timeout=150)
    assert ok == CONNS, "%d of %d connections ok:\n%s\n%s" % (
        ok, CONNS, "\n".join(problems[:20]), fw.diag())
    recs = t.wait_records(CONNS)
    assert len(recs) == CONNS and all(r.get("n") == PER_CONN for r in recs), fw.diag()
    if srv.kind == "burrowd":
        rx = fwdutil.audit_rx(h, target="%s:%d" % (HOST, t.port),
                              sent=PER_CONN, received=PER_CONN)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if len(re.findall(rx, srv.log_text(), re.M)) >= CONNS:
                break
            time.sleep(0.2)
        assert len(re.findall(rx, srv.log_text(), re.M)) == CONNS, diag(None, srv)


@pairing
def test_half_close_client_first(h, targets, client, server):
    """The client sends, shuts down writing, and still gets the full reply
    (sent by the target only after it saw EOF)."""
    t = targets(fwdutil.h_reply_after_eof)
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport, HOST, t.port)],
                       wait_tcp=[lport])
    s = _connect(lport)
    sent = hashlib.sha256()
    got = hashlib.sha256()
    try:
        send_random(s, 1 << 20, sent)
        s.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + 60
        _, head = recv_all(s, deadline, limit=65)
        n, _ = recv_all(s, deadline, got)
    finally:
        s.close()
    assert head == (sent.hexdigest() + "\n").encode(), "%r\n%s" % (head, fw.diag())
    recs = t.wait_records(1)
    assert recs and "error" not in recs[0], "%r\n%s" % (recs, fw.diag())
    assert n == fwdutil.REPLY_BYTES, "reply: %d bytes\n%s" % (n, fw.diag())
    assert got.hexdigest() == recs[0]["reply_sha"], fw.diag()
    check_audit(h, srv, target="%s:%d" % (HOST, t.port), sent=1 << 20,
                received=65 + fwdutil.REPLY_BYTES)


@pairing
def test_half_close_target_first(h, targets, client, server):
    """The target sends its whole reply and shuts down writing while the
    client is still sending; everything the client sends afterwards still
    reaches the target."""
    t = targets(fwdutil.h_early_close)
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport, HOST, t.port)],
                       wait_tcp=[lport])
    s = _connect(lport)
    sent = hashlib.sha256()
    got = hashlib.sha256()
    try:
        send_random(s, 64 << 10, sent)
        n, _ = recv_all(s, time.monotonic() + 60, got)  # to the target's EOF
        send_random(s, 2 << 20, sent)  # after EOF from the other side
        s.shutdown(socket.SHUT_WR)
        recs = t.wait_records(1, timeout=60)
    finally:
        s.close()
    assert n == fwdutil.REPLY_BYTES, "reply: %d bytes\n%s" % (n, fw.diag())
    assert recs and "error" not in recs[0], "%r\n%s" % (recs, fw.diag())
    assert got.hexdigest() == recs[0]["reply_sha"], fw.diag()
    assert recs[0]["n"] == (64 << 10) + (2 << 20), "%r\n%s" % (recs, fw.diag())
    assert recs[0]["sha"] == sent.hexdigest(), fw.diag()
    check_audit(h, srv, target="%s:%d" % (HOST, t.port),
                sent=(64 << 10) + (2 << 20), received=fwdutil.REPLY_BYTES)


REFUSED_RX = r"channel \d+: open failed: connect failed: Connection refused"


@pairing
def test_refused_target(h, client, server):
    """A refused target: our connection gets EOF without data, the client
    prints the server's reason, burrowd audits outcome=failed."""
    srv = h.server(server)
    lport = free_port()
    dead = closed_port()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport, HOST, dead)],
                       wait_tcp=[lport])
    s = _connect(lport)
    origin = "%s:%d" % s.getsockname()
    try:
        s.settimeout(15)
        data = s.recv(4096)
    except socket.timeout:
        data = None
    except ConnectionResetError:
        data = "reset"
    finally:
        s.close()
    assert data == b"", "expected a clean EOF, got %r\n%s" % (data, fw.diag())
    assert fw.wait_err(REFUSED_RX), fw.diag()
    assert fw.proc.poll() is None, "the client must keep running\n" + fw.diag()
    check_audit(h, srv, target="%s:%d" % (HOST, dead), originator=origin,
                sent=0, received=0, outcome="failed",
                error=r"[^\"]*Connection refused[^\"]*")


@pairing
def test_unresolvable_target(h, client, server):
    """A name the server cannot resolve: clean EOF and the resolver's reason."""
    srv = h.server(server)
    lport = free_port()
    name = "nonexistent-%s.invalid" % uuid.uuid4().hex[:8]
    try:
        socket.getaddrinfo(name, 80)
        pytest.skip("%s resolves here" % name)
    except socket.gaierror as e:
        reason = e.strerror
    fw = start_forward(h, client, srv, ["%d:%s:80" % (lport, name)], wait_tcp=[lport])
    s = _connect(lport)
    try:
        s.settimeout(30)
        data = s.recv(4096)
    except socket.timeout:
        data = None
    finally:
        s.close()
    assert data == b"", "expected a clean EOF, got %r\n%s" % (data, fw.diag())
    # sshd sends "connect failed: <gai_strerror>", e.g. "Name or service not known"
    assert fw.wait_err(r"channel \d+: open failed: connect failed: %s" % re.escape(reason),
                       timeout=30), fw.diag()
    check_audit(h, srv, target="%s:80" % name, sent=0, received=0, outcome="failed",
                error=r"[^\"]*%s[^\"]*" % re.escape(reason))


@pairing
def test_background_f_port_ready(h, targets, client, server):
    """`-f -N -L`: when the client returns, the port already accepts."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    lport = free_port()
    marker = h.dir / ("kh-f-%s" % uuid.uuid4().hex)
    h.markers.append(str(marker))
    argv = h.client_argv(client, srv, None, known_hosts=marker,
                         opts=["-f", "-N", "-L", "%d:%s:%d" % (lport, HOST, t.port)])
    out = h.dir / "f.out"
    err = h.dir / "f.err"
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = h.spawn(argv, stdout=o, stderr=e)
    try:
        rc = proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        rc = "timeout"
    msg = "argv: %s\nrc %s\nstderr:\n%s\n%s" % (" ".join(map(str, argv)), rc,
                                                err.read_text(errors="replace"),
                                                diag(None, srv))
    assert rc == 0, msg
    # No retry: the listener must be there the moment -f returned.
    s = socket.create_connection((HOST, lport), timeout=5)
    payload = os.urandom(100000)
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), msg
    pids = subprocess.run(["pgrep", "-f", "--", str(marker)], capture_output=True,
                          text=True, timeout=10).stdout.split()
    assert pids, "the background client is not running\n" + msg
    h.kill_marked(str(marker))


EXIT_FWD_RX = r"Could not request local forwarding"


@pairing
def test_exit_on_forward_failure(h, client, server):
    """A busy local port with ExitOnForwardFailure=yes: exit 255, no command."""
    srv = h.server(server)
    busy = socket.socket()
    busy.bind((HOST, 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        argv = h.client_argv(client, srv, "echo ran", extra=["ExitOnForwardFailure=yes"],
                             opts=["-L", "%s:%d:%s:%d" % (HOST, port, HOST, closed_port())])
        start = time.monotonic()
        res = h.run(argv, timeout=20)
        took = time.monotonic() - start
    finally:
        busy.close()
    assert res.rc == 255, diag(res, srv)
    assert took < 10, "took %.1fs\n%s" % (took, diag(res, srv))
    assert b"ran" not in res.stdout, diag(res, srv)
    assert re.search(EXIT_FWD_RX, res.err), diag(res, srv)


@pairing
def test_forward_failure_warns_and_continues(h, client, server):
    """The same busy port without ExitOnForwardFailure: a warning, the command runs."""
    srv = h.server(server)
    busy = socket.socket()
    busy.bind((HOST, 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        argv = h.client_argv(client, srv, "echo ran",
                             opts=["-L", "%s:%d:%s:%d" % (HOST, port, HOST, closed_port())])
        res = h.run(argv, timeout=20)
    finally:
        busy.close()
    assert res.rc == 0, diag(res, srv)
    assert res.stdout == b"ran\n", diag(res, srv)
    assert re.search(r"(?i)address already in use|cannot listen|could not request",
                     res.err), diag(res, srv)


@pairing
def test_sequential_connections(h, targets, client, server):
    """The forward stays up: 20 connections one after another, each checked."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport, HOST, t.port)],
                       wait_tcp=[lport])
    for i in range(20):
        payload = os.urandom(50000 + i * 997)
        s = _connect(lport)
        try:
            s.sendall(payload)
            s.shutdown(socket.SHUT_WR)
            _, reply = recv_all(s, time.monotonic() + 30)
        finally:
            s.close()
        assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), \
            "connection %d: %r\n%s" % (i, reply, fw.diag())
    assert fw.proc.poll() is None, fw.diag()
    assert len(t.wait_records(20)) == 20, fw.diag()


# -g (GatewayPorts) is tested in test_topology.py (example 3 against example 2):
# a listener on every address may only be opened inside the test's own network
# namespaces, never on this machine's real interfaces.


@pairing
def test_unix_socket_target(h, targets, client, server):
    """-L port:/path/to/socket: direct-streamlocal@openssh.com to a Unix socket."""
    path = h.dir / "target.sock"
    t = targets(fwdutil.h_sink_hash, unix_path=path)
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, client, srv, ["%d:%s" % (lport, path)], wait_tcp=[lport])
    payload = os.urandom(3 << 20)
    s = _connect(lport)
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), fw.diag()
    recs = t.wait_records(1)
    assert recs and recs[0].get("n") == len(payload), "%r\n%s" % (recs, fw.diag())


@pairing
def test_unix_socket_listener(h, targets, client, server):
    """-L /local/socket:host:port: listen on a local Unix socket."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    path = h.dir / "listen.sock"
    fw = start_forward(h, client, srv, ["%s:%s:%d" % (path, HOST, t.port)],
                       wait_unix=[path])
    payload = os.urandom(3 << 20)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    try:
        s.connect(str(path))
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), fw.diag()
    check_audit(h, srv, target="%s:%d" % (HOST, t.port), sent=len(payload), received=65)


@pairing
def test_ipv6_listener(h, targets, client, server):
    """-L [::1]:P:127.0.0.1:T listens on ::1 only."""
    if not fwdutil.have_ipv6_loopback():
        pytest.skip("::1 is not available on this host")
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    lport = fwdutil.free_port6()
    fw = start_forward(h, client, srv, ["[::1]:%d:%s:%d" % (lport, HOST, t.port)],
                       wait_tcp=[lport])
    payload = os.urandom(1 << 20)
    s = socket.create_connection(("::1", lport), timeout=10)
    origin = "[::1]:%d" % s.getsockname()[1]
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), fw.diag()
    check_audit(h, srv, target="%s:%d" % (HOST, t.port), originator=origin,
                sent=len(payload), received=65)


def _roundtrip(host, port, fw):
    payload = os.urandom(64 << 10)
    s = socket.create_connection((host, port), timeout=10)
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), fw.diag()


@pairing
def test_default_bind_is_both_loopbacks(h, targets, client, server):
    """Without a bind address the forward listens on 127.0.0.1 and on ::1, and not on
    other loopback addresses such as 127.0.0.2."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    lport = free_port()
    if fwdutil.have_ipv6_loopback():
        # The port must be free on ::1 too.
        probe = socket.socket(socket.AF_INET6)
        try:
            probe.bind(("::1", lport))
        except OSError:
            pytest.skip("port %d is taken on ::1" % lport)
        finally:
            probe.close()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport, HOST, t.port)], wait_tcp=[lport])
    _roundtrip(HOST, lport, fw)
    if fwdutil.have_ipv6_loopback():
        _roundtrip("::1", lport, fw)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.2", lport), timeout=5).close()


@pairing
def test_explicit_bind_address(h, targets, client, server):
    """-L 127.0.0.2:P:... listens on that address only."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, client, srv, ["127.0.0.2:%d:%s:%d" % (lport, HOST, t.port)])
    deadline = time.monotonic() + 15
    while True:
        try:
            _roundtrip("127.0.0.2", lport, fw)
            break
        except (ConnectionRefusedError, socket.timeout):
            if time.monotonic() > deadline or fw.proc.poll() is not None:
                raise
            time.sleep(0.1)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection((HOST, lport), timeout=5).close()


@pairing
def test_stalled_reader_does_not_block_other_connections(h, targets, client, server):
    """A local reader that stops reading while its channel closes: other connections
    go on meanwhile, and it still gets every byte once it reads again. (Whether the
    bytes wait in the kernel or in burrow depends on socket buffer sizes, so this
    checks delivery and progress, not where the bytes waited.)"""
    src = targets(fwdutil.h_source)
    sink = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    lport_a, lport_b = free_port(), free_port()
    fw = start_forward(h, client, srv, ["%d:%s:%d" % (lport_a, HOST, src.port),
                                        "%d:%s:%d" % (lport_b, HOST, sink.port)],
                       wait_tcp=[lport_a, lport_b])
    nbytes = 1 << 20  # within the channel window, so the channel can close while A is stalled
    a = socket.socket()
    a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    a.settimeout(60)
    a.connect((HOST, lport_a))
    try:
        a.sendall(b"%d\n" % nbytes)
        a.shutdown(socket.SHUT_WR)
        # Let the target send everything and the channel close while A reads nothing.
        recs = src.wait_records(1, timeout=30)
        assert recs and "error" not in recs[0], "%r\n%s" % (recs, fw.diag())
        # B must get through while A still holds its bytes unread.
        payload = os.urandom(64 << 10)
        b = _connect(lport_b, timeout=30)
        try:
            b.sendall(payload)
            b.shutdown(socket.SHUT_WR)
            _, reply = recv_all(b, time.monotonic() + 30)
        finally:
            b.close()
        assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode(), fw.diag()
        hs = hashlib.sha256()
        n, _ = recv_all(a, time.monotonic() + 60, hs)
    finally:
        a.close()
    assert n == nbytes and hs.hexdigest() == recs[0]["sha"], fw.diag()
