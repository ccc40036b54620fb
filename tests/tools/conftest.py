"""Fixtures shared by the site and student tests: each edition built once per test run, one
browser per test process.

Under xdist every worker is its own process; an edition is built by the first worker that asks
for it, into a folder all workers of the run share, while the others wait on a lock (the recipe
of pytest-xdist's docs, "Making session-scoped fixtures execute only once").
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
from filelock import FileLock

from tools import browser as chromium
from tools import site, student


def once_per_run(tmp_path_factory, worker_id: str, name: str, build) -> dict:
    """``build(folder)`` once per test run; every worker gets its summary (a JSON-able dict)."""
    if worker_id == "master":  # no xdist: this process is the whole run
        summary = build(tmp_path_factory.mktemp(name))
    else:
        shared = tmp_path_factory.getbasetemp().parent  # one folder per run, seen by all workers
        folder, saved = shared / name, shared / f"{name}.json"
        with FileLock(shared / f"{name}.lock"):
            if not saved.exists():  # a build that failed wrote nothing: the next worker retries
                folder.mkdir(exist_ok=True)
                saved.write_text(json.dumps(build(folder), default=str), encoding="utf-8")
        summary = json.loads(saved.read_text(encoding="utf-8"))
    return {**summary, "out": Path(summary["out"])}


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id) -> dict:
    """The site as ``make site`` writes it: site.build's summary (out, pages, broken, ...)."""
    return once_per_run(
        tmp_path_factory, worker_id, "site", lambda f: site.build(f / "site", quiet=True)
    )


def _student_edition(folder: Path) -> dict:
    """``python -m tools.student build``, the command an instructor without make types (run
    in this process: a second Python would import everything again)."""
    out, key = folder / "student", folder / "answer_key.csv"
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        # the handout's PDF is printed by the browser tests' Chromium (test_site_browser.py)
        assert student.main(["build", "--out", str(out), "--key", str(key), "--no-pdf"]) == 0
    pages = sorted(p.name for p in out.glob("*.html"))
    return {"out": out, "pages": pages, "key_path": key, "stdout": said.getvalue()}


@pytest.fixture(scope="session")
def student_edition(tmp_path_factory, worker_id) -> dict:
    """The student edition (pages and notebooks in out, the answer key, what the command said)."""
    summary = once_per_run(tmp_path_factory, worker_id, "student", _student_edition)
    return {**summary, "key_path": Path(summary["key_path"])}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test of the process (Debian: apt-get install -y
    chromium); without it these tests fail, saying how to install it."""
    assert chromium.CHROMIUM.exists(), (
        f"no Chromium at {chromium.CHROMIUM}: apt-get install -y chromium, or set CHROMIUM"
    )
    with chromium.chromium() as launched:
        yield launched
