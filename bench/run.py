#!/usr/bin/python3
"""`make bench`: burrow and OpenSSH side by side on loopback.

For each pairing (burrow/burrowd, burrow/sshd, ssh/burrowd, ssh/sshd) a server
on a free loopback port and `-N -L` clients measure: one stream per cipher,
the same through a +50 ms RTT relay, HTTP through one forward (wrk), time to
the first forwarded byte and to a finished remote `true`, memory idle and per
idle forwarded connection, CPU per GB. Prints the tables and writes them into
docs/performance.md (between markers; the prose around them is kept) and the
raw numbers into BUILD/bench-results.json.

Environment:
  BENCH_QUICK=1        about a minute: 1 run, short transfers, fewer connections
  BENCH_RUNS=N         runs per figure (default 3)
  BENCH_PAIRINGS=a,b   subset, e.g. burrow/burrowd,ssh/sshd
  BENCH_FIGURES=a,b    subset of: stream,delay,http,start,mem (cpu rides on stream)
  BENCH_BUILD=dir      build directory (default build-bench, release)
  BENCH_OUT=path       where the tables go (default docs/performance.md; "-": nowhere)
  BENCH_KEEP=1         keep the temporary directory (keys, configs, server/client logs)
"""

import atexit
import json
import os
import pwd
import re
import resource
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import procs  # noqa: E402
import report  # noqa: E402
from procs import BenchError, HOST  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("BENCH_QUICK") == "1"
RUNS = int(os.environ.get("BENCH_RUNS", "1" if QUICK else "3"))
BUILD = Path(os.environ.get("BENCH_BUILD", str(REPO / "build-bench"))).resolve()
OUT = os.environ.get("BENCH_OUT", str(REPO / "docs" / "performance.md"))
SSH = "/usr/bin/ssh"
SSHD = "/usr/sbin/sshd"  # sshd wants an absolute path
USER = pwd.getpwuid(os.getuid()).pw_name

CIPHERS = ["aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
           "chacha20-poly1305@openssh.com"]
CTR = "aes128-ctr"
CTR_MAC = "hmac-sha2-256-etm@openssh.com"
PAIRINGS = [("burrow", "burrowd"), ("burrow", "sshd"), ("ssh", "burrowd"), ("ssh", "sshd")]

STREAM_BYTES = (256 if QUICK else 1024) << 20
STREAM_MAX_S = 3.0 if QUICK else 6.0
DELAY_S = 2.0 if QUICK else 5.0
WRK_S = 1 if QUICK else 3
IDLE_COUNTS = (200, 1000) if QUICK else (1000, 10000)
HTTP_CONNS = (50, 2000)

GET = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
BODY_END = b"hello, world\n"


def pname(p):
    return "%s/%s" % p


class Ctx:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="burrow-bench."))
        self.res = report.Results()
        self.tool = {t: BUILD / "bench" / t for t in ("bench_stream", "delay_relay", "bench_http")}
        self.n = 0

    def sub(self, name):
        self.n += 1
        d = self.dir / ("%s%d" % (name, self.n))
        d.mkdir()
        return d


# --- setup ------------------------------------------------------------------

def build():
    if not (BUILD / "build.ninja").exists():
        subprocess.run(["meson", "setup", str(BUILD), "--buildtype=release"],
                       cwd=REPO, check=True, timeout=600)
    subprocess.run(["ninja", "-C", str(BUILD), "burrow", "burrowd", "bench/bench_stream",
                    "bench/delay_relay", "bench/bench_http"], check=True, timeout=900)


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "burrow-bench",
                    "-f", str(path)], check=True, timeout=30, stdin=subprocess.DEVNULL)


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def start_helper(ctx, name, *args):
    p = procs.spawn([ctx.tool[name]] + [str(a) for a in args],
                    log=ctx.dir / ("%s.log" % name), stdout=subprocess.PIPE)
    return p, procs.read_port_line(p)


class Server:
    def __init__(self, ctx, kind):
        self.ctx, self.kind = ctx, kind
        self.dir = ctx.sub(kind)
        self.log = self.dir / "server.log"
        self.port = procs.free_port()
        if kind == "sshd":
            os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
            cfg = self.dir / "sshd_config"
            cfg.write_text("\n".join([
                "HostKey %s" % ctx.hostkey, "AuthorizedKeysFile %s" % ctx.authkeys,
                "PidFile %s" % (self.dir / "pid"), "StrictModes no", "UsePAM no",
                "ListenAddress %s" % HOST, "Port %d" % self.port,
                "PasswordAuthentication no", "KbdInteractiveAuthentication no",
                "Ciphers %s" % ",".join(CIPHERS + [CTR]), "MaxStartups 200:30:400",
            ]) + "\n")
            argv = [SSHD, "-D", "-e", "-f", str(cfg)]
        else:
            argv = [BUILD / "burrowd", "-D", "-e", "-p", str(self.port),
                    "-h", self.dir / "hostkey", "-o", "ListenAddress=%s" % HOST,
                    "-o", "AuthorizedKeysFile=%s" % ctx.authkeys,
                    "-o", "PidFile=%s" % (self.dir / "pid")]
        self.proc = procs.spawn(argv, log=self.log)
        procs.wait_listen(self.port, self.proc, 15, kind)

    def stop(self):
        procs.kill(self.proc)


def client_argv(ctx, kind, port, cipher=None, opts=(), command=None, mac=None):
    argv = [SSH if kind == "ssh" else BUILD / "burrow", "-F", "/dev/null",
            "-p", str(port), "-i", ctx.userkey, "-o", "BatchMode=yes",
            "-o", "UserKnownHostsFile=%s" % (ctx.dir / "known_hosts"),
            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "ExitOnForwardFailure=yes"]
    if cipher:
        argv += ["-o", "Ciphers=%s" % cipher]
    if mac:
        argv += ["-o", "MACs=%s" % mac]
    argv += list(opts) + ["%s@%s" % (USER, HOST)]
    if command:
        argv.append(command)
    return [str(a) for a in argv]


class Tunnel:
    """A `client -N -L lport:127.0.0.1:target` to a server, up and listening."""

    def __init__(self, ctx, kind, port, target, cipher=None, mac=None):
        self.lport = procs.free_port()
        self.log = ctx.sub("client") / "client.log"
        self.proc = procs.spawn(client_argv(ctx, kind, port, cipher, mac=mac, opts=[
            "-N", "-L", "%d:%s:%d" % (self.lport, HOST, target)]), log=self.log)
        try:
            procs.wait_listen(self.lport, self.proc, 20, "%s -L" % kind)
        except BenchError as e:
            self.stop()
            raise BenchError("%s; client log: %s" % (e, tail(self.log)))

    def stop(self):
        procs.kill(self.proc)


def tail(path, n=3):
    try:
        lines = [ln for ln in Path(path).read_text(errors="replace").splitlines()
                 if not ln.startswith("###")]
    except OSError:
        return "<none>"
    return " / ".join(lines[-n:])


# --- a, f: one stream, CPU per GB ------------------------------------------

def send_stream(ctx, port, nbytes, max_s):
    r = subprocess.run([str(ctx.tool["bench_stream"]), "send", str(port), str(nbytes),
                        str(max_s)], capture_output=True, text=True, timeout=max_s + 60)
    m = re.search(r"bytes=(\d+) seconds=([\d.]+) mbps=([\d.]+) result=(\w+)", r.stdout)
    if r.returncode != 0 or not m or m.group(4) != "OK":
        raise BenchError("stream broken: %s %s" % (r.stdout.strip(), r.stderr.strip()))
    return int(m.group(1)), float(m.group(2)), float(m.group(3))


def bench_stream(ctx, pairing, srv, ciphers):
    res, col = ctx.res, pname(pairing)
    for cipher, mac in ciphers:
        row = cipher.split("@")[0] + ("+" + mac.split("@")[0] if mac else "")
        try:
            tun = Tunnel(ctx, pairing[0], srv.port, ctx.sink_port, cipher, mac)
        except BenchError as e:
            res.fail("stream", row, col, e)
            res.fail("cpu", row + ", client", col, "no tunnel")
            res.fail("cpu", row + ", server", col, "no tunnel")
            continue
        try:
            for _ in range(RUNS):
                c0, s0 = procs.cpu_ticks(tun.proc.pid), procs.cpu_ticks(srv.proc.pid)
                nb, _secs, mbps = send_stream(ctx, tun.lport, STREAM_BYTES, STREAM_MAX_S)
                c1, s1 = procs.cpu_ticks(tun.proc.pid), procs.cpu_ticks(srv.proc.pid)
                res.add("stream", row, col, mbps)
                gb = nb / 1e9
                res.add("cpu", row + ", client", col, procs.cpu_delta(c0, c1) / gb)
                res.add("cpu", row + ", server", col, procs.cpu_delta(s0, s1) / gb)
        except (BenchError, subprocess.TimeoutExpired) as e:
            res.fail("stream", row, col, e)
        finally:
            tun.stop()


def bench_stream_direct(ctx, ciphers):
    for cipher, mac in ciphers:
        row = cipher.split("@")[0] + ("+" + mac.split("@")[0] if mac else "")
        for _ in range(RUNS):
            ctx.res.add("stream", row, "direct", send_stream(ctx, ctx.sink_port,
                                                             STREAM_BYTES, STREAM_MAX_S)[2])


# --- b: the same through +50 ms RTT ----------------------------------------

def bench_delay(ctx, pairing, srv):
    res, col = ctx.res, pname(pairing)
    row = "aes128-gcm, +50 ms RTT, %.0f s" % DELAY_S
    relay = None
    try:
        relay, rport = start_helper(ctx, "delay_relay", 0, srv.port, 25)
        tun = Tunnel(ctx, pairing[0], rport, ctx.sink_port, CIPHERS[0])
        try:
            for _ in range(RUNS):
                res.add("delay", row, col, send_stream(ctx, tun.lport, 1 << 40, DELAY_S)[2])
        finally:
            tun.stop()
    except (BenchError, subprocess.TimeoutExpired) as e:
        res.fail("delay", row, col, e)
    finally:
        procs.kill(relay)


def bench_delay_direct(ctx):
    relay, rport = start_helper(ctx, "delay_relay", 0, ctx.sink_port, 25)
    try:
        for _ in range(RUNS):
            ctx.res.add("delay", "aes128-gcm, +50 ms RTT, %.0f s" % DELAY_S, "direct",
                        send_stream(ctx, rport, 1 << 40, DELAY_S)[2])
    finally:
        procs.kill(relay)


# --- c: HTTP through one forward (wrk) -------------------------------------

def to_ms(v, unit):
    return float(v) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]


def wrk(port, conns, close=False):
    argv = ["wrk", "-t2", "-c%d" % conns, "-d%ds" % WRK_S, "--latency", "--timeout", "5s"]
    if close:
        argv += ["-H", "Connection: close"]
    argv.append("http://%s:%d/" % (HOST, port))
    r = subprocess.run(argv, capture_output=True, text=True, timeout=WRK_S + 60)
    rps = re.search(r"Requests/sec:\s*([\d.]+)", r.stdout)
    p99 = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", r.stdout, re.M)
    if r.returncode != 0 or not rps:
        raise BenchError("wrk: %s %s" % (r.stdout[-300:], r.stderr[-300:]))
    errs = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                     r.stdout)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", r.stdout)
    nerr = sum(int(x) for x in errs.groups()) if errs else 0
    if non2xx:
        nerr += int(non2xx.group(1))
    return float(rps.group(1)), (to_ms(*p99.groups()) if p99 else None), nerr


def http_rows(ctx, col, port):
    res = ctx.res
    for conns in HTTP_CONNS:
        try:
            for _ in range(RUNS):
                rps, p99, nerr = wrk(port, conns)
                res.add("http", "req/s, %d keep-alive conns" % conns, col, rps)
                if p99 is not None:
                    res.add("http", "p99 ms, %d keep-alive conns" % conns, col, p99)
                res.add("http", "errors, %d keep-alive conns" % conns, col, nerr)
        except (BenchError, subprocess.TimeoutExpired) as e:
            res.fail("http", "req/s, %d keep-alive conns" % conns, col, e)
    try:
        for _ in range(RUNS):
            rps, p99, nerr = wrk(port, 50, close=True)
            res.add("http", "new conn/s (1 request each, 50 at once)", col, rps)
            res.add("http", "errors, new conns", col, nerr)
    except (BenchError, subprocess.TimeoutExpired) as e:
        res.fail("http", "new conn/s (1 request each, 50 at once)", col, e)


def bench_http(ctx, pairing, srv):
    try:
        tun = Tunnel(ctx, pairing[0], srv.port, ctx.http_port, CIPHERS[0])
    except BenchError as e:
        ctx.res.fail("http", "req/s, %d keep-alive conns" % HTTP_CONNS[0], pname(pairing), e)
        return
    try:
        http_rows(ctx, pname(pairing), tun.lport)
    finally:
        tun.stop()


# --- d: start-up ------------------------------------------------------------

def first_byte(port, proc, t0, timeout=20.0):
    """Connect to port until the forward is there, send a request, return the
    seconds from t0 to the first answer byte."""
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError("client exited with status %s" % proc.returncode)
        try:
            s = socket.create_connection((HOST, port), timeout=2)
        except OSError:
            time.sleep(0.002)
            continue
        with s:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                s.sendall(GET)
                if s.recv(1):
                    return time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.002)  # a listener before the channel works: retry
    raise BenchError("no forwarded byte within %.0f s" % timeout)


def bench_start(ctx, pairing, srv):
    res, col = ctx.res, pname(pairing)
    row = "start to first forwarded byte"
    try:
        for _ in range(RUNS):
            lport = procs.free_port()
            log = ctx.sub("client") / "client.log"
            t0 = time.monotonic()
            p = procs.spawn(client_argv(ctx, pairing[0], srv.port, opts=[
                "-N", "-L", "%d:%s:%d" % (lport, HOST, ctx.http_port)]), log=log)
            try:
                res.add("start", row, col, first_byte(lport, p, t0) * 1e3)
            except BenchError as e:
                raise BenchError("%s; client log: %s" % (e, tail(log)))
            finally:
                procs.kill(p)
    except BenchError as e:
        res.fail("start", row, col, e)
    row = "remote `true`"
    try:
        for _ in range(RUNS):
            t0 = time.monotonic()
            r = subprocess.run(client_argv(ctx, pairing[0], srv.port, command="true"),
                               capture_output=True, text=True, timeout=30,
                               stdin=subprocess.DEVNULL)
            t = time.monotonic() - t0
            if r.returncode != 0:
                raise BenchError("exit %d: %s" % (r.returncode, r.stderr.strip()[-200:]))
            res.add("start", row, col, t * 1e3)
    except (BenchError, subprocess.TimeoutExpired) as e:
        res.fail("start", row, col, e)


# --- e: memory --------------------------------------------------------------

def open_idle(port, socks, n, timeout=90.0):
    """Grow socks to n connections through port, each having had one answered
    request (so its channel is open end to end). Raises if some fail."""
    sel = selectors.DefaultSelector()
    pending = {}
    deadline = time.monotonic() + timeout
    want = n - len(socks)
    started = 0
    failed = 0
    try:
        while (started < want or pending) and time.monotonic() < deadline:
            # below the 128 backlog of `ssh -L`, whose overflow resets connections
            while started < want and len(pending) < 100:
                s = socket.socket()
                s.setblocking(False)
                s.connect_ex((HOST, port))
                sel.register(s, selectors.EVENT_WRITE)
                pending[s] = b""
                started += 1
            for key, ev in sel.select(timeout=1.0):
                s = key.fileobj
                if ev & selectors.EVENT_WRITE:
                    try:
                        s.send(GET)
                    except OSError:
                        failed += 1
                        sel.unregister(s)
                        del pending[s]
                        s.close()
                        continue
                    sel.modify(s, selectors.EVENT_READ)
                    continue
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    failed += 1
                    sel.unregister(s)
                    del pending[s]
                    s.close()
                    continue
                pending[s] += data
                if pending[s].endswith(BODY_END):
                    sel.unregister(s)
                    del pending[s]
                    socks.append(s)
    finally:
        for s in pending:
            s.close()
        sel.close()
    if len(socks) < n:
        raise BenchError("only %d of %d idle connections answered (%d refused/closed)"
                         % (len(socks), n, failed))


def bench_mem(ctx, pairing, srv):
    res, col = ctx.res, pname(pairing)
    # A target of its own: the HTTP tests leave tens of thousands of TIME_WAIT
    # sockets towards the shared one, enough to run out of ephemeral ports.
    http, http_port = start_helper(ctx, "bench_http", 0)
    try:
        for run in range(RUNS):
            if not mem_run(ctx, pairing, srv, http_port, run):
                break
    finally:
        procs.kill(http)


def mem_run(ctx, pairing, srv, http_port, run):
    """One ramp; the largest count only in the first run (it takes long with
    OpenSSH and varies by well under 1%)."""
    res, col = ctx.res, pname(pairing)
    counts = IDLE_COUNTS if run == 0 else IDLE_COUNTS[:-1]
    try:
        tun = Tunnel(ctx, pairing[0], srv.port, http_port, CIPHERS[0])
    except BenchError as e:
        res.fail("mem", "client idle", col, e)
        return False
    socks = []
    try:
        time.sleep(0.3)
        c0, _ = procs.rss_kib(tun.proc.pid)
        s0, _ = procs.rss_kib(srv.proc.pid)
        res.add("mem", "client idle", col, c0)
        res.add("mem", "server idle (with the one tunnel)", col, s0)
        for n in counts:
            try:
                open_idle(tun.lport, socks, n)
                time.sleep(0.3)
                c1, _ = procs.rss_kib(tun.proc.pid)
                s1, _ = procs.rss_kib(srv.proc.pid)
                res.add("mem", "client per conn @%d" % n, col, (c1 - c0) / n)
                res.add("mem", "server per conn @%d" % n, col, (s1 - s0) / n)
                res.add("mem", "total per conn @%d" % n, col, (c1 + s1 - c0 - s0) / n)
            except BenchError as e:
                res.fail("mem", "total per conn @%d" % n, col, e)
                break
    finally:
        for s in socks:
            s.close()
        tun.stop()
        time.sleep(0.5)  # let the server reap its side
    return True


# --- main -------------------------------------------------------------------

def probe_ctr(ctx):
    """Does burrow speak aes128-ctr + hmac-sha2-256-etm (both ways)?"""
    srv = Server(ctx, "burrowd")
    try:
        r = subprocess.run(client_argv(ctx, "burrow", srv.port, CTR, mac=CTR_MAC,
                                       command="true"), capture_output=True, text=True,
                           timeout=30, stdin=subprocess.DEVNULL)
        return r.returncode == 0, r.stderr.strip()[-200:]
    finally:
        srv.stop()


def openssl_speed(ctx):
    """The cipher's own limit on this machine, one core, 16 KiB blocks."""
    names = {"aes128-gcm": "aes-128-gcm", "aes256-gcm": "aes-256-gcm",
             "chacha20-poly1305": "chacha20-poly1305"}
    for row, evp in names.items():
        try:
            r = subprocess.run(["openssl", "speed", "-evp", evp, "-bytes", "16384",
                                "-seconds", "1"], capture_output=True, text=True, timeout=30)
            m = re.search(r"^%s\s+([\d.]+)k\s*$" % re.escape(evp), r.stdout, re.M | re.I)
            if m:
                ctx.res.add("stream", row, "openssl speed (1 core)", float(m.group(1)) * 1e3 / 1e6)
        except (OSError, subprocess.SubprocessError):
            pass


def declare_figures(res, figures):
    """Every table, in the order printed; titles and notes in one place."""
    if "stream" in figures:
        res.figure("stream", "One TCP stream through -L, MB/s (higher is better)", "high",
                   "%d MiB per run (or %.0f s), client -> server, every byte checked. "
                   "\"openssl speed\": the cipher alone on one core, 16 KiB blocks."
                   % (STREAM_BYTES >> 20, STREAM_MAX_S))
        res.figure("cpu", "CPU seconds per GB moved during the stream runs "
                   "(lower is better)", "low",
                   "utime+stime from /proc/PID/stat of the client process tree and the "
                   "server process tree around each stream run.")
    if "delay" in figures:
        res.figure("delay", "One stream through a relay adding 50 ms RTT between client "
                   "and server, MB/s (higher is better)", "high",
                   "bench/delay_relay holds each chunk 25 ms each way, unlimited "
                   "bandwidth; %.0f s per run." % DELAY_S)
    if "http" in figures:
        res.figure("http", "HTTP through one forward (wrk -t2, %d s per run, 13-byte answers)"
                   % WRK_S, "high", "req/s and conn/s: higher is better; p99 and errors "
                   "(connect+read+write+timeout+non-2xx per run): lower is better.")
    if "start" in figures:
        res.figure("start", "Start-up, ms (lower is better)", "low",
                   "First byte: from spawning `client -N -L` to the first answer byte of "
                   "an HTTP request through the forward. Remote true: wall time of "
                   "`client host true`.")
    if "mem" in figures:
        res.figure("mem", "Resident memory, KiB (lower is better)", "low",
                   "Sum of VmRSS over the client process tree and the server process "
                   "tree (sshd: listener plus per-connection children). Per connection: "
                   "(RSS with N idle forwarded connections - RSS idle) / N; each "
                   "connection made one HTTP request first. The %d-connection figure "
                   "is measured in the first run only." % IDLE_COUNTS[-1])


def main():
    figures = set((os.environ.get("BENCH_FIGURES") or
                   "stream,delay,http,start,mem").split(","))
    want = os.environ.get("BENCH_PAIRINGS")
    pairings = [p for p in PAIRINGS if not want or pname(p) in want.split(",")]
    t_start = time.monotonic()
    build()
    nofile = raise_nofile()
    ctx = Ctx()
    keygen(ctx.dir / "id")
    keygen(ctx.dir / "hostkey")
    ctx.userkey, ctx.hostkey = ctx.dir / "id", ctx.dir / "hostkey"
    ctx.authkeys = ctx.dir / "authorized_keys"
    ctx.authkeys.write_text((ctx.dir / "id.pub").read_text())
    os.chmod(ctx.authkeys, 0o600)
    _, ctx.sink_port = start_helper(ctx, "bench_stream", "sink", 0)
    _, ctx.http_port = start_helper(ctx, "bench_http", 0)
    res = ctx.res
    declare_figures(res, figures)
    if nofile < IDLE_COUNTS[-1] + 100:
        res.notes.append("RLIMIT_NOFILE hard limit is %d: the %d-connection memory "
                         "figure may fail" % (nofile, IDLE_COUNTS[-1]))

    ciphers = [(c, None) for c in CIPHERS]
    try:
        ok, why = probe_ctr(ctx)
    except (BenchError, subprocess.TimeoutExpired) as e:
        ok, why = False, str(e)
    if ok:
        ciphers.append((CTR, CTR_MAC))
    else:
        res.notes.append("aes128-ctr + hmac-sha2-256-etm skipped: burrow does not "
                         "negotiate it yet (%s)" % report.one_line(why, 100))

    # Baselines without a tunnel: the machine's own limits.
    if "stream" in figures:
        bench_stream_direct(ctx, ciphers)
        openssl_speed(ctx)
    if "delay" in figures:
        bench_delay_direct(ctx)
    if "http" in figures:
        http_rows(ctx, "direct", ctx.http_port)

    for pairing in pairings:
        print("bench: %s ..." % pname(pairing), file=sys.stderr, flush=True)
        try:
            srv = Server(ctx, pairing[1])
        except BenchError as e:
            for f in res.order:
                res.fail(f, "server start", pname(pairing), e)
            continue
        try:
            steps = [("start", bench_start), ("stream", lambda c, p, s: bench_stream(c, p, s, ciphers)),
                     ("delay", bench_delay), ("http", bench_http), ("mem", bench_mem)]
            for name, fn in steps:
                if name in figures:
                    t = time.monotonic()
                    fn(ctx, pairing, srv)
                    print("bench:   %s %.0f s" % (name, time.monotonic() - t),
                          file=sys.stderr, flush=True)
        finally:
            srv.stop()

    settings = ("%d run(s) per figure%s; stream %d MiB (max %.0f s); delay %.0f s; wrk %d s; "
                "idle connections %s; total %.0f s" % (
                    RUNS, ", BENCH_QUICK" if QUICK else "", STREAM_BYTES >> 20, STREAM_MAX_S,
                    DELAY_S, WRK_S, "/".join(map(str, IDLE_COUNTS)),
                    time.monotonic() - t_start))
    text = report.render(res, settings)
    print(text)
    with open(BUILD / "bench-results.json", "w") as f:
        json.dump(res.as_json(), f, indent=1)
    if OUT != "-":
        report.write_doc(OUT, text, SKELETON)
        print("bench: tables written to %s" % OUT, file=sys.stderr)
    procs.kill_all()
    if os.environ.get("BENCH_KEEP") == "1":
        print("bench: logs kept in %s" % ctx.dir, file=sys.stderr)
    else:
        shutil.rmtree(ctx.dir, ignore_errors=True)


SKELETON = """# Performance

How fast burrow forwards compared with OpenSSH on the same machine, and where
the time goes. The tables below are rewritten by `make bench` (bench/run.py);
everything outside the marked block is kept.
"""


def _on_signal(signum, _frame):
    procs.kill_all()
    sys.exit(128 + signum)


if __name__ == "__main__":
    atexit.register(procs.kill_all)
    for _s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(_s, _on_signal)
    try:
        main()
    finally:
        procs.kill_all()
