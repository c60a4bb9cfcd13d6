"""/statistikk for the KE leader: on 5 March 2027 a small municipality has ten active
cases, two paused and three closed. The admin sends /statistikk and reads the figures
(small counts as "under 5"), gets a chart for the slide and, with /statistikk csv, the
same figures and a case list without aliases or free text."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from bot.statistics import (
    AGE_GROUPS,
    CaseFact,
    DeadlineFact,
    KoordinatorFact,
    Load,
    age_group,
    cases_csv,
    compute,
    figures_csv,
    is_small,
    render_text,
    suppress,
)
from bot.statistics.chart import render_chart
from messages import Texts
from storage.enums import Arena, CaseStatus, Gender, Level, Role, Tjenestested

TODAY = date(2027, 3, 5)
OLD = date(2020, 5, 1)


def case(
    case_id: int,
    birth: tuple[int, int | None] | None,
    level: str,
    role: str,
    gender: str | None,
    arena: str | None,
    tjenestested: str | None,
    koordinator_id: int,
    *,
    status: str = "active",
    created_on: date = OLD,
    closed_on: date | None = None,
) -> CaseFact:
    year, month = birth if birth else (None, None)
    return CaseFact(
        case_id,
        status,
        level,
        role,
        year,
        month,
        gender,
        arena,
        tjenestested,
        koordinator_id,
        created_on,
        closed_on,
    )


# Active cases; the comment is the age on 5 March 2027.
CASES = [
    case(
        1,
        (2024, 6),
        "bti",
        "barnekoordinator",
        "kvinne",
        "barnehage",
        "barnehage",
        3,
        created_on=date(2027, 1, 10),
    ),  # 2
    case(
        2,
        (2016, 3),
        "samarbeidsgruppe",
        "barnekoordinator",
        "mann",
        "barneskole",
        "skole",
        1,
        created_on=date(2027, 2, 1),
    ),  # 11: birthday month counts as reached
    case(3, (2016, 4), "ansvarsgruppe", "barnekoordinator", "kvinne", "barneskole", "skole", 1),
    # 10
    case(4, (2012, None), "ip", "koordinator", "mann", "ungdomsskole", "skole", 2),  # 15
    case(5, (2009, 3), "ip", "koordinator", None, "videregaende", "nav", 4),  # 18: adult
    case(6, (2009, 4), "ansvarsgruppe", "stafettholder", "kvinne", "videregaende", "skole", 2),
    # 17: still a child
    case(7, (1990, 1), "ip", "koordinator", "mann", "arbeid", "nav", 4),  # 37
    case(8, (1960, 12), "ansvarsgruppe", "kontaktperson", "annet", "arbeid", "nav", 4),  # 66
    case(9, (1950, 2), "bti", "koordinator", "kvinne", "annet", "nav", 5),  # 77, koordinator gone
    case(10, None, "samarbeidsgruppe", "koordinator", None, None, None, 1),  # unknown age
    # Inactive cases never count in the distributions.
    case(11, (2015, 1), "ip", "koordinator", "kvinne", "barneskole", "skole", 1, status="paused"),
    case(
        12,
        (2000, 1),
        "ip",
        "koordinator",
        "kvinne",
        "arbeid",
        "nav",
        4,
        status="paused",
        created_on=date(2026, 12, 31),
    ),
    case(
        13,
        (2001, 1),
        "ip",
        "koordinator",
        "mann",
        "arbeid",
        "nav",
        4,
        status="closed",
        created_on=date(2027, 2, 15),
        closed_on=date(2027, 3, 1),
    ),
    case(
        14,
        (1970, 1),
        "bti",
        "koordinator",
        "mann",
        "arbeid",
        "nav",
        4,
        status="closed",
        closed_on=date(2025, 1, 1),
    ),
    case(
        15,
        (1980, 1),
        "bti",
        "koordinator",
        "mann",
        "arbeid",
        "boa",
        4,
        status="closed",
        closed_on=date(2026, 1, 1),
    ),
]
KOORDINATORER = [
    KoordinatorFact(1, "skole", True),
    KoordinatorFact(2, "skole", True),
    KoordinatorFact(3, "barnehage", True),
    KoordinatorFact(4, "nav", True),
    KoordinatorFact(5, "nav", False),
    KoordinatorFact(6, "helsestasjon", True),  # no cases yet
    KoordinatorFact(7, "barnevern", False),  # gone, no cases: not listed
]
DEADLINES = [
    DeadlineFact(2, "vgs_soknadsfrist_ordinaer", date(2027, 3, 1), "open", "transition"),
    DeadlineFact(4, "fyller_16", date(2027, 6, 1), "open", "transition"),
    DeadlineFact(6, "fyller_18", date(2027, 4, 1), "proposed", "transition"),
    DeadlineFact(5, "vgs_start", date(2027, 8, 15), "done", "transition"),
    DeadlineFact(3, "skolestart", TODAY, "open", "transition"),  # due today: ahead, not late
    DeadlineFact(4, "vgs_start", date(2028, 8, 15), "open", "transition"),  # next year
    DeadlineFact(7, "fyller_18", date(2027, 12, 31), "open", "transition"),
    DeadlineFact(11, "fyller_16", date(2027, 5, 1), "open", "transition"),  # paused case
    DeadlineFact(8, "evaluering", date(2027, 2, 1), "open", "cadence"),
    DeadlineFact(8, "ansvarsgruppemote", date(2027, 3, 4), "proposed", "cadence"),
    DeadlineFact(9, "evaluering", date(2026, 12, 1), "open", "cadence"),
    DeadlineFact(7, "tiltak", date(2027, 1, 1), "dismissed", "manual"),
    DeadlineFact(10, "evaluering", date(2027, 4, 1), "open", "cadence"),
    DeadlineFact(999, "evaluering", date(2027, 1, 1), "open", "cadence"),  # unknown case
    DeadlineFact(13, "referat", date(2027, 1, 1), "open", "mote"),  # closed case
]


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts()


@pytest.fixture(scope="module")
def stats():
    return compute(CASES, DEADLINES, KOORDINATORER, today=TODAY)


def test_the_ke_leader_sees_every_figure_of_the_municipality(stats) -> None:
    assert (stats.active, stats.paused, stats.closed) == (10, 2, 3)
    assert (stats.inactive, stats.total) == (5, 15)
    assert stats.new_this_year == 3  # cases 1, 2 and 13; 31 December last year is not
    assert (stats.children, stats.adults, stats.unknown_age) == (5, 4, 1)
    assert stats.ages_known == 9
    assert stats.average_age == 28.1  # (2+11+10+15+18+17+37+66+77) / 9 = 28.11
    assert stats.by_level == {"bti": 2, "samarbeidsgruppe": 2, "ansvarsgruppe": 3, "ip": 3}
    assert stats.by_role == {
        "koordinator": 5,
        "barnekoordinator": 3,
        "stafettholder": 1,
        "kontaktperson": 1,
    }
    assert stats.by_gender == {"kvinne": 4, "mann": 3, "annet": 1, None: 2}
    assert stats.by_arena == {
        "barnehage": 1,
        "barneskole": 2,
        "ungdomsskole": 1,
        "videregaende": 2,
        "arbeid": 2,
        "annet": 1,
        None: 1,
    }
    assert stats.by_age_group == {
        "0-5": 1,
        "6-12": 2,
        "13-17": 2,
        "18-25": 1,
        "26-66": 2,
        "67+": 1,
        None: 1,
    }
    assert stats.load == {
        "skole": Load(koordinatorer=2, with_cases=2, cases=4),
        "barnehage": Load(koordinatorer=1, with_cases=1, cases=1),
        "helsestasjon": Load(koordinatorer=1, with_cases=0, cases=0),
        "nav": Load(koordinatorer=1, with_cases=2, cases=4),
        None: Load(koordinatorer=0, with_cases=1, cases=1),
    }
    assert [load.per_koordinator for load in stats.load.values()] == [2.0, 1.0, 0.0, 4.0, None]
    # Ahead this year, in the order they come: today's counts, next year's and done do not.
    assert stats.transitions == {"skolestart": 1, "fyller_18": 2, "fyller_16": 1}
    assert stats.transitions_total == 4
    # Overdue: open or proposed, before today, any source; most first.
    assert stats.overdue == {
        "evaluering": 2,
        "ansvarsgruppemote": 1,
        "vgs_soknadsfrist_ordinaer": 1,
    }
    assert stats.overdue_total == 4
    assert stats.today == TODAY


def test_age_groups_meet_without_gaps() -> None:
    assert [age_group(a) for a in (0, 5, 6, 12, 13, 17, 18, 25, 26, 66, 67, 104)] == [
        "0-5",
        "0-5",
        "6-12",
        "6-12",
        "13-17",
        "13-17",
        "18-25",
        "18-25",
        "26-66",
        "26-66",
        "67+",
        "67+",
    ]
    assert age_group(None) is None
    assert [code for code, *_ in AGE_GROUPS] == ["0-5", "6-12", "13-17", "18-25", "26-66", "67+"]


def test_small_counts_become_under_the_threshold_and_zero_stays() -> None:
    assert [suppress(n, 5, "under 5") for n in (0, 1, 4, 5, 12)] == [
        0,
        "under 5",
        "under 5",
        5,
        12,
    ]
    assert [suppress(n, 3, "under 3") for n in (1, 2, 3)] == ["under 3", "under 3", 3]
    for off in (0, 1):
        assert [suppress(n, off, "x") for n in (0, 1, 2)] == [0, 1, 2]
    assert not is_small(0, 5) and is_small(1, 5) and not is_small(5, 5)


def test_admin_reads_statistikk_with_small_counts_hidden(stats, texts) -> None:
    text = render_text(stats, texts, 5)
    assert text.startswith("<b>📊 Statistikk per 5. mars 2027</b>")
    assert set(re.findall(r"</?([a-z]+)[^>]*>", text)) <= {"b", "i"}
    assert "Aktive: 10" in text
    assert "Inaktive: 5 (under 5 på pause, under 5 avsluttet)" in text
    assert "Nye i 2027: under 5" in text
    assert "0–17 år: 5 · 18 år og eldre: under 5 · ukjent: under 5" in text
    assert "Gjennomsnittsalder: 28,1 år" in text  # nine known ages: not a small count
    assert "Barnekoordinator: under 5" in text
    assert "Stafettholder: under 5" in text
    assert "Skole: 2 koordinatorer, under 5 saker\n" in text  # no ratio to work back from
    assert "Helsestasjon / skolehelsetjeneste: 1 koordinator, 0 saker (0,0 per koordinator)" in text
    assert "Fyller 18 år: under 5" in text
    assert "«Under 5» står for 1 til 4" in text
    assert not re.search(
        r": [1-4]\b", text.replace("1 koordinator", "").replace("2 koordinatorer", "")
    )


def test_with_suppression_off_every_number_shows(stats, texts) -> None:
    text = render_text(stats, texts, 0)
    assert "Inaktive: 5 (2 på pause, 3 avsluttet)" in text
    assert "Nye i 2027: 3" in text
    assert "Barnekoordinator: 3" in text
    assert "Skole: 2 koordinatorer, 4 saker (2,0 per koordinator)" in text
    assert "NAV: 1 koordinator, 4 saker (4,0 per koordinator)" in text
    assert "ikke oppgitt: 1 koordinator" not in text
    assert "ikke oppgitt: 0 koordinatorer, 1 sak\n" in text
    assert "Overganger resten av 2027</b>: 4" in text
    assert "Skolestart: 1\nFyller 18 år: 2\nFyller 16 år: 1" in text
    assert "Forfalte frister</b>: 4\nEvaluering: 2\nAnsvarsgruppemøte bør holdes: 1" in text
    assert "Kjønn</b>: Jente / kvinne 4 · Gutt / mann 3 · Annet 1 · ikke oppgitt 2" in text
    assert "Under" not in text


def test_average_age_resting_on_few_ages_is_left_out(stats, texts) -> None:
    assert "Gjennomsnittsalder" not in render_text(stats, texts, 10)


def _read_csv(data: str) -> list[list[str]]:
    assert data.startswith("\ufeff")  # so Excel reads æøå
    return list(csv.reader(io.StringIO(data[1:]), delimiter=";"))


def test_figures_csv_holds_the_same_figures_suppressed(stats, texts) -> None:
    rows = _read_csv(figures_csv(stats, texts, 5))
    assert rows[0] == ["del", "kode", "betegnelse", "verdi"]
    assert all(len(row) == 4 for row in rows)
    table = {(row[0], row[1]): row[2:] for row in rows[1:]}
    assert table["overview", "active"] == ["Aktive saker", "10"]
    assert table["overview", "paused"] == ["Saker på pause", "under 5"]
    assert table["overview", "new_this_year"] == ["Nye saker i 2027", "under 5"]
    assert table["overview", "average_age"] == ["Gjennomsnittsalder, aktive saker", "28,1"]
    assert table["level", "ip"] == ["Individuell plan (IP)", "under 5"]
    assert table["gender", ""] == ["ikke oppgitt", "under 5"]
    assert table["age_group", "67+"] == ["67+ år", "under 5"]
    assert table["transitions", "fyller_18"] == ["Fyller 18 år", "under 5"]
    assert table["load_koordinatorer", "skole"] == ["Skole", "2"]  # staff: not suppressed
    assert table["load_cases", "skole"] == ["Skole", "under 5"]
    assert table["load_per_koordinator", "skole"] == ["Skole", "skjult"]
    assert table["load_per_koordinator", ""] == ["ikke oppgitt", "–"]
    staff = {"load_koordinatorer", "load_with_cases"}
    assert not [row for row in rows[1:] if row[0] not in staff and row[3] in {"1", "2", "3", "4"}]


def test_figures_csv_without_suppression(stats, texts) -> None:
    table = {(r[0], r[1]): r[3] for r in _read_csv(figures_csv(stats, texts, 1))[1:]}
    assert table["overview", "paused"] == "2"
    assert table["role", "barnekoordinator"] == "3"
    assert table["load_per_koordinator", "nav"] == "4,0"
    assert table["overdue", "evaluering"] == "2"


CASE_HEADER = [
    "sak",
    "status",
    "nivå",
    "rolle",
    "fødselsår",
    "aldersgruppe",
    "kjønn",
    "arena",
    "tjenestested",
    "koordinator",
    "opprettet",
    "avsluttet",
]


def test_case_list_has_codes_and_dates_but_no_alias_or_content(texts) -> None:
    data = cases_csv(reversed(CASES), texts, today=TODAY)
    rows = _read_csv(data)
    assert rows[0] == CASE_HEADER
    assert [row[0] for row in rows[1:]] == [str(c.case_id) for c in CASES]
    assert rows[1] == [
        "1",
        "Aktiv",
        "BTI / stafettlogg",
        "Barnekoordinator",
        "2024",
        "0–5 år",
        "Jente / kvinne",
        "Barnehage",
        "Barnehage",
        "3",
        "10.01.2027",
        "",
    ]
    assert rows[10] == [
        "10",
        "Aktiv",
        "Samarbeidsgruppe",
        "Koordinator",
        "",
        "ikke oppgitt",
        "ikke oppgitt",
        "ikke oppgitt",
        "ikke oppgitt",
        "1",
        "01.05.2020",
        "",
    ]
    assert rows[13][1::10] == ["Avsluttet", "01.03.2027"]
    assert "alias" not in data.lower()
    assert "06.2024" not in data  # the birth month stays in the bot
    # Nothing a spreadsheet would run as a formula.
    assert not [cell for row in rows for cell in row if cell[:1] in {"=", "+", "-", "@"}]


def test_the_chart_is_a_png_for_a_slide(stats, texts) -> None:
    started = time.perf_counter()
    png = render_chart(stats, texts, 5)
    elapsed = time.perf_counter() - started
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    with Image.open(io.BytesIO(png)) as image:
        image.load()
        assert image.size == (1600, 1000)
    assert elapsed < 3  # about half a second on a laptop; generous for CI


def test_an_empty_municipality_still_gets_a_chart_and_text(texts) -> None:
    empty = compute([], [], [], today=TODAY)
    assert empty.average_age is None and empty.load == {}
    with Image.open(io.BytesIO(render_chart(empty, texts, 5))) as image:
        assert image.size == (1600, 1000)
    text = render_text(empty, texts, 5)
    assert "Aktive: 0" in text and "Ingen ennå." in text
    assert _read_csv(cases_csv([], texts, today=TODAY)) == [CASE_HEADER]


# --- properties ------------------------------------------------------------------------

dates = st.dates(date(2015, 1, 1), date(2030, 12, 31))
cases_strategy = st.builds(
    CaseFact,
    case_id=st.integers(1, 30),
    status=st.sampled_from([s.value for s in CaseStatus]),
    level=st.sampled_from([v.value for v in Level]),
    role=st.sampled_from([v.value for v in Role]),
    birth_year=st.none() | st.integers(1900, 2035),
    birth_month=st.none() | st.integers(1, 12),
    gender=st.none() | st.sampled_from([*(v.value for v in Gender), "ukjent_kode"]),
    arena=st.none() | st.sampled_from([v.value for v in Arena]),
    tjenestested=st.none() | st.sampled_from([v.value for v in Tjenestested]),
    koordinator_id=st.integers(1, 8),
    created_on=dates,
    closed_on=st.none() | dates,
)
deadlines_strategy = st.builds(
    DeadlineFact,
    case_id=st.integers(1, 30),
    kind=st.sampled_from(["skolestart", "fyller_18", "evaluering", "tiltak", "ukjent"]),
    due=dates,
    status=st.sampled_from(["open", "proposed", "done", "dismissed"]),
    source=st.sampled_from(["transition", "cadence", "samtale", "manual", "mote"]),
)
koordinatorer_strategy = st.builds(
    KoordinatorFact,
    koordinator_id=st.integers(1, 8),
    tjenestested=st.none() | st.sampled_from([v.value for v in Tjenestested]),
    active=st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(
    cases=st.lists(cases_strategy, max_size=40),
    deadlines=st.lists(deadlines_strategy, max_size=40),
    koordinatorer=st.lists(koordinatorer_strategy, max_size=10),
    today=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_figures_always_add_up(cases, deadlines, koordinatorer, today) -> None:
    stats = compute(cases, deadlines, koordinatorer, today=today)
    assert stats.active + stats.paused + stats.closed == len(cases)
    assert stats.children + stats.adults + stats.unknown_age == stats.active
    assert stats.ages_known + stats.unknown_age == stats.active
    for counts in (
        stats.by_level,
        stats.by_role,
        stats.by_gender,
        stats.by_arena,
        stats.by_age_group,
    ):
        assert sum(counts.values()) == stats.active
    assert sum(load.cases for load in stats.load.values()) == stats.active
    assert sum(load.koordinatorer for load in stats.load.values()) == sum(
        1 for k in koordinatorer if k.active
    )
    assert 0 <= stats.new_this_year <= len(cases)
    assert stats.average_age is None or 0 <= stats.average_age <= today.year - 1900
    assert stats.transitions_total + stats.overdue_total <= len(deadlines)


@settings(max_examples=30, deadline=None)
@given(
    cases=st.lists(cases_strategy, max_size=20),
    deadlines=st.lists(deadlines_strategy, max_size=20),
    koordinatorer=st.lists(koordinatorer_strategy, max_size=6),
    threshold=st.integers(0, 10),
)
def test_text_and_csv_render_for_any_figures(cases, deadlines, koordinatorer, threshold) -> None:
    texts = Texts()
    stats = compute(cases, deadlines, koordinatorer, today=TODAY)
    assert "Statistikk" in render_text(stats, texts, threshold)
    rows = _read_csv(figures_csv(stats, texts, threshold))
    assert all(len(row) == 4 for row in rows)
    assert len(_read_csv(cases_csv(cases, texts, today=TODAY))) == len(cases) + 1
