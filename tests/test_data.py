"""Every data file matches its schema, and bad input stops with a clear error."""

import shutil

import pytest

from helpers import data, paths

CSVS = sorted(p for folder in data.FOLDERS.values() for p in folder.glob("*.csv"))


@pytest.mark.parametrize("csv_path", CSVS, ids=lambda p: paths.relative(p))
def test_file_matches_schema(csv_path):
    frame, schema = data.validate(csv_path)
    assert len(frame) > 0
    for field in schema["fields"]:
        assert field.get("description"), f"{csv_path.name}: column {field['name']} undocumented"
    provenance = schema["provenance"]
    if csv_path.parent == paths.ARTICLE:  # article data: where in the article, and a quote
        assert {"section", "quote", "cited_source"} <= set(provenance)
    if csv_path.parent == paths.EXTERNAL:  # external data: who published it, under what terms
        assert {"publisher", "licence", "reliability"} <= set(provenance)


def test_article_quotes_are_short():
    for csv_path in paths.ARTICLE.glob("*.csv"):
        assert len(data.read_schema(csv_path)["provenance"]["quote"]) <= 200


@pytest.fixture
def table1_copy(tmp_path):
    source = paths.ARTICLE / "table1_sister_affiliations.csv"
    target = tmp_path / source.name
    shutil.copy(source, target)
    shutil.copy(data.schema_path(source), data.schema_path(target))
    return target


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
        data.validate(table1_copy)
    assert "table1_sister_affiliations.csv" in str(caught.value)


def test_missing_file_and_bad_header(table1_copy):
    with pytest.raises(data.DataError, match="missing"):
        data.validate(table1_copy.with_name("nope.csv"))
    text = table1_copy.read_text().replace("count", "cnt", 1)
    table1_copy.write_text(text)
    with pytest.raises(data.DataError, match="header"):
        data.validate(table1_copy)


def test_missing_schema(table1_copy):
    data.schema_path(table1_copy).unlink()
    with pytest.raises(data.DataError, match="schema file is missing"):
        data.validate(table1_copy)


def test_load_rejects_unknown_folder():
    with pytest.raises(data.DataError, match="allowed"):
        data.load("table1_sister_affiliations", folder="raw")
