"""BindAddress / -b and ConnectionAttempts, as ssh does them."""

import threading
import time

def peer_address_seen(h, kind, bind):
    """Run `kind -b bind` against a server and return the source address burrowd logged."""
    srv = h.server("burrowd")
    res = h.run(h.client_argv(kind, srv, "echo $SSH_CLIENT", opts=["-b", bind]), timeout=30)
    assert res.rc == 0, res
    return res.out.split()[0]


def test_bind_address(h):
    for kind in ("ssh", "burrow"):
        assert peer_address_seen(h, kind, "127.0.0.3") == "127.0.0.3"
    # Also as the keyword.
    srv = h.server("burrowd")
    res = h.run(h.client_argv("burrow", srv, "echo $SSH_CLIENT",
                              extra=["BindAddress=127.0.0.4"]), timeout=30)
    assert res.rc == 0 and res.out.split()[0] == "127.0.0.4", res


def test_bind_address_unusable(h):
    """An address that is not ours: both clients fail with exit 255."""
    srv = h.server("burrowd")
    for kind in ("ssh", "burrow"):
        res = h.run(h.client_argv(kind, srv, "true", opts=["-b", "192.0.2.1"]), timeout=30)
        assert res.rc == 255, res
        assert "Cannot assign requested address" in res.err, res


def test_connection_attempts_waits_for_the_server(h):
    """ConnectionAttempts=5: the server appears after ~2 s and the login succeeds."""
    srv = h.server("burrowd")
    port = srv.port
    srv.stop()
    started = {}

    def restart():
        time.sleep(2.0)
        srv.start(port)
        started["ok"] = True

    t = threading.Thread(target=restart)
    t.start()
    res = h.run(h.client_argv("burrow", srv, "echo up", extra=["ConnectionAttempts=8"]),
                timeout=60)
    t.join()
    assert started.get("ok") and res.rc == 0 and res.out == "up\n", res
    # One attempt only (the default): refused at once.
    srv.stop()
    t0 = time.monotonic()
    res = h.run(h.client_argv("burrow", srv, "true"), timeout=30)
    assert res.rc == 255 and "Connection refused" in res.err, res
    assert time.monotonic() - t0 < 5
