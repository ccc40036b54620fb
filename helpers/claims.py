"""The claims ledger and the rules that turn a recomputed value into a verdict.

``data/claims.csv`` has one row per quantitative claim *and reading*: when a sentence can be
read two ways (cumulative stock or affiliations formed in a period, fiscal or calendar year),
each reading gets its own row and its own verdict. A notebook recomputes each claim from data
and hands the number to an ``Audit``, which applies the rules below. No verdict is typed in.

Verdicts
--------
- ``consistent``: the recomputed value rounds to the stated one at its printed precision, or
  satisfies the stated comparison ("over", "less than", "almost").
- ``approximately consistent``: misses that, but lies within the notebook's ``tolerance``
  (a relative difference, a notebook parameter).
- ``inconsistent``: neither.
- ``not checkable``: the data needed is not in the text; the reason is recorded.
"""

from __future__ import annotations

import math
import os
import tempfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from helpers import data, paths

CONSISTENT = "consistent"
APPROXIMATE = "approximately consistent"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not checkable"
VERDICTS = (CONSISTENT, APPROXIMATE, INCONSISTENT, NOT_CHECKABLE)

# How the article words a claim, and so how the recomputed value is compared with it.
COMPARATORS = {
    "eq": "equals the stated value at its printed precision",
    "approx": "a hedged value ('some', 'about', 'approximately'): equals it at printed precision",
    "almost": "just below the stated value ('almost double'): within tolerance below it",
    "gt": "strictly above the stated value ('over', 'more than')",
    "ge": "at least the stated value ('as many as', 'at least')",
    "lt": "strictly below the stated value ('less than')",
    "le": "at most the stated value ('up to', 'no more than')",
}
VERDICT_COLUMNS = ["claim_id", "stated_value", "recomputed", "verdict", "reading", "note"]


def load_claims() -> pd.DataFrame:
    """The validated ledger, one row per claim and reading."""
    frame, _ = data.validate(paths.CLAIMS)
    dupes = frame["claim_id"].duplicated()
    if dupes.any():
        line = int(dupes.to_numpy().nonzero()[0][0]) + 2
        raise data.DataError(f"data/claims.csv: row {line} repeats claim_id.")
    bad = ~frame["comparator"].isin(COMPARATORS)
    if bad.any():
        line = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise data.DataError(
            f"data/claims.csv: row {line}, column 'comparator' must be one of {list(COMPARATORS)}."
        )
    return frame


def decimals(stated: str) -> int:
    """Printed precision: '80.7' has 1 decimal, '1407' has 0."""
    return len(stated.split(".")[1]) if "." in stated else 0


def round_half_up(value: float, places: int) -> Decimal:
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def judge(stated: str, comparator: str, recomputed: float | None, tolerance: float) -> str:
    """Apply the verdict rules to one recomputed value."""
    if recomputed is None or (isinstance(recomputed, float) and math.isnan(recomputed)):
        return NOT_CHECKABLE
    target = float(stated)
    x = float(recomputed)
    gap = abs(x - target) / abs(target) if target else abs(x)
    within = gap <= tolerance
    if comparator in ("eq", "approx"):
        if round_half_up(x, decimals(stated)) == Decimal(stated):
            return CONSISTENT
        return APPROXIMATE if within else INCONSISTENT
    if comparator == "almost":
        if target * (1 - tolerance) <= x <= target:
            return CONSISTENT
        return APPROXIMATE if gap <= 2 * tolerance else INCONSISTENT
    holds = {
        "gt": x > target,
        "ge": x >= target,
        "lt": x < target,
        "le": x <= target,
    }[comparator]
    if holds:
        return CONSISTENT
    return APPROXIMATE if within else INCONSISTENT


def shown(value: float | None) -> str:
    """A recomputed number as written to CSV: at most 4 decimals, no float noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class Audit:
    """Collects one notebook's verdicts and checks that every ledger row got one."""

    def __init__(self, notebook: str, tolerance: float, claims: pd.DataFrame | None = None):
        ledger = load_claims() if claims is None else claims
        self.notebook = notebook
        self.tolerance = tolerance
        self.claims = ledger[ledger["notebook"] == notebook].set_index("claim_id")
        if self.claims.empty:
            raise KeyError(f"no claims in data/claims.csv for notebook {notebook!r}")
        self.rows: dict[str, dict] = {}

    def _row(self, claim_id: str) -> pd.Series:
        if claim_id not in self.claims.index:
            raise KeyError(f"claim_id {claim_id!r} is not a {self.notebook} row of the ledger")
        if claim_id in self.rows:
            raise KeyError(f"claim_id {claim_id!r} was checked twice")
        return self.claims.loc[claim_id]

    def check(
        self, claim_id: str, recomputed: float, note: str = "", tolerance: float | None = None
    ) -> None:
        """Judge one claim from its recomputed value (``tolerance`` overrides the default)."""
        claim = self._row(claim_id)
        tol = self.tolerance if tolerance is None else tolerance
        verdict = judge(claim["stated_value"], claim["comparator"], recomputed, tol)
        if verdict == NOT_CHECKABLE:
            raise ValueError(f"{claim_id}: recomputed value is missing; use not_checkable()")
        self.rows[claim_id] = {"recomputed": shown(recomputed), "verdict": verdict, "note": note}

    def not_checkable(self, claim_id: str, reason: str) -> None:
        """Record that the text lacks the data to recompute a claim, and why."""
        self._row(claim_id)
        if not reason:
            raise ValueError(f"{claim_id}: a not-checkable claim needs its reason")
        self.rows[claim_id] = {"recomputed": "", "verdict": NOT_CHECKABLE, "note": reason}

    def table(self) -> pd.DataFrame:
        """The verdict table, sorted by claim_id; fails if a ledger row was left unchecked."""
        missing = sorted(set(self.claims.index) - set(self.rows))
        if missing:
            raise KeyError(f"{self.notebook}: no verdict computed for {missing}")
        frame = pd.DataFrame.from_dict(self.rows, orient="index")
        frame.index.name = "claim_id"
        frame = frame.join(self.claims[["stated_value", "reading"]]).reset_index()
        return frame[VERDICT_COLUMNS].sort_values("claim_id", ignore_index=True)

    def save(self, derived_dir: str | Path = "") -> Path:
        """Write the verdicts for this notebook to ``<derived>/verdicts/<notebook>.csv``."""
        target = Path(derived_dir or paths.DERIVED) / "verdicts" / f"{self.notebook}.csv"
        write_csv(self.table(), target)
        return target


def write_csv(frame: pd.DataFrame, target: Path) -> None:
    """Write atomically, so a reader in a parallel run never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", newline="", encoding="utf-8") as out:
        frame.to_csv(out, index=False, lineterminator="\n")
    os.replace(tmp, target)


def combine(derived_dir: str | Path = "") -> pd.DataFrame:
    """All notebooks' verdicts, checked against the ledger: one verdict per ledger row."""
    folder = Path(derived_dir or paths.DERIVED) / "verdicts"
    parts = [pd.read_csv(p, dtype=str, keep_default_na=False) for p in sorted(folder.glob("*.csv"))]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=VERDICT_COLUMNS)
    ledger = load_claims()
    missing = sorted(set(ledger["claim_id"]) - set(frame["claim_id"]))
    extra = sorted(set(frame["claim_id"]) - set(ledger["claim_id"]))
    if missing or extra:
        raise KeyError(f"verdicts and ledger disagree: missing {missing}, not in ledger {extra}")
    return frame.sort_values("claim_id", ignore_index=True)
