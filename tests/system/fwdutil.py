"""Helpers for the forwarding system tests: target servers in threads, a
forwarding client in the background, listener detection and the audit line.

Targets listen on 127.0.0.1 (or a Unix socket) at a port picked at run time,
serve each connection in its own thread and record what they saw, so a test
can compare both ends.  Data is streamed and hashed on the fly: no handler
holds more than one chunk.
"""

import hashlib
import os
import random
import re
import selectors
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

import sshutil
from sshutil import HOST, SSH_KEYGEN, diag, tail

CHUNK = 1 << 16
BIG_CHUNK = 1 << 20


def recv_all(sock, deadline, hasher=None, limit=None):
    """Read to EOF (or limit bytes); return (nbytes, data or None when hashing)."""
    n = 0
    keep = [] if hasher is None else None
    while limit is None or n < limit:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no EOF after %d bytes" % n)
        sock.settimeout(left)
        want = CHUNK if limit is None else min(CHUNK, limit - n)
        data = sock.recv(want)
        if not data:
            break
        n += len(data)
        if hasher is not None:
            hasher.update(data)
        else:
            keep.append(data)
    return n, (None if keep is None else b"".join(keep))


def send_random(sock, nbytes, hasher, chunk=BIG_CHUNK):
    """Send nbytes of random data, hashing what was sent."""
    left = nbytes
    while left > 0:
        data = os.urandom(min(chunk, left))
        hasher.update(data)
        sock.sendall(data)
        left -= len(data)


class Target:
    """A threaded server running handler(conn, peer, target) per connection.

    handler returns a dict that is appended to target.records (with 'peer').
    Exceptions in handlers are recorded as {'error': ...}.
    """

    def __init__(self, handler, unix_path=None, timeout=120):
        self.handler = handler
        self.timeout = timeout
        self.records = []
        self.cond = threading.Condition()
        self.unix_path = unix_path
        if unix_path is not None:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.bind(str(unix_path))
            self.port = None
        else:
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self.sock.bind((HOST, 0))
            self.port = self.sock.getsockname()[1]
        self.sock.listen(512)
        self.closed = False
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, peer = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn, peer), daemon=True).start()

    def _serve(self, conn, peer):
        rec = {}
        try:
            conn.settimeout(self.timeout)
            rec = self.handler(conn, peer, self) or {}
        except Exception as e:  # recorded; the test asserts on records
            rec = {"error": repr(e)}
        finally:
            conn.close()
        rec["peer"] = peer
        with self.cond:
            self.records.append(rec)
            self.cond.notify_all()

    def wait_records(self, n, timeout=30.0):
        """Wait until n connections finished; return the records."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while len(self.records) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.cond.wait(left)
            return list(self.records)

    def close(self):
        if not self.closed:
            self.closed = True
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.sock.close()


# --- handlers -----------------------------------------------------------------

def h_sink_hash(conn, peer, t):
    """Read to EOF hashing, answer the SHA-256 hex and a newline, close."""
    hs = hashlib.sha256()
    n, _ = recv_all(conn, time.monotonic() + t.timeout, hs)
    reply = (hs.hexdigest() + "\n").encode()
    conn.sendall(reply)
    return {"n": n, "sha": hs.hexdigest(), "sent": len(reply)}


def h_source(conn, peer, t):
    """Read a line 'N\\n', send N random bytes, shut down writing, read to EOF."""
    line = b""
    while not line.endswith(b"\n"):
        data = conn.recv(1)
        if not data:
            raise EOFError("no request line")
        line += data
    nbytes = int(line)
    hs = hashlib.sha256()
    send_random(conn, nbytes, hs)
    conn.shutdown(socket.SHUT_WR)
    rest, _ = recv_all(conn, time.monotonic() + t.timeout, hashlib.sha256())
    return {"n": nbytes, "sha": hs.hexdigest(), "req": len(line) + rest}


def h_echo(conn, peer, t):
    """Echo until EOF, then shut down writing."""
    n = 0
    while True:
        data = conn.recv(CHUNK)
        if not data:
            break
        conn.sendall(data)
        n += len(data)
    conn.shutdown(socket.SHUT_WR)
    return {"n": n}


REPLY_BYTES = 4 << 20


def h_reply_after_eof(conn, peer, t):
    """Half-close (a): read to EOF, then answer sha line + 4 MiB, then close."""
    hs = hashlib.sha256()
    n, _ = recv_all(conn, time.monotonic() + t.timeout, hs)
    head = (hs.hexdigest() + "\n").encode()
    conn.sendall(head)
    out = hashlib.sha256()
    send_random(conn, REPLY_BYTES, out)
    return {"n": n, "sha": hs.hexdigest(), "reply_sha": out.hexdigest()}


def h_early_close(conn, peer, t):
    """Half-close (b): send 4 MiB and shut down writing at once, while reading
    everything the client sends, to EOF, in parallel."""
    got = hashlib.sha256()
    state = {}

    def reader():
        try:
            state["n"], _ = recv_all(conn, time.monotonic() + t.timeout, got)
        except Exception as e:
            state["error"] = repr(e)

    rt = threading.Thread(target=reader, daemon=True)
    rt.start()
    out = hashlib.sha256()
    send_random(conn, REPLY_BYTES, out)
    conn.shutdown(socket.SHUT_WR)
    rt.join(t.timeout)
    if rt.is_alive():
        return {"error": "reader did not see EOF", "reply_sha": out.hexdigest()}
    if "error" in state:
        return {"error": state["error"]}
    return {"n": state["n"], "sha": got.hexdigest(), "reply_sha": out.hexdigest()}


# --- listeners ----------------------------------------------------------------

def _proc_listening(port, files=("/proc/net/tcp", "/proc/net/tcp6")):
    """Addresses (hex, as the kernel prints them) listening on a TCP port."""
    found = []
    for name in files:
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            addr, hexport = f[1].rsplit(":", 1)
            if int(hexport, 16) == port and f[3] == "0A":
                found.append(addr)
    return found


def listening(port):
    return bool(_proc_listening(port))


def wait_listen(port, proc, timeout=15.0):
    """Wait until something listens on port (without connecting to it).
    Returns False when proc exited first or time ran out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if listening(port):
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def wait_unix_listen(path, proc, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Path(path).exists():
            return True
        if proc is not None and proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def free_port6():
    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        s.bind(("::1", 0))
        return s.getsockname()[1]


def have_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


def closed_port():
    """A loopback port nobody listens on (bound then released)."""
    for _ in range(20):
        p = sshutil.free_port()
        if not listening(p):
            return p
    return sshutil.free_port()


# --- the forwarding client ----------------------------------------------------

class Forward:
    """A client running `-N` forwardings in the background, stderr in a file."""

    def __init__(self, h, proc, errlog, server, argv):
        self.h = h
        self.proc = proc
        self.errlog = Path(errlog)
        self.server = server
        self.argv = argv

    def err(self):
        return self.errlog.read_text(errors="replace")

    def wait_err(self, pattern, timeout=10.0):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.err())
            if m or time.monotonic() >= deadline:
                return m
            time.sleep(0.1)

    def diag(self):
        state = self.proc.poll()
        return "argv: %s\nclient %s\nclient stderr:\n%s\n%s" % (
            " ".join(map(str, self.argv)),
            "running" if state is None else "exited %s" % state,
            tail(self.errlog), diag(None, self.server))

    def stop(self):
        sshutil.kill_group(self.proc)


def start_forward(h, client, server, specs, opt="-L", extra=(), opts=(),
                  command=None, wait_tcp=(), wait_unix=(), timeout=15.0,
                  identity=None, user=None):
    """Start `client -N opt spec...` against server and wait for its listeners.

    specs: forwarding specifications; wait_tcp/wait_unix: local ports/paths
    that must be listening before this returns (fails otherwise).
    """
    fwd_opts = []
    for s in specs:
        fwd_opts += [opt, s]
    argv = h.client_argv(client, server, command, extra=extra, identity=identity,
                         user=user,
                         opts=(["-N"] if command is None else []) + fwd_opts + list(opts))
    errlog = h._subdir("fwd") / "stderr"
    with open(errlog, "wb") as ef:
        proc = h.spawn(argv, stdout=subprocess.DEVNULL, stderr=ef)
    fw = Forward(h, proc, errlog, server, argv)
    for p in wait_tcp:
        if not wait_listen(p, proc, timeout):
            pytest.fail("forward listener on port %d did not come up\n%s"
                        % (p, fw.diag()), pytrace=False)
    for p in wait_unix:
        if not wait_unix_listen(p, proc, timeout):
            pytest.fail("forward listener %s did not come up\n%s" % (p, fw.diag()),
                        pytrace=False)
    return fw


# --- audit line ---------------------------------------------------------------

_FP = {}


def fingerprint(key_path):
    """SHA256:... of a key, as ssh-keygen -lf prints it."""
    key = str(key_path)
    if key not in _FP:
        out = subprocess.run([SSH_KEYGEN, "-lf", key + ".pub"], check=True,
                             capture_output=True, text=True, timeout=30,
                             stdin=subprocess.DEVNULL).stdout
        _FP[key] = out.split()[1]
    return _FP[key]


def audit_rx(h, target, originator=None, sent=None, received=None,
             outcome="closed", error=None, kind="direct-tcpip", key=None,
             target_rx=None):
    """Regex for burrowd's audit line of one forwarded connection.

    kind: "direct-tcpip" (-L) or "forwarded-tcpip" (-R: target is burrowd's
    listener, originator who connected to it); key: the user key's path
    (default the run's user key); target_rx: a regex instead of target."""
    num = r"\d+"
    parts = [
        r"audit: %s" % re.escape(kind),
        r"user=%s" % re.escape(sshutil.USER),
        r"key=%s" % re.escape(fingerprint(key or h.keys.user_key)),
        r"client=127\.0\.0\.1:\d+",
        r"originator=%s" % (re.escape(originator) if originator else r"\S+"),
        r"target=%s" % (target_rx if target_rx is not None else re.escape(target)),
        r"sent=%s" % (num if sent is None else str(sent)),
        r"received=%s" % (num if received is None else str(received)),
        r"duration=\d+\.\d{3}s",
        r"outcome=%s" % outcome,
    ]
    rx = " ".join(parts)
    if error is not None:
        rx += r' error="%s"' % error
    return rx + r"$"


def check_audit(h, srv, **kw):
    """For burrowd: wait for (and return) the audit line; sshd: nothing."""
    if srv.kind != "burrowd":
        return None
    rx = audit_rx(h, **kw)
    m = srv.wait_log(rx, timeout=15.0, flags=re.M)
    assert m, "no audit line matching\n  %s\n%s" % (rx, diag(None, srv))
    return m


def seeded_chunks(seed, nbytes, chunk=CHUNK):
    """Deterministic pseudo-random data for a connection, in chunks."""
    rng = random.Random(seed)
    left = nbytes
    while left > 0:
        n = min(chunk, left)
        yield rng.randbytes(n)
        left -= n


def many_echo(port, n_conns, nbytes, timeout, host=HOST):
    """n_conns simultaneous connections to host:port, each sending nbytes
    (different per connection) and reading back what an echo target returns.

    One thread, non-blocking sockets.  Returns (ok_count, problems list).
    """
    sel = selectors.DefaultSelector()
    deadline = time.monotonic() + timeout
    conns = []
    for i in range(n_conns):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setblocking(False)
        s.connect_ex((host, port))
        c = {"i": i, "sock": s, "gen": seeded_chunks(1000 + i, nbytes),
             "pending": b"", "sent": hashlib.sha256(), "got": hashlib.sha256(),
             "nsent": 0, "ngot": 0, "wdone": False, "eof": False, "error": None}
        conns.append(c)
        sel.register(s, selectors.EVENT_READ | selectors.EVENT_WRITE, c)
    active = n_conns
    while active and time.monotonic() < deadline:
        for key, ev in sel.select(timeout=0.5):
            c = key.data
            s = c["sock"]
            try:
                if ev & selectors.EVENT_WRITE and not c["wdone"]:
                    if not c["pending"]:
                        c["pending"] = next(c["gen"], b"")
                        c["sent"].update(c["pending"])
                    if c["pending"]:
                        k = s.send(c["pending"])
                        c["nsent"] += k
                        c["pending"] = c["pending"][k:]
                    if not c["pending"] and c["nsent"] == nbytes:
                        s.shutdown(socket.SHUT_WR)
                        c["wdone"] = True
                        sel.modify(s, selectors.EVENT_READ, c)
                if ev & selectors.EVENT_READ:
                    data = s.recv(CHUNK)
                    if data:
                        c["got"].update(data)
                        c["ngot"] += len(data)
                    else:
                        c["eof"] = True
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as e:
                c["error"] = repr(e)
                c["eof"] = True
            if c["eof"]:
                sel.unregister(s)
                s.close()
                active -= 1
    problems = []
    ok = 0
    for c in conns:
        if not c["eof"]:
            problems.append("conn %d: unfinished (sent %d, got %d)"
                            % (c["i"], c["nsent"], c["ngot"]))
            try:
                sel.unregister(c["sock"])
            except (KeyError, ValueError):
                pass
            c["sock"].close()
        elif c["error"]:
            problems.append("conn %d: %s" % (c["i"], c["error"]))
        elif c["ngot"] != nbytes or c["got"].hexdigest() != c["sent"].hexdigest():
            problems.append("conn %d: sent %d got %d, hashes %s"
                            % (c["i"], c["nsent"], c["ngot"],
                               "equal" if c["got"].digest() == c["sent"].digest()
                               else "differ"))
        else:
            ok += 1
    sel.close()
    return ok, problems


# --- remote forwarding and policy helpers --------------------------------------

# The address:port burrowd logs as target of a forwarded-tcpip connection: the
# listener as bound.  A -R without a bind address (or "localhost") binds the
# loopback addresses; the originators here connect to 127.0.0.1, so the
# listener that accepted is 127.0.0.1 ("localhost" is accepted as well).
def listener_rx(port):
    return r"(?:127\.0\.0\.1|localhost):%d" % port


def refused_rx(h, kind, target, rule, key=None, target_rx=None):
    """Regex for burrowd's refusal line; kind "direct-tcpip" or "tcpip-forward"."""
    return (r'refused: %s user=%s key=%s client=127\.0\.0\.1:\d+ target=%s rule="%s"$'
            % (re.escape(kind), re.escape(sshutil.USER),
               re.escape(fingerprint(key or h.keys.user_key)),
               target_rx if target_rx is not None else re.escape(target),
               re.escape(rule)))


def wait_log_since(srv, mark, pattern, timeout=5.0):
    """Wait until the server's log after offset mark matches pattern (re.M)."""
    rx = re.compile(pattern, re.M)
    deadline = time.monotonic() + timeout
    while True:
        m = rx.search(srv.log_text()[mark:])
        if m or time.monotonic() >= deadline:
            return m
        time.sleep(0.1)


def wait_unlisten(port, timeout=10.0):
    """Wait until nothing listens on port; returns the seconds it took or None."""
    start = time.monotonic()
    while True:
        if not listening(port):
            return time.monotonic() - start
        if time.monotonic() - start >= timeout:
            return None
        time.sleep(0.01)


def roundtrip(port, nbytes=64 << 10, host=HOST, timeout=30.0):
    """Send nbytes to a h_sink_hash target through port; True if the target's
    SHA-256 line came back."""
    payload = os.urandom(nbytes)
    s = socket.create_connection((host, port), timeout=10)
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + timeout)
    finally:
        s.close()
    return reply == (hashlib.sha256(payload).hexdigest() + "\n").encode()


def expect_eof(port, host=HOST, timeout=15.0):
    """Connect and read: b"" for a clean EOF, "refused"/"reset"/"timeout"/data."""
    try:
        s = socket.create_connection((host, port), timeout=10)
    except ConnectionRefusedError:
        return "refused"
    try:
        s.settimeout(timeout)
        return s.recv(4096)
    except socket.timeout:
        return "timeout"
    except ConnectionResetError:
        return "reset"
    finally:
        s.close()


def duplex(sock, nbytes, timeout):
    """Send nbytes (then shut down writing) while reading to EOF, in parallel.
    Returns (sha sent, sha received, bytes received, error or None)."""
    got = hashlib.sha256()
    state = {"n": 0, "error": None}

    def reader():
        try:
            state["n"], _ = recv_all(sock, time.monotonic() + timeout, got)
        except Exception as e:  # reported to the caller
            state["error"] = repr(e)

    rt = threading.Thread(target=reader, daemon=True)
    rt.start()
    sent = hashlib.sha256()
    try:
        send_random(sock, nbytes, sent)
        sock.shutdown(socket.SHUT_WR)
    except OSError as e:
        state["error"] = "send: %r" % e
    rt.join(timeout)
    if rt.is_alive():
        state["error"] = state["error"] or "no EOF in time"
    return sent.hexdigest(), got.hexdigest(), state["n"], state["error"]


DUPLEX_BYTES = 256 << 20


def h_duplex(conn, peer, t):
    """Send DUPLEX_BYTES random bytes while reading to EOF (both at once)."""
    sent, got, n, err = duplex(conn, t.duplex_bytes if hasattr(t, "duplex_bytes")
                               else DUPLEX_BYTES, t.timeout)
    if err:
        return {"error": err, "n": n}
    return {"n": n, "sha": got, "reply_sha": sent}
