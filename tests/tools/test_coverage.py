"""Tests for tools.coverage and tools.article: unit tests on a small fake article, then the
real one.

The real article is copyrighted and not in the repository, so the whole-article test runs
only when ARTICLE_TEXT points at a copy.
"""

import os
from pathlib import Path

import pandas as pd
import pytest

from tools.article import citation_mentions, normalise, number_mentions, quote_spans, section_of
from tools.coverage import (
    MAX_QUOTE_CHARS,
    bibliography_quotes,
    check,
    claims_path,
    load_claims,
    main,
)

# A fake article with the real one's furniture: title, table with tabs, headings, a list,
# superscript note markers, a URL, notes with a continuation paragraph, a bibliography.
FAKE = (
    "\n"
    "Fake Policies of Local Governments\n"
    "\n"
    "In fiscal year 2000 authorities spent some ¥104.4 billion, almost double the 1990s level"
    " (table 1).\n"
    "\n"
    "Table 1. Affiliations (as of April 1, 2001)\n"
    "\n"
    "\tCities\tTowns\tTotal\n"
    "Row one\t39\t1,407\t1,446\n"
    "\n"
    "A HISTORICAL PERSPECTIVE\n"
    "\n"
    "In 1955, ten cities joined.¹ The three pillars are (1) openness and (2) exchange.\n"
    "\n"
    "INTERNATIONAL ACTIVITIES AND PROGRAMS\n"
    "\n"
    "The FY1999 budget grew 17.82 percent (fig. 1), the “largest” rise.\n"
    "\n"
    "Figure 1. Spending (million yen)\n"
    "\n"
    "THE IMPACT OF GLOBALIZATION\n"
    "\n"
    "See <<http://www.example.org/2024/page42.html>> for 12 more.\n"
    "\n"
    "CHALLENGES AND OPPORTUNITIES\n"
    "\n"
    "Staff rotate every three years.\n"
    "\n"
    "Notes\n"
    "\n"
    "1. In fiscal year 1999, 47 prefectures took part.\n"
    "\n"
    "A continuation paragraph with 635,000 residents.\n"
    "\n"
    "2. See <<http://www.example.jp/3294/>>.\n"
    "\n"
    "Bibliography\n"
    "\n"
    "- Author. 1998. Title. Tokyo: Press, 20–21.\n"
)

EXPECTED_DIGITS = [
    ("2000", "Introduction"),
    ("¥104.4", "Introduction"),
    ("1990s", "Introduction"),
    ("1", "Introduction"),  # April 1
    ("2001", "Introduction"),
    ("39", "Introduction"),  # a table sits in the section it is printed in
    ("1,407", "Introduction"),
    ("1,446", "Introduction"),
    ("1955", "A Historical Perspective"),
    ("FY1999", "International Activities and Programs"),
    ("17.82", "International Activities and Programs"),
    ("12", "The Impact of Globalization"),
    ("1999", "Note 1"),
    ("47", "Note 1"),
    ("635,000", "Note 1"),  # a note's continuation paragraph stays in the note
]


def ledger(*quotes: str) -> pd.DataFrame:
    return pd.DataFrame({"claim_id": [f"C{i:02d}" for i in range(len(quotes))], "quote": quotes})


# Quotes that between them cover every digit mention of FAKE.
FULL = [
    "In fiscal year 2000 authorities spent some ¥104.4 billion, almost double the 1990s level",
    "Table 1. Affiliations (as of April 1, 2001)",
    "Row one 39 1,407 1,446",  # tabs written as single spaces
    "In 1955, ten cities joined.",
    "The FY1999 budget grew 17.82 percent",
    "for 12 more",
    "In fiscal year 1999, 47 prefectures took part.",
    "A continuation paragraph with 635,000 residents.",
]


def test_normalise_collapses_whitespace_and_straightens_quotes():
    assert normalise("\tA\tB\n\n  C \u201cx\u201d it\u2019s ") == 'A B C "x" it\'s'
    assert normalise("em\u2014dash") == "em\u2014dash"  # dashes are left alone


def test_digit_mentions_and_sections():
    found = number_mentions(FAKE)
    assert [(m.text, m.section) for m in found] == EXPECTED_DIGITS
    assert {m.kind for m in found} == {"digit"}


def test_mentions_index_the_normalised_text():
    text = normalise(FAKE)
    for m in number_mentions(FAKE, words=True):
        assert text[m.start : m.end] == m.text
        assert m.text in m.context


@pytest.mark.parametrize(
    "excluded",
    [
        "3294",  # inside a URL in a note
        "2024",  # inside a URL in the body
        "42",  # glued to a word inside a URL
        "1998",  # bibliography
        "20",  # bibliography page range
    ],
)
def test_excluded_numbers_are_not_mentions(excluded):
    assert excluded not in {m.text for m in number_mentions(FAKE)}


def test_markers_and_labels_are_not_mentions():
    text = normalise(FAKE)
    ones = [m.start for m in number_mentions(FAKE) if m.text in {"1", "2"}]
    # The only "1" left is the date April 1: not the note marker "1.", not "(1)", "(2)",
    # not "Table 1.", "(table 1)", "(fig. 1)" or "Figure 1.", and never the superscript ¹.
    assert [text[i - 6 : i + 1] for i in ones] == ["April 1"]


def test_section_of_uses_normalised_offsets():
    text = normalise(FAKE)
    assert section_of(0, FAKE) == "Introduction"
    assert section_of(text.index("Staff rotate"), FAKE) == "Challenges and Opportunities"
    assert section_of(text.index("2. See"), FAKE) == "Note 2"
    assert section_of(text.index("Author."), FAKE) == "Bibliography"


def test_word_mentions_only_on_request():
    words = [(m.text, m.section) for m in number_mentions(FAKE, words=True) if m.kind == "word"]
    assert words == [
        ("double", "Introduction"),
        ("ten", "A Historical Perspective"),
        ("three", "A Historical Perspective"),
        ("three", "Challenges and Opportunities"),
    ]  # "Row one" is not counted: "one" is too ambiguous
    assert all(m.kind == "digit" for m in number_mentions(FAKE))


def test_quote_covers_exactly_its_numbers():
    report = check(FAKE, ledger("Row one 39 1,407"))
    covered = {m.text for m in report.mentions} - {m.text for m in report.uncovered}
    assert covered == {"39", "1,407"}
    # A quote that stops inside a number does not cover it.
    report = check(FAKE, ledger("spent some ¥104"))
    assert "¥104.4" in {m.text for m in report.uncovered}
    assert not report.missing_quotes


def test_quote_spans_every_occurrence_and_missing():
    spans, missing = quote_spans(FAKE, ["In fiscal year", "In fiscal year", "not in the text", ""])
    assert len(spans) == 2  # intro and note 1; the duplicate quote is looked up once
    assert missing == ["not in the text"]


def test_straight_quotes_match_curly_ones():
    _, missing = quote_spans(FAKE, ['the "largest" rise'])
    assert missing == []


def test_full_ledger_passes():
    report = check(FAKE, ledger(*FULL))
    assert report.ok
    assert (report.covered, report.total) == (len(EXPECTED_DIGITS), len(EXPECTED_DIGITS))


def test_uncovered_number_fails_the_check():
    report = check(FAKE, ledger(*[q for q in FULL if "635,000" not in q]))
    assert not report.ok
    assert [(m.text, m.section) for m in report.uncovered] == [("635,000", "Note 1")]
    assert "with [635,000] residents" in report.uncovered[0].context


def test_missing_and_long_quotes_reported():
    long_quote = "x" * (MAX_QUOTE_CHARS + 1)
    report = check(FAKE, ledger(*FULL, "spent some ¥105 billion", long_quote))
    assert report.missing_quotes == ["spent some ¥105 billion", long_quote]
    assert report.long_quotes == [long_quote]
    assert report.claim_ids[long_quote] == [f"C{len(FULL) + 1:02d}"]
    assert not report.ok


def test_words_are_checked_when_asked():
    report = check(FAKE, ledger(*FULL), words=True)
    assert [(m.text, m.section) for m in report.uncovered] == [
        ("three", "A Historical Perspective"),
        ("three", "Challenges and Opportunities"),
    ]
    assert report.counts("word")["Challenges and Opportunities"] == (0, 1)


@pytest.fixture
def files(tmp_path):
    article = tmp_path / "article.txt"
    article.write_text(FAKE, encoding="utf-8")
    full, gap = tmp_path / "full.csv", tmp_path / "gap.csv"
    ledger(*FULL).to_csv(full, index=False)
    ledger(*FULL[:-1]).to_csv(gap, index=False)
    return article, full, gap


def test_cli_passes_and_fails(files, capsys):
    article, full, gap = files
    assert main([str(article), "--claims", str(full)]) == 0
    assert "digit mentions covered: 15/15 (100.0%)" in capsys.readouterr().out
    assert main([str(article), "--claims", str(gap)]) == 1
    out = capsys.readouterr().out
    assert "[Note 1] (digit) ...A continuation paragraph with [635,000] residents." in out
    assert "Result: FAIL" in out


def test_cli_section_filter_and_env_default(files, capsys, monkeypatch):
    article, _, gap = files
    monkeypatch.setenv("ARTICLE_TEXT", str(article))
    assert main(["--claims", str(gap), "--section", "Introduction"]) == 0
    assert main(["--claims", str(gap), "--section", "notes"]) == 1
    with pytest.raises(SystemExit):
        main(["--claims", str(gap), "--section", "Conclusion"])
    monkeypatch.delenv("ARTICLE_TEXT")
    with pytest.raises(SystemExit):
        main(["--claims", str(gap)])
    capsys.readouterr()


def test_whole_article_is_covered():
    article = os.environ.get("ARTICLE_TEXT", "")
    if not article or not Path(article).is_file():
        pytest.skip("set ARTICLE_TEXT=path/to/article.txt to run the whole-article coverage check")
    assert claims_path().is_file(), f"claims ledger not found at {claims_path()}"
    report = check(
        Path(article).read_text(encoding="utf-8"),
        load_claims(),
        bibliography_df=bibliography_quotes(),
    )
    assert report.counts().get("Bibliography", (0, 0))[1] > 0, "the Bibliography is counted"
    too_long = {q: len(q) for q in report.long_quotes}
    assert not too_long, f"quotes over {MAX_QUOTE_CHARS} characters: {too_long}"
    assert not report.missing_quotes, f"quotes not verbatim: {report.missing_quotes}"
    gaps = [f"[{m.section}] {m.context}" for m in report.uncovered]
    assert not gaps, f"{len(gaps)} of {report.total} numbers uncovered:\n" + "\n".join(gaps)


def test_data_schema_quotes_are_verbatim():
    """The provenance quote of every article data file is found in the article."""
    article = os.environ.get("ARTICLE_TEXT", "")
    if not article or not Path(article).is_file():
        pytest.skip("set ARTICLE_TEXT=path/to/article.txt to check the data files' quotes")
    from helpers import data

    quotes = {
        r["path"]: r["provenance"]["quote"]
        for r in data.package()["resources"]
        if r["path"].startswith("article/")
    }
    _, missing = quote_spans(Path(article).read_text(encoding="utf-8"), list(quotes.values()))
    assert not missing, {name: q for name, q in quotes.items() if q in missing}


def test_bibliography_numbers_count_when_asked():
    found = [(m.text, m.section) for m in number_mentions(FAKE, bibliography=True)]
    assert found[-3:] == [("1998", "Bibliography"), ("20", "Bibliography"), ("21", "Bibliography")]
    bib = pd.DataFrame({"claim_id": ["bibliography:author-1998"], "quote": ["Author. 1998."]})
    report = check(FAKE, ledger(*FULL), bibliography_df=bib)
    assert [m.text for m in report.uncovered] == ["20", "21"]
    whole = pd.DataFrame(
        {"claim_id": ["b"], "quote": ["Author. 1998. Title. Tokyo: Press, 20–21."]}
    )
    assert check(FAKE, ledger(*FULL), bibliography_df=whole).ok


def test_citation_mentions_in_fake_and_bibliography_quotes_frame():
    text = FAKE.replace(
        "for 12 more.", "for 12 more (Suzuki 2001). See Miyazaki Prefecture (2000)."
    )
    assert [(n, y) for n, y, _ in citation_mentions(text)] == [
        ("Suzuki", 2001),
        ("Miyazaki Prefecture", 2000),
    ]
    quotes = bibliography_quotes()
    assert quotes["claim_id"].str.startswith("bibliography:").all()
    assert (quotes["quote"].str.len() <= MAX_QUOTE_CHARS).all()


def _article_or_skip() -> str:
    article = os.environ.get("ARTICLE_TEXT", "")
    if not article or not Path(article).is_file():
        pytest.skip("set ARTICLE_TEXT=path/to/article.txt to check against the article")
    return Path(article).read_text(encoding="utf-8")


def test_every_in_text_citation_is_transcribed_character_for_character():
    """Each author-date citation of the article is a row of citations.csv, spelled as printed,
    and each author-date row of citations.csv (in the text or a source line) is such a
    citation; a source named in the sentence ("a survey ... in 2000") is not."""
    from helpers import data

    text = _article_or_skip()
    printed = {(name, year) for name, year, _ in citation_mentions(text)}
    rows = data.load("citations").frame.dropna(subset=["cited_year"])
    rows = rows[rows["form"].isin(["author-date", "source line"])]
    transcribed = {(n, int(y)) for n, y in zip(rows["cited_as"], rows["cited_year"], strict=True)}
    assert printed == transcribed


def test_names_and_bibliography_quotes_are_verbatim():
    from helpers import data

    text = _article_or_skip()
    names = data.load("body_names").frame
    article_names = names[names["source"] == "article"]
    _, missing = quote_spans(text, article_names["quote"].tolist())
    assert not missing
    assert all(n in q for n, q in zip(names["name"], names["quote"], strict=True))
    _, missing = quote_spans(text, bibliography_quotes()["quote"].tolist())
    assert not missing
