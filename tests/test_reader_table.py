"""Verdict tables for people: the article's words first, the claim id only as the link."""

from __future__ import annotations

import pandas as pd
from bs4 import BeautifulSoup

from helpers import claims

LEDGER = pd.DataFrame(
    {
        "claim_id": ["C09-count", "C09-year"],
        "quote": [
            "as many as 1407 <script>alert(1)</script> affiliations " + "word " * 30,
            "in 1989",
        ],
        "unit": ["affiliations", "calendar year"],
    }
)


def test_the_quote_leads_and_links_to_its_claim():
    frame = pd.DataFrame(
        {
            "claim_id": ["C09-count", "C09-year", "C09-gone"],
            "verdict": ["inconsistent", "consistent", "not verifiable"],
            "stated": ["1407", "1989", ""],
            "recomputed": ["1406.5", "1989", ""],
        }
    )
    table = claims.reader_table(frame, LEDGER, quote_chars=60)
    page = BeautifulSoup(table._repr_html_(), "html.parser")
    assert [th.get_text() for th in page.find_all("th")] == [
        claims.QUOTE_HEADER,
        "verdict",
        "stated",
        "recomputed",
    ]
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in page.tbody.find_all("tr")]
    assert rows[0][1:] == ["inconsistent", "1,407 affiliations", "1,406.5 affiliations"]
    assert rows[1][1:] == ["consistent", "1989", "1989"]  # a year is not 1,989 calendar year
    assert rows[2][2:] == ["–", "–"]
    # shortened at a word, escaped: the ledger's text is text
    assert rows[0][0].endswith("…") and len(rows[0][0]) <= 60 and not page.find("script")
    assert [a["href"] for a in page.find_all("a")] == ["#claim-C09-count", "#claim-C09-year"]
    assert "C09-" not in page.get_text() and "C09-" not in repr(table)  # never a visible id
