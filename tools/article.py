"""How the coverage audit reads the article: its sections, its numbers and its citations.

Everything here works on the article's text alone, never on the ledger, and so lives apart from
the check and its report (``tools.coverage``): ``normalise`` (applied to article and quotes
alike), the sections found from printed headings and note numbers, every number mention with
its context, where each ledger quote occurs (``quote_spans``) and the author-date citations.
The article is copyrighted and never enters the repository: every function takes its text.

What counts as a number (a "mention"):

- a run of ASCII digits with thousands commas and decimals, with a leading ``¥ $ £ €`` or
  ``FY`` and a trailing decade ``s`` or ``%`` kept in its text: ``1,407``, ``¥104.4``,
  ``1960s``, ``FY1999``;
- not, unless asked: anything from the line "Bibliography" on. With ``bibliography=True`` the
  Bibliography's numbers (years, volumes, pages; not URLs) count too, in section
  "Bibliography", and are covered by the verbatim ``quote`` and ``quote_more`` excerpts of
  ``data/article/bibliography.csv`` (``tools.coverage.bibliography_quotes``);
- not: the number opening a note line ("14. In ...");
  list markers such as "(1)" in running text; table and figure labels ("Table 1.", "(fig. 1)"),
  which name a display rather than state a quantity; digits inside URLs (``<<http...>>``).
  Unicode superscript note markers are not ASCII digits, so they never match.
- with ``words=True`` also spelled-out numbers (two to ninety, hundred, thousand, dozen, twice,
  double, triple, half, quarter), as a separate kind. "one" is left out: it is mostly a pronoun.

In-text citations: ``citation_mentions`` finds every author-date citation ("(Suzuki 2001)",
"Miyazaki Prefecture (2000)") so a test can require each to be transcribed, character for
character, in ``data/article/citations.csv``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache

CONTEXT_CHARS = 30  # each side of a mention, so about 60 characters of context in all

INTRODUCTION = "Introduction"
# The article's section headings, as printed (upper case), and the names used in reports.
HEADINGS = {
    "A HISTORICAL PERSPECTIVE": "A Historical Perspective",
    "INTERNATIONAL ACTIVITIES AND PROGRAMS": "International Activities and Programs",
    "THE IMPACT OF GLOBALIZATION": "The Impact of Globalization",
    "CHALLENGES AND OPPORTUNITIES": "Challenges and Opportunities",
}
NOTES = "Notes"
BIBLIOGRAPHY = "Bibliography"

# Curly quotes are the only characters mapped: a ledger written with straight quotes should
# still match, and a one-to-one swap keeps offsets simple. Dashes are left alone on purpose.
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

NUMBER_RE = re.compile(r"(?<![0-9])(?:[¥$£€]|\bFY)?[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?(?:%|s\b)?")
_UNITS = "two|three|four|five|six|seven|eight|nine"
_TEENS = "ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
WORD_RE = re.compile(
    rf"\b(?:(?:{_TENS})(?:-(?:one|{_UNITS}))?|{_TEENS}|{_UNITS}"
    r"|hundreds?|thousands?|dozens?|twice|doubled?|tripled?|half|halves|quarters?)\b",
    re.IGNORECASE,
)
# Spans whose digits are not quantities: the whole URL, or only the digits of a marker/label.
_URL_RE = re.compile(r"<<.*?>>|https?://\S+")
_LIST_MARKER_RE = re.compile(r"\(([0-9]{1,2})\)")
_LABEL_RE = re.compile(r"\b(?:table|fig\.|figure)\s+([0-9]+)", re.IGNORECASE)
_NOTE_LINE_RE = re.compile(r"([0-9]{1,3})\.\s")


def normalise(text: str) -> str:
    """Tabs, newlines and space runs become one space; curly quotes become straight."""
    return " ".join(text.translate(_QUOTES).split())


def _normalise_with_map(text: str) -> tuple[str, list[int]]:
    """``normalise`` plus, for each raw offset, the offset it lands on in the result."""
    out: list[str] = []
    where: list[int] = []
    pending = False
    for ch in text.translate(_QUOTES):
        if ch.isspace():
            pending = bool(out)
            where.append(len(out))
            continue
        if pending:
            out.append(" ")
            pending = False
        where.append(len(out))
        out.append(ch)
    where.append(len(out))
    return "".join(out), where


@dataclass(frozen=True)
class Mention:
    """A number in the normalised article: ``text == normalise(article)[start:end]``."""

    start: int
    end: int
    text: str
    section: str
    kind: str = "digit"  # "digit" or "word"
    context: str = ""


@dataclass(frozen=True)
class _Layout:
    text: str  # the normalised article
    starts: tuple[int, ...]  # where each section begins, ascending
    names: tuple[str, ...]
    end: int  # where the bibliography begins: nothing after it is counted
    excluded: tuple[tuple[int, int], ...]
    bib_excluded: tuple[tuple[int, int], ...] = ()


@lru_cache(maxsize=8)
def _layout(article_text: str) -> _Layout:
    """Sections and exclusions, found on raw lines (headings and note numbers open a line,
    which normalising forgets) and mapped to offsets in the normalised text."""
    text, where = _normalise_with_map(article_text)
    starts, names, excluded = [0], [INTRODUCTION], []
    end = len(text)
    in_notes = False
    offset = 0
    for line in article_text.splitlines(keepends=True):
        stripped = line.strip()
        pos = where[offset + len(line) - len(line.lstrip())]
        offset += len(line)
        if stripped == BIBLIOGRAPHY:
            end = pos
            break
        if stripped in HEADINGS or stripped == NOTES:
            starts.append(pos)
            names.append(HEADINGS.get(stripped, NOTES))
            in_notes = stripped == NOTES
        elif in_notes and (marker := _NOTE_LINE_RE.match(stripped)):
            starts.append(pos)
            names.append(f"Note {marker.group(1)}")
            excluded.append((pos, pos + len(marker.group(1))))
    body = text[:end]
    excluded += [m.span() for m in _URL_RE.finditer(body)]
    excluded += [m.span(1) for m in _LIST_MARKER_RE.finditer(body)]
    excluded += [m.span(1) for m in _LABEL_RE.finditer(body)]
    bib = [(m.start() + end, m.end() + end) for m in _URL_RE.finditer(text[end:])]
    return _Layout(text, tuple(starts), tuple(names), end, tuple(sorted(excluded)), tuple(bib))


def section_of(position: int, article_text: str) -> str:
    """The section holding an offset of the *normalised* article (tables included)."""
    layout = _layout(article_text)
    if position >= layout.end:
        return BIBLIOGRAPHY
    return layout.names[bisect_right(layout.starts, position) - 1]


def _context(text: str, start: int, end: int) -> str:
    left = text[max(0, start - CONTEXT_CHARS) : start]
    return f"{left}[{text[start:end]}]{text[end : end + CONTEXT_CHARS]}"


def number_mentions(
    article_text: str, words: bool = False, bibliography: bool = False
) -> list[Mention]:
    """Every counted number in the article, in order; spelled-out ones too if ``words``; the
    Bibliography's digits too if ``bibliography``."""
    layout = _layout(article_text)
    patterns = [("digit", NUMBER_RE)] + ([("word", WORD_RE)] if words else [])
    found = []
    if bibliography:
        for m in NUMBER_RE.finditer(layout.text, layout.end):
            start, end = m.span()
            if not any(s < end and start < e for s, e in layout.bib_excluded):
                context = _context(layout.text, start, end)
                found.append(Mention(start, end, m.group(), BIBLIOGRAPHY, "digit", context))
    for kind, pattern in patterns:
        for m in pattern.finditer(layout.text, 0, layout.end):
            start, end = m.span()
            if any(s < end and start < e for s, e in layout.excluded):
                continue
            found.append(
                Mention(
                    start,
                    end,
                    m.group(),
                    section_of(start, article_text),
                    kind,
                    _context(layout.text, start, end),
                )
            )
    return sorted(found, key=lambda m: m.start)


def quote_spans(
    article_text: str, quotes: list[str]
) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Every occurrence of every quote in the normalised article, as (start, end, quote),
    and the quotes not found verbatim. A quote found twice covers both places."""
    text = _layout(article_text).text
    spans, missing = [], []
    for quote in dict.fromkeys(q for q in quotes if isinstance(q, str)):
        needle = normalise(quote)
        if not needle:
            continue  # an empty quote would "match" everywhere
        hit = text.find(needle)
        if hit < 0:
            missing.append(quote)
        while hit >= 0:
            spans.append((hit, hit + len(needle), quote))
            hit = text.find(needle, hit + 1)
    return sorted(spans), missing


_CITATION_RE = re.compile(
    r"\((?P<a>[A-Z][^()0-9]*?),? (?P<y>(?:19|20)[0-9]{2})\)"
    r"|(?P<b>[A-Z][A-Za-z\-]*(?: [A-Z][A-Za-z\-]*|,| of| for| and)*) \((?P<z>(?:19|20)[0-9]{2})\)"
)


def citation_mentions(article_text: str) -> list[tuple[str, int, str]]:
    """Author-date citations in the body and notes: (name as printed, year, section)."""
    layout = _layout(article_text)
    out = []
    for m in _CITATION_RE.finditer(layout.text, 0, layout.end):
        name = (m.group("a") or m.group("b")).removeprefix("See ").strip()
        year = int(m.group("y") or m.group("z"))
        out.append((name, year, section_of(m.start(), article_text)))
    return out
