"""Interactive sessions driven through tmux: pty-req with the terminal's modes,
shell prompt, window-change, escape sequences, raw mode restored; signal and
env requests (SendEnv/SetEnv against AcceptEnv) in every direction."""

import os
import re
import shlex
import shutil
import subprocess
import time
import uuid

import pytest

from sshutil import diag

TMUX = shutil.which("tmux")
INTERACTIVE = [("burrow", "burrowd"), ("burrow", "sshd"), ("ssh", "burrowd")]
IDS = ["%s-%s" % p for p in INTERACTIVE]
PROMPT = "burrowt$ "
LOCAL_PROMPT = "localt$ "


class Pane:
    """One detached tmux session of a fixed size running a local sh."""

    def __init__(self, directory, cols=80, rows=24):
        if TMUX is None:
            pytest.fail("tmux is not installed (scripts/install-deps.sh lists it)")
        self.dir = directory
        self.sock = "burrowt-%s" % uuid.uuid4().hex[:8]
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", str(cols),
                  "-y", str(rows), "env", "PS1=%s" % LOCAL_PROMPT, "sh")
        self.tmux("set-option", "-g", "status", "off")
        self.wait_for(re.escape(LOCAL_PROMPT))

    def tmux(self, *args):
        return subprocess.run([TMUX, "-L", self.sock] + list(args), check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=20).stdout.decode(errors="replace")

    def screen(self):
        # -J joins wrapped lines; -S - takes the scrollback too.
        return self.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "t")

    def send(self, text, enter=True):
        self.tmux("send-keys", "-t", "t", "-l", "--", text)
        if enter:
            self.tmux("send-keys", "-t", "t", "Enter")

    def wait_for(self, pattern, timeout=15.0, after=0):
        """Wait until the screen (from character `after`) matches; return the match."""
        rx = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            text = self.screen()
            m = rx.search(text, after)
            if m:
                return m
            if time.monotonic() >= deadline:
                pytest.fail("no %r on the screen:\n%s" % (pattern, text), pytrace=False)
            time.sleep(0.1)

    def mark(self):
        """Where new output starts (to match only what comes next)."""
        return len(self.screen().rstrip("\n"))

    def size(self):
        rows, cols = self.tmux("display-message", "-p", "-t", "t",
                               "#{pane_height} #{pane_width}").split()
        return int(rows), int(cols)

    def kill(self):
        subprocess.run([TMUX, "-L", self.sock, "kill-server"], check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.fixture
def pane(tmp_path):
    p = Pane(tmp_path)
    yield p
    p.kill()


def remote_shell():
    """The remote command: an interactive sh with a known prompt."""
    return "env PS1='%s' sh -i" % PROMPT


def run_in_pane(pane, argv):
    pane.send(" ".join(shlex.quote(str(a)) for a in argv))


@pytest.mark.parametrize("client,server", INTERACTIVE, ids=IDS)
def test_shell_prompt_resize_escape_restore(h, pane, tmp_path, client, server):
    """Log in with -tt, see the prompt, run a command, follow a resize, leave
    with ~. and find the local terminal's modes exactly as before."""
    srv = h.server(server)
    before, after = tmp_path / "stty-before", tmp_path / "stty-after"
    # A mode that must travel in pty-req: the interrupt character.
    pane.send("stty intr '^B'; stty -g > %s; echo LOCAL-TERM=$TERM" % before)
    local_term = pane.wait_for(r"^LOCAL-TERM=(\S+)$").group(1)
    m = pane.mark()
    run_in_pane(pane, h.client_argv(client, srv, remote_shell(), opts=["-tt"]))
    pane.wait_for("^" + re.escape(PROMPT), timeout=20, after=m)

    m = pane.mark()
    pane.send('echo "R=$((6*7)) T=$TERM"; tty; echo "SSH_TTY=$SSH_TTY"')
    got = pane.wait_for(r"R=42 T=(\S+)\n(/dev/pts/\d+)\nSSH_TTY=(\S*)$", after=m)
    assert got.group(1) == local_term, pane.screen()
    assert got.group(2) == got.group(3), pane.screen()

    m = pane.mark()
    pane.send("stty -a | tr ';' '\\n' | grep -E '^ *intr = '")
    pane.wait_for(r"^ *intr = \^B$", after=m)

    rows, cols = pane.size()
    m = pane.mark()
    pane.send("stty size")
    pane.wait_for(r"^%d %d$" % (rows, cols), after=m)

    pane.tmux("resize-window", "-t", "t", "-x", "111", "-y", "33")
    rows, cols = pane.size()
    assert (rows, cols) != (24, 80)
    time.sleep(0.3)  # SIGWINCH -> window-change -> TIOCSWINSZ
    m = pane.mark()
    pane.send("stty size")
    pane.wait_for(r"^%d %d$" % (rows, cols), after=m)

    # ~. right after a newline ends the connection.
    m = pane.mark()
    pane.send("", enter=True)
    pane.send("~.", enter=False)
    pane.wait_for(r"Connection to 127\.0\.0\.1 closed\.", after=m)
    pane.wait_for(re.escape(LOCAL_PROMPT) + r"$", after=m)
    pane.send("stty -g > %s; echo EXIT-DONE" % after)
    pane.wait_for(r"^EXIT-DONE$", after=m)
    assert before.read_text() == after.read_text(), pane.screen()
    # The descriptors are blocking again (dash says so when they are not).
    assert "NDELAY" not in pane.screen(), pane.screen()
    assert srv.alive(), diag(None, srv)


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
def test_escape_help_list_and_command_line(h, pane, targets, tmp_path, server):
    """~? and ~# print, ~~ sends one ~, ~C -L adds a forward that works, ~C -KL cancels it."""
    import socket

    from sshutil import free_port

    srv = h.server(server)
    echo = targets(lambda conn, peer, target: conn.sendall(conn.recv(100)))
    lport = free_port()
    m = pane.mark()
    run_in_pane(pane, h.client_argv("burrow", srv, remote_shell(), opts=["-tt"]))
    pane.wait_for("^" + re.escape(PROMPT), timeout=20, after=m)
    m = pane.mark()
    pane.send("~?", enter=False)
    pane.wait_for(r"Supported escape sequences:", after=m)
    pane.wait_for(r"~C   - open a command line", after=m)
    m = pane.mark()
    pane.send("~#", enter=False)
    pane.wait_for(r"The following connections are open:", after=m)
    pane.wait_for(r"#\d+ client-session \(interactive, pty, open\)", after=m)
    m = pane.mark()
    pane.send("~~echo TILDE", enter=True)
    pane.wait_for(r"~echo: not found", after=m)
    m = pane.mark()
    pane.send("~C", enter=False)
    pane.wait_for(r"burrow> ", after=m)
    pane.send("-L %d:127.0.0.1:%d" % (lport, echo.port))
    pane.wait_for(r"Forwarding port\.", after=m)
    with socket.create_connection(("127.0.0.1", lport), timeout=10) as s:
        s.sendall(b"ping-through-escape")
        assert s.recv(100) == b"ping-through-escape"
    # ~C -KL closes that listener again; an unknown port says so.
    m = pane.mark()
    pane.send("~C", enter=False)
    pane.wait_for(r"burrow> ", after=m)
    pane.send("-KL %d" % lport)
    pane.wait_for(r"Canceled forwarding\.", after=m)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", lport), timeout=5).close()
    m = pane.mark()
    pane.send("~C", enter=False)
    pane.wait_for(r"burrow> ", after=m)
    pane.send("-KL %d" % lport)
    pane.wait_for(r"Unknown port forwarding\.", after=m)
    m = pane.mark()
    pane.send("exit")
    pane.wait_for(r"Connection to 127\.0\.0\.1 closed\.", after=m)


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
def test_signal_request_from_escape(h, pane, server):
    """~C -S USR1 (burrow's own) sends a signal request: the remote trap runs;
    -S TERM ends the command, and burrow exits 255 as for any exit-signal."""
    srv = h.server(server)
    cmd = "trap 'echo GOT-USR1' USR1; echo READY; while :; do sleep 0.2; done"
    m = pane.mark()
    run_in_pane(pane, h.client_argv("burrow", srv, cmd, opts=["-tt"]))
    pane.wait_for(r"^READY", timeout=20, after=m)
    m = pane.mark()
    pane.send("", enter=True)
    pane.send("~C", enter=False)
    pane.wait_for(r"burrow> ", after=m)
    pane.send("-S USR1")
    if server == "sshd":
        # sshd 9.2 delivers signals only with privilege separation (not the case
        # for this test's sshd): it must at least have parsed the request.
        assert srv.wait_log(r"session_signal_req: "), diag(None, srv)
        m = pane.mark()
        pane.send("", enter=True)
        pane.send("~.", enter=False)
        pane.wait_for(r"Connection to 127\.0\.0\.1 closed\.", after=m)
        return
    pane.wait_for(r"GOT-USR1", after=m)
    m = pane.mark()
    pane.send("", enter=True)
    pane.send("~C", enter=False)
    pane.wait_for(r"burrow> ", after=m)
    pane.send("-S TERM")
    pane.wait_for(r"Connection to 127\.0\.0\.1 closed\.", after=m)
    pane.send("echo RC=$?")
    pane.wait_for(r"^RC=255$", after=m)


ENV_PAIRS = [("burrow", "burrowd"), ("burrow", "sshd"), ("ssh", "burrowd")]


@pytest.mark.parametrize("client,server", ENV_PAIRS, ids=["%s-%s" % p for p in ENV_PAIRS])
def test_env_sendenv_setenv_acceptenv(h, client, server):
    """Only what AcceptEnv lists arrives; SendEnv takes from our environment, SetEnv
    sets a value of its own."""
    accept = "BURROWT_A BURROWT_SET"
    if server == "sshd":
        srv = h.server(server, extra=["AcceptEnv %s" % accept])
    else:
        srv = h.server(server, extra=["AcceptEnv=%s" % accept])
    argv = h.client_argv(client, srv, 'echo "A=$BURROWT_A B=$BURROWT_B S=$BURROWT_SET"',
                         extra=["SendEnv=BURROWT_*", "SetEnv=BURROWT_SET=from-setenv"])
    env = dict(os.environ, BURROWT_A="alpha value", BURROWT_B="beta")
    proc = h.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    res = h.wait(proc)
    assert res.rc == 0, diag(res, srv)
    assert res.out.strip() == "A=alpha value B= S=from-setenv", diag(res, srv)


def test_env_refused_without_acceptenv(h):
    srv = h.server("burrowd")
    argv = h.client_argv("burrow", srv, 'echo "A=$BURROWT_A"', extra=["SendEnv=BURROWT_*"])
    env = dict(os.environ, BURROWT_A="alpha")
    res = h.wait(h.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env))
    assert res.rc == 0, diag(res, srv)
    assert res.out.strip() == "A=", diag(res, srv)


@pytest.mark.parametrize("flag,command,expect_tty,expect_msg", [
    ([], "tty", False, False),
    (["-t"], "tty", False, True),
    (["-tt"], "tty", True, False),
    (["-T"], None, False, False),
    ([], None, False, True),
])
def test_tty_flags_without_terminal(h, flag, command, expect_tty, expect_msg):
    """stdin not a terminal: -t and a login session say so and get none; -tt forces one."""
    srv = h.server("burrowd")
    argv = h.client_argv("burrow", srv, command, opts=flag)
    res = h.run(argv, input=b"tty\nexit\n")
    out = res.out.replace("\r", "")
    assert ("/dev/pts/" in out) == expect_tty, diag(res, srv)
    assert ("not a tty" in out) == (not expect_tty), diag(res, srv)
    msg = "Pseudo-terminal will not be allocated because stdin is not a terminal."
    assert (msg in res.err) == expect_msg, diag(res, srv)


@pytest.mark.parametrize("sig", ["TERM", "HUP"])
def test_raw_mode_restored_when_killed(h, pane, tmp_path, sig):
    """A signal that ends burrow still gives the terminal its modes back."""
    srv = h.server("burrowd")
    before, after = tmp_path / "stty-before", tmp_path / "stty-after"
    pane.send("stty -g > %s" % before)
    m = pane.mark()
    run_in_pane(pane, h.client_argv("burrow", srv, remote_shell(), opts=["-tt"]))
    pane.wait_for("^" + re.escape(PROMPT), timeout=20, after=m)
    shell_pid = pane.tmux("display-message", "-p", "-t", "t", "#{pane_pid}").strip()
    pids = subprocess.run(["pgrep", "-P", shell_pid], stdout=subprocess.PIPE,
                          check=True).stdout.split()
    assert len(pids) == 1, pids
    m = pane.mark()
    os.kill(int(pids[0]), getattr(__import__("signal"), "SIG" + sig))
    pane.wait_for(re.escape(LOCAL_PROMPT) + r"$", after=m)
    pane.send("stty -g > %s; echo KILLED-DONE" % after)
    pane.wait_for(r"^KILLED-DONE$", after=m)
    assert before.read_text() == after.read_text(), pane.screen()
    # The descriptors are blocking again (dash says so when they are not).
    assert "NDELAY" not in pane.screen(), pane.screen()
