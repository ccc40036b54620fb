"""Notebook files as the project commits them: normalised, written with a fixed layout.

``normalise`` strips what changes from run to run (papermill metadata, cell ids, the Python
version, how prints were split), ``write_notebook`` writes the layout Jupyter itself writes, and
``skip_slow_validator`` spares nbformat's validator a slow optional import. The runner, the site
build, sweeps and the pytest plugin all use them; they live apart from the runner because none
of them runs a notebook, so importing them costs nothing.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path


def normalise(nb):
    """Strip what changes between runs: papermill metadata, random cell ids, Python's version."""
    from nbconvert.preprocessors import CoalesceStreamsPreprocessor

    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    # the interpreter's version differs between machines running the same lock (3.11.2 on
    # Debian, 3.11.7 here, 3.13): the committed notebook must not depend on it
    nb.metadata.get("language_info", {}).pop("version", None)
    # consecutive stdout (or stderr) chunks joined: how prints are split varies run to run
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nb, {})
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index:02d}"
        for key in ("papermill", "execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            for output in cell.outputs:
                output.get("metadata", {}).pop("execution", None)
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def skip_slow_validator() -> None:
    """Keep jsonschema from importing rfc3987-syntax, which builds Lark grammars on import.

    nbformat's schema uses no IRI formats, so the checker is never needed here, and skipping
    it saves about 2.7 s per process (measured on this project's 2-core machine).
    """
    sys.modules.setdefault("rfc3987_syntax", None)  # None makes the import fail fast
    # nbformat validates every notebook it writes; fastjsonschema (in the lock) is ~3x faster
    os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")


def write_notebook(nb, target: Path) -> None:
    """Write with a fixed layout (what Jupyter itself writes) and a trailing newline."""
    import nbformat

    target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
