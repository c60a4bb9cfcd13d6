"""An in-process stand-in for the Telegram Bot API.

The real PTB `Application` talks to it through `StandinRequest` (a PTB request
class), so every Bot API call is real JSON in and out: local mode chats with it in
the terminal and the tests read what a user would see. It checks calls the way
Telegram does where mistakes are likely (text length, HTML entities, callback data
size, editing a missing message) and can inject faults (429, timeouts, network
errors, a user who blocked the bot, a message delivered whose answer is then lost:
`delivered_then_timeout`, `500_after_delivery`, a call held past the client's timeout:
`hang`, and flood control for a while: `storm`, for every chat or one).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from typing import Any

from koordbot.standin.model import (
    AFTER_DELIVERY,
    BOT_USER,
    CALLER,
    HELD,
    ApiCall,
    ChatMessage,
    Fault,
    TelegramConflict,
    TelegramError400,
    fault_after,
    fault_before,
    visible_text,
)


class FakeTelegram:
    """State of the fake Bot API server: chats, messages, calls, faults, updates."""

    def __init__(self, *, enforce_limits: bool = False) -> None:
        self.calls: list[ApiCall] = []
        self.chats: dict[int, list[ChatMessage]] = {}
        self.faults: list[Fault] = []
        self.updates: asyncio.Queue[dict[str, Any]] | None = None
        self.commands: list[dict[str, str]] = []
        # Command menus by scope (json of the scope, "default" for none), descriptions.
        self.command_scopes: dict[str, list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self._poller: asyncio.Future[None] | None = None
        self.reject_set_commands = False
        self.enforce_limits = enforce_limits
        self.too_many_requests = 0
        self.struck: list[str] = []  # the kind of every injected fault that struck a call
        self.holding = 0  # calls held by a `slow` or `hang` fault right now
        self.rejected: list[tuple[str, str]] = []  # (method, description) answered with 400
        self._sent_times: deque[float] = deque()
        self._chat_last: dict[int, float] = {}
        self._next_id: dict[int, int] = {}
        self._callbacks: dict[str, bool] = {}
        self._update_id = 0
        self.listeners: list[Any] = []

    # ---- the user side -------------------------------------------------------------
    def next_message_id(self, chat_id: int) -> int:
        self._next_id[chat_id] = self._next_id.get(chat_id, 0) + 1
        return self._next_id[chat_id]

    def next_update_id(self) -> int:
        self._update_id += 1
        return self._update_id

    def user_message(self, chat_id: int, text: str, message_id: int) -> None:
        self.chats.setdefault(chat_id, []).append(
            ChatMessage(message_id=message_id, chat_id=chat_id, from_bot=False, text=text)
        )

    def register_callback(self, callback_id: str) -> None:
        self._callbacks[callback_id] = False

    def messages(self, chat_id: int) -> list[ChatMessage]:
        return [m for m in self.chats.get(chat_id, []) if not m.deleted]

    def find(self, chat_id: int, message_id: int) -> ChatMessage | None:
        for m in self.chats.get(chat_id, []):
            if m.message_id == message_id:
                return m
        return None

    def bot_message(
        self, chat_id: int, text: str, keyboard: list[list[dict[str, Any]]]
    ) -> ChatMessage:
        """A message the bot sent earlier (a benchmark's reminders of this morning)."""
        return self._new_bot_message(chat_id, text=text, html=text, keyboard=keyboard)

    def fail(self, kind: str, method: str | None = None, times: int = 1, **kw: Any) -> None:
        """Make the next `times` matching calls fail with `kind`."""
        self.faults.append(Fault(method=method, kind=kind, times=times, **kw))

    def storm(self, seconds: float, retry_after: int = 1, chat_id: int | None = None) -> None:
        """Answer every message sent (to `chat_id`, or to any chat) with 429 Too Many
        Requests for the next `seconds`: a flood-control storm, or one chat's flood."""
        self.faults.append(
            Fault(
                method=None,
                kind="retry_after",
                times=1_000_000,
                retry_after=retry_after,
                chat_id=chat_id,
                until=time.monotonic() + seconds,
                sending=True,
            )
        )

    # ---- the Bot API side ----------------------------------------------------------
    async def call(
        self, method: str, params: dict[str, Any], files: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        self.calls.append(ApiCall(method, params, time.monotonic(), CALLER.get()))
        fault = self._take_fault(method, params)
        if fault is not None and fault.kind in HELD:
            self.holding += 1
            try:
                await asyncio.sleep(fault.seconds)
            finally:
                self.holding -= 1
        elif fault is not None and fault.kind not in AFTER_DELIVERY:
            return self._raise_fault(fault)
        if self.enforce_limits and method in _SENDING:
            limited = self._rate_limited(int(params.get("chat_id", 0)))
            if limited:
                return limited
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        try:
            result = handler(params, files)
            if asyncio.iscoroutine(result):
                result = await result
        except TelegramError400 as exc:
            self.rejected.append((method, str(exc)))
            return 400, {"ok": False, "error_code": 400, "description": f"Bad Request: {exc}"}
        except TelegramConflict as exc:
            return 409, {"ok": False, "error_code": 409, "description": f"Conflict: {exc}"}
        for listener in self.listeners:
            listener(method, params, result)
        if fault is not None and fault.kind in AFTER_DELIVERY:
            return fault_after(fault)
        return 200, {"ok": True, "result": result}

    def _take_fault(self, method: str, params: dict[str, Any]) -> Fault | None:
        now = time.monotonic()
        for fault in list(self.faults):
            if fault.until is not None and now > fault.until:
                self.faults.remove(fault)
                continue
            if fault.method not in (None, method) or fault.times <= 0:
                continue
            if fault.sending and method not in _SENDING:
                continue
            if fault.chat_id is not None and int(params.get("chat_id", 0)) != fault.chat_id:
                continue
            if fault.skip > 0:
                fault.skip -= 1
                continue
            fault.times -= 1
            if fault.times <= 0:
                self.faults.remove(fault)
            self.struck.append(fault.kind)
            return fault
        return None

    def _raise_fault(self, fault: Fault) -> tuple[int, dict[str, Any]]:
        if fault.kind == "retry_after":
            self.too_many_requests += 1
        return fault_before(fault)

    def _rate_limited(self, chat_id: int) -> tuple[int, dict[str, Any]] | None:
        now = time.monotonic()
        while self._sent_times and now - self._sent_times[0] > 1.0:
            self._sent_times.popleft()
        last = self._chat_last.get(chat_id)
        if len(self._sent_times) >= 30 or (last is not None and now - last < 1.0):
            self.too_many_requests += 1
            return 429, {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 1",
                "parameters": {"retry_after": 1},
            }
        self._sent_times.append(now)
        self._chat_last[chat_id] = now
        return None

    def _new_bot_message(self, chat_id: int, **kw: Any) -> ChatMessage:
        message = ChatMessage(
            message_id=self.next_message_id(chat_id), chat_id=chat_id, from_bot=True, **kw
        )
        self.chats.setdefault(chat_id, []).append(message)
        return message

    @staticmethod
    def _message_json(m: ChatMessage) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": m.message_id,
            "from": BOT_USER,
            "chat": {"id": m.chat_id, "type": "private", "first_name": "Bruker"},
            "date": int(time.time()),
        }
        if m.document is not None:
            data["document"] = {
                "file_id": f"doc{m.message_id}",
                "file_unique_id": f"u{m.message_id}",
                "file_name": m.document[0],
                "file_size": len(m.document[1]),
            }
        elif m.photo is not None:
            data["photo"] = [
                {
                    "file_id": f"ph{m.message_id}",
                    "file_unique_id": f"p{m.message_id}",
                    "width": 800,
                    "height": 600,
                }
            ]
        else:
            data["text"] = m.text
        if m.caption:
            data["caption"] = m.caption
        if m.keyboard:
            data["reply_markup"] = {"inline_keyboard": m.keyboard}
        return data

    @staticmethod
    def _check_keyboard(params: dict[str, Any]) -> list[list[dict[str, Any]]]:
        markup = params.get("reply_markup")
        if isinstance(markup, str):
            markup = json.loads(markup)
        if not markup:
            return []
        rows = markup.get("inline_keyboard", [])
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise TelegramError400("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise TelegramError400("BUTTON_DATA_INVALID")
        return rows

    @staticmethod
    def _check_text(
        params: dict[str, Any], key: str = "text", limit: int = 4096
    ) -> tuple[str, str]:
        raw = str(params.get(key, ""))
        plain, error = visible_text(raw, params.get("parse_mode"))
        if error:
            raise TelegramError400(f"can't parse entities: {error}")
        if key == "text" and not plain.strip():
            raise TelegramError400("message text is empty")
        if len(plain) > limit:
            raise TelegramError400("message is too long")
        return plain, raw

    def _api_getMe(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return BOT_USER

    def _api_setMyCommands(self, params: dict[str, Any], files: Any) -> bool:
        if self.reject_set_commands:
            raise TelegramError400("setMyCommands rejected by the stand-in")
        commands = params.get("commands", [])
        if isinstance(commands, str):
            commands = json.loads(commands)
        for c in commands:
            name = c.get("command", "")
            if not (1 <= len(name) <= 32 and name.islower() and name.replace("_", "").isalnum()):
                raise TelegramError400("BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise TelegramError400("BOT_COMMAND_DESCRIPTION_INVALID")
        scope = _scope_key(params.get("scope"))
        self.command_scopes[scope] = commands
        if scope == "default":
            self.commands = commands
        return True

    def _api_deleteMyCommands(self, params: dict[str, Any], files: Any) -> bool:
        self.command_scopes.pop(_scope_key(params.get("scope")), None)
        return True

    def _api_setMyDescription(self, params: dict[str, Any], files: Any) -> bool:
        if len(str(params.get("description", ""))) > 512:
            raise TelegramError400("description is too long")
        self.descriptions["description"] = str(params.get("description", ""))
        return True

    def _api_setMyShortDescription(self, params: dict[str, Any], files: Any) -> bool:
        if len(str(params.get("short_description", ""))) > 120:
            raise TelegramError400("short description is too long")
        self.descriptions["short_description"] = str(params.get("short_description", ""))
        return True

    def _api_deleteWebhook(self, params: dict[str, Any], files: Any) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, Any], files: Any) -> bool:
        return True

    def _api_getWebhookInfo(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    def _api_sendChatAction(self, params: dict[str, Any], files: Any) -> bool:
        return True

    async def _api_getUpdates(self, params: dict[str, Any], files: Any) -> list[dict[str, Any]]:
        if self.updates is None:
            self.updates = asyncio.Queue()
        # Like Telegram: a newer request ends a waiting one with 409 Conflict.
        if self._poller is not None and not self._poller.done():
            self._poller.set_result(None)
        mine: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._poller = mine
        timeout = float(params.get("timeout", 0) or 0)
        getter = asyncio.ensure_future(self.updates.get())
        try:
            waiting: set[asyncio.Future[Any]] = {getter, mine}
            await asyncio.wait(waiting, timeout=max(timeout, 0.05), return_when="FIRST_COMPLETED")
        finally:
            if not getter.done():
                getter.cancel()
            if self._poller is mine:
                self._poller = None
        if not getter.done() or getter.cancelled():
            if mine.done():
                raise TelegramConflict(
                    "terminated by other getUpdates request; make sure that only one bot "
                    "instance is running"
                )
            return []
        batch = [getter.result()]
        while not self.updates.empty() and len(batch) < 100:
            batch.append(self.updates.get_nowait())
        return batch

    def _api_sendMessage(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        plain, raw = self._check_text(params)
        keyboard = self._check_keyboard(params)
        message = self._new_bot_message(
            int(params["chat_id"]), text=plain, html=raw, keyboard=keyboard
        )
        return self._message_json(message)

    def _api_editMessageText(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        message = self._target(params)
        plain, raw = self._check_text(params)
        keyboard = self._check_keyboard(params)
        if plain == message.text and keyboard == message.keyboard:
            raise TelegramError400(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.text, message.html, message.keyboard = plain, raw, keyboard
        message.edits += 1
        return self._message_json(message)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any], files: Any) -> dict[str, Any]:
        message = self._target(params)
        keyboard = self._check_keyboard(params)
        if keyboard == message.keyboard:
            raise TelegramError400("message is not modified")
        message.keyboard = keyboard
        message.edits += 1
        return self._message_json(message)

    def _api_deleteMessage(self, params: dict[str, Any], files: Any) -> bool:
        message = self._target(params, any_sender=True)
        message.deleted = True
        return True

    def _api_deleteMessages(self, params: dict[str, Any], files: Any) -> bool:
        ids = params.get("message_ids", [])
        if isinstance(ids, str):
            ids = json.loads(ids)
        if not 1 <= len(ids) <= 100:
            raise TelegramError400("message_ids must hold 1-100 ids")
        chat_id = int(params.get("chat_id", 0))
        for message_id in ids:
            message = self.find(chat_id, int(message_id))
            if message is not None:  # Telegram skips ids it cannot find
                message.deleted = True
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any], files: Any) -> bool:
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._callbacks:
            raise TelegramError400(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if self._callbacks[query_id]:
            raise TelegramError400("query is already answered")
        if len(str(params.get("text", ""))) > 200:
            raise TelegramError400("MESSAGE_TOO_LONG")
        self._callbacks[query_id] = True
        return True

    def _api_answerInlineQuery(self, params: dict[str, Any], files: Any) -> bool:
        return True

    def _api_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        name, content = _file_of("document", params, files)
        caption = self._check_text(params, "caption", 1024)[0] if params.get("caption") else ""
        message = self._new_bot_message(
            int(params["chat_id"]),
            document=(name, content),
            caption=caption,
            keyboard=self._check_keyboard(params),
        )
        return self._message_json(message)

    def _api_sendPhoto(self, params: dict[str, Any], files: dict[str, Any]) -> dict[str, Any]:
        _, content = _file_of("photo", params, files)
        caption = self._check_text(params, "caption", 1024)[0] if params.get("caption") else ""
        message = self._new_bot_message(int(params["chat_id"]), photo=content, caption=caption)
        return self._message_json(message)

    def _target(self, params: dict[str, Any], any_sender: bool = False) -> ChatMessage:
        chat_id = int(params.get("chat_id", 0))
        message = self.find(chat_id, int(params.get("message_id", 0)))
        if message is None or message.deleted or (not any_sender and not message.from_bot):
            raise TelegramError400(
                "message to edit not found" if not any_sender else "message to delete not found"
            )
        return message


def _scope_key(scope: Any) -> str:
    if isinstance(scope, str):
        scope = json.loads(scope)
    if not scope or scope.get("type") == "default":
        return "default"
    return json.dumps(scope, sort_keys=True)


_SENDING = {"sendMessage", "sendDocument", "sendPhoto", "editMessageText", "copyMessage"}


def _file_of(key: str, params: dict[str, Any], files: dict[str, Any]) -> tuple[str, bytes]:
    value = params.get(key)
    part_name = value.removeprefix("attach://") if isinstance(value, str) else key
    part = files.get(part_name)
    if part is not None:
        name, content = part[0], part[1]
        if hasattr(content, "read"):
            content = content.read()
        return str(name), bytes(content)
    raise TelegramError400("wrong file identifier/HTTP URL specified")
