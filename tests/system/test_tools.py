"""The tools that run over ssh: git, rsync, scp and sftp, with burrow as their
ssh (against burrowd and sshd) and OpenSSH's scp and sftp against burrowd.

Every transfer is checked byte for byte (cmp / diff -r).
"""

import os
import shlex
import shutil
import subprocess

import pytest

from sshutil import BURROW, HOST, SSH, USER, diag, need

SFTP_SERVER = "/usr/lib/openssh/sftp-server"
SUBSYSTEM = "Subsystem sftp %s" % SFTP_SERVER


def tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail("%s is not installed (scripts/install-deps.sh installs it)" % name,
                    pytrace=False)
    return path


def start(h, kind, subsystem=SUBSYSTEM):
    """burrowd (from its own file, so /etc/ssh/sshd_config does not matter) or sshd."""
    if not os.access(SFTP_SERVER, os.X_OK):
        pytest.fail("%s is missing (package openssh-sftp-server)" % SFTP_SERVER, pytrace=False)
    if kind == "sshd":
        return h.server("sshd", extra=[subsystem])
    return h.server("burrowd", config=[subsystem])


def client_opts(h, known_hosts=None):
    """Options every ssh-like client gets: no ~/.ssh, our key, a fresh known_hosts."""
    kh = known_hosts or h.known_hosts()
    return ["-F", "/dev/null", "-i", str(h.keys.user_key), "-o", "BatchMode=yes",
            "-o", "IdentitiesOnly=yes", "-o", "UserKnownHostsFile=%s" % kh,
            "-o", "GlobalKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=accept-new"]


def ssh_command(h, program, srv):
    """A command line for GIT_SSH_COMMAND / rsync -e."""
    return " ".join(shlex.quote(a) for a in [str(program), "-p", str(srv.port)] +
                    client_opts(h))


def run(h, argv, srv=None, cwd=None, env=None, timeout=90):
    res = subprocess.run([str(a) for a in argv], cwd=cwd, env=env, capture_output=True,
                         timeout=timeout, stdin=subprocess.DEVNULL)
    assert res.returncode == 0, "%s\nrc %d\nstdout: %s\nstderr: %s\n%s" % (
        argv, res.returncode, res.stdout.decode(errors="replace"),
        res.stderr.decode(errors="replace"), diag(None, srv) if srv else "")
    return res


def same_file(a, b):
    return subprocess.run(["cmp", str(a), str(b)], capture_output=True).returncode == 0


def make_tree(root):
    """A small directory tree: nested directories, binary files, an empty file and
    directory, a symlink, a name with a space."""
    (root / "a" / "b" / "c").mkdir(parents=True)
    (root / "empty-dir").mkdir()
    (root / "top.bin").write_bytes(os.urandom(1 << 20))
    (root / "a" / "mid.bin").write_bytes(os.urandom(70001))
    (root / "a" / "b" / "c" / "deep.txt").write_text("deep\n" * 1000)
    (root / "a" / "b" / "empty").write_bytes(b"")
    (root / "with space.txt").write_text("spaced\n")
    os.symlink("a/mid.bin", root / "link")
    return root


def diff_r(a, b, srv=None):
    res = subprocess.run(["diff", "-r", "--no-dereference", str(a), str(b)],
                         capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, "diff -r %s %s:\n%s%s\n%s" % (
        a, b, res.stdout, res.stderr, diag(None, srv) if srv else "")


def git_env(h, srv):
    env = dict(os.environ)
    env.update({
        "GIT_SSH_COMMAND": ssh_command(h, BURROW, srv),
        "GIT_AUTHOR_NAME": "burrow test", "GIT_AUTHOR_EMAIL": "test@burrow.invalid",
        "GIT_COMMITTER_NAME": "burrow test", "GIT_COMMITTER_EMAIL": "test@burrow.invalid",
        "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(h.dir),
    })
    return env


def test_git_clone_and_push(h):
    """git clone, commit, push and clone again through GIT_SSH_COMMAND=burrow to burrowd."""
    need(BURROW)
    git = tool("git")
    srv = start(h, "burrowd")
    env = git_env(h, srv)
    bare = h.dir / "repo.git"
    run(h, [git, "init", "-q", "--bare", "-b", "main", bare], env=env)
    # Seed the bare repository from a local clone with one commit.
    seed = h.dir / "seed"
    run(h, [git, "init", "-q", "-b", "main", seed], env=env)
    (seed / "README").write_text("first\n")
    run(h, [git, "-C", seed, "add", "README"], env=env)
    run(h, [git, "-C", seed, "commit", "-q", "-m", "first"], env=env)
    run(h, [git, "-C", seed, "push", "-q", str(bare), "main"], env=env)

    url = "%s@%s:%s" % (USER, HOST, bare)
    work = h.dir / "work"
    run(h, [git, "clone", "-q", url, work], srv=srv, env=env)
    assert (work / "README").read_text() == "first\n"
    blob = os.urandom(300000)
    (work / "data.bin").write_bytes(blob)
    run(h, [git, "-C", work, "add", "data.bin"], env=env)
    run(h, [git, "-C", work, "commit", "-q", "-m", "second"], env=env)
    run(h, [git, "-C", work, "push", "-q", "origin", "main"], srv=srv, env=env)

    # The bare repository has the pushed commit, and a fresh clone has the file.
    head = run(h, [git, "-C", work, "rev-parse", "HEAD"], env=env).stdout.strip()
    bare_head = run(h, [git, "--git-dir", bare, "rev-parse", "main"], env=env).stdout.strip()
    assert bare_head == head
    again = h.dir / "again"
    run(h, [git, "clone", "-q", url, again], srv=srv, env=env)
    assert (again / "data.bin").read_bytes() == blob
    assert srv.alive()


@pytest.mark.parametrize("direction", ["push", "pull"])
def test_rsync_tree(h, direction):
    """rsync -e burrow copies a directory tree to and from burrowd (diff -r)."""
    need(BURROW)
    rsync = tool("rsync")
    srv = start(h, "burrowd")
    src = make_tree(h.dir / "src")
    remote = h.dir / "remote"
    local = h.dir / "local"
    e = ssh_command(h, BURROW, srv)
    if direction == "push":
        run(h, [rsync, "-a", "-e", e, "%s/" % src, "%s@%s:%s/" % (USER, HOST, remote)], srv=srv)
        diff_r(src, remote, srv)
    else:
        shutil.copytree(src, remote, symlinks=True)
        run(h, [rsync, "-a", "-e", e, "%s@%s:%s/" % (USER, HOST, remote), "%s/" % local],
            srv=srv)
        diff_r(src, local, srv)


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
@pytest.mark.parametrize("mode", ["sftp", "legacy"])
def test_scp_with_burrow(h, server, mode):
    """scp -S burrow, in its default (sftp) and -O (scp protocol) modes, both ways."""
    need(BURROW)
    scp = tool("scp")
    srv = start(h, server)
    f = h.dir / "file.bin"
    f.write_bytes(os.urandom(2 * 1000 * 1000 + 17))
    up = h.dir / "uploaded.bin"
    down = h.dir / "downloaded.bin"
    base = [scp, "-q", "-S", BURROW, "-P", str(srv.port)] + client_opts(h)
    if mode == "legacy":
        base.insert(1, "-O")
    run(h, base + [f, "%s@%s:%s" % (USER, HOST, up)], srv=srv)
    assert same_file(f, up)
    run(h, base + ["%s@%s:%s" % (USER, HOST, up), down], srv=srv)
    assert same_file(f, down)
    # -r: a directory tree.
    tree = make_tree(h.dir / "tree")
    os.unlink(tree / "link")  # scp follows links; compare without one
    run(h, base + ["-r", tree, "%s@%s:%s" % (USER, HOST, h.dir / "tree-copy")], srv=srv)
    diff_r(tree, h.dir / "tree-copy", srv)


@pytest.mark.parametrize("server", ["burrowd", "sshd"])
def test_sftp_with_burrow(h, server):
    """sftp -S burrow: put, get, mkdir, ls and rename against burrowd and sshd."""
    need(BURROW)
    sftp = tool("sftp")
    srv = start(h, server)
    f = h.dir / "file.bin"
    f.write_bytes(os.urandom(3 * 1000 * 1000 + 5))
    d = h.dir / "remote-dir"
    batch = h.dir / "batch"
    batch.write_text("mkdir %s\nput %s %s/a.bin\nrename %s/a.bin %s/b.bin\nls %s\n"
                     "get %s/b.bin %s\n" % (d, f, d, d, d, d, d, h.dir / "back.bin"))
    res = run(h, [sftp, "-S", BURROW, "-P", str(srv.port), "-b", batch] + client_opts(h) +
              ["%s@%s" % (USER, HOST)], srv=srv)
    assert "b.bin" in res.stdout.decode(), res.stdout
    assert same_file(f, d / "b.bin")
    assert same_file(f, h.dir / "back.bin")


@pytest.mark.parametrize("mode", ["sftp", "legacy"])
def test_openssh_scp_to_burrowd(h, mode):
    """OpenSSH's own scp (sftp mode and -O) against burrowd, both ways and -r."""
    scp = tool("scp")
    srv = start(h, "burrowd")
    f = h.dir / "file.bin"
    f.write_bytes(os.urandom(5 * 1000 * 1000 + 3))
    base = [scp, "-q", "-S", SSH, "-P", str(srv.port)] + client_opts(h)
    if mode == "legacy":
        base.insert(1, "-O")
    up = h.dir / "up.bin"
    run(h, base + [f, "%s@%s:%s" % (USER, HOST, up)], srv=srv)
    assert same_file(f, up)
    run(h, base + ["%s@%s:%s" % (USER, HOST, up), h.dir / "down.bin"], srv=srv)
    assert same_file(f, h.dir / "down.bin")
    tree = make_tree(h.dir / "tree")
    os.unlink(tree / "link")
    run(h, base + ["-r", tree, "%s@%s:%s" % (USER, HOST, h.dir / "tree-copy")], srv=srv)
    diff_r(tree, h.dir / "tree-copy", srv)


def test_openssh_sftp_to_burrowd(h):
    """OpenSSH's sftp client against burrowd: put, get, ls, rm."""
    sftp = tool("sftp")
    srv = start(h, "burrowd")
    f = h.dir / "file.bin"
    f.write_bytes(os.urandom(4 * 1000 * 1000 + 1))
    batch = h.dir / "batch"
    batch.write_text("put %s %s\nget %s %s\nls -l %s\nrm %s\n" % (
        f, h.dir / "up.bin", h.dir / "up.bin", h.dir / "down.bin", h.dir,
        h.dir / "up.bin"))
    res = run(h, [sftp, "-P", str(srv.port), "-b", batch] + client_opts(h) +
              ["%s@%s" % (USER, HOST)], srv=srv)
    assert "up.bin" in res.stdout.decode(), res.stdout
    assert same_file(f, h.dir / "down.bin")
    assert not (h.dir / "up.bin").exists()


def test_internal_sftp_maps_to_sftp_server(h):
    """Subsystem sftp internal-sftp runs OpenSSH's sftp-server."""
    sftp = tool("sftp")
    srv = start(h, "burrowd", subsystem="Subsystem sftp internal-sftp")
    f = h.dir / "file.bin"
    f.write_bytes(os.urandom(100000))
    batch = h.dir / "batch"
    batch.write_text("put %s %s\n" % (f, h.dir / "up.bin"))
    run(h, [sftp, "-S", BURROW, "-P", str(srv.port), "-b", batch] + client_opts(h) +
        ["%s@%s" % (USER, HOST)], srv=srv)
    assert same_file(f, h.dir / "up.bin")


@pytest.mark.parametrize("client", ["ssh", "burrow"])
def test_unknown_subsystem_fails(h, client):
    """An unknown subsystem is refused (the client says so), and burrowd logs sshd's line."""
    srv = start(h, "burrowd")
    res = h.run(h.client_argv(client, srv, "no-such-subsystem", opts=["-s"]))
    assert res.rc != 0, diag(res, srv)
    assert "subsystem request failed on channel 0" in res.err, diag(res, srv)
    assert srv.wait_log(r"subsystem request for no-such-subsystem by user %s failed, "
                        r"subsystem not found" % USER), diag(res, srv)
