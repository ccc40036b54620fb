"""The verdict rules and the Audit collector."""

import pandas as pd
import pytest

from helpers import claims
from helpers.claims import APPROXIMATE, CONSISTENT, INCONSISTENT, NOT_CHECKABLE, judge


@pytest.mark.parametrize(
    ("stated", "comparator", "value", "tol", "expected"),
    [
        ("1407", "eq", 1407, 0.05, CONSISTENT),
        ("1407", "eq", 1374, 0.0, INCONSISTENT),
        ("1407", "eq", 1374, 0.05, APPROXIMATE),  # 2.3 % off
        ("80.7", "eq", 2533 / 3140 * 100, 0.0, CONSISTENT),  # 80.67 rounds to 80.7
        ("0.47", "approx", 3.14 / 668.9 * 100, 0.0, CONSISTENT),
        ("0.25", "approx", 930 / 3296, 0.05, INCONSISTENT),
        ("0.25", "approx", 930 / 3296, 0.15, APPROXIMATE),
        ("0.5", "eq", 0.45, 0.0, CONSISTENT),  # rounds half-up to 0.5 at one decimal
        ("2", "almost", 1.95, 0.05, CONSISTENT),
        ("2", "almost", 2.05, 0.05, APPROXIMATE),
        ("2", "almost", 1.5, 0.05, INCONSISTENT),
        ("70", "gt", 75.8, 0.0, CONSISTENT),
        ("70", "gt", 68.0, 0.05, APPROXIMATE),
        ("70", "gt", 60.0, 0.05, INCONSISTENT),
        ("40", "lt", 33, 0.0, CONSISTENT),
        ("40", "lt", 41, 0.05, APPROXIMATE),
        ("0", "ge", -40, 0.5, INCONSISTENT),  # zero target: the gap is absolute
        ("0", "ge", 0, 0.0, CONSISTENT),
        ("47", "le", 59, 0.1, INCONSISTENT),
        ("12", "eq", None, 0.05, NOT_CHECKABLE),
        ("12", "eq", float("nan"), 0.05, NOT_CHECKABLE),
    ],
)
def test_judge(stated, comparator, value, tol, expected):
    assert judge(stated, comparator, value, tol) == expected


def test_decimals_and_rounding():
    assert claims.decimals("80.7") == 1
    assert claims.decimals("1407") == 0
    assert str(claims.round_half_up(2.675, 2)) == "2.68"  # binary float 2.67499... still half-up
    assert claims.shown(1374.0) == "1374"
    assert claims.shown(0.2821601941747573) == "0.2822"
    assert claims.shown(None) == ""


def _ledger(*ids):
    return pd.DataFrame(
        {
            "claim_id": list(ids),
            "notebook": ["nb"] * len(ids),
            "stated_value": ["10"] * len(ids),
            "comparator": ["eq"] * len(ids),
            "reading": ["r"] * len(ids),
        }
    )


def test_audit_requires_every_claim(tmp_path):
    audit = claims.Audit("nb", tolerance=0.05, claims=_ledger("C01-a", "C01-b"))
    audit.check("C01-a", 10)
    with pytest.raises(KeyError, match="C01-b"):
        audit.table()
    audit.not_checkable("C01-b", "not in the text")
    table = audit.table()
    assert list(table["verdict"]) == [CONSISTENT, NOT_CHECKABLE]
    target = audit.save(tmp_path)
    assert target.read_text().splitlines()[0] == ",".join(claims.VERDICT_COLUMNS)


def test_audit_rejects_unknown_duplicate_and_reasonless():
    audit = claims.Audit("nb", tolerance=0.05, claims=_ledger("C01-a"))
    with pytest.raises(KeyError, match="not a nb row"):
        audit.check("C01-zzz", 1)
    audit.check("C01-a", 9)
    with pytest.raises(KeyError, match="twice"):
        audit.check("C01-a", 9)
    other = claims.Audit("nb", tolerance=0.05, claims=_ledger("C01-a"))
    with pytest.raises(ValueError, match="reason"):
        other.not_checkable("C01-a", "")
    with pytest.raises(ValueError, match="not_checkable"):
        other.check("C01-a", None)


def test_ledger_is_valid_and_quotes_are_short():
    ledger = claims.load_claims()
    assert ledger["claim_id"].is_unique
    assert (ledger["quote"].str.len() <= 200).all()
    assert set(ledger["comparator"]) <= set(claims.COMPARATORS)


def test_every_ledger_row_has_a_computed_verdict():
    """The committed verdicts cover the ledger one to one, with allowed verdicts only."""
    combined = pd.read_csv(
        claims.paths.DERIVED / "claim_verdicts.csv", dtype=str, keep_default_na=False
    )
    ledger = claims.load_claims()
    assert sorted(combined["claim_id"]) == sorted(ledger["claim_id"])
    assert set(combined["verdict"]) <= set(claims.VERDICTS)
    checkable = combined["verdict"] != NOT_CHECKABLE
    assert (combined.loc[checkable, "recomputed"] != "").all()
    assert (combined.loc[~checkable, "note"] != "").all()
