"""Reminders with the controlled clock: they arrive at 08:00 Oslo on working days,
once, whatever Telegram or a restart does in between."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

from sqlalchemy import select

from storage.models import Case, Deadline, Koordinator, Reminder
from tests.conftest import OSLO
from tests.harness import TestBot, rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_issue13b import transitions_screen


def at(clock, y, m, d, hh=8, mm=0):
    clock.set(datetime(y, m, d, hh, mm, tzinfo=OSLO))


async def test_oppstart_reminders_come_at_eight_on_working_days_once(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")  # appointed Tue 24.11.2026: oppstartsamtale due 08.12
    [oppstart] = await rows(bot, Deadline, Deadline.kind == "oppstartsamtale")
    assert oppstart.due == date(2026, 12, 8)
    at(clock, 2026, 12, 1, 7, 59)
    await bot.sweep()
    assert bot.reminders_to(kari.user_id) == []
    at(clock, 2026, 12, 1, 8, 0)
    await bot.sweep()
    await bot.sweep()
    [reminder] = bot.reminders_to(kari.user_id)
    assert (
        "AB: Oppstartsamtale" in reminder.text and "8. desember 2026 – om 7 dager" in reminder.text
    )
    assert reminder.buttons() == [
        "✅ Utført",
        "Åpne sak",
        "Utsett 1 dag",
        "Utsett 1 uke",
        "Velg dato",
    ]
    sent = await rows(bot, Reminder, Reminder.status == "sent")
    assert [r.sent_at for r in sent] == [datetime(2026, 12, 1, 7, 0, tzinfo=sent[0].sent_at.tzinfo)]


async def test_holidays_and_weekends_move_the_reminder_earlier(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    async with bot.services.db.session() as s:
        sent_days = sorted(
            {r.send_at.astimezone(OSLO) for r in (await s.scalars(select(Reminder))).all()}
        )
    for instant in sent_days:
        assert instant.hour == 8 and instant.minute == 0
        assert instant.weekday() < 5
    from bot.rules.workdays import is_working_day

    assert all(is_working_day(i.date()) for i in sent_days)


async def test_done_and_snooze_buttons(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    at(clock, 2026, 12, 1)
    await bot.sweep()
    [reminder] = bot.reminders_to(kari.user_id)
    await kari.tap("Utsett 1 dag", reminder)
    assert "Du blir minnet på igjen onsdag 2. desember 2026 kl. 08.00" in reminder.text
    at(clock, 2026, 12, 2)
    await bot.sweep()
    second = bot.reminders_to(kari.user_id)[-1]
    assert second is not reminder and "AB: Oppstartsamtale" in second.text
    await kari.tap("✅ Utført", second)
    assert "utført" in second.text
    [oppstart] = await rows(bot, Deadline, Deadline.kind == "oppstartsamtale")
    assert oppstart.status == "done"
    pending = await rows(
        bot, Reminder, Reminder.deadline_id == oppstart.id, Reminder.status == "pending"
    )
    assert pending == []
    at(clock, 2026, 12, 9)
    await bot.sweep()
    assert len(bot.reminders_to(kari.user_id)) == 2


async def test_snooze_to_a_picked_date_skips_the_weekend(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    at(clock, 2026, 12, 1)
    await bot.sweep()
    [reminder] = bot.reminders_to(kari.user_id)
    await kari.tap("Velg dato", reminder)
    replies = await kari.send("05.12.2026")  # a Saturday
    # Issue 13: the confirmation names the day the reminder really comes.
    assert "Utsatt til lørdag 5. desember 2026" in replies[-1]
    assert "Neste påminnelse kommer mandag 7. desember 2026 kl. 08.00" in replies[-1]
    at(clock, 2026, 12, 5)
    await bot.sweep()
    assert len(bot.reminders_to(kari.user_id)) == 1
    at(clock, 2026, 12, 7)
    await bot.sweep()
    assert len(bot.reminders_to(kari.user_id)) == 2


async def test_restart_between_sweeps_loses_nothing(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await bot.restart()
    at(clock, 2026, 12, 8, 9, 30)  # the bot was down at 08:00 on 1 and 8 December
    await bot.sweep()
    texts = [m.text for m in bot.reminders_to(kari.user_id)]
    # Both the 1 December and the 8 December reminder were due; the newest says it all.
    assert texts == ["⏰ AB: Oppstartsamtale\n8. desember 2026 – i dag"]


async def test_two_processes_send_each_reminder_once(bot, clock, settings):
    kari = await bot.registered_user()
    for n in range(6):
        await create_case(kari, f"S{n}")
    other = TestBot(settings=settings, cipher=bot.cipher, clock=clock, telegram=bot.telegram)
    await other.start()
    try:
        at(clock, 2026, 12, 1)
        await asyncio.gather(bot.sweep(), other.sweep(), bot.sweep(), other.sweep())
    finally:
        await other.stop()
    reminders = bot.reminders_to(kari.user_id)
    aliases = sorted(m.text.split(":")[0] for m in reminders)
    assert len(reminders) == 6, aliases
    assert len(set(aliases)) == 6


async def test_flood_control_and_timeouts_still_deliver_once(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    at(clock, 2026, 12, 1)
    bot.telegram.fail("retry_after", method="sendMessage", retry_after=1)
    bot.telegram.fail("timeout", method="sendMessage")
    bot.telegram.fail("network", method="sendMessage")
    await bot.sweep()
    assert len(bot.reminders_to(kari.user_id)) == 1
    assert bot.telegram.too_many_requests == 1
    await bot.sweep()
    assert len(bot.reminders_to(kari.user_id)) == 1


async def test_a_koordinator_who_blocked_the_bot_is_marked_and_admins_told(bot, clock):
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    at(clock, 2026, 12, 1)
    bot.telegram.fail("blocked", method="sendMessage", chat_id=kari.user_id, times=10)
    await bot.sweep()
    assert bot.reminders_to(kari.user_id) == []
    [me] = await rows(bot, Koordinator, Koordinator.telegram_user_id == kari.user_id)
    assert me.unreachable_since is not None
    admin_texts = [m.text for m in bot.telegram.messages(bot.admin().user_id) if m.from_bot]
    assert any("Kari Nordmann kan ikke nås" in t for t in admin_texts)
    pending = await rows(bot, Reminder, Reminder.status == "pending")
    assert pending, "the reminders are kept"
    bot.telegram.faults.clear()
    await kari.send("/saker")  # she is back
    await bot.sweep()
    assert len(bot.reminders_to(kari.user_id)) == 1


async def test_closed_or_paused_cases_get_no_reminders(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Sett på pause")
    at(clock, 2026, 12, 1)
    await bot.sweep()
    assert bot.reminders_to(kari.user_id) == []
    await kari.send("AB")
    await kari.tap("Gjenoppta")
    at(clock, 2026, 12, 8)
    await bot.sweep()
    assert len(bot.reminders_to(kari.user_id)) == 1


async def test_transitions_are_proposed_and_can_be_confirmed_moved_dismissed(bot, clock):
    kari = await bot.registered_user()
    await kari.send("/ny")
    await kari.send("EF")
    await kari.tap("Barnekoordinator")
    await kari.tap("Individuell plan (IP)")
    await kari.send("05.2011")  # turns 16 in 2027
    await kari.tap("Hopp over")
    await kari.tap("Ungdomsskole")
    await kari.tap("I dag")
    text = await transitions_screen(kari)
    assert "01.02.2027 Søknadsfrist vgs: fortrinnsrett, individuell behandling" in text
    assert "særskilt språkopplæring, nyankomne – forslag" in text
    assert "16.08.2027" not in text and "15.08.2027 Start i videregående" in text
    await kari.tap("Skolegang et år senere")
    text = await transitions_screen(kari, open_it=False)
    assert "01.02.2028 Søknadsfrist vgs: fortrinnsrett" in text
    assert "01.05.2027 Fyller 16 år" in text
    proposals = await rows(
        bot, Deadline, Deadline.source == "transition", Deadline.status == "proposed"
    )
    first = min(proposals, key=lambda d: d.due)
    await kari.press(f"tc:{first.id}")
    await kari.press(f"tx:{max(proposals, key=lambda d: d.due).id}")
    await kari.press(f"tm:{sorted(proposals, key=lambda d: d.due)[1].id}")
    await kari.send("20.06.2027")  # a Sunday: asked about first (issue 13)
    assert "Det er en søndag" in kari.last_text
    await kari.tap("Ja, bruk den")
    statuses = {d.id: (d.status, d.due, d.pinned) for d in await rows(bot, Deadline)}
    assert statuses[first.id][0] == "open"
    moved = statuses[sorted(proposals, key=lambda d: d.due)[1].id]
    assert moved == ("open", date(2027, 6, 20), True)


async def test_neste_and_frister(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await create_case(kari, "CD")
    replies = await kari.send("/neste")
    assert "AB: Oppstartsamtale 08.12.2026" in replies[0]
    assert "CD: Oppstartsamtale 08.12.2026" in replies[0]
    replies = await kari.send("/neste AB")
    assert "Neste frist" in replies[0] and "CD" not in replies[0]
    clock.advance(timedelta(days=20))
    replies = await kari.send("/frister")
    assert "Forfalt" in replies[0] and "08.12.2026 AB: Oppstartsamtale" in replies[0]


async def test_inline_lookup_is_content_free_and_private(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    update = {
        "update_id": bot.telegram.next_update_id(),
        "inline_query": {"id": "iq1", "from": kari.user.user, "query": "a", "offset": ""},
    }
    await bot.feed(update)
    [call] = [c for c in bot.telegram.calls if c.method == "answerInlineQuery"]
    results = call.params["results"]
    assert [r["title"] for r in results] == ["AB"]
    assert "Oppstartsamtale 08.12.2026" in results[0]["input_message_content"]["message_text"]
    assert call.params.get("is_personal") is True
    stranger = bot.chat(name="Eve")
    update["inline_query"]["from"] = stranger.user.user
    update["update_id"] = bot.telegram.next_update_id()
    await bot.feed(update)
    last = [c for c in bot.telegram.calls if c.method == "answerInlineQuery"][-1]
    assert last.params["results"] == []


async def test_weekly_digest_on_monday(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    replies = await kari.send("/ukeoversikt")
    assert "slått på" in replies[0]
    at(clock, 2026, 12, 7, 8, 5)  # Monday
    await bot.sweep()
    await bot.sweep()
    digests = [
        m
        for m in bot.telegram.messages(kari.user_id)
        if m.from_bot and m.text.startswith("Ukeoversikt –")
    ]
    assert len(digests) == 1 and "08.12.2026 AB: Oppstartsamtale" in digests[0].text


async def test_calendar_file_has_stable_uids_and_no_content(bot, clock):
    from icalendar import Calendar

    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/mote AB")
    await kari.tap("Ansvarsgruppemøte")
    await kari.send("05.03.2027 kl 14:30")
    await kari.send("Rådhuset")
    for _ in range(10):
        if "svarene er lagret" in kari.last_text:
            break
        await kari.tap("Hopp over")
    await kari.send("/kalender AB")
    name, content = kari.last.document
    assert name == "frister-AB.ics"
    first = Calendar.from_ical(content)
    events = {str(e["UID"]): e for e in first.walk("VEVENT")}
    summaries = sorted(str(e["SUMMARY"]) for e in events.values())
    assert "AB: Møte" in summaries and "AB: Send innkalling" in summaries
    assert b"R\xc3\xa5dhuset" not in content  # the place is content: never in the file
    meeting = next(e for e in events.values() if str(e["SUMMARY"]) == "AB: Møte")
    assert meeting.decoded("DTSTART").hour == 14
    clock.advance(timedelta(minutes=5))
    await kari.send("/kalender AB")
    again = Calendar.from_ical(kari.last.document[1])
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)
    assert all(
        int(e["SEQUENCE"]) > int(events[str(e["UID"])]["SEQUENCE"]) for e in again.walk("VEVENT")
    )


async def test_manual_deadline_and_custom_transition(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Ny frist")
    await kari.tap("Egen overgang")
    await kari.send("Flytting")
    replies = await kari.send("i går")
    assert "allerede vært" in replies[0]
    replies = await kari.send("15.01.2027")
    assert "Lagt inn for AB: Overgang: Flytting, fredag 15. januar 2027" in replies[-1]
    [custom] = await rows(bot, Deadline, Deadline.source == "manual")
    assert (custom.kind, custom.due, custom.status) == ("egen_overgang", date(2027, 1, 15), "open")
    at(clock, 2027, 1, 15)
    await bot.sweep()
    assert any("AB: Overgang" in m.text for m in bot.reminders_to(kari.user_id))


async def test_per_case_cadence_override_moves_the_first_evaluation(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Rediger")
    await kari.tap("Evaluering (hyppighet)")
    await kari.tap("Hver 3. måned")
    [evaluation] = await rows(
        bot, Deadline, Deadline.kind == "evaluering", Deadline.status == "open"
    )
    assert evaluation.due == date(2027, 2, 24)
    await kari.tap("Rediger")
    await kari.tap("Evaluering (hyppighet)")
    await kari.tap("Kommunens standard")
    [evaluation] = await rows(
        bot, Deadline, Deadline.kind == "evaluering", Deadline.status == "open"
    )
    assert evaluation.due == date(2027, 5, 24)


async def test_telegram_limits_are_respected_for_one_koordinator(settings, clock):
    from koordbot.standin import FakeTelegram
    from storage.crypto import Cipher
    from tests.conftest import TEST_KEY

    strict = settings.model_copy(update={"send_per_chat_seconds": 1.0, "send_per_second": 30.0})
    bot = TestBot(settings=strict, cipher=Cipher(TEST_KEY), clock=clock, telegram=FakeTelegram())
    await bot.start()
    try:
        kari = await bot.registered_user()
        for n in range(3):
            await create_case(kari, f"L{n}")
        await asyncio.sleep(1.1)  # let the chat's pace from the setup pass
        bot.telegram.enforce_limits = True  # Telegram's limits for the sweep's messages
        at(clock, 2026, 12, 1)
        await bot.sweep()
        assert len(bot.reminders_to(kari.user_id)) == 3
        assert bot.telegram.too_many_requests == 0
    finally:
        await bot.stop()


async def test_lookups_show_each_cases_next_active_deadline_and_only_mine(bot, clock):
    kari = await bot.registered_user()
    ola = await bot.registered_user("Ola Hansen")
    await create_case(kari, "AB")
    await create_case(kari, "CD", birth=None)
    await create_case(ola, "EF")
    ab = (await rows(bot, Case, Case.alias_key == "ab"))[0]
    [ab_oppstart] = await rows(
        bot, Deadline, Deadline.case_id == ab.id, Deadline.kind == "oppstartsamtale"
    )
    await kari.press(f"u:{ab_oppstart.id}")  # AB's oppstartsamtale is done
    ab_next = min(
        (d for d in await rows(bot, Deadline, Deadline.case_id == ab.id) if d.status != "done"),
        key=lambda d: (d.due, d.id),
    )
    replies = await kari.send("/neste")
    [ab_line] = [line for line in replies[0].splitlines() if line.startswith("• AB:")]
    assert "Oppstartsamtale" not in ab_line and ab_next.due.strftime("%d.%m.%Y") in ab_line
    assert "CD: Oppstartsamtale 08.12.2026" in replies[0]
    assert "EF" not in replies[0]
    await kari.send("CD")
    await kari.tap("Sett på pause")
    replies = await kari.send("/neste")
    assert "CD" not in replies[0] and "AB:" in replies[0]
    replies = await kari.send("/saker")
    assert "Mine saker (2)" in replies[-1] and "EF" not in replies[-1]
    assert (
        "• CD – Individuell plan (IP) (på pause)\n   Neste: Oppstartsamtale 08.12.2026"
        in (replies[-1])
    )
    clock.advance(timedelta(days=20))
    replies = await kari.send("/frister")
    assert "CD" not in replies[0] and "EF" not in replies[0]
    replies = await ola.send("/frister")
    assert "08.12.2026 EF: Oppstartsamtale" in replies[0] and "AB" not in replies[0]
    replies = await ola.send("/saker")
    assert "Neste: Oppstartsamtale 08.12.2026 ⚠️ forfalt" in replies[-1]


async def test_a_reminder_that_fails_for_good_is_told_to_the_ke_once(bot, clock):
    from bot.reminders.outbox import MAX_ATTEMPTS

    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    at(clock, 2026, 12, 1)
    bot.telegram.fail("bad_request", method="sendMessage", chat_id=kari.user_id, times=100)
    for _ in range(MAX_ATTEMPTS + 3):
        await bot.sweep()
        clock.advance(timedelta(minutes=11))  # past the retry delay
    assert bot.reminders_to(kari.user_id) == []
    [failed] = await rows(bot, Reminder, Reminder.status == "failed")
    assert failed.attempts == MAX_ATTEMPTS
    admin = [m.text for m in bot.telegram.messages(bot.admin().user_id) if m.from_bot]
    [notice] = [t for t in admin if "kom ikke fram" in t]
    assert "AB (Kari Nordmann): Oppstartsamtale 08.12.2026" in notice
