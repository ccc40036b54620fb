"""The site in the system's Chromium, as a reader gets it, on every page: code folded at load
and in print, no sideways scroll at 390 px, every verdict badge on a phone's screen, menus
folded there and the title first, tables within the print column in type of 8 pt or more,
real alt text, no NaN, no serious or critical axe-core violation at either width, search served
and from disk, the print edition and its page numbers, and text from data that runs no script.
(A module of its own, so that these slower tests run beside the other site tests, not after
them.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tools import browser as chromium
from tools import notebooks, student

EXISTING = notebooks.existing()
MAX_PAGE_BYTES = 2_000_000
NBCONVERT_PLACEHOLDER = "No description has been provided for this image"


WIDE, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
# the print edition's column: A4 less 15 mm margins each side (tools.browser), 180 mm in CSS px
PRINT_COLUMN = {"width": round(180 / 25.4 * 96), "height": 900}
SMALLEST_PRINT_TYPE = 8 * 96 / 72  # 8 pt in CSS px


def crawl(browser, out: Path, screenshot: Path | None = None, visit=None):
    """Open every page reachable from index.html, at 1280 px; returns (pages visited, problems).
    ``visit(page, name)``, given, is called on each page while it is open."""
    problems: list[str] = []
    visited: list[str] = []
    with chromium.serve(out) as base:
        origin = urlsplit(base).netloc
        context = browser.new_context(viewport=WIDE)  # a fresh profile: no cache shared
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
            if visit is not None:
                visit(page, name)
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


# What each page must give a reader, measured in the browser (one page at a time).
READER_CHECKS = """async () => {
  // after a resize, a frame: the media queries' change events (site.js folds menus) are in
  await new Promise(done => requestAnimationFrame(done));
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
    // a figure's description in words: shown on a phone, where the figure is too small to
    // read, and nowhere else (a screen reader has the alt text)
    figureWords: all(".figure-words").filter(visible).length,
    figures: all(".jp-RenderedImage img").length,
    nan: (document.body.innerText.match(/\\bNaN\\b|<NA>|\\bnan\\b/g) || []).length,
    // on a phone: verdict badges off screen (a table would have to scroll), the menus folded
    // away, the title (and on the landing page the findings) on the first screen
    badgesOff: all("table .verdict").filter(visible).filter(b => {
      const r = b.getBoundingClientRect();
      return r.left < 0 || r.right > window.innerWidth;
    }).length,
    shownMenus: all("nav.pages a, nav.toc li").filter(visible).length,
    firstScreen: ["h1", "#What-the-audit-found"].map(s => document.querySelector(s))
      .filter(e => e && e.getBoundingClientRect().bottom > window.innerHeight).length,
    hiddenAnchors: all("a.anchor-link").filter(a => getComputedStyle(a).opacity !== "1").length,
    // in print: tables against the column (main's content box), their smallest type, labels
    // that only make sense on a screen
    column: width(document.querySelector("main")) -
      parseFloat(getComputedStyle(document.querySelector("main")).paddingLeft) -
      parseFloat(getComputedStyle(document.querySelector("main")).paddingRight),
    widestTable: Math.max(0, ...all("main table").filter(visible).map(width)),
    smallestType: Math.min(99, ...all("main table :is(td, th)").filter(visible)
      .map(c => parseFloat(getComputedStyle(c).fontSize))),
    summaries: all("main summary").filter(visible).length,
    unreachable: all(".jp-RenderedHTML, .jp-RenderedMarkdown table, .jp-OutputArea-output pre")
      .filter(b => b.scrollWidth > b.clientWidth + 1 && b.tabIndex < 0 &&
        !b.querySelector("a[href], button, [tabindex]")).length,
  };
}"""

# axe-core's full rule set on two pages, the landing page and a section with code, tables
# and figures: every page loads the same stylesheets, so the two rules that judge colours,
# colour contrast (about 28 CPU-s over the site) and links told from text by colour alone
# (half of what axe takes on a page without contrast: 0.8 instead of 1.6 s on 00, measured),
# are judged there; the other pages get every other rule.
FULL_AXE = {"index", EXISTING[1].name}
COLOUR_RULES = ("color-contrast", "link-in-text-block")
PAGES = ["index", *(nb.name for nb in EXISTING), "glossary"]
# At 390 px axe, already in the page, runs again the rules a narrower layout can break: boxes
# that scroll sideways reachable by keyboard, targets big enough for a finger (colours are
# the same at both widths). Each run costs what a full one does (about 0.6 s, and 3 s for
# target-size on the longest page), so on the two pages above; on every page, the check
# "unreachable" in READER_CHECKS asks the first rule's question for the boxes a table is in.
PHONE_RULES = ("scrollable-region-focusable", "target-size")
AXE_AGAIN = """async rules => (await axe.run(document, {runOnly: {type: "rule", values: rules},
  resultTypes: ["violations"]})).violations.map(v => [v.impact, v.id, v.nodes.length])"""


def axe_violations(page, contrast: bool) -> list[tuple[str, str, int]]:
    """[(impact, rule id, nodes)] that axe-core finds on the open page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"resultTypes": ["violations"]}
    if not contrast:
        options["rules"] = {rule: {"enabled": False} for rule in COLOUR_RULES}
    violations = Axe().run(page, options=options).response["violations"]
    return [(v["impact"], v["id"], len(v["nodes"])) for v in violations]


@pytest.fixture(scope="session")
def browsed(built, browser, tmp_path_factory) -> dict:
    """The site crawled once in Chromium, and on each page, while it is open: what the checks
    above find at 1280 px, in print and at 390 px (the page resized: its layout is redone, as
    on a phone), and what axe-core finds. One load per page serves every check."""
    views: dict[str, dict] = {}

    def visit(page, name: str) -> None:
        full = name.removesuffix(".html") in FULL_AXE
        views[name] = {"wide": page.evaluate(READER_CHECKS), "axe": axe_violations(page, full)}
        page.emulate_media(media="print")  # laid out in the print edition's column
        page.set_viewport_size(PRINT_COLUMN)
        views[name]["print"] = page.evaluate(READER_CHECKS)
        page.emulate_media(media="screen")
        page.set_viewport_size(PHONE)
        views[name]["phone"] = page.evaluate(READER_CHECKS)
        again = page.evaluate(AXE_AGAIN, list(PHONE_RULES)) if full else []
        views[name]["axe phone"] = [tuple(v) for v in again]
        page.set_viewport_size(WIDE)
        # what a reader does on the page, last: show the code, search (served; from disk below)
        if name == f"{EXISTING[1].name}.html":
            page.click("button.toggle-code")
            views[name]["after one click"] = page.evaluate(READER_CHECKS)["shownCode"]
        if name == "glossary.html":
            views[name]["search"] = search(page)

    shot = tmp_path_factory.mktemp("browsed") / "landing.png"
    visited, problems = crawl(browser, built["out"], screenshot=shot, visit=visit)
    return {"visited": visited, "problems": problems, "views": views, "screenshot": shot}


@pytest.fixture(scope="session")
def reader_view(browsed) -> dict:
    """Per page: what the checks above find at 1280 px, at 390 px and in print."""
    return browsed["views"]


def test_every_page_loads_in_a_real_browser(built, browsed):
    assert browsed["problems"] == []
    assert set(browsed["visited"]) == set(built["pages"]), "a page is not linked"
    assert browsed["screenshot"].stat().st_size > 0


def test_every_student_page_loads_in_a_real_browser(student_edition, browser, tmp_path):
    out = student_edition["out"]
    visited, problems = crawl(browser, out, screenshot=tmp_path / "landing.png")
    assert problems == []
    assert set(visited) == {p.name for p in out.glob("*.html")}, "a page is not linked"
    assert (tmp_path / "landing.png").stat().st_size > 0


def test_the_handout_prints_on_one_page(student_edition, browser, tmp_path):
    """As make student prints build/instructor/handout.pdf, with this process's Chromium."""
    pdf = student.print_handout(student_edition["key_path"].parent, tmp_path / "h.pdf", browser)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf.read_bytes())) == 1


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
        figures = views["phone"]["figures"]
        assert views["phone"]["figureWords"] == figures, f"{name}: a figure not told in words"
        assert views["wide"]["figureWords"] == views["print"]["figureWords"] == 0, name


def test_a_phone_shows_each_verdict_and_the_page_first(reader_view):
    """At 390 px every verdict badge of a table is on screen without scrolling sideways, the
    pages and contents are folded away, and the first screen shows the title (and on the
    landing page the findings); heading permalinks show without hover."""
    for name, views in reader_view.items():
        phone = views["phone"]
        assert phone["badgesOff"] == 0, f"{name}: {phone['badgesOff']} badges off screen"
        assert phone["unreachable"] == 0, f"{name}: a box scrolls but takes no focus"
        assert phone["shownMenus"] == 0, f"{name}: navigation unfolded on a phone"
        assert phone["firstScreen"] == 0, f"{name}: the title or findings below the first screen"
        assert views["wide"]["shownMenus"] > 0 and phone["hiddenAnchors"] == 0, name


def test_print_tables_fit_the_column_in_type_of_8_pt_or_more(reader_view):
    for name, views in reader_view.items():
        printed = views["print"]
        assert printed["widestTable"] <= printed["column"], (
            f"{name}: a table {printed['widestTable']:.0f} px wide in {printed['column']:.0f}"
        )
        assert printed["smallestType"] >= SMALLEST_PRINT_TYPE - 0.01, name
        assert printed["summaries"] == 0, f"{name}: a click-to-open label in print"


def test_every_image_has_real_alt_text_and_no_page_shows_nan(reader_view):
    for name, views in reader_view.items():
        assert views["wide"]["badAlt"] == 0, name
        assert views["wide"]["nan"] == 0, name


def test_one_click_shows_the_code_of_a_page(reader_view):
    clicked = reader_view[f"{EXISTING[1].name}.html"]
    assert clicked["wide"]["shownCode"] == 0 and clicked["after one click"] > 0


@pytest.mark.parametrize("name", PAGES)
def test_axe_finds_no_serious_violation(browsed, name):
    views = browsed["views"][f"{name}.html"]
    for width in ("axe", "axe phone"):
        found = views[width]
        assert [v for v in found if v[0] in ("serious", "critical")] == [], (width, found)


def test_axe_check_reports_a_serious_violation(tmp_path, browser):
    """The check above can fail: text too faint for its background, a link told from its text
    by nothing a reader can see, on a page of our own."""
    html = '<html lang="en"><head><title>t</title></head><body><main>'
    html += '<p style="color:#bbb;background:#fff">faint</p><img src="data:,">'
    html += '<p>a <a href="#x" style="text-decoration:none;color:#222">link</a> in text</p>'
    html += '<p id="x">x</p></main></body></html>'
    (tmp_path / "faint.html").write_text(html, encoding="utf-8")
    with chromium.serve(tmp_path) as base:
        page = browser.new_page()
        page.goto(base + "faint.html", wait_until="load")
        found, without = axe_violations(page, True), axe_violations(page, False)
        page.close()
    assert ("serious", "color-contrast", 1) in found
    assert ("critical", "image-alt", 1) in found
    assert ("serious", "link-in-text-block", 1) in found
    assert not {v[1] for v in without} & set(COLOUR_RULES)


SEARCHED, FOUND = "Joetsu", "03_international_activities.html"  # a city only section 3 names


def search(page) -> set[str]:
    """The pages that searching the open page's box for SEARCHED lists."""
    page.fill("#search-box", SEARCHED)
    page.wait_for_selector("#search-results li a")
    hrefs = page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
    return {urlsplit(h).path.rsplit("/", 1)[-1] for h in hrefs}


@pytest.mark.parametrize("where", ["served", "from disk"])
def test_search_finds_a_word_from_another_page(built, browser, reader_view, where):
    out = built["out"]
    assert SEARCHED in (out / FOUND).read_text(encoding="utf-8")
    assert SEARCHED not in (out / "glossary.html").read_text(encoding="utf-8")
    if where == "served":  # searched in the crawl, on the glossary
        pages = reader_view["glossary.html"]["search"]
    else:
        page = browser.new_page()
        page.goto((out / "glossary.html").as_uri(), wait_until="load")
        pages = search(page)
        page.close()
    assert FOUND in pages, f"searching {where} for {SEARCHED!r} found only {sorted(pages)}"


def test_make_pdf_writes_the_print_edition(built, browser, tmp_path):
    """Contents with the page each part starts on (where Chromium put it: the PDF's named
    destinations), every page and appendix a part, no file:// link, a PDF per notebook."""
    before = sorted(p.name for p in built["out"].iterdir())
    one = EXISTING[1].name
    made = chromium.print_edition(
        tmp_path / "compendium.pdf", built["out"], browser, each=tmp_path / "pdf", only=[one]
    )
    data = made["pdf"].read_bytes()
    assert data.startswith(b"%PDF") and made["pages"] > len(EXISTING)
    placed, pages = chromium.page_numbers(data)
    assert pages == made["pages"] == len(re.findall(rb"/Type\s*/Page\b", data))
    titles = [title for _, _, title in made["entries"]]  # every page a part, then appendices
    assert titles[len(EXISTING) + 1] == "Glossary"
    assert titles[len(EXISTING) + 2 :] and all(t.startswith("Appendix") for t in titles[9:])
    numbers = [made["numbers"][i] for _, i, _ in made["entries"]]
    assert numbers == [placed[i] for _, i, _ in made["entries"]]  # as printed in the contents
    assert numbers == sorted(numbers) and 1 < numbers[0] and numbers[-1] <= pages
    assert b"file:" not in data
    own = (tmp_path / "pdf" / f"{one}.pdf").read_bytes()
    assert own.startswith(b"%PDF") and b"file:" not in own
    assert sorted(p.name for p in built["out"].iterdir()) == before  # the folder as it was


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


# Text from data is text: payloads through a heading (with inline code, as in the "On this page"
# list), a ledger quote (in a table of the outputs, cut short as 00's table cuts quotes, and in
# the landing page's findings) and an exercise title.
PAYLOADS = (
    "<img src=x onerror=alert('heading')>",
    "<script>alert('quote')</script>",
    "<svg onload=alert('exercise')>",
)


def injected_notebook():
    import nbformat

    heading, quote, exercise = PAYLOADS
    table = (  # an output table whose quote is cut inside its script, as a truncation does
        '<table class="dataframe"><thead><tr><th>quote</th><th>verdict</th></tr></thead>'
        f"<tbody><tr><td>Over 70 percent {quote[:20]}</td><td>consistent</td></tr>"
        "<tr><td>the row after</td><td>inconsistent</td></tr></tbody></table>"
    )
    cells = [
        nbformat.v4.new_markdown_cell(f"# Injected\n\n## Counting `{heading}`\n\nText before."),
        nbformat.v4.new_code_cell(
            "table", outputs=[nbformat.v4.new_output("display_data", data={"text/html": table})]
        ),
        nbformat.v4.new_markdown_cell(f"### Exercise 1: {exercise}\n\n{quote} Text after."),
        nbformat.v4.new_markdown_cell('<a href="#x" onclick="alert(\'click\')">a link</a> End.'),
    ]
    return nbformat.v4.new_notebook(cells=cells)


def test_text_from_data_runs_no_script(tmp_path, browser, monkeypatch):
    """A page whose heading, output table and exercise carry script, and a landing page whose
    first finding quotes script: Chromium opens no dialog, and every payload and the text
    around it is on the page as text (in the body, the contents and the search results)."""
    from tools import site

    real = site.read_csv

    def read_csv(path):
        frame = real(path)
        if path == site.FINDINGS:
            frame.loc[0, "quote"] = PAYLOADS[1] + frame.loc[0, "quote"]
        return frame

    monkeypatch.setattr(site, "read_csv", read_csv)
    editor = site.Site(tmp_path, student=False)
    monkeypatch.setattr(editor, "claim_href", lambda *args, **kwargs: "injected.html")
    editor.copy_assets()
    editor.render(injected_notebook(), "injected", f"Injected {PAYLOADS[0]}")
    editor.markdown_page("index", "What the audit found", editor.landing())
    data = json.dumps(editor.index)
    (tmp_path / "assets" / "search-index.js").write_text(f"window.SEARCH_INDEX = {data};\n")
    dialogs, texts = [], {}
    with chromium.serve(tmp_path) as base:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for name in ("injected", "index"):
            page.goto(f"{base}{name}.html", wait_until="load")
            page.fill("#search-box", "alert")
            page.wait_for_selector("#search-results li a")
            page.click("text=a link") if name == "injected" else None
            texts[name] = page.inner_text("body")
            texts[f"{name} title"] = page.title()
        page.close()
    assert dialogs == []
    injected = texts["injected"]
    assert injected.count(PAYLOADS[0]) >= 3  # the heading, "On this page", a search result
    assert f"Over 70 percent {PAYLOADS[1][:20]}" in injected and "the row after" in injected
    assert PAYLOADS[2] in injected and f"{PAYLOADS[1]} Text after." in injected
    assert "End." in injected and texts["injected title"].startswith(f"Injected {PAYLOADS[0]}")
    assert PAYLOADS[1] in texts["index"] and "Colophon" in texts["index"]
