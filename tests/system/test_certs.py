"""OpenSSH certificates (PROTOCOL.certkeys) made by a test CA with ssh-keygen -s.

User certificates: TrustedUserCAKeys on the server; principal = user name,
validity, force-command, source-address and the permit-port-forwarding
extension enforced.  Host certificates: HostCertificate on the server and an
@cert-authority line in the client's known_hosts (StrictHostKeyChecking yes,
no plain host key listed).  ssh -> sshd rows are the baseline.
"""

import subprocess
from pathlib import Path

import pytest

from sshutil import HOST, SSH_KEYGEN, USER, diag, pub_of

MIB = 1 << 20


def sh_keygen(*args):
    subprocess.run([SSH_KEYGEN, "-q"] + [str(a) for a in args], check=True,
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)


def new_key(path):
    sh_keygen("-t", "ed25519", "-N", "", "-C", "", "-f", path)
    return Path(path)


def sign(ca, pub, *opts):
    """ssh-keygen -s ca opts pub; returns the -cert.pub path."""
    sh_keygen("-s", ca, *opts, pub)
    return Path(str(pub)[:-len(".pub")] + "-cert.pub")


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    """A user CA, a host CA, and user keys with certificates beside them."""
    d = tmp_path_factory.mktemp("certs")
    c = {"dir": d}
    c["user_ca"] = new_key(d / "user_ca")
    c["host_ca"] = new_key(d / "host_ca")
    c["other_ca"] = new_key(d / "other_ca")
    trusted = d / "trusted_user_ca_keys"
    trusted.write_text("# test CA\n" + pub_of(c["user_ca"]) + "\n")
    c["trusted"] = trusted
    specs = {
        "good": ["-I", "good-id", "-n", "%s,someone" % USER, "-V", "-5m:+1h", "-z", "7"],
        "wrongprinc": ["-I", "wrong", "-n", "nobody-here", "-V", "-5m:+1h"],
        "expired": ["-I", "old", "-n", USER, "-V", "20200101:20200201"],
        "nofwd": ["-I", "nofwd", "-n", USER, "-O", "no-port-forwarding"],
        "forced": ["-I", "forced", "-n", USER, "-O", "force-command=echo forced-$((6*7))"],
        "srcaddr": ["-I", "src", "-n", USER, "-O", "source-address=10.0.0.0/8"],
        "unknowncrit": ["-I", "crit", "-n", USER, "-O", "critical:burrow-test@example.com=x"],
        "othersigned": ["-I", "other", "-n", USER],
    }
    for name, opts in specs.items():
        kd = d / name
        kd.mkdir()
        key = new_key(kd / "id_ed25519")
        signer = c["other_ca"] if name == "othersigned" else c["user_ca"]
        sign(signer, str(key) + ".pub", *opts)
        c[name] = key
    return c


def server_with(h, kind, settings):
    """Start kind with sshd_config settings given as (keyword, value) pairs."""
    if kind == "sshd":
        extra = ["%s %s" % kv for kv in settings]
    else:
        extra = ["%s=%s" % kv for kv in settings]
    return h.server(kind, extra=extra)


def user_cert_server(h, kind, ca):
    return server_with(h, kind, [("TrustedUserCAKeys", ca["trusted"]), ("LogLevel", "VERBOSE")])


def h_known_line(srv):
    return "%s %s" % (srv.known_hosts_name(), srv.host_pub())


# ---- user certificates ----

USER_PAIRS = [("ssh", "sshd"), ("ssh", "burrowd"), ("burrow", "burrowd"), ("burrow", "sshd")]


@pytest.mark.parametrize("client,server", USER_PAIRS, ids=["%s-%s" % p for p in USER_PAIRS])
@pytest.mark.parametrize("how", ["beside", "certfile"])
def test_user_cert_login_and_transfer(h, ca, client, server, how):
    """-i key with key-cert.pub beside it, or -o CertificateFile: 1 MiB through cat."""
    if client == "ssh" and how == "certfile":
        pytest.skip("the ssh baseline is the same with either spelling")
    srv = user_cert_server(h, server, ca)
    kh = h.known_hosts([h_known_line(srv)])
    key = ca["good"]
    extra = []
    if how == "certfile":
        # The certificate elsewhere than beside the key.
        other = h.dir / "elsewhere-cert.pub"
        other.write_bytes(Path(str(key) + "-cert.pub").read_bytes())
        Path(str(key) + "-cert.pub").rename(h.dir / "moved-cert.pub")
        extra = ["CertificateFile=%s" % other]
    try:
        argv = h.client_argv(client, srv, "cat", known_hosts=kh, strict="yes",
                             identity=key, extra=extra)
        res, sent, got, n = h.stream(argv, MIB)
    finally:
        if how == "certfile":
            (h.dir / "moved-cert.pub").rename(str(key) + "-cert.pub")
    assert res.rc == 0, diag(res, srv)
    assert n == MIB and sent == got, diag(res, srv)
    # The plain key is in no authorized_keys file: the certificate did it.
    if server == "burrowd":
        assert srv.wait_log(r'Accepted certificate ID "good-id" \(serial 7\)'), diag(res, srv)
    assert srv.wait_log(r"Accepted publickey for %s" % USER), diag(res, srv)


REFUSALS = [
    ("wrongprinc", "Certificate invalid: name is not a listed principal"),
    ("expired", "Certificate invalid: expired"),
    ("srcaddr", "not from a permitted source address"),
    ("othersigned", None),
    ("unknowncrit", None),
]


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
@pytest.mark.parametrize("which,logged", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_user_cert_refused(h, ca, server, which, logged):
    srv = user_cert_server(h, server, ca)
    kh = h.known_hosts([h_known_line(srv)])
    marker = h.dir / "marker"
    res = h.run(h.client_argv("ssh", srv, "touch %s" % marker, known_hosts=kh, strict="yes",
                              identity=ca[which]))
    assert res.rc == 255, diag(res, srv)
    assert "Permission denied (publickey)" in res.err, diag(res, srv)
    assert not marker.exists()
    if logged is not None:
        assert srv.wait_log(logged), diag(res, srv)


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_user_cert_force_command(h, ca, server):
    srv = user_cert_server(h, server, ca)
    kh = h.known_hosts([h_known_line(srv)])
    res = h.run(h.client_argv("ssh", srv, "echo not-forced", known_hosts=kh, strict="yes",
                              identity=ca["forced"]))
    assert res.rc == 0, diag(res, srv)
    assert res.stdout == b"forced-42\n", diag(res, srv)


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
@pytest.mark.parametrize("which", ["good", "nofwd"])
def test_user_cert_port_forwarding_extension(h, ca, server, which):
    """No permit-port-forwarding in the certificate: -W is refused, as by sshd."""
    srv = user_cert_server(h, server, ca)
    kh = h.known_hosts([h_known_line(srv)])
    argv = h.client_argv("ssh", srv, None, known_hosts=kh, strict="yes",
                         identity=ca[which], opts=["-W", "%s:%d" % (HOST, srv.port)])
    res = h.run(argv, input=b"", timeout=20)
    if which == "good":
        assert res.stdout.startswith(b"SSH-2.0-"), diag(res, srv)
    else:
        assert res.rc == 255, diag(res, srv)
        assert not res.stdout.startswith(b"SSH-2.0-"), diag(res, srv)
        assert "administratively prohibited" in res.err, diag(res, srv)


# ---- host certificates ----

def host_cert_for(ca, h, pub_text, principals="%s" % HOST, valid="-5m:+1h"):
    """A host certificate for the host key pub_text, signed by ca."""
    d = h.dir / "hostcert"
    d.mkdir(exist_ok=True)
    pub = d / "host.pub"
    pub.write_text(pub_text + "\n")
    return sign(ca, pub, "-h", "-I", "test-host", "-n", principals, "-V", valid)


def host_cert_server(h, kind, ca, principals=HOST, valid="-5m:+1h"):
    """sshd or burrowd presenting a host certificate for an ed25519 host key."""
    if kind == "sshd":
        hostkey = h.keys.sshd_hostkey
    else:
        hostkey = new_key(h.dir / "burrowd_hostkey")
    cert = host_cert_for(ca["host_ca"], h, pub_of(hostkey), principals, valid)
    settings = [("HostCertificate", cert)]
    if kind == "burrowd":
        settings.insert(0, ("HostKey", hostkey))
    return server_with(h, kind, settings)


def ca_line(ca, srv, which="host_ca"):
    return "@cert-authority %s %s" % (srv.known_hosts_name(), pub_of(ca[which]))


HOST_PAIRS = [("ssh", "sshd"), ("ssh", "burrowd"), ("burrow", "sshd"), ("burrow", "burrowd")]


@pytest.mark.parametrize("client,server", HOST_PAIRS, ids=["%s-%s" % p for p in HOST_PAIRS])
def test_host_cert_accepted_by_ca(h, ca, client, server):
    srv = host_cert_server(h, server, ca)
    kh = h.known_hosts([ca_line(ca, srv)])
    before = kh.read_text()
    res = h.run(h.client_argv(client, srv, "echo ok", known_hosts=kh, strict="yes",
                              verbose=True))
    assert res.rc == 0, diag(res, srv)
    assert res.stdout == b"ok\n", diag(res, srv)
    assert "-cert-v01@openssh.com" in res.err, diag(res, srv)
    assert kh.read_text() == before


@pytest.mark.parametrize("client,server", HOST_PAIRS, ids=["%s-%s" % p for p in HOST_PAIRS])
def test_host_cert_untrusted_ca_refused(h, ca, client, server):
    """The CA is not the one listed and the plain key is unknown: refused."""
    srv = host_cert_server(h, server, ca)
    kh = h.known_hosts([ca_line(ca, srv, "other_ca")])
    res = h.run(h.client_argv(client, srv, "echo ok", known_hosts=kh, strict="yes"))
    assert res.rc == 255, diag(res, srv)
    assert "Host key verification failed." in res.err, diag(res, srv)
    assert res.stdout == b""


@pytest.mark.parametrize("client,server", HOST_PAIRS, ids=["%s-%s" % p for p in HOST_PAIRS])
def test_host_cert_falls_back_to_plain_key(h, ca, client, server):
    """Untrusted CA but the plain host key is known: accepted, as ssh does."""
    srv = host_cert_server(h, server, ca)
    plain = pub_of(h.keys.sshd_hostkey if server == "sshd" else h.dir / "burrowd_hostkey")
    kh = h.known_hosts([ca_line(ca, srv, "other_ca"),
                        "%s %s" % (srv.known_hosts_name(), plain)])
    res = h.run(h.client_argv(client, srv, "echo ok", known_hosts=kh, strict="yes"))
    assert res.rc == 0, diag(res, srv)
    assert res.stdout == b"ok\n", diag(res, srv)


@pytest.mark.parametrize("client,server", HOST_PAIRS, ids=["%s-%s" % p for p in HOST_PAIRS])
def test_host_cert_wrong_principal_refused(h, ca, client, server):
    srv = host_cert_server(h, server, ca, principals="not-this-host.example")
    kh = h.known_hosts([ca_line(ca, srv)])
    res = h.run(h.client_argv(client, srv, "echo ok", known_hosts=kh, strict="yes"))
    assert res.rc == 255, diag(res, srv)
    assert "Host key verification failed." in res.err, diag(res, srv)
