"""Every data file matches the data package, and bad input stops with one clear sentence."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import data, paths

RESOURCES = data.package()["resources"]


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r["path"])
def test_file_matches_package(resource):
    frame, _ = data.validate(paths.DATA / resource["path"])
    assert len(frame) > 0
    for field in resource["schema"]["fields"]:
        assert field.get("description"), f"{resource['path']}: column {field['name']} undocumented"
    provenance = resource["provenance"]
    folder = resource["path"].split("/")[0]
    if folder == "article":  # article data: where in the article, and a quote
        assert {"section", "quote", "cited_source"} <= set(provenance)
        assert "rows" in resource, "read-only files declare their row count"
    if folder == "external":  # external data: who published it, under what terms
        assert {"publisher", "licence", "reliability"} <= set(provenance)
        assert resource["licenses"] and "rows" in resource


def test_every_csv_is_in_the_package():
    listed = {(paths.DATA / r["path"]).resolve() for r in RESOURCES}
    found = {p.resolve() for folder in data.FOLDERS.values() for p in folder.glob("*.csv")}
    found.add(paths.CLAIMS.resolve())
    assert found - listed == set(), "every CSV needs a resource in data/datapackage.json"
    assert not list(paths.DATA.rglob("*.schema.json")), "schemas live in the package only"


def test_frictionless_validates_the_package():
    """The reference implementation agrees: the package and every file in it are valid."""
    cli = Path(sys.executable).with_name("frictionless")
    result = subprocess.run(
        [str(cli), "validate", "--json", "datapackage.json"],
        cwd=paths.DATA,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:]


def test_every_number_and_date_read_is_bounded():
    """Plausible data: each count, amount, year and date of the inputs has both limits its
    meaning gives (derived files are outputs, checked by the notebooks that write them)."""
    for resource in RESOURCES:
        if resource["path"].startswith("derived/"):
            continue
        for field in resource["schema"]["fields"]:
            limits = field.get("constraints", {})
            if field["type"] in ("integer", "number", "date"):
                assert {"minimum", "maximum"} <= set(limits), (resource["path"], field["name"])


def test_every_stated_value_is_printed_by_its_quote():
    """The ledger's rule (helpers.data.unprinted_value) holds for every row; a bound next to a
    printed number must print its value, a bound set by words need not."""
    ledger = data.check_file(paths.CLAIMS)[0]
    assert all(data.unprinted_value(row) is None for row in ledger)
    row = {"quote": "as many as 972 associations", "stated_value": "972", "unit": "associations"}
    assert data.unprinted_value({**row, "comparator": "le"}) is None
    assert "972 is not a quantity its quote prints" in data.unprinted_value(
        {**row, "quote": "as many as 9720 associations", "comparator": "le"}
    )
    words = {"quote": "Most of the investments", "unit": "percent", "comparator": "gt"}
    assert data.unprinted_value({**words, "stated_value": "50"}) is None
    twelve = {"quote": "and twelve designated cities", "unit": "cities", "comparator": "eq"}
    assert data.unprinted_value({**twelve, "stated_value": "12"}) is None
    assert data.unprinted_value({**twelve, "stated_value": "13"}) is not None


def test_article_quotes_are_short():
    for resource in RESOURCES:
        if resource["path"].startswith("article/"):
            assert len(resource["provenance"]["quote"]) <= 200


@pytest.fixture
def table1_copy(tmp_path):
    source = paths.ARTICLE / "table1_sister_affiliations.csv"
    target = tmp_path / source.name
    shutil.copy(source, target)
    return target


def check(path):
    return data.validate(path, data.resource("table1_sister_affiliations"))


@pytest.mark.parametrize(
    ("line", "bad_line", "message"),
    [
        (3, "2001-04-01,governments_with_affiliations,cities,4x0", r"row 3, column 'count'.*whole"),
        (
            3,
            "2001-04-01,governments_with_affiliations,cities,-4",
            r"row 3, column 'count'.*minimum",
        ),
        (
            4,
            "2001-04-01,governments_with_affiliations,hamlets,19",
            r"row 4, column 'government_type'.*allowed",
        ),
        (
            2,
            "2001-13-01,governments_with_affiliations,prefectures,39",
            r"row 2, column 'as_of'.*ISO date",
        ),
        (
            2,
            "2001-04-01,governments_with_affiliations,prefectures,",
            r"row 2, column 'count' is empty",
        ),
        (5, "2001-04-01,governments_with_affiliations,towns", r"row 5 has 3 cells"),
        (3, "2001-04-01,governments_with_affiliations,prefectures,39", r"row 3 repeats the key"),
    ],
)
def test_corrupted_file_names_file_row_and_column(table1_copy, line, bad_line, message):
    lines = table1_copy.read_text().splitlines()
    lines[line - 1] = bad_line
    table1_copy.write_text("\n".join(lines) + "\n")
    with pytest.raises(data.DataError, match=message) as caught:
        check(table1_copy)
    assert "table1_sister_affiliations.csv" in str(caught.value)


def test_missing_file_and_bad_header(table1_copy):
    with pytest.raises(data.DataError, match="file is missing.*resource 'table1"):
        check(table1_copy.with_name("nope.csv"))
    text = table1_copy.read_text().replace("count", "cnt", 1)
    table1_copy.write_text(text)
    with pytest.raises(data.DataError, match="header"):
        check(table1_copy)


def test_header_only_and_truncated_files_are_refused(table1_copy):
    lines = table1_copy.read_text().splitlines()
    table1_copy.write_text("\n".join(lines[:-1]) + "\n")
    with pytest.raises(data.DataError, match=r"has 14 data rows; .*declares 15"):
        check(table1_copy)
    table1_copy.write_text(lines[0] + "\n")
    with pytest.raises(data.DataError, match="table1_sister_affiliations.csv: has a header but no"):
        check(table1_copy)


@pytest.mark.parametrize("bad", ["nan", "NaN", "inf", "-inf"])
def test_non_finite_numbers_are_refused(tmp_path, bad):
    source = paths.ARTICLE / "foreign_investment.csv"
    lines = source.read_text().splitlines()
    cells = lines[1].split(",")
    resource = data.resource("foreign_investment")
    column = next(i for i, f in enumerate(resource["schema"]["fields"]) if f["type"] == "number")
    cells[column] = bad
    target = tmp_path / source.name
    target.write_text("\n".join([lines[0], ",".join(cells), *lines[2:]]) + "\n")
    name = resource["schema"]["fields"][column]["name"]
    with pytest.raises(data.DataError, match=rf"row 2, column '{name}'.*not a finite number"):
        data.validate(target, resource)


def test_undecodable_bytes_name_file_and_line(table1_copy):
    text = table1_copy.read_text().replace("cities", "\u5e02", 1)  # a kanji, then Shift_JIS
    table1_copy.write_bytes(text.encode("shift_jis"))
    with pytest.raises(data.DataError, match=r"affiliations.csv: line \d+ is not UTF"):
        check(table1_copy)


def test_a_csv_outside_the_package_is_refused(tmp_path):
    with pytest.raises(data.DataError, match="not described in data/datapackage.json"):
        data.check_file(tmp_path / "stray.csv")


def test_load_rejects_unknown_folder():
    with pytest.raises(data.DataError, match="allowed"):
        data.load("table1_sister_affiliations", folder="raw")


def test_official_names_are_quoted_from_their_resource():
    """A body's official name (body_names.csv, printed_in 'external') stands in that resource."""
    names = data.load("body_names").frame
    for row in names[names["printed_in"] == "external"].itertuples():
        resource = data.resource(row.source.split("#")[1])
        assert row.quote in resource["description"], row.name_id
