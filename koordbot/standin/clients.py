"""The two sides that talk to the stand-in: PTB's request class (the bot) and a fake
Telegram user who sends updates."""

from __future__ import annotations

import json
import time
from typing import Any

from telegram.request import BaseRequest, RequestData

from koordbot.standin.api import FakeTelegram
from koordbot.standin.model import ChatMessage


class StandinRequest(BaseRequest):
    """PTB request class answering from a FakeTelegram instead of the network."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = {}
        files: dict[str, Any] = {}
        if request_data is not None:
            params = json.loads(json.dumps(request_data.parameters, default=str))
            if request_data.contains_files:
                files = dict(request_data.multipart_data)
        status, body = await self.telegram.call(api_method, params, files)
        return status, json.dumps(body).encode("utf-8")


class FakeUser:
    """A Telegram user in a private chat with the bot: makes real update JSON."""

    def __init__(
        self,
        telegram: FakeTelegram,
        user_id: int,
        first_name: str = "Kari",
        language_code: str = "nb",
    ) -> None:
        self.telegram = telegram
        self.user_id = user_id
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self.chat = {"id": user_id, "type": "private", "first_name": first_name}

    def message(self, text: str, *, edited_of: int | None = None) -> dict[str, Any]:
        """An update for a text message the user sends (or an edit of an earlier one)."""
        message_id = edited_of or self.telegram.next_message_id(self.user_id)
        message: dict[str, Any] = {
            "message_id": message_id,
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if edited_of is not None:
            message["edit_date"] = int(time.time())
            return {"update_id": self.telegram.next_update_id(), "edited_message": message}
        self.telegram.user_message(self.user_id, text, message_id)
        return {"update_id": self.telegram.next_update_id(), "message": message}

    def sticker(self) -> dict[str, Any]:
        """An update for a sticker (not text)."""
        message_id = self.telegram.next_message_id(self.user_id)
        return {
            "update_id": self.telegram.next_update_id(),
            "message": {
                "message_id": message_id,
                "from": self.user,
                "chat": self.chat,
                "date": int(time.time()),
                "sticker": {
                    "file_id": "st1",
                    "file_unique_id": "st1u",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                },
            },
        }

    def inline(self, query: str) -> dict[str, Any]:
        """An update for typing `@bot query` in any chat (inline mode)."""
        return {
            "update_id": self.telegram.next_update_id(),
            "inline_query": {
                "id": f"iq{self.user_id}-{self.telegram.next_update_id()}",
                "from": self.user,
                "query": query,
                "offset": "",
                "chat_type": "sender",
            },
        }

    def press(self, message: ChatMessage, data: str) -> dict[str, Any]:
        """An update for pressing an inline button with `data` under `message`."""
        query_id = f"{self.user_id}-{self.telegram.next_update_id()}"
        self.telegram.register_callback(query_id)
        return {
            "update_id": self.telegram.next_update_id(),
            "callback_query": {
                "id": query_id,
                "from": self.user,
                "chat_instance": str(self.user_id),
                "message": FakeTelegram._message_json(message),
                "data": data,
            },
        }
