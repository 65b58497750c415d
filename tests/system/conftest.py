"""pytest fixtures for the burrow system tests (see sshutil.py)."""

import pytest

import sshutil


@pytest.fixture(scope="session")
def keys(tmp_path_factory):
    """Keys made once per run: user key, stranger key, sshd host key."""
    return sshutil.Keys(tmp_path_factory.mktemp("keys"))


@pytest.fixture
def h(keys, tmp_path):
    """Per-test harness; kills every process it started when the test ends."""
    harness = sshutil.Harness(keys, tmp_path)
    yield harness
    harness.cleanup()


@pytest.fixture
def targets():
    """Target servers (fwdutil.Target) made by a test; closed when it ends."""
    from fwdutil import Target

    made = []

    def make(handler, **kw):
        t = Target(handler, **kw)
        made.append(t)
        return t
    yield make
    for t in made:
        t.close()
