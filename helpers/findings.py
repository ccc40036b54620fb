"""Sentences people wrote, numbers the run computed.

Every sentence a reader sees about a claim (a finding, a claim's summary) is written by a person
and kept as data (``data/findings.csv``, ``data/summaries.csv``), with named placeholders that
the run fills from its own results. Placeholders follow Python's format syntax:

- ``{name}``: a number as a reader writes it (thousands grouped, no float noise: 1,374; 52.3)
- ``{name:year}``: a year or fiscal year, never grouped (1960, not 1,960)
- ``{name:.1f}``, ``{name:,.0f}``, ``{name:.0%}``: any Python format specification
- ``{name:text}``: the value as text, unchanged

A placeholder whose name the run did not produce is an error naming it, never a blank.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping

from helpers import data, paths


class TemplateError(KeyError):
    """A template names a value the run did not produce, or cannot format it."""


def placeholders(template: str) -> list[str]:
    """The names a template asks for, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def reader_number(value: float) -> str:
    """A number as a reader writes it: 1374.0 -> '1,374', 52.30 -> '52.3'."""
    if value == int(value) and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.4f}".rstrip("0").rstrip(".")


def _formatted(name: str, raw: object, spec: str) -> str:
    if spec == "text":
        return str(raw)
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise TemplateError(f"{{{name}}} is {raw!r}, not a number") from None
    if spec == "year":
        return str(int(value))
    return format(value, spec) if spec else reader_number(value)


def fill(template: str, values: Mapping[str, object]) -> str:
    """The template with every placeholder replaced by its value from ``values``."""
    out = []
    for literal, name, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if name is None:
            continue
        if conversion or name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise TemplateError(f"{{{name}}} is not a value of this run (known: {known})")
        out.append(_formatted(name, values[name], spec or ""))
    return "".join(out)


def _present(value: object) -> bool:
    return value is not None and str(value) != "" and str(value).lower() != "nan"


def ledger_values(verdicts) -> dict[str, dict[str, str]]:
    """The values a ledger claim's sentence may name, by claim (data/SHARED-FORMATS names):

    - ``stated``, ``recomputed``: the claim's primary reading's stated and recomputed values;
    - ``<reading_id>``: any reading's recomputed value; ``<reading_id>.stated``: its stated one.

    ``verdicts`` is one row per reading (claim_verdicts.csv: claim_id, stated_value, recomputed);
    the ledger supplies ``claim`` and ``primary`` when it lacks them. A reading that computed
    nothing (not checkable) gives no value, so a sentence naming it is refused by ``fill``."""
    frame = verdicts
    if "claim" not in frame or "primary" not in frame:
        ledger = _ledger()
        frame = frame.drop(columns=["claim", "primary"], errors="ignore").merge(
            ledger, on="claim_id"
        )
    shared: dict[str, str] = {}
    for row in frame.itertuples(index=False):
        if _present(row.recomputed):
            shared[row.claim_id] = str(row.recomputed)
        if _present(row.stated_value):
            shared[f"{row.claim_id}.stated"] = str(row.stated_value)
    out = {}
    primary = frame[frame["primary"].astype(str).str.lower().isin(["true", "1"])]
    for row in primary.itertuples(index=False):
        own = {"stated": row.stated_value, "recomputed": row.recomputed}
        out[row.claim] = shared | {k: str(v) for k, v in own.items() if _present(v)}
    return out


# The order the report lists findings in (data/findings.csv: kind, materiality).
KINDS = (
    "typesetting or transcription slip",
    "arithmetic",
    "overstatement",
    "anachronism",
    "mislabelled measure",
    "dating ambiguity",
    "citation slip",
)
MATERIALITY = ("argument", "detail")  # a step of the article's argument first, then details
FINDING_VERDICTS = {"ledger": "inconsistent", "external": "differs"}


def written(name: str):
    """People's sentences: ``data/summaries.csv`` or ``data/findings.csv``, validated."""
    frame, _ = data.validate(paths.DATA / f"{name}.csv")
    return frame


def _ledger():
    """The ledger's reading, claim and primary columns (read here, not through helpers.claims,
    which imports this module)."""
    frame, _ = data.validate(paths.CLAIMS)
    return frame[["claim_id", "claim", "primary"]]


def ranked(summary, external, ledger, values, external_values=None, rows=None):
    """The findings as the report lists them (data/derived/findings.csv): one row per ledger
    claim the run finds inconsistent and per external check that differs, each with the
    sentence a person wrote in data/findings.csv filled with this run's values, ordered by
    materiality, then kind, then claim. A finding without a sentence, or a sentence for a
    claim the run no longer finds at fault, is refused with the claims named."""
    import pandas as pd

    rows = written("findings") if rows is None else rows
    external_values = external_values or {}
    found = {
        "ledger": summary.loc[summary["verdict"] == FINDING_VERDICTS["ledger"], "claim"],
        "external": external.loc[external["verdict"] == FINDING_VERDICTS["external"], "claim_id"],
    }
    # a claim the ledger already finds at fault is one finding, not two: its ledger sentence
    # says what the public record adds
    found["external"] = found["external"][~found["external"].isin(found["ledger"])]
    for check, claims_found in found.items():
        mine = set(rows.loc[rows["check"] == check, "claim"])
        missing, stale = sorted(set(claims_found) - mine), sorted(mine - set(claims_found))
        if missing or stale:
            raise TemplateError(
                f"data/findings.csv ({check}): no finding written for {missing or 'none'}; "
                f"written for claims the run does not find at fault: {stale or 'none'}"
            )
    quote = ledger.set_index("claim_id")[["section", "quote"]]
    by_claim = summary.set_index("claim")
    out = []
    for row in rows.itertuples(index=False):
        if row.check == "ledger":
            where, verdict, names = by_claim.loc[row.claim], "inconsistent", values[row.claim]
        else:
            where, verdict, names = (
                quote.loc[row.claim],
                "differs",
                external_values[row.claim],
            )
        try:
            sentence = fill(row.sentence, names)
        except TemplateError as exc:
            raise TemplateError(f"data/findings.csv, claim {row.claim}: {exc.args[0]}") from None
        out.append(
            dict(
                claim=row.claim,
                check=row.check,
                kind=row.kind,
                materiality=row.materiality,
                verdict=verdict,
                section=where["section"],
                quote=where["quote"],
                sentence=sentence,
            )
        )
    frame = pd.DataFrame(out)
    order = [
        frame["materiality"].map(MATERIALITY.index),
        frame["kind"].map(KINDS.index),
        frame["claim"],
    ]
    frame = frame.assign(_m=order[0], _k=order[1]).sort_values(["_m", "_k", "claim", "check"])
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame.drop(columns=["_m", "_k"]).reset_index(drop=True)


def in_words(table) -> str:
    """Markdown: for each claim a section notebook decides (its primary reading is a row of
    ``table``, the notebook's ``Audit.table()``), the sentence written for it, filled with
    this run's values. A rerun with other parameters may give a verdict no sentence was
    written for: that claim is then named with its new verdict instead of a false sentence."""
    ledger = _ledger()
    readings = table.merge(ledger, on="claim_id")
    values = ledger_values(readings)
    sentences = written("summaries").query("check == 'ledger'").set_index("claim")
    primary = readings[readings["primary"].astype(str).str.lower() == "true"]
    lines = []
    for row in primary.sort_values("claim").itertuples(index=False):
        if sentences.loc[row.claim, "verdict"] == row.verdict:
            text = fill(sentences.loc[row.claim, "sentence"], values[row.claim])
        else:
            text = f"*Verdict {row.verdict} with these parameters; its sentence was written for "
            text += f"{sentences.loc[row.claim, 'verdict']}: see the verdict table.*"
        lines.append(f"- **{row.verdict.capitalize()}.** {text}")
    return "\n".join(lines)


# What a reader must never see in a sentence (tests scan every sentence with reader_faults).
IDENTIFIER = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\.csv\b")
CLAIM_ID = re.compile(r"\bC0\d-[a-z0-9-]+")
OPERATOR = re.compile(r"<=|>=|==|!=|≤|≥")
COMPARATOR = re.compile(r"\b(eq|approx|gt|ge|lt|le)\b")
SMALL = r"(?!(?:its|was|is|has|does|this|plus|minus|as|us|of|in|and|or)\b)"
LABEL = r"(?<!Note )(?<!Table )(?<!Figure )(?<!note )(?<!table )(?<!figure )"  # "Note 1 says"
ONE_PLURAL = re.compile(rf"(?<![\d.,]){LABEL}\b1 (?:{SMALL}[a-z]+ )?{SMALL}[a-z]+s\b")
YEAR = r"(?:1,[89]\d\d|2,0\d\d)"  # 1800 to 2099 with a thousands separator
GROUPED_YEAR = re.compile(
    rf"\b(?:FY|fiscal year|in|since|until|decade|year)\s+{YEAR}\b|\b{YEAR}s?\s+decade\b"
    rf"|\b{YEAR}s\b"
)


def reader_faults(text: str) -> list[str]:
    """What a sentence for a policy student must not contain: identifiers, claim ids outside
    links, file names, operators, comparator codes, "1 entries", years with a thousands
    separator. Placeholders and link targets are not read, so they are not scanned."""
    bare = re.sub(r"\[C0\d-[a-z0-9-]+\]\([^)]*\)", "", text)  # a claim id may name a link
    bare = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", bare)  # other links: their words are read
    bare = re.sub(r"\{[^}]*\}", "", bare)  # a template's placeholders are filled, not read
    faults = []
    for name, rule in [
        ("identifier", IDENTIFIER),
        ("claim id", CLAIM_ID),
        ("operator", OPERATOR),
        ("comparator code", COMPARATOR),
        ("'1 entries'", ONE_PLURAL),
        ("year with a thousands separator", GROUPED_YEAR),
    ]:
        faults += [f"{name}: {m.group(0)!r}" for m in rule.finditer(bare)]
    return faults


def for_people(frame):
    """A data table as a reader reads it: "yes" and "no" where the code holds True and False."""
    out = frame.copy()
    for column in out.select_dtypes(bool).columns:
        out[column] = out[column].map({True: "yes", False: "no"})
    return out
