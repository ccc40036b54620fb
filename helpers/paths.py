"""Project folders, resolved from this file so papermill, nbval and JupyterLab agree."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ARTICLE = DATA / "article"  # transcribed from the article, read-only
EXTERNAL = DATA / "external"  # public reference data from other publishers, read-only
DERIVED = DATA / "derived"  # written by the notebooks
CLAIMS = DATA / "claims.csv"
PACKAGE = DATA / "datapackage.json"  # Frictionless Data Package: every CSV's schema
NOTEBOOKS = ROOT / "notebooks"
BUILD = ROOT / "build"  # git-ignored: stamps, failed runs, site, sweeps


def relative(path: Path) -> str:
    """A path as shown to readers: relative to the project root, never absolute."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return Path(path).name
