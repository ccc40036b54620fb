"""Load a CSV described by the project's Frictionless Data Package, and stop on bad input.

``data/datapackage.json`` (a `Data Package <https://datapackage.org>`_) gives each CSV its Table
Schema, licence, ``provenance`` and, for read-only files, the number of data ``rows``. ``load``
checks a file against it before anyone computes with it; a test also runs ``frictionless
validate``. The check is plain Python so that the runner can validate every file before any
kernel starts, without pandas. Each refusal is one sentence naming the file, row and column.

What is refused besides a cell of the wrong type: a value outside its field's constraints (the
maximums are ceilings a few times the largest figure any source reports: they catch a slipped
digit, not a surprising value), a value outside ``constraintsWhere`` (constraints that hold in
the rows a pattern selects, e.g. shares 0-100 among counts), a file that is not a regular file
(a folder, a symbolic link), a byte-order mark, a blank line, a last line without its newline
(a truncated file), and a ledger row whose stated value its quote does not print (see
``unprinted_value``).
"""

from __future__ import annotations

import csv
import functools
import json
import math
import os
import re
import shutil
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from helpers import paths

if TYPE_CHECKING:
    import pandas as pd

FOLDERS = {"article": paths.ARTICLE, "external": paths.EXTERNAL, "derived": paths.DERIVED}
TYPES = ("string", "integer", "number", "date", "boolean")


class DataError(ValueError):
    """A data file that is missing, unreadable or does not match its description."""


@dataclass(frozen=True)
class Dataset:
    """A validated table and the package resource that describes it."""

    name: str
    frame: pd.DataFrame
    resource: dict

    @property
    def provenance(self) -> dict:
        return self.resource.get("provenance", {})


def package(path: Path | None = None) -> dict:
    """The data package (``data/datapackage.json`` unless ``path``), read once per process."""
    return _read_package(Path(path or paths.PACKAGE))


@functools.cache
def _read_package(path: Path) -> dict:
    shown = paths.relative(path)
    if not path.exists():
        raise DataError(f"{shown} is missing; it describes every data file.")
    try:
        described = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{shown} is not valid UTF-8 JSON ({exc}).") from None
    except OSError as exc:
        raise DataError(f"{shown} cannot be read ({exc.strerror}).") from None
    if not isinstance(described, dict) or not isinstance(described.get("resources"), list):
        raise DataError(
            f"{shown} has no list of 'resources'; it must describe every data file "
            f"(restore it with `git checkout -- {shown}`)."
        )
    for resource in described["resources"]:
        for field in resource.get("schema", {}).get("fields", []):
            if field.get("type") not in TYPES:
                raise DataError(
                    f"{shown}: resource '{resource.get('name')}', column '{field.get('name')}' "
                    f"has type {field.get('type')!r}; allowed types are {', '.join(TYPES)}."
                )
    return described


def resource(name: str) -> dict:
    """The resource called ``name`` (a CSV's stem, e.g. ``table1_sister_affiliations``)."""
    for item in package()["resources"]:
        if item["name"] == name:
            return item
    raise DataError(f"data/datapackage.json has no resource named {name!r}.")


def columns(name: str) -> list[str]:
    """The columns of resource ``name``, in order: what a notebook writing it must produce."""
    return [field["name"] for field in resource(name)["schema"]["fields"]]


def resource_for(csv_path: Path) -> dict:
    """The resource whose ``path`` is this file (relative to ``data/``).

    Paths are compared without following symbolic links: a link is named as the link."""
    csv_path = Path(os.path.abspath(csv_path))
    for item in package()["resources"]:
        if Path(os.path.abspath(paths.DATA / item["path"])) == csv_path:
            return item
    raise DataError(
        f"{paths.relative(csv_path)} is not described in data/datapackage.json; "
        "add a resource for it."
    )


def _convert(raw: str, field: dict):
    """Convert one cell; raise ValueError saying what is allowed."""
    kind = field["type"]
    rules = field.get("constraints", {})
    if kind == "string":
        value = raw
        if "pattern" in rules and not re.fullmatch(rules["pattern"], raw):
            raise ValueError(f"does not match the pattern {rules['pattern']}")
    elif kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError("is not a whole number (write 1407, not 1,407 or 1407.0)")
        value = int(raw)
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("is not a number") from None
        if not math.isfinite(value):  # NaN would pass every range check below
            raise ValueError("is not a finite number (nan and inf are not allowed)")
    elif kind == "date":
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise ValueError("is not an ISO date (YYYY-MM-DD)") from None
        # Table Schema writes date limits as ISO strings
        rules = {
            k: date.fromisoformat(v) if k in ("minimum", "maximum") else v for k, v in rules.items()
        }
    else:  # boolean
        if raw not in ("true", "false"):
            raise ValueError("is not true or false")
        value = raw == "true"
    if "enum" in rules and value not in rules["enum"]:
        raise ValueError(f"is not one of the allowed values {rules['enum']}")
    if "minimum" in rules and value < rules["minimum"]:
        raise ValueError(f"is below the minimum {rules['minimum']}")
    if "maximum" in rules and value > rules["maximum"]:
        raise ValueError(f"is above the maximum {rules['maximum']}")
    return value


def check_file(csv_path: Path, resource: dict | None = None) -> tuple[list[dict], dict]:
    """Check a CSV against its resource without pandas; return typed records and the resource.

    ``resource`` defaults to the package's resource for this path; pass one to check a copy."""
    csv_path = Path(csv_path)
    shown = paths.relative(csv_path)
    resource = resource or resource_for(csv_path)
    if not csv_path.exists():
        raise DataError(
            f"{shown}: file is missing; data/datapackage.json lists it as resource "
            f"'{resource['name']}'."
        )
    if csv_path.is_symlink():
        raise DataError(
            f"{shown}: is a symbolic link (to {os.readlink(csv_path)}); data files must be "
            "regular files: copy the data in, or restore the file with git checkout."
        )
    if not csv_path.is_file():
        raise DataError(
            f"{shown}: is a folder, not a CSV file; restore the file with git checkout."
        )
    raw = csv_path.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raise DataError(
            f"{shown}: starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM."
        )
    if raw and not raw.endswith(b"\n"):
        line = raw.count(b"\n") + 1
        raise DataError(
            f"{shown}: line {line} does not end in a newline: the file may be truncated inside "
            "its last value; restore it, or end the last line with a newline."
        )
    try:
        lines = raw.decode("utf-8").split("\n")[:-1]  # the text after the final newline is ""
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{shown}: line {line} is not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
            "save the file as UTF-8 (Shift_JIS and Latin-1 are not read)."
        ) from None
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            raise DataError(f"{shown}: line {number} is blank; remove it (no row may be empty).")
    rows = list(csv.reader(lines))
    fields = resource["schema"]["fields"]
    expected = [f["name"] for f in fields]
    if not rows or rows[0] != expected:
        found = rows[0] if rows else []
        raise DataError(f"{shown}: header is {found}; the package expects columns {expected}.")
    declared = resource.get("rows")
    if len(rows) == 1:
        raise DataError(f"{shown}: has a header but no data rows.")
    if declared is not None and len(rows) - 1 != declared:
        raise DataError(
            f"{shown}: has {len(rows) - 1} data rows; data/datapackage.json declares {declared} "
            "(a truncated file, or rows added without updating the package)."
        )
    records = []
    for line, row in enumerate(rows[1:], start=2):  # line 1 is the header
        if len(row) != len(expected):
            raise DataError(
                f"{shown}: row {line} has {len(row)} cells; the package expects {len(expected)}."
            )
        record = {}
        for field, raw in zip(fields, row, strict=True):
            if raw == "":
                if field.get("constraints", {}).get("required", False):
                    raise DataError(
                        f"{shown}: row {line}, column '{field['name']}' is empty; "
                        "a value is required."
                    )
                record[field["name"]] = None
                continue
            try:
                record[field["name"]] = _convert(raw, field)
            except ValueError as exc:
                raise DataError(
                    f"{shown}: row {line}, column '{field['name']}': value {raw!r} {exc}."
                ) from None
        records.append(record)
    for field in fields:
        _check_where(shown, records, field)
    if resource["name"] == "claims":
        for line, record in enumerate(records, start=2):
            problem = unprinted_value(record)
            if problem:
                raise DataError(f"{shown}: row {line}, column 'stated_value': {problem}.")
    key = resource["schema"].get("primaryKey")
    if key:
        seen = set()
        for line, record in enumerate(records, start=2):
            value = tuple(record[k] for k in key)
            if value in seen:
                raise DataError(f"{shown}: row {line} repeats the key {key} of an earlier row.")
            seen.add(value)
    return records, resource


def _check_where(shown: str, records: list[dict], field: dict) -> None:
    """Apply a field's ``constraintsWhere``: limits that hold in the rows whose ``column``
    matches ``pattern`` (a share among counts in one ``value`` column must be 0-100)."""
    for rule in field.get("constraintsWhere", []):
        limits = {k: rule[k] for k in ("minimum", "maximum") if k in rule}
        for line, record in enumerate(records, start=2):
            value = record[field["name"]]
            if value is None or not re.search(rule["pattern"], record[rule["column"]] or ""):
                continue
            try:
                _convert(str(value), {**field, "constraints": limits})
            except ValueError as exc:
                raise DataError(
                    f"{shown}: row {line}, column '{field['name']}': value {value!r} {exc} "
                    f"(rows whose {rule['column']} matches {rule['pattern']})."
                ) from None


# How the article writes a number in words (an ordinal gives a position; "both" counts two)
_CARDINALS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()
_TENS = "thirty forty fifty sixty seventy eighty ninety".split()
_ORDINALS = "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth"
NUMBER_WORDS = {
    **{word: i for i, word in enumerate(_CARDINALS)},
    **{word: 10 * i for i, word in enumerate(_TENS, start=3)},
    **{word: i for i, word in enumerate(_ORDINALS.split(), start=1)},
    **{"hundred": 100, "both": 2, "half": 0.5, "quarter": 0.25},
    **{"double": 2, "doubled": 2, "twice": 2, "triple": 3, "tripled": 3},
}
# Values that are not a number a quote prints, recognised by the row's comparator or unit
BOUNDS = ("lt", "le", "gt", "ge")
# a position, a ratio or rate, a label, the one Bibliography entry a citation must match
NOT_PRINTED_UNITS = ("rank", "ratio", "column label", "figure", "bibliography entries")
LABEL = re.compile(r"\b(?:table|figure|note|chapter)\s+\d+", re.IGNORECASE)  # not a quantity


def printed_numbers(text: str) -> set[float]:
    """Every quantity a text prints: digits (1,407, or 104.4 in "¥104.4 billion"), number
    words ("twelve", "second", "half", "tripled") and, for a decade ("the 1970s"), each of its
    years. Labels ("Table 3", "note 9") are not quantities."""
    text = LABEL.sub(" ", text)
    found = {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", text)}
    words = re.findall(r"[a-z]+", text.lower().replace("not one", "zero"))
    found |= {float(NUMBER_WORDS[w]) for w in words if w in NUMBER_WORDS}
    for decade in re.findall(r"\b(\d{3})0s\b", text):
        found |= {float(f"{decade}{year}") for year in range(10)}
    return found


def unprinted_value(record: dict) -> str | None:
    """Why a ledger row's ``stated_value`` is not backed by its quote; None if it is.

    The value must be a quantity the quote prints (see ``printed_numbers``), or one the row's
    reading counts in words ("both trainee cities"). Exempt are values no text prints by their
    nature: a rank, a ratio or rate, the label of a column or figure, the one Bibliography entry
    a citation must match (a unit starting with rank, ratio, column label, figure or
    bibliography entries, or "... per ..."); a bound at zero (a sign: "did not yet have any");
    and a bound whose quote prints no quantity, the words setting it ("most": over 50 percent,
    "thousands": at least 2,000). A bound next to a printed number ("as many as 972") must
    print its value.
    """
    unit = (record.get("unit") or "").lower()
    if unit.startswith(NOT_PRINTED_UNITS) or " per " in unit:
        return None
    value = float(record["stated_value"])
    printed = printed_numbers(record["quote"])
    if record["comparator"] in BOUNDS and (value == 0 or not printed):
        return None
    words = re.sub(r"\d", " ", record.get("reading") or "")  # a reading counts in words only
    if any(math.isclose(value, n, rel_tol=1e-9) for n in printed | printed_numbers(words)):
        return None
    return (
        f"{record['stated_value']} is not a quantity its quote prints; write the number as the "
        "quote prints it, or correct the quote"
    )


def validate(csv_path: Path, resource: dict | None = None) -> tuple[pd.DataFrame, dict]:
    """Check a CSV against its resource; return the typed frame and the resource."""
    import pandas as pd  # imported here: the runner validates without it

    records, resource = check_file(csv_path, resource)
    fields = resource["schema"]["fields"]
    frame = pd.DataFrame.from_records(records, columns=[f["name"] for f in fields])
    for field in fields:  # nullable integers stay integers; dates become datetimes
        if field["type"] == "integer":
            frame[field["name"]] = frame[field["name"]].astype("Int64")
        elif field["type"] == "date":
            frame[field["name"]] = pd.to_datetime(frame[field["name"]])
    return frame, resource


def load(name: str, folder: str = "article") -> Dataset:
    """Load ``data/<folder>/<name>.csv`` after validating it against its resource."""
    if folder not in FOLDERS:
        raise DataError(f"folder {folder!r} is unknown; allowed: {sorted(FOLDERS)}.")
    frame, described = validate(FOLDERS[folder] / f"{name}.csv")
    return Dataset(name=name, frame=frame, resource=described)


def write_atomically(target: Path, write) -> None:
    """``write(temporary_path)``, then move that file over ``target`` in one step.

    A reader never sees half a file; a failed write (a full disk) leaves neither half a file
    nor the temporary one; a replaced file keeps its mode (``mkstemp`` would make it 0600,
    unreadable to the rest of a group sharing the checkout), a new one gets the umask's.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    # unique to this process and thread: two writers never share a temporary file
    tmp = target.with_name(f".{target.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        write(tmp)
        if target.exists():
            shutil.copymode(target, tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_csv(frame: pd.DataFrame, target: Path) -> None:
    """Write a derived table atomically (see ``write_atomically``), ending in a newline."""

    def write(path: Path) -> None:
        with path.open("w", newline="", encoding="utf-8") as out:
            frame.to_csv(out, index=False, lineterminator="\n")

    try:
        write_atomically(target, write)
    except OSError as exc:  # read-only checkout, full disk: say which file, not a traceback
        raise DataError(
            f"{paths.relative(target)}: cannot write it ({exc.strerror}); run in a writable "
            "copy with free space, or pass derived_dir= a folder you may write."
        ) from None
