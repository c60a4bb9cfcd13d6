"""Issue 13: every typed date is read back («= fredag 4. desember 2026»); a past day,
a weekend or a holiday is questioned where it makes no sense; «Flytt» takes a month
(«august 2033»); the snooze confirmation names the day the reminder really comes."""

from __future__ import annotations

from datetime import date

from storage.models import Deadline
from tests.harness import rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_conversations import answer_current


async def test_a_new_deadline_on_a_saturday_is_asked_about(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Ny frist")
    await kari.tap("Vedtak løper ut: BPA")
    await kari.send("05.12.2026")
    assert "= lørdag 5. desember 2026" in kari.last_text
    assert "Det er en lørdag. Bruke den likevel?" in kari.last_text
    assert kari.buttons()[:2] == ["Ja, bruk den", "Velg en annen dato"]
    await kari.tap("Velg en annen dato")
    assert "Hvilken dato" in kari.last_text
    assert await rows(bot, Deadline, Deadline.source == "manual") == []
    replies = await kari.send("4.12")
    assert "fredag 4. desember 2026" in replies[-1]
    [vedtak] = await rows(bot, Deadline, Deadline.source == "manual")
    assert vedtak.due == date(2026, 12, 4)


async def test_a_holiday_can_be_kept_when_the_koordinator_says_so(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Ny frist")
    await kari.tap("Vedtak løper ut: avlastning")
    await kari.send("17.05.2027")
    assert "Det er en helligdag" in kari.last_text
    replies = await kari.tap("Ja, bruk den")
    assert "mandag 17. mai 2027" in replies[-1]
    [vedtak] = await rows(bot, Deadline, Deadline.source == "manual")
    assert vedtak.due == date(2027, 5, 17)


async def _to_tiltak_date(kari) -> None:
    await kari.send("/kartlegging AB")
    for _ in range(80):
        if "Når skal tiltaket være gjort" in kari.last_text:
            return
        await answer_current(kari, goals=1, tiltak=1)
    raise AssertionError("no tiltak date asked")


async def test_a_typed_tiltak_date_is_read_back(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await _to_tiltak_date(kari)
    replies = await kari.send("4.12")
    assert "= fredag 4. desember 2026" in replies
    [tiltak] = [d for d in await rows(bot, Deadline) if d.kind == "tiltak"]
    assert tiltak.due == date(2026, 12, 4)


async def test_a_tiltak_date_on_christmas_day_is_questioned(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await _to_tiltak_date(kari)
    await kari.send("25.12.2026")
    assert "fredag 25. desember 2026" in kari.last_text
    assert "Det er en helligdag. Bruke den likevel?" in kari.last_text
    assert [d for d in await rows(bot, Deadline) if d.kind == "tiltak"] == []
    await kari.tap("Velg en annen dato")
    assert "Når skal tiltaket være gjort" in kari.last_text
    await kari.send("i går")
    assert "Den datoen har allerede vært" in kari.last_text
    await kari.tap("Ja, bruk den")
    [tiltak] = [d for d in await rows(bot, Deadline) if d.kind == "tiltak"]
    assert tiltak.due == date(2026, 11, 23)


async def test_the_next_evaluation_on_a_sunday_is_questioned(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/evaluering AB")
    for _ in range(60):
        if "Når skal neste evaluering" in kari.last_text:
            break
        await answer_current(kari)
    await kari.send("23.05.2027")
    assert "Det er en søndag. Bruke den likevel?" in kari.last_text
    await kari.tap("« Tilbake")
    assert "Når skal neste evaluering" in kari.last_text
    await kari.send("24.05.2027")
    assert "= mandag 24. mai 2027" in kari.everything_seen()


async def test_flytt_takes_a_month_and_reads_the_day_back(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    await kari.send("AB")
    await kari.tap("Barnekoordinator")
    await kari.tap("Individuell plan (IP)")
    await kari.send("05.2011")
    await kari.tap("Hopp over")
    await kari.tap("Ungdomsskole")
    await kari.tap("I dag")
    [vgs] = await rows(bot, Deadline, Deadline.kind == "vgs_start")
    await kari.press(f"tm:{vgs.id}")
    replies = await kari.send("august 2033")
    # 1 August 2033 is a Monday: the first working day of the month.
    assert "flyttet til mandag 1. august 2033" in replies[-1]
    [moved] = await rows(bot, Deadline, Deadline.id == vgs.id)
    assert (moved.due, moved.pinned) == (date(2033, 8, 1), True)


async def test_a_month_whose_first_is_a_weekend_moves_to_its_first_working_day(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    [oppstart] = await rows(bot, Deadline, Deadline.kind == "oppstartsamtale")
    await kari.press(f"tm:{oppstart.id}")
    replies = await kari.send("januar 2028")  # 1 January is a holiday; 2028-01-03 a Monday
    assert "flyttet til mandag 3. januar 2028" in replies[-1]


async def test_skipping_a_questioned_day_leaves_no_deadline(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await _to_tiltak_date(kari)
    await kari.send("05.12.2026")
    assert "Det er en lørdag" in kari.last_text
    await kari.tap("Hopp over")
    assert "Når skal tiltaket være gjort" not in kari.last_text
    assert [d for d in await rows(bot, Deadline) if d.kind == "tiltak"] == []
