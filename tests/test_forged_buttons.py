"""Buttons the bot never made: forged or mangled callback data gets the stale-button
toast, on SQLite and PostgreSQL, and never «noe gikk galt» or an error in the log; a
forged handover button cannot give a case to someone who may not have it (issue 10)."""

from __future__ import annotations

import logging

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from bot import admin
from handlers.callbacks import ID_LIMIT, SHAPES, make, parse
from storage.models import AuditEntry, Case, Koordinator
from tests.harness import Chat, TestBot, rows
from tests.test_e2e_cases import create_case

STALE = "Denne knappen hører til et tidligere steg og virker ikke lenger."
WENT_WRONG = "noe gikk galt"

# Ways to write an id that are not one: `str.isdigit` accepts the first three.
NOT_IDS = ["²", "①", "٣", "99999999999", str(ID_LIMIT), "-1", "+1", "0", "01", "1.0", " 1", ""]
FORGED = [
    "c:²",
    "c:①",
    "f:²:x",
    "c:99999999999",
    "c:-1",
    "c:",
    "c",
    "c:1:2",
    "zz:1",
    "C:1",
    "l:1",
    ":",
    "",
    "hk:1",
    "q:1:2",
    "a:1:²",
    "c:" + "9" * 62,
    "m:" + "ø" * 40,  # 42 characters, but 82 bytes
    "k:1:mote:new:" + "x" * 60,
]


async def kari_with_a_case(bot: TestBot) -> tuple[Chat, Case]:
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    [case] = await rows(bot, Case)
    return kari, case


async def press_and_expect_stale(chat: Chat, data: str) -> None:
    answers = len(chat.callback_answers())
    replies = await chat.press(data)
    assert chat.callback_answers()[answers:] == [STALE], data
    assert not any(WENT_WRONG in r for r in replies), (data, replies)


def errors_logged(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_forged_callback_data_gets_the_stale_toast(bot, caplog):
    kari, _case = await kari_with_a_case(bot)
    for data in FORGED:
        await press_and_expect_stale(kari, data)
    assert errors_logged(caplog) == []


async def test_every_verb_refuses_what_is_not_an_id(bot, caplog):
    kari, case = await kari_with_a_case(bot)
    for verb, shape in SHAPES.items():
        if "n" not in shape:
            continue
        for bad in NOT_IDS:
            args = [bad if kind == "n" else "x" for kind in shape]
            await press_and_expect_stale(kari, ":".join([verb, *args]))
    # The real button still works afterwards.
    await kari.press(f"c:{case.id}")
    assert "AB" in kari.last_text
    assert errors_logged(caplog) == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_parse_reads_anything_and_only_returns_ids_in_range(data: str) -> None:
    callback = parse(data)
    if callback is None:
        return
    shape = SHAPES[callback.verb]
    assert len(callback.args) == len(shape)
    for index, kind in enumerate(shape):
        if kind == "n":
            number = callback.int_arg(index)
            assert number is not None and 1 <= number < ID_LIMIT
            assert callback.args[index] == str(number)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(SHAPES)), st.data())
def test_what_make_builds_parse_reads_back(verb: str, data: st.DataObject) -> None:
    shape = SHAPES[verb]
    args = [
        data.draw(st.integers(1, ID_LIMIT - 1))
        if kind == "n"
        else data.draw(st.text("abcdefghijklmnopqrstuvwxyz_0123456789", min_size=1, max_size=6))
        for kind in shape
    ]
    callback = parse(make(verb, *args))
    assert callback is not None and callback.verb == verb
    assert callback.args == tuple(str(a) for a in args)


# --- handover ----------------------------------------------------------------------------


async def koordinator_of(bot: TestBot, chat: Chat) -> Koordinator:
    [k] = await rows(bot, Koordinator, Koordinator.telegram_user_id == chat.user_id)
    return k


async def invited_only(bot: TestBot) -> Chat:
    """Ola opened an invitation link and stopped at the first question."""
    anne = bot.admin()
    await anne.send("/invitasjon")
    code = anne.last_text.split("/start ")[1].split()[0]
    ola = bot.chat(name="Ola")
    await ola.send(f"/start {code}")
    return ola


async def handed_over(bot: TestBot) -> list[AuditEntry]:
    return [e for e in await rows(bot, AuditEntry) if e.action == "case.handed_over"]


async def test_a_forged_handover_to_someone_not_fully_registered_is_refused(bot, caplog):
    kari, case = await kari_with_a_case(bot)
    anne = bot.admin()
    ola = await invited_only(bot)
    per = await bot.registered_user("Per Olsen")
    async with bot.services.db.session() as s:
        await s.execute(
            text("UPDATE koordinator SET active = false WHERE telegram_user_id = :u"),
            {"u": per.user_id},
        )
    kari_id = (await koordinator_of(bot, kari)).id
    ola_id = (await koordinator_of(bot, ola)).id
    per_id = (await koordinator_of(bot, per)).id
    for who in (kari, anne):  # the owner, and an admin who may hand any case over
        await press_and_expect_stale(who, f"hk:{case.id}:{ola_id}:ja")  # never registered
        await press_and_expect_stale(who, f"hk:{case.id}:{per_id}:ja")  # deactivated
        await press_and_expect_stale(who, f"hk:{case.id}:{kari_id}:ja")  # has it already
        await press_and_expect_stale(who, f"hk:{case.id}:{ID_LIMIT - 1}:ja")  # nobody
    await ola.send("Ola Nordmann")  # a name, but no tjenestested yet
    await press_and_expect_stale(kari, f"hk:{case.id}:{ola_id}:ja")
    async with bot.services.db.session() as s:
        assert [k.id for k in await admin.candidates(s, exclude_id=kari_id)] == [
            (await koordinator_of(bot, anne)).id
        ]
    [after] = await rows(bot, Case)
    assert after.koordinator_id == kari_id and await handed_over(bot) == []
    assert not any("overført til" in m.text for m in kari.bot_messages())
    assert errors_logged(caplog) == []

    # Once Ola has finished registering, the same button works.
    await ola.tap("Skole")
    # (the owner proposes, an admin appoints)
    await kari.press(f"hk:{case.id}:{ola_id}:ja")
    assert "Forslaget er sendt" in kari.last_text
    await anne.press(f"hk:{case.id}:{ola_id}:ja")
    assert "AB er overført til Ola Nordmann" in anne.last_text
    async with bot.services.db.session() as s:
        assert (await s.scalar(select(Case))).koordinator_id == ola_id
