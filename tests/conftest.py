"""Shared fixtures: a scratch copy of the project for tests that must corrupt or interrupt."""

from __future__ import annotations

from pathlib import Path

import pytest
from project_files import copy_project


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The tracked files of the project (plus uncommitted edits) in a temporary folder."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def make_notebook(tmp_path: Path):
    """Write a small notebook (python3 kernel) into tmp_path; return its path.

    Each cell is given as its source, or as a ready nbformat cell (with outputs, say).
    """
    import nbformat

    def make(*cells, name: str = "tiny") -> Path:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_code_cell(c) if isinstance(c, str) else c for c in cells]
        path = tmp_path / f"{name}.ipynb"
        nbformat.write(nb, path)
        return path

    return make


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
