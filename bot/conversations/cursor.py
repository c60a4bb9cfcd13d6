"""Where a run stands: a typed value stored (encrypted) on the run, so a restart
resumes exactly there."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

MAX_TRACKED_MESSAGES = 500


@dataclass
class Cursor:
    """The position of a run and what is half-given at it.

    pos         path of the step on screen; None once every step is answered
    history     earlier positions, newest last, for «Tilbake»
    note_for    path of an answered checklist step whose note is being asked
    multi       options toggled so far on a multi-choice step
    day         the day of a date-and-time step, while its time is asked
    check_day   a typed day that is past, a weekend or a holiday, while «Bruke den
                likevel?» is asked; `concern` says which
    edit        a correction from the summary is open
    return_pos  where the run stood before the correction
    msgs        chat message ids of this run (tidy mode deletes them at the end)
    """

    pos: str | None = None
    history: list[str] = field(default_factory=list)
    note_for: str | None = None
    multi: list[str] = field(default_factory=list)
    day: str | None = None
    check_day: str | None = None
    concern: str | None = None
    edit: bool = False
    return_pos: str | None = None
    msgs: list[int] = field(default_factory=list)

    @classmethod
    def from_json(cls, raw: dict[str, Any] | None) -> Cursor:
        """Read a stored cursor; unknown keys (from older versions) are ignored."""
        raw = raw or {}
        return cls(
            pos=raw.get("pos"),
            history=list(raw.get("history") or []),
            note_for=raw.get("note_for"),
            multi=list(raw.get("multi") or []),
            day=raw.get("day"),
            check_day=raw.get("check_day"),
            concern=raw.get("concern"),
            edit=bool(raw.get("edit")),
            return_pos=raw.get("return_pos"),
            msgs=[int(m) for m in raw.get("msgs") or []],
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def day_value(self) -> date | None:
        return date.fromisoformat(self.day) if self.day else None

    def clear_partial(self) -> None:
        """Forget what was half-given at the current step."""
        self.note_for, self.multi, self.day = None, [], None
        self.check_day = self.concern = None

    def track(self, ids: list[int]) -> None:
        self.msgs = sorted(set(self.msgs) | set(ids))[-MAX_TRACKED_MESSAGES:]
