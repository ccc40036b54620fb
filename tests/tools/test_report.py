"""The referee's report: printed from copies of the audit's files and a made-up findings file
(notebook 00 writes the real one), at most four pages, every string from a file escaped."""

import shutil

import pandas as pd
import pytest

from helpers import paths
from tools import report

HOSTILE = "<script>alert('x')</script> & <b>bold</b>"


def findings_fixture(claims: pd.DataFrame) -> pd.DataFrame:
    """A findings file in the shared format, as long as the real one can be: one finding per
    inconsistent claim and per external record that differs, each sentence two lines long."""
    external = pd.read_csv(paths.DERIVED / "external_findings.csv", dtype=str)
    ledger = claims[claims["verdict"] == "inconsistent"]
    rows = [
        ("ledger", r.claim, r.section, r.quote, "inconsistent") for r in ledger.itertuples()
    ] + [
        ("external", c, "Note 6", "a figure the article states", "differs")
        for c in external.loc[external["verdict"] == "differs", "claim_id"]
    ]
    sentence = (
        "The article states a figure that its own table does not give: the cells add up to "
        "1,374, not the 1,407 printed, which is the previous column's total in Table 2."
    )
    frame = pd.DataFrame(
        [
            {
                "claim": claim,
                "check": check,
                "kind": "arithmetic",
                "materiality": "argument" if i % 3 == 0 else "detail",
                "verdict": verdict,
                "section": section,
                "quote": quote,
                "sentence": HOSTILE if i == 0 else sentence,
            }
            for i, (check, claim, section, quote, verdict) in enumerate(rows)
        ]
    )
    frame = frame.sort_values("materiality", kind="stable", ignore_index=True)  # argument first
    return frame.assign(rank=range(1, len(frame) + 1))


@pytest.fixture
def derived(tmp_path):
    """Copies of the files the report reads, and the made-up findings file beside them."""
    folder = tmp_path / "derived"
    folder.mkdir()
    for name in ("claim_summary.csv", "claim_verdicts.csv", "sensitivity.csv"):
        shutil.copy(paths.DERIVED / name, folder / name)
    claims = pd.read_csv(folder / "claim_summary.csv", dtype=str, keep_default_na=False)
    findings_fixture(claims).to_csv(folder / "findings.csv", index=False)
    return folder


def test_report_prints_at_most_four_pages(derived, tmp_path, browser):
    target = report.write(tmp_path / "out" / "report.pdf", derived=derived, browser=browser)
    assert 1 <= report.pages(target) <= report.MAX_PAGES
    page = target.with_suffix(".html").read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)" in page
    claims = pd.read_csv(derived / "claim_summary.csv", dtype=str)
    missing = (claims["verdict"] == "not checkable").sum()
    assert f"{missing} of the {len(claims)} claims cannot be checked" in page


def test_page_says_each_part_from_its_file(derived):
    page = report.page(derived)
    findings = pd.read_csv(derived / "findings.csv", dtype=str)
    argument = (findings["materiality"] == "argument").sum()
    assert f"argument ({argument})</h3>" in page
    for heading in ("Summary", "Findings, ranked", "What could not be reproduced", "Robustness"):
        assert f"<h2>{heading}" in page
    claims = pd.read_csv(derived / "claim_summary.csv", dtype=str, keep_default_na=False)
    other = (claims["verdict"] == "inconsistent") & (claims["holds_under"] != "")
    assert f"{other.sum()} that fail would hold" in page  # robustness to the readings
    assert "<strong>What was reproduced.</strong>" in page  # the README's statement, rendered
    findings.loc[1, "materiality"] = "major"
    findings.to_csv(derived / "findings.csv", index=False)
    with pytest.raises(report.ReportError, match="findings.csv, row 3: materiality 'major'"):
        report.page(derived)
    (derived / "findings.csv").unlink()
    with pytest.raises(report.ReportError, match="findings.csv is missing .notebook 00"):
        report.page(derived)


def test_reasons_are_grouped_by_the_first_that_fits():
    assert report.reason_of("no annual series; Figure 1 is printed without data") == (
        "Figure 1 is printed without its data"
    )
    assert report.reason_of("a 2000 survey of CLAIR").startswith("The surveys")
    assert report.reason_of("stated once; notebook 05 compares it").endswith("public records")
    assert report.reason_of("no other date in the text").startswith("Stated once:")


def test_without_chromium_the_command_says_so_in_one_sentence(monkeypatch, tmp_path, capsys):
    from tools import browser

    monkeypatch.setattr(browser, "CHROMIUM", tmp_path / "no-chromium")
    assert report.main(["--out", str(tmp_path / "report.pdf")]) == 1
    said = capsys.readouterr().err.strip()
    assert said.count("\n") == 0 and "apt-get install -y chromium" in said
    assert not (tmp_path / "report.pdf").exists()
