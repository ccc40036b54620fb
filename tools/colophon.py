"""What an edition says about its own making: commit, library versions, citation, Binder link.

The landing page's colophon names the git commit the edition was built from and the versions
of the libraries that rendered it, and cites the compendium from ``CITATION.cff``. The
repository's address has one source, ``repository-code`` in ``CITATION.cff``, which the
publisher fills in: until then no page links to a repository or to Binder. These describe
the build rather than any page, so they live apart from page rendering (``tools.site``); the
commit also enters the ``--if-stale`` digest, which must import nothing heavy.
"""

from __future__ import annotations

import contextlib
import functools
import subprocess
import sys
from importlib import metadata
from urllib.parse import quote, urlsplit

from helpers import paths

CITATION = paths.ROOT / "CITATION.cff"
VERSIONED = ("python", "jupyterlab", "nbconvert", "papermill", "pandas", "matplotlib", "jinja2")


def git_commit() -> str:
    """Short commit hash, with '+ local changes' when the work tree differs from it."""
    command = ["git", "describe", "--always", "--exclude=*", "--dirty= + local changes"]
    try:
        return subprocess.run(
            command, cwd=paths.ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"


@functools.cache
def citation() -> dict:
    import yaml

    return yaml.safe_load(CITATION.read_text(encoding="utf-8"))


def repository() -> str | None:
    """The repository's address as the publisher set it in CITATION.cff, or None if unset."""
    address = str(citation().get("repository-code") or "").strip()
    return address if urlsplit(address).scheme == "https" else None


def binder_url(notebook: str | None = None) -> str | None:
    """A plain link to Binder for the repository (a GitHub address), or None if none is set."""
    address = repository()
    if address is None or urlsplit(address).netloc != "github.com":
        return None
    repo = urlsplit(address).path.strip("/")
    path = f"?labpath={quote(f'notebooks/{notebook}.ipynb', safe='')}" if notebook else ""
    return f"https://mybinder.org/v2/gh/{repo}/HEAD{path}"


def version(name: str) -> str:
    with contextlib.suppress(metadata.PackageNotFoundError):
        return sys.version.split()[0] if name == "python" else metadata.version(name)
    return "not installed"
