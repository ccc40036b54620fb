"""Shared fixtures: a scratch copy of the project for tests that must corrupt or interrupt, tiny
notebooks for the runner's mechanics, and a guard that no test writes into the checkout."""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from pathlib import Path

import pytest

# Before helpers.paths is imported: build/ of this session is a temporary folder, shared by
# every xdist worker and every kernel (they inherit the variable), so nothing a test runs (nbval's
# runs outside make write their derived files under build/derived/) lands in the checkout.
_OWN_BUILD = "MENJU_BUILD" not in os.environ
if _OWN_BUILD:
    _checkout = Path(__file__).resolve().parent.parent
    _folder = tempfile.mkdtemp(prefix="menju-test-build-")
    os.environ["MENJU_BUILD"] = f"{_checkout}{os.pathsep}{_folder}"

from project_files import copy_project  # noqa: E402

from helpers import data, paths  # noqa: E402
from tools import run  # noqa: E402

CHECKOUT_BUILD = paths.ROOT / "build"


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The tracked files of the project (plus uncommitted edits) in a temporary folder."""
    return copy_project(tmp_path / "project")


def project_env(root: Path) -> dict:
    """The environment for ``python -m tools.*`` in a copy: its own code, its own build/."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop(paths.BUILD_ENV, None)
    env.pop(paths.COMMITTED_RESULTS, None)
    return env


@pytest.fixture
def in_project(project_copy: Path, monkeypatch) -> Path:
    """Point this process's ``helpers.paths`` (and what is built on it) at ``project_copy``:
    ``tools.run``, ``tools.checks`` and ``helpers.data`` called in-process work there.
    (Kernels the runner starts import the staged copy's helpers, so they follow too.)"""
    root = project_copy
    for name, path in {
        "ROOT": root,
        "DATA": root / "data",
        "ARTICLE": root / "data" / "article",
        "EXTERNAL": root / "data" / "external",
        "DERIVED": root / "data" / "derived",
        "CLAIMS": root / "data" / "claims.csv",
        "PACKAGE": root / "data" / "datapackage.json",
        "NOTEBOOKS": root / "notebooks",
        "BUILD": root / "build",
    }.items():
        monkeypatch.setattr(paths, name, path)
    for name in ("article", "external", "derived"):
        monkeypatch.setitem(data.FOLDERS, name, getattr(paths, name.upper()))
    monkeypatch.setattr(run, "STAMPS", root / "build" / "stamps")
    monkeypatch.setattr(run, "FAILED", root / "build" / "failed")
    data._read_package.cache_clear()
    yield root
    data._read_package.cache_clear()


def tracked_digests(root: Path) -> dict[str, bytes]:
    """Every file of a project copy outside build/, by path: to prove nothing changed."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and "build" not in p.relative_to(root).parts[:1]
        and "__pycache__" not in p.parts
    }


@pytest.fixture
def make_notebook(tmp_path: Path):
    """Write a small notebook (python3 kernel) into tmp_path; return its path.

    Each cell is given as its source, or as a ready nbformat cell (with outputs, say); a cell
    whose source starts with ``# parameters`` is tagged as papermill's parameters cell.
    """
    import nbformat

    def make(*cells, name: str = "tiny", folder: Path | None = None) -> Path:
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nb.cells = [nbformat.v4.new_code_cell(c) if isinstance(c, str) else c for c in cells]
        for cell in nb.cells:
            if cell.source.startswith("# parameters"):
                cell.metadata["tags"] = ["parameters"]
        path = Path(folder or tmp_path) / f"{name}.ipynb"
        nbformat.write(nb, path)
        return path

    return make


@pytest.fixture(autouse=True)
def _keep_signal_handlers():
    """Entry points called in-process install handlers for SIGINT/SIGTERM: put ours back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    yield
    for signum, handler in saved.items():
        signal.signal(signum, handler)


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
    ipython_dir = Path(tempfile.mkdtemp(prefix="ipython-no-network-"))
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-no-network.py").write_text(NO_NETWORK)
    os.environ["IPYTHONDIR"] = str(ipython_dir)


# --- no test writes into the checkout ------------------------------------------------------


def _checkout_state() -> tuple:
    """The checkout's build/ (names, sizes, times) and git's view of the tracked tree."""
    listing = (
        sorted(
            (p.relative_to(CHECKOUT_BUILD).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
            for p in CHECKOUT_BUILD.rglob("*")
            if p.is_file()
        )
        if CHECKOUT_BUILD.is_dir()
        else []
    )
    status = ""
    if (paths.ROOT / ".git").exists():
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=paths.ROOT,
            capture_output=True,
            text=True,
        ).stdout
    return listing, status


def pytest_sessionstart(session):
    if not hasattr(session.config, "workerinput"):  # the controller (or the only process)
        session.config._checkout_before = _checkout_state()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_checkout_before", None)
    if before is None:
        return
    after = _checkout_state()
    if after != before:
        changed = sorted(set(after[0]) ^ set(before[0]))[:10]
        print(
            "\nA test wrote into the checkout: build/ changed "
            f"({changed}) or git status changed:\n{before[1]}->\n{after[1]}"
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    if _OWN_BUILD:
        import shutil

        shutil.rmtree(_folder, ignore_errors=True)


@pytest.fixture
def snapshot():
    """``snapshot(root)``: every file of a project copy outside build/ (see tracked_digests)."""
    return tracked_digests


@pytest.fixture
def copy_env():
    """``copy_env(root)``: the environment for ``python -m tools.*`` in a project copy."""
    return project_env
