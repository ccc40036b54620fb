"""The system's Chromium, driven by playwright: serve a folder, screenshot a page, print the
site as a print edition (contents with page numbers, page N of M, appendices as parts, links
only within the PDF or to the web) and a PDF per notebook, print one page. Used by
``python -m tools.site --screenshot/--pdf``, by ``python -m tools.report`` and by the browser
tests.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import html
import http.server
import io
import itertools
import os
import re
import struct
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from tools import notebooks

# Debian's package (set CHROMIUM to use another binary); no sandbox (containers) and no
# background traffic of Chromium's own, so that every request seen comes from the page.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def missing_chromium(purpose: str) -> str | None:
    """One sentence for an entry point that needs Chromium and finds none; None if it is there."""
    if CHROMIUM.is_file():
        return None
    return (
        f"error: no Chromium at {CHROMIUM}, which {purpose}: install it "
        "(apt-get install -y chromium) or set CHROMIUM=/path."
    )


@contextlib.contextmanager
def serve(folder: Path):
    """Serve a folder on 127.0.0.1 (a free port) from a thread; yields the base URL."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
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


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def screenshot(target: Path, folder: Path) -> Path:
    """A PNG of the landing page (for the README), taken with the system's Chromium."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with serve(folder) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(base + "index.html", wait_until="load")
        page.screenshot(path=str(target))
    return target


# The print edition's footer: page N of M, in type a reader can see (Chromium's default is tiny).
BOOK_FOOTER = (
    '<div style="font: 8pt sans-serif; color: #444; width: 100%; text-align: center">'
    '{label}<span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)
PIXEL = r"\1data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
CONTENTS = "print: contents"
APPENDIX = re.compile(r"appendix", re.I)  # an h2 starting so is printed as a part of its own


@dataclasses.dataclass
class Part:
    """One page of the site as printed: its title, its body and its appendices (moved out)."""

    name: str
    title: str
    body: str  # <main>'s markup, without navigation, code or solutions
    appendices: list  # [(title, markup)]
    sections: list  # [(id, title)] of its h2 headings, appendices' among them


# Regular expressions over the site's own markup (nbconvert's, tools/site.py's), as tools/site.py
# reads it: a parse of every page would cost more than the printing.
DROPPED = re.compile(
    r'<div class="page-tools">.*?</div>|<nav class="prev-next".*?</nav>'
    r'|<details class="(?:code|solution)">.*?</details>|<a class="anchor-link"[^>]*>.*?</a>',
    re.S,
)
CELL = re.compile(r'(?:<span class="claim-anchor" id="[^"]*"></span>\s*)*<div [^>]*class="jp-Cell ')
H2 = re.compile(r'<h2 id="([^"]*)"[^>]*>(.*?)</h2>', re.S)
LINK = re.compile(r'<a\b([^>]*?)\bhref="([^"]*)"([^>]*)>(.*?)</a>', re.S)
PNG = re.compile(r'<img src="data:image/png;base64,([A-Za-z0-9+/]{32})')


def text_of(markup: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def read_part(folder: Path, name: str, ids: dict, counter: itertools.count) -> Part:
    """A page's printable content; every id renamed (pages repeat "Overview") into ``ids``."""
    page = (folder / f"{name}.html").read_text("utf-8")
    main = DROPPED.sub("", page[page.index('<main id="content">') + 19 : page.rindex("</main>")])

    def rename(m: re.Match) -> str:
        ids[(name, html.unescape(m[1]))] = new = f"p{next(counter)}"
        return f'id="{new}"'

    main = re.sub(r'\bid="([^"]*)"', rename, main)

    def sized(m: re.Match) -> str:  # a first printing may lay out the page without its figures
        width, height = struct.unpack(">II", base64.b64decode(m[1])[16:24])  # the PNG's IHDR
        style = f"width: {width}px; aspect-ratio: {width} / {height}; height: auto"
        return f'<img style="{style}" {m[0][5:]}'

    main = PNG.sub(sized, main)
    h1 = re.search(r'<h1 id="([^"]*)"[^>]*>(.*?)</h1>', main, re.S)
    ids[(name, "")] = h1[1]
    main = main[: h1.end()] + f"<!--{CONTENTS}-->" + main[h1.end() :]  # the part's contents
    cuts = [0, *(m.start() for m in CELL.finditer(main)), len(main)]
    body, appendices, current = [], [], None  # cells, by the h2 that opens their section
    for chunk in (main[a:b] for a, b in itertools.pairwise(cuts)):
        heading = H2.search(chunk)
        if heading:
            title = text_of(heading[2])
            current = [title, ""] if APPENDIX.match(title) else None
            appendices += [current] if current else []
        if current is None:
            body.append(chunk)
        else:
            current[1] += chunk
    body = "".join(body)
    sections = [(i, text_of(t)) for i, t in H2.findall(body + "".join(m for _, m in appendices))]
    return Part(name, text_of(h1[2]), body, [tuple(a) for a in appendices], sections)


def relink(markup: str, name: str, ids: dict) -> str:
    """Links within the edition become links within the PDF; links to files (data, the
    notebooks) or to pages the PDF leaves out become their text: no file:// address."""

    def fix(m: re.Match) -> str:
        parts = urlsplit(html.unescape(m[2]))
        if parts.scheme in ("http", "https", "mailto"):
            return m[0]
        page = Path(parts.path).stem if parts.path.endswith(".html") else name
        target = ids.get((page, parts.fragment)) or ids.get((page, unquote(parts.fragment)))
        target = target or (ids.get((page, "")) if not parts.fragment else None)
        if target and (parts.path.endswith(".html") or not parts.path):
            return f'<a{m[1]}href="#{target}"{m[3]}>{m[4]}</a>'
        return m[4]

    return LINK.sub(fix, markup)


def contents(entries: list, heading: str, numbers: dict, css: str) -> str:
    """A list of links with page numbers (a blank of fixed width until they are known)."""
    items = "".join(
        f'<li class="{level}"><a href="#{i}"><span class="title">{html.escape(t)}</span></a>'
        f'<span class="page">{numbers.get(i, "")}</span></li>'
        for level, i, t in entries
    )
    return f'<nav class="print-contents {css}"><h2>{heading}</h2><ol>{items}</ol></nav>'


def chapter(part: Part, numbers: dict, appendices: bool) -> str:
    """A part as printed: its contents (sections, with page numbers once known), its body, and,
    for a notebook's own PDF, its appendices at its end, each on a page of its own."""
    entries = [("section", i, t) for i, t in part.sections]
    toc = contents(entries, "In this part", numbers, "chapter") if len(entries) > 1 else ""
    body = part.body.replace(f"<!--{CONTENTS}-->", toc, 1)
    if appendices:
        body += "".join(appendix(part, t, nodes) for t, nodes in part.appendices)
    return f'<div class="print-part">{body}</div>'


def appendix(part: Part, title: str, nodes: str) -> str:
    label = f'<p class="part-label">An appendix of <i>{html.escape(part.title)}</i></p>'
    return f'<div class="print-part">{label}{nodes}</div>'


def links_within(markup: str) -> str:
    """A part printed alone: its links to other parts become their text."""
    here = set(re.findall(r'\bid="(p\d+)"', markup))
    return re.sub(
        r'<a [^>]*?href="#(p\d+)"[^>]*>(.*?)</a>',
        lambda m: m[0] if m[1] in here else m[2],
        markup,
        flags=re.S,
    )


def page_numbers(data: bytes) -> tuple[dict, int]:
    """({destination name: page number}, pages) of a PDF Chromium printed: it names each link
    target of the document (every entry of a contents is a link), which pypdf reads."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    found = reader.named_destinations.items()
    placed = {n.removeprefix("/"): reader.get_destination_page_number(d) + 1 for n, d in found}
    return placed, len(reader.pages)


def pdf(target: Path, folder: Path, browser=None, each: Path | None = None) -> Path:
    """The print edition, printed by Chromium: a contents with page numbers, then every page
    in reading order (each a part, with its own contents), notebooks' appendices as parts at
    the end, page N of M in the footer. With ``each``, also a PDF per notebook in that folder
    (``each/<notebook>.pdf``). Uses ``browser`` if one is running. Returns ``target``."""
    return print_edition(target, folder, browser, each)["pdf"]


def print_edition(
    target: Path, folder: Path, browser=None, each: Path | None = None, only=None
) -> dict:
    """``pdf``, with what it measured: pages, the contents' entries and their page numbers
    ({id: page}); ``only`` limits the PDFs per notebook to these notebooks."""
    ids: dict = {}
    counter = itertools.count()
    names = ["index", *(p.name for p in notebooks.existing()), "glossary"]
    parts = [read_part(folder, n, ids, counter) for n in names]
    frame = (folder / "index.html").read_text(encoding="utf-8")
    for part in parts:  # once every id is known: links across pages
        part.body = relink(part.body, part.name, ids)
        part.appendices = [(t, relink(m, part.name, ids)) for t, m in part.appendices]
    notebook_names = {p.name for p in notebooks.existing()}

    def document(body: str) -> str:
        return re.sub(
            r'<nav class="toc".*?</nav>|<main id="content">.*</main>',
            lambda m: "" if m[0].startswith("<nav") else f"<main>{body}</main>",
            frame,
            flags=re.S,
        )

    appendices = [(p, i, t) for p in parts for i, t in p.sections if APPENDIX.match(t)]
    entries = [("part", ids[(p.name, "")], p.title) for p in parts]
    entries += [("part", i, f"{t} ({p.title})") for p, i, t in appendices]

    def book(numbers: dict) -> str:
        body = contents(entries, "Contents", numbers, "book")
        body += "".join(chapter(p, numbers, False) for p in parts)
        return body + "".join(appendix(p, t, nodes) for p in parts for t, nodes in p.appendices)

    with contextlib.nullcontext(browser) if browser else chromium() as running:
        # printed twice: where Chromium puts each heading (the PDF's named destinations: every
        # entry of a contents is a link) fills in the numbers, in blanks of a fixed width
        numbers: dict = {}
        for attempt in range(3):
            printed = document(book(numbers))
            if attempt == 0:  # where things go needs no figures, only their size: faster
                printed = re.sub(r'(<img[^>]*src=")data:image/png;base64,[^"]*', PIXEL, printed)
            data = _print(running, folder, printed, target, "Page ")
            placed, total = page_numbers(data)
            if all(numbers.get(i) == n for i, n in placed.items()):
                break
            numbers = placed
        for part in parts if each else []:
            if part.name in notebook_names and (only is None or part.name in only):
                own = document(links_within(chapter(part, {}, True)))
                _print(running, folder, own, each / f"{part.name}.pdf", f"{part.title} · page ")
    return {"pdf": target, "pages": total, "numbers": numbers, "entries": entries}


def _print(browser, folder: Path, document: str, target: Path, label: str) -> bytes:
    """One document of the print edition (written beside the pages, so that their stylesheets
    load, and removed), printed to ``target``; its bytes."""
    source = folder / f".print-{os.getpid()}-{target.stem}.html"
    source.write_text(document, encoding="utf-8")
    try:
        footer = BOOK_FOOTER.format(label=label)
        print_page(source, target, browser, footer=footer, outline=True)
    finally:
        source.unlink()
    return target.read_bytes()


def print_page(
    source: Path, target: Path, browser=None, footer: str | None = None, outline: bool = False
) -> Path:
    """Print one HTML file to an A4 PDF (15 mm margins, backgrounds kept). ``footer`` is a
    Chromium footer template (spans of class pageNumber and totalPages are filled in); none by
    default. Uses ``browser`` if one is running."""
    target.parent.mkdir(parents=True, exist_ok=True)
    numbered = {"display_header_footer": True, "header_template": "<span></span>"}
    with contextlib.nullcontext(browser) if browser else chromium() as running:
        page = running.new_page()
        page.goto(source.resolve().as_uri(), wait_until="load")
        page.pdf(
            path=str(target),
            format="A4",
            print_background=True,
            margin={k: "15mm" for k in ("top", "bottom", "left", "right")},
            outline=outline,  # bookmarks from the headings
            **({**numbered, "footer_template": footer} if footer else {}),
        )
        page.close()
    return target
