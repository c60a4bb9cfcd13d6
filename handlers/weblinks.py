"""Buttons that open the web form as a Telegram Mini App (KOORDBOT_FREE_TEXT=form):
the open step of a run, a run's answers, a case's PDF. Each carries a signed link
bound to the koordinator (bot.webauth)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, WebAppInfo

from bot.conversations.outcomes import Question
from bot.webauth import Links
from handlers.common import Req

# The web edge serves these paths (web/app.py).
STEP_PATH, RUN_PATH, CASE_PATH = "skjema", "svar", "pdf"


def in_form_mode(req: Req) -> bool:
    return req.services.settings.free_text_mode == "form"


def _button(
    req: Req, label: str, path: str, purpose: str, **fields: int | str
) -> InlineKeyboardButton:
    token = Links(req.context.bot.token).sign(purpose, req.user_id, req.services.now(), **fields)
    url = f"{req.services.settings.public_url}/{path}/{token}"
    return InlineKeyboardButton(label, web_app=WebAppInfo(url))


def step_button(req: Req, q: Question, label: str) -> InlineKeyboardButton:
    """Opens the form for exactly the step (or note) on screen."""
    path = q.path
    return _button(req, label, STEP_PATH, "step", r=q.run_id, t=q.token, s=path)


def run_button(req: Req, run_id: int) -> InlineKeyboardButton:
    """Opens a run's answers (read, correct, notes)."""
    return _button(req, req.texts.button("read_on_web"), RUN_PATH, "run", r=run_id)


def case_pdf_button(req: Req, case_id: int) -> InlineKeyboardButton:
    """Opens the page where the case's PDF is downloaded."""
    return _button(req, req.texts.button("pdf_on_web"), CASE_PATH, "case", c=case_id)
