"""The sentences people wrote about the claims of notebooks 02-04 (data/summaries.csv,
data/findings.csv) fill from the run's verdicts, match its verdicts, and read as prose."""

import re

import pandas as pd
import pytest

from helpers import claims, findings, paths

NOTEBOOKS = (
    "02_historical_perspective",
    "03_international_activities",
    "04_impact_of_globalization",
)
KINDS = {
    "typesetting or transcription slip",
    "arithmetic",
    "overstatement",
    "anachronism",
    "mislabelled measure",
    "dating ambiguity",
    "citation slip",
}
# what a reader must never see: identifiers, operators, comparator codes, grouped years
FORBIDDEN = [
    r"\b[a-z]+_[a-z_]+\b",  # snake_case
    r"\bC0\d-[a-z0-9-]+",  # claim ids
    r"<=|>=|==|!=",
    r"\b(eq|ge|gt|lt|le|approx)\b",
    r"\b1 entries\b",
    r"\b(1,9\d\d|2,0[0-3]\d)\b",  # a year printed with a thousands separator
    r"\.csv\b",
    r"\{|\}",
]


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(paths.DATA / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def run():
    """The ledger's claims of 02-04 and, per claim, the values its sentences may name."""
    ledger = claims.load_claims()
    verdicts = _read("derived/claim_verdicts.csv").set_index("claim_id")
    summary = _read("derived/claim_summary.csv").set_index("claim")
    common = {f"{i}.stated": r["stated_value"] for i, r in verdicts.iterrows()}
    common |= {i: r["recomputed"] for i, r in verdicts.iterrows()}
    mine = summary[summary["notebook"].isin(NOTEBOOKS)]
    values = {
        claim: common
        | {
            "stated": verdicts.loc[row["primary_reading"], "stated_value"],
            "recomputed": verdicts.loc[row["primary_reading"], "recomputed"],
        }
        for claim, row in mine.iterrows()
    }
    assert set(ledger.loc[ledger["notebook"].isin(NOTEBOOKS), "claim"]) == set(mine.index)
    return mine, values


def _ledger_rows(name: str, claims_of: pd.Index) -> pd.DataFrame:
    rows = _read(name)
    return rows[(rows["check"] == "ledger") & rows["claim"].isin(claims_of)]


def _assert_prose(text: str) -> None:
    for pattern in FORBIDDEN:
        assert not re.search(pattern, text), f"{pattern!r} in: {text}"


def test_every_claim_has_one_summary_written_for_its_verdict(run):
    mine, values = run
    rows = _ledger_rows("summaries.csv", mine.index)
    assert not rows["claim"].duplicated().any()
    assert set(rows["claim"]) == set(mine.index), "a claim of 02-04 has no summary"
    for _, row in rows.iterrows():
        assert row["verdict"] == mine.loc[row["claim"], "verdict"], row["claim"]
        _assert_prose(findings.fill(row["sentence"], values[row["claim"]]))


def test_every_inconsistent_claim_is_a_finding_with_kind_and_materiality(run):
    mine, values = run
    rows = _ledger_rows("findings.csv", mine.index)
    assert set(rows["claim"]) == set(mine.index[mine["verdict"] == claims.INCONSISTENT])
    assert set(rows["kind"]) <= KINDS and set(rows["materiality"]) <= {"argument", "detail"}
    for _, row in rows.iterrows():
        _assert_prose(findings.fill(row["sentence"], values[row["claim"]]))


def test_the_headline_is_an_overstatement_that_changes_the_argument(run):
    mine, values = run
    row = _ledger_rows("findings.csv", mine.index).set_index("claim").loc["C02-us-over-70"]
    assert (row["kind"], row["materiality"]) == ("overstatement", "argument")
    assert float(values["C02-us-over-70"]["recomputed"]) < float(values["C02-us-over-70"]["stated"])


def test_a_name_the_run_did_not_produce_fails(run):
    _, values = run
    with pytest.raises(findings.TemplateError, match="C02-no-such-reading"):
        findings.fill("{C02-no-such-reading}", values["C02-us-over-70"])
    with pytest.raises(findings.TemplateError, match="not a number"):  # a not-checkable value
        findings.fill("{recomputed}", values["C02-note10-brazil-240-thousand"])
