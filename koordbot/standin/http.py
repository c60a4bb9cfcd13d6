"""The Telegram stand-in (`FakeTelegram`) served over HTTP on the loopback interface.

With `KOORDBOT_BOT_API_URL` pointing here, the bot uses python-telegram-bot's real
network request class, so tests (and a manual run) cover what the in-process
`StandinRequest` skips: URL building, form and multipart encoding, HTTP status codes.

    python -m koordbot.standin.http [port]

prints the URL to put in `KOORDBOT_BOT_API_URL` and serves until Ctrl-C.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import json
import re
import sys
from typing import Any

import tornado.httpserver
import tornado.httputil
import tornado.netutil
import tornado.web
from telegram.error import NetworkError, TimedOut

from koordbot.standin.api import FakeTelegram
from koordbot.standin.model import CALLER

Answer = tuple[int, dict[str, Any]]

# Parameters that are always free text: "true" or "[1]" typed by a user stays a string.
_TEXT_KEYS = frozenset(
    {
        "text",
        "caption",
        "query",
        "title",
        "description",
        "short_description",
        "name",
        "first_name",
        "last_name",
        "url",
        "secret_token",
        "parse_mode",
        "callback_data",
    }
)
_INT_KEYS = frozenset({"offset", "limit", "timeout"})
_INTEGER = re.compile(r"-?\d+")


def decode_value(key: str, raw: str) -> Any:
    """One form value as PTB's `RequestData.json_parameters` encoded it.

    PTB JSON-encodes every value except plain strings, so a value is read back as JSON
    where it can only be JSON (objects, arrays, booleans, ids) and kept as text otherwise.
    """
    if key in _TEXT_KEYS:
        return raw
    if raw.lstrip().startswith(("{", "[")):
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    if raw in ("true", "false"):
        return raw == "true"
    if (key.endswith("_id") or key in _INT_KEYS) and _INTEGER.fullmatch(raw):
        return int(raw)
    return raw


def decode_request(
    request: tornado.httputil.HTTPServerRequest,
) -> tuple[dict[str, Any], dict[str, tuple[str, bytes, str]]]:
    """(params, files) of a Bot API request: query string, form, multipart or JSON body."""
    params: dict[str, Any] = {}
    content_type = request.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "application/json" and request.body:
        body = json.loads(request.body)
        if isinstance(body, dict):
            params.update(body)
    for arguments in (request.query_arguments, request.body_arguments):
        for key, values in arguments.items():
            if values:
                params[key] = decode_value(key, values[-1].decode("utf-8"))
    files = {
        name: (parts[-1].filename, parts[-1].body, parts[-1].content_type)
        for name, parts in request.files.items()
        if parts
    }
    return params, files


class BotApiServer:
    """Serves a `FakeTelegram` at `http://127.0.0.1:<port>/bot<token>/<method>`."""

    def __init__(self, telegram: FakeTelegram, host: str = "127.0.0.1", port: int = 0) -> None:
        if not _is_loopback(host):
            raise ValueError(f"the stand-in listens on the loopback interface only, not {host!r}")
        self.telegram = telegram
        self.host = host
        self.port = port
        self._server: tornado.httpserver.HTTPServer | None = None
        self._inflight: set[asyncio.Future[Answer]] = set()

    @property
    def url(self) -> str:
        """The base URL for `KOORDBOT_BOT_API_URL` (the token is appended by PTB)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/bot"

    async def start(self) -> str:
        """Start listening; returns the base URL."""
        if self._server is not None:
            return self.url
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/([A-Za-z_]+)/?", _MethodHandler, {"api": self}),
                (r"/file/bot[^/]+/.*", _NotFoundHandler),
            ],
            default_handler_class=_NotFoundHandler,
        )
        sockets = tornado.netutil.bind_sockets(self.port, self.host)
        self.port = sockets[0].getsockname()[1]
        self._server = tornado.httpserver.HTTPServer(app)
        self._server.add_sockets(sockets)
        return self.url

    async def stop(self) -> None:
        """Stop listening, end waiting calls (a long getUpdates) and close connections."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        for call in list(self._inflight):
            call.cancel()
        # A turn of the loop for the handlers of cancelled calls before closing; a client
        # still waiting then sees a dropped connection, which PTB reports as NetworkError.
        for _ in range(3):
            await asyncio.sleep(0)
        await server.close_all_connections()

    async def answer(
        self, method: str, params: dict[str, Any], files: dict[str, Any], caller: str = ""
    ) -> Answer:
        """FakeTelegram's answer; its injected network faults become 502/504 over HTTP.
        `caller` (the token in the URL) is recorded with the call."""
        CALLER.set(caller)
        call = asyncio.ensure_future(self.telegram.call(method, params, files))
        self._inflight.add(call)
        try:
            await asyncio.wait({call})
        finally:
            self._inflight.discard(call)
        if call.cancelled():
            return _error(503, "Service Unavailable: the stand-in is stopping")
        error = call.exception()
        if isinstance(error, TimedOut):
            return _error(504, "Gateway Timeout")
        if isinstance(error, NetworkError):
            return _error(502, "Bad Gateway")
        return call.result()


class _MethodHandler(tornado.web.RequestHandler):
    def initialize(self, api: BotApiServer) -> None:
        self.api = api

    async def get(self, token: str, method: str) -> None:
        try:
            params, files = decode_request(self.request)
        except ValueError as exc:
            status, body = _error(400, f"Bad Request: {exc}")
        else:
            status, body = await self.api.answer(method, params, files, token)
        _write_json(self, status, body)

    post = get


class _NotFoundHandler(tornado.web.RequestHandler):
    def prepare(self) -> None:
        _write_json(self, *_error(404, "Not Found"))
        self.finish()


def _write_json(handler: tornado.web.RequestHandler, status: int, body: dict[str, Any]) -> None:
    handler.set_status(status)
    handler.set_header("Content-Type", "application/json")
    handler.write(json.dumps(body))


def _error(status: int, description: str) -> Answer:
    return status, {"ok": False, "error_code": status, "description": description}


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def _serve(port: int) -> None:
    telegram = FakeTelegram()
    telegram.listeners.append(lambda method, params, result: print(method, params, flush=True))
    server = BotApiServer(telegram, port=port)
    url = await server.start()
    print(f"KOORDBOT_BOT_API_URL={url}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> None:
    """Serve a fresh stand-in until Ctrl-C."""
    args = sys.argv[1:] if argv is None else argv
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(int(args[0]) if args else 0))


if __name__ == "__main__":
    main()
