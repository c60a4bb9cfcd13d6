"""What tells two deadlines of one case apart, without content.

A tiltak is named by its place in the kartlegging («Tiltak 2 · Mål 1»), never by what
it says; a deadline added by hand («Annen frist», a custom transition) by the short
label the koordinator gave it (warned: no health details). The words themselves are
the template `deadlines/name.j2`.
"""

from __future__ import annotations

import re

from storage.enums import DeadlineSource

# The kinds a koordinator names when adding one by hand.
LABELLED_KINDS = frozenset({"manuell", "egen_overgang"})
LABEL_MAX_LENGTH = 40

_ITEM = re.compile(r"#(\d+)")


def item_numbers(source: str | None, source_ref: str | None) -> tuple[int, ...]:
    """The item numbers of a deadline that comes from a repeated item of a conversation,
    outermost first: `run:5:maal#1/tiltak#2/tiltak_frist` → (1, 2); () otherwise."""
    if source != DeadlineSource.SAMTALE or not source_ref:
        return ()
    return path_numbers(source_ref)


def path_numbers(path: str) -> tuple[int, ...]:
    """The item numbers in an answer's path: `maal#1/tiltak#2/tiltak_frist` → (1, 2)."""
    return tuple(int(n) for n in _ITEM.findall(path))


def short_label(kind: str, source: str | None, title: str | None) -> str | None:
    """The label a koordinator gave a deadline added by hand (None for every other:
    a tiltak's title is its content and is never shown)."""
    if source != DeadlineSource.MANUAL or kind not in LABELLED_KINDS or not title:
        return None
    return title
