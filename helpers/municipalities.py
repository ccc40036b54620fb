"""Count Japan's local governments by type on any date, from Kondo's Municipality Converter.

The converter (``data/external/municipality_converter_jp_kondo.csv``) lists every municipality
at each census date (1 October 1980, 1985, ..., 2020) and, in its ``note_*`` columns, the dated
events between them: consolidations, incorporations, promotions to city or town status. The
count on a date between two censuses is the earlier census snapshot plus the events after it,
up to and including that date. Nothing here is typed in: the counts come from the names'
suffixes (市 city, 区 special ward, 町 town, 村 village) and the parsed events.

Designated cities (政令指定都市) appear in the converter as one city (e.g. 札幌市, code 1100), not
as their administrative wards, which are not municipalities; the only 区 in the snapshots are
Tokyo's special wards. ``municipal_type`` refuses a 区 outside Tokyo rather than guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from helpers import data

TYPES = ("prefectures", "cities", "special_wards", "towns", "villages")
MUNICIPAL_TYPES = TYPES[1:]
CENSUS_YEARS = tuple(range(1980, 2021, 5))
TOKYO = 13
SUFFIX = {"市": "cities", "区": "special_wards", "町": "towns", "村": "villages"}
# The dated-event columns: every note_* column the package describes for the converter.
NOTE_COLUMNS = tuple(c for c in data.columns("municipality_converter_jp_kondo") if "note_" in c)
DISTRICT_ABOLISHED = re.compile(r"[^、；]*?(郡|支庁)\(\d{5}\)の廃止")
DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日、(.*)$", re.S)
NAMED = re.compile(r"([^、()（）\s]+?)\((?:[^()、]*、)?(\d{5})\)")  # 名(よみ、01234) too


def census_date(year: int) -> date:
    if year not in CENSUS_YEARS:
        raise ValueError(f"{year} is not a census year of the converter ({CENSUS_YEARS}).")
    return date(year, 10, 1)


def _base_year(when: date) -> int:
    """The latest census year whose snapshot is on or before ``when``."""
    years = [y for y in CENSUS_YEARS if census_date(y) <= when]
    if not years:
        raise ValueError(f"{when} is before the first census date of the converter (1980-10-01).")
    return years[-1]


def _dated(column: str, text: str) -> tuple[date, str]:
    """A note's date and the rest of its text."""
    match = DATE.match(text.strip())
    if not match:
        raise ValueError(f"{column}: note does not start with a date: {text!r}.")
    year, month, day, rest = match.groups()
    return date(int(year), int(month), int(day)), rest.strip()


def municipal_type(name: str, prefecture: int | None = None) -> str:
    """Type of a municipality from the last character of its name."""
    suffix = name.strip()[-1:]
    if suffix not in SUFFIX:
        raise ValueError(f"cannot tell the type of {name!r}: its name ends in neither 市 区 町 村.")
    kind = SUFFIX[suffix]
    if kind == "special_wards" and prefecture is not None and prefecture != TOKYO:
        raise ValueError(
            f"{name!r} is a ward outside Tokyo: designated-city wards are not municipalities."
        )
    return kind


def snapshot(converter: pd.DataFrame, year: int) -> pd.DataFrame:
    """One row per municipality on the census date: code, name, prefecture, type."""
    census_date(year)
    ids, names = f"id_muni{year}", f"name_muni{year}"
    frame = converter.loc[converter[ids].notna(), [ids, names]].drop_duplicates()
    frame = frame.rename(columns={ids: "code", names: "name"}).astype({"code": int})
    if frame["code"].duplicated().any():
        raise ValueError(f"{year}: a municipality code carries two names.")
    frame["prefecture"] = frame["code"] // 1000
    pairs = zip(frame["name"], frame["prefecture"], strict=True)
    frame["type"] = [municipal_type(name, pref) for name, pref in pairs]
    return frame.sort_values("code", ignore_index=True)


def census_counts(converter: pd.DataFrame, year: int) -> dict[str, int]:
    """Counts by type on the census date of ``year`` (prefectures = distinct prefecture codes)."""
    snap = snapshot(converter, year)
    counts = {"prefectures": int(snap["prefecture"].nunique())}
    by_type = snap["type"].value_counts()
    counts.update({kind: int(by_type.get(kind, 0)) for kind in MUNICIPAL_TYPES})
    return counts


@dataclass(frozen=True)
class Event:
    """One dated event and its effect on the counts by type."""

    when: date
    column: str
    text: str
    effect: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    def describe(self) -> str:
        change = ", ".join(f"{k} {v:+d}" for k, v in sorted(self.effect.items()) if v)
        return f"{self.when.isoformat()} {self.column}: {self.text} ({change or 'no change'})"


def _clause_effect(
    column: str, clause: str, delta: dict[str, int], ended: frozenset[int]
) -> tuple[int, ...]:
    """Add one clause's effect to ``delta``; return the codes of the municipalities it ends.

    A municipality in ``ended`` was already ended by an earlier note (a village split between
    two absorbers appears in both notes) and is not subtracted twice."""
    clause = DISTRICT_ABOLISHED.sub("", clause).strip("、 ")
    if not clause or any(word in clause for word in ("政令指定都市", "の新設", "区域変更")):
        return ()  # district abolished or rezoned, designated-city wards: no count change
    before, sep, after = clause.partition("が")
    if not sep:
        raise ValueError(f"{column}: cannot parse the event {clause!r} (no 'が').")
    # municipalities named with a code; districts (郡) and sub-prefectures (支庁) are not
    gone = [(n, int(c)) for n, c in NAMED.findall(before) if not n.endswith(("郡", "支庁"))]
    if not gone:
        raise ValueError(f"{column}: no municipality with a code before 'が' in {clause!r}.")
    if column == "note_merge_consol":
        created = re.search(r"、([^、；]+?)(?:\(\d{5}\))?を新設", after)
        if not created:
            raise ValueError(f"{column}: no new municipality (を新設) in {clause!r}.")
        delta[municipal_type(created.group(1))] += 1
    elif column == "note_merge_incorp":
        if "に編入" not in after:
            raise ValueError(f"{column}: no incorporation (に編入) in {clause!r}.")
    elif column == "note_city":
        if "市制施行" not in after:
            raise ValueError(f"{column}: no promotion to city (市制施行) in {clause!r}.")
        delta["cities"] += 1
    elif column == "note_town":
        if "町制施行" not in after:
            raise ValueError(f"{column}: no promotion to town (町制施行) in {clause!r}.")
        delta["towns"] += 1
    else:
        raise ValueError(f"unknown note column {column!r}.")
    for name, code in gone:
        if code not in ended:
            delta[municipal_type(name, code // 1000)] -= 1
    return tuple(code for _, code in gone)


def effect(
    column: str, text: str, ended: frozenset[int] = frozenset()
) -> tuple[dict[str, int], tuple[int, ...]]:
    """Change in counts by type caused by one event (its text without the date).

    Returns the change and the codes of the municipalities the event ends (its identity: the
    converter sometimes words one event twice, with and without the new code)."""
    delta = dict.fromkeys(MUNICIPAL_TYPES, 0)
    if column in ("note_seirei", "note_change_zone", "note_change_name"):
        return delta, ()  # designated-city wards, district changes, renames: no count change
    codes: list[int] = []
    for clause in text.split("；"):
        codes.extend(_clause_effect(column, clause.strip(), delta, ended))
    return delta, tuple(sorted(codes))


def events(converter: pd.DataFrame, after: date, until: date) -> list[Event]:
    """Distinct dated events with ``after < date <= until``, in date order.

    The converter repeats a note on every row it concerns, sometimes worded twice (with and
    without the new code): an event is identified by its date, column and the codes it ends."""
    dated: dict[tuple, tuple[date, str, str]] = {}
    for column in NOTE_COLUMNS:
        for text in sorted(converter[column].dropna().unique()):
            when, rest = _dated(column, text)
            if not after < when <= until:
                continue
            _, codes = effect(column, rest)
            dated.setdefault((when, column, codes or rest), (when, column, rest))
    found, ended = [], {}  # codes ended on each date: a code can be reused by a later merger
    for when, column, text in sorted(dated.values()):
        today = ended.setdefault(when, set())
        change, codes = effect(column, text, frozenset(today))
        today.update(codes)
        found.append(Event(when, column, text, change))
    return found


def counts_on(converter: pd.DataFrame, when: date) -> tuple[dict[str, int], list[Event]]:
    """Counts by type on ``when``: the latest census snapshot on or before it plus the events."""
    base_year = _base_year(when)
    counts = census_counts(converter, base_year)
    found = events(converter, census_date(base_year), when)
    for event in found:
        for kind, change in event.effect.items():
            counts[kind] += change
    return counts, found


def all_census_counts(converter: pd.DataFrame) -> pd.DataFrame:
    """Tidy counts: one row per census date and type."""
    return pd.DataFrame(
        {"as_of": census_date(year), "type": kind, "count": count}
        for year in CENSUS_YEARS
        for kind, count in census_counts(converter, year).items()
    )


# --- Designated cities (政令指定都市) ---------------------------------------------------------
# A designated city carries a code whose last three digits are 100-199 (札幌市 01100, 横浜市
# 14100, 堺市 27140); ordinary cities run from 201. note_seirei dates each new designation.
SEIREI = re.compile(r"([^、()\s　]+市)\((\d{5})\)の\1\((\d{5})\)への政令指定都市(?:施行|移行)")


def is_designated_code(code: int) -> bool:
    """Is this municipality code a designated city's (last three digits 100-199)?"""
    return 100 <= int(code) % 1000 <= 199


def designated_in_snapshot(converter: pd.DataFrame, year: int) -> list[str]:
    """Names of the designated cities on the census date of ``year``."""
    snap = snapshot(converter, year)
    chosen = snap[(snap["type"] == "cities") & snap["code"].map(is_designated_code)]
    return list(chosen["name"])


def designations(converter: pd.DataFrame, after: date, until: date) -> list[tuple[date, str]]:
    """Dated designations with ``after < date <= until``: (date, city name), in date order."""
    found = set()
    for text in converter["note_seirei"].dropna().unique():
        when, rest = _dated("note_seirei", text)
        named = SEIREI.search(rest)
        if not named:
            raise ValueError(f"note_seirei: no designation (政令指定都市施行) in {text!r}.")
        old, new = int(named.group(2)), int(named.group(3))
        if is_designated_code(old) or not is_designated_code(new):
            raise ValueError(f"note_seirei: codes {old}->{new} are not a new designation.")
        if after < when <= until:
            found.add((when, named.group(1)))
    return sorted(found)


def designated_on(converter: pd.DataFrame, when: date) -> list[str]:
    """Designated cities on ``when``: the latest census snapshot plus the designations since."""
    base_year = _base_year(when)
    names = designated_in_snapshot(converter, base_year)
    added = designations(converter, census_date(base_year), when)
    return names + [name for _, name in added if not any(n.endswith(name) for n in names)]


# --- Named municipalities ---------------------------------------------------------------------


def find_by_stem(snap: pd.DataFrame, prefecture: str, stem: str) -> pd.Series:
    """The one municipality of ``prefecture`` whose name is ``stem`` plus a type suffix.

    The stem leaves the suffix (市 区 町 村) out on purpose: the register, not whoever typed the
    stem, says whether the place was a city, a town or a village. Districts (郡) in the
    register's names are skipped. Refuses none or several matches."""
    parts = snap["name"].str.split()
    hit = snap[(parts.str[0] == prefecture) & (parts.str[-1].str[:-1] == stem)]
    if len(hit) != 1:
        raise ValueError(f"{prefecture} {stem}: {len(hit)} municipalities match; expected one.")
    return hit.iloc[0]


def events_touching(converter: pd.DataFrame, code: int, after: date, until: date) -> list[Event]:
    """Dated events with ``after < date <= until`` whose note names the municipality ``code``."""
    tag = f"({int(code):05d})"
    return [e for e in events(converter, after, until) if tag in e.text]


def designated_counts(converter: pd.DataFrame, first: date, last: date) -> dict[date, int]:
    """How many designated cities there were on ``first``, on each designation day after it, and
    on ``last``: every count the period had."""
    days = [first, *(d for d, _ in designations(converter, first, last)), last]
    return {d: len(designated_on(converter, d)) for d in dict.fromkeys(days)}


def first_day_with_designated(converter: pd.DataFrame, count: int) -> date:
    """The first designation day (1980-2020) from which there were ``count`` designated cities."""
    for day, _ in designations(converter, census_date(CENSUS_YEARS[0]), census_date(2020)):
        if len(designated_on(converter, day)) >= count:
            return day
    raise ValueError(f"never {count} designated cities between 1980 and 2020.")


def classify_places(
    converter: pd.DataFrame, places: pd.DataFrame, year: int, until: date
) -> pd.DataFrame:
    """The type of each place (columns ``city``, ``prefecture_kanji``, ``name_stem_kanji``) in
    the census snapshot of ``year``, refusing a place an event touched between that census and
    ``until`` (the snapshot would no longer describe it)."""
    snap, found = snapshot(converter, year), []
    for _, place in places.iterrows():
        hit = find_by_stem(snap, place["prefecture_kanji"], place["name_stem_kanji"])
        touched = events_touching(converter, hit["code"], census_date(year), until)
        if touched:
            raise ValueError(f"{place['city']} changed before {until}: {touched[0].describe()}")
        found.append({"city": place["city"], "name in the register": hit["name"], **hit[["type"]]})
    return pd.DataFrame(found).set_index("city")


def shares(with_affiliations: pd.Series, counts: dict[str, int], readings: dict) -> pd.DataFrame:
    """Governments with an affiliation over all governments, for each reading (name -> the types
    it counts): columns ``with affiliations``, ``governments``, ``share``."""
    rows = {
        name: (int(with_affiliations[list(kinds)].sum()), sum(counts[k] for k in kinds))
        for name, kinds in readings.items()
    }
    table = pd.DataFrame.from_dict(
        rows, orient="index", columns=["with affiliations", "governments"]
    )
    return table.assign(share=table["with affiliations"] / table["governments"])
