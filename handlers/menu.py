"""Invitations, /avbryt, and what happens to text that is no command."""

from __future__ import annotations

from bot import access, cases, dialogs
from handlers import conversation, forms
from handlers.callbacks import Callback
from handlers.case_card import show_card
from handlers.common import Req
from handlers.edge import Access, guarded
from handlers.views import menu_keyboard, resume_registration


@guarded(Access.ADMIN)
async def invitation(req: Req) -> None:
    """/invitasjon: a one-time link for a new koordinator."""
    new = await access.create_invitation(
        req.session, req.me, req.services.now(), req.services.settings.invitation_days
    )
    link = f"https://t.me/{req.context.bot.username}?start={new.code}"
    await req.reply(
        "access/invitation_created",
        link=link,
        code=new.code,
        expires=new.expires_at.astimezone(req.services.zone).date(),
    )


@guarded(Access.REGISTERED)
async def cancel(req: Req) -> None:
    """/avbryt: drop the open form, if any."""
    state = await dialogs.current(req.session, req.user_id)
    if state is None:
        await req.reply("form/nothing_to_cancel")
        return
    if state.flow == "conversation":
        await conversation.pause(req)
        return
    await dialogs.finish(req.session, state)
    await req.reply("form/cancelled", flow=state.flow)


@guarded(Access.MEMBER)
async def text(req: Req) -> None:
    """Plain text: an answer to the open form, else an alias, else help."""
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and not dialogs.interrupted(state):
        if state.flow == "conversation":
            await conversation.on_text(req)
        else:
            await forms.on_text(req, state)
        return
    koordinator = req.me
    if not koordinator.registered:
        await resume_registration(req)
        return
    case = await cases.find_by_alias(
        req.session, koordinator, req.text, readable_on=req.services.today()
    )
    if case is not None:
        await show_card(req, case)
        return
    if state is not None:
        # A command came in between: this text is not taken as the pending answer.
        await req.reply("form/interrupted", forms.resume_keyboard(req), flow=state.flow)
        return
    await req.reply("not_understood", menu_keyboard(req), text_length=len(req.text))


@guarded(Access.REGISTERED)
async def unknown_command(req: Req) -> None:
    """A /command we do not have."""
    command = req.text.split()[0].split("@")[0][:40] if req.text else ""
    state = await dialogs.current(req.session, req.user_id)
    if state is not None and state.flow != "conversation":
        # Mid-form, a mistyped command should lead straight back to the question.
        await forms.ask(req, state, "errors/unknown_command", command=command)
        return
    await req.reply("errors/unknown_command", command=command)


@guarded(Access.REGISTERED)
async def not_text(req: Req) -> None:
    """Photos, stickers, voice, files: we only read text and buttons."""
    await req.reply("errors/not_text")


@guarded(Access.REGISTERED)
async def edited(req: Req) -> None:
    """An edited earlier message: edits are not read."""
    await req.reply("errors/edited_message")


async def on_dialog_button(req: Req, cb: Callback) -> None:
    """d:<choice>: go on with, cancel or restart the open form."""
    state = await dialogs.current(req.session, req.user_id)
    choice = cb.args[0] if cb.args else ""
    if state is None:
        await req.answer("errors/stale_button")
        await req.drop_keyboard()
        return
    await req.answer()
    await req.drop_keyboard()
    await dialogs.resume_after_interrupt(req.session, req.user_id)
    if choice == "fortsett" and state.flow == "conversation":
        await conversation.resume(req)
    elif choice == "fortsett":
        await forms.ask(req, state)
    elif choice == "avbryt" and state.flow == "conversation":
        await conversation.pause(req)
    elif choice == "avbryt":
        await dialogs.finish(req.session, state)
        await req.reply("form/cancelled", flow=state.flow)
    elif choice == "nytt":
        await forms.begin(req, state.flow, {k: v for k, v in state.data.items() if k != "values"})
