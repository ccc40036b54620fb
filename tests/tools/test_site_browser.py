"""The site in the system's Chromium, as a reader gets it, on every page: code folded at load
and in print, no sideways scroll at 390 px, real alt text, no NaN, no serious or critical
axe-core violation, search served and from disk, the print edition. (A module of its own, so
that these slower tests run beside the other site tests, not after them.)"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools import browser as chromium
from tools import notebooks

EXISTING = notebooks.existing()
MAX_PAGE_BYTES = 2_000_000
NBCONVERT_PLACEHOLDER = "No description has been provided for this image"


def crawl(browser, out: Path, screenshot: Path | None = None) -> tuple[list[str], list[str]]:
    """Open every page reachable from index.html; returns (pages visited, problems)."""
    problems: list[str] = []
    visited: list[str] = []
    with chromium.serve(out) as base:
        origin = urlsplit(base).netloc
        context = browser.new_context()  # a fresh profile: no cache shared between crawls
        page = context.new_page()

        def on_request(request):
            parts = urlsplit(request.url)
            if parts.scheme != "data" and parts.netloc != origin:
                problems.append(f"request to another host: {request.url}")

        def on_response(response):
            if response.status >= 400:
                problems.append(f"HTTP {response.status}: {response.url}")

        page.on("request", on_request)
        page.on("response", on_response)
        page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
        page.on(
            "console",
            lambda m: (
                problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") and "favicon" not in m.text
                else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        queue, fragments, files = ["index.html"], [], set()
        while queue:
            name = queue.pop(0)
            if name in visited:
                continue
            visited.append(name)
            response = page.goto(base + name, wait_until="load")
            if response is None or response.status != 200:
                problems.append(f"{name}: status {response.status if response else None}")
                continue
            broken = page.eval_on_selector_all(
                "img", "imgs => imgs.filter(i => !i.complete || i.naturalWidth === 0).length"
            )
            if broken:
                problems.append(f"{name}: {broken} images did not load")
            if name == "index.html" and screenshot is not None:
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot))
            for href in page.eval_on_selector_all("a[href]", "as => as.map(a => a.href)"):
                parts = urlsplit(href)
                if parts.netloc != origin:
                    continue  # prose links to other sites are not followed
                path = parts.path.lstrip("/") or "index.html"
                if path.endswith(".html"):
                    queue.append(path)
                    if parts.fragment:
                        fragments.append((path, parts.fragment))
                else:
                    files.add(path)
            # the fragments links point to on this page, checked in one call
            missing = page.evaluate(
                "fs => fs.filter(f => !(document.getElementById(f) || "
                "document.getElementById(decodeURIComponent(f))))",
                [fragment for path, fragment in fragments if path == name],
            )
            problems += [f"{name}#{fragment}: no such element" for fragment in missing]
        for path in sorted(files):
            status = page.request.get(base + path).status
            if status != 200:
                problems.append(f"{path}: status {status}")
        unchecked = {p for p, _ in fragments} - set(visited)
        problems += [f"never visited {p}" for p in sorted(unchecked)]
        context.close()
    return visited, problems


@pytest.mark.parametrize("edition", ["built", "student_edition"])
def test_every_page_loads_in_a_real_browser(edition, request, browser, tmp_path):
    out = request.getfixturevalue(edition)["out"]
    shot = tmp_path / f"{out.name}-landing.png"
    visited, problems = crawl(browser, out, screenshot=shot)
    assert problems == []
    assert set(visited) == {p.name for p in out.glob("*.html")}, "a page is not linked"
    assert shot.stat().st_size > 0


# What each page must give a reader, measured in the browser (one page at a time).
READER_CHECKS = """() => {
  const width = e => e.getBoundingClientRect().width;
  // checkVisibility: the inside of a closed <details> keeps its layout box but is not shown
  const visible = e => e.checkVisibility() && width(e) > 0;
  const all = selector => [...document.querySelectorAll(selector)];
  return {
    openCode: all("details.code, details.solution").filter(d => d.open).length,
    shownCode: all(".jp-InputArea-editor").filter(visible).length,
    shownNav: all("header.site, nav.toc, nav.prev-next").filter(visible).length,
    sideways: document.documentElement.scrollWidth - window.innerWidth,
    badAlt: [...document.images].filter(i => !i.alt || i.alt.startsWith("No description")).length,
    narrowFigures: all(".jp-RenderedImage img")
      .filter(i => width(i) < 0.9 * width(i.parentElement)).length,
    nan: (document.body.innerText.match(/\\bNaN\\b|<NA>|\\bnan\\b/g) || []).length,
  };
}"""


@pytest.fixture(scope="session")
def reader_view(built, browser) -> dict:
    """Per page: what the checks above find at 1280 px, at 390 px and in print."""
    found = {}
    with chromium.serve(built["out"]) as base:
        wide = browser.new_page(viewport={"width": 1280, "height": 900})
        phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
        for name in built["pages"]:
            phone.goto(base + name, wait_until="load")
            wide.goto(base + name, wait_until="load")
            found[name] = {
                "phone": phone.evaluate(READER_CHECKS),
                "wide": wide.evaluate(READER_CHECKS),
            }
            wide.emulate_media(media="print")  # the same page as printed: no reload needed
            found[name]["print"] = wide.evaluate(READER_CHECKS)
            wide.emulate_media(media="screen")
    return found


def test_code_is_folded_at_load_and_in_print(reader_view):
    for name, views in reader_view.items():
        assert views["wide"]["openCode"] == 0 and views["wide"]["shownCode"] == 0, name
        assert views["print"]["shownCode"] == 0 and views["print"]["shownNav"] == 0, name
        assert views["wide"]["shownNav"] > 0, name


def test_no_page_scrolls_sideways_on_a_phone(reader_view):
    for name, views in reader_view.items():
        assert views["phone"]["sideways"] <= 0, (
            f"{name} is {views['phone']['sideways']} px too wide"
        )
        assert views["phone"]["narrowFigures"] == 0, f"{name}: a figure is not full width"


def test_every_image_has_real_alt_text_and_no_page_shows_nan(reader_view):
    for name, views in reader_view.items():
        assert views["wide"]["badAlt"] == 0, name
        assert views["wide"]["nan"] == 0, name


def test_one_click_shows_the_code_of_a_page(built, browser):
    with chromium.serve(built["out"]) as base:
        page = browser.new_page()
        page.goto(base + f"{EXISTING[1].name}.html")
        assert not page.locator(".jp-InputArea-editor").first.is_visible()
        page.click("button.toggle-code")
        assert page.locator(".jp-InputArea-editor").first.is_visible()
        page.close()


# axe-core's full rule set on two pages, the landing page and a section with code, tables
# and figures: every page loads the same stylesheets, so colour contrast, the one slow rule
# (about 28 CPU-s over the site), is judged there; the other pages get every other rule.
FULL_AXE = {"index", EXISTING[1].name}
PAGES = ["index", *(nb.name for nb in EXISTING), "glossary", "instructor"]


def axe_violations(browser, url: str, contrast: bool) -> list[tuple[str, str, int]]:
    """[(impact, rule id, nodes)] that axe-core finds on one page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"]}
    if not contrast:
        options["rules"] = {"color-contrast": {"enabled": False}}
    page = browser.new_page()
    page.goto(url, wait_until="load")
    violations = Axe().run(page, options=options).response["violations"]
    page.close()
    return [(v["impact"], v["id"], len(v["nodes"])) for v in violations]


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(built, browser, name):
    with chromium.serve(built["out"]) as base:
        found = axe_violations(browser, f"{base}{name}.html", contrast=name in FULL_AXE)
    assert [v for v in found if v[0] in ("serious", "critical")] == [], found


def test_axe_check_reports_a_serious_violation(tmp_path, browser):
    """The check above can fail: text too faint for its background, on a page of our own."""
    page = '<html lang="en"><head><title>t</title></head><body><main>'
    page += '<p style="color:#bbb;background:#fff">faint</p><img src="data:,"></main></body></html>'
    (tmp_path / "faint.html").write_text(page, encoding="utf-8")
    with chromium.serve(tmp_path) as base:
        found = axe_violations(browser, base + "faint.html", contrast=True)
        without = axe_violations(browser, base + "faint.html", contrast=False)
    assert ("serious", "color-contrast", 1) in found
    assert ("critical", "image-alt", 1) in found
    assert "color-contrast" not in {v[1] for v in without}


@pytest.mark.parametrize("where", ["served", "from disk"])
def test_search_finds_a_word_from_another_page(built, browser, where):
    out = built["out"]
    word, target = "Joetsu", "03_international_activities.html"  # a city only section 3 names
    assert word in (out / target).read_text(encoding="utf-8")
    assert word not in (out / "glossary.html").read_text(encoding="utf-8")
    with chromium.serve(out) as base:
        page = browser.new_page()
        start = base + "glossary.html" if where == "served" else (out / "glossary.html").as_uri()
        page.goto(start, wait_until="load")
        page.fill("#search-box", word)
        page.wait_for_selector("#search-results li a")
        hrefs = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
        page.close()
    pages = {urlsplit(h).path.rsplit("/", 1)[-1] for h in hrefs}
    assert target in pages, f"searching {where} for {word!r} found only {sorted(pages)}"


def test_make_pdf_writes_the_print_edition(built, browser, tmp_path):
    pdf = chromium.pdf(tmp_path / "compendium.pdf", built["out"], browser)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b", data)) > len(EXISTING)
    assert not (built["out"] / ".print.html").exists()  # the folder is left as it was


FAULTY_PAGE = """<!DOCTYPE html>
<html><head><title>faults</title><link rel="icon" href="data:,"></head><body>
<img src="missing.png" alt="a figure that is not there">
<img src="http://203.0.113.1/remote.png" alt="a figure from another host">
<script>console.error("injected console error")</script>
<script>throw new Error("injected page error")</script>
<a href="gone.html">a page that is not there</a>
<a href="index.html#no-such-anchor">an anchor that is not there</a>
<a href="gone.csv">a file that is not there</a>
</body></html>
"""


def test_the_browser_check_reports_injected_faults(tmp_path, browser):
    """The crawl above passes only because it sees nothing wrong: each kind of fault it looks
    for, put in a page, is reported."""
    (tmp_path / "index.html").write_text(FAULTY_PAGE, encoding="utf-8")
    visited, problems = crawl(browser, tmp_path)
    assert visited == ["index.html", "gone.html"]
    report = "\n".join(problems)
    for expected in (
        "request to another host: http://203.0.113.1/remote.png",
        "HTTP 404: ",  # missing.png, gone.html
        "index.html: 2 images did not load",
        "console error: injected console error",
        "page error: injected page error",
        "gone.html: status 404",
        "index.html#no-such-anchor: no such element",
        "gone.csv: status 404",
    ):
        assert expected in report, f"not reported: {expected!r} in\n{report}"
