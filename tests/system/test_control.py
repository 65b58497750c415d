"""Control socket (issue 8): -M / -S / ControlPersist and -O check, exit, stop,
forward, cancel, status [--json], metrics, against burrowd and sshd.

The counters of -O status --json are checked against the bytes and
connections the test itself pushed through each forward.
"""

import hashlib
import json
import os
import socket
import stat
import subprocess
import time

import pytest

import fwdutil
from fwdutil import recv_all, wait_listen, wait_unlisten
from sshutil import BURROW, HOST, SSH, free_port

SERVERS = ["burrowd", "sshd"]


def _ctl(h, srv, path, *args, opts=()):
    argv = h.client_argv("burrow", srv, None, opts=["-S", str(path)] + list(opts) +
                         list(args))
    return h.run(argv, timeout=30)


def _start_master(h, srv, path, specs=(), extra=()):
    opts = ["-N", "-M", "-S", str(path)]
    for s in specs:
        opts += ["-L", s]
    argv = h.client_argv("burrow", srv, None, extra=extra, opts=opts)
    errlog = h._subdir("master") / "stderr"
    with open(errlog, "wb") as ef:
        proc = h.spawn(argv, stdout=subprocess.DEVNULL, stderr=ef)
    deadline = time.monotonic() + 15
    while not os.path.exists(path):
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("master did not come up:\n%s" % errlog.read_text(), pytrace=False)
        time.sleep(0.05)
    return proc, errlog


def _push(port, nbytes):
    """nbytes through a forward to a sink-hash target; returns the reply length."""
    payload = os.urandom(nbytes)
    s = socket.create_connection((HOST, port), timeout=10)
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 30)
    finally:
        s.close()
    assert reply == (hashlib.sha256(payload).hexdigest() + "\n").encode()
    return len(reply)


def _status(h, srv, path):
    r = _ctl(h, srv, path, "-O", "status", "--json")
    assert r.rc == 0, r.err
    return json.loads(r.out)


def _wait_idle(h, srv, path, total):
    deadline = time.monotonic() + 10
    while True:
        st = _status(h, srv, path)
        fw = st["forwards"]
        if (sum(f["active"] for f in fw) == 0 and sum(f["total"] for f in fw) >= total) \
                or time.monotonic() > deadline:
            return st
        time.sleep(0.1)


@pytest.mark.parametrize("client", ["burrow", "ssh"])
def test_check_without_master(h, tmp_path, client):
    """No master: ssh's words and exit status 255, for burrow as for ssh."""
    srv = h.server("burrowd")
    path = tmp_path / "none.sock"
    argv = h.client_argv(client, srv, None, opts=["-S", str(path), "-O", "check"])
    r = h.run(argv, timeout=20)
    assert r.rc == 255
    assert "Control socket connect(%s): No such file or directory" % path in r.err


@pytest.mark.parametrize("server", SERVERS)
def test_status_counters_forward_cancel_exit(h, targets, tmp_path, server):
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    path = tmp_path / "ctl"
    lport = free_port()
    proc, errlog = _start_master(h, srv, path, ["%d:%s:%d" % (lport, HOST, t.port)])
    assert wait_listen(lport, proc, 15), errlog.read_text()
    # Owner-only socket, as ssh makes it.
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    r = _ctl(h, srv, path, "-O", "check")
    assert r.rc == 0, r.err
    assert r.err.strip() == "Master running (pid=%d)" % proc.pid

    sizes = [1, 70000, 1 << 20]
    replies = sum(_push(lport, n) for n in sizes)
    st = _wait_idle(h, srv, path, len(sizes))
    assert st["pid"] == proc.pid and st["state"] == "connected"
    assert st["host"] == HOST and st["kex"] and st["cipher"] and st["uptime"] >= 0
    (fw,) = st["forwards"]
    assert fw["type"] == "local" and fw["spec"] == "%d:%s:%d" % (lport, HOST, t.port)
    assert "127.0.0.1:%d" % lport in fw["listen"]
    assert (fw["active"], fw["total"]) == (0, len(sizes))
    assert fw["bytes_out"] == sum(sizes) and fw["bytes_in"] == replies
    assert fw["open_failures"] == 0

    # -O forward adds a listener to the running master; -O cancel takes it away.
    lport2 = free_port()
    spec2 = "%d:%s:%d" % (lport2, HOST, t.port)
    r = _ctl(h, srv, path, "-O", "forward", "-L", spec2)
    assert r.rc == 0, r.err
    assert wait_listen(lport2, proc, 10)
    rep2 = _push(lport2, 12345)
    st = _wait_idle(h, srv, path, len(sizes) + 1)
    fw2 = [f for f in st["forwards"] if f["spec"] == spec2]
    assert len(fw2) == 1 and fw2[0]["total"] == 1
    assert fw2[0]["bytes_out"] == 12345 and fw2[0]["bytes_in"] == rep2

    r = _ctl(h, srv, path, "-O", "metrics")
    assert r.rc == 0, r.err
    assert ('burrow_forward_connections_total{type="local",spec="%d:%s:%d"} 3'
            % (lport, HOST, t.port)) in r.out
    assert ('burrow_forward_bytes_out_total{type="local",spec="%s"} 12345' % spec2) in r.out
    assert "# TYPE burrow_forward_active_connections gauge" in r.out

    r = _ctl(h, srv, path, "-O", "cancel", "-L", spec2)
    assert r.rc == 0, r.err
    assert wait_unlisten(lport2) is not None
    assert _push(lport, 10) > 0  # the first forward still works

    # A forward target that refuses: counted with the server's reason.
    dead = fwdutil.closed_port()
    lport3 = free_port()
    r = _ctl(h, srv, path, "-O", "forward", "-L", "%d:%s:%d" % (lport3, HOST, dead))
    assert r.rc == 0, r.err
    assert wait_listen(lport3, proc, 10)
    s = socket.create_connection((HOST, lport3), timeout=10)
    s.settimeout(10)
    assert s.recv(10) == b""
    s.close()
    deadline = time.monotonic() + 10
    while True:
        f3 = [f for f in _status(h, srv, path)["forwards"] if f["spec"].startswith(str(lport3))]
        if f3[0]["open_failures"] == 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert f3[0]["open_failures"] == 1 and "connect failed" in f3[0]["last_error"], f3

    r = _ctl(h, srv, path, "-O", "exit")
    assert r.rc == 0 and "Exit request sent." in r.err
    assert h.wait(proc, timeout=15).rc == 0
    assert not os.path.exists(path)


@pytest.mark.parametrize("server", SERVERS)
def test_forward_cancel_remote(h, targets, tmp_path, server):
    """-O forward -R 0:... prints the allocated port as ssh does; -O cancel -R frees it."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server(server)
    path = tmp_path / "ctl"
    proc, errlog = _start_master(h, srv, path)
    r = _ctl(h, srv, path, "-O", "forward", "-R", "0:%s:%d" % (HOST, t.port))
    assert r.rc == 0, r.err + errlog.read_text()
    rport = int(r.out.strip())
    assert rport > 0
    n = _push(rport, 200000)
    st = _wait_idle(h, srv, path, 1)
    (fw,) = st["forwards"]
    assert fw["type"] == "remote" and fw["total"] == 1
    assert fw["bytes_out"] == n and fw["bytes_in"] == 200000
    r = _ctl(h, srv, path, "-O", "cancel", "-R", "%d:%s:%d" % (rport, HOST, t.port))
    assert r.rc == 0, r.err
    assert wait_unlisten(rport) is not None
    r = _ctl(h, srv, path, "-O", "stop")
    assert r.rc == 0 and "Stop listening request sent." in r.err
    assert not os.path.exists(path)
    assert proc.poll() is None  # the master goes on


def test_ssh_master_check_wording(h, tmp_path):
    """Reference: OpenSSH's own -O check / exit wording that burrow follows."""
    srv = h.server("sshd")
    path = tmp_path / "ssh.ctl"
    argv = h.client_argv("ssh", srv, None, opts=["-N", "-M", "-S", str(path)])
    proc = h.spawn(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 15
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    r = h.run(h.client_argv("ssh", srv, None, opts=["-S", str(path), "-O", "check"]))
    assert r.rc == 0 and r.err.strip() == "Master running (pid=%d)" % proc.pid
    r = h.run(h.client_argv("ssh", srv, None, opts=["-S", str(path), "-O", "exit"]))
    assert r.rc == 0 and r.err.strip() == "Exit request sent."
    h.wait(proc, timeout=15)


def test_control_persist_and_second_client(h, tmp_path):
    """ControlPersist: the command returns with its status while the master stays
    in the background; a plain second burrow on the same ControlPath says
    multiplexing is not supported and connects itself; -O exit ends the master."""
    srv = h.server("burrowd")
    path = tmp_path / "ctl"
    argv = h.client_argv("burrow", srv, "echo first; exit 3", extra=["ControlPersist=30"],
                         opts=["-M", "-S", str(path)])
    r = h.run(argv, timeout=30)
    assert r.rc == 3 and r.out == "first\n", r
    assert os.path.exists(path)
    r = _ctl(h, srv, path, "-O", "check")
    assert r.rc == 0, r.err
    pid = int(r.err.strip().split("pid=")[1].rstrip(")"))
    assert pid > 0 and os.path.exists("/proc/%d" % pid)
    try:
        r = h.run(h.client_argv("burrow", srv, "echo hi", opts=["-S", str(path)]))
        assert r.rc == 0 and r.out.strip() == "hi"
        assert "multiplexing sessions over it is not supported yet" in r.err
        r = _ctl(h, srv, path, "-O", "exit")
        assert r.rc == 0
        deadline = time.monotonic() + 10
        while os.path.exists("/proc/%d" % pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(path)
    finally:
        if os.path.exists("/proc/%d" % pid):
            os.kill(pid, 9)


def test_control_persist_timeout(h, tmp_path):
    """ControlPersist=1: the idle master leaves by itself after a second."""
    srv = h.server("burrowd")
    path = tmp_path / "ctl"
    argv = h.client_argv("burrow", srv, "true", extra=["ControlPersist=1"],
                         opts=["-M", "-S", str(path)])
    r = h.run(argv, timeout=30)
    assert r.rc == 0, r
    deadline = time.monotonic() + 10
    while os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not os.path.exists(path)


def test_throughput_and_fork(h, targets, tmp_path):
    """-f -M: the master goes to the background; while a transfer runs, status
    shows a nonzero current throughput for the forward, and the bytes add up."""
    t = targets(fwdutil.h_sink_hash)
    srv = h.server("burrowd")
    path = tmp_path / "ctl"
    lport = free_port()
    argv = h.client_argv("burrow", srv, None,
                         opts=["-f", "-N", "-M", "-S", str(path),
                               "-L", "%d:%s:%d" % (lport, HOST, t.port)])
    r = h.run(argv, timeout=30)
    assert r.rc == 0, r
    pid = None
    try:
        r = _ctl(h, srv, path, "-O", "check")
        assert r.rc == 0, r.err
        pid = int(r.err.strip().split("pid=")[1].rstrip(")"))
        s = socket.create_connection((HOST, lport), timeout=10)
        sent = hashlib.sha256()
        total = 0
        seen = 0
        end = time.monotonic() + 3.0
        while time.monotonic() < end:
            chunk = os.urandom(256 << 10)
            s.sendall(chunk)
            sent.update(chunk)
            total += len(chunk)
            time.sleep(0.05)
            if time.monotonic() > end - 1.0 and not seen:
                fw = _status(h, srv, path)["forwards"][0]
                seen = fw["throughput_out"]
                assert fw["active"] == 1
        s.shutdown(socket.SHUT_WR)
        _, reply = recv_all(s, time.monotonic() + 30)
        s.close()
        assert reply == (sent.hexdigest() + "\n").encode()
        assert seen > 0
        fw = _wait_idle(h, srv, path, 1)["forwards"][0]
        assert fw["bytes_out"] == total and fw["bytes_in"] == len(reply)
        r = _ctl(h, srv, path, "-O", "status")
        assert r.rc == 0 and "-L %d:%s:%d" % (lport, HOST, t.port) in r.out
        assert "Master running (pid=%d)" % pid in r.out
        r = _ctl(h, srv, path, "-O", "exit")
        assert r.rc == 0
    finally:
        if pid and os.path.exists("/proc/%d" % pid):
            time.sleep(0.5)
            if os.path.exists("/proc/%d/cmdline" % pid) and \
                    open("/proc/%d/cmdline" % pid, "rb").read():
                os.kill(pid, 9)


def test_forward_failure_and_silent_client(h, tmp_path):
    """A -O forward that cannot bind fails with 255 and the master goes on; a
    control client that never speaks does not hold the master up."""
    srv = h.server("burrowd")
    path = tmp_path / "ctl"
    proc, errlog = _start_master(h, srv, path)
    busy = socket.socket()
    busy.bind((HOST, 0))
    busy.listen(1)
    idle = socket.socket(socket.AF_UNIX)
    idle.connect(str(path))
    try:
        r = _ctl(h, srv, path, "-O", "forward", "-L",
                 "%s:%d:%s:9" % (HOST, busy.getsockname()[1], HOST))
        assert r.rc == 255 and "Port forwarding failed" in r.err, r
        r = _ctl(h, srv, path, "-O", "cancel", "-L", "%d:%s:9" % (free_port(), HOST))
        assert r.rc == 255, r
        r = _ctl(h, srv, path, "-O", "check")
        assert r.rc == 0, r.err
    finally:
        busy.close()
        idle.close()
    assert proc.poll() is None, errlog.read_text()


@pytest.mark.parametrize("opts", [
    ["-M", "-S", "/tmp/ctl-%h-%p-%r", "-o", "ControlPersist=10m"],
    ["-MM", "-o", "ControlMaster=auto", "-o", "ControlPersist=yes"],
    ["-o", "ControlMaster=autoask", "-o", "ControlPath=none"],
    [],
])
def test_dump_matches_ssh(opts):
    """burrow -G prints the control options as ssh -G does."""
    def lines(prog):
        r = subprocess.run([prog, "-G", "-F", "/dev/null"] + opts + ["-l", "u", "example.org"],
                           capture_output=True, text=True, timeout=20)
        assert r.returncode == 0, r.stderr
        return sorted(ln for ln in r.stdout.splitlines() if ln.startswith("control"))
    assert lines(str(BURROW)) == lines(SSH)


def test_stale_socket_taken_over(h, tmp_path):
    """A master killed with SIGKILL leaves its socket: -O check says the
    connection is refused, and the next -M master replaces the stale socket."""
    srv = h.server("burrowd")
    path = tmp_path / "ctl"
    proc, _ = _start_master(h, srv, path)
    proc.kill()
    proc.wait()
    assert os.path.exists(path)
    r = _ctl(h, srv, path, "-O", "check")
    assert r.rc == 255
    assert "Control socket connect(%s): Connection refused" % path in r.err
    os.utime(path)  # still there
    proc2, errlog = _start_master(h, srv, path)
    deadline = time.monotonic() + 10
    while True:
        r = _ctl(h, srv, path, "-O", "check")
        if r.rc == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.rc == 0 and "pid=%d" % proc2.pid in r.err, errlog.read_text()
    assert _ctl(h, srv, path, "-O", "exit").rc == 0
    assert h.wait(proc2, timeout=15).rc == 0


@pytest.mark.parametrize("server", SERVERS)
def test_forward_remote_refused(h, tmp_path, server):
    """The server cannot listen: -O forward -R fails with 255, the failure is in
    the forward's last error, and the master goes on."""
    srv = h.server(server)
    path = tmp_path / "ctl"
    proc, errlog = _start_master(h, srv, path)
    socks = []
    s4 = socket.socket()
    s4.bind((HOST, 0))
    s4.listen(1)
    socks.append(s4)
    port = s4.getsockname()[1]
    if fwdutil.have_ipv6_loopback():
        s6 = socket.socket(socket.AF_INET6)
        try:
            s6.bind(("::1", port))
            s6.listen(1)
            socks.append(s6)
        except OSError:
            s6.close()
    try:
        r = _ctl(h, srv, path, "-O", "forward", "-R", "%d:%s:9" % (port, HOST))
        assert r.rc == 255 and "Port forwarding failed" in r.err, \
            "%s\n%s" % (r, errlog.read_text())
        st = _status(h, srv, path)
        (fw,) = st["forwards"]
        assert fw["type"] == "remote" and fw["last_error"] == "remote port forwarding failed"
        assert _ctl(h, srv, path, "-O", "check").rc == 0
    finally:
        for s in socks:
            s.close()
    assert proc.poll() is None
