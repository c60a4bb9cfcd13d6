"""The web form served by uvicorn in the bot's own event loop (as python-telegram-bot's
custom-webhook example runs Starlette next to the Application)."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
from datetime import datetime
from urllib.parse import quote

import uvicorn
from starlette.applications import Starlette

from bot.settings import Settings
from bot.webauth import sign_init_data
from handlers.context import services_of
from handlers.webapp import FormChat
from koordbot.app import App
from web.app import create_app

log = logging.getLogger(__name__)


def web_app(app: App) -> Starlette:
    """The web form wired to the bot: its services, its token, its chat."""
    return create_app(services_of(app), app.bot.token, FormChat(app))


def bind(host: str, port: int) -> socket.socket:
    """A listening socket (port 0: any free port)."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


class WebServer:
    """uvicorn serving the web form on a bound socket."""

    def __init__(self, asgi: Starlette, sock: socket.socket) -> None:
        config = uvicorn.Config(asgi, log_level="warning", access_log=False, lifespan="off")
        self.server = uvicorn.Server(config)
        self.sock = sock
        self.task: asyncio.Task[None] | None = None

    @property
    def port(self) -> int:
        return int(self.sock.getsockname()[1])

    async def serve(self) -> None:
        """Serve until interrupted (SIGINT/SIGTERM) or `stop`."""
        await self.server.serve(sockets=[self.sock])

    async def start(self) -> None:
        """Serve in the background."""
        self.task = asyncio.create_task(self.serve())
        while not self.server.started:
            if self.task.done():
                await self.task  # raises what stopped it
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task
            self.task = None


def local_form(settings: Settings) -> tuple[Settings, socket.socket | None]:
    """Local mode: the form on 127.0.0.1 (KOORDBOT_WEB_PORT, or any free port), unless
    free text was set to off or chat."""
    if settings.free_text not in ("", "form"):
        return settings, None
    try:
        sock = bind("127.0.0.1", settings.web_port)
    except OSError:
        sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    return settings.model_copy(update={"free_text": "form", "public_url": url}), sock


def browser_link(url: str, user_id: int, name: str, bot_token: str, now: datetime) -> str:
    """A form link a plain browser can open: Telegram's signed initData in the
    fragment, as Telegram itself hands it to a Mini App."""
    user = json.dumps({"id": user_id, "first_name": name}, separators=(",", ":"))
    init_data = sign_init_data({"auth_date": str(int(now.timestamp())), "user": user}, bot_token)
    return f"{url}#tgWebAppData={quote(init_data)}"
