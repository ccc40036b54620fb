"""The static site and the student edition: pages, links, findings, anchors, offline loading,
no solutions, no repository or Binder link until the publisher sets one (and Binder links once
it is set). What a reader gets in the system's Chromium is in test_site_browser.py.

Each edition is built once per test session into a temporary folder (never over build/) and
shared by every test; pages are parsed once and the trees shared (tests only read them).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from helpers import claims, colours, paths
from helpers import findings as findings_module
from tools import colophon, notebooks, site, student

EXISTING = notebooks.existing()
MAX_PAGE_BYTES = 2_000_000
NBCONVERT_PLACEHOLDER = "No description has been provided for this image"
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


def soup(path: Path) -> BeautifulSoup:
    """The parsed page, shared between tests (read it, never change it)."""
    stat = path.stat()
    return _parse(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _parse(path: Path, mtime_ns: int, size: int) -> BeautifulSoup:
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


def test_one_page_per_notebook_plus_index_and_glossary(built):
    expected = {"index.html", "glossary.html"}  # instructor pages: build/instructor/ only
    assert set(built["pages"]) == expected | {f"{nb.name}.html" for nb in EXISTING}
    assert built["broken"] == [], f"links that resolve to nothing: {built['broken']}"


def test_prev_next_follow_reading_order(built):
    names = ["index", *(nb.name for nb in EXISTING), "glossary"]
    for i, name in enumerate(names):
        page = soup(built["out"] / f"{name}.html")
        assert page.find("a", rel="prev")["href"] == f"{names[i - 1]}.html", name
        assert page.find("a", rel="next")["href"] == f"{names[(i + 1) % len(names)]}.html", name


def test_every_title_names_the_compendium(built):
    for name in built["pages"]:
        title = soup(built["out"] / name).title.get_text()
        assert title.endswith(site.NAME) and title != site.NAME, name


def test_download_links_and_no_repository_link_until_one_is_set(built):
    """CITATION.cff names no repository (the publisher sets repository-code): no page links to
    Binder or to a repository, and the README says how to set it."""
    assert colophon.repository() is None and colophon.binder_url() is None
    for nb in EXISTING:
        page = soup(built["out"] / f"{nb.name}.html")
        link = page.find("a", class_="download")
        assert link is not None and link["href"] == f"notebooks/{nb.name}.ipynb"
        assert (built["out"] / link["href"]).read_bytes() == nb.path.read_bytes()
        assert "runs inside" in page.find(class_="page-tools").get_text()
    for name in built["pages"]:
        hrefs = [a["href"] for a in soup(built["out"] / name).find_all("a", href=True)]
        assert not [h for h in hrefs if re.search(r"mybinder|github\.com|gitlab", h)], name
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert "repository-code" in readme and "mybinder.org/v2/gh/" not in readme


def test_binder_links_once_a_repository_is_set(tmp_path, monkeypatch):
    address = "https://github.com/example-owner/example-compendium"
    cff = {**colophon.citation(), "repository-code": address}
    monkeypatch.setattr(colophon, "citation", lambda: cff)
    editor = site.Site(tmp_path, student=False)
    monkeypatch.setattr(editor, "claim_href", lambda *args, **kwargs: "index.html")
    nb, binder = EXISTING[0], "https://mybinder.org/v2/gh/example-owner/example-compendium/HEAD"
    editor.render(nbformat_page("# A page"), nb.name, nb.title)
    link = soup(tmp_path / f"{nb.name}.html").find("a", class_="binder")["href"]
    assert link == f"{binder}?labpath=notebooks%2F{nb.name}.ipynb"
    landing = editor.landing()
    assert f"]({binder})" in landing and address in landing


def nbformat_page(text: str):
    import nbformat

    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(text)])


@pytest.mark.parametrize("edition", ["built", "student_edition"])
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


@pytest.mark.parametrize("edition", ["built", "student_edition"])
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
    for asset in sorted(out.glob("assets/*.*")):
        text = asset.read_text(encoding="utf-8")
        assert "@import" not in text, asset.name
        assert not re.search(r"url\(\s*(?!['\"]?data:)", text), f"{asset.name} loads a file"
        if asset.name == "site.js":  # requests for data fail from disk
            assert "fetch(" not in text and "XMLHttpRequest" not in text


def test_largest_page_is_under_two_megabytes(built):
    """A page and what it loads with it (stylesheets, script; the search index only on use)."""
    out = built["out"]
    shared = sum((out / "assets" / n).stat().st_size for n in ("lab.css", "site.css", "site.js"))
    sizes = {p.name: p.stat().st_size + shared for p in out.glob("*.html")}
    assert max(sizes.values()) < MAX_PAGE_BYTES, sizes


def test_every_claim_has_an_anchor_at_the_cell_that_checks_it(built):
    assert built["unplaced"] == [], "claims no cell of their notebook mentions"
    ledger = pd.read_csv(paths.CLAIMS, dtype=str, keep_default_na=False)
    for nb in EXISTING:
        ids = {e["id"] for e in soup(built["out"] / f"{nb.name}.html").select(".claim-anchor")}
        mine = {f"claim-{c}" for c in ledger.loc[ledger["notebook"] == nb.name, "claim_id"]}
        assert mine <= ids, f"{nb.name}: no anchor for {sorted(mine - ids)[:5]}"


def test_landing_opens_with_the_findings_in_plain_words(built):
    page = soup(built["out"] / "index.html")
    main = page.find("main")
    headings = [h.get("id") for h in main.find_all("h2")]
    found, counts = headings.index("What-the-audit-found"), headings.index("Counts-by-claim")
    assert found < counts < headings.index("The-sections")
    summary = pd.read_csv(site.SUMMARY, dtype=str, keep_default_na=False)
    ranked = pd.read_csv(site.FINDINGS, dtype=str, keep_default_na=False)
    # the findings, once each, in the ranked file's order, naming quotes and verdicts, never ids
    findings = main.select("ul.findings li")
    assert len(findings) == len(ranked)
    assert findings and all(li.find("q") and li.select_one(".verdict") for li in findings)
    assert not any(re.search(r"\bC\d\d-", li.get_text()) for li in findings)
    for sentence, li in zip(ranked["sentence"], findings, strict=True):
        assert sentence.rstrip(".") in " ".join(li.get_text().split())
    # the page's account of the audit, as a reader sees it, carries no code (issue 19)
    account, heading = [], main.find(id="What-the-audit-found")
    for node in heading.find_all_next():
        if node.get("id") == "Counts-by-claim":
            break
        if node.name in ("p", "li"):
            account.append(node.get_text(" "))
    assert account and not [f for text in account for f in findings_module.reader_faults(text)]
    bad = summary[summary["verdict"] == claims.INCONSISTENT]
    hrefs = {a["href"] for li in findings for a in li.find_all("a")}
    ledger = pd.read_csv(paths.CLAIMS, dtype=str, keep_default_na=False)
    primary = ledger[ledger["primary"] == "true"].set_index("claim")["claim_id"]
    for _, row in bad.iterrows():  # a claim's link lands on the cell checking its primary reading
        assert f"{row['notebook']}.html#claim-{primary[row['claim']]}" in hrefs
    differs = ranked.loc[ranked["check"] == "external", "claim"]
    cross = notebooks.CROSS_CHECKS.name
    assert {f"{cross}.html#claim-{c}" for c in differs} <= hrefs


def test_landing_counts_match_the_verdict_file(built):
    summary = pd.read_csv(site.SUMMARY, dtype=str, keep_default_na=False)
    table = soup(built["out"] / "index.html").find(id="Counts-by-claim").find_next("table")
    shown = {}
    for row in table.find("tbody").find_all("tr"):
        cells = [td.get_text(" ", strip=True) for td in row.find_all("td")]
        badge = row.select_one(".verdict")  # a symbol, then the verdict's word
        shown[badge.get_text().split(" ", 1)[1] if badge else cells[0]] = int(cells[1])
    assert shown.pop("all claims") == len(summary)
    assert shown == summary["verdict"].value_counts().to_dict()


def test_verdict_tables_are_for_people(built):
    for nb in EXISTING:
        page = soup(built["out"] / f"{nb.name}.html")
        tables = page.select(".jp-RenderedHTML table")
        text = " ".join(t.get_text(" ") for t in tables)
        assert not re.search(r"\bNaN\b|<NA>|\bnan\b", text), nb.name
        words = [td.get_text(strip=True) for td in page.select(".jp-RenderedHTML td")]
        bare = [w for w in words if w in claims.VERDICTS]
        assert bare == [], f"{nb.name}: verdicts without a badge: {bare[:3]}"


def test_readable_table_badges_verdicts_and_hides_missing_values(tmp_path):
    editor = site.Site(tmp_path, student=False)
    editor.claim_pages["C01-x"] = "01_introduction"
    table = (
        '<table class="dataframe"><thead><tr style="text-align: right;"><th></th>'
        "<th>claim_id</th><th>stated_value</th><th>verdict</th></tr></thead><tbody>"
        "<tr><th>0</th><td>C01-x</td><td>NaN</td><td>inconsistent</td></tr>"
        "<tr><th>1</th><td>C09-y</td><td>&lt;NA&gt;</td><td>consistent</td></tr></tbody></table>"
    )
    shown = BeautifulSoup(editor.readable_table(table), "html.parser")
    assert "NaN" not in shown.get_text() and "<NA>" not in shown.get_text()
    assert [th.get_text() for th in shown.find_all("th")] == ["claim id", "stated value", "verdict"]
    badges = shown.select(".verdict")
    assert [b.get_text() for b in badges] == ["\u2717 inconsistent", "\u2713 consistent"]
    assert badges[0]["style"] != badges[1]["style"]  # each verdict its colour
    assert shown.find("a")["href"] == "01_introduction.html#claim-C01-x"
    assert shown.find("a").get_text() == "C01-x" and "C09-y" in shown.get_text()
    # helpers.claims.reader_table links the quote to its claim: the link follows the claim
    quoted = editor.readable_table('<td><a href="#claim-C01-x">the words</a></td>')
    assert 'href="01_introduction.html#claim-C01-x"' in quoted


def test_code_and_solutions_are_folded_in_the_page(built):
    for nb in EXISTING:
        page = soup(built["out"] / f"{nb.name}.html")
        for cell in page.select("div.jp-CodeCell"):
            solution = "celltag_solution" in cell["class"]
            folded = cell.find_parent("details") if solution else cell.find("details")
            assert folded is not None and not folded.has_attr("open"), nb.name
            assert folded["class"] == (["solution"] if solution else ["code"])
        for cell in page.select(".celltag_solution"):
            assert cell.find_parent("details", class_="solution") is not None


def test_glossary_defines_the_words_notebooks_use(built):
    from tools import glossary

    page = (built["out"] / "glossary.html").read_text(encoding="utf-8")
    # a link to a term lands on its definition: each term's heading has the term as its id
    ids = set(re.findall(r'<h3 id="([^"]+)"', page))
    assert {glossary.anchor(t) for t in glossary.terms()} <= ids
    for name in built["pages"]:  # every page links to it (a regular expression: parsing every
        # page again with BeautifulSoup took 2.7 s)
        assert 'href="glossary.html"' in (built["out"] / name).read_text(encoding="utf-8"), name


def test_colophon_names_the_commit(built):
    text = soup(built["out"] / "index.html").get_text(" ")
    assert colophon.git_commit().split()[0] in text
    assert "nbconvert" in text


def test_links_written_for_the_repository_are_rewritten(tmp_path):
    editor = site.Site(tmp_path, student=False)
    first = EXISTING[-1].name
    page = (
        f'<a href="{first}.ipynb#Overview">nb</a> <a href="../data/claims.csv">ledger</a> '
        '<a href="GLOSSARY.md#Tolerance">glossary</a> '
        '<a href="no_such_file.csv">gone</a> <a href="https://example.org/x">prose</a>'
    )
    fixed = editor.fix_links(page, "test")
    assert f'href="{first}.html#Overview"' in fixed
    assert 'href="glossary.html#Tolerance"' in fixed
    assert 'href="files/data/claims.csv"' in fixed
    assert (tmp_path / "files" / "data" / "claims.csv").read_bytes() == paths.CLAIMS.read_bytes()
    assert 'href="https://example.org/x"' in fixed
    assert editor.broken == ["test.html: no_such_file.csv"]


def test_a_claim_is_anchored_at_the_cell_that_checks_it():
    import nbformat

    node = nbformat.v4.new_notebook()
    node.cells = [
        nbformat.v4.new_markdown_cell("C09-plain is discussed here, not checked"),
        nbformat.v4.new_code_cell('audit.check("C09-plain", 1)'),
        nbformat.v4.new_code_cell('audit.check(f"C09-built-{kind}", 2)'),
        nbformat.v4.new_code_cell(
            "table", outputs=[nbformat.v4.new_output("stream", text="C09-listed consistent")]
        ),
    ]
    placed = site.mark_claims(node, ["C09-plain", "C09-built-towns", "C09-listed", "C09-gone"])
    assert placed == ["C09-plain", "C09-built-towns", "C09-listed"]
    assert [c.metadata.get("site_claims") for c in node.cells] == [
        None,
        ["C09-plain"],
        ["C09-built-towns"],
        ["C09-listed"],
    ]


def test_alt_text_comes_from_the_figure_metadata(built):
    images = 0
    for nb in EXISTING:
        cells = json.loads(nb.path.read_text(encoding="utf-8"))["cells"]
        alts = [
            o.get("metadata", {}).get("image/png", {}).get("alt")
            for c in cells
            for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})
        ]
        shown = [img["alt"] for img in soup(built["out"] / f"{nb.name}.html").find_all("img")]
        assert len(shown) == len(alts), nb.name
        for alt, written in zip(shown, alts, strict=True):
            assert alt and alt != NBCONVERT_PLACEHOLDER
            assert alt == (written or alt), nb.name  # the figure's own description, when it has one
        images += len(shown)
    assert images > 0


# --- the student edition -------------------------------------------------------------------


def test_committed_notebooks_keep_their_solutions():
    with_solutions = [nb.name for nb in EXISTING if solution_cells(nb)]
    assert with_solutions, "no committed notebook has a cell tagged 'solution'"


def test_student_notebooks_have_no_solution_cells(student_edition):
    for nb in EXISTING:
        copy = student_edition["out"] / "notebooks" / f"{nb.name}.ipynb"
        cells = json.loads(copy.read_text(encoding="utf-8"))["cells"]
        tagged = [c for c in cells if site.SOLUTION_TAG in c.get("metadata", {}).get("tags", [])]
        assert tagged == [], f"{copy.name} keeps a solution cell"
        sources = {"".join(c["source"]) for c in cells}
        for solution in solution_cells(nb):
            text = "".join(solution["source"])
            assert text not in sources
            longest = max(text.splitlines(), key=len).strip()
            assert all(longest not in s for s in sources), f"{copy.name}: {longest!r}"
        # every cell that neither solves nor gives an answer away is still there
        hidden = {"solution", "reveals-answer"}
        kept = [  # as students get them: links to the run's verdict files unlinked
            student.DERIVED_LINK.sub(r"\1", "".join(c["source"]))
            for c in json.loads(nb.path.read_text())["cells"]
            if not hidden & set(c.get("metadata", {}).get("tags", []))
        ]
        assert set(kept) <= sources


def test_student_pages_have_no_solution_text(built, student_edition):
    assert "instructor.html" not in student_edition["pages"]
    for nb in EXISTING:
        full = soup(built["out"] / f"{nb.name}.html")
        mine = soup(student_edition["out"] / f"{nb.name}.html")
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


# --- one page rendered on its own ----------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Elsewhere(notebooks.Notebook):
    """A registered notebook kept outside notebooks/ (a test never writes into the checkout)."""

    source: Path | None = None

    @property
    def path(self) -> Path:
        return self.source


def test_a_new_notebook_gets_its_page_and_place(tmp_path, monkeypatch):
    """A notebook added later, registered after the last one, is rendered in reading order with
    its download, and its repository links are rewritten for the site (its own page rendered,
    not a whole site)."""
    import nbformat

    last, new = EXISTING[-1].name, "99_added_later"
    source = tmp_path / f"{new}.ipynb"
    text = f"# Added later\n\n[back]({last}.ipynb) and [the ledger](../data/claims.csv)"
    cells = [nbformat.v4.new_markdown_cell(text), nbformat.v4.new_code_cell("1 + 1")]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), source)
    added = Elsewhere(new, "Added later", "a test", source=source)
    monkeypatch.setattr(notebooks, "existing", lambda: (*EXISTING, added))
    out = tmp_path / "site"
    editor = site.Site(out, student=False)
    editor.copy_assets()
    editor.render(editor.read_notebooks()[new], new, added.title)
    page = soup(out / f"{new}.html")
    assert page.find("a", rel="prev")["href"] == f"{last}.html"
    assert page.find("a", rel="next")["href"] == "glossary.html"
    assert page.find("a", string="back")["href"] == f"{last}.html"
    assert page.find("a", string="the ledger")["href"] == "files/data/claims.csv"
    assert (out / "files" / "data" / "claims.csv").read_bytes() == paths.CLAIMS.read_bytes()
    assert (out / "notebooks" / f"{new}.ipynb").read_bytes() == source.read_bytes()
    assert editor.broken == []


def test_same_input_same_page(student_edition, tmp_path):
    """Rendering is deterministic: a page rendered again, by a new Site at another time, is
    byte for byte the page of the session's build (the student edition: its transform too)."""
    from tools import student

    nb = EXISTING[1]
    editor = site.Site(tmp_path, student=True)
    editor.copy_assets()
    editor.render(editor.read_notebooks(student.student_notebook)[nb.name], nb.name, nb.title)
    for name in (f"{nb.name}.html", f"notebooks/{nb.name}.ipynb"):
        again, first = tmp_path / name, student_edition["out"] / name
        assert again.read_bytes() == first.read_bytes(), name


# --- building only when an input changed ---------------------------------------------------


def test_if_stale_rebuilds_only_when_an_input_changes(tmp_path, monkeypatch, capsys):
    source = tmp_path / "input.csv"
    source.write_text("one\n", encoding="utf-8")
    monkeypatch.setattr(site, "input_files", lambda: [source])
    builds = []

    def fake_build(out, **kwargs):
        out.mkdir(parents=True, exist_ok=True)
        (out / "index.html").write_text(f"build {len(builds)}", encoding="utf-8")
        builds.append(out)
        return {"out": out, "broken": []}

    monkeypatch.setattr(site, "build", fake_build)
    out = tmp_path / "site"
    args = ["--if-stale", "--out", str(out)]
    assert site.main(args) == 0 and builds == [out]  # never built: builds
    assert (out / site.INPUTS_STAMP).read_text().strip() == site.inputs_digest()
    capsys.readouterr()
    built_at = (out / "index.html").stat().st_mtime_ns

    assert site.main(args) == 0 and builds == [out]  # same inputs: does not build
    assert "up to date" in capsys.readouterr().out
    assert (out / "index.html").stat().st_mtime_ns == built_at

    source.write_text("two\n", encoding="utf-8")  # an input changes: builds again
    assert site.main(args) == 0 and builds == [out, out]
    assert (out / "index.html").read_text() == "build 1"
    assert site.main(args) == 0 and builds == [out, out]

    (out / "index.html").unlink()  # an incomplete edition is rebuilt
    assert site.main(args) == 0 and len(builds) == 3


def test_if_stale_hashes_every_input():
    listed = set(site.input_files())
    expected = {
        *paths.NOTEBOOKS.glob("*.ipynb"),
        site.INSTRUCTOR_MD,
        colophon.CITATION,
        paths.CLAIMS,
        *paths.DERIVED.glob("*.csv"),
        Path(site.__file__),
        Path(colophon.__file__),
        Path(colours.__file__),
    }
    assert expected <= listed, expected - listed


def test_if_stale_check_imports_nothing_heavy(tmp_path):
    """A fresh edition is recognised without importing nbconvert, pandas or BeautifulSoup."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("as built", encoding="utf-8")
    (out / site.INPUTS_STAMP).write_text(site.inputs_digest() + "\n")
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


def test_a_failed_build_leaves_the_old_edition_and_no_scraps(tmp_path, monkeypatch):
    """Editions are written aside and swapped in whole: a build that fails changes nothing."""
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("the old edition", encoding="utf-8")

    def half_written(folder, student_notebook):
        (folder / "index.html").write_text("half a new edition", encoding="utf-8")
        raise RuntimeError("the build broke half way")

    monkeypatch.setattr(site, "_write", half_written)
    with pytest.raises(RuntimeError, match="half way"):
        site.build(out, quiet=True)
    assert (out / "index.html").read_text(encoding="utf-8") == "the old edition"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
