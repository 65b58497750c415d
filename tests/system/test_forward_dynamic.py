"""Dynamic forwarding (-D): SOCKS4, SOCKS4A and SOCKS5 through burrow and ssh,
against burrowd and sshd.  curl fetches a random body from a test HTTP server
(checked byte for byte); raw SOCKS requests check bulk data by SHA-256, early
data, IPv6 targets and the SOCKS error codes of refused targets.
"""

import hashlib
import http.server
import os
import socket
import struct
import subprocess
import threading
import time

import pytest

import fwdutil
from fwdutil import recv_all, send_random, start_forward
from sshutil import HOST, PAIRINGS, PAIRING_IDS, SERVERS, free_port

pairing = pytest.mark.parametrize("client,server", PAIRINGS, ids=PAIRING_IDS)
burrow_only = pytest.mark.parametrize("server", SERVERS)

BODY = os.urandom(3 << 20)


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(BODY)))
        self.end_headers()
        self.wfile.write(BODY)

    def log_message(self, *a):
        pass


@pytest.fixture
def web():
    srv = http.server.ThreadingHTTPServer((HOST, 0), _Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def _curl(proxy_opt, dport, url, timeout=60):
    return subprocess.run(["curl", "-sS", "--max-time", "50", proxy_opt,
                           "127.0.0.1:%d" % dport, url],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def _dyn(h, client, server, extra_specs=()):
    dport = free_port()
    fw = start_forward(h, client, server, ["%d" % dport] + list(extra_specs), opt="-D",
                       wait_tcp=[dport])
    return dport, fw


@pairing
@pytest.mark.parametrize("proxy", ["--socks5-hostname", "--socks4a", "--socks5", "--socks4"])
def test_curl_through_socks(h, web, client, server, proxy):
    """curl fetches 3 MiB through -D; the body is exactly what the server sent."""
    srv = h.server(server)
    dport, fw = _dyn(h, client, srv)
    host = "localhost" if proxy in ("--socks5-hostname", "--socks4a") else HOST
    res = _curl(proxy, dport, "http://%s:%d/x" % (host, web))
    assert res.returncode == 0, "%s\n%s" % (res.stderr.decode(errors="replace"), fw.diag())
    assert len(res.stdout) == len(BODY) and res.stdout == BODY, fw.diag()


def _socks5(dport, atyp, addr, port, early=b""):
    s = socket.create_connection((HOST, dport), timeout=15)
    if atyp == 3:
        a = bytes([len(addr)]) + addr.encode()
    elif atyp == 4:
        a = socket.inet_pton(socket.AF_INET6, addr)
    else:
        a = socket.inet_aton(addr)
    s.sendall(b"\x05\x01\x00" + bytes([5, 1, 0, atyp]) + a + struct.pack(">H", port) + early)
    got = b""
    while len(got) < 12:
        d = s.recv(12 - len(got))
        if not d:
            break
        got += d
    return s, got


@pairing
def test_socks5_bulk_sha256(h, targets, client, server):
    """32 MiB up through a SOCKS5 (name) connection; the target's SHA-256 is ours."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    dport, fw = _dyn(h, client, srv)
    s, rep = _socks5(dport, 3, "localhost", t.port)
    try:
        assert rep[:2] == b"\x05\x00" and rep[2:4] == b"\x05\x00", "%r\n%s" % (rep, fw.diag())
        hs = hashlib.sha256()
        send_random(s, 32 << 20, hs)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 60)
    finally:
        s.close()
    assert reply == (hs.hexdigest() + "\n").encode(), fw.diag()


@burrow_only
def test_socks5_early_data_and_ipv4(h, targets, server):
    """Data sent with the request (before the reply) reaches the target first."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    dport, fw = _dyn(h, "burrow", srv)
    early = b"early bytes before the SOCKS reply\n"
    s, rep = _socks5(dport, 1, HOST, t.port, early)
    try:
        assert rep[2:4] == b"\x05\x00", "%r\n%s" % (rep, fw.diag())
        s.sendall(b"rest")
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(early + b"rest").hexdigest() + "\n").encode(), fw.diag()


@burrow_only
def test_socks5_ipv6_target(h, server):
    """ATYP 4 (::1): an echo target on the IPv6 loopback."""
    if not fwdutil.have_ipv6_loopback():
        pytest.skip("no IPv6 loopback")
    ls = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    ls.bind(("::1", 0))
    ls.listen(4)

    def echo():
        c, _ = ls.accept()
        while True:
            d = c.recv(65536)
            if not d:
                break
            c.sendall(d)
        c.close()
    threading.Thread(target=echo, daemon=True).start()
    srv = h.server(server)
    dport, fw = _dyn(h, "burrow", srv)
    s, rep = _socks5(dport, 4, "::1", ls.getsockname()[1])
    try:
        assert rep[2:4] == b"\x05\x00", "%r\n%s" % (rep, fw.diag())
        data = os.urandom(200000)
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        _, got = recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
        ls.close()
    assert got == data, fw.diag()


@burrow_only
def test_refused_target_codes(h, server):
    """A closed port: SOCKS5 code 5 (connection refused), SOCKS4 code 91; curl fails."""
    srv = h.server(server)
    dport, fw = _dyn(h, "burrow", srv)
    port = fwdutil.closed_port()
    s, rep = _socks5(dport, 1, HOST, port)
    s.close()
    assert rep[2:] == b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", "%r\n%s" % (rep, fw.diag())
    s, rep = _socks5(dport, 3, "localhost", port)
    s.close()
    assert rep[2:4] == b"\x05\x05", "%r\n%s" % (rep, fw.diag())
    s = socket.create_connection((HOST, dport), timeout=15)
    s.sendall(b"\x04\x01" + struct.pack(">H", port) + socket.inet_aton(HOST) + b"u\x00")
    rep4 = s.recv(8)
    s.close()
    assert rep4[:2] == b"\x00\x5b", "%r\n%s" % (rep4, fw.diag())
    res = _curl("--socks5-hostname", dport, "http://localhost:%d/" % port)
    assert res.returncode == 97, res.stderr
    assert b"(5)" in res.stderr, res.stderr  # curl prints the SOCKS5 code
    assert fw.wait_err(r"open failed: connect failed"), fw.diag()


def test_prohibited_target_code(h):
    """burrowd with PermitOpen none: SOCKS5 code 2 (not allowed by ruleset)."""
    srv = h.server("burrowd", extra=["PermitOpen=none"])
    dport, fw = _dyn(h, "burrow", srv)
    s, rep = _socks5(dport, 1, HOST, 80)
    s.close()
    assert rep[2:4] == b"\x05\x02", "%r\n%s" % (rep, fw.diag())


@burrow_only
def test_bad_requests(h, server):
    """No acceptable method: 05 FF; BIND: command not supported; garbage: closed."""
    srv = h.server(server)
    dport, fw = _dyn(h, "burrow", srv)
    s = socket.create_connection((HOST, dport), timeout=15)
    s.sendall(b"\x05\x01\x02")
    assert s.recv(2) == b"\x05\xff"
    assert s.recv(10) == b""
    s.close()
    s = socket.create_connection((HOST, dport), timeout=15)
    s.sendall(b"\x05\x01\x00\x05\x02\x00\x01\x7f\x00\x00\x01\x00\x50")
    rep = b""
    while len(rep) < 12:
        d = s.recv(12)
        if not d:
            break
        rep += d
    assert rep[2:4] == b"\x05\x07"
    s.close()
    s = socket.create_connection((HOST, dport), timeout=15)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    assert s.recv(10) == b""
    s.close()
    # The forward still works afterwards.
    assert fw.proc.poll() is None, fw.diag()


# --- remote dynamic forwarding: -R [bind:]port without a target ----------------

@pairing
@pytest.mark.parametrize("proxy", ["--socks5-hostname", "--socks4a", "--socks4"])
def test_remote_dynamic_curl(h, web, client, server, proxy):
    """The server listens; curl speaks SOCKS to it; the client connects locally."""
    srv = h.server(server)
    rport = free_port()
    fw = start_forward(h, client, srv, ["%d" % rport], opt="-R")
    if not fwdutil.wait_listen(rport, fw.proc):
        pytest.fail("remote listener did not come up\n" + fw.diag(), pytrace=False)
    host = "localhost" if proxy != "--socks4" else HOST
    res = _curl(proxy, rport, "http://%s:%d/x" % (host, web))
    assert res.returncode == 0, "%s\n%s" % (res.stderr.decode(errors="replace"), fw.diag())
    assert res.stdout == BODY, fw.diag()


@pairing
def test_remote_dynamic_bulk_and_refused(h, targets, client, server):
    """32 MiB by SHA-256 through a remote SOCKS5 forward; a closed port gets code 5 (burrow)."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    rport = free_port()
    fw = start_forward(h, client, srv, ["127.0.0.1:%d" % rport], opt="-R")
    if not fwdutil.wait_listen(rport, fw.proc):
        pytest.fail("remote listener did not come up\n" + fw.diag(), pytrace=False)
    s, rep = _socks5(rport, 3, "localhost", t.port, b"early")
    try:
        assert rep[2:4] == b"\x05\x00", "%r\n%s" % (rep, fw.diag())
        hs = hashlib.sha256(b"early")
        send_random(s, 32 << 20, hs)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 60)
    finally:
        s.close()
    assert reply == (hs.hexdigest() + "\n").encode(), fw.diag()
    if client == "burrow":
        s, rep = _socks5(rport, 1, HOST, fwdutil.closed_port())
        s.close()
        assert rep[2:4] == b"\x05\x05", "%r\n%s" % (rep, fw.diag())


@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_remote_dynamic_permit_remote_open(h, web, client):
    """PermitRemoteOpen localhost:WEB: that target works, any other is refused."""
    srv = h.server("burrowd")
    rport = free_port()
    fw = start_forward(h, client, srv, ["%d" % rport], opt="-R",
                       opts=["-o", "PermitRemoteOpen=localhost:%d" % web])
    if not fwdutil.wait_listen(rport, fw.proc):
        pytest.fail("remote listener did not come up\n" + fw.diag(), pytrace=False)
    res = _curl("--socks5-hostname", rport, "http://localhost:%d/x" % web)
    assert res.returncode == 0 and res.stdout == BODY, "%r\n%s" % (res.stderr, fw.diag())
    res = _curl("--socks5-hostname", rport, "http://127.0.0.1:%d/x" % web)
    assert res.returncode == 97, "%r\n%s" % (res.stderr, fw.diag())
    if client == "burrow":
        s, rep = _socks5(rport, 1, HOST, web)
        s.close()
        assert rep[2:4] == b"\x05\x02", "%r\n%s" % (rep, fw.diag())


def test_remote_dynamic_config_and_allocated_port(h, tmp_path):
    """RemoteForward with one word in a file; -R 0 prints ssh's allocated-port line."""
    srv = h.server("burrowd")
    fw = start_forward(h, "burrow", srv, ["0"], opt="-R")
    m = fw.wait_err(r"Allocated port (\d+) for remote forward to \(null\):0")
    assert m, fw.diag()
    assert fwdutil.wait_listen(int(m.group(1)), fw.proc), fw.diag()


@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_dynamic_ipv6_listener(h, web, client):
    """-D [::1]:port listens on the IPv6 loopback; SOCKS5 through it works."""
    if not fwdutil.have_ipv6_loopback():
        pytest.skip("no IPv6 loopback")
    srv = h.server("burrowd")
    dport = fwdutil.free_port6()
    fw = start_forward(h, client, srv, ["[::1]:%d" % dport], opt="-D", wait_tcp=[dport])
    res = subprocess.run(["curl", "-sS", "--max-time", "30", "--socks5-hostname",
                          "[::1]:%d" % dport, "http://localhost:%d/x" % web],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=40)
    assert res.returncode == 0 and res.stdout == BODY, "%r\n%s" % (res.stderr, fw.diag())


def test_dynamic_busy_port_exit_on_forward_failure(h):
    """A -D port already taken with ExitOnForwardFailure: ssh's message, exit 255."""
    srv = h.server("burrowd")
    busy = socket.socket()
    busy.bind((HOST, 0))
    busy.listen(1)
    port = busy.getsockname()[1]
    try:
        argv = h.client_argv("burrow", srv, None,
                             opts=["-N", "-D", "127.0.0.1:%d" % port,
                                   "-o", "ExitOnForwardFailure=yes"])
        res = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=30)
    finally:
        busy.close()
    assert res.returncode == 255, res.stderr
    assert b"Could not request dynamic forwarding." in res.stderr, res.stderr
