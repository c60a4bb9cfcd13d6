"""Drive the real Application like a phone would: update JSON in, Bot API calls out.

A test reads like a chat:

    kari = await bot.registered_user("Kari")
    await kari.send("/ny")
    await kari.send("AB")
    await kari.tap("Barnekoordinator")
    assert "AB" in kari.last_text
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot.clock import ManualClock
from bot.services import Services
from bot.settings import Settings
from handlers.context import services_of
from koordbot.app import SWEEP_JOBS, App, build_application, start_app, stop_app
from koordbot.standin import ChatMessage, FakeTelegram, FakeUser
from storage.crypto import Cipher


@dataclass
class Chat:
    """One user's private chat with the bot."""

    bot: TestBot
    user: FakeUser
    seen: int = 0

    @property
    def user_id(self) -> int:
        return self.user.user_id

    def bot_messages(self) -> list[ChatMessage]:
        return [m for m in self.bot.telegram.messages(self.user_id) if m.from_bot]

    @property
    def last(self) -> ChatMessage:
        messages = self.bot_messages()
        assert messages, "the bot has sent nothing in this chat"
        return messages[-1]

    @property
    def last_text(self) -> str:
        return self.last.text

    def replies(self) -> list[str]:
        """Texts of bot messages that arrived since the last `send`/`tap`."""
        texts = [m.text for m in self.bot_messages()[self.seen :]]
        return texts

    def transcript(self) -> str:
        return "\n---\n".join(m.text for m in self.bot_messages())

    def everything_seen(self) -> str:
        """All bot texts, including messages tidy mode has deleted since."""
        return "\n---\n".join(
            m.text for m in self.bot.telegram.chats.get(self.user_id, []) if m.from_bot
        )

    def buttons(self) -> list[str]:
        """Labels of the buttons under the newest message that has any."""
        keyboard = self._keyboard_message()
        return keyboard.buttons() if keyboard else []

    def _keyboard_message(self) -> ChatMessage | None:
        for message in reversed(self.bot_messages()):
            if message.keyboard:
                return message
        return None

    def web_app_url(self, label: str) -> str:
        """The address a Mini App button (web form) under the newest keyboard opens."""
        message = self._keyboard_message()
        assert message is not None, "no message with buttons"
        for row in message.keyboard:
            for button in row:
                if button["text"] == label and "web_app" in button:
                    return str(button["web_app"]["url"])
        raise AssertionError(f"no web form button {label!r}; buttons: {message.buttons()}")

    async def send(self, text: str) -> list[str]:
        """The user sends a text message; returns the bot's new messages."""
        return await self._process(self.user.message(text))

    async def send_update(self, update: dict[str, Any]) -> list[str]:
        return await self._process(update)

    async def tap(self, label: str, message: ChatMessage | None = None) -> list[str]:
        """The user presses the button labelled `label` (newest message with buttons)."""
        message = message or self._keyboard_message()
        assert message is not None, "no message with buttons"
        for row in message.keyboard:
            for button in row:
                if button["text"] == label:
                    return await self.press(button["callback_data"], message)
        raise AssertionError(f"no button {label!r}; buttons: {message.buttons()}")

    async def press(self, data: str, message: ChatMessage | None = None) -> list[str]:
        """Press a button with raw callback data (also data the bot never sent)."""
        message = message or self._keyboard_message() or self.last
        return await self._process(self.user.press(message, data))

    async def _process(self, update_json: dict[str, Any]) -> list[str]:
        self.seen = len(self.bot_messages())
        await self.bot.feed(update_json)
        return self.replies()

    def callback_answers(self) -> list[str]:
        """Texts of answerCallbackQuery toasts so far."""
        return [
            str(c.params.get("text", ""))
            for c in self.bot.telegram.calls
            if c.method == "answerCallbackQuery"
        ]


@dataclass
class TestBot:
    """A running bot with a controllable clock and the Telegram stand-in."""

    __test__ = False  # a helper, not a test class

    settings: Settings
    cipher: Cipher
    clock: ManualClock
    telegram: FakeTelegram = field(default_factory=FakeTelegram)
    app: App | None = None
    _next_user: int = 5000

    async def start(self) -> TestBot:
        self.app = build_application(
            self.settings, clock=self.clock, telegram=self.telegram, cipher=self.cipher
        )
        await start_app(self.app)
        return self

    async def stop(self) -> None:
        if self.app is not None:
            await stop_app(self.app)
            self.app = None

    async def restart(self) -> None:
        """A fresh Application on the same database and stand-in (a process restart)."""
        await self.stop()
        await self.start()

    @property
    def services(self) -> Services:
        assert self.app is not None
        return services_of(self.app)

    async def feed(self, update_json: dict[str, Any]) -> None:
        assert self.app is not None
        await self.app.process_update(Update.de_json(update_json, self.app.bot))

    async def sweep(self) -> None:
        """Run the reminder jobs now, one after the other, as the job queue would at
        this (test) time."""
        assert self.app is not None and self.app.job_queue is not None
        for name, _job, _interval in SWEEP_JOBS:
            [job] = self.app.job_queue.get_jobs_by_name(name)
            await job.run(self.app)

    def reminders_to(self, chat_id: int) -> list[ChatMessage]:
        """Reminder messages in a chat (they start with ⏰, or ⚠️ when overdue)."""
        return [
            m
            for m in self.telegram.messages(chat_id)
            if m.from_bot
            and (
                m.text.startswith("⏰ ")
                or (m.text.startswith("⚠️ ") and "Koordinatoren" not in m.text)
            )
        ]

    def chat(self, user_id: int | None = None, name: str = "Kari") -> Chat:
        if user_id is None:
            self._next_user += 1
            user_id = self._next_user
        return Chat(self, FakeUser(self.telegram, user_id, name))

    def admin(self) -> Chat:
        return self.chat(next(iter(self.settings.admin_ids)), "Anne")

    async def registered_admin(self) -> Chat:
        admin = self.admin()
        await admin.send("/start")
        await admin.send("Anne Admin")
        await admin.tap("Annet")
        return admin

    async def registered_user(
        self, name: str = "Kari Koordinator", tjenestested: str = "Skole"
    ) -> Chat:
        """A koordinator invited by an admin, registered through the chat."""
        admin = await self.registered_admin() if not self._admin_ready() else self.admin()
        await admin.send("/invitasjon")
        code = admin.last_text.split("/start ")[1].split()[0]
        user = self.chat(name=name.split()[0])
        await user.send(f"/start {code}")
        await user.send(name)
        await user.tap(tjenestested)
        return user

    def _admin_ready(self) -> bool:
        admin_id = next(iter(self.settings.admin_ids))
        return any("Du er registrert" in m.text for m in self.telegram.messages(admin_id))


async def rows(bot: TestBot, model: Any, *where: Any) -> list[Any]:
    """Stored rows of a model (optionally filtered), oldest first."""
    from sqlalchemy import select

    async with bot.services.db.session() as s:
        return list((await s.scalars(select(model).where(*where).order_by(model.id))).all())
