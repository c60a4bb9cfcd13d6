"""The edge of every update: one session, who is asking, and the access check.

Every handler is wrapped by `guarded(access)`, so no update reaches a handler without
a session and an access check. The level a handler asks for is kept on the wrapper
(`access_of`), so the command table and its tests read it from the one place it is
set.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from enum import Enum
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden

from bot import access, dialogs
from bot.rules.fnr import contains_fnr
from handlers.common import Look, Req, with_retry
from handlers.context import KContext
from handlers.views import resume_registration

log = logging.getLogger(__name__)


class Access(Enum):
    ANYONE = "anyone"  # unregistered users allowed (only /start with an invitation)
    MEMBER = "member"  # a koordinator row, profile possibly unfinished (registration steps)
    REGISTERED = "registered"
    ADMIN = "admin"


Handler = Callable[[Req], Awaitable[None]]
# Commands that act on the open dialogue itself and so do not interrupt it.
DIALOGUE_COMMANDS = frozenset({"fortsett", "pause", "avbryt"})
# What PTB calls: a handler wrapped with its session and access check.
Guarded = Callable[[Update, KContext], Coroutine[Any, Any, None]]


def _command(text: str) -> str:
    return text.split()[0].split("@")[0].removeprefix("/").casefold() if text else ""


def guarded(level: Access) -> Callable[[Handler], Guarded]:
    """Wrap a handler: open the session, identify the user, enforce `level`."""

    def decorate(fn: Handler) -> Guarded:
        @functools.wraps(fn)
        async def run(update: Update, context: KContext) -> None:
            services = context.services
            user = update.effective_user
            if user is None:
                return
            if any(contains_fnr(text) for text in typed_texts(update)):
                # Before a session exists: nothing of it can reach a handler or the database.
                await refuse_fnr(update, context)
                return
            async with services.db.session() as session:
                koordinator = await access.identify(
                    session, user.id, services.settings.admin_ids, services.now()
                )
                req = Req(update, context, session, koordinator)
                if not await allowed(req, level):
                    return
                if context.args is not None and _command(req.text) not in DIALOGUE_COMMANDS:
                    # A known command in the middle of a dialogue: the next typed text is
                    # not silently taken as the pending answer.
                    await dialogs.interrupt(session, user.id)
                await fn(req)

        run.access = level  # type: ignore[attr-defined]
        return run

    return decorate


# A lean read: answers and returns True, or returns False when the asker needs the full
# way (a stranger, a deactivated or unfinished profile, an open dialogue ...).
LeanHandler = Callable[[Look], Awaitable[bool]]


def lean(full: Guarded) -> Callable[[LeanHandler], Guarded]:
    """Answer a read-only command with one statement that holds its own access check
    (`bot.access.ASKER_COLUMNS`), with no session, and hand anything out of the ordinary
    to `full`, the same command the guarded way, so every rule of access stays in
    `guarded` and `allowed`. Nothing about access is cached: a deactivation bites at
    the next update, in every process."""

    def decorate(fn: LeanHandler) -> Guarded:
        @functools.wraps(fn)
        async def run(update: Update, context: KContext) -> None:
            if update.effective_user is None:
                return
            # The fødselsnummer guard comes first on both ways; the full way refuses.
            if any(contains_fnr(text) for text in typed_texts(update)) or not await fn(
                Look(update, context)
            ):
                await full(update, context)

        run.access = access_of(full)  # type: ignore[attr-defined]
        return run

    return decorate


def typed_texts(update: Update) -> Iterator[str]:
    """Everything a person typed into an update: the fødselsnummer guard reads all of it.

    Only what the user wrote: a pressed button's message is the bot's own text."""
    for message in (update.message, update.edited_message):
        if message is None:
            continue
        yield message.text or ""
        yield message.caption or ""
        for attachment in (message.document, message.audio, message.video, message.animation):
            if attachment is not None and attachment.file_name:
                yield attachment.file_name
        contact = message.contact
        if contact is not None:
            yield from (contact.phone_number, contact.first_name, contact.last_name or "")
            yield contact.vcard or ""
    if update.inline_query is not None:
        yield update.inline_query.query


async def refuse_fnr(update: Update, context: KContext) -> None:
    """Scrub a message holding a fødselsnummer from the chat and say why; an inline
    query gets an empty list. Never logs the text."""
    query = update.inline_query
    if query is not None:
        await with_retry(lambda: query.answer([], cache_time=0, is_personal=True))
        return
    message = update.message or update.edited_message
    if message is None:
        return
    try:
        await message.delete()
    except (BadRequest, Forbidden) as exc:
        log.info("could not delete a message holding a fødselsnummer: %s", exc)
    # Who wrote decides the wording (registration asks only for a name and a workplace);
    # the message is gone by now, and this read stores nothing.
    services = context.services
    user = update.effective_user
    async with services.db.session() as session:
        koordinator = await access.koordinator_by_telegram_id(session, user.id) if user else None
        registered = bool(koordinator and koordinator.registered)
    text = services.texts.render("errors/fnr_refused", registered=registered)
    await with_retry(
        lambda: context.bot.send_message(message.chat_id, text, parse_mode=ParseMode.HTML)
    )


def access_of(handler: Callable[..., Any]) -> Access:
    """The level a guarded handler asks for."""
    level = getattr(handler, "access", None)
    if not isinstance(level, Access):
        raise TypeError(f"{handler!r} is not wrapped by guarded()")
    return level


async def allowed(req: Req, level: Access) -> bool:
    """True when `req` may go on at `level`; otherwise the user has been told why."""
    koordinator = req.koordinator
    if level is Access.ANYONE:
        return True
    if req.update.inline_query is not None and (
        koordinator is None or not koordinator.active or not koordinator.registered
    ):
        # Inline answers go to any chat; strangers get an empty list, nothing else.
        query = req.update.inline_query
        await with_retry(lambda: query.answer([], cache_time=0, is_personal=True))
        return False
    if koordinator is None or not koordinator.active:
        template = "access/deactivated" if koordinator else "access/unregistered"
        if req.callback:
            await req.answer(template)
        else:
            await req.reply(template)
        return False
    if level is Access.MEMBER:
        return True
    if not koordinator.registered:
        await req.answer()
        await resume_registration(req)
        return False
    if level is Access.ADMIN and not koordinator.is_admin:
        if req.callback:
            await req.answer("access/admin_only")
        else:
            await req.reply("access/admin_only")
        return False
    return True
