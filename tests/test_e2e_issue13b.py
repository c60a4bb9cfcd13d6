"""Issue 13, part B, as chats: the evaluation shows what it evaluates, a school shift
and a moved Vg1 start carry the application deadlines, reopening restores transition
proposals, only ansvarsgruppemøter count towards the cadence, the Vg1 case is brought
to the KE, and the smaller items (Kontaktform «Annet», «Senere», /oppstart again,
/ryddig, the admin who hands over, the conversations list, the transitions screen)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from storage.models import Case, Deadline
from tests.conftest import OSLO
from tests.harness import rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_conversations import run_to_end


def at(clock, y, m, d, hh=8, mm=0):
    clock.set(datetime(y, m, d, hh, mm, tzinfo=OSLO))


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
    await kari.tap(kari.buttons()[2])  # «Avvis» on the first proposal
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
    await kari.tap("Overganger")
    assert "Fyller 18 år – forslag" in kari.last_text
