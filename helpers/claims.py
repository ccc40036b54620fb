"""The claims ledger and the rules that turn a recomputed value into a verdict.

Claims and readings
-------------------
``data/claims.csv`` has one row per *reading* of a quantitative claim (``claim_id`` is the
reading's id). Rows that read the same claim share its ``claim`` id, and exactly one of them is
``primary``: the reading a careful reader takes from the English, justified in its ``reading``
text. The others are robustness checks, each justified as a reading a careful reader could take.

**A claim's verdict is its primary reading's verdict** (``claim_verdicts``). The alternatives
are listed beside it, as the readings under which the claim holds (``holds_under``) or fails
(``fails_under``); they are never averaged into it. This follows the reproduction guide of the
social-science data editors (ACRE): reproduce each declared claim under its primary
specification and report reasonable alternatives as robustness checks.

Verdicts of one reading
-----------------------
- ``consistent``: the recomputed value satisfies what the words say (see ``COMPARATORS``).
- ``approximately consistent``: an exact (``eq``) or hedged (``approx``, ``almost``) value that
  misses, but by no more than the notebook's ``tolerance`` beyond what the words allow.
- ``inconsistent``: neither. Strict words ("over", "more than", "less than", "at least") hold or
  fail: they never get an approximate band.
- ``not checkable``: ``data/`` holds nothing that could make the check fail; the reason is
  recorded. A value compared with a constant written into the code for the purpose is not a
  check.

Printed precision (``printed_step``, ``equal_at_precision``)
------------------------------------------------------------
The one rule, also used by the external checks: a number printed with decimals is precise to
its last decimal ("80.7" to 0.1, "17.82" to 0.01). A whole number ending in three or more zeros
is precise to its last non-zero digit, because the article prints rounded thousands and
millions that way ("841,000" to the thousand, "1,300,000" to the hundred thousand). Any other
whole number is exact to the unit: years and decades ("1970"), small counts ("80", "twenty")
and sums ("1,407"). A value *equals* the stated one when it rounds (half up) to it at that step,
i.e. lies within half a step of it.
"""

from __future__ import annotations

import html
import math
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from helpers import data, findings, paths

CONSISTENT = "consistent"
APPROXIMATE = "approximately consistent"
INCONSISTENT = "inconsistent"
NOT_CHECKABLE = "not checkable"
VERDICTS = (CONSISTENT, APPROXIMATE, INCONSISTENT, NOT_CHECKABLE)

# The relative band a hedged word ('about', 'almost': see COMPARATORS) allows: a hedged figure
# holds within 10 percent of it. Notebooks expose it as the papermill parameter ``hedge_band``.
HEDGE_BAND = 0.10

# How the article words a claim, and so how the recomputed value is compared with it.
COMPARATORS = {
    "eq": "an exact figure: equals the stated value at its printed precision",
    "approx": "a hedged figure ('some', 'about', 'approximately', 'nearly', 'roughly'): equals "
    "it at printed precision or lies within the hedge band (relative) of it",
    "almost": "just below the stated value ('almost double'): within the hedge band below it",
    "gt": "strictly above the stated value ('over', 'more than'): holds or fails",
    "ge": "at least the stated value ('as many as', 'at least'): holds or fails",
    "lt": "strictly below the stated value ('less than'): holds or fails",
    "le": "at most the stated value ('up to', 'no more than'): holds or fails",
}
STRICT = ("gt", "ge", "lt", "le")
VERDICT_COLUMNS = data.columns("claim_verdicts")  # also each notebook's verdicts/ file
CLAIM_COLUMNS = data.columns("claim_summary")


def load_claims(path: str | Path | None = None) -> pd.DataFrame:
    """The validated ledger, one row per reading; exactly one primary reading per claim."""
    frame, _ = data.validate(Path(path) if path else paths.CLAIMS)
    check_primaries(frame)
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


def _is_true(values: pd.Series) -> pd.Series:
    return values.astype(str).str.lower().isin(["true", "1"])


def check_primaries(ledger: pd.DataFrame) -> None:
    """Every claim has exactly one primary reading."""
    counts = _is_true(ledger["primary"]).groupby(ledger["claim"]).sum()
    wrong = counts[counts != 1]
    if not wrong.empty:
        raise data.DataError(
            "data/claims.csv: every claim needs exactly one primary reading; "
            + ", ".join(f"{claim} has {n}" for claim, n in wrong.items())
        )


def printed_step(stated: str) -> Decimal:
    """The last printed digit's step (module docstring): '17.82' -> 0.01, '841000' -> 1000."""
    if "." in stated:
        return Decimal(1).scaleb(-len(stated.split(".")[1]))
    digits = stated.lstrip("-")
    zeros = len(digits) - len(digits.rstrip("0")) if digits.strip("0") else 0
    return Decimal(1).scaleb(zeros if zeros >= 3 else 0)


def equal_at_precision(stated: str, value: float) -> bool:
    """Does ``value`` round (half up) to ``stated`` at the stated value's printed precision?"""
    step = printed_step(stated)
    rounded = (Decimal(repr(float(value))) / step).quantize(Decimal(1), ROUND_HALF_UP) * step
    return rounded == Decimal(stated)


def judge(
    stated: str,
    comparator: str,
    recomputed: float | None,
    tolerance: float,
    hedge_band: float = HEDGE_BAND,
) -> str:
    """Apply the verdict rules (module docstring) to one recomputed value."""
    if recomputed is None or (isinstance(recomputed, float) and math.isnan(recomputed)):
        return NOT_CHECKABLE
    if comparator not in COMPARATORS:
        raise ValueError(f"unknown comparator {comparator!r}")
    target = float(stated)
    x = float(recomputed)
    gap = abs(x - target) / abs(target) if target else abs(x)
    if comparator in STRICT:
        holds = {"gt": x > target, "ge": x >= target, "lt": x < target, "le": x <= target}
        return CONSISTENT if holds[comparator] else INCONSISTENT
    if comparator == "eq":
        if equal_at_precision(stated, x):
            return CONSISTENT
        return APPROXIMATE if gap <= tolerance else INCONSISTENT
    if comparator == "approx":
        if equal_at_precision(stated, x) or gap <= hedge_band:
            return CONSISTENT
        return APPROXIMATE if gap <= hedge_band + tolerance else INCONSISTENT
    # almost: just below the stated value, by no more than the hedge band
    if target * (1 - hedge_band) <= x <= target:
        return CONSISTENT
    below = target * (1 - hedge_band - tolerance) <= x < target
    above = target < x <= target * (1 + tolerance)
    return APPROXIMATE if below or above else INCONSISTENT


def shown(value: float | None) -> str:
    """A recomputed number as written to CSV: at most 4 decimals, no float noise."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


class Audit:
    """Collects one notebook's verdicts and checks that every ledger row got one."""

    def __init__(
        self,
        notebook: str,
        tolerance: float,
        claims: pd.DataFrame | None = None,
        hedge_band: float = HEDGE_BAND,
    ):
        ledger = load_claims() if claims is None else claims
        self.notebook = notebook
        self.tolerance = tolerance
        self.hedge_band = hedge_band
        self.ledger = ledger.set_index("claim_id")
        self.claims = ledger[ledger["notebook"] == notebook].set_index("claim_id")
        if self.claims.empty:
            raise KeyError(f"no claims in data/claims.csv for notebook {notebook!r}")
        self.rows: dict[str, dict] = {}

    def stated(self, claim_id: str) -> float:
        """The stated value of any ledger row, as a number: the one way a notebook reads what
        the article says (a ledger number is never retyped into code). Another notebook's row
        may be read too (notebook 01 reads note 9's 47 prefectures from notebook 02's row)."""
        if claim_id not in self.ledger.index:
            raise KeyError(f"claim_id {claim_id!r} is not a row of the ledger")
        return float(self.ledger.loc[claim_id, "stated_value"])

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
        verdict = judge(
            claim["stated_value"], claim["comparator"], recomputed, tol, self.hedge_band
        )
        if verdict == NOT_CHECKABLE:
            raise ValueError(f"{claim_id}: recomputed value is missing; use not_checkable()")
        self.rows[claim_id] = {"recomputed": shown(recomputed), "verdict": verdict, "note": note}

    def refer(self, claim_id: str, same_as: str) -> None:
        """A reading that repeats an identity already checked here takes that row's verdict
        instead of counting it again (one arithmetic identity is one claim)."""
        claim = self._row(claim_id)
        if same_as not in self.rows:
            raise KeyError(f"{claim_id}: check {same_as!r} before referring to it")
        if "claim" in self.claims and claim["claim"] != self.claims.loc[same_as, "claim"]:
            raise KeyError(f"{claim_id} and {same_as} must be readings of the same claim")
        quote = short_quote(self.claims.loc[same_as, "quote"], 60)
        note = f'the same identity as "{quote}", not counted again; its verdict is reported'
        self.rows[claim_id] = {**self.rows[same_as], "note": note}

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
        frame = pd.DataFrame.from_dict(self.rows, orient="index").rename_axis("claim_id")
        frame = frame.join(self.claims[["stated_value", "reading"]]).reset_index()
        return frame[VERDICT_COLUMNS].sort_values("claim_id", ignore_index=True)

    def reader_table(self) -> ReaderTable:
        """The verdict table for people: quote, verdict, values with units, reading, note."""
        frame = self.table().rename(columns={"stated_value": "stated"})
        columns = ["claim_id", "verdict", "stated", "recomputed", "reading", "note"]
        return reader_table(frame[columns], self.ledger.reset_index())

    def save(self, derived_dir: str | Path = "") -> Path:
        """Write the verdicts for this notebook to ``<derived>/verdicts/<notebook>.csv``."""
        target = paths.results_dir(derived_dir) / "verdicts" / f"{self.notebook}.csv"
        data.write_csv(self.table(), target)
        return target


QUOTE_HEADER = "what the article says"
# units that name a date: the value is a year, shown as a year ("1989", not "1,989 year")
DATE_UNITS = {"calendar year", "year", "decade", "column label", "fiscal year"}


def short_quote(text: str, chars: int = 90) -> str:
    """A quotation cut at a word to at most ``chars`` characters, with an ellipsis if cut."""
    if len(text) <= chars:
        return text
    return text[: chars - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def with_unit(value: str, unit: str) -> str:
    """A stated or recomputed value as a reader writes it, with its unit: '1,407 affiliations',
    '1989', '2 (ratio FY2000 / FY1990)'; a value not computed is a dash."""
    if str(value) in ("", "nan", "None"):
        return "–"
    try:
        number = float(value)
    except ValueError:
        return f"{value} {unit}".strip()
    if unit.split(" (")[0] in DATE_UNITS:
        return f"{number:.0f}" if number == int(number) else findings.reader_number(number)
    shown = findings.reader_number(number)
    if unit.startswith(("ratio", "rank", "share", "figure", "column")):
        return f"{shown} ({unit})"
    return f"{shown} {unit}".strip()


class ReaderTable:
    """A table for people: each row leads with the article's words, linking to the cell that
    checks the claim (the claim id is the link's target, never a column), every cell escaped."""

    def __init__(self, frame: pd.DataFrame, claim_ids: list[str]):
        self.frame, self.claim_ids = frame.reset_index(drop=True), claim_ids

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in self.frame.columns)
        rows = []
        for claim_id, row in zip(self.claim_ids, self.frame.itertuples(index=False), strict=True):
            quote, *rest = (html.escape(str(v)) for v in row)
            if claim_id:  # a claim the ledger does not hold has no cell to link to
                quote = f'<a href="{html.escape(f"#claim-{claim_id}", quote=True)}">{quote}</a>'
            cells = [f"<td>{quote}</td>"] + [f"<td>{v}</td>" for v in rest]
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return (
            f'<table class="dataframe reader-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    def __repr__(self) -> str:
        return self.frame.to_string(index=False)

    def __len__(self) -> int:
        return len(self.frame)


def reader_table(
    frame: pd.DataFrame,
    ledger: pd.DataFrame | None = None,
    with_units: tuple[str, ...] = ("stated", "recomputed"),
    quote_chars: int = 90,
) -> ReaderTable:
    """``frame`` (a ``claim_id`` column, then the columns to show, verdict first) as a table
    for people: the quote (short) first, then the columns in their order, those named in
    ``with_units`` written with the claim's unit; the claim id stays only as the quote's link."""
    ledger = load_claims() if ledger is None else ledger
    by_id = ledger.set_index("claim_id")
    ids = list(frame["claim_id"])
    shown = frame.drop(columns="claim_id").reset_index(drop=True).astype(object)
    for column in with_units:
        if column in shown:
            units = [by_id.loc[c, "unit"] if c in by_id.index else "" for c in ids]
            shown[column] = [with_unit(v, u) for v, u in zip(shown[column], units, strict=True)]
    quotes = [by_id.loc[c, "quote"] if c in by_id.index else "(not in the ledger)" for c in ids]
    shown.insert(0, QUOTE_HEADER, [short_quote(q, quote_chars) for q in quotes])
    return ReaderTable(shown.fillna("–"), [c if c in by_id.index else None for c in ids])


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


def claim_verdicts(readings: pd.DataFrame) -> pd.DataFrame:
    """One row per claim from one row per reading (ledger columns plus ``verdict``).

    The claim's verdict is its primary reading's verdict; the other readings are listed by
    claim_id under ``holds_under`` (consistent or approximately consistent) and
    ``fails_under`` (inconsistent), separated by "; ". Not-checkable alternatives are neither."""
    frame = readings.assign(primary=_is_true(readings["primary"]))
    check_primaries(frame)
    primary = frame[frame["primary"]].set_index("claim")
    others = frame[~frame["primary"]]

    def listed(verdicts: tuple[str, ...]) -> pd.Series:
        chosen = others[others["verdict"].isin(verdicts)].sort_values("claim_id")
        return chosen.groupby("claim")["claim_id"].agg("; ".join)

    out = primary[["section", "notebook", "quote", "verdict"]].assign(
        primary_reading=primary["claim_id"],
        holds_under=listed((CONSISTENT, APPROXIMATE)),
        fails_under=listed((INCONSISTENT,)),
    )
    out = out.fillna({"holds_under": "", "fails_under": ""})
    return out.reset_index().sort_values("claim", ignore_index=True)


def claim_summary(readings: pd.DataFrame, summaries: pd.DataFrame | None = None) -> pd.DataFrame:
    """``claim_verdicts`` plus each claim's ``summary``: the sentence a person wrote for it in
    ``data/summaries.csv`` (rows with check ``ledger``), filled with this run's values
    (``helpers.findings``). A claim without a sentence, or whose sentence was written for
    another verdict than the run gives, is refused with the claims named."""
    table = claim_verdicts(readings)
    if summaries is None:
        summaries = _summaries()
    written = summaries[summaries["check"] == "ledger"].set_index("claim")
    missing = sorted(set(table["claim"]) - set(written.index))
    if missing:
        raise data.DataError(
            f"data/summaries.csv has no sentence for {len(missing)} claims: {', '.join(missing)}"
        )
    stale = [
        f"{c} (written for {written.loc[c, 'verdict']}, the run gives {v})"
        for c, v in zip(table["claim"], table["verdict"], strict=True)
        if written.loc[c, "verdict"] != v
    ]
    if stale:
        raise data.DataError(
            "data/summaries.csv: these sentences were written for another verdict; rewrite "
            "them: " + "; ".join(stale)
        )
    values = findings.ledger_values(readings)
    table["summary"] = [_filled(c, written.loc[c, "sentence"], values[c]) for c in table["claim"]]
    return table[CLAIM_COLUMNS]


def _filled(claim: str, template: str, values: dict) -> str:
    try:
        return findings.fill(template, values)
    except findings.TemplateError as exc:
        raise findings.TemplateError(f"data/summaries.csv, claim {claim}: {exc.args[0]}") from None


def _summaries() -> pd.DataFrame:
    frame, _ = data.validate(paths.DATA / "summaries.csv")
    return frame


def resolve_citations(citations: pd.DataFrame, bibliography: pd.DataFrame) -> pd.DataFrame:
    """Resolve every dated in-text citation against the Bibliography.

    A citation *resolves* when exactly one entry of its year has a ``cite_name`` equal to the
    name as cited. It is *shortened* when none does but exactly one entry's name begins with
    the cited words (a long corporate author shortened in the text, as "Shimane-ken Gaishi-kei
    Kigyo" for the study group's full name: ordinary practice, not an error). Otherwise one
    entry of that year whose name starts with the same word makes it a *variant* (both
    spellings are reported), several make it *ambiguous*, none make it *no entry*.
    ``exact_matches`` counts the entries named character for character; ``named_entries``
    those named in full or shortened, the count a careful reader's check uses."""
    dated = citations[citations["cited_year"].notna()]
    found = []
    for _, cit in dated.iterrows():
        same_year = bibliography[bibliography["year"] == cit["cited_year"]]
        cited = cit["cited_as"]
        exact = same_year[same_year["cite_name"] == cited]
        shortened = same_year[same_year["cite_name"].str.startswith(cited + " ")]
        first = cited.split()[0]
        near = same_year[same_year["cite_name"].str.split().str[0] == first]
        if len(exact) == 1:
            status, hit = "resolves", exact
        elif len(exact) > 1:
            status, hit = "ambiguous", exact
        elif len(shortened) == 1:
            status, hit = "shortened", shortened
        elif len(near) == 1:
            status, hit = "variant", near
        else:
            status, hit = ("ambiguous" if len(near) else "no entry"), near.iloc[:0]
        named = len(exact) + (len(shortened) if not len(exact) else 0)
        found.append(
            [status, len(exact), named, "; ".join(hit["entry_id"]), "; ".join(hit["cite_name"])]
        )
    out = dated[["citation_id", "section", "cited_as"]].assign(
        cited_year=dated["cited_year"].astype(int)
    )
    columns = ["status", "exact_matches", "named_entries", "entry_id", "entry_name"]
    return out.join(pd.DataFrame(found, index=out.index, columns=columns)).reset_index(drop=True)


def uncited_entries(resolved: pd.DataFrame, bibliography: pd.DataFrame) -> pd.DataFrame:
    """Bibliography entries that no in-text citation resolves to, even as a variant."""
    named = ["resolves", "shortened", "variant"]
    used = set(resolved.loc[resolved["status"].isin(named), "entry_id"])
    return bibliography[~bibliography["entry_id"].isin(used)].reset_index(drop=True)


def name_variants(names: pd.DataFrame) -> pd.DataFrame:
    """Bodies the article names in more than one way, or otherwise than their official name.

    ``names`` has one row per printing: body, name, printed_in, quote and source ('article' or
    an external source). One row per body with two or more distinct names is returned, with
    the article's spellings and the official one (if any) joined by ' | '."""
    article = names[names["source"] == "article"]
    official = names[names["source"] != "article"].groupby("body")["name"].agg(" | ".join)
    spelled = article.groupby("body")["name"].agg(lambda v: " | ".join(dict.fromkeys(v)))
    table = pd.DataFrame({"article_names": spelled, "official_name": official}).fillna("")
    table["kinds"] = [
        len(a.split(" | ")) + (bool(o) and o not in a.split(" | "))
        for a, o in zip(table["article_names"], table["official_name"], strict=True)
    ]
    table = table[table["kinds"] > 1].drop(columns="kinds")
    return table.rename_axis("body").reset_index()
