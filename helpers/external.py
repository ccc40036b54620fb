"""Check the article's stated values against external public records.

Stated values, units and comparators come only from the ledger (``data/claims.csv``). A claim
not (yet) in it gets *not verifiable* with the note "claim not in ledger", so a notebook can name
claims that other notebooks will add and resolve them automatically once they exist.

Verdicts (one per claim and external source)
--------------------------------------------
- ``confirmed``: the external value, in the claim's unit, equals the stated value at its
  printed precision or lies within ``tolerance`` (relative) of it; a hedged claim (``approx``:
  "some", "about") within the hedge band if wider. A comparison ("over", "as many as", "less
  than") must hold exactly: strict comparators have no approximate band.
- ``differs``: the source measures the same thing and does not agree; the difference (external
  minus stated, in the claim's unit) and the relative difference are reported.
- ``different measure``: the source counts something else (another population, definition or
  date): it can neither confirm nor refute the claim. The difference is still shown.
- ``not verifiable``: no external value (no public record found, a series that does not cover
  the date, or a value derived from the article itself), or the claim is not in the ledger.

Each row also says what the source counts (``measures``) and how good its figure is
(``source_quality``): ``primary`` (the publisher's own table or release), ``secondary
quotation`` (someone else's transcription or report), ``derived by code`` (computed here from a
register), or ``same source`` (the very figure or survey the article used: it checks
transcription and never counts as independent confirmation). The hedge band and the
printed-precision rule are those of ``helpers.claims``: one rule each.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from helpers import claims, data, paths

CONFIRMED = "confirmed"
DIFFERS = "differs"
DIFFERENT_MEASURE = "different measure"
NOT_VERIFIABLE = "not verifiable"
VERDICTS = (CONFIRMED, DIFFERS, DIFFERENT_MEASURE, NOT_VERIFIABLE)
PRIMARY = "primary"
SECONDARY = "secondary quotation"
DERIVED = "derived by code"
SAME_SOURCE = "same source"
QUALITIES = (PRIMARY, SECONDARY, DERIVED, SAME_SOURCE)
COLUMNS = data.columns("external_checks")
NOT_CHECKED = "not checked"  # a claim the previous release did not check at all
FINDING_COLUMNS = data.columns("external_findings")
NOT_IN_LEDGER = "claim not in ledger"
_FIELDS = ("claim_id", "source", "source_quality", "measures", "verdict", "note")
_FIELDS += ("external_value", "difference")  # the order of CrossChecks._add's arguments
SCALES = {"billion": 1e9, "million": 1e6, "thousand": 1e3, "percent": 1e-2}


def unit_scale(unit: str) -> float:
    """How many base units one unit of the claim is: 'billion yen' -> 1e9, 'persons' -> 1."""
    return next((s for w, s in SCALES.items() if re.search(rf"\b{w}\b", unit.lower())), 1.0)


def judge(
    stated: str, comparator: str, value: float | None, tolerance: float, exact: bool = False
) -> tuple[str, float | None, float | None]:
    """Verdict (as if the source measured the same thing), difference and relative difference,
    by the module docstring's rules. ``exact`` is for dates and counts of named things (a year, a
    number of cities), where neither rounding nor tolerance applies: "2000" must be 2000."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_VERIFIABLE, None, None
    target = float(stated)
    difference = float(value) - target
    relative = difference / abs(target) if target else None
    if exact and comparator in ("eq", "approx"):
        ok = float(value) == target
    elif comparator in ("eq", "approx"):
        band = max(tolerance, claims.HEDGE_BAND) if comparator == "approx" else tolerance
        close = relative is not None and abs(relative) <= band
        ok = claims.equal_at_precision(stated, value) or close
    else:
        ok = claims.judge(stated, comparator, value, tolerance) == claims.CONSISTENT
    return (CONFIRMED if ok else DIFFERS), difference, relative


def _quality(quality: str) -> str:
    if quality not in QUALITIES:
        raise ValueError(f"source quality {quality!r} is not one of {QUALITIES}.")
    return quality


def claim_level(table: pd.DataFrame) -> pd.DataFrame:
    """One verdict per claim from its rows: the strongest evidence decides.

    Order: confirmed by an independent source; differs; confirmed only by the same source;
    different measure; not verifiable. A table without ``source_quality`` (an older release)
    counts every row as independent."""
    quality = table.get("source_quality", pd.Series("", table.index)).fillna("")
    independent = quality != SAME_SOURCE
    rank = table["verdict"].map({CONFIRMED: 0, DIFFERS: 1, DIFFERENT_MEASURE: 3}).fillna(4)
    rank[(table["verdict"] == CONFIRMED) & ~independent] = 2
    order = {q: i for i, q in enumerate((PRIMARY, SECONDARY, DERIVED, SAME_SOURCE, ""))}
    ranked = table.assign(
        _rank=rank, _q=quality.map(order), source_quality=quality, independent=rank == 0
    )
    best = ranked.sort_values(["claim_id", "_rank", "_q", "source"], kind="stable")
    return best.groupby("claim_id", sort=True).head(1).drop(columns=["_rank", "_q"])


def finding(row: pd.Series) -> str:
    """One plain sentence for a claim's deciding row."""
    source = row["source"]
    note = str(row["note"]).rstrip(".")
    verdict = row["verdict"]
    if verdict == CONFIRMED and row["source_quality"] != SAME_SOURCE:
        return f"Confirmed by {source} ({row['source_quality']}): {note}."
    if verdict == CONFIRMED:
        return (
            f"Agrees with {source}, which quotes the same figure or survey as the article: a "
            f"check of transcription, not independent confirmation ({note})."
        )
    if verdict == DIFFERS:
        return f"Differs from {source} ({row['source_quality']}): {note}."
    if verdict == DIFFERENT_MEASURE:
        return f"Not comparable: {source} measures {row['measures']}, not the claim ({note})."
    return f"Not verifiable: {note}."


class CrossChecks:
    """Collects external checks; stated values, units and comparators come from the ledger."""

    def __init__(self, tolerance: float, ledger: pd.DataFrame | None = None):
        if not 0 <= tolerance <= 1:
            raise ValueError(f"tolerance must be from 0 to 1; got {tolerance!r}.")
        self.tolerance = tolerance
        self.ledger = (claims.load_claims() if ledger is None else ledger).set_index("claim_id")
        self.rows: dict[tuple[str, str], dict] = {}

    def _add(self, claim_id, source, quality, measures, verdict, note, value=None, diff=None):
        if (claim_id, source) in self.rows:
            raise KeyError(f"{claim_id} was checked twice against {source!r}.")
        row = (claim_id, source, quality, measures, verdict, note, value, diff)
        self.rows[claim_id, source] = dict(zip(_FIELDS, row, strict=True))
        return self.rows[claim_id, source]

    def stated(self, claim_id: str) -> str | None:
        """The ledger's stated value, or None when the claim is not in the ledger."""
        return self.ledger["stated_value"].get(claim_id)

    def _missing(self, claim_id, source, quality, measures, shown_value, unit, note) -> dict:
        detail = f"{NOT_IN_LEDGER} (external value {shown_value} {unit}".rstrip() + ")"
        note = "; ".join(p for p in (detail, note) if p)
        return self._add(claim_id, source, quality, measures, NOT_VERIFIABLE, note)

    def check(
        self,
        claim_id: str,
        external: float | None,
        source: str,
        quality: str,
        measures: str,
        note: str = "",
        tolerance: float | None = None,
        unit: str = "",
        same_measure: bool = True,
        comparator: str | None = None,
        exact: bool = False,
    ) -> dict:
        """Compare one external value (in base units, e.g. persons or yen) with the claim.

        ``measures`` says what the source counts; ``same_measure=False`` when that is another
        population, definition or date than the claim's (verdict *different measure*).
        ``comparator`` overrides the ledger's when the external check reads the claim directly
        (say why in ``note``); ``exact`` compares a date or a count exactly (see ``judge``).
        ``unit`` names the external value's unit in the note of a claim not yet in the ledger."""
        quality = _quality(quality)
        if external is None:
            raise ValueError(f"{claim_id}: external value is missing; use not_verifiable().")
        if claim_id not in self.ledger.index:
            shown = f"{external:,.4g}" if abs(external) < 1000 else f"{external:,.0f}"
            return self._missing(claim_id, source, quality, measures, shown, unit, note)
        claim = self.ledger.loc[claim_id]
        value = float(external) / unit_scale(claim["unit"])
        tol = self.tolerance if tolerance is None else tolerance
        how = comparator or claim["comparator"]
        verdict, difference, relative = judge(claim["stated_value"], how, value, tol, exact)
        parts = [f"stated {claim['stated_value']} {claim['unit']}"]
        if exact:
            parts.append("compared exactly")
        if how != claim["comparator"]:
            parts.append(f"compared as '{how}' (ledger: '{claim['comparator']}')")
        if relative is not None and difference and how in ("eq", "approx", "almost"):
            parts.append(f"relative difference {relative:+.1%}")
        if verdict == CONFIRMED and how in ("eq", "approx") and not exact:
            if not claims.equal_at_precision(claim["stated_value"], value):
                band = max(tol, claims.HEDGE_BAND) if how == "approx" else tol
                kind = "hedge band" if band > tol else "tolerance"
                parts.append(f"within {kind} {band:g}, not equal at printed precision")
        if not same_measure:
            parts.append(f"if it measured the same thing the verdict would be '{verdict}'")
            verdict = DIFFERENT_MEASURE
        note = "; ".join(p for p in (*parts, note) if p)
        return self._add(claim_id, source, quality, measures, verdict, note, value, difference)

    def check_printed(
        self,
        claim_id: str,
        article_value: float,
        external_printed: str,
        source: str,
        quality: str,
        measures: str,
        note: str = "",
        tolerance: float | None = None,
    ) -> dict:
        """Judge a value derived by code from the article's data against a printed figure.

        For a benchmark the article does not print (e.g. its tables interpolated to another
        source's date): confirmed when the article's value rounds to the figure at the figure's
        printed precision, or lies within ``tolerance`` of it."""
        quality = _quality(quality)
        if claim_id not in self.ledger.index:
            return self._missing(claim_id, source, quality, measures, external_printed, "", note)
        tol = self.tolerance if tolerance is None else tolerance
        verdict, gap, relative = judge(external_printed, "eq", float(article_value), tol)
        parts = [
            f"article's tables give {article_value:.4g} here; the source prints {external_printed}"
        ]
        if relative is not None and gap:
            parts.append(
                f"relative difference, source against article, {-gap / article_value:+.1%}"
            )
        note = "; ".join(p for p in (*parts, note) if p)
        value = float(external_printed)
        return self._add(claim_id, source, quality, measures, verdict, note, value, -gap)

    def not_verifiable(
        self, claim_id: str, source: str, reason: str, quality: str = "", measures: str = ""
    ) -> dict:
        """Record that no usable external value exists, and why."""
        if not reason:
            raise ValueError(f"{claim_id}: a not-verifiable check needs its reason.")
        if quality:
            _quality(quality)
        if claim_id not in self.ledger.index:
            reason = f"{NOT_IN_LEDGER}; {reason}"
        return self._add(claim_id, source, quality, measures, NOT_VERIFIABLE, reason)

    def table(self) -> pd.DataFrame:
        """All checks, sorted by claim_id then source, with the columns of external_checks.csv."""
        frame = pd.DataFrame(list(self.rows.values()), columns=COLUMNS)
        for column in ("external_value", "difference"):
            frame[column] = [claims.shown(v) for v in frame[column]]
        return frame.sort_values(["claim_id", "source"], ignore_index=True)

    def findings(self, previous: pd.DataFrame | None = None) -> pd.DataFrame:
        """One row per claim: its verdict, the previous release's verdict, and a sentence."""
        best = claim_level(self.table())
        before = {}
        if previous is not None and len(previous):
            before = claim_level(previous).set_index("claim_id")["verdict"].to_dict()
        best["previous_verdict"] = [before.get(c, NOT_CHECKED) for c in best["claim_id"]]
        best["changed"] = best["previous_verdict"] != best["verdict"]
        best["finding"] = [finding(row) for _, row in best.iterrows()]
        return best[FINDING_COLUMNS].reset_index(drop=True)

    def save(self, derived_dir: str | Path = "", previous: pd.DataFrame | None = None) -> Path:
        """Write ``external_checks.csv`` and ``external_findings.csv`` atomically (both are
        described in datapackage.json); return the path of the checks."""
        folder = paths.results_dir(derived_dir)  # build/derived/ unless make runs this
        target = folder / "external_checks.csv"
        data.write_csv(self.table(), target)
        findings = self.findings(previous)
        findings["changed"] = findings["changed"].map({True: "true", False: "false"})
        findings["independent"] = findings["independent"].map({True: "true", False: "false"})
        data.write_csv(findings, folder / "external_findings.csv")
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
