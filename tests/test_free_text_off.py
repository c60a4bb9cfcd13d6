"""KOORDBOT_FREE_TEXT=off: no free text at all. A free-text question is answered with a
mark («Kartlagt», «Ført i planen», «Tas senere»), notes are not asked, and all four
conversations, the PDF and the statistics work with structure only."""

from __future__ import annotations

from io import BytesIO

import pytest
from pypdf import PdfReader

from bot.settings import Settings
from storage.models import Answer, ConversationRun, Deadline, Meeting
from tests.harness import rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_conversations import answer_current

MARKS = ("Kartlagt", "Ført i planen", "Tas senere")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"free_text": "off"})


async def run_with_structure_only(chat) -> None:
    """Answer until the end; a free-text question gets «Ført i planen»."""
    for _ in range(200):
        last = chat.last_text
        if "svarene er lagret" in last:
            return
        assert "Skriv svaret ditt" not in last and "kort notat" not in last
        if "Fritekst er slått av" in last:
            assert set(MARKS) <= set(chat.buttons())
            await chat.tap("Ført i planen")
        else:
            await answer_current(chat)
    raise AssertionError(f"conversation did not end: {chat.last_text!r} {chat.buttons()}")


async def test_all_four_conversations_end_with_structure_only(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    for command in ("/oppstart", "/kartlegging", "/evaluering", "/mote"):
        await kari.send(f"{command} AB")
        await run_with_structure_only(kari)
    runs = await rows(bot, ConversationRun)
    assert sorted(r.kind for r in runs) == ["evaluering", "kartlegging", "mote", "oppstart"]
    assert all(r.status == "finished" for r in runs)
    answers = await rows(bot, Answer)
    marks = [a.value for a in answers if isinstance(a.value, dict)]
    assert marks and all(m == {"mark": "i_planen", "label": "Ført i planen"} for m in marks)
    assert all(a.note is None for a in answers)
    # Goals and tiltak still become deadlines; the meeting is planned.
    assert any(d.kind == "tiltak" for d in await rows(bot, Deadline))
    [meeting] = await rows(bot, Meeting)
    assert meeting.place == "Ført i planen"

    await kari.send("/eksport AB")
    document = kari.last.document
    assert document is not None
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(document[1])).pages)
    assert "Ført i planen" in text and "Kartlegging" in text

    anne = bot.admin()
    replies = await anne.send("/statistikk")
    assert replies and not any("noe gikk galt" in r.lower() for r in replies)


async def test_typed_text_is_refused_and_nothing_is_stored(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    await kari.tap("Neste") if "Neste" in kari.buttons() else None
    assert "Fritekst er slått av" in kari.last_text
    replies = await kari.send("Helsen er dårlig")
    assert any("knappene" in r for r in replies)
    assert not [a for a in await rows(bot, Answer) if "dårlig" in str(a.value)]
