"""Build the static site (``python -m tools.site``) and the student edition (``--student``).

Everything is rendered offline with nbconvert's ``HTMLExporter`` and one small template that
extends nbconvert's ``lab`` template and blanks its script blocks (require.js, MathJax,
Mermaid, widgets), which would otherwise load code from CDNs. The JupyterLab stylesheet is
written once to ``assets/lab.css`` instead of being inlined into every page. Figures stay
embedded as PNG data URIs, so a page loads nothing from the internet.

Site layout (``build/site/``, git-ignored)::

    index.html            what the article is, what the audit found, how to run and cite it
    NN_name.html          one page per existing notebook, in reading order, with prev/next
    instructor.html       notebooks/INSTRUCTOR.md plus tables generated from the notebooks
    notebooks/*.ipynb     the notebooks to download
    files/...             repository files a notebook links to (copied, e.g. data/claims.csv)
    assets/*.css

The student edition (``build/student/``) has the same pages and downloads with every cell
tagged ``solution`` removed by nbconvert's ``TagRemovePreprocessor``; it has no instructor page
and no audit summary.

Speed (about 4 s for the site on two cores, from 13 s): the notebook pages are rendered by forked
worker processes; each page is parsed once (nbconvert parses it anyway, and the claim anchors are
read from that tree); code cells are not run through bleach (see ``TEMPLATE``); and jsonschema is
imported without rfc3987-syntax (see ``_import_jsonschema_without_rfc3987_syntax``). The output
is byte-identical to a sequential build.

``python -m tools.site --if-stale`` (``--student`` too) rebuilds only when the inputs differ
from those the edition was built from: the digest of the files in ``input_files()`` and of the
commit shown in the colophon, written to ``.inputs.sha256`` in the edition's folder. The check
imports neither nbconvert nor pandas.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import hashlib
import html
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

from helpers import notebooks, paths

SITE = paths.BUILD / "site"
STUDENT = paths.BUILD / "student"
INSTRUCTOR_MD = paths.NOTEBOOKS / "INSTRUCTOR.md"
CITATION = paths.ROOT / "CITATION.cff"
SOLUTION_TAG = "solution"
# Written into an edition's folder by ``python -m tools.site``: the digest of the inputs it
# was built from, which ``--if-stale`` compares before importing anything heavy.
INPUTS_STAMP = ".inputs.sha256"
# Markers in INSTRUCTOR.md replaced by tables generated at build time (appended if absent).
PARAMETERS_MARKER = "<!-- site: parameters -->"
INCONSISTENCIES_MARKER = "<!-- site: inconsistencies -->"
VERSIONED = (
    "jupyterlab",
    "nbconvert",
    "nbformat",
    "papermill",
    "pandas",
    "matplotlib",
    "seaborn",
    "jinja2",
    "mistune",
    "pygments",
)
# The system's Chromium (set CHROMIUM to use another binary), with flags for the browser test
# and the screenshot: no sandbox (containers), and no
# background traffic of Chromium's own, so that every request seen comes from the page.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))  # Debian's package
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Extends nbconvert's lab template. The blanked blocks are the ones that emit <script> tags
# pointing at CDNs; notebook_css links the shared stylesheets instead of inlining them. The
# input block is the lab template's without `| clean_html`: bleach re-parsed every code cell's
# Pygments output (a quarter of the rendering time), which escapes the source and which bleach
# left unchanged (the pages are byte-identical with and without it).
TEMPLATE = """\
{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block notebook_css -%}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="assets/lab.css">
<link rel="stylesheet" href="assets/site.css">
{%- endblock notebook_css -%}
{%- block body_header -%}
{{ super() }}
{{ resources.site.header }}
{%- endblock body_header -%}
{%- block body_footer -%}
{{ resources.site.footer }}
{{ super() }}
{%- endblock body_footer -%}
{% block input %}
<div class="jp-CodeMirrorEditor jp-Editor jp-InputArea-editor" data-type="inline">
     <div class="cm-editor cm-s-jupyter">
{{ cell.source | highlight_code(metadata=cell.metadata) }}
     </div>
</div>
{%- endblock input %}
"""

SITE_CSS = """\
/* What nbconvert's lab template puts inline, plus the site's navigation. */
* { -webkit-print-color-adjust: exact; }
a.anchor-link { display: none; }
.jp-InputArea, .jp-InputArea-editor { overflow: hidden; }
.cm-editor.cm-s-jupyter .highlight pre {
  padding: var(--jp-code-padding) 4px; margin: 0;
  font-family: inherit; font-size: inherit; line-height: inherit; color: inherit;
}
.jp-OutputArea-output pre { line-height: inherit; font-family: inherit; }
.jp-RenderedText pre { color: var(--jp-content-font-color1); font-size: var(--jp-code-font-size); }
.jp-Collapser { display: none; }
@media print { .jp-Cell-inputWrapper, .jp-Cell-outputWrapper { display: block; } }
main { max-width: 1100px; margin: 0 auto; }
nav.site { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; align-items: baseline;
  padding: 0.8em 1em; margin: 0 0 1em; border-bottom: 1px solid #ccc;
  font-family: var(--jp-ui-font-family); font-size: 0.95em; }
nav.site.bottom { border-bottom: none; border-top: 1px solid #ccc; margin: 2em 0 0; }
nav.site .edition { color: #555; }
nav.site .spacer { flex: 1; }
nav.site a { text-decoration: none; }
nav.site a:hover { text-decoration: underline; }
details.claims summary { cursor: pointer; font-weight: bold; }
.colophon { color: #555; font-size: 0.9em; }
"""


# --- data for the pages -------------------------------------------------------------------


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=paths.ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()


def git_commit() -> str:
    """Short commit hash, with '+ local changes' when the work tree differs from it."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{head} + local changes" if dirty else head


def versions() -> dict[str, str]:
    found = {"python": sys.version.split()[0]}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def citation() -> dict:
    import yaml

    return yaml.safe_load(CITATION.read_text(encoding="utf-8"))


def _names(people: list[dict]) -> str:
    # Japanese names in the family-given order the book prints.
    return " and ".join(p.get("name") or f"{p['family-names']} {p['given-names']}" for p in people)


def article_reference(cff: dict) -> str:
    """The audited article, formatted in markdown from CITATION.cff's first reference."""
    ref = cff["references"][0]
    publisher = ref["publisher"]
    return (
        f'{_names(ref["authors"])}, "{ref["title"]}", in {_names(ref["editors"])} (eds.), '
        f"*{ref['collection-title']}* ({publisher['city']}: {publisher['name']}, {ref['year']})."
    )


def compendium_reference(cff: dict, commit: str) -> str:
    return (
        f"{_names(cff['authors'])}, <em>{html.escape(cff['title'].strip())}</em>, "
        f"version {cff['version']} "
        f"(commit {commit.split()[0]}). Licences: {', '.join(cff['license'])} (see LICENSE.md)."
    )


def verdict_table():
    """The ledger joined with the current verdicts; a claim without a verdict says so."""
    import pandas as pd

    from helpers import claims

    ledger = pd.read_csv(paths.CLAIMS, dtype=str, keep_default_na=False)
    verdicts_csv = paths.DERIVED / "claim_verdicts.csv"
    if verdicts_csv.exists():
        verdicts = pd.read_csv(verdicts_csv, dtype=str, keep_default_na=False)
    else:
        verdicts = pd.DataFrame(columns=claims.VERDICT_COLUMNS)
    merged = ledger[["claim_id", "section", "notebook", "quote", "stated_value", "unit"]].merge(
        verdicts[["claim_id", "recomputed", "verdict", "note"]], on="claim_id", how="left"
    )
    merged["verdict"] = merged["verdict"].fillna("no verdict yet")
    return merged.fillna("").sort_values(["notebook", "claim_id"], ignore_index=True)


def parameters_of(nb: notebooks.Notebook) -> list[dict]:
    """The notebook's parameters cell as papermill reads it (name, type, default, help)."""
    import papermill

    with contextlib.redirect_stdout(None), contextlib.redirect_stderr(None):
        found = papermill.inspect_notebook(str(nb.path))
    return list(found.values())


# --- markdown helpers ---------------------------------------------------------------------


def md_cell(source: str):
    import nbformat

    return nbformat.v4.new_markdown_cell(source)


def md_escape(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return html.escape(str(text), quote=False).replace("|", "\\|").replace("\n", " ")


def md_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


# --- rendering ----------------------------------------------------------------------------


def _import_jsonschema_without_rfc3987_syntax() -> None:
    """Import jsonschema (which nbformat, nbconvert and papermill import) 2 s sooner.

    When the optional package rfc3987-syntax is installed (it is, in the lock, for jupyter's
    event schemas), ``import jsonschema`` imports it, and it compiles a Lark grammar at import:
    measured here, 2 of the 3.8 s it takes to import nbconvert and pandas. jsonschema only uses
    it to check the ``iri`` formats, which nothing the site imports validates. So it is hidden
    while jsonschema is first imported, and importable again afterwards.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # makes ``import rfc3987_syntax`` raise ImportError
    try:
        import jsonschema  # noqa: F401
    finally:
        del sys.modules["rfc3987_syntax"]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a page is parsed.

    A page's tree is some 10^5 objects made at once; the collector would scan them again and
    again while they are made (measured: a third of the parse time). They are collected later.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@functools.cache
def _exporter_class():
    """nbconvert's HTMLExporter, with a method that returns the parsed page instead of text.

    ``HTMLExporter.from_notebook_node`` parses the rendered page with BeautifulSoup (to add alt
    text and tabindex) and returns ``str(soup)``; the site needs that tree too (for the claim
    anchors), and parsing a page costs more than rendering its markdown, so the tree is kept.
    The body below is nbconvert 7's ``from_notebook_node`` with the final ``str()`` left out.
    """
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter
    from nbconvert.exporters.html import Highlight2HTML, WidgetsDataTypeFilter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class SiteExporter(HTMLExporter):
        def soup_from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            text, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            soup = BeautifulSoup(text, features="html.parser")
            # nbconvert's CSS selectors, as find_all calls (soupsieve takes 3 times as long):
            # "img:not([alt])", ".jp-Notebook div.jp-Cell-inputWrapper", ".jp-Notebook
            # div.jp-OutputArea-output"
            missing_alt = soup.find_all("img", alt=False)
            for elem in missing_alt:
                elem.attrs["alt"] = "No description has been provided for this image"
            if missing_alt:
                self.log.warning("Alternative text is missing on %s image(s).", len(missing_alt))
            for notebook in soup.find_all(class_="jp-Notebook"):
                for elem in notebook.find_all(
                    "div", class_=("jp-Cell-inputWrapper", "jp-OutputArea-output")
                ):
                    elem.attrs["tabindex"] = "0"
            return soup, resources

        def from_notebook_node(self, nb, resources=None, **kw):
            soup, resources = self.soup_from_notebook_node(nb, resources, **kw)
            return str(soup), resources

    return SiteExporter


class Renderer:
    """One HTMLExporter for every page of an edition, and the rules for its links."""

    def __init__(self, out: Path, student: bool, pages: tuple[notebooks.Notebook, ...]):
        from jinja2 import DictLoader

        self.out = out
        self.student = student
        self.pages = pages
        self.exporter = _exporter_class()(
            template_name="lab",
            template_file="compendium.html.j2",
            extra_loaders=[DictLoader({"compendium.html.j2": TEMPLATE})],
            mathjax_url="",
            require_js_url="",
        )
        self.broken: list[str] = []

    # The pages every edition has, for the navigation bar.
    def header(self, current: str, nb: notebooks.Notebook | None) -> str:
        edition = "student edition" if self.student else "compendium"
        links = [f'<a href="index.html">Home</a> <span class="edition">({edition})</span>']
        for page in self.pages:
            short = page.title.split(":")[0].split(",")[0]
            label = f"{page.name.split('_')[0]} {html.escape(short)}"
            if page.name == current:
                links.append(f"<strong>{label}</strong>")
            else:
                title = html.escape(page.title)
                links.append(f'<a href="{page.name}.html" title="{title}">{label}</a>')
        if not self.student:
            links.append(
                "<strong>Instructor</strong>"
                if current == "instructor"
                else '<a href="instructor.html">Instructor</a>'
            )
        parts = [*links]
        if nb is not None:
            parts += [
                '<span class="spacer"></span>',
                f'<a class="download" href="notebooks/{nb.name}.ipynb" download>'
                f"Download {nb.name}.ipynb</a>",
            ]
        return '<nav class="site top">' + " ".join(parts) + "</nav>"

    def footer(self, nb: notebooks.Notebook | None) -> str:
        if nb is None:
            return '<nav class="site bottom"><a href="index.html">Home</a></nav>'
        names = [p.name for p in self.pages]
        i = names.index(nb.name)
        prev = self.pages[i - 1] if i > 0 else None
        nxt = self.pages[i + 1] if i + 1 < len(self.pages) else None
        parts = []
        parts.append(
            f'<a rel="prev" href="{prev.name}.html">&larr; Previous: {html.escape(prev.title)}</a>'
            if prev
            else '<a rel="prev" href="index.html">&larr; Home</a>'
        )
        parts.append('<span class="spacer"></span>')
        parts.append(
            f'<a rel="next" href="{nxt.name}.html">Next: {html.escape(nxt.title)} &rarr;</a>'
            if nxt
            else '<a rel="next" href="index.html">Home &rarr;</a>'
        )
        return '<nav class="site bottom">' + " ".join(parts) + "</nav>"

    def render(self, nb_node, name: str, title: str, nb: notebooks.Notebook | None) -> str:
        return self.render_with_anchors(nb_node, name, title, nb)[0]

    def render_with_anchors(
        self, nb_node, name: str, title: str, nb: notebooks.Notebook | None
    ) -> tuple[str, dict[str, str]]:
        """The page, and its claim anchors read from the same parse (see ``claim_anchors``)."""
        resources = {
            "metadata": {"name": title},
            "site": {"header": self.header(name, nb), "footer": self.footer(nb)},
        }
        with _collector_paused():
            soup, _ = self.exporter.soup_from_notebook_node(nb_node, resources=resources)
            page = self.fix_links(str(soup), source_dir=paths.NOTEBOOKS, page=f"{name}.html")
            return page, claim_anchors(soup)

    # Links written for the repository (``01_introduction.ipynb``, ``../data/claims.csv``) are
    # rewritten for the site: a notebook becomes its page, another repository file is copied
    # under files/. A link that resolves to nothing is reported (and fails the tests).
    def fix_links(self, page_html: str, source_dir: Path, page: str) -> str:
        def fix(match: re.Match) -> str:
            attr, url = match.group(1), html.unescape(match.group(2))
            parts = urlsplit(url)
            if parts.scheme or parts.netloc or url.startswith(("#", "/")) or not parts.path:
                return match.group(0)
            if (self.out / parts.path).exists() or self._will_exist(parts.path):
                return match.group(0)
            fragment = f"#{parts.fragment}" if parts.fragment else ""
            target = (source_dir / parts.path).resolve()
            if target.suffix == ".ipynb" and target.parent == paths.NOTEBOOKS:
                if target.stem in {p.name for p in self.pages}:
                    return f'{attr}="{html.escape(target.stem + ".html" + fragment)}"'
            elif target.is_file() and target.is_relative_to(paths.ROOT):
                relative = target.relative_to(paths.ROOT)
                if relative.parts[0] not in {".git", ".venv", "build"}:
                    copy = self.out / "files" / relative
                    copy.parent.mkdir(parents=True, exist_ok=True)
                    # pages are rendered in parallel: copy under a private name, then rename
                    private = copy.with_name(f".{copy.name}.{os.getpid()}")
                    shutil.copyfile(target, private)
                    os.replace(private, copy)
                    new = "files/" + relative.as_posix() + fragment
                    return f'{attr}="{html.escape(new)}"'
            self.broken.append(f"{page}: {url}")
            return match.group(0)

        return re.sub(r'\b(href|src)="([^"]*)"', fix, page_html)

    def _will_exist(self, path: str) -> bool:
        names = {f"{p.name}.html" for p in self.pages} | {
            f"notebooks/{p.name}.ipynb" for p in self.pages
        }
        return path in names | {"index.html"} | (set() if self.student else {"instructor.html"})


def claim_anchors(page_html) -> dict[str, str]:
    """Claim id -> id of the heading above the code cell that checks it.

    ``page_html`` is a page's HTML or its BeautifulSoup tree (the build passes the tree it has
    already parsed). A claim id built in an f-string (``f"C01-table1-min-affiliations-{kind}"``)
    is matched by its literal prefix.
    """
    from bs4 import BeautifulSoup

    if isinstance(page_html, BeautifulSoup):
        soup = page_html
    else:
        soup = BeautifulSoup(page_html, "html.parser")
    literal = re.compile(r"C\d\d-[A-Za-z0-9-]*")
    found: list[tuple[str, str]] = []  # (claim id or prefix, anchor) in document order
    heading = ""
    for element in soup.find_all(["h1", "h2", "h3", "h4", "div"]):
        if element.name != "div":
            heading = element.get("id") or heading
            continue
        classes = element.get("class") or []
        if "jp-CodeCell" not in classes:
            continue
        source = element.find(class_="jp-InputArea")
        text = source.get_text() if source else ""
        anchor = heading or element.get("id", "")
        found += [(token, anchor) for token in literal.findall(text)]
    anchors: dict[str, str] = {}
    for token, anchor in found:
        anchors.setdefault(token, anchor)
    return anchors


def anchor_for(claim_id: str, anchors: dict[str, str]) -> str:
    if claim_id in anchors:
        return anchors[claim_id]
    prefixes = [t for t in anchors if t.endswith("-") and claim_id.startswith(t)]
    return anchors[max(prefixes, key=len)] if prefixes else ""


def claim_link(row, anchors: dict[str, dict[str, str]], pages: set[str]) -> str:
    claim_id = html.escape(row["claim_id"])
    if row["notebook"] not in pages:
        return claim_id
    anchor = anchor_for(row["claim_id"], anchors.get(row["notebook"], {}))
    # nbconvert's heading ids are already percent-encoded: use them verbatim.
    fragment = f"#{html.escape(anchor)}" if anchor else ""
    return f'<a href="{row["notebook"]}.html{fragment}">{claim_id}</a>'


# --- pages --------------------------------------------------------------------------------


def landing_cells(existing, anchors, commit: str) -> list:
    from helpers import claims

    cff = citation()
    table = verdict_table()
    pages = {nb.name for nb in existing}
    order = [*claims.VERDICTS, *sorted(set(table["verdict"]) - set(claims.VERDICTS))]

    by_verdict = table["verdict"].value_counts()
    verdict_rows = [
        [v, int(by_verdict.get(v, 0)), f"{by_verdict.get(v, 0) / len(table):.0%}"]
        for v in order
        if by_verdict.get(v, 0)
    ]
    crosstab = table.groupby(["notebook", "verdict"]).size().unstack(fill_value=0)
    notebook_rows = []
    for name in crosstab.index:
        label = f"[{name}]({name}.html)" if name in pages else f"{name} (not yet on the site)"
        counts = [int(crosstab.loc[name].get(v, 0)) for v in order]
        notebook_rows.append([label, *counts, sum(counts)])
    totals = [int(crosstab[v].sum()) if v in crosstab else 0 for v in order]
    notebook_rows.append(["**all**", *totals, sum(totals)])

    bad = table[table["verdict"] == claims.INCONSISTENT]
    inconsistency_rows = [
        [
            claim_link(r, anchors, pages),
            md_escape(f"{r['stated_value']} {r['unit']}"),
            md_escape(r["recomputed"]),
            md_escape(r["note"]),
        ]
        for _, r in bad.iterrows()
    ]
    every = "\n".join(
        "<tr>"
        + f"<td>{claim_link(r, anchors, pages)}</td>"
        + "".join(
            f"<td>{html.escape(r[c])}</td>"
            for c in ("section", "stated_value", "recomputed", "verdict")
        )
        + "</tr>"
        for _, r in table.iterrows()
    )
    notebook_list = "\n".join(
        f"{i}. [{nb.title}]({nb.name}.html) ({nb.covers}); "
        f"[download {nb.name}.ipynb](notebooks/{nb.name}.ipynb)"
        for i, nb in enumerate(existing, start=1)
    )
    version_rows = [[name, version] for name, version in versions().items()]

    intro = f"""# {html.escape(cff["title"].strip())}

This site presents a Jupyter research compendium that reproduces, audits and teaches every
quantitative claim of one article:

> {article_reference(cff)}

The article surveys what Japan's prefectures and municipalities did abroad around 2001: their
budgets for international activities, sister affiliations, international exchange associations,
foreign residents and cooperation programmes. Each notebook takes one part of the article,
transcribes its tables as data, quotes each claim and recomputes it; the verdict for each claim
is computed by code, never typed in. The pages below are the executed notebooks, rendered
without any code running in your browser."""

    found = f"""## What the audit found

The claims ledger (`data/claims.csv`) has **{len(table)}** rows: one per claim and per reading
of it. Their verdicts (`data/derived/claim_verdicts.csv`), as computed by the notebooks:

{md_table(["verdict", "claims", "share"], verdict_rows)}

By notebook:

{md_table(["notebook", *order, "total"], notebook_rows)}

### Inconsistencies

Each claim links to the section of the notebook that recomputes it.

{
        md_table(["claim", "stated", "recomputed", "arithmetic"], inconsistency_rows)
        if inconsistency_rows
        else "None at present."
    }

<details class="claims"><summary>Every claim and its verdict ({len(table)})</summary>
<table>
<thead><tr><th>claim</th><th>section</th><th>stated</th><th>recomputed</th><th>verdict</th></tr></thead>
<tbody>
{every}
</tbody>
</table>
</details>"""

    read = f"""## The notebooks

Read them in this order; the audit report comes first because it is what most readers want.

{notebook_list}

Teaching with them? See the [instructor notes](instructor.html)."""

    run = """## How to run it

On a machine with Python 3.11, pip, make and git, in a clone of the repository:

```sh
make        # installs the locked environment into .venv, runs every notebook, builds this site
make test   # the whole suite: helpers, data validation, nbval on every notebook, other parameters
```

`make lab` opens the notebooks in JupyterLab; `make student` writes the student edition
(exercise solutions removed) under `build/student/`. Nothing needs the internet once `.venv`
is installed."""

    cite = f"""## How to cite

Please cite the compendium (from `CITATION.cff`):

> {compendium_reference(cff, commit)}

and the article it audits:

> {article_reference(cff)}

The article's text is not part of the compendium; only short quotations appear, for criticism
and commentary."""

    colophon = f"""## Colophon

<div class="colophon">

Built by `python -m tools.site` with nbconvert, offline, from git commit
`{html.escape(commit)}`. Pages load nothing from other sites; figures are embedded images.

{md_table(["package", "version"], version_rows)}

</div>"""
    return [md_cell(s) for s in (intro, found, read, run, cite, colophon)]


def instructor_cells(existing) -> list:
    from helpers import claims

    text = INSTRUCTOR_MD.read_text(encoding="utf-8")
    param_rows = []
    for nb in existing:
        for p in parameters_of(nb):
            param_rows.append(
                [
                    f"[{nb.name}]({nb.name}.html)",
                    f"`{p['name']}`",
                    md_escape(p["inferred_type_name"]),
                    f"`{md_escape(p['default'])}`",
                    md_escape(p.get("help", "")),
                ]
            )
    parameters = (
        "*Generated from each notebook's `parameters` cell with `papermill.inspect_notebook`.*\n\n"
        + md_table(["notebook", "parameter", "type", "default", "what it does"], param_rows)
    )
    table = verdict_table()
    pages = {nb.name for nb in existing}
    bad = table[table["verdict"] == claims.INCONSISTENT]
    rows = [
        [
            claim_link(r, {}, pages),
            md_escape(r["section"]),
            md_escape(f"{r['stated_value']} {r['unit']}"),
            md_escape(r["recomputed"]),
            md_escape(r["note"]),
        ]
        for _, r in bad.iterrows()
    ]
    inconsistencies = (
        f"*Generated from `data/derived/claim_verdicts.csv`: {len(rows)} inconsistent "
        "claims at present.*\n\n"
        + (
            md_table(["claim", "section", "stated", "recomputed", "arithmetic"], rows)
            if rows
            else "None at present."
        )
    )
    for marker, generated in (
        (PARAMETERS_MARKER, parameters),
        (INCONSISTENCIES_MARKER, inconsistencies),
    ):
        text = text.replace(marker, generated) if marker in text else f"{text}\n\n{generated}"
    return [md_cell(text)]


def student_cells(existing) -> list:
    notebook_list = "\n".join(
        f"{i}. [{nb.title}]({nb.name}.html); [download {nb.name}.ipynb](notebooks/{nb.name}.ipynb)"
        for i, nb in enumerate(existing, start=1)
    )
    intro = f"""# Student edition: auditing "International Policies of Local Governments"

These are the compendium's notebooks with the exercise solutions taken out. Read them in this
order, then download a notebook and work through its exercises in JupyterLab:

{notebook_list}

To run them you need a clone of the compendium with its environment installed (`make`). Put
your copies in `build/class/` (git ignores it), start JupyterLab there with
`.venv/bin/jupyter lab --notebook-dir=build/class`, and set `derived_dir = "derived"` in each
notebook's parameters cell so your verdicts stay beside your copies. Everything runs offline."""
    return [md_cell(intro)]


def _page_node(cells):
    import nbformat

    node = nbformat.v4.new_notebook()
    node.cells = cells
    for index, cell in enumerate(cells):
        cell.id = f"section-{index:02d}"  # fixed ids: the same input gives the same page
    node.metadata["language_info"] = {"name": "python"}
    return node


def _lab_css(renderer: Renderer) -> str:
    for folder in renderer.exporter.template_paths:
        index = Path(folder) / "static" / "index.css"
        if index.exists():
            theme = index.parent / "theme-light.css"
            return index.read_text(encoding="utf-8") + "\n" + theme.read_text(encoding="utf-8")
    raise FileNotFoundError("nbconvert's lab template (static/index.css) is not installed")


_TASK = None  # the function _map's forked workers run


def _run_task(item):
    return _TASK(item)


def _map(function, items, jobs: int, meanwhile) -> tuple[list, object]:
    """``([function(i) for i in items], meanwhile())``, with ``function`` run in forked
    processes while this one runs ``meanwhile`` (in turn when ``jobs`` is 1 or fork is missing).
    """
    global _TASK
    import multiprocessing

    jobs = min(jobs, len(items))
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(item) for item in items], meanwhile()
    _TASK = function
    gc.freeze()  # the workers neither scan nor copy what this process holds (e.g. pytest's)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pending = pool.map_async(_run_task, items, chunksize=1)
            other = meanwhile()
            return pending.get(), other
    finally:
        gc.unfreeze()
        _TASK = None


def build(
    out: Path | None = None,
    student: bool = False,
    quiet: bool = False,
    jobs: int | None = None,
) -> dict:
    """Write one edition; returns a summary (pages, files, bytes, seconds, broken links)."""
    _import_jsonschema_without_rfc3987_syntax()
    import nbformat
    from nbconvert.preprocessors import TagRemovePreprocessor

    started = time.perf_counter()
    jobs = jobs or os.cpu_count() or 1
    out = Path(out or (STUDENT if student else SITE))
    if out.exists():
        shutil.rmtree(out)
    (out / "assets").mkdir(parents=True)
    (out / "notebooks").mkdir()
    existing = notebooks.existing()
    renderer = Renderer(out, student, existing)
    (out / "assets" / "lab.css").write_text(_lab_css(renderer), encoding="utf-8")
    (out / "assets" / "site.css").write_text(SITE_CSS, encoding="utf-8")
    strip = TagRemovePreprocessor(remove_cell_tags={SOLUTION_TAG}, enabled=True)

    from tools import run

    def render_notebook(nb: notebooks.Notebook) -> tuple[str, dict[str, str], list[str]]:
        node = nbformat.read(nb.path, as_version=4)
        if student:
            node, _ = strip.preprocess(node, {})
            run.write_notebook(node, out / "notebooks" / f"{nb.name}.ipynb")
        else:
            shutil.copyfile(nb.path, out / "notebooks" / f"{nb.name}.ipynb")
        before = len(renderer.broken)
        page, found = renderer.render_with_anchors(node, nb.name, nb.title, nb)
        (out / f"{nb.name}.html").write_text(page, encoding="utf-8")
        return nb.name, found, renderer.broken[before:]

    # Each page depends only on its notebook, so the pages are rendered by forked workers (they
    # inherit the imported modules and the renderer), the largest first; the results are
    # gathered in reading order. Meanwhile this process writes the pages that need no anchors.
    def meanwhile() -> list[str]:
        before = len(renderer.broken)
        if student:
            index = renderer.render(
                _page_node(student_cells(existing)), "index", "Student edition", None
            )
            (out / "index.html").write_text(index, encoding="utf-8")
        else:
            instructor = renderer.render(
                _page_node(instructor_cells(existing)), "instructor", "Instructor notes", None
            )
            (out / "instructor.html").write_text(instructor, encoding="utf-8")
        broken = renderer.broken[before:]
        del renderer.broken[before:]
        return broken

    largest_first = sorted(existing, key=lambda nb: -nb.path.stat().st_size)
    rendered, broken_elsewhere = _map(render_notebook, largest_first, jobs, meanwhile)
    anchors: dict[str, dict[str, str]] = {}
    by_name = {result[0]: result for result in rendered}
    for nb in existing:
        _, anchors[nb.name], broken = by_name[nb.name]
        renderer.broken += broken
    if not student:
        index = renderer.render(
            _page_node(landing_cells(existing, anchors, git_commit())), "index", "Compendium", None
        )
        (out / "index.html").write_text(index, encoding="utf-8")
    renderer.broken += broken_elsewhere

    files = sorted(p for p in out.rglob("*") if p.is_file())
    summary = {
        "out": out,
        "pages": sorted(p.name for p in out.glob("*.html")),
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
        "seconds": time.perf_counter() - started,
        "broken": renderer.broken,
    }
    if not quiet:
        print(
            f"{'student edition' if student else 'site'}: {len(summary['pages'])} pages, "
            f"{summary['files']} files, {summary['bytes'] / 1e6:.2f} MB in "
            f"{paths.relative(out)}/ ({summary['seconds']:.1f} s)"
        )
        for link in renderer.broken:
            print(f"broken link: {link}", file=sys.stderr)
    return summary


# --- serving and the screenshot -----------------------------------------------------------


@contextlib.contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder on 127.0.0.1 (a free port) from a thread; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # keep test output clean
            pass

    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def screenshot(target: Path, folder: Path = SITE) -> Path:
    """A PNG of the landing page (for the README), taken with the system's Chromium."""
    from playwright.sync_api import sync_playwright

    target.parent.mkdir(parents=True, exist_ok=True)
    with serve(folder) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(base + "index.html", wait_until="load")
        page.screenshot(path=str(target))
        browser.close()
    return target


# --- building only when an input changed ---------------------------------------------------


def input_files() -> list[Path]:
    """The files a build reads: the notebooks, the notes, the ledger, the verdicts, the code,
    and the lock (the colophon lists the installed versions; nbconvert's templates render)."""
    helpers_dir = Path(__file__).parent
    return [
        *sorted(paths.NOTEBOOKS.glob("*.ipynb")),
        INSTRUCTOR_MD,
        CITATION,
        paths.CLAIMS,
        *sorted(paths.DERIVED.glob("*.csv")),
        *(helpers_dir / name for name in ("site.py", "notebooks.py", "claims.py", "run.py")),
        paths.ROOT / "requirements.txt",
    ]


def inputs_digest(student: bool) -> str:
    """SHA-256 over the edition, the commit the colophon shows, and every input's bytes."""
    digest = hashlib.sha256()
    digest.update(f"{'student' if student else 'site'}\n{git_commit()}\n".encode())
    for path in input_files():
        content = path.read_bytes() if path.is_file() else b"(missing)"
        name = paths.relative(path)
        digest.update(f"{name}\0{hashlib.sha256(content).hexdigest()}\n".encode())
    return digest.hexdigest()


def is_fresh(out: Path, digest: str) -> bool:
    stamp = out / INPUTS_STAMP
    return (
        (out / "index.html").is_file()
        and stamp.is_file()
        and stamp.read_text(encoding="utf-8").strip() == digest
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.site", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--student", action="store_true", help="build the student edition instead")
    parser.add_argument(
        "--screenshot",
        metavar="PNG",
        help="after building the site, save a screenshot of its landing page here",
    )
    parser.add_argument(
        "--if-stale",
        action="store_true",
        help=f"build only if the inputs differ from those recorded in the edition's {INPUTS_STAMP}",
    )
    parser.add_argument("--out", metavar="DIR", help="write the edition here instead")
    args = parser.parse_args(argv)
    out = Path(args.out) if args.out else (STUDENT if args.student else SITE)
    digest = inputs_digest(args.student)  # before building: an edit made meanwhile is not missed
    if args.if_stale and is_fresh(out, digest):
        edition = "student edition" if args.student else "site"
        print(f"{edition}: up to date in {paths.relative(out)}/ (inputs unchanged)")
    else:
        summary = build(out=out, student=args.student)
        if summary["broken"]:
            print(f"{len(summary['broken'])} broken links (see above)", file=sys.stderr)
            return 1
        (out / INPUTS_STAMP).write_text(digest + "\n", encoding="utf-8")
    if args.screenshot:
        print(f"screenshot: {paths.relative(screenshot(Path(args.screenshot), out))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
