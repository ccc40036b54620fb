"""Coverage audit: is every number in the article quoted by some row of the claims ledger?

The article is copyrighted, so it never enters the repository: its path comes from the command
line or the ``ARTICLE_TEXT`` environment variable. A number counts as covered when it lies
wholly inside an occurrence of some ledger ``quote`` in the article. Both sides are compared
after ``tools.article.normalise``, so a table row quoted with spaces for tabs, or across a
page-break line ending, still matches.

What counts as a number (a "mention"), the article's sections and its in-text citations are
defined in ``tools.article``, which reads the article; this module holds the ledger's side,
the check and its report.

Usage: ``python -m tools.coverage [ARTICLE_PATH] [--section NAME] [--words] [--bibliography]``
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from helpers import paths
from tools import article

MAX_QUOTE_CHARS = 200


def claims_path() -> Path:
    """The claims ledger (resolved from the package, not the working directory)."""
    return paths.CLAIMS


def load_claims(path: str | Path | None = None) -> pd.DataFrame:
    """The ledger as strings, unvalidated: coverage must work on a ledger still being written."""
    return pd.read_csv(path or claims_path(), dtype=str, keep_default_na=False, encoding="utf-8")


@dataclass
class Report:
    """The outcome of ``check``; ``ok`` is what the CLI exit status reports."""

    mentions: list[article.Mention]
    uncovered: list[article.Mention]
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

        def keep(m: article.Mention) -> bool:
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
    spans, missing = article.quote_spans(article_text, quotes)
    mentions = article.number_mentions(
        article_text, words=words, bibliography=bibliography_df is not None
    )
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
    article_path = Path(args.article)  # not `article`: that name is the module
    if not article_path.is_file():
        parser.error(f"article not found: {article_path}")
    ledger = args.claims or claims_path()
    if not ledger.is_file():
        parser.error(f"claims ledger not found: {ledger}")
    text = article_path.read_text(encoding="utf-8")
    try:
        bib = bibliography_quotes() if args.bibliography else None
        report = check(text, load_claims(ledger), words=args.words, bibliography_df=bib)
    except (pd.errors.ParserError, ValueError) as err:
        parser.error(f"cannot read {ledger}: {err}")
    if args.section:
        known = {
            name.casefold()
            for name in (*article._layout(text).names, article.NOTES, article.BIBLIOGRAPHY)
        }
        if args.section.casefold() not in known:
            parser.error(f"unknown section {args.section!r}")
        report = report.restrict(args.section)
    print(f"Coverage of {article_path.name} by {ledger.name}")
    print(format_report(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
