"""The project works from a `git archive` tarball, the usual way a compendium is archived."""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile

import pytest
from project_files import copy_project

from helpers import paths
from tools import run


@pytest.fixture
def unpacked_archive(tmp_path):
    if not (paths.ROOT / ".git").exists():
        # already inside an archive: the tree itself is what the archive holds
        return copy_project(tmp_path / "archive")
    tarball = subprocess.run(
        ["git", "archive", "--format=tar", "HEAD"], cwd=paths.ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(tarball)) as archive:
        archive.extractall(tmp_path / "archive", filter="data")
    return tmp_path / "archive"


def test_copy_project_works_without_git(unpacked_archive, tmp_path):
    copy = copy_project(tmp_path / "copy", source=unpacked_archive)
    assert not (copy / ".git").exists()
    assert (copy / "data" / "datapackage.json").is_file()
    assert (copy / "notebooks" / "01_introduction.ipynb").is_file()


def test_a_notebook_runs_in_the_archive_and_changes_no_byte(
    unpacked_archive, make_notebook, copy_env
):
    """``make``'s runner in the archive (no .git): a rerun of an executed notebook changes no
    byte. A tiny notebook stands in for the real ones (nbval reruns those)."""
    notebook = make_notebook(
        "print(6 * 7)", name="01_introduction", folder=unpacked_archive / "notebooks"
    )
    run.execute(notebook)  # executed and normalised in place, as committed
    before = notebook.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "tools.run", "--force", "01_introduction"],
        cwd=unpacked_archive,
        env=copy_env(unpacked_archive),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    assert "ran 01_introduction" in result.stdout
    assert notebook.read_bytes() == before
