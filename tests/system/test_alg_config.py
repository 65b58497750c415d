"""Issue 6, algorithm configuration: burrow -Q, the list options and the
"no matching ..." failures, each compared with OpenSSH.

- `burrow -Q` prints names ssh -Q knows, and every -Q cipher, MAC and key
  exchange logs in to burrowd (from burrow and from ssh).
- `burrowd -T` resolves Ciphers/MACs/KexAlgorithms/HostKeyAlgorithms/
  PubkeyAcceptedAlgorithms/CASignatureAlgorithms with + - ^ and patterns as
  `sshd -T` does (restricted to what burrow supports).
- Disjoint cipher, MAC, key exchange and host key lists fail with OpenSSH's
  exact message and exit code on the client, and OpenSSH's log line on the
  server, in every direction: burrow->sshd, ssh->burrowd, burrow->burrowd,
  with ssh->sshd as the reference.
- A user key whose algorithm PubkeyAcceptedAlgorithms excludes: the client's
  "Permission denied (publickey)." and sshd's log line.
"""

import re
import subprocess

import pytest

from sshutil import BURROW, BURROWD, SSH, SSHD, need

QUERIES = ["cipher", "cipher-auth", "mac", "kex", "key", "key-plain", "key-cert",
           "key-sig", "sig", "compression", "protocol-version", "Ciphers", "MACs",
           "KexAlgorithms", "HostKeyAlgorithms", "PubkeyAcceptedAlgorithms"]

# What issue 6 requires burrow to speak (ML-KEM only where libcrypto has it).
REQUIRED = {
    "cipher": {"aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-gcm@openssh.com",
               "aes256-gcm@openssh.com", "chacha20-poly1305@openssh.com"},
    "mac": {"hmac-sha2-256", "hmac-sha2-512", "hmac-sha2-256-etm@openssh.com",
            "hmac-sha2-512-etm@openssh.com", "hmac-sha1"},
    "kex": {"curve25519-sha256", "ecdh-sha2-nistp256", "ecdh-sha2-nistp384",
            "ecdh-sha2-nistp521", "diffie-hellman-group14-sha256",
            "diffie-hellman-group16-sha512", "diffie-hellman-group18-sha512",
            "diffie-hellman-group-exchange-sha256"},
    "key-sig": {"ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
                "ecdsa-sha2-nistp521", "rsa-sha2-256", "rsa-sha2-512", "ssh-rsa",
                "ssh-ed25519-cert-v01@openssh.com"},
    "compression": {"none", "zlib@openssh.com", "zlib"},
}


def query(prog, what):
    r = subprocess.run([str(prog), "-Q", what], capture_output=True, text=True,
                       timeout=30, stdin=subprocess.DEVNULL)
    return r.returncode, r.stdout.splitlines(), r.stderr


def burrow_q(what):
    need(BURROW)
    rc, names, err = query(BURROW, what)
    assert rc == 0, err
    return names


def test_query_names_are_openssh_names():
    for what in QUERIES:
        ours = burrow_q(what)
        rc, theirs, err = query(SSH, what)
        assert rc == 0, err
        assert ours, what
        assert len(ours) == len(set(ours)), (what, ours)
        assert set(ours) <= set(theirs), (what, set(ours) - set(theirs))
        if what.startswith(("key", "sig", "HostKey", "Pubkey")):
            # Key names in ssh -Q's order: + and patterns select in that order.
            assert ours == [n for n in theirs if n in set(ours)], what
    for what, names in REQUIRED.items():
        missing = names - set(burrow_q(what))
        assert not missing, (what, missing)
    assert set(burrow_q("cipher-auth")) == {
        "chacha20-poly1305@openssh.com", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com"}
    assert burrow_q("HostKeyAlgorithms") == burrow_q("key-sig")
    assert burrow_q("Ciphers") == burrow_q("cipher")


def test_query_unknown_like_ssh():
    need(BURROW)
    ours = query(BURROW, "foo")
    theirs = query(SSH, "foo")
    assert ours == theirs == (255, [], 'Unsupported query "foo"\n')


def test_bad_specs_like_ssh():
    """Option errors: same words and exit code as ssh (no connection made)."""
    need(BURROW)
    cases = [["-c", "foo"], ["-c", "-aes128-ctr"], ["-m", "foo"], ["-m", "+hmac-sha1"],
             ["-o", "Ciphers=foo"], ["-o", "Ciphers=+aes*"], ["-o", "MACs=bar"],
             ["-o", "KexAlgorithms=foo"], ["-o", "HostKeyAlgorithms=foo*"],
             ["-o", "PubkeyAcceptedAlgorithms=x"], ["-o", "CASignatureAlgorithms=x"],
             ["-o", "PubkeyAcceptedKeyTypes=x"]]
    for opts in cases:
        res = []
        for prog in (SSH, BURROW):
            r = subprocess.run([str(prog), "-F", "/dev/null"] + opts + ["-p", "1", "127.0.0.1",
                                                                        "true"],
                               capture_output=True, text=True, timeout=30,
                               stdin=subprocess.DEVNULL)
            res.append((r.returncode, r.stderr))
        assert res[0] == res[1], (opts, res)
        assert res[0][0] == 255


def _login(h, kind, srv, opts):
    argv = h.client_argv(kind, srv, "echo alg-ok", opts=opts)
    res = h.run(argv, timeout=30)
    assert res.rc == 0 and res.out == "alg-ok\n", "%s\n%s" % (res, srv.log_text()[-3000:])


def test_every_query_algorithm_logs_in(h):
    """Each -Q cipher, MAC and kex negotiates with burrowd, from burrow and from ssh."""
    ciphers = burrow_q("cipher")
    macs = burrow_q("mac")
    kexes = burrow_q("kex")
    srv = h.server("burrowd", extra=["Ciphers=" + ",".join(ciphers),
                                     "MACs=" + ",".join(macs),
                                     "KexAlgorithms=" + ",".join(kexes)])
    ssh_ciphers = set(query(SSH, "cipher")[1])
    for kind in ("burrow", "ssh"):
        for c in ciphers:
            if kind == "burrow" or c in ssh_ciphers:
                _login(h, kind, srv, ["-c", c])
        for m in macs:
            # A cipher without its own integrity, so the MAC is really used.
            _login(h, kind, srv, ["-c", "aes128-ctr", "-m", m])
        for k in kexes:
            _login(h, kind, srv, ["-o", "KexAlgorithms=" + k])


def _dump(prog, hostkey, opts):
    argv = [str(prog), "-T", "-f", "/dev/null", "-h", str(hostkey)]
    for o in opts:
        argv += ["-o", o]
    r = subprocess.run(argv, capture_output=True, text=True, timeout=30,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, (argv, r.stderr)
    out = {}
    for line in r.stdout.splitlines():
        k, _, v = line.partition(" ")
        out.setdefault(k, v)
    return out


DUMP_SPECS = [
    [], ["Ciphers=^aes256-ctr"], ["Ciphers=-aes*"], ["Ciphers=aes128-ctr,aes256-ctr"],
    ["MACs=-*-etm@openssh.com"], ["MACs=^hmac-sha1"], ["MACs=hmac-sha2-512,hmac-sha1"],
    ["KexAlgorithms=^diffie-hellman-group14-sha256"], ["KexAlgorithms=-ecdh-*"],
    ["KexAlgorithms=+diffie-hellman-group14-sha256"],
    ["HostKeyAlgorithms=+ssh-rsa"], ["HostKeyAlgorithms=ssh-ed*"],
    ["HostKeyAlgorithms=-*-cert-v01@openssh.com"], ["HostKeyAlgorithms=+ssh-rs?"],
    ["PubkeyAcceptedAlgorithms=^ssh-rsa"], ["PubkeyAcceptedKeyTypes=+ssh-rsa-cert-v01@openssh.com"],
    ["CASignatureAlgorithms=-rsa-*"], ["CASignatureAlgorithms=^ssh-rsa"],
    ["Compression=delayed"], ["Compression=no"], ["AllowAgentForwarding=no"],
    ["TrustedUserCAKeys=/etc/ssh/ca.pub"],
]
LIST_KEYS = ["ciphers", "macs", "kexalgorithms", "hostkeyalgorithms",
             "pubkeyacceptedalgorithms", "casignaturealgorithms"]


def test_dump_resolves_like_sshd(h):
    """burrowd -T = sshd -T restricted to the names burrow supports."""
    need(BURROWD)
    supported = set()
    for what in ("cipher", "mac", "kex", "key-sig"):
        supported |= set(burrow_q(what))
    hostkey = h.keys.sshd_hostkey
    for spec in DUMP_SPECS:
        theirs = _dump(SSHD, hostkey, spec)
        ours = _dump(BURROWD, hostkey, spec)
        for k in LIST_KEYS:
            want = [n for n in theirs[k].split(",") if n in supported]
            assert ours[k].split(",") == want, (spec, k, ours[k], theirs[k])
        for k in ("compression", "allowagentforwarding", "trustedusercakeys"):
            assert ours[k] == theirs[k], (spec, k)


# what -> (server settings, client options, the text OpenSSH names it by)
MISMATCH = {
    "cipher": (["Ciphers=aes256-ctr"], ["-c", "aes128-ctr"], "cipher"),
    "mac": (["Ciphers=aes256-ctr", "MACs=hmac-sha2-512"],
            ["-c", "aes256-ctr", "-m", "hmac-sha1"], "MAC"),
    "kex": (["KexAlgorithms=curve25519-sha256"],
            ["-o", "KexAlgorithms=diffie-hellman-group14-sha256"], "key exchange method"),
    "hostkey": ([], ["-o", "HostKeyAlgorithms=ecdsa-sha2-nistp256"], "host key type"),
}


def _neg_line(srv):
    m = srv.wait_log(r"Unable to negotiate with [^\n]*", timeout=10)
    assert m, srv.log_text()[-3000:]
    # The client's port differs from run to run.
    return re.sub(r"port \d+", "port N", m.group(0))


@pytest.mark.parametrize("what", sorted(MISMATCH))
def test_no_matching(h, what):
    server_opts, client_opts, name = MISMATCH[what]
    client_msg = {}
    server_line = {}
    for server in ("sshd", "burrowd"):
        for client in ("ssh", "burrow"):
            srv = h.server(server, extra=server_opts)
            argv = h.client_argv(client, srv, "true", opts=client_opts)
            res = h.run(argv, timeout=30)
            assert res.rc == 255, res
            lines = [ln for ln in res.err.replace("\r", "").splitlines()
                     if ln.startswith("Unable to negotiate")]
            assert len(lines) == 1, res
            assert re.fullmatch(r"Unable to negotiate with 127\.0\.0\.1 port %d: no matching "
                                r"%s found\. Their offer: \S+" % (srv.port, re.escape(name)),
                                lines[0]), res
            if client == "burrow":
                # burrow also names its own list, so both sides' lists are in view.
                ours = [ln for ln in res.err.replace("\r", "").splitlines()
                        if ln.startswith("Our offer: ")]
                assert ours == ["Our offer: %s" % client_opts[-1].split("=")[-1]], res
            # A new server (and port) for each run: compare without the port.
            client_msg[client, server] = re.sub(r"port \d+", "port N", lines[0])
            line = _neg_line(srv)
            assert line.endswith(" [preauth]"), line
            assert " no matching %s found. Their offer: " % name in line
            server_line[client, server] = line
            srv.stop()
    for server in ("sshd", "burrowd"):
        # burrow words it as ssh does, to the same server.
        assert client_msg["burrow", server] == client_msg["ssh", server]
    for client in ("ssh", "burrow"):
        # burrowd logs it as sshd does, for the same client.
        assert server_line[client, "burrowd"] == server_line[client, "sshd"]


def test_refused_key_algorithm(h):
    """PubkeyAcceptedAlgorithms without ed25519: refused as sshd refuses it."""
    for server in ("sshd", "burrowd"):
        for client in ("ssh", "burrow"):
            srv = h.server(server, extra=["PubkeyAcceptedAlgorithms=rsa-sha2-512"])
            res = h.run(h.client_argv(client, srv, "true"), timeout=30)
            assert res.rc == 255, res
            assert "Permission denied (publickey)." in res.err, res
            m = srv.wait_log(r"userauth_pubkey: [^\n]*", timeout=10)
            assert m, srv.log_text()[-3000:]
            line = m.group(0)
            assert line == ("userauth_pubkey: signature algorithm ssh-ed25519 not in "
                            "PubkeyAcceptedAlgorithms [preauth]"), m.group(0)
            srv.stop()


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_compression_setting(h, server):
    """-C / Compression yes|no on the client and Compression yes|delayed|no on
    the server decide what is negotiated, for burrow and ssh alike."""
    for setting, want_on in (("yes", True), ("delayed", True), ("no", False)):
        srv = h.server(server, extra=["Compression=%s" % setting])
        for client in ("ssh", "burrow"):
            for opts, asked in ((["-C"], True), (["-o", "Compression=yes"], True),
                                ([], False)):
                res = h.run(h.client_argv(client, srv, "echo x", verbose=True, opts=opts),
                            timeout=30)
                assert res.rc == 0 and res.out == "x\n", res
                lines = [ln for ln in res.err.splitlines()
                         if "kex: client->server cipher:" in ln]
                assert lines, res
                want = "zlib@openssh.com" if want_on and asked else "none"
                assert lines[0].endswith("compression: %s" % want), (setting, opts, lines)
        srv.stop()


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_match_narrows_key_algorithms_per_user(h, server):
    """PubkeyAcceptedAlgorithms in a Match block applies to that user only."""
    from sshutil import USER
    # Another user's block does not restrict us.
    srv = h.server(server, config=["Match User nobody-else",
                                   "PubkeyAcceptedAlgorithms rsa-sha2-512"])
    res = h.run(h.client_argv("burrow", srv, "echo ok"), timeout=30)
    assert res.rc == 0 and res.out.strip() == "ok", res
    srv.stop()
    # Our block does.
    srv = h.server(server, config=["Match User %s" % USER,
                                   "PubkeyAcceptedAlgorithms rsa-sha2-512"])
    for client in ("ssh", "burrow"):
        res = h.run(h.client_argv(client, srv, "true"), timeout=30)
        assert res.rc == 255, res
        assert "Permission denied (publickey)." in res.err, res
    m = srv.wait_log(r"userauth_pubkey: signature algorithm ssh-ed25519 not in "
                     r"PubkeyAcceptedAlgorithms \[preauth\]", timeout=10)
    assert m, srv.log_text()[-3000:]
    srv.stop()
