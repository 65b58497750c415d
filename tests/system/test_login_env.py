"""The login as sshd makes it, for a real user (root only: the tests create one):
the environment a command sees, the login shell, refused accounts with sshd's
log lines, PrintMotd, and utmp/wtmp records for sessions with a terminal.

burrowd is compared with OpenSSH's sshd for the same user and client.
"""

import os
import pwd
import random
import struct
import subprocess
import time
from pathlib import Path

import pytest

from sshutil import diag

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root to create a test user and log in as it")

WTMP = Path("/var/log/wtmp")
MOTD = Path("/etc/motd")
# struct utmp on x86_64 glibc: type, pid, line, id, user, host, exit, session, tv, addr.
UTMP_FMT = "<hxxi32s4s32s256shhiii16s20s"
USER_PROCESS, DEAD_PROCESS = 7, 8
# What both servers read besides the harness's lines: sshd's defaults spelled out.
COMMON = ["UsePAM no", "PrintMotd yes", "AuthorizedKeysFile .ssh/authorized_keys"]


@pytest.fixture
def user(keys):
    """burrowtN: a real user (useradd -m, bash) with our key in ~/.ssh/authorized_keys."""
    name = "burrowt%d" % random.randrange(10000, 99999)
    # "*": no password but not locked (sshd without PAM refuses locked accounts).
    subprocess.run(["useradd", "-m", "-p", "*", "-s", "/bin/bash", name], check=True,
                   capture_output=True)
    pw = pwd.getpwnam(name)
    ssh_dir = Path(pw.pw_dir) / ".ssh"
    ssh_dir.mkdir(mode=0o700)
    (ssh_dir / "authorized_keys").write_text(keys.user_pub + "\n")
    os.chmod(ssh_dir / "authorized_keys", 0o600)
    for p in (ssh_dir, ssh_dir / "authorized_keys"):
        os.chown(p, pw.pw_uid, pw.pw_gid)
    yield pw
    subprocess.run(["pkill", "-KILL", "-u", name], check=False)
    subprocess.run(["userdel", "-r", name], check=False, capture_output=True)


def start(h, kind, extra=()):
    lines = COMMON + list(extra)
    if kind == "sshd":
        # sshutil writes AuthorizedKeysFile first; sshd keeps the first value.
        return h.server("sshd", extra=lines, authorized_keys=".ssh/authorized_keys")
    # Our own file, so /etc/ssh/sshd_config (UsePAM yes, PrintMotd no on Debian) is not read.
    return h.server("burrowd", config=lines, authorized_keys=".ssh/authorized_keys")


def login(h, srv, user, command, opts=(), client="burrow", input=None, term=None):
    argv = h.client_argv(client, srv, command, user=user.pw_name, opts=list(opts),
                         extra=["LogLevel=ERROR"])
    env = dict(os.environ)
    if term:
        env["TERM"] = term
    proc = h.spawn(argv, env=env,
                   stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return h.wait(proc, input=input, timeout=30)


def env_of(res):
    out = {}
    for line in res.out.replace("\r", "").splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def comparable(env):
    """Ports and the pty number differ between two logins; everything else must not."""
    e = dict(env)
    if "SSH_CLIENT" in e:
        e["SSH_CLIENT"] = e["SSH_CLIENT"].split()[0]
    if "SSH_CONNECTION" in e:
        f = e["SSH_CONNECTION"].split()
        e["SSH_CONNECTION"] = "%s %s" % (f[0], f[2])
    if "SSH_TTY" in e:
        e["SSH_TTY"] = e["SSH_TTY"].rstrip("0123456789")
    return e


@pytest.mark.parametrize("client", ["burrow", "ssh"])
@pytest.mark.parametrize("tty", [False, True], ids=["notty", "tty"])
def test_environment_matches_sshd(h, user, client, tty):
    """`env` sees the same variables, key by key, from burrowd as from sshd."""
    opts = ["-tt"] if tty else ["-T"]
    got = {}
    for kind in ("sshd", "burrowd"):
        srv = start(h, kind)
        res = login(h, srv, user, "env", opts=opts, client=client, term="xterm-256color")
        assert res.rc == 0, diag(res, srv)
        got[kind] = env_of(res)
    sshd, ours = comparable(got["sshd"]), comparable(got["burrowd"])
    for k in sorted(set(sshd) | set(ours)):
        assert ours.get(k) == sshd.get(k), "%s: burrowd %r, sshd %r\nburrowd: %r\nsshd: %r" % (
            k, ours.get(k), sshd.get(k), got["burrowd"], got["sshd"])
    # The values the brief names, checked outright too.
    name = user.pw_name
    assert ours["HOME"] == user.pw_dir and ours["USER"] == name and ours["LOGNAME"] == name
    assert ours["SHELL"] == "/bin/bash" and ours["MAIL"] == "/var/mail/" + name
    assert ours["PATH"] == "/usr/local/bin:/usr/bin:/bin:/usr/games"
    assert ours["SSH_CONNECTION"] == "127.0.0.1 127.0.0.1"
    if tty:
        assert ours["TERM"] == "xterm-256color" and ours["SSH_TTY"] == "/dev/pts/"
    else:
        assert "TERM" not in ours and "SSH_TTY" not in ours


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_shell_is_a_login_shell(h, user, server):
    """`shell` runs bash as a login shell: $0 is "-bash" (argv[0] starts with '-')."""
    srv = start(h, server)
    res = login(h, srv, user, None, opts=["-T"], input=b'echo "zero=$0"\nshopt -q login_shell '
                b'&& echo login\n')
    assert res.rc == 0, diag(res, srv)
    assert res.out.splitlines() == ["zero=-bash", "login"], diag(res, srv)


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_exec_runs_shell_c(h, user, server):
    """exec runs `shell -c command`: $0 is the shell's base name, not a login shell."""
    srv = start(h, server)
    res = login(h, srv, user, 'echo "$0"; shopt -q login_shell || echo not-login')
    assert res.rc == 0, diag(res, srv)
    assert res.out.splitlines() == ["bash", "not-login"], diag(res, srv)


def refused(h, user, server, log_line):
    srv = start(h, server)
    res = login(h, srv, user, "echo in")
    assert res.rc == 255, diag(res, srv)
    assert "in" not in res.out.split(), diag(res, srv)
    assert "Permission denied" in res.err, diag(res, srv)
    assert srv.wait_log(log_line % user.pw_name), diag(res, srv)


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_locked_account_refused(h, user, server):
    """usermod -L ("!" in shadow): refused, with sshd's log line; unlocked it works."""
    subprocess.run(["usermod", "-L", user.pw_name], check=True)
    refused(h, user, server, r"User %s not allowed because account is locked")
    subprocess.run(["usermod", "-p", "*", user.pw_name], check=True)
    srv = start(h, server)
    res = login(h, srv, user, "echo in")
    assert res.rc == 0 and res.out == "in\n", diag(res, srv)


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_lk_locked_account_refused(h, user, server):
    """A System V style "*LK*" password is locked too (burrowd; sshd on Linux knows only "!")."""
    if server == "sshd":
        pytest.skip("sshd on Linux treats only a \"!\" prefix as locked")
    subprocess.run(["usermod", "-p", "*LK*", user.pw_name], check=True)
    refused(h, user, server, r"User %s not allowed because account is locked")


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_missing_shell_refused(h, user, server):
    subprocess.run(["usermod", "-s", "/nonexistent/shell", user.pw_name], check=True,
                   capture_output=True)
    refused(h, user, server,
            r"User %s not allowed because shell /nonexistent/shell does not exist")


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_expired_account_refused(h, user, server):
    subprocess.run(["usermod", "-e", "1", user.pw_name], check=True)
    refused(h, user, server, r"Account %s has expired")


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_nologin_shell_runs(h, user, server):
    """A nologin shell is executable: the login happens and nologin says no."""
    nologin = "/usr/sbin/nologin"
    subprocess.run(["usermod", "-s", nologin, user.pw_name], check=True)
    srv = start(h, server)
    res = login(h, srv, user, "echo in")
    assert res.rc == 1, diag(res, srv)
    assert "This account is currently not available." in res.out + res.err, diag(res, srv)


def motd_line():
    try:
        lines = [ln for ln in MOTD.read_text().splitlines() if ln.strip()]
    except OSError:
        lines = []
    if not lines:
        pytest.skip("this system has no /etc/motd text to look for")
    return lines[0]


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
@pytest.mark.parametrize("setting", ["yes", "no", "hushlogin"])
def test_print_motd(h, user, server, setting):
    """PrintMotd yes prints /etc/motd for a shell on a terminal; no, or ~/.hushlogin, does not."""
    line = motd_line()
    if setting == "hushlogin":
        hush = Path(user.pw_dir) / ".hushlogin"
        hush.write_text("")
        os.chown(hush, user.pw_uid, user.pw_gid)
    # The first value wins in both servers: put ours before COMMON's "PrintMotd yes".
    extra = ["PrintMotd no"] if setting == "no" else []
    if server == "sshd":
        srv = h.server("sshd", extra=extra + COMMON, authorized_keys=".ssh/authorized_keys")
    else:
        srv = h.server("burrowd", config=extra + COMMON,
                       authorized_keys=".ssh/authorized_keys")
    res = login(h, srv, user, None, opts=["-tt"], input=b"exit\n", term="dumb")
    assert res.rc == 0, diag(res, srv)
    assert (line in res.out) == (setting == "yes"), diag(res, srv)
    # A command never gets the motd, terminal or not.
    res = login(h, srv, user, "true", opts=["-tt"], term="dumb")
    assert res.rc == 0 and line not in res.out, diag(res, srv)


def wtmp_records(offset):
    data = WTMP.read_bytes()[offset:]
    n = struct.calcsize(UTMP_FMT)
    recs = []
    for i in range(len(data) // n):
        f = struct.unpack_from(UTMP_FMT, data, i * n)
        recs.append({"type": f[0], "pid": f[1], "line": f[2].rstrip(b"\0").decode(),
                     "id": f[3].rstrip(b"\0").decode(), "user": f[4].rstrip(b"\0").decode(),
                     "host": f[5].rstrip(b"\0").decode()})
    return recs


def test_wtmp_login_and_logout(h, user):
    """A session with a pty leaves a login record in wtmp and, when it ends, a logout."""
    if not WTMP.exists():
        pytest.skip("this system keeps no %s" % WTMP)
    srv = start(h, "burrowd")
    before = WTMP.stat().st_size
    res = login(h, srv, user, 'echo "tty=$SSH_TTY"', opts=["-tt"])
    assert res.rc == 0, diag(res, srv)
    tty = res.out.replace("\r", "").split("tty=")[1].split()[0]
    line = tty[len("/dev/"):]
    deadline = time.monotonic() + 10
    while True:
        recs = [r for r in wtmp_records(before)
                if r["line"] == line and r["user"] == user.pw_name]
        types = [r["type"] for r in recs]
        if DEAD_PROCESS in types or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    logins = [r for r in recs if r["type"] == USER_PROCESS]
    assert len(logins) == 1, (recs, diag(res, srv))
    assert logins[0]["user"] == user.pw_name and logins[0]["host"] == "127.0.0.1", recs
    assert logins[0]["id"] == line[-4:], recs
    assert types.index(DEAD_PROCESS) > types.index(USER_PROCESS), recs
    # A session without a pty leaves nothing.
    before = WTMP.stat().st_size
    res = login(h, srv, user, "true", opts=["-T"])
    assert res.rc == 0, diag(res, srv)
    time.sleep(0.5)
    assert [r for r in wtmp_records(before) if r["user"] == user.pw_name] == []
