"""What is checked before any kernel starts: the data files, and the parameters of a run.

``validate_all`` reads every data file against ``data/datapackage.json`` (a bad file is named
in one sentence: file, row, column); ``parameter_problem`` judges the parameters of a run by the
notebook's own declarations. The runner and sweeps call both before they start a kernel.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import json
from pathlib import Path

from helpers import paths


class CodeError(ValueError):
    """A module of helpers/ that does not compile."""


def check_code() -> None:
    """Every module of helpers/ compiles: a syntax error is named once, with file and line,
    rather than by every kernel that imports it."""
    for path in sorted((paths.ROOT / "helpers").glob("*.py")):
        try:
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except SyntaxError as exc:
            raise CodeError(
                f"{paths.relative(path)}, line {exc.lineno}: {exc.msg}; every notebook imports "
                "helpers/, so no kernel was started: fix the line and run again."
            ) from None


def validate_all(folders=("article", "external")) -> list[Path]:
    """Validate every resource in the given folders and the ledger; return what was checked.

    A CSV that the package does not describe is refused too: nothing is read unchecked.
    """
    from helpers import data

    checked = []
    for folder in folders:
        for csv_path in sorted(data.FOLDERS[folder].glob("*.csv")):
            data.resource_for(csv_path)
    for item in data.package()["resources"]:
        if item["path"].split("/")[0] in folders or item["path"] == "claims.csv":
            csv_path = paths.DATA / item["path"]
            data.check_file(csv_path, item)
            checked.append(csv_path)
    return checked


def parameter_problem(path: Path, parameters: dict) -> str | None:
    """Why ``parameters`` cannot run the notebook at ``path``, in one sentence; None if they can.

    The names a notebook takes are those papermill finds in its cell tagged ``parameters``. The
    values allowed are those its own ``params.check(...)`` calls allow: their literal limits are
    read from the code and applied here with the same function, so a bad value is refused before
    any kernel starts, in the words the notebook would use. A limit that is not a literal (such
    as ``choices=list(READINGS)``) is left to the notebook's own check.
    """
    import papermill

    from helpers import params

    declared = list(papermill.inspect_notebook(str(path)))
    unknown = [name for name in parameters if name not in declared]
    if unknown:
        return (
            f"'{unknown[0]}' is not a parameter of this notebook; "
            f"its parameters are {', '.join(declared)}."
        )
    for name, kind, limits in parameter_checks(path):
        if name in parameters:
            try:
                params.check(name, parameters[name], kind, **limits)
            except params.ParameterError as exc:
                return str(exc)
    return None


def literal(text: str):
    """A value typed on the command line: 0.15 is a float, True a bool, anything else text."""
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parameter_checks(path: Path):
    """(name, type, literal limits) of every ``params.check("name", value, type, ...)`` call."""
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse("".join(cell["source"]))
        except SyntaxError:  # IPython magics: no check() is written that way here
            continue
        for call in ast.walk(tree):
            if not (
                isinstance(call, ast.Call)
                and ast.unparse(call.func) == "params.check"
                and len(call.args) >= 3
                and isinstance(call.args[0], ast.Constant)
                and ast.unparse(call.args[2]) in ("bool", "float", "int", "str")
            ):
                continue
            limits = {}
            for keyword in call.keywords:
                with contextlib.suppress(ValueError):  # not a literal: the notebook checks it
                    limits[keyword.arg] = ast.literal_eval(keyword.value)
            yield call.args[0].value, getattr(builtins, ast.unparse(call.args[2])), limits
