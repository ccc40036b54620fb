"""The external verdict rule, the anchor parsers, and the committed external_checks.csv."""

import json
import re
from decimal import Decimal

import pandas as pd
import pytest

from helpers import claims, data, external, paths


def _ledger(rows):
    columns = ["claim_id", "stated_value", "unit", "comparator"]
    return pd.DataFrame(rows, columns=columns)


LEDGER = _ledger(
    [
        ("C04-x-1985", "841000", "persons", "eq"),
        ("C04-x-2000", "1.7", "million persons", "approx"),
        ("C01-x-total", "104.4", "billion yen", "approx"),
        ("C01-x-share", "0.25", "share of local governments", "approx"),
        ("C01-x-almost", "2", "ratio", "almost"),
    ]
)


@pytest.mark.parametrize(
    ("stated", "step"),
    [("17.82", "0.01"), ("841000", "1000"), ("1300000", "100000"), ("6078", "1"), ("0", "1")],
)
def test_printed_step(stated, step):
    assert claims.printed_step(stated) == Decimal(step)


@pytest.mark.parametrize(
    ("stated", "value", "tolerance", "verdict"),
    [
        ("841000", 850612, 0.01, external.DIFFERS),  # 851,000 at printed precision; 1.1% off
        ("841000", 850612, 0.05, external.CONFIRMED),  # within 5 percent
        ("780000", 780298, 0.0, external.CONFIRMED),
        ("780000", 811672, 0.0, external.DIFFERS),
        ("635000", 635269, 0.0, external.CONFIRMED),
        ("336000", 335575, 0.0, external.CONFIRMED),  # rounds half up to 336,000
        ("6078", 6077, 0.0, external.DIFFERS),
        ("17.82", 17.815, 0.0, external.CONFIRMED),
        ("17.82", 17.814, 0.0, external.DIFFERS),
    ],
)
def test_judge_eq(stated, value, tolerance, verdict):
    assert external.judge(stated, "eq", value, tolerance)[0] == verdict


def test_judge_reports_difference_and_comparisons():
    verdict, difference, relative = external.judge("841000", "eq", 850612, 0.0)
    assert (verdict, difference) == (external.DIFFERS, 9612.0)
    assert relative == pytest.approx(9612 / 841000)
    assert external.judge("2", "almost", 1.95, 0.05)[0] == external.CONFIRMED
    assert external.judge("2", "almost", 2.1, 0.05)[0] == external.DIFFERS
    assert external.judge("2", "almost", None, 0.05)[0] == external.NOT_VERIFIABLE


def test_unit_scale():
    assert external.unit_scale("billion yen") == 1e9
    assert external.unit_scale("million persons") == 1e6
    assert external.unit_scale("share of local governments") == 1.0
    assert external.unit_scale("millionaires") == 1.0


def test_cross_checks_use_ledger_and_mark_missing_claims():
    checks = external.CrossChecks(0.01, ledger=LEDGER)
    checks.check("C04-x-1985", 850612, "MOJ", external.PRIMARY, "registered foreigners")
    checks.check("C04-x-2000", 1686444, "MOJ", external.PRIMARY, "registered foreigners")
    checks.check("C01-x-total", 104_300e6, "ERINA", external.SAME_SOURCE, "survey total")
    checks.check("C02-not-yet", 366649, "JNTO", external.SECONDARY, "arrivals", unit="persons")
    checks.not_verifiable("C04-none", "none found", "no public record")
    with pytest.raises(KeyError, match="twice"):
        checks.check("C04-x-1985", 850612, "MOJ", external.PRIMARY, "registered foreigners")
    with pytest.raises(ValueError, match="not_verifiable"):
        checks.check("C01-x-share", None, "x", external.PRIMARY, "y")
    with pytest.raises(ValueError, match="source quality"):
        checks.check("C01-x-share", 0.28, "x", "official", "y")
    table = checks.table().set_index("claim_id")
    assert list(checks.table().columns) == external.COLUMNS
    assert table.loc["C04-x-1985", "verdict"] == external.DIFFERS
    assert table.loc["C04-x-1985", "difference"] == "9612"
    assert "+1.1%" in table.loc["C04-x-1985", "note"]
    assert table.loc["C04-x-2000", "verdict"] == external.CONFIRMED
    assert table.loc["C04-x-2000", "external_value"] == "1.6864"
    assert table.loc["C01-x-total", "verdict"] == external.CONFIRMED  # 0.1% off, hedged
    assert table.loc["C01-x-total", "source_quality"] == external.SAME_SOURCE
    assert "within" in table.loc["C01-x-total", "note"]
    assert table.loc["C02-not-yet", "verdict"] == external.NOT_VERIFIABLE
    assert table.loc["C02-not-yet", "note"].startswith(external.NOT_IN_LEDGER)
    assert table.loc["C04-none", "note"].startswith(external.NOT_IN_LEDGER)


def test_hedge_band_widens_only_hedged_claims():
    band = claims.HEDGE_BAND
    assert 0 < band < 0.5
    off = 1 + band * 0.9  # outside a 1% tolerance, inside the hedge band
    assert external.judge("100", "approx", 100 * off, 0.01)[0] == external.CONFIRMED
    assert external.judge("101", "eq", 101 * off, 0.01)[0] == external.DIFFERS
    # strict comparators have no band at all: "over 100" fails at 99.9
    assert external.judge("100", "gt", 99.9, 0.5)[0] == external.DIFFERS


def test_exact_comparison_of_dates_and_counts():
    # the printed-precision rule would read "2000" as rounded to the thousand
    assert external.judge("2000", "eq", 2001, 0.0)[0] == external.CONFIRMED
    assert external.judge("2000", "eq", 2001, 0.0, exact=True)[0] == external.DIFFERS
    assert external.judge("12", "eq", 12, 0.5, exact=True)[0] == external.CONFIRMED
    assert external.judge("12", "eq", 11, 0.5, exact=True)[0] == external.DIFFERS
    assert external.judge("1988", "ge", 1987, 0.5, exact=True)[0] == external.DIFFERS


def test_different_measure_neither_confirms_nor_differs():
    checks = external.CrossChecks(0.01, ledger=LEDGER)
    far = checks.check(
        "C04-x-1985", 1_000_000, "JNTO", external.SECONDARY, "arrivals", same_measure=False
    )
    near = checks.check(
        "C04-x-2000", 1.7e6, "nationals", external.PRIMARY, "nationality", same_measure=False
    )
    assert far["verdict"] == near["verdict"] == external.DIFFERENT_MEASURE
    assert "would be 'differs'" in far["note"] and "would be 'confirmed'" in near["note"]
    assert far["difference"] == pytest.approx(159000)


def test_check_printed_judges_a_derived_value_against_a_printed_figure():
    checks = external.CrossChecks(0.01, ledger=LEDGER)
    good = checks.check_printed(
        "C04-x-1985", 1300.4, "1304", "report", external.SECONDARY, "total on 1998-04-01"
    )
    bad = checks.check_printed(
        "C04-x-2000", 1263.0, "1304", "report", external.SECONDARY, "total on 1998-04-01"
    )
    assert good["verdict"] == external.CONFIRMED and bad["verdict"] == external.DIFFERS
    assert bad["external_value"] == 1304 and bad["difference"] == pytest.approx(41)
    missing = checks.check_printed("C09-none", 1.0, "1", "report", external.SECONDARY, "x")
    assert missing["verdict"] == external.NOT_VERIFIABLE


def test_claim_level_order_and_same_source_is_not_independent():
    rows = pd.DataFrame(
        [
            ("A", "s1", external.SAME_SOURCE, external.CONFIRMED),
            ("A", "s2", external.SECONDARY, external.DIFFERS),
            ("B", "s1", external.SAME_SOURCE, external.CONFIRMED),
            ("B", "s2", external.SECONDARY, external.DIFFERENT_MEASURE),
            ("C", "s1", external.SECONDARY, external.DIFFERENT_MEASURE),
            ("C", "s2", "", external.NOT_VERIFIABLE),
            ("D", "s1", external.SECONDARY, external.DIFFERS),
            ("D", "s2", external.PRIMARY, external.CONFIRMED),
        ],
        columns=["claim_id", "source", "source_quality", "verdict"],
    )
    best = external.claim_level(rows).set_index("claim_id")
    assert best["verdict"].to_dict() == {
        "A": external.DIFFERS,
        "B": external.CONFIRMED,
        "C": external.DIFFERENT_MEASURE,
        "D": external.CONFIRMED,
    }
    assert best["independent"].to_dict() == {"A": False, "B": False, "C": False, "D": True}
    old = rows.drop(columns="source_quality")  # an older release: every row independent
    assert external.claim_level(old).set_index("claim_id").loc["B", "independent"]


def test_findings_compare_with_the_previous_release():
    checks = external.CrossChecks(0.01, ledger=LEDGER)
    checks.check("C04-x-1985", 850612, "MOJ", external.PRIMARY, "registered foreigners")
    checks.check("C01-x-total", 104_300e6, "ERINA", external.SAME_SOURCE, "survey total")
    previous = pd.DataFrame(
        [("C04-x-1985", "MOJ", external.DIFFERS, ""), ("C01-x-total", "E", "confirmed", "")],
        columns=["claim_id", "source", "verdict", "note"],
    )
    found = checks.findings(previous).set_index("claim_id")
    assert list(checks.findings(previous).columns) == external.FINDING_COLUMNS
    assert not found.loc["C04-x-1985", "changed"]
    assert found.loc["C01-x-total", "verdict"] == external.CONFIRMED
    assert not found.loc["C01-x-total", "independent"]
    assert "not independent" in found.loc["C01-x-total", "finding"]
    assert checks.findings().set_index("claim_id").loc["C04-x-1985", "previous_verdict"] == (
        external.NOT_CHECKED
    )


def test_save_writes_csv_the_package_describes(tmp_path):
    checks = external.CrossChecks(0.01, ledger=LEDGER)
    checks.check("C04-x-1985", 850612, "MOJ", external.PRIMARY, "registered foreigners")
    checks.check("C04-x-2000", 1.7e6, "n", external.PRIMARY, "nationality", same_measure=False)
    checks.not_verifiable("C01-x-almost", "none found", "no public record")
    target = checks.save(tmp_path)
    assert target == tmp_path / "external_checks.csv"
    frame, _ = data.validate(target, data.resource("external_checks"))
    assert list(frame.columns) == external.COLUMNS
    findings, _ = data.validate(
        tmp_path / "external_findings.csv", data.resource("external_findings")
    )
    assert list(findings.columns) == external.FINDING_COLUMNS
    assert len(findings) == 3


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
        (
            "approx. 1/5 of FY1995 (~24,000, derived)",
            {"low": 24000.0, "high": 24000.0, "kind": "approximate"},
        ),
    ],
)
def test_parse_amount(text, expected):
    assert external.parse_amount(text) == expected


def test_parse_fiscal_years_and_bad_input():
    assert external.parse_fiscal_years("FY1993-FY2001") == (1993, 2001)
    assert external.parse_fiscal_years("c.FY1998-99") == (1998, 1999)
    assert external.parse_fiscal_years("FY2000 (reported 2001)") == (2000, 2000)
    with pytest.raises(ValueError):
        external.parse_fiscal_years("1998")
    with pytest.raises(ValueError):
        external.parse_amount("about half")


# --- the committed output of notebook 05 ---

COMMITTED = paths.DERIVED / "external_checks.csv"


@pytest.mark.skipif(not COMMITTED.exists(), reason="notebook 05 has not been run")
def test_committed_external_checks():
    frame, _ = data.validate(COMMITTED)
    assert list(frame.columns) == external.COLUMNS
    assert set(frame["verdict"]) <= set(external.VERDICTS)
    assert set(frame["source_quality"].dropna()) <= set(external.QUALITIES)
    assert list(frame["claim_id"]) == sorted(frame["claim_id"])
    ledger = set(claims.load_claims()["claim_id"])
    for _, row in frame.iterrows():
        if row["claim_id"] not in ledger:
            assert row["verdict"] == external.NOT_VERIFIABLE, row["claim_id"]
            assert row["note"].startswith(external.NOT_IN_LEDGER), row["claim_id"]
        if row["verdict"] == external.NOT_VERIFIABLE:
            assert pd.isna(row["external_value"]) and row["note"]
        else:
            assert not pd.isna(row["external_value"])
            assert row["source_quality"] and row["measures"], row["claim_id"]
    findings, _ = data.validate(paths.DERIVED / "external_findings.csv")
    assert sorted(findings["claim_id"]) == sorted(set(frame["claim_id"]))
    assert set(findings["verdict"]) <= set(external.VERDICTS)


def test_every_external_file_is_read_by_a_notebook():
    loaded = set()
    for notebook in paths.NOTEBOOKS.glob("*.ipynb"):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                text = "".join(cell["source"])
                loaded |= set(re.findall(r"data\.load\(\s*\"(\w+)\",\s*\"external\"", text))
    files = {p.stem for p in paths.EXTERNAL.glob("*.csv")}
    assert files - loaded == set(), "external files no notebook loads"
