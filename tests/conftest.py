"""Shared fixtures: a scratch copy of the project for tests that must corrupt or interrupt."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from helpers import paths


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The tracked files of the project (plus uncommitted edits) in a temporary folder."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    copy = tmp_path / "project"
    for name in listed:
        source = paths.ROOT / name
        if source.is_file():
            target = copy / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return copy


# Every kernel this suite starts (nbval's and papermill's) inherits IPYTHONDIR, so this startup
# file runs in each of them: a notebook that opens an internet socket fails loudly.
NO_NETWORK = """
import socket as _socket

_connect = _socket.socket.connect


def _guarded_connect(self, address):
    if self.family in (_socket.AF_INET, _socket.AF_INET6):
        raise RuntimeError(f"network request from a notebook: {address!r}")
    return _connect(self, address)


_socket.socket.connect = _guarded_connect
_socket.socket.connect_ex = _guarded_connect
"""


def pytest_configure(config):
    import os
    import tempfile

    ipython_dir = Path(tempfile.mkdtemp(prefix="ipython-no-network-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-no-network.py").write_text(NO_NETWORK)
    os.environ["IPYTHONDIR"] = str(ipython_dir)
