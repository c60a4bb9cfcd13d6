"""KOORDBOT_FREE_TEXT=form: free text is written in the web form the municipality
serves, opened from the chat as a Mini App. The chat carries only structure; the form
answers exactly the open step, once, for the koordinator who has the case."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import text

from bot.rules.fnr import check_digits
from bot.settings import Settings
from storage.models import Answer, AuditEntry, ConversationRun
from tests.harness import rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_conversations import answer_current
from tests.test_privacy import _absent, sql_dump, sqlite_bytes
from tests.webform import PUBLIC_URL, Form, init_data, page_text

MARKER = "Fjelltrollmarkør"
WRITE, NOTE = "✍️ Skriv svaret", "✍️ Skriv notat"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"free_text": "form", "public_url": PUBLIC_URL})


@pytest.fixture
async def form(bot):
    web = Form(bot)
    yield web
    await web.close()


async def run_in_form(form: Form, chat, word: str = MARKER) -> int:
    """Answer to the end; every free text and note is written in the form. Returns how
    many texts went through the form."""
    written = 0
    for _ in range(400):
        if "svarene er lagret" in chat.last_text:
            return written
        buttons = chat.buttons()
        label = WRITE if WRITE in buttons else NOTE if NOTE in buttons else None
        if label is None:
            await answer_current(chat)
            continue
        written += 1
        response = await form.answer(chat, label, f"{word} nr {written}: æøå")
        assert response.status_code == 200, page_text(response)
        assert "Svar lagret" in page_text(response)
        assert chat.replies()[0] == "✅ Svar lagret."
    raise AssertionError("conversation did not end")


async def test_a_free_text_step_opens_the_form_and_the_chat_gets_only_a_receipt(bot, form):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    assert "Hva er viktig for AB?" in kari.last_text
    assert "ikke gjennom Telegram" in kari.last_text
    url = kari.web_app_url(WRITE)
    assert url.startswith(f"{PUBLIC_URL}/skjema/")
    # The link alone shows nothing: the page needs Telegram's initData first.
    shell = await form.client.get(form.path(url))
    assert shell.status_code == 200 and "AB" not in shell.text
    assert "default-src 'none'" in shell.headers["content-security-policy"]
    assert "script-src 'self' https://telegram.org;" in shell.headers["content-security-policy"]
    opened = await form.post(url, kari)
    assert "Hva er viktig for AB?" in page_text(opened)
    saved = await form.answer(kari, WRITE, "Å være sammen med søsken og bestemor")
    assert "Svar lagret" in page_text(saved)
    replies = kari.replies()
    assert replies[0] == "✅ Svar lagret." and "Hvordan beskriver AB" in replies[1]
    [answer] = await rows(bot, Answer)
    assert answer.value == "Å være sammen med søsken og bestemor"
    # Typed in the chat instead: refused, deleted from the chat, nothing stored.
    replies = await kari.send("Dette skal ikke lagres")
    assert any("Skriv ikke svaret her i chatten" in r for r in replies)
    assert "Dette skal ikke lagres" not in [m.text for m in bot.telegram.messages(kari.user_id)]
    assert len(await rows(bot, Answer)) == 1


async def test_privacy_no_free_text_or_note_ever_reaches_telegram(bot, form, database_url):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    texts = await run_in_form(form, kari)
    await kari.send("/oppstart AB")
    texts += await run_in_form(form, kari)
    notes = [a for a in await rows(bot, Answer) if a.note]
    assert texts > 20 and notes, "the marker went into answers and notes"
    # The chat's summary says only what is answered; the words are on the web page.
    await kari.tap("Se svarene")
    assert "✓ besvart i skjemaet" in kari.last_text
    run_url = kari.web_app_url("📄 Les og rett svarene")
    summary = await form.post(run_url, kari)
    assert page_text(summary).count(MARKER) >= 1
    assert [e.action for e in await rows(bot, AuditEntry)].count("run.read_on_web") == 1
    # The PDF is downloaded from the form, not sent through Telegram.
    await kari.send("/eksport AB")
    pdf_page = await form.post(kari.web_app_url("📄 Last ned PDF"), kari)
    link = pdf_page.text.split('id="download" href="')[1].split('"')[0]
    pdf = await form.client.get(link)
    assert pdf.headers["content-type"] == "application/pdf"
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(pdf.content)).pages)
    assert MARKER in pdf_text

    # 1. No Bot API request the bot made carries the marker.
    calls = [c for c in bot.telegram.calls]
    assert calls and not [
        c.method for c in calls if MARKER in json.dumps(c.params, ensure_ascii=False)
    ]
    assert not [c for c in calls if c.method == "sendDocument"]
    # 2. The database holds it only as ciphertext.
    stored = [
        a for a in await rows(bot, Answer) if MARKER in str(a.value) or MARKER in (a.note or "")
    ]
    assert len(stored) == texts
    if database_url.startswith("sqlite"):
        _absent(MARKER, sqlite_bytes(database_url), "the SQLite files")
    else:
        _absent(MARKER, await sql_dump(bot.services.db), "the PostgreSQL rows")
    # 3. Another koordinator's initData gets nothing back from Kari's pages.
    per = await bot.registered_user("Per Olsen")
    other = await form.post(run_url, kari, as_user=per.user_id)
    assert other.status_code == 403 and MARKER not in other.text


async def test_a_text_answer_and_a_note_are_corrected_on_the_web(bot, form):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/evaluering AB")
    await run_in_form(form, kari, word="Først")
    await kari.tap("Se svarene")
    run_url = kari.web_app_url("📄 Les og rett svarene")
    page = await form.post(run_url, kari)
    assert "Rett svaret" in page.text and "Rett notatet" in page.text
    number = page_text(page).split("Rett svaret")[0].count("Rett notatet") + 1
    edit = await form.post(run_url, kari, {"action": "edit", "number": str(number)})
    assert edit.status_code == 200, page_text(edit)
    step_link = edit.text.split('action="')[1].split('"')[0]
    saved = await form.post(
        PUBLIC_URL + step_link, kari, {"action": "answer", "text": "Rettet æøå"}
    )
    assert "Svar lagret" in page_text(saved)
    note = await form.post(run_url, kari, {"action": "note", "number": "1"})
    step_link = note.text.split('action="')[1].split('"')[0]
    await form.post(PUBLIC_URL + step_link, kari, {"action": "answer", "text": "Nytt notat"})
    again = page_text(await form.post(run_url, kari))
    assert "Rettet æøå" in again and "Nytt notat" in again and "(endret)" in again
    [run] = await rows(bot, ConversationRun)
    assert run.status == "finished"


# ---- access ---------------------------------------------------------------------------


async def _at_first_question(bot, form):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    return kari, kari.web_app_url(WRITE)


async def _refused(form, url, chat, caplog, status, words, **kw):
    before = len(await rows(form.bot, Answer))
    with caplog.at_level(logging.WARNING, logger="web.app"):
        response = await form.post(
            url, chat, {"action": "answer", "text": "Skal ikke lagres"}, **kw
        )
    assert response.status_code == status, page_text(response)
    assert words in page_text(response) and "Ingenting er lagret" in page_text(response)
    assert "web form refused" in caplog.text
    caplog.clear()
    assert len(await rows(form.bot, Answer)) == before
    return response


async def test_forged_expired_and_other_users_init_data_are_refused(bot, form, caplog):
    kari, url = await _at_first_question(bot, form)
    forged = init_data(bot, kari.user_id, token="123:not-the-bot-token")
    await _refused(form, url, kari, caplog, 401, "kunne ikke bekrefte", init=forged)
    await _refused(
        form,
        url,
        kari,
        caplog,
        401,
        "kunne ikke bekrefte",
        init=init_data(bot, kari.user_id).replace("hash=", "hash=0"),
    )
    old = init_data(bot, kari.user_id, age=timedelta(hours=2))
    await _refused(form, url, kari, caplog, 401, "for gammel", init=old)
    await _refused(form, url, kari, caplog, 401, "må åpnes fra knappen", init="")
    per = await bot.registered_user("Per Olsen")
    await _refused(form, url, kari, caplog, 403, "annen bruker", as_user=per.user_id)
    await _refused(form, url.replace("/skjema/", "/skjema/x"), kari, caplog, 404, "ugyldig")


async def test_a_step_link_works_once_and_only_for_its_step(bot, form, caplog):
    kari, first = await _at_first_question(bot, form)
    await kari.tap("Hopp over")
    # The first question was skipped: its link is for a step that is no longer open.
    await _refused(form, first, kari, caplog, 409, "allerede besvart")
    second = kari.web_app_url(WRITE)
    assert (
        await form.post(second, kari, {"action": "answer", "text": "Én gang"})
    ).status_code == 200
    await _refused(form, second, kari, caplog, 409, "allerede besvart")
    # The open step of AB, after the koordinator went on to another case (CD).
    ab = kari.web_app_url(WRITE)
    await create_case(kari, "CD")
    await kari.send("/kartlegging CD")
    assert "CD" in kari.last_text
    await _refused(form, ab, kari, caplog, 409, "allerede besvart")


async def test_after_handover_close_or_deactivation_the_link_is_refused(bot, form, caplog):
    kari, url = await _at_first_question(bot, form)
    per = await bot.registered_user("Per Olsen")
    async with bot.services.db.session() as s:
        per_id = (
            await s.execute(
                text("SELECT id FROM koordinator WHERE telegram_user_id = :u"), {"u": per.user_id}
            )
        ).scalar_one()
        await s.execute(text('UPDATE "case" SET koordinator_id = :k'), {"k": per_id})
    await _refused(form, url, kari, caplog, 403, "ikke tilgang til denne saken")
    async with bot.services.db.session() as s:
        back = (
            'UPDATE "case" SET koordinator_id = '
            "(SELECT id FROM koordinator WHERE telegram_user_id = :u)"
        )
        await s.execute(text(back), {"u": kari.user_id})
        await s.execute(text("UPDATE \"case\" SET status = 'closed'"))
    await _refused(form, url, kari, caplog, 409, "avsluttet")
    async with bot.services.db.session() as s:
        await s.execute(text("UPDATE \"case\" SET status = 'active'"))
        await s.execute(
            text("UPDATE koordinator SET active = false WHERE telegram_user_id = :u"),
            {"u": kari.user_id},
        )
    await _refused(form, url, kari, caplog, 403, "deaktivert")


async def test_a_fodselsnummer_in_the_form_is_refused_and_not_stored(bot, form):
    kari, url = await _at_first_question(bot, form)
    number = "010101501" + (check_digits("010101501") or "")
    response = await form.post(url, kari, {"action": "answer", "text": f"Nummer {number}"})
    assert response.status_code == 422
    assert "fødselsnummer" in page_text(response) and number in response.text
    assert await rows(bot, Answer) == []


async def test_the_evaluation_links_to_the_goals_words_in_the_form(bot, form):
    # Issue 13: the evaluation shows goals and tiltak by number; their words are one
    # tap away in the form, never in the chat.
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    await run_in_form(form, kari)
    replies = await kari.send("/evaluering AB")
    assert "• Mål 1" in replies[0] and "(knappen under)" in replies[0]
    assert MARKER not in replies[0]
    [intro] = [m for m in kari.bot_messages() if "Dette evalueres" in m.text]
    [url] = [b["web_app"]["url"] for row in intro.keyboard for b in row if "web_app" in b]
    page = await form.post(url, kari)
    assert MARKER in page_text(page)
