"""An answer as the koordinator reads it: the one wording for the chat, the web form
and the PDF."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversations.model import Step
from messages import Texts


def is_mark(value: Any) -> bool:
    """True for a mark given instead of free text (KOORDBOT_FREE_TEXT=off)."""
    return isinstance(value, dict) and "mark" in value


def written(value: Any) -> str:
    """An answer as text: a mark's label, or the value itself."""
    if is_mark(value):
        return str(value.get("label") or value["mark"])
    return str(value)


def shown(texts: Texts, zone: ZoneInfo, step: Step, value: Any, skipped: bool = False) -> str:
    """The display text of an answer (labels for codes, dates in words, marks' labels)."""
    if skipped or value is None:
        return texts.button("skipped")
    if step.kind == "checklist":
        return dict(texts.labels("checklist")).get(value, str(value))
    if step.kind == "choice":
        return step.option(value).label if step.has_option(value) else str(value)
    if step.kind == "multi":
        labels = [o.label for o in step.options if o.value in set(value)]
        return ", ".join(labels) or texts.button("none")
    if step.kind == "date":
        return texts.long_date(datetime.fromisoformat(value).date())
    if step.kind == "datetime":
        moment = datetime.fromisoformat(value).astimezone(zone)
        return str(texts.render("conv/datetime", day=moment.date(), time=moment.strftime("%H:%M")))
    return written(value)
