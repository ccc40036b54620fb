"""The student edition gives no answer away, the key is generated and tagged, check and grade
share one rule, the public site hides the instructor's pages, and a real notebook is graded on
what its code produces.

The edition, the key and the instructor's pages are built once per test run (``student_edition``
in conftest, through ``python -m tools.student build``); the public site is ``built``. One real
notebook (01) is re-executed, once, by the grader; the rest of grading is tested on tiny
notebooks (test_grade.py). Nothing is written into the checkout.
"""

from __future__ import annotations

import copy
import csv
import importlib.util
import re
import runpy
import sys
import warnings

import nbformat
import pytest
from course import edition_text, leaks

from helpers import claims, exercises, paths
from tools import notebooks, site, student

SECTIONS = [nb.name for nb in (*notebooks.SECTION_NOTEBOOKS, notebooks.CROSS_CHECKS)]
GRID = (-3, -2, -1.5, -1.0001, -1, -0.999, -0.5, 0, 0.5, 0.999, 1, 1.0001, 1.5, 2, 3)


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


def test_key_tags_every_exercise_practice_or_graded(edition):
    with edition["key_path"].open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == student.KEY_FIELDS
    for name in [notebooks.AUDIT.name, *SECTIONS]:
        mine = [r for r in rows if r["notebook"] == name]
        assert len(mine) >= 2 and any(r["kind"] == "written" for r in mine), name
        assert {r["use"] for r in mine} <= set(exercises.USES), name
    graded = {r["notebook"] for r in rows if r["kind"] == "numeric" and r["use"] == "graded"}
    for name in graded:  # a graded number is asked about a parameter each student draws
        assert student.variant_ranges(notebooks.by_name(name).path), name
    assert len(graded) >= 3


def test_check_and_grade_agree_on_a_grid_around_every_answer(edition, capsys):
    """One rule: check (as the student edition builds it) and the grader's score say the same of
    values inside, on and just outside the tolerance of every numeric answer."""
    numeric = [r for r in edition["key"] if r["kind"] == "numeric"]
    for row in numeric:
        practice = row | {"use": "practice"}
        check = exercises.Checker(student.checker_entries([practice]))
        for k in GRID:
            value = row["answer"] + k * row["tolerance"]
            said, (scored, _) = check(row["exercise"], value), student.score(row, value)
            assert said == bool(scored) == (abs(k) <= 1), (row["exercise"], k)
    assert student.score(numeric[0], "'FY1997'") == (0, "not a number: 'FY1997'")
    with pytest.raises(KeyError):
        exercises.Checker({})("99-1", 1)


def test_graded_exercises_have_no_oracle_in_the_student_edition(edition, capsys):
    cells = [
        c
        for nb in edition["books"].values()
        for c in nb.cells
        if "checker" in c.metadata.get("tags", [])
    ]
    assert len(cells) == len(SECTIONS) + 1  # and 00
    namespace: dict = {}
    graded = [r for r in edition["key"] if r["kind"] == "numeric" and r["use"] == "graded"]
    for cell in cells:
        exec(cell.source, namespace)  # noqa: S102 - the cell a student runs
        for row in (r for r in graded if r["exercise"] in namespace["check"].exercises):
            capsys.readouterr()
            for value in (row["answer"], row["answer"] + 5 * row["tolerance"]):
                assert namespace["check"](row["exercise"], value) is None
            right, wrong = capsys.readouterr().out.splitlines()
            assert right.replace(f"{row['answer']:g}", "X") == wrong.replace(
                f"{row['answer'] + 5 * row['tolerance']:g}", "X"
            ), "the two answers are told apart"
            assert namespace["check"](row["exercise"], "FY1997") is None
            assert "is not a number" in capsys.readouterr().out
            assert namespace["check"](row["exercise"], ...) is None


def test_no_solution_or_answer_revealing_cell_in_the_student_edition(edition):
    for entry in notebooks.existing():
        full = nbformat.read(entry.path, as_version=4)
        text = edition_text(edition["out"] / "notebooks")
        for cell in edition["books"][entry.name].cells:
            assert not student.REMOVED & set(cell.metadata.get("tags", [])), entry.name
        for cell in full.cells:
            if student.REMOVED & set(cell.metadata.get("tags", [])):
                longest = max(cell.source.splitlines(), key=len).strip()
                assert longest not in text, f"{entry.name}: {longest!r} in the student edition"


def test_verdicts_are_cleared_and_the_audit_report_shows_none(edition):
    for name, nb in edition["books"].items():
        verdict = [c for c in nb.cells if "verdict" in c.metadata.get("tags", [])]
        assert verdict, name
        assert all(c.outputs == [] and c.execution_count is None for c in verdict), name
    audit = edition["books"][notebooks.AUDIT.name]
    assert all(c.outputs == [] for c in audit.cells if c.cell_type == "code")
    page = (edition["out"] / f"{notebooks.AUDIT.name}.html").read_text(encoding="utf-8")
    assert 'class="verdict"' not in page  # no verdict badge, no table of verdicts
    figures = sum(
        "image/png" in o.get("data", {})
        for nb in edition["books"].values()
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert figures >= len(SECTIONS)


def test_no_key_value_appears_in_any_file_of_the_student_edition(edition):
    """At any printed precision (0.2822, 0.282, 28.2%, 28%), pages and notebooks alike; the
    editions of a roster are checked per student in test_grade.py."""
    assert leaks(edition_text(edition["out"]), edition["key"]) == []


def test_public_site_folds_answers_and_builds_no_instructor_page(built, edition):
    out = built["out"]
    assert "instructor.html" not in built["pages"]
    assert not list(out.rglob("INSTRUCTOR.md")) and not list(out.rglob("instructor*"))
    folded = 0
    for page in out.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert 'href="instructor.html"' not in html, page.name
        # every passage that gives answers away is inside a folded <details> block
        for heading in re.finditer(r'<h[23] id="Parameters-worth-varying[^"]*"', html):
            before = html[: heading.start()]
            assert before.rfind('<details class="solution">') > before.rfind("</details>"), page
            folded += 1
    revealing = [
        nb
        for nb, book in ((nb, nbformat.read(nb.path, as_version=4)) for nb in notebooks.existing())
        if any("reveals-answer" in c.metadata.get("tags", []) for c in book.cells)
    ]
    assert folded == len(revealing) > 0
    visible = " ".join(site.visible_text(p.read_text("utf-8")) for p in out.glob("0*.html"))
    assert "Answer to exercise" not in visible and "Model answer" not in visible


def test_instructor_pages_and_handout_are_built_beside_the_key(edition):
    folder = edition["key_path"].parent
    page = (folder / "instructor.html").read_text(encoding="utf-8")
    assert 'href="handout.html"' in page and site.PARAMETERS_MARKER not in page
    assert student.HANDOUT[0] not in page and "Predicted verdict" not in page
    handout = (folder / "handout.html").read_text(encoding="utf-8")
    assert "<table" in handout and "Predicted verdict</th>" in handout and "|---|" not in handout
    assert 'href="glossary.html"' in handout and (folder / "glossary.html").is_file()
    text = site.visible_text(handout)
    assert "agrees within" not in text and "recomputed value" not in text  # glossary's words
    text = site.visible_text(page)  # every parameter and every inconsistent claim listed
    for nb in notebooks.existing():
        for parameter in student.variant_ranges(nb.path) or ["derived_dir"]:
            assert f"{parameter}" in text, (nb.name, parameter)
    summary = site.read_csv(site.SUMMARY)
    for claim in summary.loc[summary["verdict"] == claims.INCONSISTENT, "claim"]:
        assert claim in text
    assert site.INCONSISTENCIES_MARKER not in page


def test_instructor_guide_timings_add_up_and_name_every_exercise(edition):
    guide = site.INSTRUCTOR_MD.read_text(encoding="utf-8")
    slots = re.findall(r"^\| (\d+)–(\d+) \|", guide, re.M)
    assert slots[0][0] == "0" and slots[-1][1] == "90"
    assert all(a[1] == b[0] for a, b in zip(slots, slots[1:], strict=False))
    table = guide.split("## Practice and graded exercises", 1)[1].split("\n\n- ", 1)[0]
    for row in edition["key"]:
        assert row["exercise"] in table, row["exercise"]
    assert "build/student/index.html" in guide and "build/class/" in guide


def _solved(nb):
    """A student's notebook 01 with every numeric answer computed by code (as the solution does)
    and the written one typed; the check outputs are left as they were (none)."""
    nb = copy.deepcopy(nb)
    code = {
        "01-1": "abs(cells_sum - audit.stated('C01-table1-total-affiliations'))"
        " / audit.stated('C01-table1-total-affiliations')",
        "01-2": "bounds.loc['towns', 'fewest if none shared'] - pairs",
        "01-3": "930 / governments",
    }
    for cell in nb.cells:
        ex = cell.metadata.get("exercise")
        if ex in code:
            cell.source = cell.source.replace("...", code[ex], 1)
        elif ex:
            cell.source += "\n\n=SUM(A1) The columns describe 2000, the total 2001."
    return nb


@pytest.fixture(scope="module")
def ran_01(edition):
    """The one real notebook run here: a student's 01, answered by code, re-executed by the
    grader with other parameters (01's switch; see tests/test_notebooks.py)."""
    name = "01_introduction"
    committed = (paths.DERIVED / "verdicts" / f"{name}.csv").read_bytes()
    parameters = {"tolerance": 0.2, "sum_tolerance": 0.05}
    asked = [r["exercise"] for r in edition["key"] if r["notebook"] == name]
    ran = student.execute_submission(_solved(edition["books"][name]), name, parameters, asked, 60)
    assert (paths.DERIVED / "verdicts" / f"{name}.csv").read_bytes() == committed
    return ran


def test_a_real_notebook_is_graded_on_what_its_code_produces(ran_01, edition):
    assert ran_01["problem"] is None and ran_01["errors"] == {}
    for row in (r for r in edition["key"] if r["notebook"] == "01_introduction"):
        if row["kind"] == "numeric":
            value = ran_01["values"][student.answer_name(row["exercise"])]
            assert student.score(row, value) == (1, "right"), row["exercise"]
    outputs = [o for c in ran_01["notebook"].cells for o in c.get("outputs", [])]
    assert [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"] == []
    said = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "01-1: 0.0234542 is right" in said and "01-2: 399 recorded" in said


def test_other_parameters_reach_what_the_reader_of_01_reads(ran_01):
    full = nbformat.read(notebooks.by_name("01_introduction").path, as_version=4)
    table = "verdicts = audit.table()"
    before = next(c for c in full.cells if table in c.source).outputs
    after = next(c for c in ran_01["notebook"].cells if table in c.source).outputs
    assert after and after != before, "the parameters changed no verdict"


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
    assert "-m tools.student $(if $(ROSTER),build --roster '$(ROSTER)')" in makefile
    assert "-m tools.student grade '$(SUBMISSIONS)'" in makefile
    post_build = paths.ROOT / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable for repo2docker"
    assert "python -m tools.student build --key" in post_build.read_text(encoding="utf-8")
