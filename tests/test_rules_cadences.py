"""Cadence deadlines and reminder days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.rules.cadences import (
    CADENCE_KINDS,
    VEDTAK_KINDS,
    Cadence,
    meeting_deadlines,
    next_evaluation,
    next_meeting_due,
    oppstart_due,
    reminder_days,
)
from bot.rules.workdays import is_working_day

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31))
lead_lists = st.lists(st.integers(min_value=0, max_value=400), max_size=5)
overdue_lists = st.lists(st.integers(min_value=1, max_value=60), max_size=4)


def test_oppstartsamtale_within_14_days() -> None:
    assert oppstart_due(date(2026, 3, 2)) == date(2026, 3, 16)
    assert oppstart_due(date(2026, 3, 2), Cadence(oppstart_within_days=21)) == date(2026, 3, 23)


def test_evaluation_every_six_calendar_months_clamps_month_end() -> None:
    assert next_evaluation(date(2026, 3, 10)) == date(2026, 9, 10)
    assert next_evaluation(date(2026, 8, 31)) == date(2027, 2, 28)
    assert next_evaluation(date(2027, 8, 31)) == date(2028, 2, 29)
    assert next_evaluation(date(2026, 1, 10), Cadence(evaluation_interval_months=3)) == date(
        2026, 4, 10
    )


def test_next_meeting_due_from_last_meeting_or_appointment() -> None:
    appointed = date(2026, 1, 5)
    assert next_meeting_due(None, appointed) == date(2026, 7, 5)
    assert next_meeting_due(date(2026, 4, 20), appointed) == date(2026, 10, 20)


def test_meeting_on_tuesday_after_easter_2026() -> None:
    # Meeting 7 April 2026: 14 days before is Tuesday 24 March; minutes two working days after.
    assert meeting_deadlines(date(2026, 4, 7)) == {
        "innkalling": date(2026, 3, 24),
        "mote": date(2026, 4, 7),
        "referat": date(2026, 4, 9),
    }


def test_meeting_deadlines_skip_holidays() -> None:
    # Meeting 31 May 2027: 14 days before is 17 May (and Whit Monday) -> Friday 14 May.
    # Meeting Tuesday 31 March 2026: minutes skip Maundy Thursday, Good Friday, Easter Monday.
    assert meeting_deadlines(date(2027, 5, 31))["innkalling"] == date(2027, 5, 14)
    assert meeting_deadlines(date(2026, 3, 31))["referat"] == date(2026, 4, 7)


def test_reminder_days_for_1_february_2026_deadline() -> None:
    # Priority application due Monday 2 February 2026, reminders 30 and 7 days before.
    assert reminder_days(date(2026, 2, 2), (30, 7), (1, 7)) == [
        date(2026, 1, 2),  # 3 January is a Saturday -> Friday 2 January
        date(2026, 1, 26),
        date(2026, 2, 2),
        date(2026, 2, 3),
        date(2026, 2, 9),
    ]


def test_overdue_reminder_goes_forward_from_a_weekend() -> None:
    # Due Friday 6 March 2026: one day overdue is Saturday -> Monday, not back to Friday.
    assert reminder_days(date(2026, 3, 6), (), (1,)) == [date(2026, 3, 6), date(2026, 3, 9)]


def test_due_on_christmas_day_reminds_on_christmas_eve() -> None:
    assert reminder_days(date(2026, 12, 25), (1,), ()) == [date(2026, 12, 24)]


def test_negative_leads_are_refused() -> None:
    with pytest.raises(ValueError):
        reminder_days(date(2026, 3, 6), (-1,), ())
    with pytest.raises(ValueError):
        reminder_days(date(2026, 3, 6), (), (0,))


def test_every_cadence_kind_has_lead_days() -> None:
    c = Cadence()
    assert c.lead_days_for("innkalling") == ()
    assert c.lead_days_for("mote") == (1,)
    assert all(isinstance(c.lead_days_for(kind), tuple) for kind in CADENCE_KINDS)
    with pytest.raises(ValueError):
        c.lead_days_for("fyller_18")


@given(days, lead_lists, overdue_lists)
def test_reminder_days_are_working_days_sorted_and_unique(
    due: date, leads: list[int], overdue: list[int]
) -> None:
    sent = reminder_days(due, leads, overdue)
    assert all(is_working_day(d) for d in sent)
    assert sent == sorted(set(sent))
    assert any(d <= due for d in sent)  # always one on or before the day itself


@given(days, overdue_lists)
def test_overdue_reminders_come_after_due(due: date, overdue: list[int]) -> None:
    on_time = reminder_days(due, (), ())
    sent = reminder_days(due, (), overdue)
    assert len(sent) == 1 + len({d for d in sent if d > due})
    assert on_time == [d for d in sent if d <= due]


@given(days)
def test_meeting_deadlines_order(meeting: date) -> None:
    d = meeting_deadlines(meeting)
    assert d["innkalling"] <= meeting - timedelta(days=14)
    assert is_working_day(d["innkalling"]) and is_working_day(d["referat"])
    assert d["mote"] == meeting < d["referat"]


def test_a_vedtak_that_runs_out_is_reminded_90_and_30_days_ahead() -> None:
    # Ringerike: «Avlastning/støttekontakt/BPA/hjemmetjenester/fysio/ergo/omsorgstønad»;
    # Folldal: «Holde orden på vedtak». A renewal needs a new application in good time.
    c = Cadence()
    for kind in VEDTAK_KINDS:
        assert kind in CADENCE_KINDS
        assert c.lead_days_for(kind) == (90, 30)
    expiry = date(2027, 6, 30)  # a Wednesday
    days = reminder_days(expiry, c.lead_days_for("vedtak_bpa"), c.overdue_days)
    assert date(2027, 4, 1) in days  # 90 days ahead (a Thursday)
    assert date(2027, 5, 31) in days  # 30 days ahead (a Monday)
    assert expiry in days
