"""Issue 13, «the koordinator's deadlines»: every deadline can be told apart, ticked
off or put off from every list, and the lock screen never names a service."""

from __future__ import annotations

from datetime import date

from icalendar import Calendar

from storage.models import Deadline
from tests.harness import rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_conversations import run_to_end
from tests.test_e2e_reminders import at


async def add_own_deadline(chat, label: str, day: str = "15.01.2027") -> list[str]:
    await chat.tap("Ny frist")
    await chat.tap("Annen frist")
    await chat.send(label)
    return await chat.send(day)


async def test_tiltak_are_named_by_number_never_by_content(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Kartlegging")
    await run_to_end(kari, goals=2, tiltak=2, text="Svømming med assistent")
    assert "• Tiltak 2 · Mål 1: 24. desember 2026" in kari.last_text
    await kari.send("/frister")
    listing = kari.last_text
    for goal in (1, 2):
        for tiltak in (1, 2):
            assert f"Tiltak {tiltak} · Mål {goal}" in listing
    assert "Svømming" not in listing
    await kari.send("AB")
    assert "Tiltak 1 · Mål 1" in kari.last_text and "Svømming" not in kari.last_text
    at(clock, 2026, 12, 24)
    await bot.sweep()
    reminders = [m.text for m in bot.reminders_to(kari.user_id)]
    assert any("AB: Tiltak 2 · Mål 1" in r for r in reminders)
    assert not any("Svømming" in r for r in reminders)


async def test_an_own_deadline_takes_a_short_label_after_a_warning(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Ny frist")
    await kari.tap("Annen frist")
    assert "låst skjerm" in kari.last_text and "helseopplysninger" in kari.last_text
    replies = await kari.send("Søknad bolig 15058512343")  # a fødselsnummer is refused
    assert not any("Hvilken dato" in r for r in replies)
    await kari.send("x" * 41)
    assert "høyst 40 tegn" in kari.everything_seen()
    await kari.send("Søknad bolig")
    replies = await kari.send("15.01.2027")
    assert "Frist: Søknad bolig, fredag 15. januar 2027" in replies[-1]
    [own] = await rows(bot, Deadline, Deadline.source == "manual")
    assert own.title == "Søknad bolig"  # encrypted at rest, like every text on a deadline
    await kari.send("/frister")
    await kari.send("AB")
    assert "Frist: Søknad bolig" in kari.last_text
    at(clock, 2027, 1, 15)
    await bot.sweep()
    assert any("AB: Frist: Søknad bolig" in m.text for m in bot.reminders_to(kari.user_id))


async def test_a_fixed_choice_asks_no_label(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Ny frist")
    await kari.tap("Vedtak løper ut: BPA")
    assert "Hvilken dato" in kari.last_text


async def test_the_label_is_not_stored_in_clear(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await add_own_deadline(kari, "Flyttesak")
    async with bot.services.db.engine.connect() as conn:
        from sqlalchemy import text

        raw = (await conn.execute(text("SELECT title FROM deadline WHERE source='manual'"))).all()
    assert raw and "Flyttesak" not in str(raw[0][0])


async def test_frister_offers_done_and_snooze_on_each_deadline(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")  # oppstartsamtale due 08.12.2026
    await add_own_deadline(kari, "Søknad bolig", "10.12.2026")
    await kari.send("/frister")
    listing = kari.last
    assert "1. 08.12.2026 AB: Oppstartsamtale" in listing.text
    assert "2. 10.12.2026 AB: Frist: Søknad bolig" in listing.text
    assert listing.buttons() == ["1. ✅ Utført", "1. 💤 Utsett", "2. ✅ Utført", "2. 💤 Utsett"]
    replies = await kari.tap("2. ✅ Utført")
    assert "Frist: Søknad bolig for AB: utført" in replies[-1]
    # The list keeps the other deadline's buttons.
    assert listing.buttons() == ["1. ✅ Utført", "1. 💤 Utsett"]
    [own] = await rows(bot, Deadline, Deadline.source == "manual")
    assert own.status == "done"
    await kari.tap("1. 💤 Utsett", listing)
    assert "Utsett AB: Oppstartsamtale (08.12.2026)?" in kari.last_text
    await kari.tap("Utsett 1 uke")
    # Tue 24.11 + a week: Tue 1 December, at the reminder hour.
    assert "minnet på igjen tirsdag 1. desember 2026 kl. 08.00" in kari.last_text


async def test_a_stale_list_button_gets_the_stale_message(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/frister")
    first = kari.last
    await kari.send("/frister")
    await kari.tap("1. ✅ Utført")
    await kari.tap("1. ✅ Utført", first)
    assert "tidligere steg og virker ikke lenger" in kari.callback_answers()[-1]
    assert first.buttons() == []


async def test_neste_and_the_card_offer_done_and_snooze(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/neste")
    assert kari.buttons() == ["AB", "✅ Utført", "💤 Utsett"]
    await kari.send("AB")
    card = kari.last
    assert "1. 08.12.2026 Oppstartsamtale" in card.text
    assert card.buttons()[:2] == ["1. ✅ Utført", "1. 💤 Utsett"]
    replies = await kari.tap("1. ✅ Utført")
    assert "Oppstartsamtale for AB: utført" in replies[-1]
    assert "Kartlegging" in card.buttons()  # the rest of the card stays


async def test_kalender_counts_only_live_events_in_norwegian(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await add_own_deadline(kari, "Søknad bolig", "10.12.2026")
    await kari.send("/frister")
    await kari.tap("2. ✅ Utført")
    await kari.send("/kalender AB")
    message = kari.last
    _name, content = message.document
    events = Calendar.from_ical(content).walk("VEVENT")
    assert len(events) >= 2  # the done one is there, cancelled, so calendars drop it
    live = [e for e in events if str(e["STATUS"]) == "CONFIRMED"]
    assert f"{len(live)} frist" in message.caption
    summaries = {str(e["SUMMARY"]) for e in events}
    assert "AB: Frist: Søknad bolig" in summaries
    calendar = Calendar.from_ical(content)
    shown = [str(calendar.get("X-WR-CALNAME"))]
    for e in events:
        shown.append(str(e["SUMMARY"]))
        shown.extend(str(a["DESCRIPTION"]) for a in e.walk("VALARM"))
    english = ("deadline", "reminder", "due", "case", "proposed", "my ")
    assert not [s for s in shown for w in english if w in s.casefold()], shown
    assert date(2026, 12, 10) in {e.decoded("DTSTART") for e in events}


def test_the_ics_file_has_no_english_comment() -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from bot.export_ics import CalendarEntry, build_calendar

    meeting = datetime(2027, 3, 5, 14, 30, tzinfo=ZoneInfo("Europe/Oslo"))
    data = build_calendar(
        [CalendarEntry(uid="d-1", summary="AB: Møte", day=meeting.date(), starts_at=meeting)],
        name="Koordinatorbot – mine frister",
        generated_at=datetime(2026, 11, 24, tzinfo=UTC),
    ).decode()
    assert "BEGIN:VTIMEZONE" in data
    assert "COMMENT" not in data and "This timezone" not in data
