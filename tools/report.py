"""The referee's report: build/report.pdf, at most four A4 pages, from the audit's own files.

    python -m tools.report            (make report)

It says, in this order: a summary a reader can quote (counts from
data/derived/claim_summary.csv), the findings ranked (data/derived/findings.csv, written by
notebook 00), what could not be reproduced and why (the not-checkable claims grouped by their
reason), how the verdicts move with the judging parameters (data/derived/sensitivity.csv), and
the reproducibility statement (the README's section between the two markers below). The
sentences around the numbers are written here; the numbers come from the files. Every string
from a file is escaped; Chromium prints the page, page numbers in the footer.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

from helpers import paths
from helpers.findings import fill

README = paths.ROOT / "README.md"
MARKERS = ("<!-- reproducibility-statement:start -->", "<!-- reproducibility-statement:end -->")
TARGET = paths.BUILD / "report.pdf"
MAX_PAGES = 4
ARTICLE = "\u201cInternational Policies of Local Governments\u201d"
VERDICTS = ("consistent", "approximately consistent", "inconsistent", "not checkable")
FINDINGS_COLUMNS = (  # data/derived/findings.csv: the columns notebook 00 writes
    "rank", "claim", "check", "kind", "materiality", "verdict", "section", "quote", "sentence",
)  # fmt: skip
MATERIALITY = {
    "argument": "Findings that change a step of the article's argument",
    "detail": "Findings about details",
}
PARAMETER_WORDS = {
    "tolerance": "the tolerance for exact figures",
    "hedge_band": "the hedge band of words such as \u201cabout\u201d",
    "sum_tolerance": "the tolerance for printed totals",
}
# How the not-checkable claims are grouped: the first pattern that finds its reason (the
# ledger's note) decides; the last group takes the rest. The headings are the README's three
# kinds of reason, worded for a reader; where a public record exists, notebook 05 says so.
REASONS = (
    ("Figure 1 is printed without its data", r"Figure 1|internal Ministry"),
    ("The surveys the article draws on could not be obtained", r"survey"),
    ("Stated once in the text; notebook 05 compares it with public records", r"notebook 05"),
    (
        "Stated once: the text gives no second figure, series, date or source to test it",
        r"",
    ),
)
FOOTER = (
    '<div style="font: 8pt sans-serif; width: 100%; text-align: center; color: #444">'
    'Referee\u2019s report \u00b7 page <span class="pageNumber"></span> of '
    '<span class="totalPages"></span></div>'
)
STYLE = """
body { font: 9.5pt/1.35 "DejaVu Serif", Georgia, serif; color: #111; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 2pt; }
h2 { font-size: 11.5pt; margin: 12pt 0 4pt; border-bottom: 0.5pt solid #888; }
h3 { font-size: 10pt; margin: 8pt 0 3pt; }
h2, h3 { break-after: avoid; }
p, li { margin: 3pt 0; }
.meta, .small { font-size: 8.5pt; color: #333; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0; }
th, td { border-bottom: 0.4pt solid #bbb; padding: 2pt 4pt; text-align: left; vertical-align: top; }
td.n, th.n { text-align: right; white-space: nowrap; }
ol.findings { padding-left: 16pt; }
ol.findings li { break-inside: avoid; margin-bottom: 4pt; }
q { font-style: italic; }
code { font-size: 8.5pt; }
"""


class ReportError(RuntimeError):
    """A file the report needs is missing or out of date: one sentence saying which and why."""


def e(value) -> str:
    """Text from a file, safe to place in the page."""
    return html.escape(str(value))


def read(folder: Path, name: str):
    import pandas as pd

    path = Path(folder) / name
    if not path.is_file():
        hint = "notebook 00 writes it: run make" if name == "findings.csv" else "run make"
        raise ReportError(f"{paths.relative(path)} is missing ({hint}).")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def statement(readme: Path = README) -> str:
    """The README's reproducibility statement (markdown between the markers)."""
    text = Path(readme).read_text(encoding="utf-8")
    start, end = (text.find(m) for m in MARKERS)
    if start < 0 or end < start:
        raise ReportError(f"{paths.relative(Path(readme))}: no section between {MARKERS}.")
    return text[start + len(MARKERS[0]) : end].strip()


def shorten(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


def reason_of(note: str) -> str:
    """The heading of the group a not-checkable claim's reason belongs to."""
    return next(heading for heading, pattern in REASONS if re.search(pattern, note))


def summary_section(claims, findings, flips) -> str:
    counts = claims["verdict"].value_counts()
    values = {v.replace(" ", "_"): int(counts.get(v, 0)) for v in VERDICTS}
    values |= {
        "claims": len(claims),
        "share": 100 * values["not_checkable"] / max(len(claims), 1),
        "findings": len(findings),
        "argument": int((findings["materiality"] == "argument").sum()),
        "flipping": flips["claim"].nunique(),
    }
    text = fill(
        "The audit holds the {claims} quantitative claims of the article against the article's "
        "own tables, notes and text, each under the reading a careful reader takes from the "
        "English: {consistent} are consistent with the data, {approximately_consistent} "
        "approximately consistent and {inconsistent} inconsistent; {not_checkable} "
        "({share:.0f} percent) cannot be checked from the data available. It reports "
        "{findings} findings (the inconsistent claims and the public records that differ from "
        "the article), {argument} of which change a step of the argument. Claims whose "
        "verdict changes anywhere on the grid of judging parameters: {flipping}.",
        values,
    )
    rows = "".join(
        f"<tr><td>{e(v)}</td><td class=n>{counts.get(v, 0)}</td>"
        f"<td class=n>{100 * counts.get(v, 0) / max(len(claims), 1):.0f}%</td></tr>"
        for v in VERDICTS
    )
    return (
        f"<h2>Summary</h2><p>{e(text)}</p><table><tr><th>Verdict (primary reading)</th>"
        f"<th class=n>Claims</th><th class=n>Share</th></tr>{rows}</table>"
    )


def check_findings(findings, path: Path) -> None:
    """The findings file has the shared columns and only the two materialities."""
    missing = [c for c in FINDINGS_COLUMNS if c not in findings.columns]
    if missing:
        raise ReportError(f"{paths.relative(path)} has no column {missing[0]!r}.")
    ranks = findings[~findings["rank"].str.fullmatch(r"[1-9][0-9]*")]
    if not ranks.empty:
        raise ReportError(
            f"{paths.relative(path)}, row {ranks.index[0] + 2}: rank "
            f"{ranks['rank'].iloc[0]!r} is not a whole number from 1."
        )
    bad = findings[~findings["materiality"].isin(list(MATERIALITY))]
    if not bad.empty:
        raise ReportError(
            f"{paths.relative(path)}, row {bad.index[0] + 2}: materiality "
            f"{bad['materiality'].iloc[0]!r} is not one of {', '.join(MATERIALITY)}."
        )


def findings_section(findings) -> str:
    parts = ["<h2>Findings, ranked</h2>"]
    ranked = findings.assign(order=findings["rank"].astype(int)).sort_values("order")
    for level, heading in MATERIALITY.items():
        chosen = ranked[ranked["materiality"] == level]
        if chosen.empty:
            continue
        items = "".join(
            f'<li value="{row.order}">{e(row.sentence)}<br><span class=small>{e(row.section)}'
            f" \u00b7 {e(row.kind)} \u00b7 {e(row.verdict)}: <q>{e(shorten(row.quote))}</q>"
            "</span></li>"
            for row in chosen.itertuples()
        )
        parts.append(f'<h3>{e(heading)} ({len(chosen)})</h3><ol class="findings">{items}</ol>')
    if len(parts) == 1:
        parts.append("<p>No finding: no claim is inconsistent and no record differs.</p>")
    return "".join(parts)


def not_reproduced_section(claims, verdicts) -> str:
    notes = verdicts.set_index("claim_id")["note"]
    missing = claims[claims["verdict"] == "not checkable"]
    missing = missing.assign(reason=missing["primary_reading"].map(notes).fillna(""))
    missing = missing.assign(group=missing["reason"].map(reason_of))
    said = fill(
        "{missing} of the {claims} claims cannot be checked: nothing in the data could "
        "contradict them. Grouped by reason, with the sections they come from and an example:",
        {"missing": len(missing), "claims": len(claims)},
    )
    parts = ["<h2>What could not be reproduced, and why</h2>", f"<p>{e(said)}</p>"]
    for heading, _ in REASONS:
        group = missing[missing["group"] == heading]
        if group.empty:
            continue
        sections = "; ".join(f"{s} ({n})" for s, n in group["section"].value_counts().items())
        example = group.iloc[0]
        parts.append(
            f"<h3>{e(heading)} ({len(group)})</h3><p class=small>{e(sections)}.<br>For example: "
            f"<q>{e(shorten(example['quote']))}</q> ({e(example['section'])}): "
            f"{e(example['reason'])}.</p>"
        )
    return "".join(parts)


def readings_part(claims, ledger) -> str:
    """Claims whose verdict another recorded reading would change (claim_summary.csv)."""
    holds = claims["verdict"].isin(["consistent", "approximately consistent"])
    other = claims["fails_under"].where(holds, claims["holds_under"])
    changed = claims[claims["verdict"].isin(VERDICTS[:3]) & (other != "")]
    said = fill(
        "Readings: {changed} claims would get another verdict under an alternative reading the "
        "ledger records beside the primary one ({fails} that hold would fail, {holds} that fail "
        "would hold):",
        {
            "changed": len(changed),
            "fails": int((holds & (claims["fails_under"] != "")).sum()),
            "holds": int(
                ((claims["verdict"] == "inconsistent") & (claims["holds_under"] != "")).sum()
            ),
        },
    )
    if changed.empty:
        return f"<p>{e(said.removesuffix(':'))}.</p>"
    reading = ledger.set_index("claim_id")["reading"]
    rows = "".join(
        f"<tr><td>{e(c.section)}</td><td><q>{e(shorten(c.quote, 90))}</q></td>"
        f"<td>{e(c.verdict)}</td><td>"
        + "<br>".join(e(shorten(reading.get(r, r), 120)) for r in alternative.split("; "))
        + "</td></tr>"
        for c, alternative in zip(changed.itertuples(), other[changed.index], strict=True)
    )
    return (
        f"<p>{e(said)}</p><table><tr><th>Section</th><th>Claim</th><th>Verdict</th>"
        f"<th>Alternative reading with the other verdict</th></tr>{rows}</table>"
    )


def robustness_section(flips, ledger) -> str:
    from tools import sensitivity

    grid: dict[str, set] = {}
    for _, parameter, _, values in sensitivity.plan():  # the defaults are run too
        grid.setdefault(parameter, set()).update(values)
    ranges = "; ".join(
        f"{PARAMETER_WORDS.get(name, name)} from {min(values):g} to {max(values):g}"
        for name, values in grid.items()
    )
    parts = [
        "<h2>Robustness</h2>",
        f"<p>Notebooks 01 to 04 were rerun with one judging parameter changed at a time, the "
        f"others at their defaults ({e(ranges)}). "
        + (
            "No reading changes its verdict anywhere on this grid.</p>"
            if flips.empty
            else "Only these readings change their verdict; every other keeps it on the whole "
            "grid. Each row gives the value nearest the default at which the verdict changes.</p>"
        ),
    ]
    if not flips.empty:
        reading = ledger.set_index("claim_id")["reading"]
        section = ledger.set_index("claim_id")["section"]
        rows = "".join(
            f"<tr><td>{e(section[r.reading])}</td><td>{e(shorten(reading[r.reading], 150))}</td>"
            f"<td>{e(PARAMETER_WORDS.get(r.parameter, r.parameter))}</td><td class=n>"
            f"{e(r.default)} \u2192 {e(r.flips_at)}</td><td>{e(r.verdict_at_default)} \u2192 "
            f"{e(r.verdict_after)}</td></tr>"
            for r in flips.itertuples()
        )
        parts.append(
            "<table><tr><th>Section</th><th>Reading</th><th>Parameter</th><th>Default \u2192 "
            f"flips at</th><th>Verdict</th></tr>{rows}</table>"
        )
    return "".join(parts)


def statement_section(readme: Path = README) -> str:
    from markdown_it import MarkdownIt

    # raw HTML in the markdown is shown as text, never placed in the page
    markdown = MarkdownIt("commonmark", {"html": False})
    return "<h2>Reproducibility statement</h2>" + markdown.render(statement(readme))


def page(derived: Path = paths.DERIVED, readme: Path = README) -> str:
    """The report as one HTML page."""
    from tools import colophon, sensitivity

    claims = read(derived, "claim_summary.csv")
    verdicts = read(derived, "claim_verdicts.csv")
    findings = read(derived, "findings.csv")
    check_findings(findings, Path(derived) / "findings.csv")
    flips = read(derived, "sensitivity.csv")
    ledger = read(paths.DATA, "claims.csv")
    stale = sensitivity.staleness(flips, verdicts, ledger)
    if stale:
        raise ReportError(stale)
    title = "Referee\u2019s report: Menju (2003), " + ARTICLE
    body = (
        f"<h1>{e(title)}</h1><p class=meta>A replication audit of every quantitative claim, "
        f"from the compendium at commit {e(colophon.git_commit())}.</p>"
        + summary_section(claims, findings, flips)
        + findings_section(findings)
        + not_reproduced_section(claims, verdicts)
        + robustness_section(flips, ledger)
        + readings_part(claims, ledger)
        + statement_section(readme)
    )
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def write(
    target: Path = TARGET, derived: Path = paths.DERIVED, readme: Path = README, browser=None
) -> Path:
    """Print the report to ``target`` (its HTML beside it); ``browser``: a running Chromium."""
    from tools import browser as chromium

    source = Path(target).with_suffix(".html")
    source.parent.mkdir(parents=True, exist_ok=True)
    source.write_text(page(derived, readme), encoding="utf-8")
    return chromium.print_page(source, Path(target), browser, footer=FOOTER)


def pages(pdf: Path) -> int:
    """How many pages a PDF has."""
    from pypdf import PdfReader

    return len(PdfReader(pdf).pages)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.report", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--out", default=str(TARGET), help="the PDF to write")
    parser.add_argument(
        "--derived", default=str(paths.DERIVED), help="the folder of the audit's files"
    )
    args = parser.parse_args(argv)
    from tools import browser

    missing = browser.missing_chromium("prints the report")
    if missing:
        print(missing, file=sys.stderr)
        return 1
    from playwright.sync_api import Error as BrowserError

    try:
        target = write(Path(args.out), derived=Path(args.derived))
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrowserError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(
            f"error: Chromium at {browser.CHROMIUM} could not print the report: {first}",
            file=sys.stderr,
        )
        return 1
    count = pages(target)
    print(f"wrote {paths.relative(target)} ({count} pages)")
    if count > MAX_PAGES:
        print(f"error: the report has {count} pages, more than {MAX_PAGES}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
