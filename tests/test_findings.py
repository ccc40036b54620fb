import pytest

from helpers import findings


def test_fill_writes_numbers_as_a_reader_does():
    text = findings.fill(
        "{total} affiliations in {year:year}; {share:.0f} percent; {name:text}",
        {"total": "1374.0", "year": "1960", "share": 52.3, "name": "Hagi"},
    )
    assert text == "1,374 affiliations in 1960; 52 percent; Hagi"


def test_a_placeholder_the_run_did_not_produce_is_named():
    with pytest.raises(findings.TemplateError, match=r"\{missing\} is not a value"):
        findings.fill("{missing} of {known}", {"known": 1})


def test_a_word_where_a_number_is_expected_is_refused():
    with pytest.raises(findings.TemplateError, match="not a number"):
        findings.fill("{x}", {"x": "many"})


def test_placeholders_lists_the_names_a_template_needs():
    assert findings.placeholders("{a} and {C01-b:.1f}") == ["a", "C01-b"]
