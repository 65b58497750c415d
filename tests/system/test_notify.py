"""systemd readiness (issue 8): READY=1 on $NOTIFY_SOCKET once every forward is up
(burrow) or every listener is bound (burrowd); a Python datagram socket stands in
for systemd."""

import os
import socket
import subprocess
import time

import pytest

import sshutil
from fwdutil import listening
from sshutil import BURROWD, HOST, free_port, tail


def notify_socket(path_or_abstract):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path_or_abstract)
    return s


def recv_ready(sock, proc, timeout=15.0):
    """The first datagram as a dict, or None if proc ended or time ran out."""
    deadline = time.monotonic() + timeout
    sock.settimeout(0.1)
    while time.monotonic() < deadline:
        try:
            data = sock.recv(4096).decode()
        except socket.timeout:
            if proc.poll() is not None:
                return None
            continue
        return dict(line.split("=", 1) for line in data.split("\n") if "=" in line)
    return None


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
@pytest.mark.parametrize("abstract", [False, True], ids=["path", "abstract"])
def test_burrow_ready_after_every_forward(h, server, abstract, tmp_path):
    srv = h.server(server)
    lport, rport = free_port(), free_port()
    if abstract:
        name = "@burrow-test-%d-%d" % (os.getpid(), lport)
        sock = notify_socket("\0" + name[1:])
    else:
        name = str(tmp_path / "notify")
        sock = notify_socket(name)
    env = dict(os.environ, NOTIFY_SOCKET=name)
    argv = h.client_argv("burrow", srv, None,
                         opts=["-N", "-L", "%d:127.0.0.1:9" % lport,
                               "-R", "%d:127.0.0.1:9" % rport])
    errlog = tmp_path / "stderr"
    with open(errlog, "wb") as ef:
        proc = h.spawn(argv, stdout=subprocess.DEVNULL, stderr=ef, env=env)
    try:
        msg = recv_ready(sock, proc)
        assert msg is not None, tail(errlog) + sshutil.diag(None, srv)
        # Everything is up at the moment READY=1 arrives, not merely soon after.
        assert listening(lport), "local forward not bound at READY=1"
        assert listening(rport), "remote forward not bound at READY=1"
        assert msg.get("READY") == "1"
        assert msg.get("MAINPID") == str(proc.pid)
        # Exactly once.
        sock.settimeout(1.0)
        with pytest.raises(socket.timeout):
            sock.recv(4096)
        assert proc.poll() is None
    finally:
        sock.close()


def test_burrow_no_ready_when_exit_on_forward_failure(h, tmp_path):
    """A -R the server refuses with ExitOnForwardFailure: exit 255 and never READY=1."""
    srv = h.server("burrowd", extra=["AllowTcpForwarding=local"])
    name = str(tmp_path / "notify")
    sock = notify_socket(name)
    lport = free_port()
    argv = h.client_argv("burrow", srv, None, extra=["ExitOnForwardFailure=yes"],
                         opts=["-N", "-L", "%d:127.0.0.1:9" % lport,
                               "-R", "%d:127.0.0.1:9" % free_port()])
    res = h.wait(h.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=dict(os.environ, NOTIFY_SOCKET=name)), timeout=30)
    assert res.rc == 255, res
    sock.settimeout(0.5)
    with pytest.raises(socket.timeout):
        sock.recv(4096)
    sock.close()


def test_burrowd_ready_once_listening(h, tmp_path):
    sshutil.need(BURROWD)
    name = str(tmp_path / "notify")
    sock = notify_socket(name)
    port = free_port()
    argv = [str(BURROWD), "-D", "-e", "-p", str(port), "-h", str(tmp_path / "hk"),
            "-o", "ListenAddress=%s" % HOST, "-o", "PidFile=none"]
    log = tmp_path / "log"
    with open(log, "wb") as lf:
        proc = h.spawn(argv, stdout=lf, stderr=lf, env=dict(os.environ, NOTIFY_SOCKET=name))
    try:
        msg = recv_ready(sock, proc)
        assert msg is not None, tail(log)
        assert msg.get("READY") == "1" and msg.get("MAINPID") == str(proc.pid)
        assert listening(port)
    finally:
        sock.close()


@pytest.mark.parametrize("unit", ["burrow@.service", "burrowd.service"])
def test_contrib_units_parse(unit, tmp_path):
    """systemd-analyze finds nothing wrong in the example units but the missing
    installed binaries and man pages."""
    import shutil
    from pathlib import Path

    tool = shutil.which("systemd-analyze")
    if tool is None:
        pytest.skip("systemd-analyze is not installed")
    src = Path(__file__).resolve().parents[2] / "contrib" / unit
    dst = tmp_path / unit.replace("@.", "@test.")
    dst.write_text(src.read_text())
    r = subprocess.run([tool, "verify", str(dst)], capture_output=True, text=True, timeout=60)
    assert "Type=notify" in src.read_text()
    bad = [line for line in (r.stdout + r.stderr).splitlines()
           if line.strip() and "is not executable" not in line and "man " not in line]
    assert not bad, r.stdout + r.stderr
