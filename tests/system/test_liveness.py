"""Liveness (issue 8): ServerAliveInterval/CountMax on burrow and
ClientAliveInterval/CountMax on burrowd.

A peer that stops answering (SIGSTOP: the kernel still ACKs, so nothing
reaches the application and nothing is reset) or whose link goes down
silently (network namespaces, as root) is detected within
interval x count + 1 s, with OpenSSH's words.
"""

import os
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

import sshutil
from fwdutil import start_forward
from sshutil import BURROW, BURROWD, HOST, USER, diag, free_port, tail

SERVERS = ["burrowd", "sshd"]


def descendants(pid):
    """pid and every process below it (sshd's connection children leave its group)."""
    children = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(d.name))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def signal_tree(pid, sig):
    for p in descendants(pid):
        try:
            os.kill(p, sig)
        except ProcessLookupError:
            pass


def wait_exit(proc, timeout):
    """Seconds until proc exited (None if it did not within timeout)."""
    start = time.monotonic()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    return time.monotonic() - start


@pytest.mark.parametrize("server", SERVERS)
def test_server_alive_detects_stopped_server(h, server):
    """burrow: ServerAliveInterval 1, CountMax 2; the server freezes -> exit 255 within 3 s."""
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, "burrow", srv, ["%d:127.0.0.1:9" % lport], wait_tcp=[lport],
                       extra=["ServerAliveInterval=1", "ServerAliveCountMax=2"])
    # Probes are answered: after several intervals the tunnel is still up.
    time.sleep(3.5)
    assert fw.proc.poll() is None, fw.diag()
    signal_tree(srv.proc.pid, signal.SIGSTOP)
    try:
        took = wait_exit(fw.proc, 10)
    finally:
        signal_tree(srv.proc.pid, signal.SIGCONT)
    assert took is not None, fw.diag()
    assert fw.proc.returncode == 255, fw.diag()
    assert "Timeout, server %s not responding." % HOST in fw.err(), fw.diag()
    # Dead within interval x count + 1 s of the freeze, and not before a probe went unanswered.
    assert 1.0 - 0.3 <= took <= 2 * 1 + 1, "took %.2f s\n%s" % (took, fw.diag())


@pytest.mark.parametrize("server", SERVERS)
def test_server_alive_count_one_stays_up(h, server):
    """ServerAliveCountMax 1 on an idle, healthy connection: never a false timeout."""
    srv = h.server(server)
    lport = free_port()
    fw = start_forward(h, "burrow", srv, ["%d:127.0.0.1:9" % lport], wait_tcp=[lport],
                       extra=["ServerAliveInterval=1", "ServerAliveCountMax=1"])
    time.sleep(4.5)
    assert fw.proc.poll() is None, fw.diag()
    assert "Timeout" not in fw.err(), fw.diag()
    fw.stop()


@pytest.mark.parametrize("client", ["burrow", "ssh"])
def test_client_alive_detects_stopped_client(h, client):
    """burrowd: ClientAliveInterval 1, CountMax 2; the client freezes -> sshd's log line
    within 3 s, and the connection's process ends."""
    srv = h.server("burrowd", extra=["ClientAliveInterval=1", "ClientAliveCountMax=2"])
    lport = free_port()
    fw = start_forward(h, client, srv, ["%d:127.0.0.1:9" % lport], wait_tcp=[lport])
    time.sleep(3.5)  # probes answered: still connected
    assert fw.proc.poll() is None, fw.diag()
    assert "Timeout, client" not in srv.log_text(), diag(None, srv)
    children = [p for p in descendants(srv.proc.pid) if p != srv.proc.pid]
    assert children, diag(None, srv)
    fw.proc.send_signal(signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        m = srv.wait_log(r"Timeout, client not responding from user %s %s port (\d+)"
                         % (re.escape(USER), re.escape(HOST)), timeout=10)
        took = time.monotonic() - t0
        assert m is not None, diag(None, srv)
        assert took <= 2 * 1 + 1 + 0.2, "took %.2f s\n%s" % (took, diag(None, srv))
        # The connection's process is gone (the listener stays).
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(Path("/proc/%d" % p).exists() and
                                                  "Z" not in _state(p) for p in children):
            time.sleep(0.1)
        assert not any(Path("/proc/%d" % p).exists() and "Z" not in _state(p)
                       for p in children), diag(None, srv)
        assert srv.alive()
    finally:
        fw.proc.send_signal(signal.SIGCONT)


def _state(pid):
    try:
        return Path("/proc/%d/stat" % pid).read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


def test_client_alive_wording_matches_sshd(h):
    """sshd's own line for the same event, the reference for the wording above."""
    srv = h.server("sshd", extra=["ClientAliveInterval 1", "ClientAliveCountMax 1"])
    lport = free_port()
    fw = start_forward(h, "ssh", srv, ["%d:127.0.0.1:9" % lport], wait_tcp=[lport])
    fw.proc.send_signal(signal.SIGSTOP)
    try:
        m = srv.wait_log(r"Timeout, client not responding from user %s %s port \d+"
                         % (re.escape(USER), re.escape(HOST)), timeout=15)
        assert m is not None, diag(None, srv)
    finally:
        fw.proc.send_signal(signal.SIGCONT)


def test_client_alive_config(h, tmp_path):
    """sshd -T style dump and Match support for the two keywords."""
    sshutil.need(BURROWD)
    cfg = tmp_path / "c"
    cfg.write_text("ClientAliveInterval 1m\nMatch User nobody\n  ClientAliveCountMax 0\n")
    base = [str(BURROWD), "-f", str(cfg), "-h", str(tmp_path / "hk"), "-T"]
    out = subprocess.run(base, capture_output=True, text=True, timeout=30).stdout
    assert "clientaliveinterval 60\n" in out and "clientalivecountmax 3\n" in out, out
    out = subprocess.run(base + ["-C", "user=nobody,host=h,addr=127.0.0.1"],
                         capture_output=True, text=True, timeout=30).stdout
    assert "clientalivecountmax 0\n" in out, out
    cfg.write_text("ClientAliveCountMax -1\n")
    r = subprocess.run(base, capture_output=True, text=True, timeout=30)
    assert r.returncode != 0 and "invalid integer value" in r.stderr, r.stderr


# --- network namespaces: the link goes down without a word -----------------------------


def _ip(*args, check=True):
    return subprocess.run(["ip"] + list(args), capture_output=True, text=True, timeout=30,
                          check=check)


@pytest.fixture
def netns_pair():
    """Two namespaces joined by a veth pair: server 10.77.N.1, client 10.77.N.2."""
    if os.geteuid() != 0:
        pytest.skip("network namespaces need root")
    if not Path("/usr/sbin/ip").exists() and not Path("/sbin/ip").exists():
        pytest.skip("iproute2 (ip) is not installed")
    n = os.getpid() % 200 + 1
    ns_s, ns_c = "k2s%d" % os.getpid(), "k2c%d" % os.getpid()
    va, vb = "k2a%d" % os.getpid(), "k2b%d" % os.getpid()
    made = []
    try:
        for ns in (ns_s, ns_c):
            _ip("netns", "add", ns)
            made.append(ns)
        r = _ip("link", "add", va, "type", "veth", "peer", "name", vb, check=False)
        if r.returncode != 0:
            pytest.skip("cannot make a veth pair here: %s" % r.stderr.strip())
        _ip("link", "set", va, "netns", ns_s)
        _ip("link", "set", vb, "netns", ns_c)
        for ns, dev, addr in ((ns_s, va, "10.77.%d.1/24" % n), (ns_c, vb, "10.77.%d.2/24" % n)):
            _ip("-n", ns, "addr", "add", addr, "dev", dev)
            _ip("-n", ns, "link", "set", dev, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        yield {"ns_s": ns_s, "ns_c": ns_c, "va": va, "vb": vb,
               "addr_s": "10.77.%d.1" % n, "addr_c": "10.77.%d.2" % n}
    finally:
        for ns in made:
            _ip("netns", "del", ns, check=False)


def _listening_in(pid, port):
    try:
        lines = Path("/proc/%d/net/tcp" % pid).read_text().splitlines()[1:]
    except OSError:
        return False
    return any(int(f.split()[1].rsplit(":", 1)[1], 16) == port and f.split()[3] == "0A"
               for f in lines)


@pytest.mark.parametrize("how", ["link-down", "netem-loss"])
def test_silent_link_loss_detected_both_ends(h, netns_pair, how):
    sshutil.need(BURROW)
    sshutil.need(BURROWD)
    ns = netns_pair
    port = 2222
    sdir = h._subdir("nsd")
    slog = sdir / "server.log"
    sargv = ["ip", "netns", "exec", ns["ns_s"], str(BURROWD), "-D", "-e", "-p", str(port),
             "-h", str(sdir / "hostkey"), "-o", "ListenAddress=%s" % ns["addr_s"],
             "-o", "AuthorizedKeysFile=%s" % h.keys.authorized_keys,
             "-o", "StrictModes=no", "-o", "PidFile=%s" % (sdir / "pid"),
             "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
             "-o", "ClientAliveInterval=1", "-o", "ClientAliveCountMax=2"]
    with open(slog, "wb") as lf:
        sp = h.spawn(sargv, stdout=lf, stderr=lf)
    deadline = time.monotonic() + 15
    while not _listening_in(sp.pid, port):
        assert sp.poll() is None and time.monotonic() < deadline, tail(slog)
        time.sleep(0.05)
    lport = free_port()
    cerr = h._subdir("nsc") / "stderr"
    cargv = ["ip", "netns", "exec", ns["ns_c"], str(BURROW), "-F", "/dev/null",
             "-p", str(port), "-i", str(h.keys.user_key), "-o", "BatchMode=yes",
             "-o", "UserKnownHostsFile=%s" % h.known_hosts(), "-o", "GlobalKnownHostsFile=/dev/null",
             "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=accept-new",
             "-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=3",
             "-N", "-L", "%d:127.0.0.1:9" % lport, "%s@%s" % (USER, ns["addr_s"])]
    with open(cerr, "wb") as ef:
        cp = h.spawn(cargv, stdout=subprocess.DEVNULL, stderr=ef)
    deadline = time.monotonic() + 15
    while not _listening_in(cp.pid, lport):
        assert cp.poll() is None and time.monotonic() < deadline, \
            tail(cerr) + "\n" + tail(slog)
        time.sleep(0.05)
    time.sleep(2.5)  # keepalives go back and forth
    assert cp.poll() is None, tail(cerr)
    if how == "link-down":
        _ip("-n", ns["ns_s"], "link", "set", ns["va"], "down")
    else:
        # Both directions dropped, nothing reset: the server's egress and the client's.
        for n_, dev in ((ns["ns_s"], ns["va"]), (ns["ns_c"], ns["vb"])):
            r = subprocess.run(["ip", "netns", "exec", n_, "tc", "qdisc", "add", "dev", dev,
                                "root", "netem", "loss", "100%"], capture_output=True,
                               text=True, timeout=30)
            if r.returncode != 0:
                pytest.skip("tc netem unavailable: %s" % r.stderr.strip())
    t0 = time.monotonic()
    took = wait_exit(cp, 10)
    assert took is not None, tail(cerr)
    err = cerr.read_text(errors="replace")
    assert cp.returncode == 255, err
    assert "Timeout, server %s not responding." % ns["addr_s"] in err, err
    assert took <= 1 * 3 + 1, "client took %.2f s" % took
    rx = re.compile(r"Timeout, client not responding from user %s %s port \d+"
                    % (re.escape(USER), re.escape(ns["addr_c"])))
    while not rx.search(slog.read_text(errors="replace")) and time.monotonic() - t0 < 10:
        time.sleep(0.05)
    stook = time.monotonic() - t0
    assert rx.search(slog.read_text(errors="replace")), tail(slog)
    assert stook <= 1 * 2 + 1 + 0.2, "server took %.2f s" % stook
    assert sp.poll() is None  # the listener lives on
