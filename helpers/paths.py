"""Project folders, resolved from this file so papermill, nbval and JupyterLab agree."""

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ARTICLE = DATA / "article"  # transcribed from the article, read-only
EXTERNAL = DATA / "external"  # public reference data from other publishers, read-only
DERIVED = DATA / "derived"  # written by the notebooks
CLAIMS = DATA / "claims.csv"
PACKAGE = DATA / "datapackage.json"  # Frictionless Data Package: every CSV's schema
NOTEBOOKS = ROOT / "notebooks"
# git-ignored: stamps, failed runs, site, sweeps. The test suite moves its checkout's build/ to
# a temporary folder with MENJU_BUILD="<checkout><os.pathsep><folder>" (kernels inherit it), so
# that no test writes into the checkout; copies of the project that tests make keep their own.
BUILD_ENV = "MENJU_BUILD"
_moved_root, _, _moved_to = os.environ.get(BUILD_ENV, "").partition(os.pathsep)
BUILD = Path(_moved_to) if _moved_to and Path(_moved_root) == ROOT else ROOT / "build"


# `make` (tools.run) sets this in its kernels' environment: only a `make` run may replace the
# committed results in data/derived/. Any other run (papermill by hand, JupyterLab, nbval)
# writes them under build/derived/ unless it names a folder itself.
COMMITTED_RESULTS = "MENJU_COMMITTED_RESULTS"


def results_dir(derived_dir: str | Path = "") -> Path:
    """Where a notebook writes its derived files: ``derived_dir`` if given, else see above."""
    if derived_dir:
        return Path(derived_dir)
    return DERIVED if os.environ.get(COMMITTED_RESULTS) == "1" else BUILD / "derived"


def relative(path: Path) -> str:
    """A path as shown to readers: relative to the project root, never absolute.

    A symbolic link is shown as the link (its target only if the link lies outside)."""
    for candidate in (Path(os.path.abspath(path)), Path(path).resolve()):
        if candidate.is_relative_to(ROOT):
            return candidate.relative_to(ROOT).as_posix()
    return Path(path).name
