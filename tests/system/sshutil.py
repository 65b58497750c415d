"""Harness for the system tests: servers (burrowd, sshd), clients (burrow, ssh),
keys, ports, logs and byte-exact streaming.

Everything runs on 127.0.0.1 with ports picked at run time and keys made per
run.  Every process is started in its own session (process group) and killed
by the Harness that started it, so a failing test never leaves anything behind.
"""

import hashlib
import os
import pwd
import re
import select
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
# The build directory can be overridden (e.g. a developer's build-foo).
BUILD = Path(os.environ.get("BURROW_BUILD_DIR", str(REPO / "build"))).resolve()
BURROW = BUILD / "burrow"
BURROWD = BUILD / "burrowd"
PROBE = BUILD / "tests" / "tools" / "ssh-probe"

SSH = shutil.which("ssh") or "/usr/bin/ssh"
SSHD = "/usr/sbin/sshd"  # sshd insists on being started with an absolute path
SSH_KEYGEN = shutil.which("ssh-keygen") or "/usr/bin/ssh-keygen"

USER = pwd.getpwuid(os.getuid()).pw_name
HOST = "127.0.0.1"

CIPHERS = [
    "chacha20-poly1305@openssh.com",
    "aes128-gcm@openssh.com",
    "aes256-gcm@openssh.com",
]
CLIENTS = ["ssh", "burrow"]
SERVERS = ["sshd", "burrowd"]
# (client, server) pairs; ssh->sshd is the baseline that proves the harness.
PAIRINGS = [(c, s) for c in CLIENTS for s in SERVERS]
PAIRING_IDS = ["%s-%s" % p for p in PAIRINGS]

# No single subprocess may run longer than this (brief: <= 120 s).
MAX_TIMEOUT = 120


def need(path):
    """Fail (or skip, with BURROW_SYSTEM_SKIP_MISSING=1) when a binary is missing.

    Failing is the default so that `make check` can never pass by skipping.
    """
    p = Path(path)
    if p.is_file() and os.access(p, os.X_OK):
        return
    msg = "%s is not built (run `make`)" % p
    if os.environ.get("BURROW_SYSTEM_SKIP_MISSING") == "1":
        pytest.skip(msg)
    pytest.fail(msg, pytrace=False)


def free_port():
    """A loopback TCP port that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def keygen(path, comment="burrow-test"):
    """Make an unencrypted ed25519 key pair; return the public key line."""
    subprocess.run([SSH_KEYGEN, "-q", "-t", "ed25519", "-N", "", "-C", comment,
                    "-f", str(path)], check=True, stdin=subprocess.DEVNULL,
                   timeout=30)
    return pub_of(path)


def pub_of(path):
    """'ssh-ed25519 AAAA...' (type and blob, no comment) of a key file."""
    pub = Path(str(path) + ".pub")
    if pub.exists():
        text = pub.read_text()
    else:
        text = subprocess.run([SSH_KEYGEN, "-y", "-f", str(path)], check=True,
                              capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL).stdout
    fields = text.split()
    return "%s %s" % (fields[0], fields[1])


def kill_group(proc, grace=3.0):
    """SIGTERM the process group of proc, then SIGKILL what is left."""
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass


def tail(path, n=60):
    try:
        lines = Path(path).read_text(errors="replace").splitlines()
    except OSError:
        return "<no %s>" % path
    return "\n".join(lines[-n:])


class Result:
    """Outcome of one client run; bytes are kept as bytes."""

    def __init__(self, argv, rc, stdout, stderr, timed_out=False):
        self.argv = argv
        self.rc = rc
        self.stdout = stdout
        self.stderr = stderr
        self.timed_out = timed_out

    @property
    def err(self):
        return self.stderr.decode(errors="replace")

    @property
    def out(self):
        return self.stdout.decode(errors="replace")

    def __str__(self):
        return "argv: %s\nrc: %s%s\nstdout: %r\nstderr:\n%s" % (
            " ".join(map(str, self.argv)), self.rc,
            " (TIMED OUT)" if self.timed_out else "",
            self.stdout[:2000], self.err[-6000:])

    __repr__ = __str__


class Server:
    """One sshd or burrowd in the foreground, logging to DIR/server.log."""

    def __init__(self, harness, kind, directory, ciphers=None, rekey=None,
                 log_level=None, extra=(), config=(), authorized_keys=None):
        """extra: keyword=value settings (burrowd: -o options; sshd: lines of
        its file).  config: lines of a configuration file (Match blocks
        allowed), written after everything else; burrowd reads it with -f.
        authorized_keys: a file to use instead of the run's shared one."""
        self.h = harness
        self.kind = kind
        self.dir = Path(directory)
        self.ciphers = ciphers
        self.rekey = rekey
        self.log_level = log_level
        self.extra = list(extra)
        self.config = list(config)
        self.authorized_keys = authorized_keys or harness.keys.authorized_keys
        self.port = None
        self.proc = None
        self.log = self.dir / "server.log"
        if kind == "sshd":
            self.hostkey = harness.keys.sshd_hostkey
        else:
            # burrowd makes its host key itself when the file is missing.
            self.hostkey = self.dir / "hostkey"
        self.pidfile = self.dir / "server.pid"

    def argv(self):
        if self.kind == "sshd":
            cfg = self.dir / "sshd_config"
            lines = [
                "HostKey %s" % self.hostkey,
                "AuthorizedKeysFile %s" % self.authorized_keys,
                "PidFile %s" % self.pidfile,
                "StrictModes no",
                "UsePAM no",
                "ListenAddress %s" % HOST,
                "Port %d" % self.port,
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
            ]
            if self.ciphers:
                lines.append("Ciphers %s" % self.ciphers)
            if self.rekey:
                lines.append("RekeyLimit %s" % self.rekey)
            if self.log_level:
                lines.append("LogLevel %s" % self.log_level)
            lines += self.extra
            # sshd: "Match" blocks end only at the end of the file.
            lines += self.config
            cfg.write_text("\n".join(lines) + "\n")
            return [SSHD, "-D", "-e", "-f", str(cfg)]
        need(BURROWD)
        argv = [str(BURROWD), "-D", "-e", "-p", str(self.port),
                "-h", str(self.hostkey),
                "-o", "ListenAddress=%s" % HOST,
                "-o", "AuthorizedKeysFile=%s" % self.authorized_keys,
                # Keys live under /tmp (world-writable): as for sshd above.
                "-o", "StrictModes=no",
                "-o", "PidFile=%s" % self.pidfile]
        if self.config:
            cfg = self.dir / "burrowd_config"
            cfg.write_text("\n".join(self.config) + "\n")
            argv += ["-f", str(cfg)]
        if self.ciphers:
            argv += ["-o", "Ciphers=%s" % self.ciphers]
        if self.rekey:
            argv += ["-o", "RekeyLimit=%s" % self.rekey]
        if self.log_level:
            argv += ["-o", "LogLevel=%s" % self.log_level]
        for e in self.extra:
            argv += ["-o", e]
        # As the sshd above: no passwords unless a test asks (extra comes first and wins).
        argv += ["-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no"]
        return argv

    def start(self, port=None):
        """Start on a free port, or on `port` (e.g. again after stop())."""
        if self.kind == "sshd":
            # Privilege separation directory; sshd refuses to start without it.
            if os.geteuid() == 0:
                os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        last = ""
        for _attempt in range(3):
            self.port = port or free_port()
            argv = self.argv()
            with open(self.log, "ab") as log:
                log.write(("### %s\n" % " ".join(argv)).encode())
                log.flush()
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=log,
                                             start_new_session=True)
            self.h.procs.append(self.proc)
            if self._wait_listening(15.0):
                return self
            last = tail(self.log)
            kill_group(self.proc)
            if "in use" not in last:
                break
        pytest.fail("%s did not start listening on %s:%s\n%s"
                    % (self.kind, HOST, self.port, last), pytrace=False)

    def _wait_listening(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.create_connection((HOST, self.port), timeout=1):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_text(self):
        return self.log.read_text(errors="replace")

    def wait_log(self, pattern, timeout=10.0, flags=0):
        """Wait until the log matches pattern; return the match or None."""
        rx = re.compile(pattern, flags)
        deadline = time.monotonic() + timeout
        while True:
            m = rx.search(self.log_text())
            if m or time.monotonic() >= deadline:
                return m
            time.sleep(0.1)

    def host_pub(self):
        """The server's host key as 'ssh-ed25519 AAAA...'."""
        return pub_of(self.hostkey)

    def known_hosts_name(self):
        return "[%s]:%d" % (HOST, self.port)

    def stop(self):
        if self.proc is not None:
            kill_group(self.proc)


class Keys:
    """Per-run keys: a user key in authorized_keys, a stranger key, an sshd host key."""

    def __init__(self, directory):
        d = Path(directory)
        self.dir = d
        self.user_key = d / "id_ed25519"
        self.user_pub = keygen(self.user_key, "burrow-test-user")
        self.wrong_key = d / "id_wrong"
        keygen(self.wrong_key, "burrow-test-stranger")
        self.authorized_keys = d / "authorized_keys"
        self.authorized_keys.write_text(self.user_pub + " burrow-test-user\n")
        os.chmod(self.authorized_keys, 0o600)
        self.sshd_hostkey = d / "ssh_host_ed25519_key"
        keygen(self.sshd_hostkey, "burrow-test-host")
        # Any ed25519 key the servers do not have: the "changed" host key.
        self.other_hostkey = d / "other_host_key"
        keygen(self.other_hostkey, "burrow-test-other-host")


class Harness:
    """Per-test context: a directory, the processes it started, helpers."""

    def __init__(self, keys, directory):
        self.keys = keys
        self.dir = Path(directory)
        self.procs = []
        self.servers = []
        self.markers = []  # unique strings in the argv of -f clients
        self._n = 0

    def _subdir(self, name):
        self._n += 1
        d = self.dir / ("%s%d" % (name, self._n))
        d.mkdir()
        return d

    def server(self, kind, **kw):
        srv = Server(self, kind, self._subdir(kind), **kw)
        self.servers.append(srv)
        return srv.start()

    def known_hosts(self, lines=()):
        """A fresh known_hosts file with the given lines."""
        p = self._subdir("kh") / "known_hosts"
        p.write_text("".join(line + "\n" for line in lines))
        return p

    def client_argv(self, kind, server, command, known_hosts=None,
                    strict="accept-new", identity=None, ciphers=None,
                    rekey=None, verbose=False, extra=(), user=None, opts=()):
        """argv for ssh or burrow; every setting explicit so ~/.ssh is never used.

        command None: no command (e.g. with -N or -W); opts: raw options put
        before the destination (-L spec, -N, -f, -g, -W host:port...).
        """
        if known_hosts is None:
            known_hosts = self.known_hosts()
        identity = identity or self.keys.user_key
        if kind == "ssh":
            argv = [SSH, "-F", "/dev/null"]
        else:
            need(BURROW)
            argv = [str(BURROW), "-F", "/dev/null"]
        argv += ["-p", str(server.port), "-i", str(identity),
                 "-o", "BatchMode=yes",
                 "-o", "UserKnownHostsFile=%s" % known_hosts,
                 "-o", "GlobalKnownHostsFile=/dev/null",
                 "-o", "IdentitiesOnly=yes",
                 "-o", "StrictHostKeyChecking=%s" % strict]
        if ciphers:
            argv += ["-o", "Ciphers=%s" % ciphers]
        if rekey:
            argv += ["-o", "RekeyLimit=%s" % rekey]
        for e in extra:
            argv += ["-o", e]
        if verbose:
            argv.append("-v")
        argv += list(opts)
        argv.append("%s@%s" % (user or USER, HOST))
        if command is not None:
            argv.append(command)
        return argv

    def spawn(self, argv, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        proc = subprocess.Popen([str(a) for a in argv], start_new_session=True, **kw)
        self.procs.append(proc)
        return proc

    def run(self, argv, input=None, timeout=60):
        """Run to completion (killed at timeout); returns a Result."""
        timeout = min(timeout, MAX_TIMEOUT)
        proc = self.spawn(argv, stdin=subprocess.PIPE if input is not None
                          else subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return self.wait(proc, input=input, timeout=timeout)

    def wait(self, proc, input=None, timeout=60):
        """Collect a spawned process's output (killed at timeout)."""
        timeout = min(timeout, MAX_TIMEOUT)
        timed_out = False
        try:
            out, err = proc.communicate(input=input, timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(proc)
            out, err = proc.communicate()
        return Result(proc.args, proc.returncode, out, err, timed_out)

    def stream(self, argv, nbytes, timeout=MAX_TIMEOUT, chunk=1 << 20):
        """Pipe nbytes of random data through argv (a remote `cat`).

        Streams: data is hashed while written and while read, never held
        whole.  Returns (Result with empty stdout, sha_sent, sha_received,
        bytes_received).
        """
        errlog = self._subdir("client") / "stderr"
        with open(errlog, "wb") as ef:
            proc = self.spawn(argv, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=ef)
        sent = hashlib.sha256()
        got = hashlib.sha256()
        state = {"werr": None, "timed_out": False}

        def writer():
            left = nbytes
            try:
                while left > 0:
                    n = min(chunk, left)
                    data = os.urandom(n)
                    sent.update(data)
                    proc.stdin.write(data)
                    left -= n
            except (BrokenPipeError, OSError) as e:
                state["werr"] = e
            finally:
                try:
                    proc.stdin.close()
                except OSError:
                    pass

        def watchdog():
            state["timed_out"] = True
            kill_group(proc, grace=1.0)

        wd = threading.Timer(min(timeout, MAX_TIMEOUT), watchdog)
        wd.start()
        wt = threading.Thread(target=writer, daemon=True)
        wt.start()
        received = 0
        try:
            while True:
                data = proc.stdout.read1(chunk) if hasattr(proc.stdout, "read1") \
                    else proc.stdout.read(chunk)
                if not data:
                    break
                got.update(data)
                received += len(data)
            proc.wait()
        finally:
            wd.cancel()
            wt.join(timeout=10)
            proc.stdout.close()
        if state["timed_out"]:
            wt.join(timeout=5)
        res = Result(argv, proc.returncode, b"", errlog.read_bytes(),
                     state["timed_out"])
        return res, sent.hexdigest(), got.hexdigest(), received

    def kill_marked(self, marker):
        """Kill (by pid) the processes whose command line contains marker:
        clients that went to the background with -f and left our process group."""
        out = subprocess.run(["pgrep", "-f", "--", marker], capture_output=True,
                             text=True, timeout=30).stdout
        for pid in out.split():
            try:
                os.kill(int(pid), signal.SIGTERM)
            except (ProcessLookupError, ValueError):
                pass

    def cleanup(self):
        for p in reversed(self.procs):
            kill_group(p)
        for m in self.markers:
            self.kill_marked(m)


def diag(res=None, *servers):
    """Text for assertion messages: the client result and server log tails."""
    parts = []
    if res is not None:
        parts.append(str(res))
    for s in servers:
        parts.append("--- %s log (%s) ---\n%s" % (s.kind, s.log, tail(s.log)))
    return "\n".join(parts)


def wait_line(proc, expect, timeout):
    """Read proc.stdout lines until one equals expect; return all read so far."""
    buf = b""
    deadline = time.monotonic() + timeout
    fd = proc.stdout.fileno()
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if not r:
            if proc.poll() is not None:
                break
            continue
        data = os.read(fd, 4096)
        if not data:
            break
        buf += data
        if expect.encode() + b"\n" in buf:
            return buf
    return buf
