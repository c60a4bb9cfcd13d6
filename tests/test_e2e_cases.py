"""A koordinator registers cases through the chat; what they see and what is stored."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AuditEntry, Case, DialogState


async def create_case(chat, alias="AB", *, birth="03.2016"):
    await chat.send("/ny")
    await chat.send(alias)
    await chat.tap("Barnekoordinator")
    await chat.tap("Individuell plan (IP)")
    if birth:
        await chat.send(birth)
    else:
        await chat.tap("Hopp over")
    await chat.tap("Gutt / mann")
    await chat.tap("Barneskole")
    return await chat.tap("I dag")


async def stored_cases(bot):
    async with bot.services.db.session() as s:
        return list((await s.scalars(select(Case).order_by(Case.id))).all())


async def test_koordinator_creates_a_case_and_sees_the_card(bot):
    kari = await bot.registered_user("Kari Nordmann")
    replies = await create_case(kari)
    assert any("Saken AB er registrert" in r for r in replies)
    card = kari.last_text
    assert "📁 AB" in card
    assert "Rolle: Barnekoordinator" in card
    assert "Født: mars 2016 (10 år)" in card
    assert "Arena: Barneskole" in card
    assert "Oppnevnt: 24. november 2026" in card
    buttons = kari.buttons()
    for label in (
        "Oppstartsamtale",
        "Kartlegging",
        "Rediger",
        "Sett på pause",
        "Bytt koordinator",
        "Avslutt sak",
        "Slett",
        "Mine saker",
    ):
        assert label in buttons
    [case] = await stored_cases(bot)
    assert (case.alias, case.role, case.level, case.birth_year, case.birth_month) == (
        "AB",
        "barnekoordinator",
        "ip",
        2016,
        3,
    )
    assert case.tjenestested == "skole"
    assert case.gender == "mann" and case.arena == "barneskole"


async def test_typing_the_alias_opens_the_card_and_saker_lists_it(bot):
    kari = await bot.registered_user()
    await create_case(kari, "T.H. 2")
    replies = await kari.send("t.h. 2")
    assert replies[-1].startswith("📁 T.H. 2")
    replies = await kari.send("/saker")
    assert "Mine saker (1)" in replies[-1]
    assert kari.buttons() == ["T.H. 2"]
    await kari.tap("T.H. 2")
    assert kari.last_text.startswith("📁 T.H. 2")
    async with bot.services.db.session() as s:
        actions = [e.action for e in (await s.scalars(select(AuditEntry))).all()]
    assert actions.count("case.opened") >= 2


async def test_alias_clash_is_refused_and_asked_again(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/ny")
    replies = await kari.send("ab")
    assert "Du har allerede en sak som heter «ab»" in replies[0]
    assert "kortnavn" in replies[-1]
    await kari.send("AB2")
    assert "rolle" in kari.last_text


async def test_full_name_alias_gets_a_warning(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    replies = await kari.send("Ola Nordmann")
    assert "ligner på et fullt navn" in replies[-1]
    await kari.tap("Skriv et annet")
    await kari.send("ON")
    assert "rolle" in kari.last_text
    await kari.send("/avbryt")
    await kari.send("/ny")
    await kari.send("Per Hansen")
    await kari.tap("Bruk likevel")
    assert "rolle" in kari.last_text


async def test_fodselsnummer_is_refused_deleted_and_not_stored(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    replies = await kari.send("01020312345".replace("12345", "") + "0")  # not an fnr
    assert "ligner" not in replies[0]
    await kari.send("/avbryt")
    await kari.send("/ny")
    fnr = "15076500565"  # valid check digits
    replies = await kari.send(f"AB {fnr}")
    assert "fødselsnummer" in replies[0]
    user_messages = [m for m in bot.telegram.chats[kari.user_id] if not m.from_bot]
    assert any(m.deleted and fnr in m.text for m in user_messages)
    async with bot.services.db.session() as s:
        state = await s.get(DialogState, kari.user_id)
        assert state is not None and state.step == "alias"
        assert fnr not in str(state.data)
    assert await stored_cases(bot) == []


async def test_bad_birth_dates_get_clear_answers(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    await kari.send("AB")
    await kari.tap("Koordinator")
    await kari.tap("Ansvarsgruppe")
    replies = await kari.send("13.2016")
    assert "Den datoen finnes ikke" in replies[0] or "forsto ikke" in replies[0]
    replies = await kari.send("05.2030")
    assert "fram i tid" in replies[0]
    replies = await kari.send("01.1900")
    assert "mer enn 100 år" in replies[0]
    replies = await kari.send("2016")
    assert "måneden" in replies[0]
    await kari.send("mars 2016")
    assert "Kjønn" in kari.last_text


async def test_restart_in_the_middle_of_new_case_loses_nothing(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    await kari.send("XY")
    await kari.tap("Stafettholder")
    await bot.restart()
    await kari.send("/fortsett")
    assert "nivå" in kari.last_text
    await kari.tap("BTI / stafettlogg")
    await kari.tap("Hopp over")
    await kari.tap("Hopp over")
    await kari.tap("Hopp over")
    await kari.send("01.11.2026")
    [case] = await stored_cases(bot)
    assert (case.alias, case.role, case.level, case.birth_year) == (
        "XY",
        "stafettholder",
        "bti",
        None,
    )
    assert case.appointed_on.isoformat() == "2026-11-01"


async def test_buttons_from_an_earlier_step_are_stale(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    await kari.send("AB")
    # Keep the old button's data: the bot removes the keyboard, but another device
    # (or a slow phone) may still show it.
    old = {b["text"]: b["callback_data"] for row in kari.last.keyboard for b in row}
    await kari.tap("Koordinator")
    await kari.press(old["Barnekoordinator"])
    assert kari.callback_answers()[-1].startswith("Denne knappen hører til et tidligere steg")
    async with bot.services.db.session() as s:
        state = await s.get(DialogState, kari.user_id)
    assert state.step == "level" and state.data["values"]["role"] == "koordinator"


async def test_back_goes_one_step_and_cancel_stores_nothing(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    await kari.send("AB")
    await kari.tap("Koordinator")
    await kari.tap("« Tilbake")
    assert "rolle" in kari.last_text
    await kari.tap("Kontaktperson")
    await kari.tap("Avbryt")
    assert "Ingenting er lagret" in kari.last_text
    assert await stored_cases(bot) == []


async def test_edit_pause_and_reopen(bot):
    kari = await bot.registered_user()
    await create_case(kari)
    await kari.tap("Rediger")
    await kari.tap("Arena")
    await kari.tap("Ungdomsskole")
    assert "Arena er endret" in kari.replies()[0]
    assert "Arena: Ungdomsskole" in kari.last_text
    await kari.tap("Sett på pause")
    assert "På pause" in kari.last_text
    await kari.tap("Gjenoppta")
    assert "På pause" not in kari.last_text
    [case] = await stored_cases(bot)
    assert case.arena == "ungdomsskole" and case.status == "active"


async def test_one_koordinator_cannot_open_anothers_case(bot):
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    [case] = await stored_cases(bot)
    per = await bot.registered_user("Per Olsen", tjenestested="NAV")
    replies = await per.send("AB")
    assert "Jeg fant ingen sak" in replies[0]
    for data in (f"c:{case.id}", f"e:{case.id}", f"p:{case.id}", f"ef:{case.id}:alias"):
        await per.press(data)
        assert per.callback_answers()[-1].startswith("Fant ikke saken")
    assert "AB" not in per.transcript()
    [case] = await stored_cases(bot)
    assert case.status == "active"
    async with bot.services.db.session() as s:
        denied = (
            await s.scalars(select(AuditEntry).where(AuditEntry.action == "case.denied"))
        ).all()
    assert len(denied) == 4


async def test_forged_and_unknown_callback_data(bot):
    kari = await bot.registered_user()
    for data in ("zz:1", "c:abc", "c:99999", "f:1:x", "", "ef:1"):
        await kari.press(data or "x")
    answers = kari.callback_answers()[-6:]
    assert all(a for a in answers)


async def test_unknown_command_sticker_and_edit(bot):
    kari = await bot.registered_user()
    replies = await kari.send("/tull")
    assert "Kommandoen /tull finnes ikke" in replies[0]
    replies = await kari.send_update(kari.user.sticker())
    assert "bare lese tekst" in replies[0]
    replies = await kari.send_update(kari.user.message("AB", edited_of=1))
    assert "endringer" in replies[0]


async def test_huge_and_odd_text(bot):
    kari = await bot.registered_user()
    replies = await kari.send("x" * 4096)
    assert "høyst 32 tegn" in replies[0]
    await kari.send("/ny")
    replies = await kari.send("<b>AB</b> & 😀")
    assert "kan bare inneholde" in replies[0]
    replies = await kari.send("A" * 40)
    assert "for langt" in replies[0]
    await kari.send("Å\u200bØ")
    assert "rolle" in kari.last_text
