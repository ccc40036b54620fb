"""The system's Chromium, driven by playwright: serve a folder, screenshot a page, print the
site as a print edition (contents with page numbers, page N of M, appendices as parts, links
only within the PDF or to the web) and a PDF per notebook, print one page. Used by ``python -m tools.site --screenshot/--pdf``, by
``python -m tools.report`` and by the browser tests.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import functools
import html
import http.server
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
    body: list  # top-level nodes of <main>, without navigation, code or solutions
    appendices: list  # [(title, nodes)]
    sections: list = dataclasses.field(default_factory=list)  # [(id, title)] for the contents
    markup: list = dataclasses.field(default_factory=list)  # the body as text, once


def read_part(folder: Path, name: str, ids: dict, counter: itertools.count) -> Part:
    """A page's printable content; every id renamed (pages repeat "Overview") into ``ids``."""
    from bs4 import BeautifulSoup, Comment

    tree = BeautifulSoup((folder / f"{name}.html").read_text("utf-8"), "html.parser")
    main = tree.find("main", id="content")
    drop = "div.page-tools, nav.prev-next, details.code, details.solution, a.anchor-link"
    for node in main.select(drop):
        node.decompose()
    for node in main.find_all(id=True):
        ids[(name, node["id"])] = new = f"p{next(counter)}"
        node["id"] = new
    for img in main.find_all("img", src=re.compile("^data:image/png;base64,")):
        # its size in the markup: a first printing may lay out the page without the image
        head = base64.b64decode(img["src"].split(",", 1)[1][:32])
        width, height = struct.unpack(">II", head[16:24])  # the PNG's IHDR
        img["style"] = f"width: {width}px; aspect-ratio: {width} / {height}; height: auto"
    h1 = main.find("h1")
    title = h1.get_text(" ", strip=True)
    h1["id"] = ids[(name, "")] = f"p{next(counter)}"
    h1.insert_after(Comment(CONTENTS))  # where the part's own contents go
    body, appendices, current = [], [], None
    for node in [n for n in main.children if getattr(n, "name", None)]:
        h2 = node if node.name == "h2" else node.find("h2")
        if h2 is not None:
            text = h2.get_text(" ", strip=True)
            current = [] if APPENDIX.match(text) else None
            if current is not None:
                appendices.append((text, current))
        (body if current is None else current).append(node)
    return Part(name, title, body, appendices)


def relink(nodes: list, name: str, ids: dict) -> None:
    """Links within the edition become links within the PDF; links to files (data, the
    notebooks) or to pages the PDF leaves out become their text: no file:// address."""
    for node in nodes:
        for a in node.find_all("a", href=True) if hasattr(node, "find_all") else []:
            parts = urlsplit(a["href"])
            if parts.scheme in ("http", "https", "mailto"):
                continue
            page = Path(parts.path).stem if parts.path.endswith(".html") else name
            fragment = unquote(parts.fragment)
            target = ids.get((page, parts.fragment)) or ids.get((page, fragment))
            target = target or (ids.get((page, "")) if not parts.fragment else None)
            if target and (parts.path.endswith(".html") or not parts.path):
                a["href"] = f"#{target}"
            else:
                a.unwrap()


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
    body = "".join(part.markup).replace(f"<!--{CONTENTS}-->", toc, 1)
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


def page_numbers(data: bytes) -> dict:
    """{destination name: page number} of a PDF Chromium printed: it names each link target
    of the document (its /Dests) and lists its pages in one page tree."""
    objects = dict(re.findall(rb"(?m)^(\d+) 0 obj\n(.*?)endobj", data, flags=re.S))
    pages: list[bytes] = []

    def walk(number: bytes) -> None:
        kids = re.search(rb"/Kids \[([^\]]*)\]", objects[number])
        if kids is None:
            pages.append(number)
        for kid in re.findall(rb"(\d+) 0 R", kids[1]) if kids else []:
            walk(kid)

    root = re.search(rb"/Type /Catalog\s*/Pages (\d+) 0 R", data)[1]
    walk(root)
    dests = re.search(rb"/Dests (\d+) 0 R", data)
    found = re.findall(rb"/([^\s\[/]+) \[(\d+) 0 R", objects[dests[1]]) if dests else []
    at = {n: i + 1 for i, n in enumerate(pages)}
    return {name.decode(): at[page] for name, page in found}, len(pages)


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
    for part in parts:
        relink(part.body + [n for _, nodes in part.appendices for n in nodes], part.name, ids)
        part.sections = [
            (h["id"], h.get_text(" ", strip=True))
            for node in part.body + [n for _, nodes in part.appendices for n in nodes]
            for h in ([node] if node.name == "h2" else node.find_all("h2"))
        ]
        part.markup = [str(node) for node in part.body]
        part.appendices = [(t, "".join(map(str, nodes))) for t, nodes in part.appendices]
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
