"""The child process of the start-up benchmark: `python bench/startup_child.py MODE URL CHAT`.

Run as a script (not `-m bench...`), so the `bare` mode imports nothing of ours:

- `bot` builds the real Application against URL, runs start_app (migrations check,
  setMyCommands to the stand-in) and answers a `/neste` from koordinator CHAT, which
  reads that koordinator's deadlines out of the full database;
- `bare` starts a PTB Application that imports only `telegram` and `telegram.ext`
  (its own few-line request class instead of our stand-in) and answers one message.

Prints `ready` the moment the first answer is out, then, after shutting down, one JSON
line with the phases, the modules loaded and the peak memory of this process."""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402 - the imports are part of what is timed
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# What a bare PTB app must not load: our packages and the libraries only the bot uses.
NOT_BARE = {"bench", "bot", "handlers", "koordbot", "messages", "storage", "web"} | {
    "sqlalchemy",
    "alembic",
    "jinja2",
}


def _peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def _bot(url: str, chat: int, phases: dict[str, Any]) -> None:
    sys.path.insert(0, str(ROOT))
    from telegram import Update

    from bench.config import bench_settings, cipher
    from koordbot.app import build_application, start_app, stop_app
    from koordbot.standin import FakeTelegram, FakeUser

    phases["import"] = time.perf_counter() - STARTED
    telegram = FakeTelegram()
    app = build_application(bench_settings(url), telegram=telegram, cipher=cipher(), jobs=False)
    phases["build"] = time.perf_counter() - STARTED
    await start_app(app)
    phases["start_app"] = time.perf_counter() - STARTED
    assert telegram.commands, "setMyCommands did not reach the stand-in"
    await app.process_update(Update.de_json(FakeUser(telegram, chat).message("/neste"), app.bot))
    answers = [m for m in telegram.messages(chat) if m.from_bot]
    assert answers, f"/neste from {chat} got no answer"
    phases["first_answer"] = time.perf_counter() - STARTED
    print("ready", flush=True)
    phases["answer_chars"] = len(answers[0].text)
    await stop_app(app)


async def _bare(phases: dict[str, Any]) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters
    from telegram.request import BaseRequest, RequestData

    phases["import"] = time.perf_counter() - STARTED
    sent: list[str] = []

    class Answering(BaseRequest):
        """getMe answers a bot; every other call succeeds with a small message."""

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
            name = url.rsplit("/", 1)[-1]
            bot = {"id": 7000000001, "is_bot": True, "first_name": "Bare", "username": "bare"}
            result: Any = bot if name == "getMe" else True
            if name == "sendMessage" and request_data is not None:
                sent.append(str(request_data.parameters.get("text")))
                chat = {"id": request_data.parameters.get("chat_id"), "type": "private"}
                result = {"message_id": 1, "date": 0, "chat": chat, "text": sent[-1]}
            return 200, json.dumps({"ok": True, "result": result}).encode()

    app = (
        ApplicationBuilder()
        .token("7000000001:bare-ptb-app")
        .request(Answering())
        .get_updates_request(Answering())
        .build()
    )

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None and update.message is not None
        await context.bot.send_message(update.effective_chat.id, update.message.text or "?")

    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    phases["start_app"] = time.perf_counter() - STARTED
    user = {"id": 42, "is_bot": False, "first_name": "Kari"}
    message = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 42, "type": "private"},
        "from": user,
        "text": "/neste",
    }
    await app.process_update(Update.de_json({"update_id": 1, "message": message}, app.bot))
    assert sent == ["/neste"], sent
    phases["first_answer"] = time.perf_counter() - STARTED
    print("ready", flush=True)
    await app.shutdown()


def main(argv: list[str]) -> None:
    mode = argv[0]
    phases: dict[str, Any] = {}
    if mode == "bot":
        asyncio.run(_bot(argv[1], int(argv[2]), phases))
    else:
        asyncio.run(_bare(phases))
        ours = sorted({m.split(".")[0] for m in sys.modules} & NOT_BARE)
        assert not ours, f"the bare PTB app loaded {ours}"
    phases["modules"] = len(sys.modules)
    phases["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(phases), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
