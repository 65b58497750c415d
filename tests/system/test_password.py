"""Password and keyboard-interactive authentication (issue 7), both directions.

A user burrowtpw is made for the module with a known password (useradd +
chpasswd) and removed at the end; this needs root, so without it every test
is skipped with that reason.  Clients have no terminal (their own session),
so they ask SSH_ASKPASS (SSH_ASKPASS_REQUIRE=force): a script that logs each
prompt and prints the password from a file.

Covered: password and keyboard-interactive login ssh -> burrowd, burrow ->
sshd, burrow -> burrowd (sshd and ssh as baselines); wrong passwords and
unknown users refused with sshd's log lines; AuthenticationMethods
publickey,password needing both; BatchMode never prompting;
NumberOfPasswordPrompts; a 1 MiB SHA-256 checked transfer after a password
login.
"""

import os
import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

import sshutil
from sshutil import BURROW, HOST, SSH, diag, need

# Unique per run: concurrent runs on one machine must not delete each other's user.
TUSER = "burrowtpw%d" % (os.getpid() % 100000)
TPASS = "Tpw-9f3!kq secret"

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root: creates the user %s and "
                                       "reads /etc/shadow" % TUSER)


def have_pam_sshd():
    return os.path.exists("/etc/pam.d/sshd")


@pytest.fixture(scope="module")
def tuser(keys):
    """The test user with a known password and our key in ~/.ssh."""
    subprocess.run(["userdel", "-r", TUSER], capture_output=True)
    subprocess.run(["useradd", "-m", "-s", "/bin/sh", TUSER], check=True,
                   capture_output=True)
    try:
        subprocess.run(["chpasswd"], input=("%s:%s\n" % (TUSER, TPASS)).encode(),
                       check=True, capture_output=True)
        pw = pwd.getpwnam(TUSER)
        ssh_dir = Path(pw.pw_dir) / ".ssh"
        ssh_dir.mkdir(mode=0o700, exist_ok=True)
        ak = ssh_dir / "authorized_keys"
        ak.write_text(keys.user_pub + " burrow-test-user\n")
        for p in (ssh_dir, ak):
            os.chown(p, pw.pw_uid, pw.pw_gid)
        os.chmod(ak, 0o600)
        yield ak
    finally:
        subprocess.run(["userdel", "-r", TUSER], capture_output=True)


@pytest.fixture
def askpass(tmp_path, monkeypatch):
    """An SSH_ASKPASS program; .set(pw) chooses its answer, .prompts() what it was asked."""
    class Askpass:
        def __init__(self):
            self.dir = tmp_path / "askpass"
            self.dir.mkdir()
            self.log = self.dir / "prompts"
            self.answer = self.dir / "answer"
            self.prog = self.dir / "askpass.sh"
            self.prog.write_text('#!/bin/sh\nprintf "%%s\\n" "$1" >> %s\ncat %s\n'
                                 % (self.log, self.answer))
            os.chmod(self.prog, 0o755)
            self.set(TPASS)

        def set(self, pw):
            self.answer.write_text(pw + "\n")
            if self.log.exists():
                self.log.unlink()

        def prompts(self):
            return self.log.read_text().splitlines() if self.log.exists() else []

    a = Askpass()
    monkeypatch.setenv("SSH_ASKPASS", str(a.prog))
    monkeypatch.setenv("SSH_ASKPASS_REQUIRE", "force")
    monkeypatch.setenv("DISPLAY", ":0")
    return a


class PwServer(sshutil.Server):
    """sshd keeps the first value of a keyword: our settings go before the harness's."""

    def argv(self):
        argv = super().argv()
        if self.kind == "sshd":
            cfg = self.dir / "sshd_config"
            cfg.write_text("".join(e.replace("=", " ", 1) + "\n" for e in self.extra)
                           + cfg.read_text())
        return argv


def server(h, kind, ak, extra=()):
    """A server for TUSER; extra: keyword=value settings that win over the harness's."""
    if kind == "burrowd":
        need(sshutil.BURROWD)
    srv = PwServer(h, kind, h._subdir(kind), authorized_keys=str(ak), extra=list(extra))
    h.servers.append(srv)
    return srv.start()


def client(h, kind, srv, command, key=False, opts=()):
    """argv without BatchMode; key: also offer the test key (else no key at all)."""
    if kind == "burrow":
        need(BURROW)
        argv = [str(BURROW)]
    else:
        argv = [SSH]
    argv += ["-F", "/dev/null", "-p", str(srv.port),
             "-o", "UserKnownHostsFile=%s" % h.known_hosts(),
             "-o", "GlobalKnownHostsFile=/dev/null",
             "-o", "StrictHostKeyChecking=accept-new",
             "-o", "IdentitiesOnly=yes"]
    if key:
        argv += ["-i", str(h.keys.user_key)]
    elif kind == "ssh":
        argv += ["-o", "PubkeyAuthentication=no"]
    else:
        argv += ["-o", "IdentityFile=/nonexistent-burrow-key"]
    for o in opts:
        argv += ["-o", o]
    argv += ["%s@%s" % (TUSER, HOST)]
    if command is not None:
        argv.append(command)
    return argv


PW_ON = ["PasswordAuthentication=yes", "KbdInteractiveAuthentication=no", "UsePAM=no"]
KBD_ON = ["PasswordAuthentication=no", "KbdInteractiveAuthentication=yes", "UsePAM=yes"]

# (client, server) pairs: ssh -> sshd is the baseline.
PAIRS = [("ssh", "sshd"), ("ssh", "burrowd"), ("burrow", "sshd"), ("burrow", "burrowd")]
IDS = ["%s-%s" % p for p in PAIRS]


@pytest.mark.parametrize("ckind,skind", PAIRS, ids=IDS)
def test_password_login_and_wrong_password(h, tuser, askpass, ckind, skind):
    srv = server(h, skind, tuser, PW_ON)
    res = h.run(client(h, ckind, srv, "id -un"))
    assert res.rc == 0 and res.out.strip() == TUSER, diag(res, srv)
    assert askpass.prompts() == ["%s@%s's password: " % (TUSER, HOST)], askpass.prompts()
    assert srv.wait_log(r"Accepted password for %s from 127\.0\.0\.1 port \d+ ssh2" % TUSER), diag(None, srv)

    askpass.set("not the password")
    res = h.run(client(h, ckind, srv, "id -un",
                       opts=["NumberOfPasswordPrompts=2"]))
    assert res.rc == 255 and TUSER not in res.out, diag(res, srv)
    assert len(askpass.prompts()) == 2, askpass.prompts()
    assert res.err.count("Permission denied, please try again.") == 1, diag(res, srv)
    assert "Permission denied (" in res.err, diag(res, srv)
    assert srv.wait_log(r"Failed password for %s from 127\.0\.0\.1 port \d+ ssh2" % TUSER), diag(None, srv)


@pytest.mark.parametrize("ckind,skind", PAIRS, ids=IDS)
def test_unknown_user_refused(h, tuser, askpass, ckind, skind):
    srv = server(h, skind, tuser, PW_ON)
    argv = client(h, ckind, srv, "true", opts=["NumberOfPasswordPrompts=1"])
    argv[-2] = "burrowtnouser@%s" % HOST
    res = h.run(argv)
    assert res.rc == 255, diag(res, srv)
    # The same question as for a real user: nothing tells the two apart.
    assert askpass.prompts() == ["burrowtnouser@%s's password: " % HOST]
    assert srv.wait_log(r"Failed password for invalid user burrowtnouser from 127\.0\.0\.1 port \d+"), diag(None, srv)


@pytest.mark.skipif(not have_pam_sshd(), reason="no /etc/pam.d/sshd for PAM")
@pytest.mark.parametrize("ckind,skind", PAIRS, ids=IDS)
def test_keyboard_interactive(h, tuser, askpass, ckind, skind):
    srv = server(h, skind, tuser, KBD_ON)
    res = h.run(client(h, ckind, srv, "id -un"))
    assert res.rc == 0 and res.out.strip() == TUSER, diag(res, srv)
    assert askpass.prompts() == ["(%s@%s) Password: " % (TUSER, HOST)], askpass.prompts()
    assert srv.wait_log(r"Accepted keyboard-interactive/pam for %s from 127\.0\.0\.1" % TUSER), diag(None, srv)

    askpass.set("wrong wrong")
    res = h.run(client(h, ckind, srv, "id -un", opts=["NumberOfPasswordPrompts=1"]))
    assert res.rc == 255 and TUSER not in res.out, diag(res, srv)
    assert len(askpass.prompts()) == 1, askpass.prompts()


def test_keyboard_interactive_without_pam(h, tuser, askpass):
    """burrowd without PAM still answers keyboard-interactive from the shadow file."""
    srv = server(h, "burrowd", tuser, ["PasswordAuthentication=no",
                                       "KbdInteractiveAuthentication=yes", "UsePAM=no"])
    for ckind in ("ssh", "burrow"):
        res = h.run(client(h, ckind, srv, "id -un"))
        assert res.rc == 0 and res.out.strip() == TUSER, diag(res, srv)
    assert srv.wait_log(r"Accepted keyboard-interactive for %s from" % TUSER), diag(None, srv)


@pytest.mark.parametrize("ckind,skind", PAIRS, ids=IDS)
def test_authentication_methods_publickey_password(h, tuser, askpass, ckind, skind):
    # sshd logs "Partial publickey" at VERBOSE.
    srv = server(h, skind, tuser, PW_ON + ["AuthenticationMethods=publickey,password",
                                           "LogLevel=VERBOSE"])
    # The key alone is not enough (BatchMode: no password asked).
    res = h.run(client(h, ckind, srv, "id -un", key=True, opts=["BatchMode=yes"]))
    assert res.rc == 255 and TUSER not in res.out, diag(res, srv)
    assert askpass.prompts() == []
    assert "Permission denied (password)." in res.err, diag(res, srv)
    assert srv.wait_log(r"Partial publickey for %s from 127\.0\.0\.1 port \d+ ssh2" % TUSER), diag(None, srv)
    # The password alone is not enough either.
    res = h.run(client(h, ckind, srv, "id -un"))
    assert res.rc == 255 and TUSER not in res.out, diag(res, srv)
    assert askpass.prompts() == []
    # Both: in order.
    res = h.run(client(h, ckind, srv, "id -un", key=True))
    assert res.rc == 0 and res.out.strip() == TUSER, diag(res, srv)
    assert askpass.prompts() == ["%s@%s's password: " % (TUSER, HOST)]
    assert srv.wait_log(r"Accepted password for %s from 127\.0\.0\.1 port \d+ ssh2" % TUSER), diag(None, srv)


@pytest.mark.parametrize("skind", ["sshd", "burrowd"])
def test_batchmode_never_prompts(h, tuser, askpass, skind):
    srv = server(h, skind, tuser, ["PasswordAuthentication=yes",
                                   "KbdInteractiveAuthentication=yes"])
    res = h.run(client(h, "burrow", srv, "true", opts=["BatchMode=yes"]))
    assert res.rc == 255, diag(res, srv)
    assert askpass.prompts() == []
    assert "Permission denied (" in res.err, diag(res, srv)


def test_preferred_authentications_order(h, tuser, askpass):
    """password before keyboard-interactive when PreferredAuthentications says so."""
    srv = server(h, "burrowd", tuser, ["PasswordAuthentication=yes",
                                       "KbdInteractiveAuthentication=yes", "UsePAM=no"])
    res = h.run(client(h, "burrow", srv, "true",
                       opts=["PreferredAuthentications=password,keyboard-interactive"]))
    assert res.rc == 0, diag(res, srv)
    assert askpass.prompts() == ["%s@%s's password: " % (TUSER, HOST)]
    askpass.set(TPASS)
    res = h.run(client(h, "burrow", srv, "true"))  # default: keyboard-interactive first
    assert res.rc == 0, diag(res, srv)
    assert askpass.prompts() == ["(%s@%s) Password: " % (TUSER, HOST)]


@pytest.mark.parametrize("ckind,skind", [p for p in PAIRS if p != ("ssh", "sshd")],
                         ids=[i for i in IDS if i != "ssh-sshd"])
def test_transfer_after_password_login(h, tuser, askpass, ckind, skind):
    srv = server(h, skind, tuser, PW_ON)
    n = 1 << 20
    res, sent, got, received = h.stream(client(h, ckind, srv, "cat"), n)
    assert res.rc == 0 and received == n and sent == got, diag(res, srv)


def test_root_password_refused_by_default(h, tuser, askpass):
    """PermitRootLogin's default (prohibit-password) keeps root out with any password."""
    srv = server(h, "burrowd", tuser, PW_ON)
    argv = client(h, "burrow", srv, "true", opts=["NumberOfPasswordPrompts=1"])
    argv[-2] = "root@%s" % HOST
    res = h.run(argv)
    assert res.rc == 255, diag(res, srv)
    assert srv.wait_log(r"Failed password for root from 127\.0\.0\.1"), diag(None, srv)


def test_tools_present():
    assert shutil.which("useradd") and shutil.which("chpasswd")
