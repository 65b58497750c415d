"""SHA-1 `ssh-rsa` signatures: refused by default, allowed with `+ssh-rsa`.

For user keys (PubkeyAcceptedAlgorithms on the server) and for host keys
(HostKeyAlgorithms on the client and on the server), against OpenSSH in both
directions; sshd is the baseline for every answer burrowd gives.
"""

import os
import subprocess

import pytest

from sshutil import SSH_KEYGEN


def rsa_key(h, name):
    path = h.dir / name
    if not path.exists():
        subprocess.run([SSH_KEYGEN, "-q", "-t", "rsa", "-b", "2048", "-N", "", "-C", name,
                        "-f", str(path)], check=True, stdin=subprocess.DEVNULL, timeout=60)
    return path


def authorized(h, key):
    p = h.dir / ("authorized_%s" % key.name)
    p.write_text((h.dir / (key.name + ".pub")).read_text())
    os.chmod(p, 0o600)
    return p


@pytest.mark.parametrize("server", ["sshd", "burrowd"])
def test_user_key_ssh_rsa(h, server):
    """An ssh-rsa signature is refused by default and accepted with +ssh-rsa."""
    key = rsa_key(h, "id_rsa_sha1")
    ak = authorized(h, key)
    sha1_only = ["PubkeyAcceptedAlgorithms=ssh-rsa"]
    srv = h.server(server, authorized_keys=ak)
    res = h.run(h.client_argv("ssh", srv, "echo ok", identity=key, extra=sha1_only))
    assert res.rc == 255 and "Permission denied (publickey)." in res.err, res
    assert srv.wait_log(r"userauth_pubkey: signature algorithm ssh-rsa not in "
                        r"PubkeyAcceptedAlgorithms \[preauth\]", timeout=10), srv.log_text()
    # The same key with SHA-2 logs in: only the SHA-1 signature was refused.
    res = h.run(h.client_argv("ssh", srv, "echo ok", identity=key))
    assert res.rc == 0 and res.out == "ok\n", res
    srv.stop()
    srv = h.server(server, authorized_keys=ak, extra=["PubkeyAcceptedAlgorithms +ssh-rsa"
                                                      if server == "sshd" else
                                                      "PubkeyAcceptedAlgorithms=+ssh-rsa"])
    for client in ("ssh", "burrow"):
        res = h.run(h.client_argv(client, srv, "echo ok", identity=key, extra=sha1_only))
        assert res.rc == 0 and res.out == "ok\n", res


def test_burrow_host_key_ssh_rsa(h):
    """burrow refuses an sshd that offers only ssh-rsa, unless HostKeyAlgorithms=+ssh-rsa."""
    hk = rsa_key(h, "host_rsa")
    srv = h.server("sshd", extra=["HostKey %s" % hk, "HostKeyAlgorithms ssh-rsa"])
    res = h.run(h.client_argv("burrow", srv, "echo ok"))
    assert res.rc == 255, res
    assert "no matching host key type found. Their offer: ssh-rsa" in res.err, res
    res = h.run(h.client_argv("burrow", srv, "echo ok", extra=["HostKeyAlgorithms=+ssh-rsa"]))
    assert res.rc == 0 and res.out == "ok\n", res


def test_burrowd_host_key_ssh_rsa(h):
    """burrowd offers ssh-rsa for its RSA host key only with HostKeyAlgorithms=+ssh-rsa."""
    hk = rsa_key(h, "host_rsa")
    ssh_rsa = ["HostKeyAlgorithms=ssh-rsa"]
    srv = h.server("burrowd", extra=["HostKey=%s" % hk])
    res = h.run(h.client_argv("ssh", srv, "echo ok", extra=ssh_rsa))
    assert res.rc == 255 and "no matching host key type found" in res.err, res
    # rsa-sha2 with the same key is fine.
    res = h.run(h.client_argv("ssh", srv, "echo ok", extra=["HostKeyAlgorithms=rsa-sha2-512"]))
    assert res.rc == 0 and res.out == "ok\n", res
    srv.stop()
    srv = h.server("burrowd", extra=["HostKey=%s" % hk, "HostKeyAlgorithms=+ssh-rsa"])
    for client in ("ssh", "burrow"):
        res = h.run(h.client_argv(client, srv, "echo ok", extra=ssh_rsa))
        assert res.rc == 0 and res.out == "ok\n", res
