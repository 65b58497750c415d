"""The seed's examples 1, 2, 3, 4 and 7 run as written on its four hosts
(network namespaces, see topology.py), with burrow and with OpenSSH's ssh as
the client, against burrowd and sshd on vishnu and ketu.

The user on brahma is a throwaway local user whose home (a temp dir) holds
.ssh/config (Host *: IdentityFile, UserKnownHostsFile, StrictHostKeyChecking
accept-new, BatchMode yes): ssh reads ~/.ssh/config from the passwd entry and
burrow from $HOME, and both point there, so the command lines are the seed's.
Root only; skipped with the reason otherwise.
"""

import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import fwdutil
from sshutil import BUILD, BURROW, BURROWD, SSHD, keygen, need, tail
from topology import Topology, can_make_namespaces, ns_listening, wait_ns_listen

PORT = 3456


def _useradd(name, home):
    subprocess.run(["useradd", "-M", "-p", "*", "-d", str(home), "-s", "/bin/sh", name],
                   check=True, capture_output=True, timeout=30)
    home.mkdir()
    pw = pwd.getpwnam(name)
    os.chown(home, pw.pw_uid, pw.pw_gid)
    return pw


def _userdel(name):
    subprocess.run(["userdel", name], check=False, capture_output=True, timeout=30)


class World:
    """The topology plus users, keys and HTTP servers."""

    def __init__(self):
        self.topo = Topology()
        self.dir = Path(tempfile.mkdtemp(prefix="burrow-topo-"))
        os.chmod(self.dir, 0o755)
        self.users = []
        tag = self.topo.tag
        self.local_name = "bl" + tag
        self.remote_name = "br" + tag

    def setup(self):
        self.topo.setup()
        # Users (same passwd in every namespace: no mount namespace for it).
        self.local = _useradd(self.local_name, self.dir / "home-local")
        self.users.append(self.local_name)
        self.remote = _useradd(self.remote_name, self.dir / "home-remote")
        self.users.append(self.remote_name)
        home = Path(self.local.pw_dir)
        ssh_dir = home / ".ssh"
        ssh_dir.mkdir(mode=0o700)
        self.key = ssh_dir / "id_ed25519"
        pub = keygen(self.key, "burrow-topology-user")
        self.known_hosts = ssh_dir / "known_hosts"
        (ssh_dir / "config").write_text(
            "Host *\n"
            "    IdentityFile %s\n"
            "    UserKnownHostsFile %s\n"
            "    StrictHostKeyChecking accept-new\n"
            "    BatchMode yes\n" % (self.key, self.known_hosts))
        for p in [ssh_dir] + list(ssh_dir.iterdir()):
            os.chown(p, self.local.pw_uid, self.local.pw_gid)
        # One authorized_keys for both users, readable by them.
        self.authorized_keys = self.dir / "authorized_keys"
        self.authorized_keys.write_text(pub + " burrow-topology-user\n")
        os.chmod(self.authorized_keys, 0o644)
        self.fp = fwdutil.fingerprint(self.key)
        # Host keys shared by sshd and burrowd of a host, so known_hosts stays valid.
        self.hostkeys = {}
        for host in ("vishnu", "ketu"):
            self.hostkeys[host] = self.dir / ("hostkey-" + host)
            keygen(self.hostkeys[host], "host-" + host)
        # HTTP servers: ketu (all addresses), vishnu's loopback and its own
        # address (for -L 3456:vishnu:80), brahma (all, for -L 3456:brahma:80).
        t = self.topo
        t.http("ketu", "0.0.0.0", 80, "ketu")
        t.http("vishnu", "127.0.0.1", 80, "vishnu")
        t.http("vishnu", "192.0.2.2", 80, "vishnu")
        self.brahma_http = t.http("brahma", "0.0.0.0", 80, "brahma")
        return self

    def destroy(self):
        try:
            self.topo.destroy()
        finally:
            for u in self.users:
                _userdel(u)
            shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="module")
def world():
    ok, reason = can_make_namespaces()
    if not ok:
        pytest.skip(reason)
    w = World()
    try:
        w.setup()
    except BaseException:
        w.destroy()
        raise
    yield w
    w.destroy()


class Daemon:
    def __init__(self, world, kind, host):
        self.kind = kind
        self.host = host
        self.dir = world.dir / ("%s-%s" % (kind, host))
        self.dir.mkdir()
        self.log = self.dir / "server.log"
        cfg = self.dir / "config"
        lines = ["Port 22", "ListenAddress 0.0.0.0",
                 "HostKey %s" % world.hostkeys[host],
                 "AuthorizedKeysFile %s" % world.authorized_keys,
                 "StrictModes no",
                 "PidFile %s" % (self.dir / "pid")]
        if kind == "sshd":
            lines += ["StrictModes no", "UsePAM no", "PasswordAuthentication no",
                      "KbdInteractiveAuthentication no", "LogLevel VERBOSE"]
            argv = [SSHD, "-D", "-e", "-f", cfg]
        else:
            need(BURROWD)
            argv = [BURROWD, "-D", "-e", "-f", cfg]
        cfg.write_text("\n".join(lines) + "\n")
        with open(self.log, "wb") as f:
            self.proc = world.topo.spawn(host, argv, stdout=f, stderr=f)
        if not wait_ns_listen(self.proc, 22):
            pytest.fail("%s did not start in %s\n%s" % (kind, host, tail(self.log)),
                        pytrace=False)

    def log_text(self):
        return self.log.read_text(errors="replace")

    def stop(self):
        for sig in (15, 9):
            try:
                os.killpg(self.proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self.proc.wait(timeout=3)
                break
            except subprocess.TimeoutExpired:
                pass


@pytest.fixture(scope="module", params=["sshd", "burrowd"])
def daemons(request, world):
    if request.param == "sshd":
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
    ds = {}
    try:
        for host in ("vishnu", "ketu"):
            ds[host] = Daemon(world, request.param, host)
        yield ds
    finally:
        for d in ds.values():
            d.stop()


# Each example: the arguments after the program name, the fetch to make
# (from host, to host, port), what the HTTP server must report, the user the
# remote shell runs as, the server whose shell it is, and burrowd's audit line
# (the daemon that connects to the target, and the target as requested).
EXAMPLES = {
    "ex1-localhost": dict(args=["-L", "3456:localhost:80", "vishnu"],
                          server="vishnu", peer="127.0.0.1",
                          shell_on="192.0.2.2", audit=("vishnu", "localhost:80")),
    "ex1-vishnu": dict(args=["-L", "3456:vishnu:80", "vishnu"],
                       server="vishnu", peer="192.0.2.2",
                       shell_on="192.0.2.2", audit=("vishnu", "vishnu:80")),
    "ex1-brahma": dict(args=["-L", "3456:brahma:80", "vishnu"],
                       server="brahma", peer="192.0.2.2",
                       shell_on="192.0.2.2", audit=("vishnu", "brahma:80")),
    "ex2": dict(args=["-L", "3456:ketu:80", "vishnu"],
                server="ketu", peer="192.0.2.129", rahu=False,
                shell_on="192.0.2.2", audit=("vishnu", "ketu:80")),
    "ex3": dict(args=["-g", "-L", "3456:ketu:80", "vishnu"],
                server="ketu", peer="192.0.2.129", rahu=True,
                shell_on="192.0.2.2", audit=("vishnu", "ketu:80")),
    "ex4": dict(args=["-L", "3456:localhost:80", "{remote}@vishnu"],
                server="vishnu", peer="127.0.0.1", remote_user=True,
                shell_on="192.0.2.2", audit=("vishnu", "localhost:80")),
    "ex7": dict(args=["-J", "vishnu", "-L", "3456:localhost:80", "ketu"],
                server="ketu", peer="127.0.0.1",
                shell_on="192.0.2.130", audit=("ketu", "localhost:80")),
}


def _body_fields(body):
    return dict(f.split("=", 1) for f in body.split() if "=" in f)


def _wait_port_free(world, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not ns_listening(world.brahma_http.pid, PORT):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("example", list(EXAMPLES))
@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_seed_example(world, daemons, client, example):
    ex = EXAMPLES[example]
    if client == "burrow":
        need(BURROW)
    topo = world.topo
    assert _wait_port_free(world), "port %d still busy on brahma" % PORT
    try:
        world.known_hosts.unlink()
    except FileNotFoundError:
        pass
    user = world.remote_name if ex.get("remote_user") else world.local_name
    args = [a.replace("{remote}", world.remote_name) for a in ex["args"]]
    home = world.local.pw_dir
    argv = ["setpriv", "--reuid", str(world.local.pw_uid), "--regid",
            str(world.local.pw_gid), "--init-groups", "env", "-i",
            "HOME=%s" % home, "USER=%s" % world.local_name,
            "LOGNAME=%s" % world.local_name,
            "PATH=%s:/usr/local/bin:/usr/bin:/bin" % BUILD, client] + args
    out = world.dir / ("%s-%s-%s.out" % (daemons["vishnu"].kind, client, example))
    err = out.with_suffix(".err")
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = topo.spawn("brahma", argv, stdin=subprocess.PIPE, stdout=o, stderr=e)

    def info():
        return "command: %s %s\nclient %s\nstdout:\n%s\nstderr:\n%s\n%s" % (
            client, " ".join(args),
            "running" if proc.poll() is None else "exited %s" % proc.returncode,
            tail(out), tail(err),
            "\n".join("--- %s on %s ---\n%s" % (d.kind, h, tail(d.log, 30))
                      for h, d in daemons.items()))

    try:
        assert wait_ns_listen(proc, PORT, timeout=20), "no listener on brahma:%d\n%s" % (
            PORT, info())
        ok, body = topo.fetch("brahma", "127.0.0.1", PORT)
        assert ok, "fetch from brahma: %s\n%s" % (body, info())
        f = _body_fields(body)
        assert f.get("server") == ex["server"], body + info()
        assert f.get("peer", "").rsplit(":", 1)[0] == ex["peer"], body + info()
        if "rahu" in ex:
            ok, body = topo.fetch("rahu", "brahma", PORT)
            if ex["rahu"]:
                assert ok, "fetch from rahu with -g: %s\n%s" % (body, info())
                f = _body_fields(body)
                assert f.get("server") == ex["server"], body + info()
                assert f.get("peer", "").rsplit(":", 1)[0] == ex["peer"], body + info()
            else:
                assert not ok and "ConnectionRefused" in body, \
                    "rahu must not reach the forward without -g: %s\n%s" % (body, info())
        # The remote shell reads our stdin: prove who and where it ran, then end it.
        proc.stdin.write(b'echo "user=$(id -un)"; echo "conn=$SSH_CONNECTION"\n')
        proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("client did not end after stdin closed\n" + info(), pytrace=False)
        text = out.read_text(errors="replace")
        assert "user=%s\n" % user in text, info()
        m = re.search(r"^conn=(\S+) (\d+) (\S+) (\d+)$", text, re.M)
        assert m and m.group(3) == ex["shell_on"] and m.group(4) == "22", info()
        if daemons["vishnu"].kind == "burrowd":
            d = daemons[ex["audit"][0]]
            rx = (r"audit: direct-tcpip user=%s key=%s client=\S+ originator=\S+ "
                  r"target=%s sent=\d+ received=\d+ duration=\d+\.\d{3}s outcome=closed"
                  % (re.escape(user), re.escape(world.fp), re.escape(ex["audit"][1])))
            deadline = time.monotonic() + 10
            while not re.search(rx, d.log_text()) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert re.search(rx, d.log_text()), "no audit line %s\n%s" % (rx, info())
    finally:
        if proc.poll() is None:
            for sig in (15, 9):
                try:
                    os.killpg(proc.pid, sig)
                except (ProcessLookupError, PermissionError):
                    pass
                try:
                    proc.wait(timeout=3)
                    break
                except subprocess.TimeoutExpired:
                    pass


# --- remote forwarding: the seed's examples 8 and 9 ---------------------------

RPORT = 7777


def _user_argv(world, client, args):
    """argv running client as the local user on brahma, with his $HOME."""
    home = world.local.pw_dir
    return ["setpriv", "--reuid", str(world.local.pw_uid), "--regid",
            str(world.local.pw_gid), "--init-groups", "env", "-i",
            "HOME=%s" % home, "USER=%s" % world.local_name,
            "LOGNAME=%s" % world.local_name,
            "PATH=%s:/usr/local/bin:/usr/bin:/bin" % BUILD, client] + list(args)


def _wait_ns_free(pid, port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not ns_listening(pid, port):
            return True
        time.sleep(0.1)
    return False


def _cmdline(pid):
    try:
        return Path("/proc/%d/cmdline" % pid).read_bytes().split(b"\0")
    except OSError:
        return []


def _uid(pid):
    try:
        for line in Path("/proc/%d/status" % pid).read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _kill_pids(pids):
    for pid in pids:
        try:
            os.kill(pid, 9)
        except ProcessLookupError:
            pass


def _remote_audit(world, daemons, info):
    """burrowd on vishnu: the forwarded-tcpip audit line of the fetch."""
    if daemons["vishnu"].kind != "burrowd":
        return
    d = daemons["vishnu"]
    rx = (r"audit: forwarded-tcpip user=%s key=%s client=192\.0\.2\.1:\d+ "
          r"originator=127\.0\.0\.1:\d+ target=(?:127\.0\.0\.1|localhost):%d "
          r"sent=\d+ received=\d+ duration=\d+\.\d{3}s outcome=closed"
          % (re.escape(world.local_name), re.escape(world.fp), RPORT))
    deadline = time.monotonic() + 10
    while not re.search(rx, d.log_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert re.search(rx, d.log_text()), "no audit line %s\n%s" % (rx, info())


def _daemon_tails(daemons):
    return "\n".join("--- %s on %s ---\n%s" % (d.kind, h, tail(d.log, 30))
                     for h, d in daemons.items())


@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_seed_example8(world, daemons, client):
    """brahma% ssh -R 7777:localhost:80 vishnu — a user on vishnu reaches
    brahma's port 80 through vishnu:7777; nothing listens on brahma:7777."""
    if client == "burrow":
        need(BURROW)
    topo = world.topo
    vishnu = daemons["vishnu"].proc.pid
    assert _wait_ns_free(vishnu, RPORT), "port %d still busy on vishnu" % RPORT
    try:
        world.known_hosts.unlink()
    except FileNotFoundError:
        pass
    args = ["-R", "%d:localhost:80" % RPORT, "vishnu"]
    out = world.dir / ("%s-%s-ex8.out" % (daemons["vishnu"].kind, client))
    err = out.with_suffix(".err")
    with open(out, "wb") as o, open(err, "wb") as e:
        proc = topo.spawn("brahma", _user_argv(world, client, args),
                          stdin=subprocess.PIPE, stdout=o, stderr=e)

    def info():
        return "command: %s %s\nclient %s\nstdout:\n%s\nstderr:\n%s\n%s" % (
            client, " ".join(args),
            "running" if proc.poll() is None else "exited %s" % proc.returncode,
            tail(out), tail(err), _daemon_tails(daemons))

    try:
        deadline = time.monotonic() + 20
        while not ns_listening(vishnu, RPORT):
            assert proc.poll() is None and time.monotonic() < deadline, \
                "no listener on vishnu:%d\n%s" % (RPORT, info())
            time.sleep(0.05)
        ok, body = topo.fetch("vishnu", "127.0.0.1", RPORT)
        assert ok, "fetch on vishnu: %s\n%s" % (body, info())
        f = _body_fields(body)
        assert f.get("server") == "brahma", body + info()
        # the client connected to brahma's localhost:80
        assert f.get("peer", "").rsplit(":", 1)[0] == "127.0.0.1", body + info()
        assert not ns_listening(world.brahma_http.pid, RPORT), \
            "-R must not listen on brahma\n" + info()
        _remote_audit(world, daemons, info)
        proc.stdin.write(b'echo "user=$(id -un)"; echo "conn=$SSH_CONNECTION"\n')
        proc.stdin.close()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pytest.fail("client did not end after stdin closed\n" + info(), pytrace=False)
        text = out.read_text(errors="replace")
        assert "user=%s\n" % world.local_name in text, info()
        m = re.search(r"^conn=(\S+) (\d+) (\S+) (\d+)$", text, re.M)
        assert m and m.group(1) == "192.0.2.1" and m.group(3) == "192.0.2.2", info()
        assert _wait_ns_free(vishnu, RPORT), \
            "vishnu:%d still listening after the client ended\n%s" % (RPORT, info())
    finally:
        if proc.poll() is None:
            _kill_pids([proc.pid])
            try:
                proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                pass


@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_seed_example9(world, daemons, client):
    """brahma% ssh -f -C -R 7777:ketu:80 vishnu sleep 300 — vishnu:7777
    reaches ketu's port 80, connected from brahma (the -R client resolves and
    connects to ketu), and no port forwarding is set on brahma at all.

    burrow accepts -C (its usage lists it); whether compression is really
    negotiated does not change what this checks.
    """
    if client == "burrow":
        need(BURROW)
    topo = world.topo
    vishnu = daemons["vishnu"].proc.pid
    assert _wait_ns_free(vishnu, RPORT), "port %d still busy on vishnu" % RPORT
    try:
        world.known_hosts.unlink()
    except FileNotFoundError:
        pass
    args = ["-f", "-C", "-R", "%d:ketu:80" % RPORT, "vishnu", "sleep", "300"]
    out = world.dir / ("%s-%s-ex9.out" % (daemons["vishnu"].kind, client))
    err = out.with_suffix(".err")

    def ours(host, words):
        return [p for p in topo.pids(host)
                if all(w in _cmdline(p) for w in words)]

    topo.route_via_vishnu(True)
    proc = None
    try:
        ok, body = topo.fetch("brahma", "ketu", 80)
        assert ok, "brahma cannot reach ketu through vishnu: %s" % body
        with open(out, "wb") as o, open(err, "wb") as e:
            proc = topo.spawn("brahma", _user_argv(world, client, args), stdout=o,
                              stderr=e)

        def info():
            return "command: %s %s\nclient %s\nstdout:\n%s\nstderr:\n%s\n%s" % (
                client, " ".join(args),
                "running" if proc.poll() is None else "exited %s" % proc.returncode,
                tail(out), tail(err), _daemon_tails(daemons))

        try:
            rc = proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        assert rc == 0, "-f did not return 0\n" + info()
        deadline = time.monotonic() + 20
        while not ns_listening(vishnu, RPORT):
            assert time.monotonic() < deadline, "no listener on vishnu:%d\n%s" % (
                RPORT, info())
            time.sleep(0.05)
        ok, body = topo.fetch("vishnu", "127.0.0.1", RPORT)
        assert ok, "fetch on vishnu: %s\n%s" % (body, info())
        f = _body_fields(body)
        assert f.get("server") == "ketu", body + info()
        assert f.get("peer", "").rsplit(":", 1)[0] == "192.0.2.1", \
            "ketu must be reached from brahma\n" + body + info()
        assert not ns_listening(world.brahma_http.pid, RPORT), \
            "no port forwarding may be set on brahma\n" + info()
        bg = ours("brahma", [client.encode(), b"%d:ketu:80" % RPORT])
        assert bg, "the background client is not running on brahma\n" + info()
        sleeps = [p for p in ours("vishnu", [b"sleep", b"300"])
                  if _uid(p) == world.local.pw_uid]
        assert sleeps, "'sleep 300' does not run on vishnu as the user\n" + info()
        _remote_audit(world, daemons, info)
    finally:
        _kill_pids(ours("brahma", [b"%d:ketu:80" % RPORT]))
        _kill_pids([p for p in ours("vishnu", [b"sleep", b"300"])
                    if _uid(p) == world.local.pw_uid])
        if proc is not None and proc.poll() is None:
            _kill_pids([proc.pid])
        topo.route_via_vishnu(False)
        _wait_ns_free(vishnu, RPORT)
