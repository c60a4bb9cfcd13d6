"""Menu, help, invitations, and what happens to text that is no command."""

from __future__ import annotations

from bot import access, cases, dialogs
from handlers import callbacks, conversation, forms
from handlers.callbacks import Callback
from handlers.common import Access, Keyboard, Req, guarded


def menu_keyboard(req: Req) -> Keyboard:
    return [
        [
            (req.texts.button("new_case"), callbacks.make("m", "ny")),
            (req.texts.button("my_cases"), callbacks.make("l")),
        ],
        [(req.texts.button("help"), callbacks.make("m", "hjelp"))],
    ]


async def show_menu(req: Req) -> None:
    count = len(await cases.my_cases(req.session, req.me))
    await req.reply("menu", menu_keyboard(req), koordinator=req.me, case_count=count)


@guarded(Access.REGISTERED)
async def help_command(req: Req) -> None:
    """/hjelp."""
    await req.reply("help", is_admin=req.me.is_admin)


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
        from handlers.registration import resume_registration

        await resume_registration(req)
        return
    case = await cases.find_by_alias(
        req.session, koordinator, req.text, readable_on=req.services.today()
    )
    if case is not None:
        from handlers.case_card import show_card

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


async def on_menu_button(req: Req, cb: Callback) -> None:
    item = cb.args[0] if cb.args else ""
    await req.answer()
    if item == "ny":
        from handlers.case_card import begin_new_case

        await begin_new_case(req)
    elif item == "hjelp":
        await req.reply("help", is_admin=req.me.is_admin)
    else:
        await req.answer("errors/stale_button")


async def on_dialog_button(req: Req, cb: Callback) -> None:
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
