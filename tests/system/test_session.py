"""Session semantics: exit signals, and who the command runs as (root-only parts create a user)."""

import os
import pwd
import shutil
import subprocess
import uuid

import pytest

from sshutil import BURROWD, HOST, PAIRINGS, PAIRING_IDS, diag, free_port

pairing = pytest.mark.parametrize("client,server", PAIRINGS, ids=PAIRING_IDS)
root_only = pytest.mark.skipif(os.geteuid() != 0,
                               reason="needs root to create a test user and switch to it")


@pairing
def test_exit_signal_is_255(h, client, server):
    """A command killed by a signal reports exit-signal; ssh then exits 255."""
    srv = h.server(server)
    res = h.run(h.client_argv(client, srv, "echo before; kill -TERM $$; echo after"))
    assert res.rc == 255, diag(res, srv)
    assert res.stdout == b"before\n", diag(res, srv)


@pytest.fixture
def test_user(tmp_path):
    """A throwaway local user whose home is inside the test directory."""
    name = "bt" + uuid.uuid4().hex[:8]
    home = tmp_path / ("home-" + name)
    # "*": no password, but not locked (sshd refuses locked accounts).
    subprocess.run(["useradd", "-M", "-p", "*", "-d", str(home), "-s", "/bin/sh", name],
                   check=True)
    home.mkdir()
    pw = pwd.getpwnam(name)
    os.chown(home, pw.pw_uid, pw.pw_gid)
    # Let the user reach its home through the per-test directories.
    for d in (tmp_path, tmp_path.parent, tmp_path.parent.parent):
        os.chmod(d, os.stat(d).st_mode | 0o011)
    yield pw
    subprocess.run(["pkill", "-KILL", "-u", name], check=False)
    subprocess.run(["userdel", name], check=False)


@root_only
@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_root_server_switches_to_user(h, keys, test_user, server):
    """As root, the server runs the command as the user with sshd's environment."""
    # Servers read authorized_keys as the user: let the user read the shared file.
    os.chmod(keys.dir, os.stat(keys.dir).st_mode | 0o011)
    os.chmod(keys.authorized_keys, 0o644)
    srv = h.server(server)
    cmd = 'id -un; id -u; echo "$HOME|$USER|$LOGNAME|$SHELL"; pwd; echo "$PATH"'
    res = h.run(h.client_argv("burrow", srv, cmd, user=test_user.pw_name))
    assert res.rc == 0, diag(res, srv)
    lines = res.out.splitlines()
    assert lines[0] == test_user.pw_name, diag(res, srv)
    assert lines[1] == str(test_user.pw_uid), diag(res, srv)
    name = test_user.pw_name
    assert lines[2] == "%s|%s|%s|/bin/sh" % (test_user.pw_dir, name, name), diag(res, srv)
    assert lines[3] == test_user.pw_dir, diag(res, srv)
    assert "/usr/bin" in lines[4].split(":"), diag(res, srv)


@root_only
def test_permit_root_login_no(h):
    srv = h.server("burrowd", extra=["PermitRootLogin=no"])
    res = h.run(h.client_argv("burrow", srv, "true", user="root"))
    assert res.rc == 255, diag(res, srv)
    assert "Permission denied (publickey)." in res.err, diag(res, srv)


@root_only
def test_unknown_user_refused_like_wrong_key(h):
    srv = h.server("burrowd")
    res = h.run(h.client_argv("burrow", srv, "true", user="no-such-user-" + uuid.uuid4().hex[:6]))
    assert res.rc == 255, diag(res, srv)
    assert "Permission denied (publickey)." in res.err, diag(res, srv)


@root_only
def test_unprivileged_burrowd_serves_only_its_user(h, keys, test_user, tmp_path):
    """burrowd run as an ordinary user serves that user and nobody else."""
    d = tmp_path / ("srv-" + test_user.pw_name)
    d.mkdir()
    ak = d / "authorized_keys"
    shutil.copy(keys.authorized_keys, ak)
    for p in (d, ak):
        os.chown(p, test_user.pw_uid, test_user.pw_gid)
    port = free_port()
    argv = ["setpriv", "--reuid=%d" % test_user.pw_uid, "--regid=%d" % test_user.pw_gid,
            "--init-groups", str(BURROWD), "-D", "-e", "-f", "/dev/null", "-p", str(port),
            "-h", str(d / "hostkey"), "-o", "ListenAddress=%s" % HOST,
            "-o", "AuthorizedKeysFile=%s" % ak, "-o", "StrictModes=no",
            "-o", "PasswordAuthentication=no", "-o", "KbdInteractiveAuthentication=no",
            "-o", "PidFile=%s" % (d / "pid")]
    log = open(tmp_path / "unpriv.log", "wb")
    proc = h.spawn(argv, stdout=log, stderr=log)

    class Srv:
        pass
    srv = Srv()
    srv.port = port
    import socket
    import time
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.05)
    assert proc.poll() is None, (tmp_path / "unpriv.log").read_text()
    ok = h.run(h.client_argv("burrow", srv, "id -un", user=test_user.pw_name))
    assert ok.rc == 0 and ok.out == test_user.pw_name + "\n", str(ok)
    denied = h.run(h.client_argv("burrow", srv, "id -un", user="root"))
    assert denied.rc == 255, str(denied)
    assert "Permission denied (publickey)." in denied.err, str(denied)
