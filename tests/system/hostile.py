"""Hand-made hostile SSH clients (cleartext phase only), for test_hostile.py.

Wire layouts: RFC 4253 section 4.2 (version line), 6 (binary packet:
uint32 packet_length, byte padding_length, payload, padding; total a multiple
of the block size, 8 before keys are set; at least 4 bytes of padding),
7.1 (KEXINIT), 11.2 (IGNORE), 11.1 (DISCONNECT: uint32 code, string
description, string language).  Strict KEX: OpenSSH PROTOCOL, "1.10 transport:
strict key exchange extension".
"""

import os
import socket
import struct
import time

from sshutil import CIPHERS, HOST

SSH_MSG_DISCONNECT = 1
SSH_MSG_IGNORE = 2
SSH_MSG_KEXINIT = 20

VERSION = b"SSH-2.0-burrow_hostile_test\r\n"


def ssh_string(data):
    return struct.pack(">I", len(data)) + data


def name_list(names):
    return ssh_string(",".join(names).encode())


def packet(payload, block=8):
    """Cleartext packet framing (no MAC) with random padding."""
    pad = block - (5 + len(payload)) % block
    if pad < 4:
        pad += block
    return struct.pack(">IB", 1 + len(payload) + pad, pad) + payload + os.urandom(pad)


def kexinit():
    """A client KEXINIT that offers strict KEX."""
    return (bytes([SSH_MSG_KEXINIT]) + os.urandom(16)
            + name_list(["curve25519-sha256", "kex-strict-c-v00@openssh.com"])
            + name_list(["ssh-ed25519"])
            + name_list(CIPHERS) + name_list(CIPHERS)
            + name_list(["hmac-sha2-256"]) + name_list(["hmac-sha2-256"])
            + name_list(["none"]) + name_list(["none"])
            + name_list([]) + name_list([])
            + b"\x00"                       # first_kex_packet_follows
            + struct.pack(">I", 0))         # reserved


class Conn:
    """A raw TCP connection to the server; records the local port for log checks."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection((HOST, port), timeout=timeout)
        self.local_port = self.sock.getsockname()[1]
        self.timeout = timeout
        self.rx = b""

    def send(self, data):
        self.sock.sendall(data)

    def read_version(self):
        """Read the server's identification line (lines before it are allowed)."""
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            while b"\n" in self.rx:
                line, self.rx = self.rx.split(b"\n", 1)
                if line.startswith(b"SSH-"):
                    return line.rstrip(b"\r")
            data = self.sock.recv(4096)
            if not data:
                break
            self.rx += data
        raise AssertionError("no server version line; got %r" % self.rx[:200])

    def read_packet(self):
        """One cleartext packet's payload (blocks until it is complete)."""
        while len(self.rx) < 4:
            self._fill()
        (length,) = struct.unpack(">I", self.rx[:4])
        if length < 5 or length > 35000:
            raise AssertionError("implausible cleartext packet length %d" % length)
        while len(self.rx) < 4 + length:
            self._fill()
        body, self.rx = self.rx[4:4 + length], self.rx[4 + length:]
        pad = body[0]
        return body[1:len(body) - pad]

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError
        self.rx += data

    def outcome(self, cleartext=True):
        """How the server ended the connection: 'DISCONNECT <code> <msg>', 'EOF',
        or 'TIMEOUT' (still open after the timeout)."""
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                self.sock.settimeout(max(0.1, deadline - time.monotonic()))
                if cleartext:
                    payload = self.read_packet()
                    if payload and payload[0] == SSH_MSG_DISCONNECT:
                        (code,) = struct.unpack(">I", payload[1:5])
                        (n,) = struct.unpack(">I", payload[5:9])
                        msg = payload[9:9 + n].decode(errors="replace")
                        return "DISCONNECT %d %s" % (code, msg)
                else:
                    self._fill()
                    self.rx = b""
        except (EOFError, ConnectionResetError, BrokenPipeError):
            return "EOF"
        except socket.timeout:
            return "TIMEOUT"
        finally:
            self.sock.close()


def garbage_version(port):
    c = Conn(port)
    c.send(b"GET / HTTP/1.0\r\n\r\n")
    return c.outcome(cleartext=False), c.local_port


def huge_packet(port):
    c = Conn(port)
    c.send(VERSION)
    c.read_version()
    # A header announcing 300000 bytes (> 256 KiB), then one block's worth.
    c.send(struct.pack(">IB", 300000, 4) + os.urandom(11))
    return c.outcome(), c.local_port


def ignore_during_strict_kex(port):
    c = Conn(port)
    c.send(VERSION)
    c.read_version()
    c.send(packet(kexinit()))
    # Wait for the server's KEXINIT so it has seen ours and strict KEX is on.
    while True:
        payload = c.read_packet()
        if payload and payload[0] == SSH_MSG_KEXINIT:
            break
    c.send(packet(bytes([SSH_MSG_IGNORE]) + ssh_string(b"terrapin")))
    return c.outcome(), c.local_port
