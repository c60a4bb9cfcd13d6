"""Issue 13: reminders and notices show neutral labels on a locked phone. The preview
of a reminder, the weekly digest, a notice to the KE and a calendar alarm never name a
service, a diagnosis or a right that says something about the person's health
(«Frist vgs-søknad», not «fortrinnsrett»; «Overgang 18 år: tjenester for voksne», not
«fra BUP til DPS»)."""

from __future__ import annotations

import re
from datetime import date
from types import SimpleNamespace

import pytest

from bot.deadlines import Due
from bot.notify import ReminderView
from messages import Texts

# Words that name a service, a diagnosis or a right tied to health or special needs.
SERVICE_WORDS = (
    "BUP",
    "DPS",
    "fortrinnsrett",
    "habilitering",
    "psykisk",
    "psykiatri",
    "diagnose",
    "rus",
    "BPA",
    "avlastning",
    "omsorgsstønad",
    "støttekontakt",
    "hjelpemidler",
    "barnekoordinator",
    "vergemål",
    "NAV",
    "barnevern",
    "individuell behandling",
    "særskilt språkopplæring",
    "nyankomne",
    "spesialundervisning",
    "spesialpedagogisk",
    "funksjonsnedsettelse",
    "sykehus",
)
_WORDS = re.compile(r"\b(" + "|".join(re.escape(w) for w in SERVICE_WORDS) + r")", re.IGNORECASE)
TEXTS = Texts()
KINDS = [kind for kind, _ in TEXTS.labels("deadline_kind")]
TODAY = date(2026, 11, 24)
CASE = SimpleNamespace(alias="AB")


def named(text: str) -> list[str]:
    return _WORDS.findall(text)


def test_every_kind_has_a_lock_screen_label() -> None:
    lock = dict(TEXTS.labels("deadline_kind_lock"))
    assert sorted(set(KINDS) - set(lock)) == []


@pytest.mark.parametrize("kind", KINDS)
def test_the_lock_screen_label_names_no_service(kind: str) -> None:
    assert named(TEXTS.label(kind, "deadline_kind_lock")) == []


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("reminder", ["lead", "due", "overdue"])
def test_a_reminder_names_no_service(kind: str, reminder: str) -> None:
    view = ReminderView(1, 2, "AB", reminder, kind, date(2027, 2, 1), True, TODAY)
    text = str(TEXTS.render("reminders/reminder", r=view, today=TODAY))
    assert named(text) == [], text


@pytest.mark.parametrize("kind", KINDS)
def test_digest_notices_and_calendar_name_no_service(kind: str) -> None:
    due = Due(1, 2, kind, date(2027, 2, 1), "open")
    texts = [
        TEXTS.render("reminders/digest", items=[("AB", due)], today=TODAY),
        TEXTS.render("notices/long_overdue", items=[(1, "AB", "Kari", kind, TODAY)], days=30),
        TEXTS.render("notices/reminder_failed", alias="AB", name="Kari", kind=kind, due=TODAY),
        TEXTS.render("calendar/summary", alias="AB", d=due),
        TEXTS.render("deadlines/inline", case=CASE, deadline=due, today=TODAY),
    ]
    for text in texts:
        assert named(str(text)) == [], text


def test_the_full_name_is_kept_inside_the_chat() -> None:
    # The koordinator still reads what the 1 February deadline is about in /frister.
    assert "fortrinnsrett" in TEXTS.label("vgs_soknadsfrist_fortrinnsrett", "deadline_kind")
    assert named(TEXTS.label("vgs_soknadsfrist_fortrinnsrett", "deadline_kind_lock")) == []
    assert TEXTS.label("vgs_soknadsfrist_ordinaer", "deadline_kind_lock") == "Frist vgs-søknad"
    assert TEXTS.label("fyller_18_dps", "deadline_kind_lock") == (
        "Overgang 18 år: tjenester for voksne"
    )


@pytest.mark.parametrize("tjenestested", ["psykisk_helse_rus", "barnevern", "nav"])
def test_a_notice_about_a_koordinator_keeps_her_service_off_the_first_line(
    tjenestested: str,
) -> None:
    """The KE's notices name the koordinator's tjenestested and role, which can say
    something about the person (a case held from «Psykisk helse og rus»): that goes on
    the second line, the locked phone shows only the alias."""
    people = {"old": "Kari", "new": "Per", "name": "Kari", "tjenestested": tjenestested}
    notices = [
        TEXTS.render("notices/new_case", alias="AB", level="ip", role="barnekoordinator", **people),
        TEXTS.render("notices/handover_request", alias="AB", wish="ja", **people),
        TEXTS.render("notices/handed_over", alias="AB", **people),
    ]
    for text in notices:
        first, rest = str(text).split("\n", 1)
        assert named(first) == [], first
        assert "AB" in first and TEXTS.label(tjenestested, "tjenestested") in rest
