"""Coverage audit: is every number in the article quoted by some row of the claims ledger?

The article is copyrighted, so it never enters the repository: its path comes from the command
line or the ``ARTICLE_TEXT`` environment variable. A number counts as covered when it lies
wholly inside an occurrence of some ledger ``quote`` in the article. Both sides are compared
after ``normalise``, so a table row quoted with spaces for tabs, or across a page-break line
ending, still matches.

What counts as a number (a "mention"):

- a run of ASCII digits with thousands commas and decimals, with a leading ``¥ $ £ €`` or
  ``FY`` and a trailing decade ``s`` or ``%`` kept in its text: ``1,407``, ``¥104.4``,
  ``1960s``, ``FY1999``;
- not, unless asked: anything from the line "Bibliography" on. With ``bibliography=True`` the
  Bibliography's numbers (years, volumes, pages; not URLs) count too, in section
  "Bibliography", and are covered by the verbatim ``quote`` and ``quote_more`` excerpts of
  ``data/article/bibliography.csv`` (``bibliography_quotes``);
- not: the number opening a note line ("14. In ...");
  list markers such as "(1)" in running text; table and figure labels ("Table 1.", "(fig. 1)"),
  which name a display rather than state a quantity; digits inside URLs (``<<http...>>``).
  Unicode superscript note markers are not ASCII digits, so they never match.
- with ``words=True`` also spelled-out numbers (two to ninety, hundred, thousand, dozen, twice,
  double, triple, half, quarter), as a separate kind. "one" is left out: it is mostly a pronoun.

In-text citations: ``citation_mentions`` finds every author-date citation ("(Suzuki 2001)",
"Miyazaki Prefecture (2000)") so a test can require each to be transcribed, character for
character, in ``data/article/citations.csv``.

Usage: ``python -m tools.coverage [ARTICLE_PATH] [--section NAME] [--words] [--bibliography]``
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

import pandas as pd

from helpers import paths

MAX_QUOTE_CHARS = 200
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


def claims_path() -> Path:
    """The claims ledger (resolved from the package, not the working directory)."""
    return paths.CLAIMS


def load_claims(path: str | Path | None = None) -> pd.DataFrame:
    """The ledger as strings, unvalidated: coverage must work on a ledger still being written."""
    return pd.read_csv(path or claims_path(), dtype=str, keep_default_na=False, encoding="utf-8")


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


@dataclass
class Report:
    """The outcome of ``check``; ``ok`` is what the CLI exit status reports."""

    mentions: list[Mention]
    uncovered: list[Mention]
    missing_quotes: list[str]
    long_quotes: list[str]
    claim_ids: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.mentions)

    @property
    def covered(self) -> int:
        return self.total - len(self.uncovered)

    @property
    def ok(self) -> bool:
        return not (self.uncovered or self.missing_quotes or self.long_quotes)

    def counts(self, kind: str = "digit") -> dict[str, tuple[int, int]]:
        """(covered, total) per section, in article order."""
        gaps = set(self.uncovered)
        out: dict[str, tuple[int, int]] = {}
        for m in self.mentions:
            if m.kind == kind:
                covered, total = out.get(m.section, (0, 0))
                out[m.section] = (covered + (m not in gaps), total + 1)
        return out

    def restrict(self, section: str) -> Report:
        """The same report over one section; "Notes" selects every note."""
        wanted = section.casefold()

        def keep(m: Mention) -> bool:
            name = m.section.casefold()
            return name == wanted or (wanted == "notes" and name.startswith("note "))

        return replace(
            self,
            mentions=[m for m in self.mentions if keep(m)],
            uncovered=[m for m in self.uncovered if keep(m)],
        )


def bibliography_path() -> Path:
    """The transcribed Bibliography (resolved from the package)."""
    return paths.ARTICLE / "bibliography.csv"


def bibliography_quotes(path: str | Path | None = None) -> pd.DataFrame:
    """The Bibliography's verbatim excerpts as a ledger-like frame (claim_id, quote)."""
    entries = pd.read_csv(path or bibliography_path(), dtype=str, keep_default_na=False)
    long = entries.melt(id_vars="entry_id", value_vars=["quote", "quote_more"])
    long = long[long["value"] != ""].sort_values(["entry_id", "variable"])
    return pd.DataFrame({"claim_id": "bibliography:" + long["entry_id"], "quote": long["value"]})


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


def check(
    article_text: str,
    claims_df: pd.DataFrame,
    words: bool = False,
    bibliography_df: pd.DataFrame | None = None,
) -> Report:
    """Match the ledger's quotes against the article and list what is left uncovered.

    With ``bibliography_df`` (``bibliography_quotes()``), the Bibliography's numbers count too
    and its quotes cover them."""
    if bibliography_df is not None:
        claims_df = pd.concat([claims_df[["claim_id", "quote"]], bibliography_df])
    if "quote" not in claims_df:
        raise ValueError("the claims ledger has no 'quote' column")
    quotes = [q for q in claims_df["quote"].tolist() if isinstance(q, str) and q.strip()]
    ids = claims_df["claim_id"] if "claim_id" in claims_df else claims_df.index.astype(str)
    claim_ids: dict[str, list[str]] = {}
    for claim_id, quote in zip(ids, claims_df["quote"], strict=True):
        if isinstance(quote, str) and quote.strip():
            claim_ids.setdefault(quote, []).append(str(claim_id))
    spans, missing = quote_spans(article_text, quotes)
    mentions = number_mentions(article_text, words=words, bibliography=bibliography_df is not None)
    uncovered = [m for m in mentions if not any(s <= m.start and m.end <= e for s, e, _ in spans)]
    long_quotes = [q for q in claim_ids if len(q) > MAX_QUOTE_CHARS]
    return Report(mentions, uncovered, missing, long_quotes, claim_ids)


def _share(covered: int, total: int) -> str:
    return f"{covered}/{total} ({100 * covered / total:.1f}%)" if total else "0/0"


def format_report(report: Report) -> str:
    """The readable report the CLI prints."""
    lines = []
    for kind in ("digit", "word"):
        counts = report.counts(kind)
        if kind == "word" and not counts:
            continue
        total = sum(t for _, t in counts.values())
        covered = sum(c for c, _ in counts.values())
        lines.append(f"{kind} mentions covered: {_share(covered, total)}")
        lines += [f"  {name:<40} {_share(c, t)}" for name, (c, t) in counts.items()]
    if report.uncovered:
        lines.append(f"\nUNCOVERED mentions ({len(report.uncovered)}):")
        lines += [f"  [{m.section}] ({m.kind}) ...{m.context}..." for m in report.uncovered]
    if report.missing_quotes:
        lines.append(f"\nQuotes NOT FOUND verbatim in the article ({len(report.missing_quotes)}):")
        for q in report.missing_quotes:
            lines.append(f"  {', '.join(report.claim_ids.get(q, []))}: {q!r}")
    if report.long_quotes:
        lines.append(f"\nQuotes over {MAX_QUOTE_CHARS} characters ({len(report.long_quotes)}):")
        for q in report.long_quotes:
            lines.append(f"  {', '.join(report.claim_ids.get(q, []))} ({len(q)} chars): {q!r}")
    lines.append("\nResult: " + ("OK" if report.ok else "FAIL"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.coverage",
        description="Check that every number in the article is quoted by a claims-ledger row.",
    )
    parser.add_argument(
        "article",
        nargs="?",
        default=os.environ.get("ARTICLE_TEXT"),
        help="article text file (default: $ARTICLE_TEXT)",
    )
    parser.add_argument("--claims", type=Path, default=None, help="ledger (default: claims.csv)")
    parser.add_argument("--section", help='report one section only, e.g. "Note 14" or "Notes"')
    parser.add_argument("--words", action="store_true", help="check spelled-out numbers too")
    parser.add_argument(
        "--bibliography",
        action="store_true",
        help="count the Bibliography's numbers too (quotes in data/article/bibliography.csv)",
    )
    args = parser.parse_args(argv)
    if not args.article:
        parser.error("give ARTICLE_PATH or set ARTICLE_TEXT=path/to/article.txt")
    article = Path(args.article)
    if not article.is_file():
        parser.error(f"article not found: {article}")
    ledger = args.claims or claims_path()
    if not ledger.is_file():
        parser.error(f"claims ledger not found: {ledger}")
    text = article.read_text(encoding="utf-8")
    try:
        bib = bibliography_quotes() if args.bibliography else None
        report = check(text, load_claims(ledger), words=args.words, bibliography_df=bib)
    except (pd.errors.ParserError, ValueError) as err:
        parser.error(f"cannot read {ledger}: {err}")
    if args.section:
        known = {name.casefold() for name in (*_layout(text).names, NOTES, BIBLIOGRAPHY)}
        if args.section.casefold() not in known:
            parser.error(f"unknown section {args.section!r}")
        report = report.restrict(args.section)
    print(f"Coverage of {article.name} by {ledger.name}")
    print(format_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
