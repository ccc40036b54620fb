"""Variants per student and grading that cannot be forged and does not stop, on a tiny notebook.

``99_tiny`` has what a course notebook has (a parameters cell with a graded exercise's
parameter and its range, a verdict cell, exercises, a solution cell recording its answers) and
runs in a fraction of a second: a roster of two gets its editions and key (two runs), then one
grading of a folder (two runs) answers every question about grading. Real notebooks: one run
of 01 in test_student.py.
"""

from __future__ import annotations

import contextlib
import copy
import csv
import io
import json

import nbformat
import pytest
from course import edition_text, leaks
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools import student

NAME = "99_tiny"
SOLUTION = """from helpers.exercises import answer, written

factor = params.check("factor", factor, int, minimum=2, maximum=9)
answer("99-1", base * factor, 0.5, "graded", "count")
answer("99-2", base**2, 0.5)
written("99-3", "Because seven is prime.")
answer("99-4", 2 * base, 0.5, unit="year")"""


def tiny_notebook():
    def code(source, *tags):
        return new_code_cell(source, metadata={"tags": list(tags)} if tags else {})

    cells = [
        code(
            'factor: int = 3  # exercise 99-1 (graded): a factor (2 to 9)\nderived_dir: str = ""',
            "parameters",
        ),  # fmt: skip
        code("from helpers import params\n\nbase = 7"),
        code("print('consistent')", "verdict"),
        new_markdown_cell(
            "## Exercises\n\n1. *Graded.* `base` times `factor`?\n2. *Practice.* "
            "`base` squared?\n3. *Written.* Why?\n4. *Practice.* Twice `base`?"
        ),  # fmt: skip
        code(SOLUTION, "solution"),
    ]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return new_notebook(cells=cells, metadata={"kernelspec": kernel})


def answered(nb, answers: dict[str, str]):
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        ex = cell.metadata.get("exercise")
        if ex in answers and cell.cell_type == "code":
            cell.source = cell.source.replace("...", answers[ex], 1)
        elif ex in answers:
            cell.source += "\n\n" + answers[ex]
    return nb


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A roster of two (ada, ben) with their editions and key, and a key file that adds
    students e1..e6 with ada's parameters (so that grading runs nothing more)."""
    tmp = tmp_path_factory.mktemp("course")
    source = tmp / f"{NAME}.ipynb"
    nbformat.write(tiny_notebook(), source)
    key = student.roster_editions(["ada", "ben"], tmp / "student", [], [(NAME, source)])
    ada = [r for r in key if r["student"] == "ada"]
    others = ["e1", "e2", "e3", "e4", "e5", "e6"]
    student.write_key(key + [r | {"student": s} for s in others for r in ada], tmp / "key.csv")
    return {"tmp": tmp, "key": student.read_key(tmp / "key.csv"), "made": key}


def test_a_roster_gives_each_student_other_graded_answers_and_no_answer(course):
    made = {(r["student"], r["exercise"]): r for r in course["made"]}
    assert made["ada", "99-1"]["answer"] != made["ben", "99-1"]["answer"]  # a variant each
    assert made["ada", "99-2"]["answer"] == made["ben", "99-2"]["answer"] == 49  # practice
    for sid in ("ada", "ben"):
        row = made[sid, "99-1"]
        factor = json.loads(row["parameters"])["factor"]
        assert factor == student.draw(sid, NAME, "factor", 2, 9)  # reproducible from the id
        assert row["answer"] == 7 * factor  # the solution ran with the student's value
        folder = course["tmp"] / "student" / "roster" / sid
        nb = nbformat.read(folder / f"{NAME}.ipynb", as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert f"factor = {factor}" in injected[0].source
        assert not [c for c in nb.cells if "solution" in c.metadata.get("tags", [])]
        assert leaks(edition_text(folder), [r for r in course["key"] if r["student"] == sid]) == []


@pytest.fixture(scope="module")
def returned(course):
    """A class's folder: ada answers by code (99-1 in a cell that lost its metadata); ben
    copies ada's number for 99-1, forges the output of 99-2's cell (still ``...``) and types
    FY1997 for 99-4; then six bad files and two odd names."""
    folder, tmp = course["tmp"] / "returned", course["tmp"]
    roster = tmp / "student" / "roster"
    ada = nbformat.read(roster / "ada" / f"{NAME}.ipynb", as_version=4)
    ben = nbformat.read(roster / "ben" / f"{NAME}.ipynb", as_version=4)
    good = {
        "ada": answered(ada, {"99-1": "base * factor", "99-2": "base**2", "99-3": "=1+1 it is"}),
        "ben": answered(ben, {"99-1": str(7 * 5), "99-4": "FY1997"}),
    }
    for cell in good["ben"].cells:  # the recorded output says right; the cell says nothing
        if cell.metadata.get("exercise") == "99-2":
            data = {"text/plain": "Exercise 99-2: 49 is right"}
            cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
            cell.outputs[0].data[student.exercises.SUBMITTED] = {"exercise": "99-2", "value": 49}
    good["ada"].metadata["compendium"] = {"notebook": "01_introduction"}  # ignored: file name
    for cell in good["ada"].cells:  # her 99-1 code pasted into a fresh cell: still collected
        if cell.metadata.get("exercise") == "99-1":
            del cell.metadata["exercise"]
    for sid, nb in good.items():
        (folder / sid).mkdir(parents=True)
        nbformat.write(nb, folder / sid / f"{NAME}.ipynb")
    text = nbformat.writes(ada)
    bad = {
        "e1": text[:-40],  # cut short
        "e2": text.replace('"nbformat": 4', '"nbformat": 3'),
        "e3": text.replace('"nbformat": 4', '"nbformat": 99'),
        "e4": '{"nbformat": 4, "cells": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "e5": text.replace('"nbformat_minor": 5', '"nbformat_minor": "5"'),
    }
    for sid, content in bad.items():
        (folder / sid).mkdir()
        (folder / sid / f"{NAME}.ipynb").write_text(content, encoding="utf-8")
    (folder / "e6").mkdir()
    (folder / "e6" / f"{NAME}.ipynb").symlink_to(tmp / "key.csv")  # the key, by a link
    (folder / "ada" / "=cmd|calc!A1.ipynb").write_text(text, encoding="utf-8")
    (folder / "=cmd|calc!A1.ipynb").write_text(text, encoding="utf-8")
    (tmp / "elsewhere").mkdir()
    (folder / "outside").symlink_to(tmp / "elsewhere")
    return folder


@pytest.fixture(scope="module")
def graded(course, returned):
    rows, skipped = student.grade(returned, course["key"], timeout=20)
    return {"rows": rows, "skipped": dict(skipped)}


def _row(graded, sid, exercise):
    return next(r for r in graded["rows"] if r["student"] == sid and r["exercise"] == exercise)


def test_grading_scores_what_the_code_produces_for_each_students_variant(graded):
    assert (_row(graded, "ada", "99-1")["score"], _row(graded, "ada", "99-2")["score"]) == (1, 1)
    assert _row(graded, "ada", "total")["score"] == _row(graded, "ada", "total")["out_of"] == 1
    assert _row(graded, "ben", "99-1")["note"] == "wrong"  # ada's number is not ben's answer
    assert "NameError" in _row(graded, "ben", "99-4")["note"]  # FY1997: said, not a traceback
    assert _row(graded, "ada", "99-3")["note"].startswith("to read")


def test_a_forged_output_scores_zero(graded):
    assert (_row(graded, "ben", "99-2")["score"], _row(graded, "ben", "99-2")["note"]) == (
        0,
        "no answer",
    )
    assert _row(graded, "ben", "total")["note"].startswith("practice 0/2 right")


def test_bad_files_are_skipped_and_named_and_the_rest_graded(graded):
    skipped = graded["skipped"]
    expected = {
        "e1/99_tiny.ipynb": "not valid JSON",
        "e2/99_tiny.ipynb": "nbformat 3",
        "e3/99_tiny.ipynb": "nbformat 99",
        "e4/99_tiny.ipynb": "nested too deeply",
        "e5/99_tiny.ipynb": "not a valid notebook",
        "e6/99_tiny.ipynb": "symbolic link",
        "outside": "symbolic link",
        "ada/=cmd|calc!A1.ipynb": "not a notebook of the course",
        "=cmd|calc!A1.ipynb": "not in a student's folder",
    }
    assert {f: next(w for w in expected.values() if w in why) for f, why in skipped.items()} == (
        expected
    )
    for sid in ("e1", "e6"):  # a student whose file was bad gets a row per exercise anyway
        assert _row(graded, sid, "99-1")["note"] == "not returned"


def test_every_csv_text_cell_is_safe_and_old_grades_are_kept(graded, tmp_path):
    out = tmp_path / "grades.csv"
    out.write_text("student,score\nmarked by hand,3\n", encoding="utf-8")
    kept = student.write_grades(graded["rows"], list(graded["skipped"].items()), out)
    assert kept.read_text(encoding="utf-8") == "student,score\nmarked by hand,3\n"
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == student.GRADE_FIELDS
    cells = [c for r in rows for c in r.values()]
    assert "'=1+1 it is" in cells and "'=cmd|calc!A1.ipynb" in cells
    for cell in cells:
        assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r") or float(cell) < 0, cell
    assert len([r for r in rows if r["exercise"] == "total"]) == 8  # one per student
    assert student.safe_cell("-3.5") == "-3.5" and student.safe_cell("\t=1") == "'\t=1"


def test_the_command_refuses_an_empty_folder_and_grades_a_folder_of_bad_files(course, tmp_path):
    key, out = str(course["tmp"] / "key.csv"), tmp_path / "grades.csv"
    (tmp_path / "empty").mkdir()
    said = io.StringIO()
    with contextlib.redirect_stderr(said):
        argv = ["grade", str(tmp_path / "empty"), "--key", key, "--out", str(out)]
        assert student.main(argv) == 2
    assert said.getvalue().count("\n") == 1 and "holds no returned notebooks" in said.getvalue()
    assert not out.exists()
    (tmp_path / "bad" / "ada").mkdir(parents=True)
    (tmp_path / "bad" / "ada" / f"{NAME}.ipynb").write_text("{", encoding="utf-8")
    said = io.StringIO()
    with contextlib.redirect_stdout(said):
        assert student.main(["grade", str(tmp_path / "bad"), "--key", key, "--out", str(out)]) == 0
    assert "skipped ada/99_tiny.ipynb: it is not valid JSON" in said.getvalue()
    assert "ada: 0/1 graded right" in said.getvalue()


@pytest.mark.parametrize(
    "content, said",
    [
        ("student\nada\nada\n", "row 3: 'ada' appears twice"),
        ("student\n../etc\n", "row 2: '../etc' is not a valid id"),
        ("student\n", "lists no student id"),
    ],
)
def test_a_bad_roster_is_refused_in_one_sentence(tmp_path, capsys, content, said):
    roster = tmp_path / "roster.csv"
    roster.write_text(content, encoding="utf-8")
    assert student.main(["build", "--roster", str(roster), "--out", str(tmp_path / "s")]) == 2
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and not (tmp_path / "s").exists()
