"""A scratch copy of the project for tests that corrupt data, interrupt a run or build.

A test helper module (imported by ``conftest.py`` and the archive test), not a tool: nothing in
``tools/`` needs the git-aware copy (``make bench`` copies its own working tree).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from helpers import paths
from tools.bench import NOT_PROJECT  # without git, leave out what the benchmark's copy does


def copy_project(target: Path, source: Path = paths.ROOT) -> Path:
    """Copy the project's tracked and new (not ignored) files into ``target``.

    In a git checkout git lists them; in an unpacked archive (``git archive``), which has no
    ``.git``, the whole tree is copied without the environment, build outputs and caches.
    """
    shutil.rmtree(target, ignore_errors=True)
    if not (source / ".git").exists():
        return Path(shutil.copytree(source, target, ignore=shutil.ignore_patterns(*NOT_PROJECT)))
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    for name in listed:
        if (source / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / name, target / name)
    return target
