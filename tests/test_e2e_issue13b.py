"""Issue 13, part B, as chats: the evaluation shows what it evaluates, a school shift
and a moved Vg1 start carry the application deadlines, reopening restores transition
proposals, only ansvarsgruppemøter count towards the cadence, the Vg1 case is brought
to the KE, and the smaller items (Kontaktform «Annet», «Senere», /oppstart again,
/ryddig, the admin who hands over, the conversations list, the transitions screen)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage.models import Answer, Case, Deadline, Koordinator
from tests.conftest import OSLO
from tests.harness import rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_conversations import answer_current, run_to_end


def at(clock, y, m, d, hh=8, mm=0):
    clock.set(datetime(y, m, d, hh, mm, tzinfo=OSLO))


async def transitions_screen(chat, *, open_it: bool = True) -> str:
    """Open «Overganger» on the case card (or take the screen on show, at its first
    page) and read every page of it (one message, edited in place as pages turn)."""
    if open_it:
        await chat.tap("Overganger")
    screen = chat.last
    text = screen.text
    while "Neste side ▶" in chat.buttons():
        await chat.tap("Neste side ▶")
        assert chat.last.message_id == screen.message_id
        text += "\n" + chat.last.text
    return text


async def meeting_due(bot) -> date:
    [due] = [
        d.due
        for d in await rows(bot, Deadline, Deadline.kind == "ansvarsgruppemote")
        if d.status == "open"
    ]
    return due


# ---- only ansvarsgruppemøter count towards the cadence ------------------------------
async def test_an_arbeidsmote_does_not_reset_the_ansvarsgruppe_cadence(bot):
    # vestre-toten-handbok-samhandling.txt: «Det bgr avholdes ansvarsgruppemgter minimum
    # to ganger i aret» (the seed's OCR): the cadence is of ansvarsgruppemøter only.
    kari = await bot.registered_user()
    await create_case(kari, "AB")  # IP, appointed 24 November 2026
    assert await meeting_due(bot) == date(2027, 5, 24)
    await kari.send("/mote AB")
    await kari.tap("Arbeidsmøte")
    await kari.send("05.03.2027 kl 10:00")
    await run_to_end(kari, text="Skolen")
    assert await meeting_due(bot) == date(2027, 5, 24)
    await kari.send("/mote AB")
    await kari.tap("Ansvarsgruppemøte")
    await kari.send("12.03.2027 kl 10:00")
    await run_to_end(kari, text="Skolen")
    assert await meeting_due(bot) == date(2027, 9, 12)


# ---- reopening restores the transition proposals ------------------------------------
async def close_agreed(chat, alias="AB"):
    await chat.send(alias)
    await chat.tap("Avslutt sak")
    for answer in ("Ja", "Ja", "Ja", "Ja", "Nei", "Målene er nådd"):
        await chat.tap(answer)
    assert "er avsluttet" in chat.last_text


async def test_reopening_a_case_restores_its_transition_proposals(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB", birth="05.2012")
    await kari.tap("Overganger")
    # One the koordinator said no to before the closing stays dismissed.
    await kari.tap("Avvis 1")
    before = {
        d.kind: d.status
        for d in await rows(bot, Deadline, Deadline.source == "transition")
        if d.status in ("proposed", "open")
    }
    assert "vgs_start" in before and "fyller_18" in before
    clock.advance(timedelta(minutes=5))
    await close_agreed(kari)
    assert not [d for d in await rows(bot, Deadline) if d.status in ("proposed", "open")]
    await kari.send("AB")
    await kari.tap("Gjenåpne")
    after = {
        d.kind: d.status
        for d in await rows(bot, Deadline, Deadline.source == "transition")
        if d.status in ("proposed", "open")
    }
    assert after == before
    await kari.send("AB")
    assert "Fyller 18 år – forslag" in await transitions_screen(kari)


# ---- the transitions screen ----------------------------------------------------------
async def test_the_transitions_screen_is_one_message_edited_paged_without_twin_buttons(bot):
    kari = await bot.registered_user()
    await create_case(kari, "GH", birth="05.2011")
    await kari.tap("Overganger")
    screen = kari.last
    count = len(kari.bot_messages())
    # Three items of the checklist at 18 fall in November 2028: their buttons used to
    # read «✓ 11.2028» three times.
    labels = kari.buttons()
    assert len(labels) == len(set(labels))
    assert "Side 1 av 2" in screen.text and "Neste side ▶" in labels
    await kari.tap("✓ 1")
    assert len(kari.bot_messages()) == count
    assert kari.last.message_id == screen.message_id
    assert "er bekreftet" in kari.last_text and "Side 1 av 2" in kari.last_text
    await kari.tap("Neste side ▶")
    assert "Side 2 av 2" in kari.last_text and "◀ Forrige side" in kari.buttons()
    numbers = [b.split()[-1] for b in kari.buttons() if b.startswith("Avvis ")]
    await kari.tap(f"Avvis {numbers[0]}")
    assert "er avvist" in kari.last_text and "Side 2 av 2" in kari.last_text
    await kari.tap("Skolegang et år senere")
    assert "Skoleløpet er forskjøvet 1 år" in kari.last_text
    assert len(kari.bot_messages()) == count
    labels = kari.buttons()
    assert len(labels) == len(set(labels))


# ---- a moved Vg1 start carries its application deadlines -----------------------------
async def vg1_dates(bot) -> dict[str, date]:
    return {
        d.kind: d.due
        for d in await rows(bot, Deadline, Deadline.source == "transition")
        if d.status in ("proposed", "open")
        and d.kind
        in (
            "vgs_melding_fylket",
            "vgs_soknadsfrist_fortrinnsrett",
            "vgs_soknadsfrist_ordinaer",
            "vgs_start",
            "vgs_slutt",
        )
    }


async def test_a_school_shift_moves_the_vg1_deadlines_to_the_next_working_day(bot):
    # Forskrift til opplæringslova § 6-8: 1 February and 1 March 2031 are Saturdays.
    kari = await bot.registered_user()
    await create_case(kari, "KL", birth="05.2014")
    assert await vg1_dates(bot) == {
        "vgs_melding_fylket": date(2029, 10, 1),
        "vgs_soknadsfrist_fortrinnsrett": date(2030, 2, 1),
        "vgs_soknadsfrist_ordinaer": date(2030, 3, 1),
        "vgs_start": date(2030, 8, 15),
        "vgs_slutt": date(2033, 6, 20),
    }
    await kari.tap("Overganger")
    await kari.tap("Skolegang et år senere")
    assert await vg1_dates(bot) == {
        "vgs_melding_fylket": date(2030, 10, 1),
        "vgs_soknadsfrist_fortrinnsrett": date(2031, 2, 3),
        "vgs_soknadsfrist_ordinaer": date(2031, 3, 3),
        "vgs_start": date(2031, 8, 15),
        "vgs_slutt": date(2034, 6, 20),
    }


async def test_moving_the_vg1_start_by_hand_moves_its_application_deadlines(bot):
    kari = await bot.registered_user()
    await create_case(kari, "KL", birth="05.2014")
    [start] = await rows(bot, Deadline, Deadline.kind == "vgs_start")
    await kari.tap("Overganger")
    await kari.press(f"tm:{start.id}")
    await kari.send("18.08.2031")
    assert "18. august 2031" in kari.last_text
    assert await vg1_dates(bot) == {
        "vgs_melding_fylket": date(2030, 10, 1),
        "vgs_soknadsfrist_fortrinnsrett": date(2031, 2, 3),
        "vgs_soknadsfrist_ordinaer": date(2031, 3, 3),
        "vgs_start": date(2031, 8, 18),
        # The end of upper secondary has its own adjustment (issue 13), not this one.
        "vgs_slutt": date(2033, 6, 20),
    }
    # The moved deadlines are still proposals the koordinator confirms.
    statuses = {d.kind: d.status for d in await rows(bot, Deadline, Deadline.status != "dismissed")}
    assert statuses["vgs_soknadsfrist_ordinaer"] == "proposed"
    assert statuses["vgs_start"] == "open"


# ---- the evaluation shows what it evaluates -----------------------------------------
async def test_the_evaluation_shows_the_goals_and_tiltak_by_number_not_their_words(bot):
    # vestre-toten-handbok-samhandling.txt: «Evalueringen bgr inneholde: Er malene nadd?
    # Har tiltakene fungert …» (the seed's OCR). The chat carries structure only (numbers,
    # dates, status); the words stay in the kartlegging.
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    await run_to_end(kari, goals=2, tiltak=1, text="Lese bøker på egen hånd")
    replies = await kari.send("/evaluering AB")
    intro = replies[0]
    assert "Dette evalueres" in intro
    assert "• Mål 1" in intro and "• Mål 2" in intro
    assert "Tiltak 1 · Mål 1: frist 24.12.2026 (åpen)" in intro
    assert "Tiltak 1 · Mål 2: frist 24.12.2026 (åpen)" in intro
    assert "Lese bøker" not in intro
    assert "«Samtaler og svar» på saken" in intro


async def test_an_evaluation_without_a_kartlegging_lists_nothing(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    replies = await kari.send("/evaluering AB")
    assert "Dette evalueres" not in replies[0]


# ---- the Vg1 case is brought to the KE ----------------------------------------------
def ke_texts(bot):
    return [m.text for m in bot.telegram.messages(bot.admin().user_id) if m.from_bot]


async def test_the_vg1_case_is_brought_to_the_ke_once_when_it_comes_up(bot, clock):
    # skaun-koordinerende-team.txt: «Ved overgang til videregående skole tas saken opp i
    # Koordinerende team og det avtales hvem som skal følge opp saken fra kommunen».
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB", birth="05.2012")  # Vg1 15 August 2028
    await bot.sweep()
    assert not [t for t in ke_texts(bot) if "videregående" in t]
    at(clock, 2027, 8, 16)  # 365 days before the start: about the start of 10th grade
    await bot.sweep()
    [notice] = [t for t in ke_texts(bot) if "Overgang til videregående" in t]
    assert "tas opp i koordinerende enhet" in notice
    assert "Avtal hvem som følger opp saken fra kommunen" in notice
    assert "AB (Kari Nordmann): Start i videregående 15.08.2028" in notice
    at(clock, 2027, 9, 1)
    await bot.sweep()
    assert len([t for t in ke_texts(bot) if "Overgang til videregående" in t]) == 1


async def test_a_life_area_put_off_comes_up_in_the_next_evaluation(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    seen: dict[str, int] = {}
    for _ in range(200):
        last = kari.last_text
        if "svarene er lagret" in last:
            break
        if "Vil dere kartlegge helse nå?" in last or "Vil dere kartlegge bolig" in last:
            await kari.tap("Senere")
        else:
            await answer_current(kari, seen=seen)
    assert "står på listen neste gang dere evaluerer" in kari.last_text
    replies = await kari.send("/evaluering AB")
    assert "Satt til «Senere» i kartleggingen: Helse, Bolig. Ta dem opp nå." in replies[0]


# ---- the smaller items ---------------------------------------------------------------
async def test_kontaktform_annet_asks_which(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/oppstart AB")
    seen: dict[str, int] = {}
    for _ in range(100):
        if "helst bli kontaktet?" in kari.last_text:
            break
        await answer_current(kari, seen=seen)
    await kari.tap("Annet")
    for _ in range(3):
        if "Hvilken annen kontaktform?" in kari.last_text:
            break
        await answer_current(kari, seen=seen)  # a note, if the step offers one
    assert "Hvilken annen kontaktform?" in kari.last_text
    await kari.send("Gjennom skolen")
    assert "Hvilken annen kontaktform?" not in kari.last_text
    [answer] = await rows(bot, Answer, Answer.path == "kontaktform_annet")
    assert answer.value == "Gjennom skolen"


async def test_oppstart_again_after_it_was_held_asks_first(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/oppstart AB")
    await run_to_end(kari)
    at(clock, 2026, 12, 1)
    replies = await kari.send("/oppstart AB")
    assert replies == [
        "Oppstartsamtale med AB ble holdt 24. november 2026. Vil du starte en ny? "
        "Svarene fra den forrige blir liggende."
    ]
    assert kari.buttons() == ["Start en ny", "Se svarene"]
    await kari.tap("Start en ny")
    assert "Oppstartsamtale – AB" in kari.replies()[0]


async def test_ryddig_without_a_word_shows_the_setting_and_asks(bot):
    kari = await bot.registered_user()
    replies = await kari.send("/ryddig")
    assert "Ryddig modus er på." in replies[0] and "Vil du ha den på eller av?" in replies[0]
    assert kari.buttons() == ["Slå på", "Slå av"]
    [me] = await rows(bot, Koordinator, Koordinator.telegram_user_id == kari.user_id)
    assert me.tidy_mode is True  # asking changes nothing
    await kari.tap("Slå av")
    assert "Ryddig modus er av" in kari.last_text and not kari.last.keyboard
    [me] = await rows(bot, Koordinator, Koordinator.telegram_user_id == kari.user_id)
    assert me.tidy_mode is False
    replies = await kari.send("/ryddig")
    assert "Ryddig modus er av." in replies[0]
    replies = await kari.send("/ryddig på")
    assert "Ryddig modus er på" in replies[0]


async def test_the_admin_who_hands_over_is_not_told_she_loses_access(bot):
    kari = await bot.registered_user("Kari Nordmann")
    anne = bot.admin()
    await create_case(anne, "AB")
    await anne.tap("Bytt koordinator")
    for answer in ("Ja", "Ja", "Ja", "Ikke spurt", "Ja"):
        await anne.tap(answer)
    await anne.tap("Kari Nordmann (Skole)")
    told = "\n".join(anne.replies())
    assert "AB er overført til Kari Nordmann, som har fått saken." in told
    assert "ikke lenger tilgang" not in told
    assert "Som administrator kan du fortsatt åpne den fra /koordinatorer." in told
    [case] = await rows(bot, Case)
    [kari_row] = await rows(bot, Koordinator, Koordinator.telegram_user_id == kari.user_id)
    assert case.koordinator_id == kari_row.id


async def test_the_list_of_conversations_has_no_rows_alike(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    for _ in range(3):
        await kari.send("/kartlegging AB")
        if "Start på nytt" in kari.buttons():
            await kari.tap("Start på nytt")
        await kari.send("Går fint i hverdagen")  # one answer each
    # Started and at once started again: the first møte holds nothing.
    await kari.send("/mote AB")
    await kari.send("/mote AB")
    await kari.tap("Start på nytt")
    await kari.send("/pause")
    await kari.send("AB")
    await kari.tap("Samtaler og svar")
    assert "Samtaler for AB (4)" in kari.last_text
    assert [b for b in kari.buttons() if b != "Åpne sak"] == [
        "Møte 24.11.2026 (på pause)",
        "Kartlegging 24.11.2026 (på pause)",
        "Kartlegging 24.11.2026 nr. 2 (erstattet av en ny)",
        "Kartlegging 24.11.2026 nr. 1 (erstattet av en ny)",
    ]


async def test_a_stale_button_on_the_transitions_screen_refreshes_the_screen(bot):
    kari = await bot.registered_user()
    await create_case(kari, "GH", birth="05.2011")
    await kari.tap("Overganger")
    screen = kari.last
    await kari.tap("Avvis 1")
    # The same proposal dismissed again (from an older copy of the screen, say).
    [dismissed] = await rows(bot, Deadline, Deadline.status == "dismissed")
    await kari.press(f"tx:{dismissed.id}", screen)
    assert (
        kari.callback_answers()[-1]
        == "Denne knappen hører til et tidligere steg og virker ikke lenger."
    )
    assert kari.last.message_id == screen.message_id
    assert "Neste side ▶" in kari.buttons()
