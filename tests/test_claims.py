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
        ("0.25", "approx", 930 / 3296, 0.0, INCONSISTENT),  # 12.9 % off: beyond the hedge band
        ("0.25", "approx", 930 / 3296, 0.05, APPROXIMATE),  # within band + tolerance
        ("0.25", "approx", 0.27, 0.0, CONSISTENT),  # 8 % off: within the hedge band
        ("0.25", "eq", 0.27, 0.0, INCONSISTENT),  # the same value, worded exactly: fails
        ("0.5", "eq", 0.45, 0.0, CONSISTENT),  # rounds half-up to 0.5 at one decimal
        ("2", "almost", 1.95, 0.05, CONSISTENT),
        ("2", "almost", 1.85, 0.0, CONSISTENT),  # within the 10 % hedge band below
        ("2", "almost", 2.05, 0.05, APPROXIMATE),
        ("2", "almost", 1.5, 0.05, INCONSISTENT),
        ("70", "gt", 75.8, 0.0, CONSISTENT),
        ("70", "gt", 67.3, 0.5, INCONSISTENT),  # strict words hold or fail: no band
        ("70", "gt", 70, 0.5, INCONSISTENT),  # "over" is strict
        ("40", "lt", 33, 0.0, CONSISTENT),
        ("40", "lt", 41, 0.5, INCONSISTENT),
        ("0", "ge", -40, 0.5, INCONSISTENT),
        ("0", "ge", 0, 0.0, CONSISTENT),
        ("47", "le", 59, 0.1, INCONSISTENT),
        ("841000", "eq", 840600, 0.0, CONSISTENT),  # rounded thousands
        ("1970", "eq", 1975, 0.0, INCONSISTENT),  # a decade label is exact
        ("12", "eq", None, 0.05, NOT_CHECKABLE),
        ("12", "eq", float("nan"), 0.05, NOT_CHECKABLE),
    ],
)
def test_judge(stated, comparator, value, tol, expected):
    assert judge(stated, comparator, value, tol) == expected


def test_hedge_band_is_a_parameter():
    assert claims.HEDGE_BAND == 0.10
    assert judge("0.25", "approx", 0.27, 0.0, hedge_band=0.05) == INCONSISTENT
    assert judge("0.25", "approx", 930 / 3296, 0.0, hedge_band=0.15) == CONSISTENT
    with pytest.raises(ValueError, match="comparator"):
        judge("1", "about", 1, 0.0)


@pytest.mark.parametrize(
    ("stated", "step", "half"),
    [
        ("80.7", "0.1", 0.05),
        ("17.82", "0.01", 0.005),
        ("1407", "1", 0.5),
        ("1970", "1", 0.5),  # years and decades are exact labels
        ("80", "1", 0.5),
        ("841000", "1E+3", 500.0),
        ("1300000", "1E+5", 50000.0),
        ("0", "1", 0.5),
    ],
)
def test_printed_precision_is_one_rule(stated, step, half):
    assert claims.printed_step(stated) == claims.Decimal(step)
    assert float(claims.printed_step(stated)) / 2 == half
    assert claims.equal_at_precision(stated, float(stated) + 0.99 * half)
    assert not claims.equal_at_precision(stated, float(stated) + 1.01 * half)


def test_rounding_and_shown():
    assert claims.equal_at_precision("2.68", 2.675)  # binary float 2.67499... still half-up
    assert claims.shown(1374.0) == "1374"
    assert claims.shown(0.2821601941747573) == "0.2822"
    assert claims.shown(None) == ""


def _ledger(*ids, claim=None):
    return pd.DataFrame(
        {
            "claim_id": list(ids),
            "claim": claim or list(ids),
            "primary": [True] * len(ids),
            "notebook": ["nb"] * len(ids),
            "quote": [f"the words of {i}" for i in ids],
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


def test_stated_reads_the_ledger_as_a_number():
    ledger = _ledger("C01-a")
    ledger = pd.concat([ledger, _ledger("C02-b").assign(notebook="other", stated_value="1,2")])
    audit = claims.Audit("nb", tolerance=0.05, claims=ledger.reset_index(drop=True))
    assert audit.stated("C01-a") == float(ledger["stated_value"].iloc[0])
    with pytest.raises(ValueError):
        audit.stated("C02-b")  # a stated value that is not a number is refused, not guessed
    with pytest.raises(KeyError, match="C01-zzz"):
        audit.stated("C01-zzz")


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


def test_refer_reports_one_identity_once():
    audit = claims.Audit("nb", tolerance=0.0, claims=_ledger("C01-a", "C01-b", claim=["C01-x"] * 2))
    with pytest.raises(KeyError, match="before"):
        audit.refer("C01-b", "C01-a")
    audit.check("C01-a", 9)
    audit.refer("C01-b", "C01-a")
    table = audit.table().set_index("claim_id")
    assert table.loc["C01-b", "verdict"] == table.loc["C01-a", "verdict"] == INCONSISTENT
    assert '"the words of C01-a"' in table.loc["C01-b", "note"]  # named by its quote
    other = claims.Audit("nb", tolerance=0.0, claims=_ledger("C01-a", "C01-b"))
    other.check("C01-a", 10)
    with pytest.raises(KeyError, match="same claim"):
        other.refer("C01-b", "C01-a")


def _readings(verdicts, primary):
    n = len(verdicts)
    return pd.DataFrame(
        {
            "claim_id": [f"C02-r{i}" for i in range(n)],
            "claim": ["C02-c"] * n,
            "primary": primary,
            "section": ["S"] * n,
            "notebook": ["02_x"] * n,
            "quote": ["q"] * n,
            "stated_value": ["70"] * n,
            "unit": ["percent"] * n,
            "comparator": ["gt"] * n,
            "check": ["share"] * n,
            "note": ["n"] * n,
            "recomputed": ["52", "77", "58"][:n],
            "verdict": verdicts,
        }
    )


def _written(verdict):
    sentence = "Not over {stated} percent: {recomputed} percent, {C02-r1} under another reading."
    return pd.DataFrame(
        {"claim": ["C02-c"], "check": ["ledger"], "sentence": [sentence], "verdict": [verdict]}
    )


def test_a_claims_verdict_is_its_primary_readings_verdict():
    readings = _readings([INCONSISTENT, CONSISTENT, INCONSISTENT], [True, False, False])
    row = claims.claim_summary(readings, _written(INCONSISTENT)).iloc[0]
    assert row["verdict"] == INCONSISTENT  # two of three fail, one holds: no vote, no average
    assert row["primary_reading"] == "C02-r0"
    assert row["holds_under"] == "C02-r1"
    assert row["fails_under"] == "C02-r2"
    assert row["summary"] == "Not over 70 percent: 52 percent, 77 under another reading."
    flipped = _readings([CONSISTENT, INCONSISTENT, INCONSISTENT], [True, False, False])
    assert claims.claim_summary(flipped, _written(CONSISTENT)).iloc[0]["verdict"] == CONSISTENT
    assert list(claims.claim_summary(readings, _written(INCONSISTENT)).columns) == (
        claims.CLAIM_COLUMNS
    )


@pytest.mark.parametrize("primary", [[False, False, False], [True, True, False]])
def test_a_claim_needs_exactly_one_primary(primary):
    with pytest.raises(claims.data.DataError, match="exactly one primary"):
        claims.claim_verdicts(_readings([CONSISTENT] * 3, primary))


def test_committed_claim_summary_follows_the_primary_readings():
    derived = claims.paths.DERIVED
    summary = pd.read_csv(derived / "claim_summary.csv", dtype=str, keep_default_na=False)
    verdicts = pd.read_csv(derived / "claim_verdicts.csv", dtype=str, keep_default_na=False)
    ledger = claims.load_claims()
    assert list(summary.columns) == claims.CLAIM_COLUMNS
    assert sorted(summary["claim"]) == sorted(ledger["claim"].unique())
    primary = ledger[ledger["primary"].astype(str).str.lower() == "true"]
    expected = primary.merge(verdicts, on="claim_id").set_index("claim")["verdict"]
    assert (summary.set_index("claim")["verdict"] == expected.reindex(summary["claim"])).all()
    named = primary.set_index("claim")["claim_id"].reindex(summary["claim"])
    assert (summary["primary_reading"].to_numpy() == named.to_numpy()).all(), (
        "reading of another claim"
    )
    assert (summary["summary"] != "").all()


def test_readings_of_one_claim_are_justified():
    ledger = claims.load_claims()
    shared = ledger[ledger["claim"].duplicated(keep=False)]
    is_primary = shared["primary"].astype(str).str.lower() == "true"
    assert shared.loc[is_primary, "reading"].str.startswith("Primary").all()
    assert shared.loc[~is_primary, "reading"].str.startswith("Alternative").all()


def test_readings_no_careful_reader_takes_are_gone():
    ids = set(claims.load_claims()["claim_id"])
    for gone in [
        "C02-us-over-70-mean-stock-1960-1965",
        "C04-committee-twelve-all-listed",
        "C02-late-1990s-average-less-than-half-1990-1995-average",
    ]:
        assert gone not in ids


def test_constants_written_for_the_purpose_are_not_checks():
    verdicts = pd.read_csv(
        claims.paths.DERIVED / "claim_verdicts.csv", dtype=str, keep_default_na=False
    ).set_index("claim_id")["verdict"]
    for claim_id in [
        "C04-offices-decade-1987",  # 1997 - 10
        "C01-directive-1989",  # 1989 <= 2001
        "C02-clair-created-1988",  # 2001 >= 1988
        "C02-nagasaki-ten-years-after-war",  # 1955 - 1945
        "C01-note1-rename-2001",
    ]:
        assert verdicts[claim_id] == NOT_CHECKABLE


def test_notebooks_do_not_retype_stated_values():
    """A section notebook reads the article's numbers from data/, never binds them to literals
    (solution cells, which play with hypotheticals, excepted)."""
    import json
    import re

    stated = {float(v) for v in claims.load_claims()["stated_value"]} - {0.0}
    binding = re.compile(
        r"^\s*[A-Za-z_][A-Za-z_0-9]*\s*=\s*(-?[0-9][0-9_]*(?:\.[0-9]+)?)\s*(#.*)?$"
    )
    found = []
    for path in sorted(claims.paths.NOTEBOOKS.glob("0[1-4]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code" or "solution" in cell["metadata"].get("tags", []):
                continue
            for line in "".join(cell["source"]).splitlines():
                if (m := binding.match(line)) and float(m.group(1)) in stated:
                    found.append(f"{path.name}: {line.strip()}")
    assert not found, found


def test_citations_resolve_in_full_or_shortened_never_misspelt():
    bib = pd.DataFrame(
        {
            "entry_id": ["a-2001", "b-1998", "c-1995", "d-2001"],
            "year": [2001, 1998, 1995, 2001],
            "cite_name": [
                "Council for Relations",
                "Toyo Shimpou-sha",
                "Gerrit et al.",
                "Shimane Kigyo Study Group",
            ],
        }
    )
    cits = pd.DataFrame(
        {
            "citation_id": ["x", "y", "z", "w", "s"],
            "section": ["S"] * 5,
            "cited_as": [
                "Council for Relations",
                "Council for Exchange",
                "Toyo Shimpo-sha",
                "Nobody",
                "Shimane Kigyo",
            ],
            "cited_year": [2001, 2001, 1998, 2001, 2001],
        }
    )
    resolved = claims.resolve_citations(cits, bib).set_index("citation_id")
    assert list(resolved["status"]) == ["resolves", "variant", "variant", "no entry", "shortened"]
    assert list(resolved["named_entries"]) == [1, 0, 0, 0, 1]  # a shortened body name names it
    assert list(resolved["exact_matches"]) == [1, 0, 0, 0, 0]
    assert resolved.loc["z", "entry_name"] == "Toyo Shimpou-sha"
    assert list(claims.uncited_entries(resolved.reset_index(), bib)["entry_id"]) == ["c-1995"]


def test_a_body_named_two_ways_is_a_finding():
    names = pd.DataFrame(
        {
            "body": ["clair", "clair", "jet", "jet", "one"],
            "name": ["Relations", "Exchange", "Education", "Exchange T", "Same"],
            "source": ["article", "article", "article", "official site", "article"],
        }
    )
    found = claims.name_variants(names).set_index("body")
    assert list(found.index) == ["clair", "jet"]
    assert found.loc["clair", "article_names"] == "Relations | Exchange"
    assert found.loc["jet", "official_name"] == "Exchange T"


def test_section_notebooks_expose_the_hedge_band():
    """Each section notebook declares ``hedge_band`` as a papermill parameter, defaulting to
    claims.HEDGE_BAND, and hands it to its Audit."""
    import json

    for path in sorted(claims.paths.NOTEBOOKS.glob("0[1-4]_*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        params = next(c for c in cells if "parameters" in c["metadata"].get("tags", []))
        assert f"hedge_band: float = {claims.HEDGE_BAND}" in "".join(params["source"]), path.name
        code = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert "hedge_band=hedge_band" in code, path.name
