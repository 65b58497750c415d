"""burrowd SIGUSR1: each connection process logs who forwards what right now.

Two clients (two users) hold forwarded connections open with known byte
counts; SIGUSR1 to the listener parent must make every connection child log
one "dump: connection" line, one "dump: channel" line per open forwarded
channel (sent/received as the audit line counts them) and one "dump:
listener" line per -R listener. The forwards keep working afterwards.
"""

import os
import pwd
import random
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from fwdutil import fingerprint, start_forward, wait_log_since
from sshutil import HOST, free_port


def _recv_exact(sock, n):
    got = []
    while n > 0:
        data = sock.recv(min(n, 65536))
        if not data:
            raise EOFError("EOF with %d bytes missing" % n)
        got.append(data)
        n -= len(data)
    return b"".join(got)


def _holder(want, reply):
    """Handler: read `want` bytes, send `reply` bytes, then hold until EOF."""
    def handler(conn, peer, t):
        data = _recv_exact(conn, want)
        conn.sendall(os.urandom(reply))
        with t.cond:
            t.got = getattr(t, "got", 0) + len(data)
            t.cond.notify_all()
        while conn.recv(65536):
            pass
        return {"n": len(data)}
    return handler


def _wait_got(t, n, timeout=20.0):
    deadline = time.monotonic() + timeout
    with t.cond:
        while getattr(t, "got", 0) < n:
            left = deadline - time.monotonic()
            assert left > 0, "target got %d of %d bytes" % (getattr(t, "got", 0), n)
            t.cond.wait(left)


@pytest.fixture
def other_user(keys):
    """A second real account with our key in its ~/.ssh/authorized_keys."""
    name = "burrowd%d" % random.randrange(10000, 99999)
    # "*": no password but not locked (a locked account may not log in).
    subprocess.run(["useradd", "-m", "-p", "*", "-s", "/bin/sh", name], check=True,
                   capture_output=True)
    pw = pwd.getpwnam(name)
    ssh_dir = Path(pw.pw_dir) / ".ssh"
    ssh_dir.mkdir(mode=0o700)
    (ssh_dir / "authorized_keys").write_text(keys.user_pub + "\n")
    for p in (ssh_dir, ssh_dir / "authorized_keys"):
        os.chown(p, pw.pw_uid, pw.pw_gid)
    yield pw
    subprocess.run(["pkill", "-KILL", "-u", name], check=False)
    subprocess.run(["userdel", "-r", name], check=False, capture_output=True)


def _push(port, nbytes, reply):
    s = socket.create_connection((HOST, port), timeout=20)
    s.sendall(os.urandom(nbytes))
    _recv_exact(s, reply)
    return s


def test_sigusr1_dump(h, targets, other_user):
    if os.geteuid() != 0:
        pytest.skip("needs root for a second account")
    me = pwd.getpwuid(os.geteuid()).pw_name
    fp = fingerprint(h.keys.user_key)
    # The run's key file for us, ~/.ssh/authorized_keys for the other account.
    srv = h.server("burrowd", log_level="VERBOSE",
                   authorized_keys="%s .ssh/authorized_keys" % h.keys.authorized_keys)
    t1 = targets(_holder(100000, 7000))
    t2 = targets(_holder(200000, 9000))
    t3 = targets(_holder(30000, 4000))
    p1, p2, rport = free_port(), free_port(), free_port()
    fw1 = start_forward(h, "burrow", srv, ["%d:%s:%d" % (p1, HOST, t1.port)],
                        wait_tcp=[p1])
    fw1r = start_forward(h, "burrow", srv, ["%d:%s:%d" % (rport, HOST, t3.port)],
                         opt="-R", wait_tcp=[rport])
    fw2 = start_forward(h, "burrow", srv, ["%d:%s:%d" % (p2, HOST, t2.port)],
                        wait_tcp=[p2], user=other_user.pw_name)
    socks = []
    try:
        socks.append(_push(p1, 100000, 7000))
        socks.append(_push(p2, 200000, 9000))
        socks.append(_push(rport, 30000, 4000))
        _wait_got(t1, 100000)
        _wait_got(t2, 200000)
        _wait_got(t3, 30000)
        diag = "\n".join(f.diag() for f in (fw1, fw1r, fw2))

        mark = len(srv.log_text())
        os.kill(srv.proc.pid, signal.SIGUSR1)
        assert wait_log_since(srv, mark, r"Received SIGUSR1; 3 connections to report\.",
                              timeout=10), srv.log_text()[-3000:] + diag
        # Three connection processes, each ends its report with "dump: end".
        deadline = time.monotonic() + 10
        while srv.log_text()[mark:].count("dump: end ") < 3 and time.monotonic() < deadline:
            time.sleep(0.1)
        log = srv.log_text()[mark:]
        assert log.count("dump: end ") == 3, log + diag
        assert srv.alive(), log

        conn_rx = (r"dump: connection pid=\d+ user=%s key=%s client=127\.0\.0\.1:\d+ "
                   r"uptime=\d+s bytes_in=(\d+) bytes_out=(\d+)$")
        mine = re.findall(conn_rx % (re.escape(me), re.escape(fp)), log, re.M)
        theirs = re.findall(conn_rx % (re.escape(other_user.pw_name), re.escape(fp)), log,
                            re.M)
        assert len(mine) == 2 and len(theirs) == 1, log
        # The SSH connection carried at least the forwarded payload each way.
        assert int(theirs[0][0]) > 200000 and int(theirs[0][1]) > 9000, log

        def chan(kind, user, target, sent, received):
            rx = (r"dump: channel %s user=%s client=127\.0\.0\.1:\d+ originator=\S+ "
                  r"target=%s sent=%d received=%d age=[\d.]+s state=open$"
                  % (kind, re.escape(user), re.escape(target), sent, received))
            assert re.search(rx, log, re.M), "no match for %s\n%s" % (rx, log)

        chan("direct-tcpip", me, "%s:%d" % (HOST, t1.port), 100000, 7000)
        chan("direct-tcpip", other_user.pw_name, "%s:%d" % (HOST, t2.port), 200000, 9000)
        chan("forwarded-tcpip", me, "%s:%d" % (HOST, rport), 30000, 4000)
        assert re.search(r"dump: listener tcpip-forward user=%s client=127\.0\.0\.1:\d+ "
                         r"listen=\S+:%d accepted=1 age=[\d.]+s$" % (re.escape(me), rport),
                         log, re.M), log

        # Nothing was disturbed: every forward still carries data.
        s = _push(p1, 100000, 7000)
        socks.append(s)
        _wait_got(t1, 200000)
    finally:
        for s in socks:
            s.close()
        for f in (fw1, fw1r, fw2):
            f.stop()


def test_client_log_file(h, tmp_path):
    """burrow -E FILE (as ssh -E): the log lines go to FILE, not to stderr."""
    srv = h.server("burrowd")
    logf = tmp_path / "client.log"
    argv = h.client_argv("burrow", srv, "echo hi", opts=["-v", "-E", str(logf)])
    proc = h.spawn(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and out == b"hi\n", (out, err)
    text = logf.read_text(errors="replace")
    assert "debug1:" in text and "Authenticat" in text, text
    assert b"debug1:" not in err, err
