"""Whatever a koordinator types as an alias, the bot answers in Norwegian and never
breaks: a case is stored with a clean alias, or the question is asked again."""

from __future__ import annotations

import asyncio
import shutil
from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.clock import ManualClock
from bot.rules.fnr import find_fnr
from bot.settings import load_settings
from storage.crypto import Cipher
from storage.models import Case, DialogState
from tests.conftest import ADMIN_ID, OSLO, TEST_KEY
from tests.harness import TestBot
from tests.test_fnr import hidden_numbers

texts = st.one_of(
    st.text(min_size=1, max_size=60),
    hidden_numbers().map(lambda pair: pair[1]),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=4096),
    st.sampled_from(
        [
            "<b>",
            "&amp;",
            "A&B",
            "</i>",
            "\u202eAB",
            "\x00AB",
            "  ",
            "AB\nCD",
            "Ola Nordmann",
            "a" * 33,
            "😀",
            "/",
            "ÆØÅ",
            "15076500565",
        ]
    ),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(alias=texts)
def test_any_alias_text_gets_a_clear_answer(alias, sqlite_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("prop")
    target = folder / "db.sqlite3"
    shutil.copy(sqlite_template, target)
    asyncio.run(_alias_round(alias, f"sqlite+aiosqlite:///{target}", folder))


async def _alias_round(alias: str, url: str, folder) -> None:
    bot = TestBot(
        settings=load_settings(
            database_url=url,
            admin_ids=str(ADMIN_ID),
            encryption_key=TEST_KEY,
            local_key_file=folder / "k",
            # The stand-in keeps no pace; the sending pace has tests of its own.
            send_per_chat_seconds=0.0,
            send_per_second=1000.0,
        ),
        cipher=Cipher(TEST_KEY),
        clock=ManualClock(datetime(2026, 11, 24, 9, tzinfo=OSLO)),
    )
    await bot.start()
    try:
        kari = await bot.registered_admin()
        await kari.send("/ny")
        replies = await kari.send(alias)
        assert replies, "the bot must answer"
        assert not any("noe gikk galt" in r.lower() for r in replies)
        assert bot.telegram.rejected == []
        async with bot.services.db.session() as s:
            state = await s.get(DialogState, kari.user_id)
            cases = (await s.scalars(select(Case))).all()
        assert cases == []
        if find_fnr(alias):
            assert "fødselsnummer" in replies[0] and state.step == "alias"
            assert find_fnr(str(state.data)) is None
        elif state.step == "alias":
            assert "kortnavn" in replies[-1].lower()
        else:
            assert state.step in ("role", "alias_confirm")
            stored = state.data.get("values", {}).get("alias") or state.data.get("pending_alias")
            assert stored and len(stored) <= 32 and stored == stored.strip()
    finally:
        await bot.stop()
