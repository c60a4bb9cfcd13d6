"""The web form's routes. Every page that shows or takes content is a POST carrying
Telegram's initData (the page's script puts it in each form); a GET only serves the
empty page that reads initData and posts it. No cookies, no third-party script but
Telegram's own, and a strict Content-Security-Policy on every answer."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot import audit, cases
from bot.case_record import case_pdf
from bot.conversations.display import shown
from bot.conversations.kinds import kind_of
from bot.conversations.outcomes import Gone, Invalid, Question, Reply, Summary
from bot.conversations.service import NOTE_MAX, Conversations
from bot.services import Services
from web.gate import Gate, Refused, Visitor

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
TELEGRAM_SCRIPT = "https://telegram.org/js/telegram-web-app.js"
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self' https://telegram.org; style-src 'self'; "
        "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors 'self' https://web.telegram.org"
    ),
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
GONE_STATUS = {"stale": 409, "not_found": 403, "case_closed": 409, "not_open": 409}


class Chat(Protocol):
    """What the web form needs from the chat: show where an answer led (implemented by
    the Telegram edge, wired by the composition root)."""

    async def answered(self, user_id: int, reply: Reply) -> None: ...


class WebForm:
    """The pages of the form, sharing the services, the gate and the chat."""

    def __init__(self, services: Services, bot_token: str, chat: Chat) -> None:
        self.services, self.chat = services, chat
        self.gate = Gate(services, bot_token)

    # ---- rendering -------------------------------------------------------------------
    def page(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        body = self.services.texts.render(f"web/{template}", script=TELEGRAM_SCRIPT, **values)
        return HTMLResponse(f"<!doctype html>\n{body}", status_code=status)

    async def refused(self, request: Request, exc: Exception) -> Response:
        reason = exc.reason if isinstance(exc, Refused) else "internal"
        status = exc.status if isinstance(exc, Refused) else 500
        detail = exc.detail if isinstance(exc, Refused) else ""
        log.warning(
            "web form refused %s %s: %s %s",
            request.method,
            request.url.path.split("/")[1],
            reason,
            detail,
        )
        return self.page("refused", status, reason=reason)

    async def shell(self, request: Request) -> Response:
        """The empty page a link opens: its script posts Telegram's initData back."""
        purpose = {"skjema": "step", "svar": "run", "pdf": "case"}[request.url.path.split("/")[1]]
        self.gate.link(purpose, request.path_params["token"])
        return self.page("open")

    # ---- answering one step ----------------------------------------------------------
    async def step(self, request: Request) -> Response:
        form = await request.form()
        init_data, text = str(form.get("init_data", "")), str(form.get("text", ""))
        token = request.path_params["token"]
        async with self.services.db.session() as session:
            visitor = await self.gate.visitor(session, "step", token, init_data)
            run_id, turn, path = visitor.link["r"], visitor.link["t"], visitor.link["s"]
            service = Conversations(session, visitor.me, self.services)
            if form.get("action") != "answer":
                found = await service.form_question(run_id, turn, path)
                return self._question_or_gone(found, token)
            reply = await service.answer_form(run_id, turn, path, text)
            if isinstance(reply.then, Invalid):
                return self._question_page(reply.then.question, token, text, reply.then)
            if isinstance(reply.then, Gone):
                raise Refused(reply.then.reason, GONE_STATUS.get(reply.then.reason, 409))
        # Stored and committed: now the chat shows the receipt and the next question.
        try:
            await self.chat.answered(visitor.me.telegram_user_id, reply)
        except Exception:  # the answer is stored; /fortsett shows the next question
            log.exception("the chat could not show what came after a form answer")
        run_token = self.gate.sign("run", visitor.me.telegram_user_id, r=run_id)
        return self.page("saved", run_token=run_token, summary=isinstance(reply.then, Summary))

    def _question_or_gone(self, found: Question | Gone, token: str) -> Response:
        if isinstance(found, Gone):
            raise Refused(found.reason, GONE_STATUS.get(found.reason, 409))
        return self._question_page(found, token, "", None)

    def _question_page(
        self, q: Question, token: str, text: str, invalid: Invalid | None
    ) -> Response:
        error = None
        if invalid is not None:
            error = self.services.texts.render(f"errors/{invalid.reason}", **invalid.detail)
        limit = NOTE_MAX if q.phase == "note" else (q.step.max_length or NOTE_MAX)
        return self.page(
            "step",
            200 if invalid is None else 422,
            q=q,
            token=token,
            text=text,
            error=error,
            max_length=limit,
        )

    # ---- reading and correcting a run ------------------------------------------------
    async def run(self, request: Request) -> Response:
        form = await request.form()
        token = request.path_params["token"]
        async with self.services.db.session() as session:
            visitor = await self.gate.visitor(session, "run", token, str(form.get("init_data", "")))
            service = Conversations(session, visitor.me, self.services)
            run_id = visitor.link["r"]
            action = form.get("action")
            if action in ("edit", "note"):
                number = int(str(form.get("number", "0")) or 0)
                reply = await service.correct(run_id, number, note=action == "note")
                if not isinstance(reply.then, Question) or reply.then.answer_by != "form":
                    raise Refused(getattr(reply.then, "reason", "stale"), 409)
                q = reply.then
                step_token = self.gate.sign(
                    "step", visitor.me.telegram_user_id, r=q.run_id, t=q.token, s=q.path
                )
                return self._question_page(q, step_token, "", None)
            found = await service.summary(run_id)
            if isinstance(found, Gone):
                raise Refused(found.reason, 403)
            await audit.record(
                session,
                at=self.services.now(),
                action="run.read_on_web",
                actor=visitor.me,
                case_id=found.case_id,
                detail=str(run_id),
            )
            return self.page("summary", summary=found, lines=self._lines(found), token=token)

    def _lines(self, summary: Summary) -> list[dict[str, Any]]:
        texts, zone = self.services.texts, self.services.zone
        return [
            {
                "items": line.items,
                "question": line.question,
                "answer": shown(texts, zone, line.step, line.value, line.skipped),
                "note": line.note,
                "changed": line.changed,
                "free": kind_of(line.step).free(line.step),
                "noted": kind_of(line.step).noted and line.step.note and not line.skipped,
            }
            for line in summary.lines
        ]

    # ---- the PDF ---------------------------------------------------------------------
    async def pdf_page(self, request: Request) -> Response:
        form = await request.form()
        token = request.path_params["token"]
        async with self.services.db.session() as session:
            visitor = await self.gate.visitor(
                session, "case", token, str(form.get("init_data", ""))
            )
            case = await self._case(session, visitor)
            file_token = self.gate.sign("file", visitor.me.telegram_user_id, c=case.id)
            return self.page("pdf", alias=case.alias, token=token, file_token=file_token)

    async def pdf_file(self, request: Request) -> Response:
        """The PDF itself, by a short-lived link the PDF page made (a download cannot
        carry initData)."""
        link = self.gate.link("file", request.path_params["file"])
        async with self.services.db.session() as session:
            visitor = await self.gate.known(session, link)
            case = await self._case(session, visitor)
            name, pdf = await case_pdf(session, visitor.me, self.services, case)
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        return Response(pdf, media_type="application/pdf", headers=headers)

    async def _case(self, session: Any, visitor: Visitor) -> Any:
        case = await cases.case_for(
            session, visitor.me, int(visitor.link["c"]), self.services.now()
        )
        if case is None:
            raise Refused("not_found", 403, f"case {visitor.link['c']}")
        return case


class SecurityHeaders:
    """Every answer, static files included, carries the headers above."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, with_headers if scope["type"] == "http" else send)


def create_app(services: Services, bot_token: str, chat: Chat) -> Starlette:
    """The web form as an ASGI application."""
    form = WebForm(services, bot_token, chat)
    routes = [
        Route("/skjema/{token}", form.shell, methods=["GET"]),
        Route("/skjema/{token}", form.step, methods=["POST"]),
        Route("/svar/{token}", form.shell, methods=["GET"]),
        Route("/svar/{token}", form.run, methods=["POST"]),
        Route("/pdf/{token}", form.shell, methods=["GET"]),
        Route("/pdf/{token}", form.pdf_page, methods=["POST"]),
        Route("/pdf/{token}/fil/{file}", form.pdf_file, methods=["GET"]),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={Refused: form.refused},
    )
