"""Check the article's stated values against external public records.

Stated values, units and comparators come only from the ledger (``data/claims.csv``), read one
way: ``CrossChecks.stated``. A claim not (yet) in it gets *not verifiable* with the note "claim
not in ledger", so a notebook can name claims that other notebooks will add.

Verdicts (one per claim and external source)
--------------------------------------------
Each label is earned by one rule; a reader can say what it does and does not show.

- ``confirmed``: an *independent* source measuring the same thing agrees: the values lie within
  the printed precision of either figure (``within_printed_precision``), or within
  ``tolerance`` (relative; the hedge band for a hedged word such as "some" when it is wider).
  A comparison ("over", "as many as") is confirmed only when it holds *and* the values agree
  at printed precision.
- ``same source``: the source agrees, but it is the article's own: a source the article cites
  (the JET Programme site of note 14; the Immigration Bureau and the Japan Immigration
  Association, i.e. the Ministry of Justice's series of entrants and of registered foreigners;
  CLAIR's counts of affiliations; the Ministry's survey of spending behind Figure 1), or a
  quotation of one. It checks transcription, never confirms independently.
- ``bound holds``: the check can only test a limit, and the limit holds: the external figure
  is a bound on the claim (31 prefectures with offices fit within the 47 that existed; a
  source prints "over 17.8 million"), or a comparison holds without the values agreeing.
- ``differs``: the source measures the same thing and disagrees beyond the printed precision
  of both figures and the tolerance, or a bound fails. A source of the article's own that
  disagrees also *differs* (a slip of transcription or reading). Every claim whose verdict is
  *differs* has a row with its kind and materiality in ``data/findings.csv``.
- ``different measure``: the source counts something else (another population, definition or
  date): it can neither confirm nor refute the claim.
- ``not verifiable``: no usable external value (none published, a series that does not cover
  the date, a value derived from the article itself, an adjective with no threshold), or the
  claim is not in the ledger.

Dates and counts of named things (a year, a number of cities) are compared exactly; a
difference between two years is a number of years. ``source_quality`` says how good the
figure is: ``primary`` (the publisher's own table or release), ``secondary quotation``, or
``derived by code`` (computed here from a register).

One claim, one verdict (``claim_level``): its rows are ranked confirmed, differs, same source,
bound holds, different measure, not verifiable, and the first decides. A reading the ledger
does not take as primary is a robustness check: its rows stay in ``external_checks.csv`` but
never decide a claim whose primary reading is checked, and never become a finding.

Placeholders for the sentences people write (``data/summaries.csv``, ``data/findings.csv``)
--------------------------------------------------------------------------------------------
``placeholder_values(table, claim_id)`` gives, from ``external_checks.csv``:

- ``stated``: the ledger's stated value, in the claim's unit (1.3 for "1.3 million");
- ``external``, ``difference``: the deciding row's external value and external minus stated,
  in the claim's unit; ``gap`` and ``gap_percent``: the size of the difference, and of the
  relative difference in percent, without sign;
- ``<key>``, ``<key>.difference``, ``<key>.gap``: the same for the row of each source, by its
  short ``key`` (``moj``, ``jnto``, ``register``...), when a claim has several sources;
- any name a check recorded with ``values=`` (column ``named_values``): the numbers a
  sentence needs beyond the comparison (e.g. ``cities`` and ``towns`` among the committee's
  members, ``first_year`` of the JET Programme).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path

import pandas as pd

from helpers import claims, data, findings, paths

CONFIRMED = "confirmed"
SAME_SOURCE = "same source"
BOUND_HOLDS = "bound holds"
DIFFERS = "differs"
DIFFERENT_MEASURE = "different measure"
NOT_VERIFIABLE = "not verifiable"
VERDICTS = (CONFIRMED, SAME_SOURCE, BOUND_HOLDS, DIFFERS, DIFFERENT_MEASURE, NOT_VERIFIABLE)
PRIMARY = "primary"
SECONDARY = "secondary quotation"
DERIVED = "derived by code"
QUALITIES = (PRIMARY, SECONDARY, DERIVED)
COLUMNS = data.columns("external_checks")
FINDING_COLUMNS = data.columns("external_findings")
NOT_CHECKED = "not checked"  # a claim the previous release did not check at all
NOT_IN_LEDGER = "claim not in ledger"
SUMMARIES = paths.DATA / "summaries.csv"  # sentences people wrote, one per claim
SCALES = {"billion": 1e9, "million": 1e6, "thousand": 1e3, "percent": 1e-2}


def unit_scale(unit: str) -> float:
    """How many base units one unit of the claim is: 'billion yen' -> 1e9, 'persons' -> 1."""
    return next((s for w, s in SCALES.items() if re.search(rf"\b{w}\b", unit.lower())), 1.0)


def within_printed_precision(stated: str, value: float, printed: str | None = None) -> bool:
    """Is ``value`` within one step of the last printed digit of the stated figure, or of the
    source's own printed figure ``printed``? A printed figure may be rounded or cut, so any value
    within one step (``claims.printed_step``) could stand behind it: "30%" for 30.78, "5" for 5.4,
    "120,000" for 127,000 (printed to the ten thousand)."""
    gap = abs(Decimal(repr(float(value))) - Decimal(stated))
    steps = [claims.printed_step(stated)] + ([claims.printed_step(printed)] if printed else [])
    return any(gap < step for step in steps)


def judge(
    stated: str,
    comparator: str,
    value: float | None,
    tolerance: float,
    exact: bool = False,
    bound: bool = False,
    printed: str | None = None,
) -> tuple[str, float | None, float | None]:
    """Verdict (confirmed, bound holds, differs or not verifiable, as if the source were
    independent and measured the same thing), difference and relative difference, by the module
    docstring's rules. ``exact`` is for dates and counts of named things: "2000" must be 2000.
    ``bound`` says the external figure is only a limit; ``printed`` is the source's figure as
    printed, when coarser than the value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_VERIFIABLE, None, None
    target, value = float(stated), float(value)
    difference = value - target
    relative = difference / abs(target) if target else None
    agrees = within_printed_precision(stated, value, printed)
    if comparator in claims.STRICT:
        if claims.judge(stated, comparator, value, tolerance) != claims.CONSISTENT:
            return DIFFERS, difference, relative
        return (BOUND_HOLDS if bound or not agrees else CONFIRMED), difference, relative
    if exact:
        agrees = value == target
    elif comparator in ("eq", "approx"):
        band = max(tolerance, claims.HEDGE_BAND) if comparator == "approx" else tolerance
        agrees = agrees or (relative is not None and abs(relative) <= band)
    else:
        agrees = claims.judge(stated, comparator, value, tolerance) == claims.CONSISTENT
    return (CONFIRMED if agrees else DIFFERS), difference, relative


def _quality(quality: str) -> str:
    if quality and quality not in QUALITIES:
        raise ValueError(f"source quality {quality!r} is not one of {QUALITIES}.")
    return quality


def _named(values: dict | None) -> str:
    """Named values as one CSV cell: 'cities=11; towns=1'."""
    for name in values or {}:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            raise ValueError(f"value name {name!r}: use lower case letters, digits and _.")
    return "; ".join(f"{k}={claims.shown(float(v))}" for k, v in (values or {}).items())


_ORDER = (CONFIRMED, DIFFERS, SAME_SOURCE, BOUND_HOLDS, DIFFERENT_MEASURE, NOT_VERIFIABLE)


def claim_level(table: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: the deciding row by the module docstring's order, with
    ``independent``: the deciding row compares the same measure with a source that is not the
    article's own (confirmed, bound holds or differs)."""
    rank = table["verdict"].map({v: i for i, v in enumerate(_ORDER)})
    quality = table["source_quality"].fillna("").map({q: i for i, q in enumerate(QUALITIES)})
    ranked = table.assign(_rank=rank, _q=quality.fillna(len(QUALITIES)))
    best = ranked.sort_values(["claim_id", "_rank", "_q", "source"], kind="stable")
    best = best.groupby("claim_id", sort=True).head(1).drop(columns=["_rank", "_q"])
    same = best["same_source"].astype(str).str.lower() == "true"
    compared = best["verdict"].isin((CONFIRMED, BOUND_HOLDS, DIFFERS))
    return best.assign(independent=~same & compared)


def _number(text: object) -> float | None:
    return None if text is None or str(text) in ("", "nan") else float(text)


def placeholder_values(table: pd.DataFrame, claim_id: str) -> dict[str, float]:
    """The names a sentence about ``claim_id`` may use (module docstring), from the rows of
    ``external_checks.csv`` (``table``)."""
    rows = table[table["claim_id"] == claim_id]
    if rows.empty:
        raise KeyError(f"{claim_id} has no external check.")
    values: dict[str, float] = {}
    deciding = claim_level(rows).iloc[0]
    for prefix, row in [("", deciding), *((f"{r['key']}.", r) for _, r in rows.iterrows())]:
        external, difference = _number(row["external_value"]), _number(row["difference"])
        if prefix and external is not None:
            values[prefix.rstrip(".")] = external
        if external is not None and not prefix:
            values["external"] = external
        if difference is not None:
            values[f"{prefix}difference"], values[f"{prefix}gap"] = difference, abs(difference)
        stated = _number(row["stated"])
        if not prefix and stated is not None:
            values["stated"] = stated
            if difference is not None and stated:
                values["gap_percent"] = 100 * abs(difference) / abs(stated)
    for cell in rows["named_values"].fillna(""):
        for pair in filter(None, str(cell).split("; ")):
            name, number = pair.split("=")
            if values.setdefault(name, float(number)) != float(number):
                raise ValueError(f"{claim_id}: two values named {name!r}.")
    return values


def load_sentences(path: str | Path = SUMMARIES) -> pd.DataFrame:
    """The sentences people wrote for external claims (rows with check 'external')."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame[frame["check"] == "external"].set_index("claim")


def fill_sentences(table: pd.DataFrame, sentences: pd.DataFrame, claim_ids) -> dict[str, str]:
    """Each claim's sentence, filled with the run's numbers; a claim without a sentence, or a
    sentence naming a value the run did not produce, stops with the claim named."""
    filled = {}
    for claim_id in claim_ids:
        if claim_id not in sentences.index:
            raise findings.TemplateError(f"{claim_id} has no sentence in {SUMMARIES.name}.")
        values = placeholder_values(table, claim_id)
        try:
            filled[claim_id] = findings.fill(sentences.loc[claim_id, "sentence"], values)
        except findings.TemplateError as error:
            raise findings.TemplateError(f"{claim_id}: {error}") from None
    return filled


class CrossChecks:
    """Collects external checks; stated values, units and comparators come from the ledger."""

    def __init__(self, tolerance: float, ledger: pd.DataFrame | None = None):
        if not 0 <= tolerance <= 1:
            raise ValueError(f"tolerance must be from 0 to 1; got {tolerance!r}.")
        self.tolerance = tolerance
        self.ledger = (claims.load_claims() if ledger is None else ledger).set_index("claim_id")
        self.rows: dict[tuple[str, str], dict] = {}

    def stated(self, claim_id: str) -> float:
        """The ledger's stated value in base units (persons, yen, a share), the one way a
        notebook reads a stated number."""
        if claim_id not in self.ledger.index:
            raise KeyError(f"{claim_id} is not in the ledger (data/claims.csv).")
        row = self.ledger.loc[claim_id]
        return float(row["stated_value"]) * unit_scale(row["unit"])

    def year(self, claim_id: str, last: bool = False) -> int:
        """The first (or ``last``) year of the ledger's ``as_of`` for the claim: 'FY1999' -> 1999,
        '1985-2000' -> 1985 (2000 with ``last``), so a notebook never types a claim's date."""
        years = re.findall(r"\d{4}", str(self.ledger.loc[claim_id, "as_of"]))
        if not years:
            raise ValueError(f"{claim_id}: the ledger's as_of names no year.")
        return int(years[-1] if last else years[0])

    def _add(self, claim_id, key, source, quality, measures, verdict, note, **more) -> dict:
        if (claim_id, source) in self.rows:
            raise KeyError(f"{claim_id} was checked twice against {source!r}.")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise ValueError(f"{claim_id}: source key {key!r}: use lower case letters and _.")
        stated = self.ledger["stated_value"].get(claim_id, "")
        row = dict(claim_id=claim_id, key=key, stated=stated, source=source, measures=measures)
        row.update(source_quality=_quality(quality), verdict=verdict, note=note, **more)
        self.rows[claim_id, source] = row
        return row

    def check(
        self,
        claim_id: str,
        external: float,
        source: str,
        quality: str,
        measures: str,
        note: str = "",
        *,
        key: str,
        tolerance: float | None = None,
        same_measure: bool = True,
        same_source: bool = False,
        comparator: str | None = None,
        exact: bool = False,
        bound: bool = False,
        printed: str | None = None,
        values: dict | None = None,
    ) -> dict:
        """Compare one external value (in base units, e.g. persons or yen) with the claim.

        ``key`` names the source in sentences; ``measures`` says what the source counts
        (``same_measure=False``: another population, definition or date); ``same_source``: the
        article cites this source or series; ``comparator`` overrides the ledger's when the
        source prints a bound (say why in ``note``); ``exact``, ``bound``, ``printed``: see
        ``judge`` (``printed`` in base units, as printed: '127000'); ``values``: further numbers a
        sentence may name."""
        more = {"same_source": same_source, "named_values": _named(values)}
        if claim_id not in self.ledger.index:
            why = "; ".join(filter(None, (NOT_IN_LEDGER, note)))
            return self._add(claim_id, key, source, quality, measures, NOT_VERIFIABLE, why, **more)
        claim = self.ledger.loc[claim_id]
        value = float(external) / unit_scale(claim["unit"])
        if printed:  # the source's printed figure, in base units like ``external``
            printed = str(Decimal(printed) / Decimal(unit_scale(claim["unit"])))
        tol = self.tolerance if tolerance is None else tolerance
        how = comparator or claim["comparator"]
        verdict, difference, relative = judge(
            claim["stated_value"], how, value, tol, exact, bound, printed
        )
        parts = [f"stated {claim['stated_value']} {claim['unit']}"]
        if exact:
            parts.append("compared exactly")
        if how != claim["comparator"]:
            parts.append(f"compared as '{how}' (ledger: '{claim['comparator']}')")
        if relative is not None and difference and not exact and how in ("eq", "approx"):
            parts.append(f"relative difference {relative:+.1%}")
        if not same_measure and verdict != NOT_VERIFIABLE:
            parts.append(f"if it measured the same thing the verdict would be '{verdict}'")
            verdict = DIFFERENT_MEASURE
        elif same_source and verdict in (CONFIRMED, BOUND_HOLDS):
            parts.append(f"the article's own source; by itself the verdict would be '{verdict}'")
            verdict = SAME_SOURCE
        note = "; ".join(p for p in (*parts, note) if p)
        more.update(external_value=value, difference=difference)
        return self._add(claim_id, key, source, quality, measures, verdict, note, **more)

    def check_printed(
        self,
        claim_id: str,
        article_value: float,
        external_printed: str,
        source: str,
        quality: str,
        measures: str,
        note: str = "",
        *,
        key: str,
        same_source: bool = False,
        values: dict | None = None,
    ) -> dict:
        """Judge a value derived by code from the article's data (e.g. its tables interpolated to
        another source's date) against a figure the source prints: within that figure's printed
        precision, or within ``tolerance`` of it, it agrees."""
        more = {"same_source": same_source, "named_values": _named(values)}
        if claim_id not in self.ledger.index:
            why = "; ".join(filter(None, (NOT_IN_LEDGER, note)))
            return self._add(claim_id, key, source, quality, measures, NOT_VERIFIABLE, why, **more)
        verdict, gap, _ = judge(external_printed, "eq", article_value, self.tolerance)
        parts = [f"the article's tables give {article_value:.4g}; the source prints "]
        parts[0] += external_printed
        if same_source and verdict == CONFIRMED:
            parts.append("the article's own source; by itself the verdict would be 'confirmed'")
            verdict = SAME_SOURCE
        note = "; ".join(p for p in (*parts, note) if p)
        more.update(external_value=float(external_printed), difference=-gap)
        return self._add(claim_id, key, source, quality, measures, verdict, note, **more)

    def not_verifiable(
        self,
        claim_id: str,
        source: str,
        reason: str,
        quality: str = "",
        measures: str = "",
        *,
        key: str,
        same_source: bool = False,
        values: dict | None = None,
    ) -> dict:
        """Record that no usable external value exists, and why."""
        if not reason:
            raise ValueError(f"{claim_id}: a not-verifiable check needs its reason.")
        if claim_id not in self.ledger.index:
            reason = f"{NOT_IN_LEDGER}; {reason}"
        more = {"same_source": same_source, "named_values": _named(values)}
        return self._add(claim_id, key, source, quality, measures, NOT_VERIFIABLE, reason, **more)

    def table(self) -> pd.DataFrame:
        """All checks, sorted by claim_id then source, with the columns of external_checks.csv."""
        frame = pd.DataFrame(list(self.rows.values())).reindex(columns=COLUMNS)
        for column in ("external_value", "difference"):
            frame[column] = [claims.shown(v) for v in frame[column]]
        frame["same_source"] = frame["same_source"].map({True: "true", False: "false"})
        return frame.fillna("").sort_values(["claim_id", "source"], ignore_index=True)

    def deciding(self, table: pd.DataFrame) -> pd.DataFrame:
        """The claims that get a verdict: a reading the ledger does not take as primary only when
        no primary reading of its claim is checked (a rejected reading is never a finding)."""
        ids = table["claim_id"]
        primary = ids.map(self.ledger["primary"]).fillna(True).astype(bool)  # not in the ledger
        claim = ids.map(self.ledger["claim"]).fillna(ids)
        return table[primary | ~claim.isin(set(claim[primary]))]

    def findings(self, previous: pd.DataFrame | None = None, sentences=None) -> pd.DataFrame:
        """One row per claim of the ledger: its verdict, the previous release's, and its sentence
        (written by a person in ``data/summaries.csv``, filled with this run's numbers). A claim
        not in the ledger is shown by the notebook but reaches no findings: the audit's claims are
        the ledger's."""
        table = self.table()
        best = claim_level(self.deciding(table))
        best = best[best["claim_id"].isin(self.ledger.index)].reset_index(drop=True)
        before = {} if previous is None else previous.set_index("claim_id")["verdict"].to_dict()
        best["previous_verdict"] = [before.get(c, NOT_CHECKED) for c in best["claim_id"]]
        best["changed"] = best["previous_verdict"] != best["verdict"]
        sentences = load_sentences() if sentences is None else sentences
        filled = fill_sentences(table, sentences, best["claim_id"])
        best["finding"] = best["claim_id"].map(filled)
        return best[FINDING_COLUMNS]

    def save(self, derived_dir: str | Path = "", previous=None, sentences=None) -> Path:
        """Write ``external_checks.csv`` and ``external_findings.csv`` (both described in
        datapackage.json); return the path of the checks."""
        folder = paths.results_dir(derived_dir)  # build/derived/ unless make runs this
        found = self.findings(previous, sentences)
        for column in ("changed", "independent"):
            found[column] = found[column].map({True: "true", False: "false"})
        data.write_csv(self.table(), folder / "external_checks.csv")
        data.write_csv(found, folder / "external_findings.csv")
        return folder / "external_checks.csv"


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


def anchor_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The anchors file with parsed amounts and years: ``low``/``high``/``kind``, ``fy_from``/
    ``fy_to``, ``mid`` (the middle of a range), ``derived`` (a ratio, not a published figure),
    ``circular`` (derived from the article itself) and ``status`` (the three in words)."""
    parsed = pd.DataFrame([parse_amount(v) for v in frame["value_million_yen"]])
    years = [parse_fiscal_years(v) for v in frame["fiscal_year"]]
    out = pd.concat([frame.reset_index(drop=True), parsed], axis=1)
    out[["fy_from", "fy_to"]] = pd.DataFrame(years)
    out["mid"] = (out["low"] + out["high"]) / 2
    out["derived"] = out["caveat"].str.contains("derived")
    out["circular"] = out["derived"] & out["source"].str.startswith("article")
    out["status"] = out["derived"].map({True: "derived ratio", False: "quoted statement"})
    out.loc[out["circular"], "status"] = "derived from the article (circular)"
    return out


def peak_and_fall(anchors: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame, float]:
    """The highest quoted anchor (no bound, nothing derived), the anchors after it, and the
    relative fall from the peak to the lowest later anchor (middle of each range)."""
    points = anchors[(anchors["kind"] != "lower bound") & ~anchors["derived"]]
    peak = points.loc[points["mid"].idxmax()]
    later = points[points["fy_from"] > peak["fy_to"]]
    return peak, later, float((peak["mid"] - later["mid"].min()) / peak["mid"])


def interpolate(table: pd.DataFrame, first: int, last: int, start, end, when) -> pd.Series:
    """Rows ``first`` and ``last`` of ``table`` (columns of a table by year) interpolated
    linearly to the date ``when``, the columns being dated ``start`` and ``end``."""
    share = (pd.Timestamp(when) - pd.Timestamp(start)) / (pd.Timestamp(end) - pd.Timestamp(start))
    return table.loc[first] + share * (table.loc[last] - table.loc[first])


def decimal_year(text: str) -> float:
    """A date as printed, as a year with its fraction: '1998-04-01' -> 1998.25, '2015 (c. July)'
    -> 2015.0, 'c.2025-26' -> 2025.0 (a second number that is no month is ignored)."""
    match = re.search(r"(\d{4})(?:-(\d{2})(?:-\d{2})?)?", text)
    if not match:
        raise ValueError(f"no year in {text!r}.")
    month = int(match.group(2)) if match.group(2) and int(match.group(2)) <= 12 else 1
    return int(match.group(1)) + (month - 1) / 12


def publisher(dataset: data.Dataset) -> str:
    """A source's name for the checks: its publisher (up to the first comma or bracket) and file."""
    return re.split(r" \(|,", dataset.provenance["publisher"])[0] + f" ({dataset.name}.csv)"


def quality_of(reliability: str) -> str:
    """A row's reliability text as a source quality: 'official' is primary, else secondary."""
    text = reliability.lower()
    if "secondary" in text or "not primary" in text:
        return SECONDARY
    if "official" in text:
        return PRIMARY
    raise ValueError(f"cannot classify the reliability {reliability!r}")
