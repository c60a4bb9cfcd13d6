"""Every command, every button pattern and the inline query, tried by an unregistered
user, a deactivated koordinator, another koordinator and an admin: each sees only
what they may, and nothing of another koordinator's case changes.

The commands and verbs come from the tables the bot itself is built from
(`handlers.commands.COMMANDS`, `handlers.router.ROUTES`), so a new one is tried here
without anyone remembering to add it."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from handlers.callbacks import Verb
from handlers.commands import COMMANDS
from handlers.edge import Access
from handlers.router import ROUTES
from storage.models import Answer, Case, ConversationRun, Deadline, Meeting
from tests.test_e2e_cases import create_case

ALIAS = "QX7"
UNREGISTERED = "arbeidsverktøy for registrerte koordinatorer"
DEACTIVATED = "deaktivert"
ADMIN_ONLY = "Dette kan bare koordinerende enhet"
# Admin verbs that change someone's access: tried separately, on a harmless target.
ACCESS_CHANGES = (Verb.DEACTIVATE, Verb.MAKE_ADMIN, Verb.UNMAKE_ADMIN, Verb.REACTIVATE)
ADMIN_COMMANDS = [c.name for c in COMMANDS if c.access is Access.ADMIN]


async def kari_with_everything(bot):
    """Kari has a case with a conversation run, a deadline and a meeting."""
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, ALIAS)
    await kari.send(f"/mote {ALIAS}")
    await kari.tap("Arbeidsmøte")
    await kari.send("05.03.2027 kl 10")
    await kari.send("Rådhuset")
    await kari.send("/pause")
    async with bot.services.db.session() as s:
        case = await s.scalar(select(Case))
        run = await s.scalar(select(ConversationRun))
        deadline = await s.scalar(select(Deadline))
    return kari, case, run, deadline


def callback_data(case, run, deadline, koordinator_id):
    c, r, d, m = case.id, run.id, deadline.id, 1
    data = {
        "f": "f:1:koordinator",
        "c": f"c:{c}",
        "e": f"e:{c}",
        "ef": f"ef:{c}:alias",
        "p": f"p:{c}",
        "r": f"r:{c}",
        "l": "l",
        "d": "d:fortsett",
        "m": "m:ny",
        "q": f"q:{r}:{run.token}:ja",
        "k": f"k:{c}:mote:new",
        "cv": f"cv:{c}:oppstart",
        "rl": f"rl:{c}",
        "s": f"s:{r}",
        "a": f"a:{r}:1",
        "x": f"x:{c}",
        "ml": f"ml:{c}",
        "mo": f"mo:{m}:held",
        "z": f"z:{c}",
        "u": f"u:{d}",
        "sn": f"sn:{d}:1w",
        "tc": f"tc:{d}",
        "tm": f"tm:{d}",
        "tx": f"tx:{d}",
        "ts": f"ts:{c}:later",
        "pd": f"pd:{c}",
        "pp": f"pp:{c}:1",
        "td": "td:off",
        "nf": f"nf:{c}",
        "ho": f"ho:{c}",
        "hk": f"hk:{c}:{koordinator_id}:ja",
        "ra": "ra:1",
        "rn": "rn:1",
        "cl": f"cl:{c}",
        "ro": f"ro:{c}",
        "dl": f"dl:{c}",
        "dy": f"dy:{c}",
        "ko": f"ko:{koordinator_id}",
        "kd": f"kd:{koordinator_id}",
        "kr": f"kr:{koordinator_id}",
        "ka": f"ka:{koordinator_id}",
        "ku": f"ku:{koordinator_id}",
    }
    assert set(data) == set(Verb), "a new callback verb needs a line here"
    return data


async def snapshot(bot):
    async with bot.services.db.session() as s:
        case = await s.scalar(select(Case))
        return (
            (case.alias, case.status, case.koordinator_id, case.level, case.arena),
            len((await s.scalars(select(Answer))).all()),
            sorted((d.id, d.status, d.due) for d in (await s.scalars(select(Deadline))).all()),
            sorted((m.id, m.status) for m in (await s.scalars(select(Meeting))).all()),
        )


def inline(bot, chat, query=""):
    return {
        "update_id": bot.telegram.next_update_id(),
        "inline_query": {
            "id": f"iq{bot.telegram.next_update_id()}",
            "from": chat.user.user,
            "query": query,
            "offset": "",
        },
    }


async def try_everything(bot, chat, data):
    """Send every command (with and without the alias) and press every button."""
    for command in COMMANDS:
        for name in command.names:
            await chat.send(f"/{name}")
            await chat.send(f"/{name} {ALIAS}")
            await chat.send("/avbryt")
    await chat.send(ALIAS)
    for verb, payload in data.items():
        if verb in ACCESS_CHANGES:
            continue
        message = chat.last if chat.bot_messages() else None
        await chat.press(payload, message)
        await chat.send("/avbryt")
    await bot.feed(inline(bot, chat, ALIAS[:2].lower()))


def inline_results(bot):
    return [c.params.get("results") for c in bot.telegram.calls if c.method == "answerInlineQuery"]


async def test_unregistered_user_gets_nothing(bot):
    _kari, case, run, deadline = await kari_with_everything(bot)
    before = await snapshot(bot)
    eve = bot.chat(name="Eve")
    data = callback_data(case, run, deadline, 1)
    await try_everything(bot, eve, data)
    texts = [m.text for m in eve.bot_messages()]
    # "/start QX7" is read as an invitation code: refused as one.
    assert texts and all(UNREGISTERED in t or "Invitasjonskoden er ikke gyldig" in t for t in texts)
    pressed = len(data) - len(ACCESS_CHANGES)
    assert all(UNREGISTERED in a for a in eve.callback_answers()[-pressed:])
    assert inline_results(bot)[-1] == []
    assert await snapshot(bot) == before


async def test_deactivated_koordinator_gets_nothing(bot):
    _kari, case, run, deadline = await kari_with_everything(bot)
    per = await bot.registered_user("Per Olsen")
    async with bot.services.db.session() as s:
        await s.execute(
            text("UPDATE koordinator SET active = false WHERE telegram_user_id = :u"),
            {"u": per.user_id},
        )
    before = await snapshot(bot)
    seen = len(per.bot_messages())
    await try_everything(bot, per, callback_data(case, run, deadline, 1))
    texts = [m.text for m in per.bot_messages()[seen:]]
    odd = [t for t in texts if DEACTIVATED not in t and "Invitasjonskoden er ikke gyldig" not in t]
    assert texts and not odd, odd
    assert inline_results(bot)[-1] == []
    assert await snapshot(bot) == before


async def test_another_koordinator_sees_nothing_of_karis_case(bot):
    _kari, case, run, deadline = await kari_with_everything(bot)
    per = await bot.registered_user("Per Olsen")
    before = await snapshot(bot)
    await try_everything(bot, per, callback_data(case, run, deadline, 1))
    everything = "\n".join(
        m.text + m.caption for m in bot.telegram.chats[per.user_id] if m.from_bot
    )
    # The alias may only come back as an echo of what Per typed himself («QX7»).
    leaks = [line for line in everything.splitlines() if ALIAS in line and f"«{ALIAS}»" not in line]
    assert leaks == []
    assert all(
        m.document is None or ALIAS not in m.document[0] for m in bot.telegram.chats[per.user_id]
    )
    assert all(ALIAS not in str(r) for r in inline_results(bot)[-1:])
    assert await snapshot(bot) == before


def test_every_verb_has_a_route_and_every_route_a_verb():
    assert set(ROUTES) == set(Verb)


@pytest.mark.parametrize("verb", [v for v, r in ROUTES.items() if r.access is Access.ADMIN])
async def test_admin_verbs_refused_for_a_koordinator(bot, verb):
    kari = await bot.registered_user("Kari Nordmann")
    per = await bot.registered_user("Per Olsen")
    async with bot.services.db.session() as s:
        admin_before = (
            await s.execute(text("SELECT id, is_admin, active FROM koordinator ORDER BY id"))
        ).all()
    await per.press(f"{verb}:1")
    assert per.callback_answers()[-1].startswith(ADMIN_ONLY)
    async with bot.services.db.session() as s:
        admin_after = (
            await s.execute(text("SELECT id, is_admin, active FROM koordinator ORDER BY id"))
        ).all()
    assert admin_before == admin_after
    assert kari.user_id != per.user_id


async def test_an_admin_sees_aggregates_but_not_case_content(bot):
    _kari, case, run, _deadline = await kari_with_everything(bot)
    anne = bot.admin()
    for data in (
        f"c:{case.id}",
        f"e:{case.id}",
        f"s:{run.id}",
        f"a:{run.id}:1",
        f"x:{case.id}",
        f"rl:{case.id}",
        f"q:{run.id}:{run.token}:ja",
    ):
        seen = len(anne.bot_messages())
        await anne.press(data)
        new = [m for m in anne.bot_messages()[seen:]]
        assert all("Rådhuset" not in m.text and m.document is None for m in new)
    replies = await anne.send("/koordinatorer")
    assert "Kari Nordmann" in replies[0]
    replies = await anne.send(ALIAS)
    assert "Jeg fant ingen sak" in replies[0]
    seen = len(anne.bot_messages())
    for command in COMMANDS:
        for name in command.names:
            await anne.send(f"/{name} {ALIAS}")
            await anne.send("/avbryt")
    new = anne.bot_messages()[seen:]
    assert all("Rådhuset" not in m.text and m.document is None for m in new)
    leaks = [m.text for m in new if ALIAS in m.text and f"«{ALIAS}»" not in m.text]
    assert leaks == []


@pytest.mark.parametrize("command", ADMIN_COMMANDS)
async def test_admin_commands_refused_for_a_koordinator(bot, command):
    kari = await bot.registered_user("Kari Nordmann")
    replies = await kari.send(f"/{command}")
    assert len(replies) == 1 and ADMIN_ONLY in replies[0]


async def test_admin_commands_are_the_admin_ones():
    """The KE's screens are for admins; nothing else is (a guard against a slip)."""
    assert sorted(ADMIN_COMMANDS) == ["invitasjon", "koordinatorer", "statistikk"]
