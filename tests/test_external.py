"""The external verdict labels, the sentences people wrote for them, and notebook 05's output."""

import json
import re
from decimal import Decimal

import pandas as pd
import pytest

from helpers import claims, data, external, findings, paths

LEDGER = pd.DataFrame(
    [
        ("C04-x-1985", "C04-x-1985", True, "841000", "persons", "eq"),
        ("C04-x-2000", "C04-x-2000", True, "1.7", "million persons", "approx"),
        ("C01-x-total", "C01-x-total", True, "104.4", "billion yen", "approx"),
        ("C01-x-share", "C01-x-share", True, "0.25", "share of local governments", "approx"),
        ("C02-x-five", "C02-x-five", True, "5", "designated cities", "ge"),
        ("C02-x-read-a", "C02-x-header", True, "2001", "year", "eq"),
        ("C02-x-read-b", "C02-x-header", False, "2001", "year", "eq"),
    ],
    columns=["claim_id", "claim", "primary", "stated_value", "unit", "comparator"],
)


def _checks(tolerance=0.01):
    return external.CrossChecks(tolerance, ledger=LEDGER)


@pytest.mark.parametrize(
    ("stated", "step"),
    [("17.82", "0.01"), ("841000", "1000"), ("1300000", "100000"), ("6078", "1"), ("0", "1")],
)
def test_printed_step(stated, step):
    assert claims.printed_step(stated) == Decimal(step)


@pytest.mark.parametrize(
    ("stated", "value", "tolerance", "verdict"),
    [
        ("841000", 850612, 0.01, external.DIFFERS),  # 9,612 off: beyond the thousand, 1.1%
        ("841000", 850612, 0.05, external.CONFIRMED),  # within 5 percent
        ("780000", 780298, 0.0, external.CONFIRMED),
        ("780000", 811672, 0.0, external.DIFFERS),
        ("6078", 6077, 0.0, external.DIFFERS),  # exact to the unit
        ("17.82", 17.814, 0.0, external.CONFIRMED),  # within one step of the last digit
        ("17.82", 17.81, 0.0, external.DIFFERS),
        ("30", 30.78, 0.0, external.CONFIRMED),  # a printed "30%" can stand for 30.78%
        ("5", 5.4, 0.0, external.CONFIRMED),  # the same rule for Korea's 5.4% against "5"
        ("120000", 127000, 0.0, external.CONFIRMED),  # "120,000" is printed to ten thousand
        ("120000", 130000, 0.0, external.DIFFERS),
    ],
)
def test_judge_eq_within_printed_precision(stated, value, tolerance, verdict):
    assert external.judge(stated, "eq", value, tolerance)[0] == verdict


def test_the_precision_of_either_source_counts():
    assert not external.within_printed_precision("1300", 1304.0)
    assert not external.within_printed_precision("1.30", 1.34)
    assert external.within_printed_precision("1.30", 1.34, printed="1.3")  # source: tenths
    assert external.judge("17.82", "eq", 17.9, 0.0, printed="17.9")[0] == external.CONFIRMED


def test_a_bound_is_not_a_confirmation():
    assert external.judge("5", "ge", 12, 0.0)[0] == external.BOUND_HOLDS  # 12 >= 5
    assert external.judge("31", "ge", 47, 0.0)[0] == external.BOUND_HOLDS
    assert external.judge("59", "ge", 47, 0.0)[0] == external.DIFFERS  # a failed bound
    assert external.judge("47", "le", 47, 0.0)[0] == external.CONFIRMED  # holds and agrees
    assert external.judge("232000", "ge", 232121, 0.0)[0] == external.CONFIRMED
    assert external.judge("17.82", "le", 17.8, 0.0, bound=True)[0] == external.BOUND_HOLDS
    assert external.judge("100", "gt", 99.9, 0.5)[0] == external.DIFFERS  # no band for "over"


def test_judge_reports_difference_and_hedges():
    verdict, difference, relative = external.judge("841000", "eq", 850612, 0.0)
    assert (verdict, difference) == (external.DIFFERS, 9612.0)
    assert relative == pytest.approx(9612 / 841000)
    off = 1 + claims.HEDGE_BAND * 0.9  # outside a 1% tolerance, inside the hedge band
    assert external.judge("100", "approx", 100 * off, 0.01)[0] == external.CONFIRMED
    assert external.judge("101", "eq", 101 * off, 0.01)[0] == external.DIFFERS
    assert external.judge("2", "almost", 1.95, 0.05)[0] == external.CONFIRMED
    assert external.judge("2", "almost", None, 0.05)[0] == external.NOT_VERIFIABLE


def test_dates_and_counts_are_exact_and_a_gap_of_years_is_in_years():
    assert external.judge("2000", "eq", 2001, 0.0)[0] == external.CONFIRMED  # printed rule
    assert external.judge("2000", "eq", 2001, 0.0, exact=True)[:2] == (external.DIFFERS, 1.0)
    assert external.judge("12", "eq", 11, 0.5, exact=True)[0] == external.DIFFERS
    checks = _checks()
    row = checks.check("C02-x-read-a", 2002, "press", external.SECONDARY, "x", key="p", exact=True)
    assert row["difference"] == 1 and "%" not in row["note"]


def test_the_articles_own_source_is_same_source_and_never_independent():
    checks = _checks()
    agree = checks.check(
        "C01-x-total", 104.3e9, "ERINA", external.SECONDARY, "survey", key="erina", same_source=True
    )
    slip = checks.check(
        "C04-x-1985", 850612, "MOJ", external.PRIMARY, "count", key="moj", same_source=True
    )
    bound = checks.check(
        "C02-x-five", 12, "register", external.DERIVED, "count", key="reg", same_source=True
    )
    assert agree["verdict"] == bound["verdict"] == external.SAME_SOURCE
    assert slip["verdict"] == external.DIFFERS  # the article's own source that disagrees
    level = external.claim_level(checks.table()).set_index("claim_id")
    assert not level["independent"].any()


def test_cross_checks_use_the_ledger_and_mark_missing_claims():
    checks = _checks()
    checks.check("C04-x-2000", 1686444, "MOJ", external.PRIMARY, "registered", key="moj")
    checks.check("C02-not-yet", 366649, "JNTO", external.SECONDARY, "arrivals", key="jnto")
    checks.not_verifiable("C04-none", "none found", "no public record", key="none")
    with pytest.raises(KeyError, match="twice"):
        checks.check("C04-x-2000", 1, "MOJ", external.PRIMARY, "registered", key="moj")
    with pytest.raises(ValueError, match="source quality"):
        checks.check("C01-x-share", 0.28, "x", "official", "y", key="x")
    with pytest.raises(ValueError, match="source key"):
        checks.check("C01-x-share", 0.28, "x", external.PRIMARY, "y", key="Bad Key")
    with pytest.raises(KeyError, match="not in the ledger"):
        checks.stated("C02-not-yet")
    assert checks.stated("C04-x-2000") == 1.7e6
    table = checks.table().set_index("claim_id")
    assert list(checks.table().columns) == external.COLUMNS
    assert table.loc["C04-x-2000", ["verdict", "external_value"]].tolist() == [
        external.CONFIRMED,
        "1.6864",
    ]
    assert table.loc["C02-not-yet", "verdict"] == external.NOT_VERIFIABLE
    assert table.loc["C02-not-yet", "note"].startswith(external.NOT_IN_LEDGER)
    assert table.loc["C04-none", "note"].startswith(external.NOT_IN_LEDGER)


def test_different_measure_neither_confirms_nor_differs():
    checks = _checks()
    far = checks.check(
        "C04-x-1985", 1e6, "JNTO", external.SECONDARY, "arrivals", key="j", same_measure=False
    )
    assert far["verdict"] == external.DIFFERENT_MEASURE and "'differs'" in far["note"]
    assert far["difference"] == pytest.approx(159000)


def test_check_printed_judges_a_derived_value_against_a_printed_figure():
    checks = _checks()
    good = checks.check_printed("C02-x-read-a", 1300.4, "1304", "report", "primary", "t", key="r")
    bad = checks.check_printed("C02-x-read-b", 1263.0, "1304", "report", "primary", "t", key="r")
    assert good["verdict"] == external.CONFIRMED and bad["verdict"] == external.DIFFERS
    assert bad["external_value"] == 1304 and bad["difference"] == pytest.approx(41)


def test_claim_level_order_and_rejected_readings():
    checks = _checks()
    checks.check("C02-x-five", 12, "s1", external.DERIVED, "x", key="a")  # bound holds
    checks.check("C02-x-five", 5, "s2", external.PRIMARY, "x", key="b")  # confirmed
    checks.check_printed("C02-x-read-a", 1300.4, "1304", "s", external.SECONDARY, "t", key="r")
    checks.check_printed("C02-x-read-b", 1263.0, "1304", "s", external.SECONDARY, "t", key="r")
    decided = checks.deciding(checks.table())
    assert "C02-x-read-b" not in set(decided["claim_id"])  # its primary reading is checked
    level = external.claim_level(decided).set_index("claim_id")
    assert level.loc["C02-x-five", ["key", "verdict"]].tolist() == ["b", external.CONFIRMED]


def test_placeholders_and_sentences():
    checks = _checks()
    checks.check("C04-x-1985", 850612, "MOJ", external.PRIMARY, "n", key="moj", values={"a": 2})
    checks.check("C04-x-1985", 9e5, "JNTO", external.PRIMARY, "n", key="jnto", same_measure=False)
    values = external.placeholder_values(checks.table(), "C04-x-1985")
    assert values["stated"] == 841000 and values["external"] == 850612 and values["a"] == 2
    assert values["difference"] == values["gap"] == 9612 and values["jnto.gap"] == 59000
    assert values["gap_percent"] == pytest.approx(100 * 9612 / 841000)
    sentences = pd.DataFrame({"sentence": ["{external} counted, {gap} more."]}, ["C04-x-1985"])
    found = checks.findings(pd.DataFrame({"claim_id": [], "verdict": []}), sentences)
    assert found.loc[0, "finding"] == "850,612 counted, 9,612 more."
    assert found.loc[0, "previous_verdict"] == external.NOT_CHECKED
    with pytest.raises(findings.TemplateError, match="C04-x-1985: .*missing"):
        checks.findings(None, sentences.replace({".*": "{missing}"}, regex=True))
    with pytest.raises(findings.TemplateError, match="C04-x-1985 has no sentence"):
        checks.findings(None, sentences.iloc[:0])
    with pytest.raises(ValueError, match="value name"):
        checks.check("C04-x-2000", 1.7e6, "x", external.PRIMARY, "n", key="x", values={"A": 1})


def test_save_writes_csv_the_package_describes(tmp_path):
    checks = _checks()
    checks.check("C04-x-1985", 850612, "MOJ", external.PRIMARY, "registered", key="moj")
    checks.not_verifiable("C01-x-share", "none found", "no public record", key="none")
    checks.not_verifiable("C02-not-yet", "none found", "no public record", key="none")
    sentences = pd.DataFrame({"sentence": ["{external}.", "None."]}, ["C04-x-1985", "C01-x-share"])
    target = checks.save(tmp_path, sentences=sentences)  # a claim not in the ledger: no finding
    frame, _ = data.validate(target, data.resource("external_checks"))
    assert list(frame.columns) == external.COLUMNS
    found, _ = data.validate(tmp_path / "external_findings.csv", data.resource("external_findings"))
    assert list(found.columns) == external.FINDING_COLUMNS and len(found) == 2


def test_package_enums_match_the_module():
    fields = {f["name"]: f for f in data.resource("external_checks")["schema"]["fields"]}
    assert tuple(fields["verdict"]["constraints"]["enum"]) == external.VERDICTS
    assert tuple(fields["source_quality"]["constraints"]["enum"]) == external.QUALITIES


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("~120,000 (peak)", {"low": 120000.0, "high": 120000.0, "kind": "approximate"}),
        ("~105,000-110,000", {"low": 105000.0, "high": 110000.0, "kind": "range"}),
        (">=100,000 each year", {"low": 100000.0, "high": None, "kind": "lower bound"}),
    ],
)
def test_parse_amount(text, expected):
    assert external.parse_amount(text) == expected


def test_parse_fiscal_years_dates_and_bad_input():
    assert external.parse_fiscal_years("FY1993-FY2001") == (1993, 2001)
    assert external.parse_fiscal_years("c.FY1998-99") == (1998, 1999)
    assert external.decimal_year("1998-04-01") == 1998.25
    assert external.decimal_year("c.2025-26") == 2025.0
    with pytest.raises(ValueError):
        external.parse_fiscal_years("1998")
    with pytest.raises(ValueError):
        external.parse_amount("about half")


def test_anchors_give_the_peak_and_the_fall():
    anchors = external.anchor_table(
        data.load("local_intl_expenditure_anchors_million_yen", "external").frame
    )
    assert anchors["circular"].sum() == 1  # the FY1990 point derived from the article
    peak, later, fall = external.peak_and_fall(anchors)
    assert peak["fy_from"] == 1995 and set(later["fy_from"]) == {1998, 2000}
    assert fall == pytest.approx((120000 - 104350) / 120000)


def test_interpolate_between_two_columns():
    table = pd.DataFrame({"n": [100.0, 200.0]}, index=[1995, 2000])
    mid = external.interpolate(table, 1995, 2000, "1995-01-01", "2000-01-01", "1997-07-02")
    assert mid["n"] == pytest.approx(150, abs=0.1)


# --- notebook 05's committed output and the sentences people wrote for it ---

CHECKS, FINDINGS = paths.DERIVED / "external_checks.csv", paths.DERIVED / "external_findings.csv"
IDENTIFIER = re.compile(r"\b[a-z]+_[a-z0-9_]+\b|\bC0\d-[a-z0-9-]+")
YEAR_GROUPED = re.compile(r"\b(?:in|fiscal|year|since|until|from|to)\s+[12],\d{3}\b")
FORBIDDEN = re.compile(r"\.csv|<=|>=|==|!=|[+-]\d+(?:\.\d+)?%")


def _people_sentences(path):
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame[frame["check"] == "external"].set_index("claim")


def test_committed_external_checks():
    frame, _ = data.validate(CHECKS)
    assert list(frame.columns) == external.COLUMNS
    assert list(frame["claim_id"]) == sorted(frame["claim_id"])
    ledger = set(claims.load_claims()["claim_id"])
    for _, row in frame.iterrows():
        if row["claim_id"] not in ledger:
            assert row["verdict"] == external.NOT_VERIFIABLE, row["claim_id"]
        if row["verdict"] == external.NOT_VERIFIABLE:
            assert pd.isna(row["external_value"]) and row["note"]
        else:
            assert row["source_quality"] and row["measures"], row["claim_id"]
    found, _ = data.validate(FINDINGS)
    assert set(found["claim_id"]) <= set(frame["claim_id"])


def test_every_external_claim_has_a_sentence_that_the_run_fills_cleanly():
    table = pd.read_csv(CHECKS, dtype=str, keep_default_na=False)
    found = pd.read_csv(FINDINGS, dtype=str, keep_default_na=False).set_index("claim_id")
    summaries = _people_sentences(external.SUMMARIES)
    written = _people_sentences(paths.DATA / "findings.csv")
    shown = set(external.CrossChecks(0.01).deciding(table)["claim_id"])  # what 05 shows
    assert set(summaries.index) == shown, "a claim without a sentence, or a stale one"
    assert set(found.index) <= shown
    differs = set(found.index[found["verdict"] == external.DIFFERS])
    # a claim the ledger already finds at fault has one finding, its ledger one
    ledger_findings = set(
        pd.read_csv(paths.DERIVED / "findings.csv").query("check == 'ledger'")["claim"]
    )
    assert set(written.index) == differs - ledger_findings, (
        "every external 'differs' has a finding, no other"
    )
    assert set(written["kind"]) <= set(findings.KINDS)
    assert set(written["materiality"]) <= set(findings.MATERIALITY)
    for claim_id, template in [*summaries["sentence"].items(), *written["sentence"].items()]:
        filled = findings.fill(template, external.placeholder_values(table, claim_id))
        for pattern in (IDENTIFIER, YEAR_GROUPED, FORBIDDEN):
            assert not pattern.search(filled), (claim_id, pattern.search(filled), filled)
    assert found["finding"].to_dict() == {  # the run wrote exactly the filled sentences
        c: findings.fill(summaries.loc[c, "sentence"], external.placeholder_values(table, c))
        for c in found.index
    }


def test_every_external_file_is_read_by_a_notebook():
    loaded = set()
    for notebook in paths.NOTEBOOKS.glob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                text = "".join(cell["source"])
                loaded |= set(re.findall(r"data\.load\(\s*\"([\w/]+)\",\s*\"external\"", text))
    files = {p.relative_to(paths.EXTERNAL).with_suffix("").as_posix()
             for p in paths.EXTERNAL.rglob("*.csv")}  # fmt: skip
    assert files - loaded == set(), "external files no notebook loads"
