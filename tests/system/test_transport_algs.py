"""Transport algorithms against OpenSSH: aes*-ctr with every HMAC (ETM and
encrypt-and-MAC), and compression (-C: zlib@openssh.com / zlib).

Matrix: for each pairing (ssh->burrowd, burrow->sshd, burrow->burrowd) and
each aes*-ctr cipher, one server and six logins, one per MAC, each sending
1 MiB through remote `cat`, checked by SHA-256; the client's -v kex line
must name the cipher and MAC.

Compression: 64 MiB of compressible data through remote `cat` and through a
-L forward to an echo target, with and without -C: same SHA-256, and the
client's closing "Transferred: sent N, received M bytes" (wire bytes) much
smaller with -C.
"""

import hashlib
import re
import socket
import subprocess
import threading
import time

import pytest

from fwdutil import Target, h_echo, recv_all, wait_listen
from sshutil import diag, free_port

CTR = ["aes128-ctr", "aes192-ctr", "aes256-ctr"]
MACS = [
    "hmac-sha2-256-etm@openssh.com",
    "hmac-sha2-512-etm@openssh.com",
    "hmac-sha1-etm@openssh.com",
    "hmac-sha2-256",
    "hmac-sha2-512",
    "hmac-sha1",
]
PAIRS = [("ssh", "burrowd"), ("burrow", "sshd"), ("burrow", "burrowd")]
PAIR_IDS = ["%s-%s" % p for p in PAIRS]
MIB = 1 << 20
BIG = 64 * MIB
TRANSFERRED = re.compile(r"Transferred: sent (\d+), received (\d+) bytes")


@pytest.mark.parametrize("cipher", CTR)
@pytest.mark.parametrize("client,server", PAIRS, ids=PAIR_IDS)
def test_cipher_mac_matrix(h, client, server, cipher):
    srv = h.server(server, ciphers=cipher,
                   extra=["MACs=%s" % ",".join(MACS)] if server == "burrowd"
                   else ["MACs %s" % ",".join(MACS)])
    kh = h.known_hosts()
    for mac in MACS:
        argv = h.client_argv(client, srv, "cat", known_hosts=kh, ciphers=cipher,
                             extra=["MACs=%s" % mac], verbose=True)
        res, sent, got, n = h.stream(argv, MIB)
        what = "%s %s\n%s" % (cipher, mac, diag(res, srv))
        assert not res.timed_out, what
        assert res.rc == 0, what
        assert n == MIB and got == sent, what
        for d in ("client->server", "server->client"):
            line = "kex: %s cipher: %s MAC: %s compression: none" % (d, cipher, mac)
            assert line in res.err, "no %r\n%s" % (line, what)


def text_chunks(nbytes, chunk=MIB):
    """Deterministic, very compressible data (numbered text lines)."""
    base = b"".join(b"%08d the quick brown fox jumps over the lazy dog\n" % i
                    for i in range(chunk // 40 + 1))
    left, i = nbytes, 0
    while left > 0:
        n = min(chunk, left)
        block = (b"chunk %06d\n" % i + base)[:n]
        assert len(block) == n
        yield block
        left -= n
        i += 1


def sha_of_text(nbytes):
    s = hashlib.sha256()
    for b in text_chunks(nbytes):
        s.update(b)
    return s.hexdigest()


def transferred(err):
    m = TRANSFERRED.findall(err)
    assert m, "no Transferred line in the client's -v output"
    sent, received = m[-1]
    return int(sent) + int(received)


def cat_text(h, argv, nbytes=BIG, timeout=110):
    """Pipe nbytes of text through argv (remote cat); (Result, sha got, n got)."""
    errlog = h._subdir("client") / "stderr"
    with open(errlog, "wb") as ef:
        proc = h.spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=ef)

    def writer():
        try:
            for b in text_chunks(nbytes):
                proc.stdin.write(b)
        except OSError:
            pass
        finally:
            try:
                proc.stdin.close()
            except OSError:
                pass

    wt = threading.Thread(target=writer, daemon=True)
    wt.start()
    got, n = hashlib.sha256(), 0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        data = proc.stdout.read1(MIB)
        if not data:
            break
        got.update(data)
        n += len(data)
    try:
        proc.wait(timeout=max(1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    wt.join(5)
    proc.stdout.close()
    from sshutil import Result
    return Result(argv, proc.returncode, b"", errlog.read_bytes()), got.hexdigest(), n


def client_opts(client, compress):
    if not compress:
        return []
    return ["-C"]


@pytest.mark.parametrize("client,server", PAIRS, ids=PAIR_IDS)
def test_compression_cat(h, client, server):
    srv = h.server(server, extra=[] if server == "burrowd" else ["Compression yes"])
    want = sha_of_text(BIG)
    wire = {}
    for compress in (False, True):
        argv = h.client_argv(client, srv, "cat", verbose=True,
                             opts=client_opts(client, compress))
        res, got, n = cat_text(h, argv)
        what = "-C %s\n%s" % (compress, diag(res, srv))
        assert res.rc == 0, what
        assert n == BIG and got == want, what
        comp = "zlib@openssh.com" if compress else "none"
        assert "MAC: <implicit> compression: %s" % comp in res.err, what
        wire[compress] = transferred(res.err)
    # Text compresses far better than 4:1; without -C the wire carries it twice.
    assert wire[False] > 2 * BIG, wire
    assert wire[True] * 4 < BIG, wire


def duplex_text(port, nbytes=BIG, timeout=100):
    """Send text through port to an echo target while reading it back."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    got = hashlib.sha256()
    state = {}

    def reader():
        state["n"], _ = recv_all(s, time.monotonic() + timeout, got)

    rt = threading.Thread(target=reader, daemon=True)
    rt.start()
    for b in text_chunks(nbytes):
        s.sendall(b)
    s.shutdown(socket.SHUT_WR)
    rt.join(timeout)
    s.close()
    return got.hexdigest(), state.get("n", -1)


@pytest.mark.parametrize("client,server", PAIRS, ids=PAIR_IDS)
def test_compression_forward(h, client, server):
    srv = h.server(server, extra=[] if server == "burrowd" else ["Compression yes"])
    echo = Target(h_echo)
    want = sha_of_text(BIG)
    wire = {}
    try:
        for compress in (False, True):
            port = free_port()
            # The forward lives as long as the remote `cat`; closing its stdin ends
            # the client normally, so it prints its closing statistics.
            argv = h.client_argv(client, srv, "cat", verbose=True,
                                 opts=client_opts(client, compress) +
                                 ["-L", "%d:127.0.0.1:%d" % (port, echo.port)])
            errlog = h._subdir("fwdc") / "stderr"
            with open(errlog, "wb") as ef:
                proc = h.spawn(argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                               stderr=ef)
            assert wait_listen(port, proc), errlog.read_text(errors="replace")
            got, n = duplex_text(port)
            proc.stdin.close()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            err = errlog.read_text(errors="replace")
            what = "-C %s\n%s\n%s" % (compress, err[-3000:], diag(None, srv))
            assert n == BIG and got == want, what
            assert proc.returncode == 0, what
            wire[compress] = transferred(err)
    finally:
        echo.close()
    assert wire[False] > 2 * BIG, wire
    assert wire[True] * 4 < BIG, wire


REKEY_CASES = [
    ("aes128-ctr", "hmac-sha2-256", False),
    ("aes256-ctr", "hmac-sha2-512-etm@openssh.com", False),
    ("aes192-ctr", "hmac-sha1", True),
]


@pytest.mark.parametrize("cipher,mac,compress", REKEY_CASES,
                         ids=["%s-%s%s" % (c, m, "-C" if z else "") for c, m, z in REKEY_CASES])
@pytest.mark.parametrize("client,server", PAIRS, ids=PAIR_IDS)
def test_rekey_under_load(h, client, server, cipher, mac, compress):
    """8 MiB with RekeyLimit 1M on the client: several key exchanges under
    load with CTR+MAC, and with compression, whose zlib streams restart with
    each new keys (RFC 4253 6.2, as OpenSSH does)."""
    srv = h.server(server, log_level="DEBUG1",
                   extra=[] if server == "burrowd" else ["Compression yes"])
    argv = h.client_argv(client, srv, "cat", ciphers=cipher, rekey="1M", verbose=True,
                         extra=["MACs=%s" % mac], opts=["-C"] if compress else [])
    res, sent, got, n = h.stream(argv, 8 * MIB)
    assert not res.timed_out, diag(res, srv)
    assert res.rc == 0 and n == 8 * MIB and got == sent, diag(res, srv)
    comp = "zlib@openssh.com" if compress else "none"
    assert "cipher: %s MAC: %s compression: %s" % (cipher, mac, comp) in res.err
    assert res.err.count("SSH2_MSG_NEWKEYS received") > 3, diag(res, srv)
