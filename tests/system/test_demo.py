"""`make demo`'s script still works against the current build (README's first command)."""

import os
import subprocess

from sshutil import BUILD, REPO, need, BURROW, BURROWD


def test_demo_script():
    need(BURROW)
    need(BURROWD)
    env = dict(os.environ, BUILD=str(BUILD))
    r = subprocess.run(["bash", str(REPO / "scripts" / "demo.sh")], env=env,
                       capture_output=True, text=True, timeout=120,
                       stdin=subprocess.DEVNULL)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "== demo OK" in r.stdout, r.stdout[-3000:]
    assert "audit: direct-tcpip" in r.stdout, r.stdout[-3000:]
