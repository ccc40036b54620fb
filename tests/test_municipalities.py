"""Local-government counts derived from the Municipality Converter, pinned and reconciled."""

from datetime import date

import pandas as pd
import pytest

from helpers import data
from helpers import municipalities as m


@pytest.fixture(scope="module")
def converter():
    return data.load("municipality_converter_jp_kondo", "external").frame


def test_counts_on_2001_04_01_and_the_events_found(converter):
    counts, found = m.counts_on(converter, date(2001, 4, 1))
    # Expected values from the shared derived table japan_local_government_counts.csv; this
    # test re-derives them and also pins the five events that produce them.
    assert counts == {
        "prefectures": 47,
        "cities": 672,
        "special_wards": 23,
        "towns": 1987,
        "villages": 567,
    }
    assert [(e.when.isoformat(), e.column, e.text[:12]) for e in found] == [
        ("2001-01-01", "note_merge_incorp", "黒埼町(15347)が新"),
        ("2001-01-21", "note_merge_consol", "田無市(13216)、保"),
        ("2001-04-01", "note_city", "潮来町(08423)が潮"),
        ("2001-04-01", "note_city", "白井町(12326)が白"),
        ("2001-04-01", "note_merge_incorp", "牛堀町(08422)が潮"),
    ]
    assert [e.effect for e in found] == [
        {"cities": 0, "special_wards": 0, "towns": -1, "villages": 0},
        {"cities": -1, "special_wards": 0, "towns": 0, "villages": 0},
        {"cities": 1, "special_wards": 0, "towns": -1, "villages": 0},
        {"cities": 1, "special_wards": 0, "towns": -1, "villages": 0},
        {"cities": 0, "special_wards": 0, "towns": -1, "villages": 0},
    ]


def test_census_snapshots(converter):
    assert m.census_counts(converter, 2000) == {
        "prefectures": 47,
        "cities": 671,
        "special_wards": 23,
        "towns": 1991,
        "villages": 567,
    }
    assert m.census_counts(converter, 2020) == {
        "prefectures": 47,
        "cities": 792,
        "special_wards": 23,
        "towns": 743,
        "villages": 183,
    }
    tidy = m.all_census_counts(converter)
    assert len(tidy) == len(m.CENSUS_YEARS) * len(m.TYPES)


@pytest.mark.parametrize("start", m.CENSUS_YEARS[:-1])
def test_events_reproduce_the_next_census(converter, start):
    """The parsed events turn each census snapshot into the next one, type by type."""
    counts = m.census_counts(converter, start)
    for event in m.events(converter, m.census_date(start), m.census_date(start + 5)):
        for kind, change in event.effect.items():
            counts[kind] += change
    assert counts == m.census_counts(converter, start + 5)


def test_only_tokyo_has_wards_and_designated_cities_are_one_city(converter):
    snap = m.snapshot(converter, 2000)
    wards = snap[snap["type"] == "special_wards"]
    assert set(wards["prefecture"]) == {13}
    assert "北海道 札幌市" in set(snap.loc[snap["code"] == 1100, "name"])


def test_type_from_suffix():
    assert m.municipal_type("北海道 札幌市") == "cities"
    assert m.municipal_type("東京都 新宿区", 13) == "special_wards"
    with pytest.raises(ValueError, match="outside Tokyo"):
        m.municipal_type("大阪府 大阪市 北区", 27)
    with pytest.raises(ValueError, match="neither"):
        m.municipal_type("北海道 渡島支庁")


@pytest.mark.parametrize(
    ("column", "text", "expected"),
    [
        (
            "note_merge_consol",
            "甲市(01201)、乙町(01301)が合併し、甲市を新設",
            {"cities": 0, "towns": -1},
        ),
        (
            "note_merge_consol",
            "丙郡(01300)の廃止；乙町(01301)、丁村(01302)が合併し、戊町(01303)を新設",
            {"towns": 0, "villages": -1},
        ),
        (
            "note_city",
            "丁郡(40300)の廃止、乙町(40305)が乙市(40231)に市制施行",
            {"cities": 1, "towns": -1},
        ),
        ("note_town", "丁村(よみ、47322)が丁町(47322)に町制施行", {"towns": 1, "villages": -1}),
        (
            "note_merge_incorp",
            "乙町(01301)と丁村(01302)が甲市(01201)に編入",
            {"towns": -1, "villages": -1},
        ),
        ("note_change_name", "乙町(01301)が己町(01301)に名称変更", {}),
    ],
)
def test_effect_of_one_event(column, text, expected):
    change, _ = m.effect(column, text)
    assert {k: v for k, v in change.items() if k in expected} == expected
    assert sum(change.values()) == sum(expected.values())


def test_a_municipality_split_between_two_absorbers_counts_once():
    notes = {c: [None, None] for c in m.NOTE_COLUMNS}
    notes["note_merge_incorp"] = [
        "2006年3月1日、丁村(19341)大字梯が甲市(19201)に編入し、大字本栖が乙町(19430)に編入",
        "2006年3月1日、丙町(19326)と丁村(19341)大字梯が甲市(19201)に編入",
    ]
    frame = pd.DataFrame(notes)
    found = m.events(frame, date(2005, 10, 1), date(2010, 10, 1))
    total = {k: sum(e.effect[k] for e in found) for k in m.MUNICIPAL_TYPES}
    assert total == {"cities": 0, "special_wards": 0, "towns": -1, "villages": -1}


def test_unparseable_note_and_early_date_stop_clearly():
    with pytest.raises(ValueError, match="no 'が'"):
        m.effect("note_city", "乙町(01301)の市制施行")
    frame = pd.DataFrame({c: ["2001年1月1日 no comma"] for c in m.NOTE_COLUMNS})
    with pytest.raises(ValueError, match="does not start with a date"):
        m.events(frame, date(2000, 10, 1), date(2001, 4, 1))
    with pytest.raises(ValueError, match="before the first census"):
        m.counts_on(pd.DataFrame(), date(1979, 1, 1))
    with pytest.raises(ValueError, match="not a census year"):
        m.census_date(2001)


# --- designated cities ---


@pytest.mark.parametrize("start", m.CENSUS_YEARS[:-1])
def test_designations_reproduce_the_next_census(converter, start):
    """Snapshot plus dated designations gives the next census's designated cities."""
    derived = m.designated_on(converter, m.census_date(start + 5))
    assert len(derived) == len(m.designated_in_snapshot(converter, start + 5))


def test_designated_cities_in_1989_and_2001(converter):
    # Sendai was designated on 1989-04-01, Chiba on 1992-04-01 (dated notes of the register)
    assert len(m.designated_on(converter, date(1989, 3, 31))) == 10
    assert len(m.designated_on(converter, date(1989, 4, 1))) == 11
    assert len(m.designated_on(converter, date(2001, 4, 1))) == 12
    assert m.designations(converter, date(1992, 1, 1), date(1992, 12, 31)) == [
        (date(1992, 4, 1), "千葉市")
    ]
    assert m.is_designated_code(14150) and not m.is_designated_code(14201)


def test_a_malformed_designation_note_stops_clearly():
    frame = pd.DataFrame(
        {"note_seirei": ["1990年4月1日、甲市(01201)の甲市(01202)への政令指定都市施行"]}
    )
    with pytest.raises(ValueError, match="not a new designation"):
        m.designations(frame, date(1985, 10, 1), date(1990, 10, 1))
    frame = pd.DataFrame({"note_seirei": ["1990年4月1日、区の新設のみ"]})
    with pytest.raises(ValueError, match="no designation"):
        m.designations(frame, date(1985, 10, 1), date(1990, 10, 1))


def test_find_by_stem_lets_the_register_give_the_type(converter):
    snap = m.snapshot(converter, 2000)
    assert m.find_by_stem(snap, "群馬県", "大泉")["type"] == "towns"  # 邑楽郡 大泉町
    assert m.find_by_stem(snap, "三重県", "四日市")["name"] == "三重県 四日市市"
    with pytest.raises(ValueError, match="0 municipalities"):
        m.find_by_stem(snap, "群馬県", "存在しない")
    kurosaki = m.find_by_stem(snap, "新潟県", "黒埼")
    touched = m.events_touching(converter, kurosaki["code"], date(2000, 10, 1), date(2001, 4, 1))
    assert [e.when for e in touched] == [date(2001, 1, 1)]


def test_designated_counts_over_a_period_and_the_day_a_count_was_reached(converter):
    in_1989 = m.designated_counts(converter, date(1989, 1, 1), date(1989, 12, 31))
    assert in_1989 == {date(1989, 1, 1): 10, date(1989, 4, 1): 11, date(1989, 12, 31): 11}
    assert m.first_day_with_designated(converter, 12) == date(1992, 4, 1)
    with pytest.raises(ValueError, match="never 99"):
        m.first_day_with_designated(converter, 99)


def test_classify_places_takes_each_type_from_the_register(converter):
    places = pd.DataFrame(
        {
            "city": ["Oizumi", "Yokkaichi"],
            "prefecture_kanji": ["群馬県", "三重県"],
            "name_stem_kanji": ["大泉", "四日市"],
        }
    )
    found = m.classify_places(converter, places, 2000, date(2001, 5, 31))
    assert found["type"].to_dict() == {"Oizumi": "towns", "Yokkaichi": "cities"}
    merged = pd.DataFrame({"city": ["Kurosaki"], "prefecture_kanji": ["新潟県"]})
    merged["name_stem_kanji"] = ["黒埼"]  # merged into Niigata on 2001-01-01
    with pytest.raises(ValueError, match="Kurosaki changed"):
        m.classify_places(converter, merged, 2000, date(2001, 5, 31))


def test_shares_by_reading():
    with_aff = pd.Series({"prefectures": 39, "cities": 430, "towns": 370})
    counts = {"prefectures": 47, "cities": 670, "towns": 1990}
    table = m.shares(with_aff, counts, {"all": list(counts), "cities": ["cities"]})
    assert table.loc["all", "with affiliations"] == 839 and table.loc["all", "governments"] == 2707
    assert table.loc["cities", "share"] == pytest.approx(430 / 670)
