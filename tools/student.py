"""The student edition, the answer key and grading (``python -m tools.student``).

``python -m tools.student`` (``make student``) reads the committed, executed notebooks and writes

- ``build/student/``: the site's pages for students (``tools.site`` renders them, given
  ``student_notebook``), no instructor notes;
- ``build/student/notebooks/*.ipynb``: cells tagged ``solution`` or ``reveals-answer`` removed,
  outputs of cells tagged ``verdict`` cleared (students predict, then run; both by nbconvert's
  ``TagRemovePreprocessor``), and after the exercises one self-check cell (salted hashes, never
  the answers) and one answer cell per exercise;
- ``build/instructor/answer_key.csv``: ``notebook, exercise, kind, answer, tolerance``, taken from
  the outputs of the solution cells (``helpers.exercises.answer`` / ``written``), never retyped.

``python -m tools.student grade FOLDER`` (``make grade SUBMISSIONS=FOLDER``) scores every
returned student notebook under FOLDER into ``build/instructor/grades.csv``: numeric answers
against the key, written ones listed for the instructor to read.

Why not otter-grader or nbgrader: both grade by running hidden tests against names a student
defines, and keep the answers in test files or a course database typed separately from the
solutions; here the answers are computed by the solution cells from the data, and a check
must not reveal them. What is home-made is this module and ``helpers/exercises.py``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import csv
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from helpers import exercises, paths
from tools import notebooks, site

STUDENT, INSTRUCTOR = paths.BUILD / "student", paths.BUILD / "instructor"
KEY_FIELDS = ["notebook", "exercise", "kind", "answer", "tolerance"]
GRADE_FIELDS = ["submission", "notebook", "exercise", "kind", "submitted", "score", "note"]
REMOVED = {"solution", "reveals-answer"}
CLEARED = {"verdict"}  # outputs a student predicts before running the cell
WRITE_HERE = "*(double-click this cell and write your answer here)*"


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def answer_key(nb, name: str) -> list[dict]:
    """The answers the solution cells of an executed notebook recorded, in order."""
    rows = []
    for cell in nb.cells:
        if cell.cell_type != "code" or "solution" not in _tags(cell):
            continue
        for output in cell.get("outputs", []):
            record = output.get("data", {}).get(exercises.ANSWER)
            if record:
                rows.append(
                    {
                        "notebook": name,
                        "exercise": record["exercise"],
                        "kind": record["kind"],
                        "answer": record["answer"],
                        "tolerance": record.get("tolerance", ""),
                    }
                )
    return rows


def _var(exercise: str) -> str:
    return "answer_" + exercise.replace("-", "_")


def _answer_cells(key: list[dict]) -> list:
    hashes = {
        r["exercise"]: (
            exercises.digest(r["exercise"], r["answer"], r["tolerance"]),
            r["tolerance"],
        )
        for r in key
        if r["kind"] == "numeric"
    }
    cells = []
    if hashes:
        checker = new_code_cell(
            "# check(exercise, value) says whether a number is right, without showing the answer\n"
            "from helpers.exercises import Checker\n\n"
            f"check = Checker({hashes!r})"
        )
        checker.metadata["tags"] = ["checker"]
        cells.append(checker)
    for r in key:
        ex = r["exercise"]
        if r["kind"] == "numeric":
            cell = new_code_cell(
                f"{_var(ex)} = ...  # exercise {ex}: your number\ncheck({ex!r}, {_var(ex)})"
            )
        else:
            cell = new_markdown_cell(f"**Your answer to exercise {ex}.** {WRITE_HERE}")
        cell.metadata.update({"exercise": ex, "kind": r["kind"], "tags": ["answer"]})
        cells.append(cell)
    return cells


def student_notebook(nb, name: str, key: list[dict] | None = None):
    """The student edition of one notebook (a copy; ``nb`` is not changed); ``key`` defaults to
    the answers its own solution cells recorded."""
    from nbconvert.preprocessors import TagRemovePreprocessor

    key = answer_key(nb, name) if key is None else key
    strip = TagRemovePreprocessor(remove_cell_tags=REMOVED, remove_all_outputs_tags=CLEARED)
    nb, _ = strip.preprocess(copy.deepcopy(nb), {})
    cells = []
    for cell in nb.cells:  # no library inserts cells: the answer cells go after the exercises
        cells.append(cell)
        if cell.cell_type == "markdown" and cell.source.startswith("## Exercises"):
            cells.extend(_answer_cells(key))
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:02d}"
    nb.cells = cells
    nb.metadata["compendium"] = {"notebook": name, "edition": "student"}
    return nb


def build(out: Path = STUDENT, key_path: Path | None = None, quiet: bool = False) -> list[dict]:
    """Write the student notebooks under ``out/notebooks`` and the answer key; return the key."""
    key_path = key_path or INSTRUCTOR / "answer_key.csv"
    site.build(out=out, quiet=quiet, student_notebook=student_notebook)  # pages and notebooks
    key = []
    for entry in notebooks.existing():
        key += answer_key(nbformat.read(entry.path, as_version=4), entry.name)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    with key_path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, KEY_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(key)
    if not quiet:
        shown = paths.relative(out / "notebooks")
        print(f"student edition: {len(notebooks.existing())} notebooks in {shown}")
        print(f"answer key: {len(key)} exercises in {paths.relative(key_path)}")
    return key


def read_key(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for r in rows:
        if r["kind"] == "numeric":
            r["answer"], r["tolerance"] = float(r["answer"]), float(r["tolerance"])
    return rows


def _submitted_number(cell) -> float | None:
    """The value check() recorded when the cell ran, else a number typed in the cell."""
    for output in cell.get("outputs", []):
        record = output.get("data", {}).get(exercises.SUBMITTED)
        if record:
            return record["value"]
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return None
    for node in tree.body:
        if isinstance(node, ast.Assign):
            try:
                value = ast.literal_eval(node.value)
            except ValueError:
                return None
            return float(value) if isinstance(value, int | float) else None
    return None


def grade(folder: Path, key: list[dict]) -> list[dict]:
    """One row per exercise of every student notebook found under ``folder``."""
    rows = []
    for path in sorted(Path(folder).rglob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        name = nb.metadata.get("compendium", {}).get("notebook") or path.stem
        mine = {c.metadata["exercise"]: c for c in nb.cells if "exercise" in c.get("metadata", {})}
        for r in (r for r in key if r["notebook"] == name):
            cell = mine.get(r["exercise"])
            row = {"submission": str(path.relative_to(folder)), "notebook": name}
            row |= {"exercise": r["exercise"], "kind": r["kind"]}
            if r["kind"] == "numeric":
                value = _submitted_number(cell) if cell else None
                right = value is not None and abs(value - r["answer"]) <= r["tolerance"] + 1e-9
                note = "no answer" if value is None else ("right" if right else "wrong")
                row |= {"submitted": "" if value is None else f"{value:g}", "score": int(right)}
            else:
                text = (cell.source if cell else "").replace(WRITE_HERE, "")
                text = text.replace(f"**Your answer to exercise {r['exercise']}.**", "").strip()
                note = "to read (model answer in the key)" if text else "no answer"
                row |= {"submitted": " ".join(text.split()), "score": ""}
            rows.append(row | {"note": note})
    return rows


def main(argv: list[str] | None = None) -> int:
    from tools import cli

    return cli.guard(_main, argv)  # "Interrupted", a read-only or full disk: one sentence


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.student", description=__doc__.split("\n")[0]
    )
    sub = parser.add_subparsers(dest="command")
    b = sub.add_parser("build", help="student edition and answer key (the default)")
    b.add_argument("--out", type=Path, default=STUDENT)
    b.add_argument("--key", type=Path, default=INSTRUCTOR / "answer_key.csv")
    g = sub.add_parser("grade", help="score a folder of returned student notebooks")
    g.add_argument("submissions", type=Path)
    g.add_argument("--key", type=Path, default=INSTRUCTOR / "answer_key.csv")
    g.add_argument("--out", type=Path, default=INSTRUCTOR / "grades.csv")
    args = parser.parse_args(argv)
    if args.command != "grade":
        build(getattr(args, "out", STUDENT), getattr(args, "key", None))
        return 0
    if not args.submissions.is_dir():
        print(f"grade: {args.submissions} is not a folder of notebooks", file=sys.stderr)
        return 2
    key = read_key(args.key) if args.key.exists() else build(quiet=True)
    rows = grade(args.submissions, key)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, GRADE_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    totals: dict[str, list[int]] = {}
    for row in rows:
        score = totals.setdefault(row["submission"], [0, 0, 0])
        if row["kind"] == "numeric":
            score[0] += row["score"]
            score[1] += 1
        elif row["submitted"]:
            score[2] += 1
    for submission, (right, numeric, to_read) in totals.items():
        print(f"{submission}: {right}/{numeric} numeric right, {to_read} written to read")
    print(f"grades: {len(rows)} rows in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
