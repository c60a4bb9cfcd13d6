"""The chaos suite prints its table at the end of the pytest run (no `-s` needed)."""

from __future__ import annotations

from typing import Any

from tests.chaos.tally import RESULTS, table


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not RESULTS:
        return
    terminalreporter.section("chaos suite")
    terminalreporter.write_line(table(RESULTS))
