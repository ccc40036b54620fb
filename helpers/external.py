"""Check the article's stated values against external public records.

The stated value of each claim comes from the ledger (``data/claims.csv``): this module never
takes a stated value from anywhere else. A claim that is not (yet) in the ledger gets the
verdict *not verifiable* with the note "claim not in ledger", so a notebook can name claims that
other notebooks will add and resolve them automatically once they exist.

Verdicts
--------
- ``confirmed``: the external value, expressed in the claim's unit, equals the stated value at
  the stated value's printed precision, or lies within ``tolerance`` (relative) of it. For a
  comparison ("over", "almost") the comparison must hold (see ``helpers.claims.judge``).
- ``differs``: it does not; the difference (external minus stated, in the claim's unit) and the
  relative difference are reported.
- ``not verifiable``: no external value (no public record found, a series that does not cover
  the date, or a value derived from the article itself), or the claim is not in the ledger.

Printed precision: a stated value with decimals is precise to its last decimal ("17.82"); a
whole number is precise to its last non-zero digit, because the article rounds large numbers
("841000" printed as 841,000 is read as rounded to the thousand, "1300000" to the hundred
thousand). That is the most lenient reading of a rounded figure.
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from helpers import claims, paths

CONFIRMED = "confirmed"
DIFFERS = "differs"
NOT_VERIFIABLE = "not verifiable"
VERDICTS = (CONFIRMED, DIFFERS, NOT_VERIFIABLE)
COLUMNS = ["claim_id", "external_value", "source", "difference", "verdict", "note"]
NOT_IN_LEDGER = "claim not in ledger"
SCALES = {"billion": 1e9, "million": 1e6, "thousand": 1e3, "percent": 1e-2}


def unit_scale(unit: str) -> float:
    """How many base units one unit of the claim is: 'billion yen' -> 1e9, 'persons' -> 1."""
    for word, scale in SCALES.items():
        if re.search(rf"\b{word}\b", unit.lower()):
            return scale
    return 1.0


def printed_step(stated: str) -> Decimal:
    """Precision of a printed number: '17.82' -> 0.01, '841000' -> 1000, '6078' -> 1."""
    if "." in stated:
        return Decimal(1).scaleb(-claims.decimals(stated))
    digits = stated.lstrip("-")
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return Decimal(1).scaleb(zeros)


def equal_at_precision(stated: str, value: float) -> bool:
    """Does ``value`` round (half up) to ``stated`` at the stated value's printed precision?"""
    step = printed_step(stated)
    rounded = (Decimal(repr(float(value))) / step).quantize(Decimal(1), ROUND_HALF_UP) * step
    return rounded == Decimal(stated)


def judge(
    stated: str, comparator: str, value: float | None, tolerance: float
) -> tuple[str, float | None, float | None]:
    """Verdict, difference (value - stated) and relative difference for one external value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_VERIFIABLE, None, None
    target = float(stated)
    difference = float(value) - target
    relative = difference / abs(target) if target else None
    if comparator in ("eq", "approx"):
        close = relative is not None and abs(relative) <= tolerance
        ok = equal_at_precision(stated, value) or close
    else:
        ok = claims.judge(stated, comparator, value, tolerance) == claims.CONSISTENT
    return (CONFIRMED if ok else DIFFERS), difference, relative


class CrossChecks:
    """Collects external checks; stated values, units and comparators come from the ledger."""

    def __init__(self, tolerance: float, ledger: pd.DataFrame | None = None):
        if not 0 <= tolerance <= 1:
            raise ValueError(f"tolerance must be from 0 to 1; got {tolerance!r}.")
        self.tolerance = tolerance
        frame = claims.load_claims() if ledger is None else ledger
        self.ledger = frame.set_index("claim_id")
        self.rows: dict[tuple[str, str], dict] = {}

    def _add(self, claim_id: str, source: str, row: dict) -> dict:
        key = (claim_id, source)
        if key in self.rows:
            raise KeyError(f"{claim_id} was checked twice against {source!r}.")
        self.rows[key] = {"claim_id": claim_id, "source": source, **row}
        return self.rows[key]

    def stated(self, claim_id: str) -> str | None:
        """The ledger's stated value, or None when the claim is not in the ledger."""
        if claim_id not in self.ledger.index:
            return None
        return self.ledger.loc[claim_id, "stated_value"]

    def check(
        self,
        claim_id: str,
        external: float | None,
        source: str,
        reliability: str,
        note: str = "",
        tolerance: float | None = None,
        unit: str = "",
    ) -> dict:
        """Compare one external value (in base units, e.g. persons or yen) with the claim.

        ``unit`` names the external value's unit for the note when the claim is not in the
        ledger yet; otherwise the value is converted to the ledger unit's scale.
        """
        label = f"{source} [{reliability}]"
        if external is None:
            raise ValueError(f"{claim_id}: external value is missing; use not_verifiable().")
        if claim_id not in self.ledger.index:
            shown = f"{external:,.4g}" if abs(external) < 1000 else f"{external:,.0f}"
            detail = f"{NOT_IN_LEDGER} (external value {shown} {unit}".rstrip() + ")"
            return self._add(
                claim_id,
                label,
                {
                    "external_value": None,
                    "difference": None,
                    "verdict": NOT_VERIFIABLE,
                    "note": "; ".join(p for p in (detail, note) if p),
                },
            )
        claim = self.ledger.loc[claim_id]
        value = float(external) / unit_scale(claim["unit"])
        tol = self.tolerance if tolerance is None else tolerance
        verdict, difference, relative = judge(
            claim["stated_value"], claim["comparator"], value, tol
        )
        parts = [f"stated {claim['stated_value']} {claim['unit']}"]
        if relative is not None and difference:
            parts.append(f"relative difference {relative:+.1%}")
        if verdict == CONFIRMED and not equal_at_precision(claim["stated_value"], value):
            if claim["comparator"] in ("eq", "approx"):
                parts.append(f"within tolerance {tol:g}, not equal at printed precision")
        if note:
            parts.append(note)
        return self._add(
            claim_id,
            label,
            {
                "external_value": value,
                "difference": difference,
                "verdict": verdict,
                "note": "; ".join(parts),
            },
        )

    def not_verifiable(self, claim_id: str, source: str, reason: str) -> dict:
        """Record that no usable external value exists, and why."""
        if not reason:
            raise ValueError(f"{claim_id}: a not-verifiable check needs its reason.")
        if claim_id not in self.ledger.index:
            reason = f"{NOT_IN_LEDGER}; {reason}"
        return self._add(
            claim_id,
            source,
            {"external_value": None, "difference": None, "verdict": NOT_VERIFIABLE, "note": reason},
        )

    def table(self) -> pd.DataFrame:
        """All checks, sorted by claim_id then source, with the columns of external_checks.csv."""
        frame = pd.DataFrame(list(self.rows.values()), columns=COLUMNS)
        for column in ("external_value", "difference"):
            frame[column] = [claims.shown(v) for v in frame[column]]
        return frame.sort_values(["claim_id", "source"], ignore_index=True)

    def save(self, derived_dir: str | Path = "") -> Path:
        """Write ``<derived>/external_checks.csv`` atomically (described in datapackage.json)."""
        target = Path(derived_dir or paths.DERIVED) / "external_checks.csv"
        claims.write_csv(self.table(), target)
        return target


# --- Anchor statements with ranges and bounds (local_intl_expenditure_anchors_million_yen) ---

AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+")
FISCAL = re.compile(r"FY(\d{4})(?:-(?:FY)?(\d{2,4}))?")


def parse_amount(text: str) -> dict:
    """'~120,000 (peak)' -> low=high=120000, kind approximate; '105,000-110,000' -> a range."""
    numbers = [float(n.replace(",", "")) for n in AMOUNT.findall(text)]
    if not numbers:
        raise ValueError(f"no amount with thousands separators in {text!r}.")
    if text.strip().startswith(">="):
        return {"low": numbers[0], "high": None, "kind": "lower bound"}
    if len(numbers) == 2:
        return {"low": min(numbers), "high": max(numbers), "kind": "range"}
    if len(numbers) > 2:
        raise ValueError(f"more than two amounts in {text!r}.")
    kind = "approximate" if re.search(r"~|approx", text) else "stated"
    return {"low": numbers[0], "high": numbers[0], "kind": kind}


def parse_fiscal_years(text: str) -> tuple[int, int]:
    """'FY1993-FY2001' -> (1993, 2001); 'c.FY1998-99' -> (1998, 1999); 'FY2000 (...)' -> 2000."""
    match = FISCAL.search(text)
    if not match:
        raise ValueError(f"no fiscal year in {text!r}.")
    first = int(match.group(1))
    if not match.group(2):
        return first, first
    end = match.group(2)
    last = int(end) if len(end) == 4 else first - first % 100 + int(end)
    if last < first:
        raise ValueError(f"fiscal years run backwards in {text!r}.")
    return first, last
