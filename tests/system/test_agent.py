"""ssh-agent, agent forwarding, passphrases through SSH_ASKPASS, -i key.pub.

A real `ssh-agent -a SOCK -D` is started per test with keys added by
ssh-add; burrow logs in with the agent only (no key files), to burrowd and
to sshd, and forwards the agent with -A.  OpenSSH's ssh is the oracle where
behaviour is compared (passphrase prompts, forwarded agent listing).
"""

import os
import socket
import subprocess
import time
from pathlib import Path

import pytest

import sshutil
from sshutil import BURROW, HOST, SSH, SSH_KEYGEN, USER, diag

SSH_AGENT = "/usr/bin/ssh-agent"
SSH_ADD = "/usr/bin/ssh-add"
KEY_TYPES = {
    "ed25519": ["-t", "ed25519"],
    "ecdsa": ["-t", "ecdsa", "-b", "256"],
    "rsa": ["-t", "rsa", "-b", "3072"],
}
MiB = 1 << 20


def make_key(path, kind="ed25519", passphrase=""):
    subprocess.run([SSH_KEYGEN, "-q", *KEY_TYPES[kind], "-N", passphrase,
                    "-C", "agent-test-%s" % kind, "-f", str(path)],
                   check=True, stdin=subprocess.DEVNULL, timeout=60)
    return Path(str(path) + ".pub").read_text().split()[:2]


def fingerprint(path):
    out = subprocess.run([SSH_KEYGEN, "-lf", str(path)], check=True,
                         capture_output=True, text=True, timeout=30).stdout
    return out.split()[1]


class Agent:
    def __init__(self, h):
        self.h = h
        self.sock = h.dir / "agent.sock"
        self.proc = h.spawn([SSH_AGENT, "-D", "-a", str(self.sock)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(str(self.sock))
                    return
            except OSError:
                time.sleep(0.05)
        pytest.fail("ssh-agent did not start")

    def add(self, key):
        env = dict(os.environ, SSH_AUTH_SOCK=str(self.sock))
        r = subprocess.run([SSH_ADD, str(key)], env=env, capture_output=True,
                           text=True, timeout=30, stdin=subprocess.DEVNULL)
        assert r.returncode == 0, r.stderr


@pytest.fixture
def agent(h, monkeypatch):
    a = Agent(h)
    monkeypatch.setenv("SSH_AUTH_SOCK", str(a.sock))
    return a


def authorized(h, *pubs, options=""):
    p = h.dir / ("authorized_keys%d" % len(list(h.dir.iterdir())))
    p.write_text("".join("%s%s %s\n" % (options, k[0], k[1]) for k in pubs))
    os.chmod(p, 0o600)
    return p


def argv(h, srv, command, kind="burrow", identity=None, only=False,
         batch=True, opts=(), extra=()):
    """Like Harness.client_argv, but the agent may be used: no key file unless
    identity is given (a path that does not exist otherwise)."""
    prog = str(BURROW) if kind == "burrow" else SSH
    if kind == "burrow":
        sshutil.need(BURROW)
    a = [prog, "-F", "/dev/null", "-p", str(srv.port),
         "-i", str(identity or (h.dir / "no-such-key")),
         "-o", "UserKnownHostsFile=%s" % h.known_hosts(),
         "-o", "GlobalKnownHostsFile=/dev/null",
         "-o", "StrictHostKeyChecking=accept-new"]
    if batch:
        a += ["-o", "BatchMode=yes"]
    if only:
        a += ["-o", "IdentitiesOnly=yes"]
    for e in extra:
        a += ["-o", e]
    a += list(opts)
    a.append("%s@%s" % (USER, HOST))
    if command is not None:
        a.append(command)
    return a


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
@pytest.mark.parametrize("ktype", list(KEY_TYPES))
def test_login_with_agent_only(h, agent, server, ktype):
    key = h.dir / ("id_%s" % ktype)
    pub = make_key(key, ktype)
    agent.add(key)
    key.unlink()  # the agent is the only holder of the private key
    Path(str(key) + ".pub").unlink()
    srv = h.server(server, authorized_keys=authorized(h, pub))
    res, sent, got, n = h.stream(argv(h, srv, "cat", opts=["-v"]), MiB)
    assert res.rc == 0 and n == MiB and sent == got, diag(res, srv)
    assert "Authentication succeeded (publickey)" in res.err, res.err


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
@pytest.mark.parametrize("alg", ["rsa-sha2-512", "rsa-sha2-256"])
def test_rsa_agent_signature_is_sha2(h, agent, server, alg):
    """The server takes only one SHA-2 algorithm: the agent must have signed
    with it (flag 4 or 2), never with ssh-rsa."""
    key = h.dir / "id_rsa"
    pub = make_key(key, "rsa")
    agent.add(key)
    srv = h.server(server, authorized_keys=authorized(h, pub),
                   extra=["PubkeyAcceptedAlgorithms=%s" % alg])
    res = h.run(argv(h, srv, "echo ok", extra=["PubkeyAcceptedAlgorithms=%s" % alg]))
    assert res.rc == 0 and res.out == "ok\n", diag(res, srv)
    if alg == "rsa-sha2-512":
        # Our default preference is rsa-sha2-512 (OpenSSH's order).
        res = h.run(argv(h, srv, "echo ok"))
        assert res.rc == 0 and res.out == "ok\n", diag(res, srv)


def test_pub_file_selects_agent_key(h, agent):
    k1, k2 = h.dir / "k1", h.dir / "k2"
    make_key(k1)
    pub2 = make_key(k2)
    agent.add(k1)
    agent.add(k2)
    k1.unlink()
    k2.unlink()
    srv = h.server("burrowd", authorized_keys=authorized(h, pub2))
    pub_path = str(k2) + ".pub"
    # IdentitiesOnly: only the selected key is offered.
    res = h.run(argv(h, srv, "echo ok", identity=pub_path, only=True, opts=["-v"]))
    assert res.rc == 0 and res.out == "ok\n", diag(res, srv)
    offered = [l for l in res.err.splitlines() if "Offering public key" in l]
    assert len(offered) == 1 and pub_path in offered[0], res.err
    assert fingerprint(pub_path) in offered[0], res.err
    # Without it, the selected key goes first and the others may follow.
    res = h.run(argv(h, srv, "echo ok", identity=pub_path, opts=["-v"]))
    assert res.rc == 0, diag(res, srv)
    offered = [l for l in res.err.splitlines() if "Offering public key" in l]
    assert pub_path in offered[0], res.err
    # A key the server does not know, alone: refused as ssh refuses.
    srv2 = h.server("burrowd", authorized_keys=authorized(h, make_key(h.dir / "k3")))
    res = h.run(argv(h, srv2, "echo ok", identity=pub_path, only=True))
    assert res.rc == 255 and "Permission denied (publickey)." in res.err, diag(res, srv2)
    # IdentitiesOnly without a matching file: agent keys are not offered at all.
    res = h.run(argv(h, srv, "echo ok", only=True, opts=["-v"]))
    assert res.rc == 255 and "Offering public key" not in res.err, res.err


def askpass_script(h, passphrase):
    count = h.dir / "askpass.count"
    script = h.dir / "askpass.sh"
    script.write_text("#!/bin/sh\necho \"$1\" >> %s\necho '%s'\n" % (count, passphrase))
    os.chmod(script, 0o755)
    return script, count


@pytest.mark.parametrize("with_pub", [True, False], ids=["pub", "nopub"])
def test_encrypted_key_askpass(h, monkeypatch, with_pub):
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    key = h.dir / "id_enc"
    pub = make_key(key, "ed25519", passphrase="correct horse")
    if not with_pub:
        Path(str(key) + ".pub").unlink()
    srv = h.server("burrowd", authorized_keys=authorized(h, pub))
    script, count = askpass_script(h, "correct horse")
    monkeypatch.setenv("SSH_ASKPASS", str(script))
    monkeypatch.setenv("SSH_ASKPASS_REQUIRE", "force")
    res, sent, got, n = h.stream(argv(h, srv, "cat", identity=key, only=True,
                                      batch=False), MiB)
    assert res.rc == 0 and n == MiB and sent == got, diag(res, srv)
    prompts = count.read_text().splitlines()
    assert prompts == ["Enter passphrase for key '%s': " % key], prompts


def test_wrong_passphrase_as_ssh(h, monkeypatch):
    """Three prompts, then the key is given up: Permission denied, like ssh."""
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    key = h.dir / "id_enc"
    pub = make_key(key, "ed25519", passphrase="right")
    srv = h.server("burrowd", authorized_keys=authorized(h, pub))
    script, count = askpass_script(h, "wrong")
    monkeypatch.setenv("SSH_ASKPASS", str(script))
    monkeypatch.setenv("SSH_ASKPASS_REQUIRE", "force")
    counts = {}
    for kind in ("ssh", "burrow"):
        if count.exists():
            count.unlink()
        res = h.run(argv(h, srv, "echo ok", kind=kind, identity=key, only=True,
                         batch=False))
        assert res.rc == 255 and "Permission denied (publickey)." in res.err, \
            diag(res, srv)
        counts[kind] = count.read_text().splitlines() if count.exists() else []
    assert counts["burrow"] == counts["ssh"], counts
    # BatchMode never prompts.
    count.unlink()
    res = h.run(argv(h, srv, "echo ok", identity=key, only=True))
    assert res.rc == 255 and not count.exists(), res


REMOTE = "echo SOCK=$SSH_AUTH_SOCK; " \
         "[ -n \"$SSH_AUTH_SOCK\" ] && stat -c 'MODE=%a' \"$(dirname \"$SSH_AUTH_SOCK\")\"; " \
         "[ -n \"$SSH_AUTH_SOCK\" ] && ssh-add -l; true"


@pytest.mark.parametrize("client,server", [("burrow", "burrowd"), ("burrow", "sshd"),
                                           ("ssh", "burrowd")])
def test_agent_forwarding(h, agent, client, server):
    key = h.dir / "id_fwd"
    pub = make_key(key)
    agent.add(key)
    fp = fingerprint(key)
    srv = h.server(server, authorized_keys=authorized(h, pub))
    res = h.run(argv(h, srv, REMOTE, kind=client, identity=key, opts=["-A"]))
    assert res.rc == 0, diag(res, srv)
    assert fp in res.out, diag(res, srv)
    assert "SOCK=/tmp/ssh-" in res.out, res.out
    if server == "burrowd":
        assert "MODE=700" in res.out, res.out
        sock = res.out.split("SOCK=")[1].split()[0]
        # Removed when the connection ends.
        deadline = time.monotonic() + 5
        while os.path.exists(os.path.dirname(sock)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not os.path.exists(os.path.dirname(sock))
    # Without -A there is no agent on the other side.
    res = h.run(argv(h, srv, REMOTE, kind=client, identity=key))
    assert res.rc == 0 and "SOCK=\n" in res.out and fp not in res.out, diag(res, srv)


@pytest.mark.parametrize("how", ["config", "restrict", "no-agent-forwarding"])
def test_agent_forwarding_refused(h, agent, how):
    key = h.dir / "id_fwd"
    pub = make_key(key)
    agent.add(key)
    opts = {"restrict": "restrict ", "no-agent-forwarding": "no-agent-forwarding "}
    srv = h.server("burrowd", authorized_keys=authorized(h, pub, options=opts.get(how, "")),
                   extra=["AllowAgentForwarding=no"] if how == "config" else [])
    res = h.run(argv(h, srv, REMOTE, identity=key, opts=["-A"]))
    assert res.rc == 0 and "SOCK=\n" in res.out, diag(res, srv)


def test_server_refuses_unrequested_agent_channel(h, agent):
    """ssh -A to burrowd works; burrow without -A ignores the agent (covered above).
    Here: PubkeyAcceptedAlgorithms on burrowd refuses a key type it does not list."""
    key = h.dir / "id_pa"
    pub = make_key(key)
    srv = h.server("burrowd", authorized_keys=authorized(h, pub),
                   extra=["PubkeyAcceptedAlgorithms=rsa-sha2-512"])
    res = h.run(argv(h, srv, "echo ok", identity=key, only=True))
    assert res.rc == 255 and "Permission denied (publickey)." in res.err, diag(res, srv)
    assert srv.wait_log("signature algorithm ssh-ed25519 not in PubkeyAcceptedAlgorithms"), \
        diag(res, srv)
    # ssh gets the same answer.
    res = h.run(argv(h, srv, "echo ok", kind="ssh", identity=key, only=True))
    assert res.rc == 255 and "Permission denied (publickey)." in res.err, diag(res, srv)


def test_client_pubkey_accepted_algorithms(h, agent):
    """The client does not offer a key its PubkeyAcceptedAlgorithms leaves out."""
    key = h.dir / "id_pa"
    pub = make_key(key)
    srv = h.server("burrowd", authorized_keys=authorized(h, pub))
    res = h.run(argv(h, srv, "echo ok", identity=key, only=True, opts=["-v"],
                     extra=["PubkeyAcceptedAlgorithms=rsa-sha2-512"]))
    assert res.rc == 255 and "Offering public key" not in res.err, res
    res = h.run(argv(h, srv, "echo ok", identity=key, only=True,
                     extra=["PubkeyAcceptedAlgorithms=+ssh-rsa"]))
    assert res.rc == 0 and res.out == "ok\n", diag(res, srv)


def make_cert(h, key, principal=USER):
    """A test CA and a user certificate KEY-cert.pub for principal; returns the CA pub path."""
    ca = h.dir / "user_ca"
    if not ca.exists():
        make_key(ca)
    subprocess.run([SSH_KEYGEN, "-q", "-s", str(ca), "-I", "agent-test", "-n", principal,
                    str(key) + ".pub"], check=True, stdin=subprocess.DEVNULL, timeout=30)
    return Path(str(ca) + ".pub")


def ca_server(h, server, ca_pub):
    empty = authorized(h)
    return h.server(server, authorized_keys=empty,
                    extra=["TrustedUserCAKeys=%s" % ca_pub])


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
@pytest.mark.parametrize("how", ["beside", "certificatefile", "agent"])
def test_certificate_identity(h, monkeypatch, server, how):
    """Only the certificate is trusted (empty authorized_keys): -cert.pub beside
    the key, CertificateFile, or key and certificate in the agent."""
    key = h.dir / "id_cert"
    make_key(key)
    ca_pub = make_cert(h, key)
    srv = ca_server(h, server, ca_pub)
    extra = []
    ident = key
    if how == "certificatefile":
        moved = h.dir / "elsewhere-cert.pub"
        os.rename(str(key) + "-cert.pub", moved)
        extra = ["CertificateFile=%s" % moved]
    if how == "agent":
        a = Agent(h)
        a.add(key)  # ssh-add adds KEY-cert.pub too
        monkeypatch.setenv("SSH_AUTH_SOCK", str(a.sock))
        for p in (key, Path(str(key) + ".pub"), Path(str(key) + "-cert.pub")):
            p.unlink()
        ident = None
    else:
        monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    res, sent, got, n = h.stream(argv(h, srv, "cat", identity=ident,
                                      only=how != "agent", extra=extra), MiB)
    assert res.rc == 0 and n == MiB and sent == got, diag(res, srv)


def test_encrypted_key_tty_prompt(h, monkeypatch):
    """With a terminal, the passphrase is asked on /dev/tty with ssh's prompt."""
    import fcntl
    import select
    import termios

    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    monkeypatch.delenv("SSH_ASKPASS", raising=False)
    monkeypatch.delenv("SSH_ASKPASS_REQUIRE", raising=False)
    key = h.dir / "id_tty"
    pub = make_key(key, "ed25519", passphrase="tty secret")
    srv = h.server("burrowd", authorized_keys=authorized(h, pub))
    master, slave = os.openpty()

    def become_tty_leader():
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    proc = subprocess.Popen(argv(h, srv, "echo logged-in", identity=key, only=True,
                                 batch=False),
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=become_tty_leader,
                            pass_fds=(slave,))
    h.procs.append(proc)
    os.close(slave)
    seen = b""
    deadline = time.monotonic() + 20
    want = ("Enter passphrase for key '%s': " % key).encode()
    while want not in seen and time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
    assert want in seen, seen
    os.write(master, b"tty secret\n")
    res = h.wait(proc, timeout=30)
    os.close(master)
    assert res.rc == 0 and res.out == "logged-in\n", diag(res, srv)
