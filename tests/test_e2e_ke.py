"""The koordinerende enhet's side: koordinatorer, handover, closing, notices, tidy mode."""

from __future__ import annotations

from storage.models import AuditEntry, Case, Deadline, Koordinator
from tests.harness import rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_conversations import run_to_end


def admin_texts(bot):
    return [m.text for m in bot.telegram.messages(bot.admin().user_id) if m.from_bot]


async def answer_yes(chat, times):
    for _ in range(times):
        await chat.tap("Ja")


async def close_agreed(chat, reason="Målene er nådd"):
    """The closing checklist, agreed with the person, no cooperation after."""
    await chat.tap("Avslutt sak")
    await answer_yes(chat, 4)
    await chat.tap("Nei")
    await chat.tap(reason)


async def test_koordinatorer_list_and_deactivation_needs_handover_first(bot):
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    per = await bot.registered_user("Per Olsen", tjenestested="NAV")
    anne = bot.admin()
    replies = await anne.send("/koordinatorer")
    assert "Kari Nordmann – Skole: 1 aktiv sak" in replies[0]
    assert "Per Olsen – NAV: 0 aktive saker" in replies[0]
    await anne.tap("Kari Nordmann · 1 sak")
    await anne.tap("Deaktiver")
    assert "har fortsatt 1 åpen sak (AB)" in anne.replies()[0]
    await anne.tap("AB: Bytt koordinator")
    await answer_yes(anne, 5)
    await anne.tap("Per Olsen (NAV)")  # an admin appoints at once
    assert "AB er overført til Per Olsen" in anne.last_text
    assert any("Du er ny koordinator for AB" in m.text for m in per.bot_messages())
    [case] = await rows(bot, Case)
    [per_row] = await rows(bot, Koordinator, Koordinator.telegram_user_id == per.user_id)
    assert case.koordinator_id == per_row.id and case.tjenestested == "nav"
    # Kari can still read the case for the overlap (14 days), but not work on it.
    replies = await kari.send("AB")
    assert "Saken er gitt videre" in replies[0] and kari.buttons() == [
        "PDF-sammendrag",
        "Mine saker",
    ]
    await anne.send("/koordinatorer")
    await anne.tap("Kari Nordmann · 0 saker")
    await anne.tap("Deaktiver")
    replies = await kari.send("/saker")
    assert "deaktivert" in replies[0]
    audit = [e.action for e in await rows(bot, AuditEntry)]
    assert "case.admin_access" in audit and "koordinator.deactivated" in audit


async def test_the_last_admin_cannot_be_unmade(bot):
    anne = await bot.registered_admin()
    await anne.send("/koordinatorer")
    await anne.tap(anne.buttons()[0])
    await anne.tap("Fjern admin")
    assert "den eneste administratoren" in anne.replies()[0]


async def test_koordinator_hands_over_own_case_and_ke_is_told(bot):
    kari = await bot.registered_user("Kari Nordmann")
    await bot.registered_user("Per Olsen", tjenestested="NAV")
    await create_case(kari, "AB")
    assert any("Ny sak: AB" in t for t in admin_texts(bot))
    await kari.tap("Bytt koordinator")
    await kari.tap("Ja")
    await kari.tap("Nei")
    await answer_yes(kari, 3)
    assert "Ikke alt på sjekklisten er gjort (1 punkt)" in kari.last_text
    await kari.tap("Per Olsen (NAV)")  # a proposal: the KE appoints
    assert any(
        "Forslag om ny koordinator for AB\nKari Nordmann foreslår Per Olsen" in t
        for t in admin_texts(bot)
    )
    checklist = [
        e.detail for e in await rows(bot, AuditEntry) if e.action == "case.handover_checklist"
    ]
    assert checklist == ["plan=ja,info=nei,person=ja,journal=ja,wish=ja"]


async def test_closing_stops_reminders_and_reopening_brings_them_back(bot, clock):
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    await close_agreed(kari)
    assert "er avsluttet" in kari.last_text
    assert any(
        "Avsluttet sak: AB (Kari Nordmann). Årsak: Målene er nådd." in t for t in admin_texts(bot)
    )
    [case] = await rows(bot, Case)
    assert case.status == "closed" and case.close_reason == "maal_naadd"
    assert not [d for d in await rows(bot, Deadline) if d.status in ("open", "proposed")]
    await kari.send("AB")
    assert "Avsluttet" in kari.last_text and "Gjenåpne" in kari.buttons()
    await kari.tap("Gjenåpne")
    assert "åpnet igjen" in kari.last_text
    open_kinds = {d.kind for d in await rows(bot, Deadline, Deadline.status == "open")}
    assert {"oppstartsamtale", "evaluering"} <= open_kinds


async def test_tidy_mode_removes_questions_and_answers(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/mote AB")
    await kari.tap("Arbeidsmøte")
    await kari.send("05.03.2027 kl 10")
    await run_to_end(kari, text="Rådhuset")
    finished = kari.last
    assert "fjernet fra chatten" in finished.text
    deleted = [m for m in bot.telegram.chats[kari.user_id] if m.deleted]
    assert any("Hva slags møte" in m.text for m in deleted)
    assert any(m.text == "Rådhuset" and not m.from_bot for m in deleted)
    assert not finished.deleted
    await kari.send("/ryddig")
    await kari.tap("Slå av")
    assert "Ryddig modus er av" in kari.last_text
    await kari.send("/mote AB")
    await kari.tap("Start på nytt") if "Start på nytt" in kari.buttons() else None
    await kari.tap("Arbeidsmøte")
    await kari.send("06.03.2027 kl 10")
    await run_to_end(kari, text="Skolen")
    assert "fjernet fra chatten" not in kari.last_text
    assert any(m.text == "Skolen" and not m.deleted for m in bot.telegram.chats[kari.user_id])


async def test_my_data(bot):
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    replies = await kari.send("/mine_data")
    assert "Navn: Kari Nordmann" in replies[0] and "Saker: 1 åpen, 0 avsluttede" in replies[0]
    assert "Ryddig modus: på" in replies[0]


async def test_delete_a_case_with_confirmation(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Slett")
    assert "for godt" in kari.last_text
    await kari.tap("Ja, slett for godt")
    assert "er slettet" in kari.last_text
    assert await rows(bot, Case) == []
    assert "case.deleted" in [e.action for e in await rows(bot, AuditEntry)]


async def test_long_overdue_deadlines_are_told_to_the_ke_once(bot, clock):
    from datetime import timedelta

    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    clock.advance(timedelta(days=50))
    await bot.sweep()
    await bot.sweep()
    notices = [t for t in admin_texts(bot) if "mer enn 30 dager over tiden" in t]
    assert len(notices) == 1 and "AB (Kari Nordmann): Oppstartsamtale forfalt" in notices[0]


async def test_closed_cases_are_purged_after_the_retention_period(bot, clock):
    from datetime import timedelta

    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await create_case(kari, "CD")
    await kari.send("AB")
    await close_agreed(kari, "Annet")
    clock.advance(timedelta(days=364))
    await bot.sweep()
    assert len(await rows(bot, Case)) == 2
    clock.advance(timedelta(days=2))
    await bot.sweep()
    [left] = await rows(bot, Case)
    assert left.alias == "CD"
    assert "case.purged" in [e.action for e in await rows(bot, AuditEntry)]
    replies = await kari.send("AB")
    assert "Jeg fant ingen sak" in replies[0]


async def test_the_new_koordinator_gets_the_case_card(bot):
    kari = await bot.registered_user("Kari Nordmann")
    per = await bot.registered_user("Per Olsen", tjenestested="NAV")
    await create_case(kari, "AB")
    await kari.tap("Bytt koordinator")
    await answer_yes(kari, 5)
    await kari.tap("Per Olsen (NAV)")
    await bot.admin().tap("Oppnevn Per Olsen")
    notice = per.last
    assert "Du er ny koordinator for AB" in notice.text and "📁 AB" in notice.text
    await per.tap("Kartlegging", notice)
    assert "Kartlegging – AB" in per.transcript()
