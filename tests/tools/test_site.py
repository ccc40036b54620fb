"""The static site and the student edition: pages, links, offline loading, no solutions.

The site and the student edition are each built once per test session into a temporary folder
(never over build/site) and shared by every test; pages are parsed once and the trees shared
(tests only read them). The browser
test opens every page in the system's Chromium, driven by playwright, and skips with a message
when Chromium is not installed.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from helpers import claims, notebooks, paths
from tools import site

EXISTING = notebooks.existing()
# Tags whose src/href the browser fetches while loading the page (an <a href> is only followed
# when clicked, so prose may link to a publisher's site).
LOADING = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
    "embed": "src",
    "object": "data",
    "track": "src",
}


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> dict:
    return site.build(tmp_path_factory.mktemp("site") / "site", quiet=True)


@pytest.fixture(scope="session")
def student(tmp_path_factory) -> dict:
    return site.build(tmp_path_factory.mktemp("student") / "student", student=True, quiet=True)


def soup(path: Path) -> BeautifulSoup:
    """The parsed page, shared between tests (read it, never change it)."""
    stat = path.stat()
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _parse(path: Path, mtime_ns: int, size: int) -> BeautifulSoup:
    with site._collector_paused():  # a third faster; the trees are kept for the session anyway
        return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def is_external(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.netloc) or parts.scheme not in ("", "data")


def local_links(page: Path) -> list[tuple[str, str]]:
    """(tag, url) for every relative src/href/data on the page."""
    found = []
    for element in soup(page).find_all(True):
        for attr in ("href", "src", "data"):
            url = element.get(attr)
            if url and not is_external(url) and not url.startswith("data:"):
                found.append((element.name, url))
    return found


def solution_cells(nb: notebooks.Notebook) -> list[dict]:
    cells = json.loads(nb.path.read_text(encoding="utf-8"))["cells"]
    return [c for c in cells if site.SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]


# --- the site ------------------------------------------------------------------------------


def test_one_page_per_notebook_plus_index_and_instructor(built):
    expected = {"index.html", "instructor.html", *(f"{nb.name}.html" for nb in EXISTING)}
    assert set(built["pages"]) == expected
    assert built["broken"] == [], f"links that resolve to nothing: {built['broken']}"


def test_prev_next_follow_reading_order(built):
    names = [nb.name for nb in EXISTING]
    for i, name in enumerate(names):
        page = soup(built["out"] / f"{name}.html")
        prev = page.find("a", rel="prev")["href"]
        nxt = page.find("a", rel="next")["href"]
        assert prev == (f"{names[i - 1]}.html" if i > 0 else "index.html"), name
        assert nxt == (f"{names[i + 1]}.html" if i + 1 < len(names) else "index.html"), name


def test_download_links_give_the_committed_notebooks(built):
    for nb in EXISTING:
        link = soup(built["out"] / f"{nb.name}.html").find("a", class_="download")
        assert link is not None and link["href"] == f"notebooks/{nb.name}.ipynb"
        assert (built["out"] / link["href"]).read_bytes() == nb.path.read_bytes()


@pytest.mark.parametrize("edition", ["built", "student"])
def test_every_internal_link_resolves(edition, request):
    out = request.getfixturevalue(edition)["out"]
    ids: dict[Path, set[str]] = {}
    checked = 0
    for page in sorted(out.glob("*.html")):
        for tag, url in local_links(page):
            parts = urlsplit(url)
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file(), f"{page.name}: <{tag}> {url} points to no file"
            assert target.is_relative_to(out.resolve()), f"{page.name}: {url} leaves the site"
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = {e["id"] for e in soup(target).find_all(id=True)}
                assert parts.fragment in ids[target] or unquote(parts.fragment) in ids[target], (
                    f"{page.name}: {url} names no element of {target.name}"
                )
            checked += 1
    assert checked > 0


@pytest.mark.parametrize("edition", ["built", "student"])
def test_pages_load_nothing_from_other_sites(edition, request):
    out = request.getfixturevalue(edition)["out"]
    for page in sorted(out.glob("*.html")):
        parsed = soup(page)
        for tag, attr in LOADING.items():
            for element in parsed.find_all(tag):
                url = element.get(attr, "")
                assert not is_external(url), (
                    f"{page.name}: <{tag} {attr}={url!r}> loads from outside"
                )
        for style in parsed.find_all("style"):
            assert "@import" not in style.text and not re.search(
                r"url\((?!['\"]?data:)", style.text
            )
    for css in sorted(out.glob("assets/*.css")):
        text = css.read_text(encoding="utf-8")
        assert "@import" not in text, css.name
        assert not re.search(r"url\(\s*(?!['\"]?data:)", text), f"{css.name} loads a file"


def test_landing_counts_match_the_verdict_file(built):
    verdicts = pd.read_csv(paths.DERIVED / "claim_verdicts.csv", dtype=str, keep_default_na=False)
    ledger = pd.read_csv(paths.CLAIMS, dtype=str, keep_default_na=False)
    page = soup(built["out"] / "index.html")
    heading = page.find(id="What-the-audit-found")
    table = heading.find_next("table")
    shown = {
        row.find_all("td")[0].get_text(strip=True): int(row.find_all("td")[1].get_text())
        for row in table.find("tbody").find_all("tr")
    }
    expected = verdicts["verdict"].value_counts().to_dict()
    missing = len(set(ledger["claim_id"]) - set(verdicts["claim_id"]))
    if missing:
        expected["no verdict yet"] = missing
    assert shown == expected
    assert sum(shown.values()) == len(ledger)
    # every claim of a notebook on the site links to that notebook's page
    links = {
        a.get_text(): a["href"] for a in page.find_all("a") if re.match(r"C\d\d-", a.get_text())
    }
    for _, row in ledger.iterrows():
        if row["notebook"] in {nb.name for nb in EXISTING}:
            assert links[row["claim_id"]].split("#")[0] == f"{row['notebook']}.html"


def test_instructor_page_lists_parameters_and_inconsistencies(built):
    page = soup(built["out"] / "instructor.html")
    text = page.get_text(" ")
    for nb in EXISTING:
        for parameter in site.parameters_of(nb):
            assert parameter["name"] in text, f"{nb.name}: {parameter['name']} not listed"
    verdicts = pd.read_csv(paths.DERIVED / "claim_verdicts.csv", dtype=str, keep_default_na=False)
    for claim_id in verdicts.loc[verdicts["verdict"] == claims.INCONSISTENT, "claim_id"]:
        assert claim_id in text
    assert site.PARAMETERS_MARKER not in str(page) and site.INCONSISTENCIES_MARKER not in str(page)


def test_colophon_names_the_commit(built):
    text = soup(built["out"] / "index.html").get_text(" ")
    assert site.git_commit().split()[0] in text
    assert "nbconvert" in text


def test_links_written_for_the_repository_are_rewritten(tmp_path):
    renderer = site.Renderer(tmp_path, student=False, pages=EXISTING)
    first = EXISTING[-1].name
    page = (
        f'<a href="{first}.ipynb#Overview">nb</a> <a href="../data/claims.csv">ledger</a> '
        '<a href="no_such_file.csv">gone</a> <a href="https://example.org/x">prose</a>'
    )
    fixed = renderer.fix_links(page, source_dir=paths.NOTEBOOKS, page="test.html")
    assert f'href="{first}.html#Overview"' in fixed
    assert 'href="files/data/claims.csv"' in fixed
    assert (tmp_path / "files" / "data" / "claims.csv").read_bytes() == paths.CLAIMS.read_bytes()
    assert 'href="https://example.org/x"' in fixed
    assert renderer.broken == ["test.html: no_such_file.csv"]


def test_claim_anchor_is_the_heading_above_the_check():
    page = (
        '<h2 id="First">First</h2><div class="jp-Cell jp-CodeCell" id="cell-id=cell-01">'
        '<div class="jp-InputArea">audit.check("C09-plain", 1)</div></div>'
        '<h3 id="Second">Second</h3><div class="jp-Cell jp-CodeCell" id="cell-id=cell-02">'
        '<div class="jp-InputArea">audit.check(f"C09-built-{kind}", 2)</div></div>'
    )
    anchors = site.claim_anchors(page)
    assert site.anchor_for("C09-plain", anchors) == "First"
    assert site.anchor_for("C09-built-towns", anchors) == "Second"
    assert site.anchor_for("C09-elsewhere", anchors) == ""


# --- the student edition -------------------------------------------------------------------


def test_committed_notebooks_keep_their_solutions():
    with_solutions = [nb.name for nb in EXISTING if solution_cells(nb)]
    assert with_solutions, "no committed notebook has a cell tagged 'solution'"


def test_student_notebooks_have_no_solution_cells(student):
    for nb in EXISTING:
        copy = student["out"] / "notebooks" / f"{nb.name}.ipynb"
        cells = json.loads(copy.read_text(encoding="utf-8"))["cells"]
        tagged = [c for c in cells if site.SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]
        assert tagged == [], f"{copy.name} keeps a solution cell"
        sources = {"".join(c["source"]) for c in cells}
        for solution in solution_cells(nb):
            text = "".join(solution["source"])
            assert text not in sources
            longest = max(text.splitlines(), key=len).strip()
            assert all(longest not in s for s in sources), f"{copy.name}: {longest!r}"
        # everything else is still there
        kept = [c for c in json.loads(nb.path.read_text())["cells"] if c not in solution_cells(nb)]
        assert len(cells) == len(kept)


def test_student_pages_have_no_solution_text(built, student):
    assert "instructor.html" not in student["pages"]
    for nb in EXISTING:
        full = soup(built["out"] / f"{nb.name}.html")
        mine = soup(student["out"] / f"{nb.name}.html")
        solutions = full.select("div.celltag_solution")
        assert len(solutions) == len(solution_cells(nb))  # the check below can see them
        assert mine.select("div.celltag_solution") == []
        text = " ".join(mine.get_text().split())
        for cell in solutions:
            # a code cell carries the tag on the cell, a markdown cell on its rendered text
            area = cell.find(class_="jp-InputArea") or cell
            lines = [" ".join(line.split()) for line in area.get_text().splitlines()]
            longest = max(lines, key=len)
            assert longest and longest in " ".join(full.get_text().split())
            assert longest not in text, f"{nb.name}: solution text {longest!r} in student page"


# --- a real browser ------------------------------------------------------------------------


def crawl(browser, out: Path, screenshot: Path | None = None) -> tuple[list[str], list[str]]:
    """Open every page reachable from index.html; returns (pages visited, problems)."""
    problems: list[str] = []
    visited: list[str] = []
    with site.serve(out) as base:
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


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every crawl of the session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not site.CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {site.CHROMIUM}: install it (Debian: apt-get install -y chromium) "
            "to run the browser test"
        )
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(site.CHROMIUM), args=site.CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("edition", ["built", "student"])
def test_every_page_loads_in_a_real_browser(edition, request, browser):
    out = request.getfixturevalue(edition)["out"]
    shot = paths.BUILD / "screenshots" / f"{out.name}-landing.png"
    visited, problems = crawl(browser, out, screenshot=shot)
    assert problems == []
    assert set(visited) == {p.name for p in out.glob("*.html")}, "a page is not linked"
    assert shot.stat().st_size > 0


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


def test_a_new_notebook_gets_its_page_and_place(project_copy):
    """A notebook added later (here a copy of the last one, as the next registered name) is
    rendered in reading order, and its repository links are rewritten for the site."""
    registered = [nb.name for nb in notebooks.ALL]
    last = EXISTING[-1].name
    following = registered[registered.index(last) + 1 :]
    if not following:
        pytest.skip("every registered notebook exists already")
    new = following[0]
    nb = json.loads((project_copy / "notebooks" / f"{last}.ipynb").read_text(encoding="utf-8"))
    nb["cells"].insert(
        0,
        {
            "cell_type": "markdown",
            "id": "added-link",
            "metadata": {},
            "source": f"[back]({last}.ipynb) and [the ledger](../data/claims.csv)",
        },
    )
    (project_copy / "notebooks" / f"{new}.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "tools.site"],
        cwd=project_copy,
        env={**os.environ, "PYTHONPATH": str(project_copy)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    out = project_copy / "build" / "site"
    assert (out / f"{new}.html").exists()
    assert soup(out / f"{last}.html").find("a", rel="next")["href"] == f"{new}.html"
    assert soup(out / f"{new}.html").find("a", rel="prev")["href"] == f"{last}.html"
    page = soup(out / f"{new}.html")
    assert page.find("a", string="back")["href"] == f"{last}.html"
    assert page.find("a", string="the ledger")["href"] == "files/data/claims.csv"
    assert (out / "files" / "data" / "claims.csv").exists()


def test_same_input_same_pages(student, tmp_path):
    again = site.build(tmp_path / "student", student=True, quiet=True)
    first = {p.relative_to(student["out"]): p.read_bytes() for p in student["out"].rglob("*.*")}
    second = {p.relative_to(again["out"]): p.read_bytes() for p in again["out"].rglob("*.*")}
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


# --- building only when an input changed ---------------------------------------------------


def test_if_stale_rebuilds_only_when_an_input_changes(tmp_path, monkeypatch, capsys):
    source = tmp_path / "input.csv"
    source.write_text("one\n", encoding="utf-8")
    monkeypatch.setattr(site, "input_files", lambda: [source])
    builds = []

    def fake_build(out, student=False, **kwargs):
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text(f"build {len(builds)}", encoding="utf-8")
        builds.append(student)
        return {"out": out, "broken": []}

    monkeypatch.setattr(site, "build", fake_build)
    out = tmp_path / "site"
    args = ["--if-stale", "--out", str(out)]
    assert site.main(args) == 0 and builds == [False]  # never built: builds
    assert (out / site.INPUTS_STAMP).read_text().strip() == site.inputs_digest(student=False)
    capsys.readouterr()
    built_at = (out / "index.html").stat().st_mtime_ns

    assert site.main(args) == 0 and builds == [False]  # same inputs: does not build
    assert "up to date" in capsys.readouterr().out
    assert (out / "index.html").stat().st_mtime_ns == built_at

    source.write_text("two\n", encoding="utf-8")  # an input changes: builds again
    assert site.main(args) == 0 and builds == [False, False]
    assert (out / "index.html").read_text() == "build 1"
    assert site.main(args) == 0 and builds == [False, False]

    (out / "index.html").unlink()  # an incomplete edition is rebuilt
    assert site.main(args) == 0 and len(builds) == 3
    assert site.main([*args, "--student"]) == 0 and builds[-1] is True  # its own digest
    assert site.inputs_digest(student=True) != site.inputs_digest(student=False)


def test_if_stale_hashes_every_input():
    listed = set(site.input_files())
    expected = {
        *paths.NOTEBOOKS.glob("*.ipynb"),
        site.INSTRUCTOR_MD,
        site.CITATION,
        paths.CLAIMS,
        *paths.DERIVED.glob("*.csv"),
        Path(site.__file__),
    }
    assert expected <= listed, expected - listed


def test_if_stale_check_imports_nothing_heavy(tmp_path):
    """A fresh edition is recognised without importing nbconvert, pandas or BeautifulSoup."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("as built", encoding="utf-8")
    (out / site.INPUTS_STAMP).write_text(site.inputs_digest(student=False) + "\n")
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "tools.site", "--if-stale", "--out", str(out)],
        cwd=paths.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert (out / "index.html").read_text() == "as built"
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert imported & {"nbconvert", "nbformat", "pandas", "bs4", "papermill"} == set()
