"""Local mode shows the whole product: a newcomer types into the terminal, moves the
clock to the oppstart deadline, sees the reminder and presses Utført; messages to the
other test user, pop-up answers, earlier messages' buttons and inline lookup show too."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from bot.settings import load_settings
from koordbot.local import parse_jump, run_local
from tests.conftest import OSLO

Line = str | Callable[[str], str]


class Typist:
    """Stdin for local mode: each line is typed once the bot has answered the one
    before (a line may be computed from the screen so far, e.g. an invitation code)."""

    def __init__(self, lines: list[Line], screen: io.StringIO) -> None:
        self.lines = list(lines)
        self.screen = screen

    def readline(self) -> str:
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        return (line(self.screen.getvalue()) if callable(line) else line) + "\n"


NEW_CASE = ["/ny", "AB", "2", "4", "03.2016", "2", "2", "1"]  # ... Barneskole, I dag


async def local(tmp_path: Path, lines: list[Line]) -> str:
    screen = io.StringIO()
    settings = load_settings(
        _env_file=None,
        database_url=f"sqlite+aiosqlite:///{tmp_path}/local.sqlite3",
        local_key_file=tmp_path / "local.key",
    )
    assert await run_local(settings, stdin=Typist(lines, screen), out=screen) == 0
    return screen.getvalue()


def invitation_code(screen: str) -> str:
    return re.findall(r"/start ([\w-]+) til boten", screen)[-1]


def message_number(screen: str, text: str) -> str:
    """The number local mode printed before the first bot message starting with `text`."""
    return re.findall(rf"bot (\d+) › {re.escape(text)}", screen)[0]


async def test_create_a_case_jump_to_the_oppstart_deadline_and_press_utfort(
    tmp_path: Path,
) -> None:
    screen = await local(
        tmp_path,
        [*NEW_CASE, "!tid +14d", "1", "/neste"],
    )
    assert "Saken AB er registrert" in screen
    jump = screen.index("(klokka er nå ")
    reminder = re.search(r"bot (\d+) › [⏰⚠️]+ AB: Oppstartsamtale", screen[jump:])
    assert reminder, screen[jump:]
    assert "[1] ✅ Utført   [2] Åpne sak" in screen[jump:]
    assert re.search(
        rf"bot {reminder.group(1)} \(endret\) › .*\n.*\n✅ Oppstartsamtale for AB: utført", screen
    )
    assert "AB: Evaluering" in screen[screen.rindex("Neste frist per sak") :]


async def test_other_users_pop_ups_earlier_buttons_and_inline_lookup(tmp_path: Path) -> None:
    screen = await local(
        tmp_path,
        [
            *NEW_CASE,
            "@bot AB",
            "/invitasjon",
            "!bruker 2",
            lambda s: f"/start {invitation_code(s)}",
            "Per Testbruker",
            "1",  # tjenestested Skole
            *["/ny", "CD", *NEW_CASE[2:]],  # a case of their own: the KE is told
            "!bruker 1",
            # Avbryt under the admin's first question of /ny, long since answered.
            lambda s: f"{message_number(s, '1/7 Hvilket kortnavn')}.1",
        ],
    )
    assert "inline › AB: " in screen and "Oppstartsamtale" in screen.split("inline › AB: ")[1]
    assert "(du er nå testbruker 2)" in screen
    assert re.search(r"bot \d+ → bruker 1 › ", screen), "a notice to the admin is shown"
    assert "bot (melding) › " in screen  # the pop-up of a button that no longer works


def test_jumps_in_the_clock() -> None:
    now = datetime(2026, 11, 30, 16, 5, tzinfo=OSLO)
    assert parse_jump("+3d", now, 8) == now + timedelta(days=3)
    assert parse_jump("+1u2t", now, 8) == now + timedelta(weeks=1, hours=2)
    assert parse_jump("2027-03-01 08:00", now, 8) == datetime(2027, 3, 1, 8, tzinfo=OSLO)
    assert parse_jump("01.03.2027", now, 8) == datetime(2027, 3, 1, 8, tzinfo=OSLO)
    for wrong in ("+3", "3d", "+3x", "i morgen", "2027-13-01"):
        assert parse_jump(wrong, now, 8) is None
