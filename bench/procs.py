"""Processes, ports and /proc readings for bench/run.py (stdlib only).

Every process is started in its own session and remembered, so that kill_all()
(called from a finally block, atexit and the signal handlers) leaves nothing
behind. Every wait has a deadline.
"""

import os
import signal
import socket
import subprocess
import time

HOST = "127.0.0.1"
CLK_TCK = os.sysconf("SC_CLK_TCK")

_procs = []


class BenchError(Exception):
    """A measurement that could not be made; the text goes into the table."""


def spawn(argv, log=None, stdout=None, stdin=subprocess.DEVNULL):
    """Start argv in a new session; stderr (and stdout unless given) to log."""
    lf = open(log, "ab") if log else subprocess.DEVNULL
    try:
        if log:
            lf.write(("### %s\n" % " ".join(map(str, argv))).encode())
            lf.flush()
        p = subprocess.Popen([str(a) for a in argv], stdin=stdin,
                             stdout=stdout if stdout is not None else lf,
                             stderr=lf, start_new_session=True)
    finally:
        if log:
            lf.close()
    _procs.append(p)
    return p


def kill(p, grace=2.0):
    """SIGTERM the process group of p, then SIGKILL what is left."""
    if p is None:
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, grace)):
        try:
            os.killpg(p.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue
    if p in _procs:
        _procs.remove(p)
    for f in (p.stdout, p.stdin):
        if f:
            try:
                f.close()
            except OSError:
                pass


def kill_all():
    for p in list(reversed(_procs)):
        kill(p, grace=1.0)


def read_port_line(p, timeout=10.0):
    """The tools print "port N" once listening; return N."""
    deadline = time.monotonic() + timeout
    line = b""
    fd = p.stdout.fileno()
    os.set_blocking(fd, False)
    while time.monotonic() < deadline:
        try:
            chunk = os.read(fd, 256)
        except BlockingIOError:
            chunk = None
        if chunk:
            line += chunk
            if b"\n" in line:
                return int(line.split()[1])
        elif chunk == b"" or p.poll() is not None:
            break
        time.sleep(0.01)
    raise BenchError("helper %s did not report its port" % p.args[0])


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _listening_ports():
    ports = set()
    for path in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(path) as f:
                next(f)
                for line in f:
                    fl = line.split()
                    if fl[3] == "0A":
                        ports.add(int(fl[1].rsplit(":", 1)[1], 16))
        except OSError:
            pass
    return ports


def wait_listen(port, proc, timeout=15.0, what="process"):
    """Wait for a LISTEN socket on port without connecting to it (a probe
    connection would open a forwarded channel)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port in _listening_ports():
            return
        if proc is not None and proc.poll() is not None:
            raise BenchError("%s exited with status %s before listening"
                             % (what, proc.returncode))
        time.sleep(0.01)
    raise BenchError("%s not listening on port %d after %.0f s"
                     % (what, port, timeout))


def _stat(pid):
    """(ppid, utime+stime ticks) from /proc/PID/stat, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            s = f.read()
    except OSError:
        return None
    fl = s[s.rindex(")") + 2:].split()
    return int(fl[1]), int(fl[11]) + int(fl[12])


def tree(pid):
    """pid and all its descendants (one /proc scan)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            st = _stat(int(d))
            if st:
                parent[int(d)] = st[0]
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        if p in parent or p == pid:
            out.append(p)
            todo.extend(c for c, pp in parent.items() if pp == p)
    return out


def cpu_ticks(pid):
    """{pid: ticks} for the tree of pid."""
    out = {}
    for p in tree(pid):
        st = _stat(p)
        if st:
            out[p] = st[1]
    return out


def cpu_delta(before, after):
    """CPU seconds spent between two cpu_ticks() readings; a process that
    appeared in between counts whole, one that vanished is lost (rare here:
    the tunnels stay up while measured)."""
    t = sum(v - before.get(p, 0) for p, v in after.items())
    return t / CLK_TCK


def rss_kib(pid):
    """Sum of VmRSS (KiB) over the tree of pid; also the process count."""
    total, n = 0, 0
    for p in tree(pid):
        try:
            with open("/proc/%d/status" % p) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        n += 1
                        break
        except OSError:
            pass
    return total, n
