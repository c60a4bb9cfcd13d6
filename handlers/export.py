"""The PDF case summary: sent in the chat, or, with the web form
(KOORDBOT_FREE_TEXT=form), downloaded from the municipality's own server."""

from __future__ import annotations

from io import BytesIO

from telegram import InputFile

from bot.case_record import case_pdf
from handlers import weblinks
from handlers.common import Req, with_retry
from storage.models import Case


async def send_case_pdf(req: Req, case: Case) -> None:
    if weblinks.in_form_mode(req):
        # The answers stay off Telegram: the PDF is downloaded from the web form.
        button = weblinks.case_pdf_button(req, case.id)
        await req.reply("export/on_web", [[button]], alias=case.alias)
        return
    name, pdf = await case_pdf(req.session, req.me, req.services, case)
    caption = req.render("export/caption", alias=case.alias)
    await req.commit()
    await with_retry(
        lambda: req.context.bot.send_document(
            req.chat_id, InputFile(BytesIO(pdf), filename=name), caption=caption, parse_mode="HTML"
        )
    )
