"""What a reader sees is prose, tables and figures: no Python reprs, no code names, no claim
ids, no file names except as links to what they name (data downloads). Scanned on every page of
the session-built site (the `built` fixture), outside code cells; the instructor notes, which
tell an instructor which files and parameters to use, are left out."""

from __future__ import annotations

import html
import re

import pytest

from tools import site

REPR = re.compile(r"\{'|\['|\bTrue\b|\bFalse\b|\bNaN\b|<NA>|\bdtype\b|\bobject at 0x")
CLAIM_ID = re.compile(r"\bC\d\d-[a-z0-9]+(?:-[a-z0-9]+)+")
CODE_NAME = re.compile(r"\b[A-Za-z0-9]+_[A-Za-z0-9_]+\b")  # snake_case: 01_introduction, key_years
FILE_NAME = re.compile(r"[\w./-]+\.(?:csv|py|ipynb|yaml|md|json|cff)\b")
HOUSEKEEPING = re.compile(r"link here as|\bas GLOSSARY\.md")


def _without(markup: str, pattern: str) -> str:
    return re.sub(pattern, " ", markup, flags=re.S)


def leftovers(page: str) -> list[str]:
    """Every leftover a reader would see on a page, with what it is."""
    alts = " ".join(html.unescape(a) for a in re.findall(r'<img[^>]* alt="([^"]*)"', page))
    # inline code is what a reader types (a command, a parameter): only reprs are looked for in
    # its neighbours, never in it; a link's words may name the file it downloads
    no_code = _without(page, r"<code>.*?</code>")
    no_math = _without(no_code, r"\$[^$<]+\$")  # LaTeX: x_1 is a subscript, not a name
    prose = site.visible_text(_without(no_math, r"<a\b[^>]*>.*?</a>")) + " " + alts
    found = []
    for name, rule, text in [
        ("Python repr", REPR, site.visible_text(no_code) + " " + alts),
        ("claim id", CLAIM_ID, site.visible_text(page) + " " + alts),
        ("code name", CODE_NAME, prose),
        ("file name", FILE_NAME, prose),
        ("housekeeping", HOUSEKEEPING, prose),
    ]:
        found += [f"{name}: {m.group(0)!r} in '…{text[max(m.start() - 40, 0) : m.end() + 20]}…'"
                  for m in rule.finditer(text)]  # fmt: skip
    return found


def test_the_scan_finds_each_kind_of_leftover():
    page = (
        "<p>{'governments_with_affiliations': 930} and ['ALT', 'CIR', 'SEA'] before: True.</p>"
        "<table><tr><td>C01-table1-total-with</td></tr></table>"
        '<img alt="Bars by 01_introduction">'
        "<p>read from data/claims.csv; link here as GLOSSARY.md</p>"
        '<p>Allowed: <a href="files/data/claims.csv">claims.csv</a>, <code>sum_tolerance</code>'
        "</p><details class=\"code\"><summary>Code</summary>x = {'a': True}</details>"
    )
    kinds = [f.split(":")[0] for f in leftovers(page)]
    assert kinds.count("Python repr") == 3
    assert kinds.count("claim id") == 1
    assert "code name" in kinds and "housekeeping" in kinds
    assert kinds.count("file name") == 2  # data/claims.csv and GLOSSARY.md, not the link


@pytest.mark.parametrize(
    "name", ["index", "glossary", *(nb.name for nb in site.notebooks.existing())]
)
def test_no_page_shows_a_leftover(built, name):
    page = (built["out"] / f"{name}.html").read_text(encoding="utf-8")
    assert leftovers(page) == [], name


def test_every_figure_says_what_it_shows_with_its_number(built):
    """Alt text is a sentence written for the figure and filled by the run, then the source:
    not the title again (helpers.plotting.finish)."""
    for nb in site.notebooks.existing():
        page = (built["out"] / f"{nb.name}.html").read_text(encoding="utf-8")
        for alt in re.findall(r'<img[^>]* alt="([^"]*)"', page):
            said, _, source = html.unescape(alt).partition(". Source: ")
            assert source and re.search(r"\d", said) and len(said.split()) >= 8, (nb.name, alt)
