"""The student edition gives no answer away, the key is generated, and grading scores as expected.

The edition and the key are built once per test run into a temporary folder (``student_edition``
in conftest, through the entry point of ``python -m tools.student build``); grading runs on
copies of the student notebooks. Nothing is written into the checkout.
"""

from __future__ import annotations

import copy
import csv
import importlib.util
import math
import re
import runpy
import sys
import warnings

import nbformat
import pytest

from helpers import claims, exercises, paths
from tools import notebooks, run, student

SECTIONS = [nb.name for nb in (*notebooks.SECTION_NOTEBOOKS, notebooks.CROSS_CHECKS)]


@pytest.fixture(scope="module")
def edition(student_edition):
    """The shared student edition (conftest), its key as grading reads it, its notebooks."""
    folder = student_edition["out"] / "notebooks"
    books = {
        nb.name: nbformat.read(folder / f"{nb.name}.ipynb", as_version=4)
        for nb in notebooks.existing()
    }
    key = student.read_key(student_edition["key_path"])
    return {**student_edition, "key": key, "books": books}


def _text(nb) -> str:
    """Everything a student can read in a notebook: sources and text outputs, not images."""
    parts = []
    for cell in nb.cells:
        parts.append(cell.source)
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    parts.append(str(value))
    return "\n".join(parts)


def _forms(value: float, tolerance: float) -> set[str]:
    """How a numeric answer would be printed at its tolerance's precision."""
    places = max(0, round(-math.log10(2 * tolerance)))
    forms = {f"{value:.{places}f}", f"{value:,.{places}f}"}
    if abs(value) < 1:  # a fraction is also printed as a percentage
        forms |= {f"{100 * value:.{max(0, places - 2)}f}"}
    return forms


def test_key_has_three_exercises_per_section_notebook_and_a_written_one(edition):
    with edition["key_path"].open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == student.KEY_FIELDS
    for name in SECTIONS:
        mine = [r for r in rows if r["notebook"] == name]
        assert len(mine) >= 3, name
        assert any(r["kind"] == "written" and r["answer"] for r in mine), name
        assert {r["kind"] for r in mine} <= {"numeric", "written"}
        for r in mine:
            if r["kind"] == "numeric":
                assert float(r["tolerance"]) > 0 and math.isfinite(float(r["answer"]))


def test_no_solution_or_answer_revealing_cell_in_the_student_edition(edition):
    for entry in notebooks.existing():
        full = nbformat.read(entry.path, as_version=4)
        text = _text(edition["books"][entry.name])
        for cell in edition["books"][entry.name].cells:
            assert not student.REMOVED & set(cell.metadata.get("tags", [])), entry.name
        for cell in full.cells:
            if student.REMOVED & set(cell.metadata.get("tags", [])):
                longest = max(cell.source.splitlines(), key=len).strip()
                assert longest not in text, f"{entry.name}: {longest!r} in the student edition"


def test_verdict_cells_have_no_outputs_and_figures_stay(edition):
    for name, nb in edition["books"].items():
        verdict = [c for c in nb.cells if "verdict" in c.metadata.get("tags", [])]
        assert verdict or name == "00_audit_report", name
        assert all(c.outputs == [] and c.execution_count is None for c in verdict), name
    figures = sum(
        "image/png" in o.get("data", {})
        for nb in edition["books"].values()
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert figures >= len(SECTIONS)


def test_no_numeric_answer_appears_in_the_student_edition(edition):
    """Unless the article itself prints the number (the ledger's quotes are the article's words)."""
    printed = " ".join(claims.load_claims()["quote"])
    whole = "\n".join(_text(nb) for nb in edition["books"].values())
    for row in edition["key"]:
        if row["kind"] != "numeric":
            continue
        for form in _forms(row["answer"], row["tolerance"]):
            pattern = rf"(?<![\d.,]){re.escape(form)}(?![\d]|[.,]\d)"
            if re.search(pattern, printed):
                continue
            assert not re.search(pattern, whole), (
                f"{row['exercise']}: {form} in the student edition"
            )


def test_check_says_right_or_wrong_without_the_answer(edition, capsys):
    checker_cells = [
        c
        for nb in edition["books"].values()
        for c in nb.cells
        if "checker" in c.metadata.get("tags", [])
    ]
    assert len(checker_cells) == len(SECTIONS)
    namespace: dict = {}
    for cell in checker_cells:
        exec(cell.source, namespace)  # noqa: S102 - the cell a student runs
        for row in (r for r in edition["key"] if r["kind"] == "numeric"):
            if row["exercise"] not in namespace["check"].hashes:
                continue
            value, tol = row["answer"], row["tolerance"]
            assert namespace["check"](row["exercise"], value + 0.9 * tol)
            assert namespace["check"](row["exercise"], value - 0.9 * tol)
            assert not namespace["check"](row["exercise"], value + 2.5 * tol)
            assert namespace["check"](row["exercise"], ...) is None
    assert "right" in capsys.readouterr().out
    with pytest.raises(KeyError):
        exercises.Checker({})("99-1", 1)


def _answered(nb, key: list[dict], shift: float):
    """A copy of a student notebook with every answer cell filled in (numbers moved by shift)."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        row = next((r for r in key if r["exercise"] == cell.metadata.get("exercise")), None)
        if row is None:
            continue
        if row["kind"] == "numeric":
            value = row["answer"] + shift * row["tolerance"]
            cell.source = cell.source.replace("...", repr(value), 1)
        else:
            cell.source += "\n\nThe table mixes two dates; the total should be corrected."
    return nb


@pytest.fixture(scope="module")
def submissions(edition, tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    for who, shift in [("correct", 0.0), ("wrong", 5.0), ("empty", None)]:
        (folder / who).mkdir(parents=True)
        for name in SECTIONS:
            nb = edition["books"][name]
            nb = nb if shift is None else _answered(nb, edition["key"], shift)
            nbformat.write(nb, folder / who / f"{name}.ipynb")
    return folder


def test_grade_scores_correct_wrong_and_empty_submissions(edition, submissions):
    rows = student.grade(submissions, edition["key"])
    numeric = [r for r in edition["key"] if r["kind"] == "numeric"]
    written = [r for r in edition["key"] if r["kind"] == "written"]
    assert len(rows) == 3 * len(edition["key"])
    by = {
        who: [r for r in rows if r["submission"].startswith(who)]
        for who in ("correct", "wrong", "empty")
    }
    assert sum(r["score"] for r in by["correct"] if r["kind"] == "numeric") == len(numeric)
    assert sum(r["score"] for r in by["wrong"] if r["kind"] == "numeric") == 0
    assert all(r["note"] == "no answer" for r in by["empty"])
    assert all(r["note"] == "wrong" for r in by["wrong"] if r["kind"] == "numeric")
    assert [r["note"].startswith("to read") for r in by["correct"] if r["kind"] == "written"] == [
        True
    ] * len(written)


def test_entry_points_build_and_grade_without_make(edition, submissions, tmp_path, capsys):
    """The commands an instructor without make types, python -m tools.student [build|grade],
    through their entry point (the shared edition was built by the first; see conftest; that
    ``python -m`` reaches it is checked below)."""
    assert "answer key" in edition["stdout"] and (edition["out"] / "notebooks").is_dir()
    out = tmp_path / "grades.csv"
    argv = ["grade", str(submissions), "--key", str(edition["key_path"]), "--out", str(out)]
    assert student.main(argv) == 0
    said = capsys.readouterr().out
    assert "correct/01_introduction.ipynb: " in said
    assert "empty/01_introduction.ipynb: 0/" in said
    with out.open(encoding="utf-8") as f:
        assert list(csv.DictReader(f))[0].keys() == set(student.GRADE_FIELDS)
    assert student.main(["grade", str(tmp_path / "missing")]) == 2


def test_a_student_runs_01_with_other_parameters_and_it_checks_and_grades(edition, tmp_path):
    """The student edition of 01, answers typed in, run with other parameters (the one run of
    01 with other parameters, see tests/test_notebooks.py): the parameters reach the verdicts,
    written to derived_dir only; check() says right; grading agrees."""
    name, derived = "01_introduction", tmp_path / "derived"
    (tmp_path / "class").mkdir()
    answered = tmp_path / "class" / f"{name}.ipynb"
    nbformat.write(_answered(edition["books"][name], edition["key"], 0.0), answered)
    parameters = {"tolerance": 0.2, "sum_tolerance": 0.05, "derived_dir": str(derived)}
    nb = nbformat.read(run.execute(answered, parameters=parameters), as_version=4)
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    assert [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"] == []
    written = derived / "verdicts" / f"{name}.csv"
    committed = paths.DERIVED / "verdicts" / f"{name}.csv"
    assert written.read_bytes() != committed.read_bytes(), "the parameters changed no verdict"
    said = _text(nb)
    assert re.search(r"01-2: [\d.]+ is right", said), said[-2000:]
    rows = student.grade(tmp_path / "class", edition["key"])
    numeric = [r for r in rows if r["kind"] == "numeric"]
    assert numeric and all(r["score"] == 1 for r in numeric)


def test_the_student_edition_refers_to_nothing_it_does_not_include(edition):
    for name, nb in edition["books"].items():
        assert "README" not in "\n".join(c.source for c in nb.cells), name


def test_every_python_m_command_of_the_instructor_guide_exists(monkeypatch, capsys):
    """The path without make: every documented ``python -m`` module exists; ours answer --help
    when run as ``python -m`` runs them (runpy, in this process: no second Python to start)."""
    guide = (paths.NOTEBOOKS / "INSTRUCTOR.md").read_text(encoding="utf-8")
    modules = set(re.findall(r"python -m ([\w.]+)", guide))
    assert {"tools.run", "tools.site", "tools.student", "venv", "pip"} <= modules
    for module in sorted(modules - {"pip"}):  # a new venv has pip; this project's .venv has uv
        assert importlib.util.find_spec(module) is not None, module
    for module in sorted(m for m in modules if m.startswith("tools.")):
        monkeypatch.setattr(sys, "argv", [module, "--help"])
        with warnings.catch_warnings(), pytest.raises(SystemExit) as done:
            warnings.simplefilter("ignore", RuntimeWarning)  # runpy: "already imported", as meant
            runpy.run_module(module, run_name="__main__")
        assert done.value.code == 0 and "usage" in capsys.readouterr().out, module


def test_make_and_binder_call_the_same_entry_point():
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-m tools.student\n" in makefile and "-m tools.student grade $(SUBMISSIONS)" in makefile
    post_build = paths.ROOT / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable for repo2docker"
    assert "python -m tools.student build --key" in post_build.read_text(encoding="utf-8")
