"""Configuration files (issue 7): a ~/.ssh/config-style Host alias carrying
LocalForward, RemoteForward, ProxyJump and IdentityFile (given with -F and as
$HOME/.ssh/config), burrow -G against ssh -G, ProxyCommand, StrictModes
against sshd, burrowd -i (inetd mode) and burrowd -t against sshd -t.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest

import fwdutil
from fwdutil import Target
from sshutil import (BURROW, BURROWD, HOST, SSH, SSHD, USER, diag, free_port, keygen,
                     need)

ALGS = [
    "Ciphers aes128-ctr,chacha20-poly1305@openssh.com",
    "MACs hmac-sha2-256,hmac-sha2-512-etm@openssh.com",
    "KexAlgorithms curve25519-sha256,diffie-hellman-group14-sha256",
    "HostKeyAlgorithms ssh-ed25519,rsa-sha2-256",
    "PubkeyAcceptedAlgorithms ssh-ed25519,rsa-sha2-512",
    "CASignatureAlgorithms ssh-ed25519,ecdsa-sha2-nistp256",
]


def _alias_config(h, jump, final, lport, rport, lt, rt, extra=()):
    """Host jump (a burrowd), Host alias (the final server) with every forward."""
    kh = h.known_hosts()
    lines = [
        "Host jump",
        "    HostName %s" % HOST,
        "    Port %d" % jump.port,
        "",
        "Host alias",
        "    HostName %s" % HOST,
        "    Port %d" % final.port,
        "    ProxyJump jump",
        "    IdentityFile %s" % h.keys.user_key,
        "    LocalForward %d %s:%d" % (lport, HOST, lt.port),
        "    RemoteForward %s:%d %s:%d" % (HOST, rport, HOST, rt.port),
        "    ExitOnForwardFailure yes",
    ] + ["    " + e for e in extra] + [
        "",
        "Host *",
        "    User %s" % USER,
        "    IdentityFile %s" % h.keys.user_key,
        "    IdentitiesOnly yes",
        "    UserKnownHostsFile %s" % kh,
        "    GlobalKnownHostsFile /dev/null",
        "    StrictHostKeyChecking accept-new",
        "    BatchMode yes",
    ]
    return "\n".join(lines) + "\n"


def _send_hashed(port, n):
    """n random bytes to 127.0.0.1:port; returns (sha sent, sha the target answered)."""
    data = os.urandom(n)
    with socket.create_connection((HOST, port), timeout=30) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(4096)
            if not chunk:
                break
            reply += chunk
    return hashlib.sha256(data).hexdigest(), reply.decode().strip()


def _wait_port(port, proc, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.mark.parametrize("final_kind", ["burrowd", "sshd"])
@pytest.mark.parametrize("how", ["F", "HOME"])
def test_alias_brings_up_every_forward(h, how, final_kind):
    """burrow -N alias: the LocalForward and the RemoteForward of the alias
    both carry 1 MiB (SHA-256 checked), through ProxyJump, with the
    IdentityFile of the alias; the file is given with -F or found as
    $HOME/.ssh/config."""
    need(BURROW)
    jump = h.server("burrowd")
    final = h.server(final_kind)
    lt = Target(fwdutil.h_sink_hash)
    rt = Target(fwdutil.h_sink_hash)
    try:
        lport, rport = free_port(), free_port()
        text = _alias_config(h, jump, final, lport, rport, lt, rt)
        env = dict(os.environ)
        if how == "F":
            cfg = h.dir / "config"
            cfg.write_text(text)
            argv = [str(BURROW), "-F", str(cfg), "-N", "alias"]
        else:
            home = h.dir / "home"
            (home / ".ssh").mkdir(parents=True)
            cfg = home / ".ssh" / "config"
            cfg.write_text(text)
            os.chmod(cfg, 0o600)
            env["HOME"] = str(home)
            argv = [str(BURROW), "-N", "alias"]
        log = open(h.dir / "client.log", "wb")
        proc = h.spawn(argv, stdout=log, stderr=log, env=env)
        # Watch /proc/net/tcp: a probe connection would reach the targets.
        assert fwdutil.wait_listen(lport, proc, timeout=20)
        assert fwdutil.wait_listen(rport, None, timeout=20)
        assert proc.poll() is None, (h.dir / "client.log").read_text()
        sent, got = _send_hashed(lport, 1 << 20)
        assert got == sent, (h.dir / "client.log").read_text()
        sent, got = _send_hashed(rport, 1 << 20)
        assert got == sent, (h.dir / "client.log").read_text()
        assert lt.wait_records(1)[0].get("n") == 1 << 20
        assert rt.wait_records(1)[0].get("n") == 1 << 20
        assert proc.poll() is None
    finally:
        lt.close()
        rt.close()


def _dump(argv, env=None):
    res = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                         timeout=30)
    assert res.returncode == 0, res
    lines = {}
    for line in res.stdout.decode().splitlines():
        kw = line.split(" ", 1)[0]
        lines.setdefault(kw, []).append(line)
    return lines


def test_G_matches_ssh(h, tmp_path):
    """burrow -G alias prints, for every keyword it prints that ssh -G also
    prints, the same lines as ssh -G: Host/Match blocks, tokens, forwards,
    environment, escape character, ProxyJump and ProxyCommand."""
    need(BURROW)
    cfg = tmp_path / "config"
    cfg.write_text("\n".join([
        "IgnoreUnknown UseKeychain,AddKeysToAgentFoo",
        "UseKeychain yes",
        "Host alias !other",
        "    HostName 127.0.0.1",
        "    Port 2222",
        "    User bob",
        "    IdentityFile ~/k/%h-%r-%p",
        "    IdentityFile /x/%d/%u/%n/%%",
        "    CertificateFile ~/c/%h",
        "    IdentityAgent ~/agent/%h-%p",
        "    UserKnownHostsFile ~/kh/%h %d/kh2-%r",
        "    LocalForward 8080 localhost:80",
        "    LocalForward 127.0.0.1:8081 [::1]:81",
        "    RemoteForward 9090 localhost:90",
        "    ProxyJump jumpy",
        "    SendEnv LANG LC_*",
        "    SendEnv -LANG",
        "    SetEnv FOO=bar BAZ=\"q x\"",
        "    BindAddress 127.0.0.1",
        "    EscapeChar ^A",
        "    ServerAliveInterval 5m",
        "    ServerAliveCountMax 7",
        "    ConnectionAttempts 3",
        "    ConnectTimeout 10",
        "    LogLevel DEBUG2",
        "    GatewayPorts yes",
        "    Compression yes",
        "    HashKnownHosts yes",
        "    RequestTTY force",
        "    AddressFamily inet",
        "    StrictHostKeyChecking accept-new",
        "Match originalhost alias exec \"test %h = 127.0.0.1\"",
        "    Port 3333",
        "    DynamicForward 1080",
        "Match host 127.0.0.1 user bob",
        "    ForwardAgent yes",
        "Match !localuser %s" % USER,
        "    ExitOnForwardFailure yes",
        # ("Match final" is left out: ssh then re-reads the file in a final
        # pass where it matches; burrow makes one pass, where it does not.)
        "Host proxied",
        "    ProxyCommand /bin/nc %h %p 'x y' # kept",
        "Host *",
        # burrow's default list leaves out key types it lacks (sk, xmss, dsa).
        "    IdentityFile ~/.ssh/id_test",
    ] + ["    " + a for a in ALGS]) + "\n")
    for host in ("alias", "proxied", "other"):
        ours = _dump([str(BURROW), "-G", "-F", str(cfg), host])
        theirs = _dump([SSH, "-G", "-F", str(cfg), host])
        compared = 0
        for kw, lines in ours.items():
            if kw in theirs:
                assert lines == theirs[kw], (host, kw, lines, theirs[kw])
                compared += 1
        assert compared >= 30, (host, compared, sorted(ours))
    ours = _dump([str(BURROW), "-G", "-F", str(cfg), "alias"])
    assert ours["port"] == ["port 2222"]
    assert ours["sendenv"] == ["sendenv LC_*"]
    assert ours["forwardagent"] == ["forwardagent yes"]
    assert ours["escapechar"] == ["escapechar \\^A"]


def test_unknown_keyword_is_an_error(h, tmp_path):
    """An unknown keyword fails as in ssh unless IgnoreUnknown lists it first."""
    need(BURROW)
    cfg = tmp_path / "config"
    cfg.write_text("Host *\n    FooBar yes\n")
    for prog in (SSH, str(BURROW)):
        res = subprocess.run([prog, "-G", "-F", str(cfg), "x"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=30)
        assert res.returncode == 255, res
        assert b"Bad configuration option: foobar" in res.stderr, res
        assert b"terminating, 1 bad configuration options" in res.stderr, res
    cfg.write_text("IgnoreUnknown foo*\nHost *\n    FooBar yes\n")
    for prog in (SSH, str(BURROW)):
        res = subprocess.run([prog, "-G", "-F", str(cfg), "x"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=30)
        assert res.returncode == 0, res


RELAY = r"""
import socket, sys, threading, os
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
def up():
    while True:
        b = os.read(0, 65536)
        if not b:
            s.shutdown(socket.SHUT_WR)
            return
        s.sendall(b)
threading.Thread(target=up, daemon=True).start()
while True:
    b = s.recv(65536)
    if not b:
        break
    os.write(1, b)
"""


@pytest.mark.parametrize("server_kind", ["burrowd", "sshd"])
@pytest.mark.parametrize("proxy", ["burrow-W", "python"])
def test_proxy_command(h, tmp_path, server_kind, proxy):
    """ProxyCommand (no nc): through `burrow -W %h:%p jump` or a python
    relay, with %h %p expanded; a command's output comes back intact."""
    need(BURROW)
    jump = h.server("burrowd")
    srv = h.server(server_kind)
    relay = tmp_path / "relay.py"
    relay.write_text(RELAY)
    if proxy == "burrow-W":
        pc = "%s -F %s -W %%h:%%p jump" % (BURROW, tmp_path / "config")
    else:
        pc = "%s %s %%h %%p" % (sys.executable, relay)
    kh = h.known_hosts()
    (tmp_path / "config").write_text("\n".join([
        "Host jump",
        "    HostName %s" % HOST,
        "    Port %d" % jump.port,
        "Host target",
        "    HostName %s" % HOST,
        "    Port %d" % srv.port,
        "    ProxyCommand %s" % pc,
        "Host *",
        "    User %s" % USER,
        "    IdentityFile %s" % h.keys.user_key,
        "    IdentitiesOnly yes",
        "    UserKnownHostsFile %s" % kh,
        "    GlobalKnownHostsFile /dev/null",
        "    StrictHostKeyChecking accept-new",
        "    BatchMode yes",
    ]) + "\n")
    res = h.run([str(BURROW), "-F", str(tmp_path / "config"), "target",
                 "head -c 300000 /dev/zero | sha256sum"], timeout=60)
    want = hashlib.sha256(b"\0" * 300000).hexdigest()
    assert res.rc == 0, diag(res, jump, srv)
    assert res.out.split()[0] == want, diag(res, jump, srv)


def _own_server(h, kind, d, ak, strict):
    """A server with its own file (sshutil's turns StrictModes off)."""
    port = free_port()
    hostkey = d / ("hostkey-" + kind)
    if not hostkey.exists():
        keygen(hostkey)
    cfg = d / ("%s_config" % kind)
    lines = ["Port %d" % port, "ListenAddress %s" % HOST, "HostKey %s" % hostkey,
             "AuthorizedKeysFile %s" % ak, "PidFile %s" % (d / (kind + ".pid")),
             "StrictModes %s" % strict, "LogLevel VERBOSE"]
    if kind == "sshd":
        lines += ["UsePAM no", "PasswordAuthentication no", "KbdInteractiveAuthentication no"]
        argv = [SSHD, "-D", "-e", "-f", str(cfg)]
    else:
        argv = [str(BURROWD), "-D", "-e", "-f", str(cfg)]
    cfg.write_text("\n".join(lines) + "\n")
    log = d / (kind + ".log")
    proc = h.spawn(argv, stdout=open(log, "wb"), stderr=subprocess.STDOUT)
    assert _wait_port(port, proc), log.read_text()
    return port, log


def _login(h, port):
    return h.run([str(BURROW), "-F", "/dev/null", "-p", str(port), "-i", str(h.keys.user_key),
                  "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
                  "-o", "UserKnownHostsFile=/dev/null", "-o", "GlobalKnownHostsFile=/dev/null",
                  "-o", "StrictHostKeyChecking=no", "%s@%s" % (USER, HOST), "echo in"],
                 timeout=30)


@pytest.mark.parametrize("kind", ["sshd", "burrowd"])
def test_strict_modes(h, kind):
    """StrictModes yes: a world-writable authorized_keys is refused with
    sshd's message; the same file with mode 0600 is accepted; StrictModes no
    accepts both. The keys live under /run (no world-writable parent)."""
    need(BURROW)
    if os.getuid() != 0:
        pytest.skip("needs root: the key directory is made under /run")
    d = tempfile.mkdtemp(prefix="burrowt-strict-", dir="/run")
    try:
        from pathlib import Path
        d = Path(d)
        os.chmod(d, 0o700)
        ak = d / "authorized_keys"
        shutil.copy(h.keys.authorized_keys, ak)
        os.chmod(ak, 0o600)
        port, log = _own_server(h, kind, d, ak, "yes")
        res = _login(h, port)
        assert res.rc == 0 and res.out.strip() == "in", (res, log.read_text())
        # World-writable (Debian's sshd lets a private group write the file).
        os.chmod(ak, 0o606)
        res = _login(h, port)
        assert res.rc == 255, (res, log.read_text())
        end = time.monotonic() + 10
        want = "Authentication refused: bad ownership or modes for file %s" % ak
        while want not in log.read_text() and time.monotonic() < end:
            time.sleep(0.1)
        assert want in log.read_text(), log.read_text()
        port2, log2 = _own_server(h, kind, d, ak, "no")
        res = _login(h, port2)
        assert res.rc == 0, (res, log2.read_text())
    finally:
        shutil.rmtree(str(d), ignore_errors=True)


def _inetd_config(tmp_path, h, kind):
    hostkey = tmp_path / ("hk-" + kind)
    keygen(hostkey)
    cfg = tmp_path / ("%s_inetd_config" % kind)
    lines = ["HostKey %s" % hostkey, "AuthorizedKeysFile %s" % h.keys.authorized_keys,
             "StrictModes no", "PidFile none" if kind == "burrowd" else "PidFile %s" %
             (tmp_path / "pid")]
    if kind == "sshd":
        lines += ["UsePAM no"]
    cfg.write_text("\n".join(lines) + "\n")
    return cfg


@pytest.mark.parametrize("client", ["burrow", "ssh"])
@pytest.mark.parametrize("kind", ["burrowd", "sshd"])
def test_inetd_mode_via_proxycommand(h, tmp_path, client, kind):
    """burrowd -i serves one connection on stdin/stdout as sshd -i does:
    started by the client's ProxyCommand (ssh gives two pipes, burrow one
    socket), a command's output comes back and the server exits after."""
    need(BURROW)
    need(BURROWD)
    cfg = _inetd_config(tmp_path, h, kind)
    server = SSHD if kind == "sshd" else str(BURROWD)
    pc = "%s -i -e -f %s" % (server, cfg)
    prog = SSH if client == "ssh" else str(BURROW)
    res = h.run([prog, "-F", "/dev/null", "-o", "ProxyCommand=%s" % pc,
                 "-i", str(h.keys.user_key), "-o", "BatchMode=yes",
                 "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=/dev/null",
                 "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
                 "%s@inetd" % USER, "head -c 200000 /dev/zero | sha256sum"], timeout=60)
    assert res.rc == 0, res
    assert res.out.split()[0] == hashlib.sha256(b"\0" * 200000).hexdigest(), res


def test_inetd_mode_socketpair(h, tmp_path):
    """burrowd -i on one end of a socketpair (as inetd hands a socket);
    burrow connects through the other end via a ProxyCommand relay."""
    need(BURROW)
    need(BURROWD)
    cfg = _inetd_config(tmp_path, h, "burrowd")
    a, b = socket.socketpair()
    srv = h.spawn([str(BURROWD), "-i", "-e", "-f", str(cfg)], stdin=b.fileno(),
                  stdout=b.fileno(), stderr=open(tmp_path / "inetd.log", "wb"))
    b.close()
    lsock = socket.socket()
    lsock.bind((HOST, 0))
    lsock.listen(1)
    port = lsock.getsockname()[1]

    def bridge():
        c, _ = lsock.accept()
        import threading

        def pump(x, y):
            while True:
                data = x.recv(65536)
                if not data:
                    try:
                        y.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    return
                y.sendall(data)
        t = threading.Thread(target=pump, args=(a, c), daemon=True)
        t.start()
        pump(c, a)
        t.join(30)
        c.close()
    import threading
    th = threading.Thread(target=bridge, daemon=True)
    th.start()
    res = h.run([str(BURROW), "-F", "/dev/null", "-p", str(port),
                 "-i", str(h.keys.user_key), "-o", "BatchMode=yes",
                 "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=/dev/null",
                 "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no",
                 "%s@%s" % (USER, HOST), "echo inetd-ok"], timeout=60)
    assert res.rc == 0, (res, (tmp_path / "inetd.log").read_text())
    assert res.out.strip() == "inetd-ok"
    assert srv.wait(timeout=20) == 0
    lsock.close()
    a.close()


@pytest.mark.parametrize("text,ok", [
    ("Port 2222\nStrictModes yes\nPrintMotd no\nAcceptEnv LANG LC_*\n"
     "Subsystem sftp /usr/lib/openssh/sftp-server\n"
     "AuthorizedKeysFile .ssh/authorized_keys %h/.ssh/k2 /etc/keys/%u %%x\n"
     "Match User nobody\n    AcceptEnv FOO\n", True),
    ("Bogus yes\n", False),
    ("Subsystem sftp\n", False),
    ("Subsystem sftp /a\nSubsystem sftp /b\n", False),
    ("StrictModes maybe\n", False),
    ("AcceptEnv A=B\n", False),
    ("Match User x\n    Port 22\n", False),
])
def test_t_exit_codes_match_sshd(tmp_path, text, ok):
    """burrowd -t accepts and refuses the same files as sshd -t, with the
    same exit codes; -T prints the same session keyword lines."""
    need(BURROWD)
    hostkey = tmp_path / "hk"
    keygen(hostkey)
    cfg = tmp_path / "cfg"
    cfg.write_text("HostKey %s\n" % hostkey + text)
    codes = []
    for prog in (SSHD, str(BURROWD)):
        res = subprocess.run([prog, "-t", "-f", str(cfg)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, timeout=30)
        codes.append(res.returncode)
    assert codes == ([0, 0] if ok else [255, 255]), (codes, text)
    if ok:
        outs = []
        for prog in (SSHD, str(BURROWD)):
            res = subprocess.run([prog, "-T", "-f", str(cfg)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, timeout=30)
            assert res.returncode == 0, res
            outs.append([ln for ln in res.stdout.decode().splitlines()
                         if ln.split(" ")[0] in ("printmotd", "strictmodes", "acceptenv",
                                                  "subsystem", "authorizedkeysfile", "port")])
        # Same lines per keyword (the keyword order differs).
        assert sorted(outs[0]) == sorted(outs[1]), outs
