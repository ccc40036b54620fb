"""Build the static site (``python -m tools.site``); ``tools.student`` builds the student edition.

Every page is rendered by nbconvert's ``HTMLExporter`` with ``site_templates/page.html.j2`` (it
extends nbconvert's ``lab`` template); landing pages are markdown templates rendered as one cell.
Pages load nothing from other sites, and search works served and from disk: its index is a
script beside the pages. ``build/site/``: index, one page per notebook in reading order, glossary
(notebooks/GLOSSARY.md), notebooks/*.ipynb, files/ (repository files a
notebook links to), assets/. The student edition (``build/student/``, written through
``build(student_notebook=...)`` by ``tools.student``, which this module does not import) has no
solutions and no instructor notes. ``--if-stale`` builds only if the digest of ``input_files()``
and the commit differs from the site's ``.inputs.sha256``, importing neither nbconvert nor pandas.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import html
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from helpers import colours, paths
from tools import colophon, notebooks
from tools.colophon import CITATION, VERSIONED, binder_url, citation, git_commit, version

SITE = paths.BUILD / "site"
TEMPLATES = Path(__file__).with_name("site_templates")
INSTRUCTOR_MD, GLOSSARY_MD = paths.NOTEBOOKS / "INSTRUCTOR.md", paths.NOTEBOOKS / "GLOSSARY.md"
SUMMARY, VERDICTS = paths.DERIVED / "claim_summary.csv", paths.DERIVED / "claim_verdicts.csv"
EXTERNAL = paths.DERIVED / "external_findings.csv"  # one verdict and sentence per claim
FINDINGS = paths.DERIVED / "findings.csv"  # the findings, filled and ranked by notebook 00
NAME = "Auditing Menju (2003): a research compendium"  # in every page's <title>
SOLUTION_TAG, INPUTS_STAMP = "solution", ".inputs.sha256"
PARAMETERS_MARKER = "<!-- site: parameters -->"  # replaced in INSTRUCTOR.md (appended if absent)
INCONSISTENCIES_MARKER = "<!-- site: inconsistencies -->"
CLAIM_ID = re.compile(r"C\d\d-[A-Za-z0-9-]*")
# nbconvert writes these headings itself: regular expressions over its markup, not a second
# parse of every page (nbconvert already parses each once with BeautifulSoup)
HEADING = re.compile(r'<h([1-3]) id="([^"]+)">(.*?)<a class="anchor-link"[^>]*>[^<]*</a>')


# What notebook markdown and outputs may keep (anything else is shown as text): formatting,
# tables, figures, links; no script, style, form or event handler (bleach escapes them).
SAFE_TAGS = {
    *"a abbr b blockquote br caption cite code col colgroup dd del details div dl dt em".split(),
    *"figcaption figure h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s small".split(),
    *"span strong sub summary sup table tbody td tfoot th thead tr u ul".split(),
}
SAFE_ATTRIBUTES = {"id", "class", "title", "alt", "width", "height", "scope", "colspan", "rowspan"}
SAFE_ATTRIBUTES |= {"href", "src", "lang", "start", "rel"}
BADGE_STYLE = re.compile(r"--verdict:#[0-9A-Fa-f]{3,8}")  # the one inline style: Site.badge's


def keep_attribute(tag: str, name: str, value: str) -> bool:
    if name == "style":
        return tag == "span" and BADGE_STYLE.fullmatch(value) is not None
    return name in SAFE_ATTRIBUTES or name.startswith("aria-")


def sanitise(markup: str) -> str:
    """Notebook markup as text where it is not formatting (bleach): a <script> or an onerror
    from a notebook, the ledger or the data shows as what it is and runs nowhere. pandas'
    <style> blocks are dropped (the site styles tables), not shown."""
    import bleach

    markup = re.sub(r"<style[^>]*>.*?</style>", "", str(markup), flags=re.S | re.I)
    return bleach.clean(
        markup,
        tags=SAFE_TAGS,
        attributes=keep_attribute,
        protocols={"http", "https", "mailto", "data"},
        strip_comments=True,
    )


def read_csv(path: Path):
    import pandas as pd

    return pd.read_csv(path, dtype=str, keep_default_na=False)


def visible_text(markup: str) -> str:
    """The words a reader sees in a piece of a page, without its code, styles and navigation."""
    markup = re.sub(
        r'<style.*?</style>|<nav.*?</nav>|<details class="(code|solution)">.*?</details>',
        " ",
        markup,
        flags=re.S,
    )
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def mark_claims(node, claim_ids: list[str]) -> list[str]:
    """Anchor each claim at the first cell that checks it: its id (or an f-string id's literal
    prefix) in a code cell's source, else its id in a cell's outputs. Returns the ids placed."""
    sources = [set(CLAIM_ID.findall(c.source)) if c.cell_type == "code" else () for c in node.cells]
    outputs = [json.dumps(c.get("outputs", [])) for c in node.cells]
    placed = []
    for claim in claim_ids:
        prefix = [
            i for i, s in enumerate(sources) for t in s if t[-1] == "-" and claim.startswith(t)
        ]
        hits = [i for i, s in enumerate(sources) if claim in s] or prefix
        hits = hits or [i for i, text in enumerate(outputs) if claim in text]
        if hits:
            node.cells[hits[0]].metadata.setdefault("site_claims", []).append(claim)
            placed.append(claim)
    return placed


def as_cards(markup: str) -> str:
    """Verdict tables marked to become cards on a phone (site.css): each cell carries its
    column's name (data-label), shown before it when rows are stacked, so a row's verdict
    is on screen however many columns the table has."""
    from bs4 import BeautifulSoup

    tree = BeautifulSoup(markup, "html.parser")
    for table in tree.find_all("table"):
        head = table.find("thead")
        rows = head.find_all("tr") if head else []
        labels = (
            [c.get_text(" ", strip=True) for c in rows[-1].find_all(["th", "td"])] if rows else []
        )
        body = table.find("tbody")
        if not labels or body is None:
            continue
        table["class"] = [*table.get("class", []), "cards"]
        for row in body.find_all("tr"):
            cells = row.find_all(["th", "td"], recursive=False)
            for cell, label in zip(cells, labels, strict=False):
                if label and len(cells) == len(labels):
                    cell["data-label"] = label
    return str(tree)


class Site:
    """One edition: its pages, the exporter that renders them and the rules for their links."""

    def __init__(self, out: Path, student: bool):
        from jinja2 import Environment, FileSystemLoader
        from nbconvert import HTMLExporter

        self.out, self.student, self.broken, self.commit = out, student, [], git_commit()
        self.notebooks = notebooks.existing()
        shorten = [
            (p.name, f"{p.name[:2]} {re.split('[:,]', p.title)[0]}", p.title)
            for p in self.notebooks
        ]
        extra = [("glossary", "Glossary", "Glossary")]  # instructor notes: tools.student only
        self.pages = [("index", "Home", "Home"), *shorten, *extra]  # (name, label, title)
        self.exporter = HTMLExporter(
            template_name="lab",
            template_file="page.html.j2",
            extra_loaders=[FileSystemLoader(TEMPLATES)],
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            sanitize_html=True,  # the lab template then passes markup through clean_html
        )
        self.exporter.register_filter("clean_html", sanitise)
        self.exporter.register_filter("readable_table", self.readable_table)
        self.md = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True)
        self.colours, self.symbols = colours.VERDICT_COLOURS, colours.VERDICT_SYMBOLS
        self.claim_pages: dict[str, str] = {}  # claim id -> page of the cell that checks it
        self.external_anchors: set[str] = set()  # claims anchored on the cross-checks page
        self.primary: dict[str, str] = {}  # claim -> its primary reading's claim_id
        self.index: list[dict] = []  # the search index: one entry per section of every page
        self.unplaced: list[str] = []  # claims no cell of their notebook mentions

    def copy_assets(self) -> None:
        """The stylesheets and script every page loads, JupyterLab's own look among them."""
        (self.out / "notebooks").mkdir(parents=True, exist_ok=True)
        ignore = shutil.ignore_patterns("*.j2")
        shutil.copytree(TEMPLATES, self.out / "assets", ignore=ignore, dirs_exist_ok=True)
        lab = next(Path(d) for d in self.exporter.template_paths if Path(d).name == "lab")
        css = [(lab / "static" / n).read_text("utf-8") for n in ("index.css", "theme-light.css")]
        (self.out / "assets" / "lab.css").write_text("\n".join(css), encoding="utf-8")

    def read_notebooks(self, student_notebook=None) -> dict:
        """Every notebook as its page shows it ({name: node}), each claim anchored at the cell
        that checks it; the notebook a reader downloads is written under notebooks/."""
        import nbformat

        ledger, checked = read_csv(paths.CLAIMS), list(read_csv(EXTERNAL)["claim_id"])
        primaries = ledger[ledger["primary"] == "true"]
        self.primary = dict(zip(primaries["claim"], primaries["claim_id"], strict=True))
        nodes = {}
        for nb in self.notebooks:
            node = nbformat.read(nb.path, as_version=4)
            if student_notebook:  # no solutions, nothing that gives them away
                node = student_notebook(node, nb.name)
                nbformat.write(node, self.out / "notebooks" / f"{nb.name}.ipynb")
            else:
                shutil.copyfile(nb.path, self.out / "notebooks" / f"{nb.name}.ipynb")
            own = list(ledger.loc[ledger["notebook"] == nb.name, "claim_id"])
            cross = [c for c in checked if c not in own] if nb == notebooks.CROSS_CHECKS else []
            placed = mark_claims(node, own + cross)
            self.claim_pages |= {c: nb.name for c in placed if c in own}
            self.external_anchors |= set(placed) & set(cross)
            self.unplaced += sorted(set(own + cross) - set(placed))
            nodes[nb.name] = node
        return nodes

    def claim_href(self, claim: str, page: str | None = None, anchored=None) -> str:
        anchored = self.claim_pages if anchored is None else anchored
        if claim not in anchored:  # a claim is anchored where its primary reading is checked
            claim = self.primary.get(claim, claim)
        page = page or self.claim_pages[claim]
        return f"{page}.html#claim-{claim}" if claim in anchored else f"{page}.html"

    def badge(self, verdict: str) -> str:
        colour, symbol = self.colours.get(verdict, "#999"), self.symbols.get(verdict, "")
        word = html.escape(verdict)  # a verdict the palette does not know comes from data
        return f'<span class="verdict" style="--verdict:{colour}">{symbol} {word}</span>'

    def readable_table(self, table: str) -> str:
        """A pandas table for people: no NaN or <NA>, no bare row numbers, no underscores in
        headers, verdicts as badges, claim ids as links to the cell that checks them."""
        table = re.sub(
            r"<td>(NaN|nan|&lt;NA&gt;|None|NaT)</td>", '<td class="missing">–</td>', table
        )
        table = re.sub(r"<th>(\w+)</th>", lambda m: f"<th>{m[1].replace('_', ' ')}</th>", table)
        body = table.split("<tbody>", 1)[-1]  # the header's blank corner is no row number
        numbers = re.findall(r"<tr>\s*<th>([^<]*)</th>", body)
        if numbers and all(n.isdigit() for n in numbers):
            table = re.sub(r"(<tr[^>]*>\s*)<th>\d*</th>", r"\1", table)  # pandas' 0, 1, 2...
        table = table.replace("<th></th>", "<td></td>")  # pandas' blank corner: no header
        verdicts = "|".join(map(re.escape, self.colours))
        table = re.sub(rf"<td>({verdicts})</td>", lambda m: f"<td>{self.badge(m[1])}</td>", table)

        def link(m: re.Match) -> str:
            return f'<td><a href="{self.claim_href(m[1])}">{m[1]}</a></td>'

        def target(m: re.Match) -> str:  # helpers.claims.reader_table: the quote links here
            known = m[1] in self.claim_pages or self.primary.get(m[1]) in self.claim_pages
            return f'href="{self.claim_href(m[1])}"' if known else m[0]

        table = re.sub(r'href="#claim-(C\d\d-[A-Za-z0-9-]+)"', target, table)
        table = re.sub(
            r"<td>(C\d\d-[A-Za-z0-9-]+)</td>",
            lambda m: link(m) if m[1] in self.claim_pages else m[0],
            table,
        )
        return as_cards(table) if 'class="verdict"' in table else table

    def render(self, node, name: str, title: str) -> None:
        site = {"pages": self.pages, "current": name, "name": NAME, "commit": self.commit}
        site |= {"notebook": name in {p.name for p in self.notebooks}, "binder": binder_url(name)}
        site["fallback_alt"] = f"A figure of the page '{title}' (described once it is rerun)"
        resources = {"metadata": {"name": f"{title} | {NAME}"}, "site": site}
        page, _ = self.exporter.from_notebook_node(node, resources=resources)
        # the in-page contents and the search index's entries, from the headings' ids
        found = [(n, i, visible_text(t)) for n, i, t in HEADING.findall(page) if n != "1"]
        items = "".join(
            f'<li class="level-{n}"><a href="#{i}">{html.escape(t)}</a></li>' for n, i, t in found
        )
        toc = (  # folded on a phone by site.js, open on a wide screen
            '<nav class="toc" aria-label="On this page"><details class="fold" open>'
            f"<summary>On this page</summary><ul>{items}</ul></details>"
        )
        page = self.fix_links(
            page.replace("<!--site:toc-->", f"{toc}</nav>" if found else ""), name
        )
        heads = list(HEADING.finditer(page))
        for h, after in zip(heads, [*heads[1:], None], strict=True):
            body = page[h.end() : after.start() if after else page.rindex("</main>")]
            entry = {"page": title, "url": f"{name}.html#{h[2]}", "title": visible_text(h[3])}
            self.index.append(entry | {"text": visible_text(body)})
        (self.out / f"{name}.html").write_text(page, encoding="utf-8")

    def fix_links(self, page: str, name: str) -> str:
        """Links written for the repository (``01_introduction.ipynb``, ``GLOSSARY.md``,
        ``../data/claims.csv``) made into site links; one that resolves to nothing is reported."""
        pages = {n for n, _, _ in self.pages}
        special = {INSTRUCTOR_MD: "instructor", GLOSSARY_MD: "glossary"}
        made = {f"{n}.html" for n in pages} | {f"notebooks/{p.name}.ipynb" for p in self.notebooks}

        def fix(m: re.Match) -> str:
            url = html.unescape(m[2])
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or not parts.path or url.startswith(("#", "/")):
                return m[0]
            if parts.path in made or (self.out / parts.path).exists():
                return m[0]
            target, new = (paths.NOTEBOOKS / parts.path).resolve(), None
            rel = target.relative_to(paths.ROOT) if target.is_relative_to(paths.ROOT) else None
            if special.get(target) in pages or (target.suffix == ".ipynb" and target.stem in pages):
                new = f"{special.get(target, target.stem)}.html"
            elif target == INSTRUCTOR_MD:  # expected answers: never copied into an edition
                pass
            elif target.is_file() and rel and rel.parts[0] not in {".git", ".venv", "build"}:
                (self.out / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(target, self.out / "files" / rel)
                new = f"files/{rel.as_posix()}"
            if new is None:
                self.broken.append(f"{name}.html: {url}")
                return m[0]
            return f'{m[1]}="{html.escape(new + (f"#{parts.fragment}" if parts.fragment else ""))}"'

        return re.sub(r'\b(href|src)="([^"]*)"', fix, page)  # nbconvert's markup: see HEADING

    def markdown_page(self, name: str, title: str, text: str) -> None:
        import nbformat

        node = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text, id="text")])
        self.render(node, name, title)

    def landing(self) -> str:
        """The landing page: counts from claim_summary.csv, the findings once, in the order and
        words of findings.csv (both written by notebook 00; no fallback)."""
        frame, ranked = read_csv(SUMMARY), read_csv(FINDINGS)
        counts, cross = frame["verdict"].value_counts(), notebooks.CROSS_CHECKS.name
        pages = dict(zip(frame["claim"], frame["notebook"], strict=True))
        links = [
            self.claim_href(c, cross, self.external_anchors)
            if check == "external"
            else self.claim_href(c, pages[c])
            for c, check in zip(ranked["claim"], ranked["check"], strict=True)
        ]
        return self.md.get_template("index.md.j2").render(
            rows=frame.to_dict("records"),
            findings=[
                r | {"link": h} for r, h in zip(ranked.to_dict("records"), links, strict=True)
            ],
            checks=read_csv(EXTERNAL).to_dict("records"),
            verdicts=[v for v in dict.fromkeys([*self.colours, *counts.index]) if v in counts],
            site=self,
            cross=cross,
            cff=citation(),
            binder=binder_url(),
            repository=colophon.repository(),
            versions=[(n, version(n)) for n in VERSIONED],
        )

    def instructor(self) -> str:
        import papermill

        with contextlib.redirect_stdout(None), contextlib.redirect_stderr(None):
            found = [(nb, papermill.inspect_notebook(nb.path).values()) for nb in self.notebooks]
        frame = read_csv(SUMMARY)
        return self.md.get_template("instructor.md.j2").render(
            notes=INSTRUCTOR_MD.read_text(encoding="utf-8"),
            markers=(PARAMETERS_MARKER, INCONSISTENCIES_MARKER),
            parameters=found,
            bad=frame[frame["verdict"] == "inconsistent"].to_dict("records"),
            href=self.claim_href,
        )


def build(out: Path | None = None, quiet: bool = False, student_notebook=None) -> dict:
    """Write one edition; returns a summary (out, pages, bytes, broken links, unplaced claims).

    Given ``student_notebook(node, name) -> node`` (``tools.student`` passes it), the edition is
    the student edition: every notebook as that makes it for students, no instructor notes.

    The edition is written into a folder beside ``out`` and swapped in only when complete, so
    a reader (or a second build) never sees half a site and a failed build leaves the old one.
    """
    student = student_notebook is not None
    final = Path(out or SITE)
    final.parent.mkdir(parents=True, exist_ok=True)
    # named with this process's id: a later run removes it if this one is killed mid-build
    aside = Path(tempfile.mkdtemp(prefix=f".{final.name}.{os.getpid()}-", dir=final.parent))
    try:
        summary = _write(aside, student_notebook)
    except BaseException:
        shutil.rmtree(aside, ignore_errors=True)
        raise
    aside.chmod(0o755)  # mkdtemp's folder is private; an edition is for readers
    old = final.with_name(f"{aside.name}.old")
    if final.exists():
        final.rename(old)
    aside.rename(final)
    shutil.rmtree(old, ignore_errors=True)
    if not quiet:
        edition = "student edition" if student else "site"
        size, pages = summary["bytes"] / 1e6, len(summary["pages"])
        print(f"{edition}: {pages} pages, {size:.2f} MB in {paths.relative(final)}/")
        for link in summary["broken"]:
            print(f"broken link: {link}", file=sys.stderr)
    return {**summary, "out": final}


def _write(out: Path, student_notebook) -> dict:
    """Write one edition into the empty folder ``out``."""
    from tools.nbfiles import skip_slow_validator

    skip_slow_validator()  # nbformat's schemas need no IRI checks: 2 s of imports saved
    student = student_notebook is not None
    site = Site(out, student)
    site.copy_assets()
    nodes = site.read_notebooks(student_notebook)
    for nb in site.notebooks:  # after every claim is placed: tables link across pages
        site.render(nodes[nb.name], nb.name, nb.title)
    site.markdown_page("glossary", "Glossary", GLOSSARY_MD.read_text(encoding="utf-8"))
    if student:
        text = site.md.get_template("student.md.j2").render(pages=site.notebooks)
        site.markdown_page("index", "Student edition", text)
    else:
        site.markdown_page("index", "What the audit found", site.landing())
    # the search index is a script, which browsers load from disk too (fetch they refuse there)
    data = json.dumps(site.index, ensure_ascii=False)
    (out / "assets" / "search-index.js").write_text(f"window.SEARCH_INDEX = {data};\n", "utf-8")
    pages = sorted(p.name for p in out.glob("*.html"))
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"pages": pages, "bytes": size, "broken": site.broken, "unplaced": site.unplaced}


def input_files() -> list[Path]:
    """What a build reads: notebooks, notes, ledger, derived tables, templates, code, lock."""
    found = [*paths.NOTEBOOKS.glob("*.ipynb"), *paths.DERIVED.glob("*.csv"), *TEMPLATES.iterdir()]
    notes = [INSTRUCTOR_MD, GLOSSARY_MD, CITATION, paths.CLAIMS, paths.ROOT / "requirements.txt"]
    # the registry (pages, order), the palette (badges), the colophon
    code = [Path(notebooks.__file__), Path(colours.__file__)]
    code.append(Path(__file__).with_name("colophon.py"))
    return [*sorted(found), *notes, *code, Path(__file__)]


def inputs_digest() -> str:
    digest = hashlib.sha256(f"site\n{git_commit()}\n".encode())
    for path in input_files():
        content = path.read_bytes() if path.is_file() else b"(missing)"
        digest.update(f"{paths.relative(path)}\0{hashlib.sha256(content).hexdigest()}\n".encode())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    from tools import cli, kernels

    kernels.remove_stale()  # editions of builds that were killed (SIGKILL cleans nothing)
    return cli.guard(_main, argv)  # "Interrupted", a read-only or full disk: one sentence


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.site", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--if-stale", action="store_true", help="build only if an input changed")
    parser.add_argument("--out", metavar="DIR", help="write the edition here instead")
    parser.add_argument("--screenshot", metavar="PNG", help="then save the landing page here")
    parser.add_argument(
        "--pdf", metavar="PDF", help="then print the edition into one PDF here (and pdf/ beside)"
    )
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else SITE
    if args.screenshot or args.pdf:
        from tools import browser

        missing = browser.missing_chromium("prints the PDF and takes the screenshot")
        if missing:
            print(missing, file=sys.stderr)
            return 1
    digest = inputs_digest()  # before building: an edit made meanwhile is not missed
    stamp = out / INPUTS_STAMP
    fresh = (
        (out / "index.html").is_file() and stamp.is_file() and stamp.read_text().strip() == digest
    )
    if args.if_stale and fresh:
        print(f"site: up to date in {paths.relative(out)}/ (inputs unchanged)")
    else:
        if build(out=out)["broken"]:
            print("broken links (see above)", file=sys.stderr)
            return 1
        (out / INPUTS_STAMP).write_text(digest + "\n", encoding="utf-8")
    if args.screenshot or args.pdf:
        from tools import browser

        if args.screenshot:
            print(f"wrote {paths.relative(browser.screenshot(Path(args.screenshot), out))}")
        if args.pdf:  # and one PDF per notebook beside it, in pdf/ (a reading list)
            each = Path(args.pdf).parent / "pdf"
            each.mkdir(parents=True, exist_ok=True)
            made = browser.print_edition(Path(args.pdf), out, each=each)
            print(f"wrote {paths.relative(made['pdf'])} ({made['pages']} pages)")
            count = len(list(each.glob("*.pdf")))
            print(f"wrote {count} PDFs, one per notebook, in {paths.relative(each)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
