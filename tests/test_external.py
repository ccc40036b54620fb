"""The external verdict rule, the anchor parsers, and the committed external_checks.csv."""

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
    assert external.printed_step(stated) == Decimal(step)


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
    checks.check("C04-x-1985", 850612, "MOJ", "official")
    checks.check("C04-x-2000", 1686444, "MOJ", "official")
    checks.check("C01-x-total", 104_300e6, "ERINA", "secondary")
    checks.check("C02-not-yet", 366649, "JNTO", "secondary", unit="persons")
    checks.not_verifiable("C04-none", "none found", "no public record")
    with pytest.raises(KeyError, match="twice"):
        checks.check("C04-x-1985", 850612, "MOJ", "official")
    with pytest.raises(ValueError, match="not_verifiable"):
        checks.check("C01-x-share", None, "x", "y")
    table = checks.table().set_index("claim_id")
    assert list(checks.table().columns) == external.COLUMNS
    assert table.loc["C04-x-1985", "verdict"] == external.DIFFERS
    assert table.loc["C04-x-1985", "difference"] == "9612"
    assert "+1.1%" in table.loc["C04-x-1985", "note"]
    assert table.loc["C04-x-2000", "verdict"] == external.CONFIRMED
    assert table.loc["C04-x-2000", "external_value"] == "1.6864"
    assert table.loc["C01-x-total", "verdict"] == external.CONFIRMED  # 0.1% off, within 1%
    assert "within tolerance" in table.loc["C01-x-total", "note"]
    assert table.loc["C02-not-yet", "verdict"] == external.NOT_VERIFIABLE
    assert table.loc["C02-not-yet", "note"].startswith(external.NOT_IN_LEDGER)
    assert table.loc["C04-none", "note"].startswith(external.NOT_IN_LEDGER)


def test_save_writes_csv_the_package_describes(tmp_path):
    checks = external.CrossChecks(0.01, ledger=LEDGER)
    checks.check("C04-x-1985", 850612, "MOJ", "official")
    target = checks.save(tmp_path)
    assert target == tmp_path / "external_checks.csv"
    frame, _ = data.validate(target, data.resource("external_checks"))
    assert list(frame.columns) == external.COLUMNS


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
