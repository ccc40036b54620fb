"""Student edition, answer key, instructor pages and grading (``python -m tools.student``).

``python -m tools.student`` (``make student``) reads the committed, executed notebooks and writes

- ``build/student/``: the site's pages for students and ``notebooks/*.ipynb``: cells tagged
  ``solution`` or ``reveals-answer`` removed, outputs of cells tagged ``verdict`` cleared (all
  outputs of the audit report 00: students predict, then run), and after the exercises one
  self-check cell and one answer cell per exercise. ``check`` judges practice exercises with
  ``helpers.exercises.accepts``; graded ones get no oracle, only a check of form;
- ``build/instructor/answer_key.csv`` (``KEY_FIELDS``), taken from the outputs of the solution
  cells (``helpers.exercises.answer`` / ``written``), never retyped; ``instructor.html`` and
  the printable handout (``handout.html``, ``handout.pdf``), linked from no public page.

With ``--roster roster.csv`` (one student id a row; ``make student ROSTER=...``) every student
gets an edition in ``build/student/roster/<id>/``, with parameter values for the graded
exercises drawn reproducibly from the id (within the ranges the notebooks' ``params.check``
calls allow), and the key gets that student's answers: the solution cells run with those
parameters through papermill.

``python -m tools.student grade FOLDER`` (``make grade SUBMISSIONS=FOLDER``) re-executes every
returned notebook ``FOLDER/<student id>/<notebook>.ipynb`` with papermill (a fresh kernel, a
time limit per cell, the student's parameters from the key) in a temporary folder that holds
only the notebook, then compares what the student's code produced with the key. The key is
chosen by the folder's student id and the file's name, never by what the notebook says about
itself. A file that cannot be graded is skipped and named; the rest are graded.

Why not otter-grader or nbgrader: both grade by running hidden tests against names a student
defines, and keep the answers in test files or a course database typed separately from the
solutions; here the answers are computed by the solution cells from the data. What is
home-made is this module and ``helpers/exercises.py``; execution is papermill's.
"""

from __future__ import annotations

import argparse
import copy
import csv
import datetime
import hashlib
import io
import json
import numbers
import os
import re
import secrets
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

from helpers import exercises, paths
from tools import notebooks, site

STUDENT, INSTRUCTOR = paths.BUILD / "student", paths.BUILD / "instructor"
KEY_FIELDS = ["student", "notebook", "exercise", "use", "kind", "unit", "answer", "tolerance"]
KEY_FIELDS += ["parameters"]
GRADE_FIELDS = ["student", "notebook", "exercise", "use", "kind", "submitted", "score", "out_of"]
GRADE_FIELDS += ["note"]
REMOVED = {"solution", "reveals-answer"}
CLEARED = {"verdict"}  # outputs a student predicts before running the cell
WRITE_HERE = "*(double-click this cell and write your answer here)*"
STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
HANDOUT = ("<!-- handout -->", "<!-- /handout -->")  # the handout's part of INSTRUCTOR.md
DERIVED_LINK = re.compile(r"\[([^\]]+)\]\((?:\.\./)?data/derived/[^)]*\)")  # a link to results
MAX_BYTES = 20_000_000  # a returned notebook larger than this is not read
CELL_TIMEOUT = 120  # seconds a cell of a submission may run (make grade TIMEOUT=...)


class GradeError(ValueError):
    """A roster, key or folder that cannot be used: one sentence, nothing written."""


def _tags(cell) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


# --- the answer key -----------------------------------------------------------------------


def answer_key(nb, name: str, student: str = "", parameters: dict | None = None) -> list[dict]:
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
                        "student": student,
                        "notebook": name,
                        "exercise": record["exercise"],
                        "use": record.get("use", "graded"),
                        "kind": record["kind"],
                        "unit": record.get("unit", ""),
                        "answer": record["answer"],
                        "tolerance": record.get("tolerance", ""),
                        "parameters": json.dumps(parameters or {}, sort_keys=True),
                    }
                )
    return rows


def write_key(rows: list[dict], path: Path) -> None:
    from helpers import data

    data.write_atomically(Path(path), lambda tmp: _write_csv(tmp, KEY_FIELDS, rows))


def read_key(path: Path | str) -> list[dict]:
    """The key as grading reads it; ``-`` reads it from standard input (see README: a key that
    is never a file where student code runs)."""
    text = sys.stdin.read() if str(path) == "-" else Path(path).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or set(KEY_FIELDS) - set(rows[0]):
        raise GradeError(f"{path}: not an answer key (columns {', '.join(KEY_FIELDS)} expected).")
    for r in rows:
        if r["kind"] == "numeric":
            r["answer"], r["tolerance"] = float(r["answer"]), float(r["tolerance"])
        r["parameters"] = json.loads(r["parameters"] or "{}")
    return rows


def variant_ranges(path: Path) -> dict[str, tuple[int, int]]:
    """The parameters of graded exercises (their help says "exercise") and the range the
    notebook's own ``params.check`` allows them."""
    import contextlib

    import papermill

    from tools import checks

    with contextlib.redirect_stdout(None), contextlib.redirect_stderr(None):
        declared = papermill.inspect_notebook(str(path))
    limits = {name: lim for name, kind, lim in checks.parameter_checks(path) if kind is int}
    return {
        name: (limits[name]["minimum"], limits[name]["maximum"])
        for name, p in declared.items()
        if "exercise" in p["help"] and {"minimum", "maximum"} <= set(limits.get(name, {}))
    }


def draw(student: str, notebook: str, name: str, low: int, high: int) -> int:
    """A student's value of one parameter: the same for the same id, spread over the range."""
    seed = hashlib.sha256(f"{student}|{notebook}|{name}".encode()).digest()
    return low + int.from_bytes(seed[:8], "big") % (high - low + 1)


def read_roster(path: Path) -> list[str]:
    """Student ids, one a row (first column; a header ``student`` or ``id`` is skipped)."""
    if not Path(path).is_file():
        raise GradeError(f"roster {path}: no such file; give a CSV with one student id a row.")
    ids: list[str] = []
    with Path(path).open(encoding="utf-8", newline="") as f:
        for number, row in enumerate(csv.reader(f), start=1):
            if not row or not row[0].strip():
                continue
            sid = row[0].strip()
            if number == 1 and sid.lower() in {"student", "id", "student_id"}:
                continue
            if not STUDENT_ID.fullmatch(sid) or sid in ids:
                problem = "appears twice" if sid in ids else "is not a valid id"
                raise GradeError(
                    f"roster {path}, row {number}: {sid[:40]!r} {problem}; an id is 1 to 64 "
                    "letters, digits, '.', '_' or '-', starting with a letter or digit, once."
                )
            ids.append(sid)
    if not ids:
        raise GradeError(f"roster {path} lists no student id; give one id a row.")
    return ids


# --- the student edition ------------------------------------------------------------------


def answer_name(exercise: str) -> str:
    return "answer_" + exercise.replace("-", "_")


def checker_entries(key: list[dict]) -> dict[str, tuple]:
    """What ``check`` knows of each numeric exercise: a practice answer (encoded) and its
    tolerance, or only a graded answer's unit."""
    return {
        r["exercise"]: (
            ("practice", exercises.encode(r["exercise"], r["answer"]), r["tolerance"])
            if r["use"] == "practice"
            else ("graded", r["unit"] or "number")
        )
        for r in key
        if r["kind"] == "numeric"
    }


def _answer_cells(key: list[dict]) -> list:
    entries = checker_entries(key)
    cells = []
    if entries:
        checker = new_code_cell(
            "# check(exercise, value): right or not for a practice exercise; for a graded one,\n"
            "# only whether it is a number of the expected form (it is scored once returned)\n"
            "from helpers.exercises import Checker\n\n"
            f"check = Checker({entries!r})"
        )
        checker.metadata["tags"] = ["checker"]
        cells.append(checker)
    for r in key:
        ex, use = r["exercise"], r["use"]
        if r["kind"] == "numeric":
            cell = new_code_cell(
                f"{answer_name(ex)} = ...  # exercise {ex} ({use}): a number, or code for it\n"
                f"check({ex!r}, {answer_name(ex)})"
            )
        else:
            cell = new_markdown_cell(f"**Your answer to exercise {ex} ({use}).** {WRITE_HERE}")
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
        if name == notebooks.AUDIT.name and cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None  # every section's verdicts: predict
        if cell.cell_type == "markdown":  # the run's verdict files are not handed out either
            cell.source = DERIVED_LINK.sub(r"\1", cell.source)
        cells.append(cell)
        if cell.cell_type == "markdown" and cell.source.startswith("## Exercises"):
            cells.extend(_answer_cells(key))
    for index, cell in enumerate(cells):
        cell.id = f"cell-{index:02d}"
    nb.cells = cells
    nb.metadata["compendium"] = {"notebook": name, "edition": "student"}
    return nb


def roster_editions(roster: list[str], out: Path, default_key: list[dict], books=None,
                    quiet: bool = True) -> list[dict]:  # fmt: skip
    """Write each student's notebooks to ``out/roster/<id>/``; return the roster's key.

    ``books`` is ``[(name, path)]`` (default: every notebook). A notebook with graded variants
    gets the student's values (papermill's injected-parameters cell) and its key rows come from
    running its solutions with them (papermill); the others share ``default_key``."""
    from papermill.parameterize import parameterize_notebook

    from tools import kernels, run

    books = books or [(entry.name, entry.path) for entry in notebooks.existing()]
    key = []
    scratch = kernels.scratch_dir("menju-roster-")
    try:
        for number, sid in enumerate(roster, start=1):
            folder = Path(out) / "roster" / sid
            folder.mkdir(parents=True, exist_ok=True)
            for name, path in books:
                nb = nbformat.read(path, as_version=4)
                ranges = variant_ranges(path)
                mine = {n: draw(sid, name, n, *r) for n, r in ranges.items()}
                if mine:  # the solutions run with this student's values
                    derived = {"derived_dir": str(scratch / "derived")}
                    done = run.execute(
                        path, parameters=mine | derived, output=scratch / f"{name}.ipynb"
                    )
                    rows = answer_key(nbformat.read(done, as_version=4), name, sid, mine)
                    comment = f"Your parameters (student {sid}): use them in the graded exercises"
                    nb.metadata["papermill"] = {}  # papermill records the values there
                    for cell in nb.cells:  # and looks for tags in every cell
                        cell.metadata.setdefault("tags", [])
                    nb = parameterize_notebook(nb, mine, comment=comment)
                    nb.metadata.pop("papermill")
                else:
                    rows = [r | {"student": sid} for r in default_key if r["notebook"] == name]
                nbformat.write(student_notebook(nb, name, rows), folder / f"{name}.ipynb")
                key += rows
            if not quiet:
                print(f"student {number}/{len(roster)}: {sid}", flush=True)
    finally:
        kernels.remove_scratch(scratch)
    return key


def build(
    out: Path = STUDENT,
    key_path: Path | None = None,
    quiet: bool = False,
    roster: list[str] | None = None,
    only: list[str] | None = None,
    pdf: bool = True,
) -> list[dict]:
    """Write the student edition, the answer key and the instructor's pages; return the key.

    ``only`` limits a roster's editions to some notebooks (the tests use one)."""
    key_path = Path(key_path or INSTRUCTOR / "answer_key.csv")
    site.build(out=out, quiet=quiet, student_notebook=student_notebook)  # pages and notebooks
    key = []
    for entry in notebooks.existing():
        key += answer_key(nbformat.read(entry.path, as_version=4), entry.name)
    if roster:
        books = [(e.name, e.path) for e in notebooks.existing() if not only or e.name in only]
        key = roster_editions(roster, Path(out), key, books, quiet)
    write_key(key, key_path)
    instructor_pages(key_path.parent, pdf=pdf)
    if not quiet:
        shown = paths.relative(Path(out) / ("roster" if roster else "notebooks"))
        print(f"student edition: {len(roster or [])} students in {shown}" if roster else
              f"student edition: {len(notebooks.existing())} notebooks in {shown}")  # fmt: skip
        print(f"answer key: {len(key)} rows in {paths.relative(key_path)}")
    return key


def handout_text(notes: str) -> str:
    start, end = HANDOUT
    return notes.split(start, 1)[1].split(end, 1)[0].strip()


def instructor_pages(folder: Path, pdf: bool = True) -> list[Path]:
    """``instructor.html`` and the handout (``handout.html``, and ``handout.pdf`` printed by
    Chromium) in ``folder``, beside the key: never in an edition a student or reader sees."""
    from tools import browser

    folder.mkdir(parents=True, exist_ok=True)
    pages = site.Site(folder, student=False)
    pages.pages = [("instructor", "Instructor notes", "Instructor notes")]
    pages.pages += [("handout", "Handout", "Handout"), ("glossary", "Glossary", "Glossary")]
    pages.copy_assets()
    pages.read_notebooks()  # claim anchors for the list of inconsistencies
    pages.markdown_page("instructor", "Instructor notes", pages.instructor())
    text = handout_text(site.INSTRUCTOR_MD.read_text(encoding="utf-8"))
    ruled = "<style>main td { height: 2.4em; border: 1px solid #888; }</style>"  # to write in
    pages.markdown_page("handout", "Handout", f"{ruled}\n\n{text}")
    pages.markdown_page("glossary", "Glossary", site.GLOSSARY_MD.read_text(encoding="utf-8"))
    made = [folder / f"{name}.html" for name in ("instructor", "handout", "glossary")]
    if pdf:
        missing = browser.missing_chromium("prints the handout")
        if missing:
            print(missing.replace("error: ", "note: "), file=sys.stderr)
        else:
            made.append(print_handout(folder))
    return made


def print_handout(folder: Path, target: Path | None = None, running=None) -> Path:
    """``handout.html`` printed by Chromium (A4; ``running``: a browser already started)."""
    from tools import browser

    return browser.print_page(folder / "handout.html", target or folder / "handout.pdf", running)


# --- grading ------------------------------------------------------------------------------


def safe_cell(value):
    """A CSV cell a spreadsheet shows as text: one starting with = + - @, a tab or a carriage
    return (OWASP's list) gets a leading apostrophe, unless it is a plain number."""
    if not isinstance(value, str):
        return value
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(
        r"-?\d+(\.\d+)?(e[-+]?\d+)?", value
    ):
        return "'" + value
    return value


def _problem(path: Path, folder: Path, notebook_names: set[str], students) -> str | None:
    """Why a file under ``folder`` cannot be graded (one clause), or None."""
    rel = path.relative_to(folder)
    if path.is_symlink() or any((folder / p).is_symlink() for p in rel.parents if str(p) != "."):
        return "is a symbolic link (copy the notebook itself into the folder)"
    if not path.resolve().is_relative_to(folder.resolve()):
        return "lies outside the submissions folder"
    if path.suffix != ".ipynb":
        return "is not a notebook (.ipynb)"
    if len(rel.parts) != 2:
        return "is not in a student's folder (expected <folder>/<student id>/<notebook>.ipynb)"
    if not STUDENT_ID.fullmatch(rel.parts[0]) or (students and rel.parts[0] not in students):
        return f"is in folder {rel.parts[0][:40]!r}, which is not a student id on the roster"
    if path.stem not in notebook_names:
        return f"is not a notebook of the course (one of {', '.join(sorted(notebook_names))})"
    if path.stat().st_size > MAX_BYTES:
        return f"is larger than {MAX_BYTES // 1_000_000} MB"
    return None


def read_submission(path: Path):
    """The notebook in a returned file, or the clause saying why it cannot be graded."""
    try:
        text = path.read_bytes().decode("utf-8")
        data = json.loads(text)
    except RecursionError:
        return "is nested too deeply to be a notebook"
    except (ValueError, UnicodeDecodeError):
        return "is not valid JSON (a damaged or unsaved notebook?)"
    version = data.get("nbformat") if isinstance(data, dict) else None
    if version != 4:
        return f"is nbformat {version!r}; only nbformat 4 notebooks (Jupyter's) are graded"
    try:
        nb = nbformat.reads(text, as_version=4)  # sources as text, as Jupyter reads them
        nbformat.validate(nb)
    except Exception as exc:  # nbformat meets untrusted JSON: anything it raises means "bad"
        why = str(getattr(exc, "message", "")).splitlines()[0][:80] if str(exc) else ""
        return f"is not a valid notebook{f' ({why})' if why else ''}"
    return nb


COLLECT = """\
import json as _json, numbers as _numbers
def _value(_v):
    if _v is None or _v is Ellipsis:
        return None
    if isinstance(_v, _numbers.Real) and not isinstance(_v, bool):
        return float(_v)
    return repr(_v)[:60]
print({marker!r} + _json.dumps({{_n: _value(globals().get(_n)) for _n in {names!r}}}))"""


def execute_submission(
    nb, name: str, parameters: dict, exercises_asked: list[str], timeout: int = CELL_TIMEOUT
):
    """Run a returned notebook afresh (papermill, a new kernel, a time limit per cell, errors
    kept in their cells) in an empty temporary folder; return
    what the ``answer_*`` names of ``exercises_asked`` (the key's, not the notebook's own
    metadata, which a student may have lost or changed) hold after the run (read by a cell
    appended here, whose output is marked with a random token), each answer cell's error, why
    the run did not finish, and the notebook as it ran (``{"values", "errors", "problem",
    "notebook"}``)."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from tools import kernels

    nb = copy.deepcopy(nb)
    names = sorted(answer_name(ex) for ex in exercises_asked)
    for cell in nb.cells:
        if cell.cell_type == "code":  # nothing recorded is trusted: every output is remade
            cell.outputs, cell.execution_count = [], None
    marker = f"collected-{secrets.token_hex(16)}:"
    nb.cells.append(new_code_cell(COLLECT.format(marker=marker, names=names)))
    workdir = kernels.scratch_dir("menju-grade-")
    live, problem = {}, None
    try:
        source = workdir / f"{name}.ipynb"
        nbformat.write(nb, source)
        if name != notebooks.AUDIT.name:  # 00 reads the committed verdicts; the rest write
            parameters = parameters | {"derived_dir": str(workdir / "derived")}
        try:
            papermill.execute_notebook(
                str(source),
                str(workdir / "run.ipynb"),
                parameters=parameters,
                kernel_name="python3",
                cwd=str(workdir),
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                allow_errors=True,
                interrupt_on_timeout=True,
                on_notebook_start=lambda notebook: live.setdefault("nb", notebook),
                shutdown_kernel="immediate",
                kernel_manager_class=kernels.ipc_kernel_manager(workdir),
            )
        except PapermillExecutionError:
            pass  # errors stay in their cells; the collector ran after them
        except Exception as exc:  # a dead kernel, a timeout the interrupt could not end
            problem = f"the run stopped ({type(exc).__name__})"
    finally:
        kernels.remove_scratch(workdir)
    ran = live.get("nb")
    values, errors = {}, {}
    if ran is not None:
        for output in ran.cells[-1].get("outputs", []):
            text = output.get("text", "")
            if output.get("output_type") == "stream" and text.startswith(marker):
                values = json.loads(text[len(marker) :].strip())
        for cell in ran.cells:
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and "exercise" in cell.metadata:
                    said = f"raised {output['ename']}: {output['evalue']}"
                    if output["ename"] == "KeyboardInterrupt":  # interrupted at the time limit
                        said = f"did not finish within {timeout} s"
                    errors[cell.metadata["exercise"]] = said
    if not values and problem is None:
        problem = "the notebook did not run to its end"
    return {"values": values, "errors": errors, "problem": problem, "notebook": ran}


def _written(nb, exercise: str) -> str:
    cell = next((c for c in nb.cells if c.metadata.get("exercise") == exercise), None)
    if cell is None:
        return ""
    text = cell.source.replace(WRITE_HERE, "")
    text = re.sub(r"^\*\*Your answer to exercise [^*]*\*\*", "", text.strip())
    return " ".join(text.split())


def score(row: dict, value) -> tuple[int, str]:
    """(score, note) of one numeric answer: the rule is ``helpers.exercises.accepts``."""
    if value is None:
        return 0, "no answer"
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return 0, f"not a number: {value}"
    right = exercises.accepts(value, row["answer"], row["tolerance"])
    return int(right), "right" if right else "wrong"


def grade(folder: Path, key: list[dict], timeout: int = CELL_TIMEOUT, quiet: bool = True):
    """Grade every returned notebook under ``folder``; return ``(rows, skipped)``: the CSV's
    rows (per exercise, then one total per student) and ``[(file, reason)]``."""
    folder = Path(folder)
    files = sorted(
        Path(root) / name
        for root, dirs, names in os.walk(folder)  # symlinked folders are listed, not entered
        for name in [*names, *(d for d in dirs if (Path(root) / d).is_symlink())]
        if ".ipynb_checkpoints" not in Path(root).parts
    )
    if not files:
        raise GradeError(
            f"{folder} holds no returned notebooks; expected {folder}/<student id>/"
            "<notebook>.ipynb (nothing was graded; any grades.csv is unchanged)."
        )
    on_roster = {r["student"] for r in key if r["student"]}
    names = {r["notebook"] for r in key}
    skipped, returned = [], {}  # (student, notebook) -> notebook
    for path in files:
        shown = path.relative_to(folder).as_posix()
        problem = _problem(path, folder, names, on_roster)
        nb = read_submission(path) if problem is None else problem
        if isinstance(nb, str):
            skipped.append((shown, nb))
        else:
            returned[(path.parent.name, path.stem)] = nb
    rows = []
    students = sorted(on_roster | {s for s, _ in returned})
    for number, sid in enumerate(students, start=1):
        mine = [r for r in key if r["student"] == sid] or [r for r in key if not r["student"]]
        graded = practice = written = 0
        points = [0, 0]
        for notebook in dict.fromkeys(r["notebook"] for r in mine):
            ex_rows = [r for r in mine if r["notebook"] == notebook]
            nb = returned.get((sid, notebook))
            values, errors, problem = {}, {}, None
            if nb is not None:
                parameters = ex_rows[0]["parameters"]
                asked = [r["exercise"] for r in ex_rows if r["kind"] == "numeric"]
                ran = execute_submission(nb, notebook, parameters, asked, timeout)
                values, errors, problem = ran["values"], ran["errors"], ran["problem"]
            for r in ex_rows:
                row = {"student": sid, "notebook": notebook, "exercise": r["exercise"]}
                row |= {"use": r["use"], "kind": r["kind"], "submitted": "", "score": ""}
                row["out_of"] = 1 if r["kind"] == "numeric" else ""
                if nb is None:
                    row |= {"score": 0 if r["kind"] == "numeric" else "", "note": "not returned"}
                elif r["kind"] == "numeric":
                    value = values.get(answer_name(r["exercise"]))
                    points_now, note = score(r, value)
                    if value is None and r["exercise"] in errors:
                        note = f"no answer: the cell {errors[r['exercise']]}"[:160]
                    elif value is None and problem:
                        note = f"no answer: {problem}"
                    shown = f"{value:g}" if isinstance(value, float) else (value or "")
                    row |= {"submitted": shown, "score": points_now, "note": note}
                    if r["use"] == "graded":
                        points[0] += points_now
                    else:
                        practice += points_now
                else:
                    text = _written(nb, r["exercise"])
                    written += bool(text)
                    note = "to read (model answer in the key)" if text else "no answer"
                    row |= {"submitted": text, "note": note}
                graded += r["kind"] == "numeric" and r["use"] == "graded"
                rows.append(row)
        points[1] = graded
        n_practice = sum(r["kind"] == "numeric" and r["use"] == "practice" for r in mine)
        total = {"student": sid, "notebook": "(all)", "exercise": "total", "use": "graded"}
        total |= {"kind": "numeric", "submitted": "", "score": points[0], "out_of": points[1]}
        total["note"] = f"practice {practice}/{n_practice} right; {written} written to read"
        rows.append(total)
        if not quiet:
            print(f"graded {number}/{len(students)}: {sid}", file=sys.stderr, flush=True)
    return rows, skipped


def write_grades(rows: list[dict], skipped: list, out: Path) -> Path | None:
    """Write grades.csv in one step (every text cell made safe for spreadsheets); an existing
    one is first copied to a name with the time it was replaced. Returns that copy."""
    import shutil

    from helpers import data

    kept = None
    if out.exists():
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = out.with_name(f"{out.stem}-{stamp}{out.suffix}")
        shutil.copy2(out, kept)
    blank = dict.fromkeys(GRADE_FIELDS, "")
    extra = [blank | {"notebook": f, "note": f"skipped: {why}"} for f, why in skipped]
    data.write_atomically(out, lambda path: _write_csv(path, GRADE_FIELDS, [*rows, *extra]))
    return kept


def _write_csv(path: Path, fields: list[str], rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: safe_cell(v) for k, v in r.items()} for r in rows)


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
    b.add_argument("--roster", type=Path, help="CSV, one student id a row: an edition each")
    b.add_argument("--only", nargs="*", help="with --roster: only these notebooks")
    b.add_argument("--no-pdf", action="store_true", help="no handout.pdf (no Chromium needed)")
    g = sub.add_parser("grade", help="score a folder of returned student notebooks")
    g.add_argument("submissions", type=Path)
    g.add_argument("--key", default=str(INSTRUCTOR / "answer_key.csv"), help="'-': stdin")
    g.add_argument("--out", type=Path, default=INSTRUCTOR / "grades.csv")
    g.add_argument("--timeout", type=int, default=CELL_TIMEOUT, help="seconds per cell")
    args = parser.parse_args(argv)
    try:
        if args.command != "grade":
            roster = read_roster(args.roster) if getattr(args, "roster", None) else None
            out, key = getattr(args, "out", STUDENT), getattr(args, "key", None)
            only, pdf = getattr(args, "only", None), not getattr(args, "no_pdf", False)
            build(out, key, roster=roster, only=only, pdf=pdf)
            return 0
        return _grade(args)
    except GradeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _grade(args) -> int:
    folder = args.submissions
    if not folder.is_dir():
        raise GradeError(f"{folder} is not a folder; give the folder of returned notebooks.")
    if args.key != "-" and not Path(args.key).is_file():
        raise GradeError(f"no answer key at {args.key}: run make student first.")
    key = read_key(args.key)  # read before any student code runs
    rows, skipped = grade(folder, key, args.timeout, quiet=False)
    kept = write_grades(rows, skipped, args.out)
    for row in (r for r in rows if r["exercise"] == "total"):
        print(f"{row['student']}: {row['score']}/{row['out_of']} graded right, {row['note']}")
    for shown, why in skipped:
        print(f"skipped {shown}: it {why}")
    if kept:
        print(f"kept the previous grades as {paths.relative(kept)}")
    students = sum(r["exercise"] == "total" for r in rows)
    print(f"grades: {students} students, {len(rows)} rows in {paths.relative(args.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
