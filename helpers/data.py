"""Load a CSV together with its schema, and stop with a clear error on bad input.

Every data file ``name.csv`` sits beside ``name.schema.json``, which describes its columns
(name, type, unit, allowed values or range) and its provenance (for article data: section, a
short verbatim quote, and the source the article cites; for external data: publisher, licence,
reliability). ``load`` checks the file against that description before anyone computes with it.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from helpers import paths

if TYPE_CHECKING:
    import pandas as pd

FOLDERS = {"article": paths.ARTICLE, "external": paths.EXTERNAL, "derived": paths.DERIVED}
TYPES = ("string", "integer", "number", "date", "boolean")
FISCAL_YEAR = re.compile(r"^FY\d{4}$")


class DataError(ValueError):
    """A data file that is missing or does not match its schema."""


@dataclass(frozen=True)
class Dataset:
    """A validated table and the schema that describes it."""

    name: str
    frame: pd.DataFrame
    schema: dict

    @property
    def provenance(self) -> dict:
        return self.schema.get("provenance", {})

    def unit(self, column: str) -> str:
        return next(f.get("unit", "") for f in self.schema["fields"] if f["name"] == column)


def schema_path(csv_path: Path) -> Path:
    return csv_path.with_name(csv_path.name.removesuffix(".csv") + ".schema.json")


def read_schema(csv_path: Path) -> dict:
    path = schema_path(csv_path)
    shown = paths.relative(path)
    if not path.exists():
        raise DataError(f"{shown}: schema file is missing; every CSV needs one beside it.")
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{shown}: not valid JSON ({exc}).") from exc
    for key in ("title", "fields", "provenance"):
        if key not in schema:
            raise DataError(f"{shown}: schema has no '{key}' entry.")
    for field in schema["fields"]:
        if field.get("type") not in TYPES:
            raise DataError(
                f"{shown}: column '{field.get('name')}' has type {field.get('type')!r}; "
                f"allowed types are {', '.join(TYPES)}."
            )
    return schema


def _convert(raw: str, field: dict):
    """Convert one cell; raise ValueError with what is allowed."""
    kind = field["type"]
    if kind == "string":
        value = raw
        if "pattern" in field and not re.fullmatch(field["pattern"], raw):
            raise ValueError(f"does not match the pattern {field['pattern']}")
    elif kind == "integer":
        if not re.fullmatch(r"-?\d+", raw):
            raise ValueError("is not a whole number (write 1407, not 1,407 or 1407.0)")
        value = int(raw)
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            raise ValueError("is not a number") from None
    elif kind == "date":
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise ValueError("is not an ISO date (YYYY-MM-DD)") from None
    else:  # boolean
        if raw not in ("true", "false"):
            raise ValueError("is not true or false")
        value = raw == "true"
    if "enum" in field and value not in field["enum"]:
        raise ValueError(f"is not one of the allowed values {field['enum']}")
    if "minimum" in field and value < field["minimum"]:
        raise ValueError(f"is below the minimum {field['minimum']}")
    if "maximum" in field and value > field["maximum"]:
        raise ValueError(f"is above the maximum {field['maximum']}")
    return value


def check_file(csv_path: Path) -> tuple[list[dict], dict]:
    """Check a CSV against its schema without pandas; return typed records and the schema.

    Pure Python so that the notebook runner can validate every file before any kernel starts
    without paying pandas' import time.
    """
    csv_path = Path(csv_path)
    shown = paths.relative(csv_path)
    if not csv_path.exists():
        raise DataError(f"{shown}: file is missing.")
    schema = read_schema(csv_path)
    fields = schema["fields"]
    expected = [f["name"] for f in fields]
    with csv_path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows or rows[0] != expected:
        found = rows[0] if rows else []
        raise DataError(f"{shown}: header is {found}; the schema expects columns {expected}.")
    records = []
    for line, row in enumerate(rows[1:], start=2):  # line 1 is the header
        if len(row) != len(expected):
            raise DataError(
                f"{shown}: row {line} has {len(row)} cells; the schema expects {len(expected)}."
            )
        record = {}
        for field, raw in zip(fields, row, strict=True):
            if raw == "":
                if not field.get("nullable", False):
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
    key = schema.get("primary_key")
    if key:
        seen = set()
        for line, record in enumerate(records, start=2):
            value = tuple(record[k] for k in key)
            if value in seen:
                raise DataError(f"{shown}: row {line} repeats the key {key} of an earlier row.")
            seen.add(value)
    return records, schema


def validate(csv_path: Path) -> tuple[pd.DataFrame, dict]:
    """Check a CSV against its schema; return the typed frame and the schema."""
    import pandas as pd  # imported here: the runner validates without it

    records, schema = check_file(csv_path)
    frame = pd.DataFrame.from_records(records, columns=[f["name"] for f in schema["fields"]])
    for field in schema["fields"]:  # nullable integers stay integers; dates become datetimes
        if field["type"] == "integer":
            frame[field["name"]] = frame[field["name"]].astype("Int64")
        elif field["type"] == "date":
            frame[field["name"]] = pd.to_datetime(frame[field["name"]])
    return frame, schema


def load(name: str, folder: str = "article") -> Dataset:
    """Load ``data/<folder>/<name>.csv`` after validating it against its schema."""
    if folder not in FOLDERS:
        raise DataError(f"folder {folder!r} is unknown; allowed: {sorted(FOLDERS)}.")
    frame, schema = validate(FOLDERS[folder] / f"{name}.csv")
    return Dataset(name=name, frame=frame, schema=schema)


def validate_all(folders=("article", "external")) -> list[Path]:
    """Validate every CSV in the given folders and the ledger; return what was checked."""
    checked = []
    for folder in folders:
        for csv_path in sorted(FOLDERS[folder].glob("*.csv")):
            check_file(csv_path)
            checked.append(csv_path)
    check_file(paths.CLAIMS)  # the ledger schema checks ids, patterns and comparators
    checked.append(paths.CLAIMS)
    return checked
