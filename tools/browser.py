"""The system's Chromium, driven by playwright: serve a folder, screenshot a page, print the
site into one PDF, print one page. Used by ``python -m tools.site --screenshot/--pdf``, by
``python -m tools.report`` and by the browser tests.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import threading
from pathlib import Path

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


def pdf(target: Path, folder: Path, browser=None) -> Path:
    """The print edition: every page's text in reading order, one PDF, printed by Chromium
    (the print stylesheet hides navigation and code). Uses ``browser`` if one is running."""
    first = (folder / "index.html").read_text(encoding="utf-8")
    order = ["index.html", *(f"{p.name}.html" for p in notebooks.existing()), "glossary.html"]
    bodies = [
        re.search(r"<main id=\"content\">(.*)</main>", (folder / n).read_text("utf-8"), re.S)[1]
        for n in order
    ]
    joined = '<div style="break-before: page"></div>'.join(bodies)
    book = re.sub(
        r"<main id=\"content\">.*</main>", lambda _: f"<main>{joined}</main>", first, flags=re.S
    )
    (folder / ".print.html").write_text(book, encoding="utf-8")
    try:
        return print_page(folder / ".print.html", target, browser)
    finally:
        (folder / ".print.html").unlink()


def print_page(source: Path, target: Path, browser=None, footer: str | None = None) -> Path:
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
            **({**numbered, "footer_template": footer} if footer else {}),
        )
        page.close()
    return target
