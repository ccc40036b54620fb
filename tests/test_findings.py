import re

import pandas as pd
import pytest

from helpers import claims, data, findings, paths
from helpers import external as cross


def test_fill_writes_numbers_as_a_reader_does():
    text = findings.fill(
        "{total} affiliations in {year:year}; {share:.0f} percent; {name:text}",
        {"total": "1374.0", "year": "1960", "share": 52.3, "name": "Hagi"},
    )
    assert text == "1,374 affiliations in 1960; 52 percent; Hagi"


def test_a_placeholder_the_run_did_not_produce_is_named():
    with pytest.raises(findings.TemplateError, match=r"\{missing\} is not a value"):
        findings.fill("{missing} of {known}", {"known": 1})


def test_a_word_where_a_number_is_expected_is_refused():
    with pytest.raises(findings.TemplateError, match="not a number"):
        findings.fill("{x}", {"x": "many"})


def test_placeholders_lists_the_names_a_template_needs():
    assert findings.placeholders("{a} and {C01-b:.1f}") == ["a", "C01-b"]


# --- sentences written by people, filled by the run ------------------------------------------


def _csv(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def _readings(recomputed=("52", "77"), verdict="inconsistent") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["C02-r0", "C02-r1"],
            "claim": ["C02-c", "C02-c"],
            "primary": [True, False],
            "section": ["S", "S"],
            "notebook": ["02_x", "02_x"],
            "quote": ["q", "q"],
            "stated_value": ["70", "70"],
            "recomputed": list(recomputed),
            "verdict": [verdict, "consistent"],
        }
    )


def _summaries(sentence: str, verdict: str = "inconsistent") -> pd.DataFrame:
    return pd.DataFrame(
        {"claim": ["C02-c"], "check": ["ledger"], "sentence": [sentence], "verdict": [verdict]}
    )


def test_ledger_values_name_the_primary_reading_and_every_reading():
    values = findings.ledger_values(_readings())["C02-c"]
    assert values["stated"] == "70" and values["recomputed"] == "52"
    assert values["C02-r1"] == "77" and values["C02-r1.stated"] == "70"
    unchecked = findings.ledger_values(_readings(recomputed=("", "77")))["C02-c"]
    assert "recomputed" not in unchecked  # a not-checkable reading produced no value


def test_a_template_naming_a_value_the_run_did_not_produce_fails():
    sentence = "Over {stated} percent, but {C02-r9} percent."
    with pytest.raises(findings.TemplateError, match=r"C02-c: \{C02-r9\} is not a value"):
        claims.claim_summary(_readings(), _summaries(sentence))


def test_a_summary_written_for_another_verdict_fails():
    with pytest.raises(data.DataError, match="written for consistent, the run gives inconsistent"):
        claims.claim_summary(_readings(), _summaries("Over {stated}.", verdict="consistent"))


def test_a_claim_without_a_summary_is_named():
    other = _summaries("x").assign(claim="C02-other")
    with pytest.raises(data.DataError, match="no sentence for 1 claims: C02-c"):
        claims.claim_summary(_readings(), other)


def test_findings_are_ranked_and_every_fault_has_one():
    summary = pd.DataFrame(
        {
            "claim": ["C01-a", "C01-b", "C01-c"],
            "verdict": ["inconsistent", "inconsistent", "consistent"],
            "section": ["S"] * 3,
            "quote": ["q"] * 3,
        }
    )
    external = pd.DataFrame({"claim_id": ["C01-c"], "verdict": ["differs"]})
    ledger = pd.DataFrame({"claim_id": ["C01-c"], "section": ["S"], "quote": ["q"]})
    rows = pd.DataFrame(
        {
            "claim": ["C01-a", "C01-b", "C01-c"],
            "check": ["ledger", "ledger", "external"],
            "kind": ["citation slip", "arithmetic", "arithmetic"],
            "materiality": ["detail", "detail", "argument"],
            "sentence": ["{stated} a.", "b.", "c."],
        }
    )
    values = {"C01-a": {"stated": "1960"}, "C01-b": {}}
    out = findings.ranked(summary, external, ledger, values, {"C01-c": {}}, rows=rows)
    assert list(out["claim"]) == ["C01-c", "C01-b", "C01-a"]  # argument, then kind order
    assert list(out["rank"]) == [1, 2, 3] and out["sentence"].iloc[2] == "1,960 a."
    with pytest.raises(findings.TemplateError, match=r"no finding written for \['C01-b'\]"):
        findings.ranked(summary, external, ledger, values, {"C01-c": {}}, rows=rows.iloc[[0, 2]])
    fixed = summary.assign(verdict=["inconsistent", "consistent", "consistent"])
    with pytest.raises(findings.TemplateError, match=r"does not find at fault: \['C01-b'\]"):
        findings.ranked(fixed, external, ledger, values, {"C01-c": {}}, rows=rows)


# --- the committed files agree with the run ---------------------------------------------------


def _committed_values() -> dict:
    verdicts = _csv(paths.DERIVED / "claim_verdicts.csv")
    return findings.ledger_values(verdicts)


def test_every_claim_has_a_summary_written_for_its_verdict():
    summary = _csv(paths.DERIVED / "claim_summary.csv")
    written = findings.written("summaries").query("check == 'ledger'").set_index("claim")
    assert sorted(written.index) == sorted(claims.load_claims()["claim"].unique())
    stale = summary[summary["verdict"] != written.loc[summary["claim"], "verdict"].to_numpy()]
    assert stale.empty, f"sentences written for another verdict: {list(stale['claim'])}"


def test_filled_numbers_are_the_verdict_files_numbers():
    """Refill every committed sentence from claim_verdicts.csv: a number that differs fails."""
    values = _committed_values()
    written = findings.written("summaries").query("check == 'ledger'").set_index("claim")
    summary = _csv(paths.DERIVED / "claim_summary.csv").set_index("claim")
    for claim, row in summary.iterrows():
        assert row["summary"] == findings.fill(written.loc[claim, "sentence"], values[claim])
    ranked = _csv(paths.DERIVED / "findings.csv")
    rows = findings.written("findings").set_index(["claim", "check"])
    for r in ranked.query("check == 'ledger'").itertuples():
        assert r.sentence == findings.fill(
            rows.loc[(r.claim, r.check), "sentence"], values[r.claim]
        )


def test_the_report_lists_every_finding_once_in_rank_order():
    ranked = _csv(paths.DERIVED / "findings.csv")
    summary = _csv(paths.DERIVED / "claim_summary.csv")
    external = _csv(paths.DERIVED / "external_findings.csv")
    checks = _csv(paths.DERIVED / "external_checks.csv")
    at_fault = external.loc[external["verdict"] == "differs", "claim_id"]
    external_values = {c: cross.placeholder_values(checks, c) for c in at_fault}
    expected = findings.ranked(
        summary, external, claims.load_claims(), _committed_values(), external_values
    )
    assert list(ranked["claim"]) == list(expected["claim"])
    assert set(ranked.query("check == 'ledger'")["claim"]) == set(
        summary.loc[summary["verdict"] == "inconsistent", "claim"]
    )


@pytest.mark.parametrize(
    "bad",
    [
        "gives total_affiliations",
        "see claim_summary.csv",
        "C01-table1-total-affiliations fails",
        "59 <= 972",
        "coded ge here",
        "not the 1 bibliography entries",
        "the 1,960 decade",
        "in 1,995 the budget",
    ],
)
def test_the_scan_catches_what_a_reader_must_not_read(bad):
    assert findings.reader_faults(bad), bad


def test_no_sentence_a_reader_sees_has_code_in_it():
    """Findings, summaries (written and filled) and the report's ranked findings: no
    identifiers, claim ids outside links, .csv, operators, comparator codes, '1 entries' or
    grouped years. (The landing page's account, built from them, is scanned in test_site.)"""
    texts = list(findings.written("summaries")["sentence"])
    texts += list(findings.written("findings")["sentence"])
    texts += list(_csv(paths.DERIVED / "claim_summary.csv")["summary"])
    texts += list(_csv(paths.DERIVED / "findings.csv")["sentence"])
    faults = {t[:60]: findings.reader_faults(t) for t in texts if findings.reader_faults(t)}
    assert not faults, faults


def test_the_report_counts_agree_with_each_other_and_the_files():
    """Notebook 00 as committed: each findings heading's count is the number of findings listed
    under it, they add up to findings.csv, and the summary's verdict counts are claim_summary's."""
    import json

    cells = json.loads((paths.NOTEBOOKS / "00_audit_report.ipynb").read_text(encoding="utf-8"))
    shown = [
        "".join(out.get("data", {}).get("text/markdown", ""))
        for cell in cells["cells"]
        if cell["cell_type"] == "code"
        for out in cell.get("outputs", [])
    ]
    listing = next(t for t in shown if "Details (" in t or "step of the argument (" in t)
    blocks = re.findall(r"\*\*[^*]+ \((\d+)\)\*\*\n\n((?:\d+\. .*\n?)+)", listing)
    assert blocks
    assert all(int(n) == len(items.strip().splitlines()) for n, items in blocks)
    ranked = _csv(paths.DERIVED / "findings.csv")
    assert sum(int(n) for n, _ in blocks) == len(ranked)
    summary = _csv(paths.DERIVED / "claim_summary.csv")
    quotable = next(t for t in shown if t.startswith("The audit recomputed"))
    counts = summary["verdict"].value_counts()
    assert f"{len(summary)} quantitative claims" in quotable
    assert f"{counts.get('inconsistent', 0)} do not hold as printed" in quotable
    assert f"{counts.get('not checkable', 0)} (" in quotable
    assert f"{len(ranked)} in all" in quotable


def test_the_headline_is_an_overstatement_that_changes_the_argument():
    """The section's main finding: "over 70 percent" of the 1960s' affiliations, about half."""
    row = (
        findings.written("findings").set_index(["claim", "check"]).loc[("C02-us-over-70", "ledger")]
    )
    assert (row["kind"], row["materiality"]) == ("overstatement", "argument")
    values = _committed_values()["C02-us-over-70"]
    assert float(values["recomputed"]) < float(values["stated"])
