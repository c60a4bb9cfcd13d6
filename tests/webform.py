"""Drive the web form as the Mini App would: POSTs carrying Telegram's signed
initData, in-process through the ASGI app (the browser tests use a real server)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import httpx

from bot.webauth import sign_init_data
from koordbot.webserver import web_app
from tests.harness import Chat, TestBot

PUBLIC_URL = "https://skjema.kommune.test"


def init_data(bot: TestBot, user_id: int, *, age: timedelta = timedelta(0), token: str = "") -> str:
    """initData as Telegram signs it for `user_id`, `age` old."""
    assert bot.app is not None
    signed_at = bot.clock.now() - age
    user = json.dumps({"id": user_id, "first_name": "Kari", "language_code": "nb"})
    fields = {"auth_date": str(int(signed_at.timestamp())), "query_id": "AAH", "user": user}
    return sign_init_data(fields, token or bot.app.bot.token)


class Form:
    """The web form of a running test bot."""

    def __init__(self, bot: TestBot) -> None:
        assert bot.app is not None
        self.bot = bot
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=web_app(bot.app)), base_url=PUBLIC_URL
        )

    async def close(self) -> None:
        await self.client.aclose()

    def path(self, url: str) -> str:
        assert url.startswith(PUBLIC_URL + "/"), url
        return url.removeprefix(PUBLIC_URL)

    async def post(
        self,
        url: str,
        chat: Chat,
        data: dict[str, str] | None = None,
        *,
        as_user: int | None = None,
        init: str | None = None,
    ) -> httpx.Response:
        fields = {
            "init_data": init if init is not None else init_data(self.bot, as_user or chat.user_id)
        }
        fields.update(data or {"action": "open"})
        return await self.client.post(self.path(url), data=fields)

    async def answer(self, chat: Chat, label: str, text: str, **kw: object) -> httpx.Response:
        """Tap the Mini App button `label` in the chat and submit `text` there."""
        url = chat.web_app_url(label)
        opened = await self.post(url, chat, **kw)  # type: ignore[arg-type]
        if opened.status_code != 200:
            return opened
        chat.seen = len(chat.bot_messages())
        return await self.post(url, chat, {"action": "answer", "text": text}, **kw)  # type: ignore[arg-type]


def page_text(response: httpx.Response) -> str:
    """The visible words of a page (tags dropped)."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.text).split())
