"""Long work shows a chat action, and drawing a PDF or a chart runs off the event loop
(issue 11), so other koordinatorer are answered meanwhile."""

from __future__ import annotations

import threading

import bot.case_record as case_record
from tests.test_e2e_cases import create_case


def calls(bot, method):
    return [c for c in bot.telegram.calls if c.method == method]


async def test_the_pdf_export_shows_upload_and_draws_in_a_worker_thread(bot, monkeypatch):
    drawn_in: list[threading.Thread] = []
    real = case_record.render_case_pdf

    def recording(*args, **kwargs):
        drawn_in.append(threading.current_thread())
        return real(*args, **kwargs)

    monkeypatch.setattr(case_record, "render_case_pdf", recording)
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/eksport AB")
    [action] = calls(bot, "sendChatAction")
    assert action.params["action"] == "upload_document"
    [document] = calls(bot, "sendDocument")
    assert action.at <= document.at
    assert drawn_in and drawn_in[0] is not threading.main_thread()


async def test_the_calendar_and_the_chart_show_that_they_are_working(bot):
    admin = await bot.registered_admin()
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kalender")
    assert [c.params["action"] for c in calls(bot, "sendChatAction")] == ["upload_document"]
    await admin.send("/statistikk")
    assert calls(bot, "sendChatAction")[-1].params["action"] == "upload_photo"
