"""Remote command execution over every pairing and cipher, bytes checked by SHA-256."""

import hashlib
import os
import subprocess

import pytest

from sshutil import CIPHERS, PAIRINGS, PAIRING_IDS, diag

BIG = 64 << 20  # 64 MiB

pairing = pytest.mark.parametrize("client,server", PAIRINGS, ids=PAIRING_IDS)
cipher = pytest.mark.parametrize("cipher", CIPHERS)


def _setup(h, client, server, cipher):
    srv = h.server(server, ciphers=cipher)

    def argv(command):
        return h.client_argv(client, srv, command, ciphers=cipher)
    return srv, argv


@cipher
@pairing
def test_echo(h, client, server, cipher):
    srv, argv = _setup(h, client, server, cipher)
    res = h.run(argv("echo hi"))
    assert res.rc == 0, diag(res, srv)
    assert res.stdout == b"hi\n", diag(res, srv)


@cipher
@pairing
def test_exit_status(h, client, server, cipher):
    srv, argv = _setup(h, client, server, cipher)
    res = h.run(argv("echo hi; exit 7"))
    assert res.rc == 7, diag(res, srv)
    assert res.stdout == b"hi\n", diag(res, srv)


@cipher
@pairing
def test_cat_64mib(h, client, server, cipher):
    srv, argv = _setup(h, client, server, cipher)
    res, sent, got, n = h.stream(argv("cat"), BIG)
    assert not res.timed_out, diag(res, srv)
    assert n == BIG, "received %d of %d bytes\n%s" % (n, BIG, diag(res, srv))
    assert got == sent, diag(res, srv)
    assert res.rc == 0, diag(res, srv)


@cipher
@pairing
def test_stdout_stderr_separate(h, client, server, cipher):
    srv, argv = _setup(h, client, server, cipher)
    res = h.run(argv("echo out; echo err >&2"))
    assert res.rc == 0, diag(res, srv)
    assert res.stdout == b"out\n", diag(res, srv)
    assert b"err" in res.stderr, diag(res, srv)


@pairing
def test_stdin_from_file(h, client, server):
    """stdin redirected from a regular file (`burrow host cmd < file`), which
    cannot be polled like a pipe, must still be sent, then EOF."""
    srv = h.server(server)
    data = os.urandom(1 << 20)
    path = h.dir / "stdin.bin"
    path.write_bytes(data)
    with open(path, "rb") as f:
        proc = h.spawn(h.client_argv(client, srv, "sha256sum"), stdin=f,
                       stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    res = h.wait(proc, timeout=30)
    assert not res.timed_out, diag(res, srv)
    assert res.rc == 0, diag(res, srv)
    assert res.out.split()[:1] == [hashlib.sha256(data).hexdigest()], diag(res, srv)


@pairing
def test_no_stray_stderr(h, client, server):
    """At the default log level only the known_hosts notice may appear on
    stderr (stdin is /dev/null here, as with `ssh -n`)."""
    srv = h.server(server)
    res = h.run(h.client_argv(client, srv, "echo hi"))
    assert res.rc == 0 and res.stdout == b"hi\n", diag(res, srv)
    stray = [line for line in res.err.splitlines()
             if line.strip() and not line.startswith("Warning: Permanently added")]
    assert stray == [], diag(res, srv)
