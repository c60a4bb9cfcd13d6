"""What the conversation service answers: plain values the edge renders. Nothing here
knows Telegram; a second channel (a web form) reads the same values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.conversations.model import Step

Phase = str  # "step" | "add_item" | "note" | "time" | "confirm_day"


@dataclass(frozen=True)
class Question:
    """The question on screen now, with everything needed to show it."""

    run_id: int
    token: int
    case_id: int
    alias: str
    title: str
    step: Step
    phase: Phase
    text: str
    help: str
    index: int
    total: int
    items: tuple[tuple[str, int], ...]
    item: str = ""
    number: int = 0
    suggestion: date | None = None
    day: date | None = None
    selected: tuple[str, ...] = ()
    can_back: bool = False
    editing: bool = False
    # How this step is answered: chat (typed or buttons), form (the web form) or off
    # (free text off: marks instead).
    answer_by: str = "chat"
    path: str = ""  # the position answered (the step's, or the noted step's)
    # A typed day that is past, a weekend or a holiday, asked about («confirm_day»).
    pending_day: date | None = None
    concern: str = ""


@dataclass(frozen=True)
class Invalid:
    """The answer could not be used; `reason` names a template under `errors/`."""

    reason: str
    detail: dict[str, Any]
    question: Question


@dataclass(frozen=True)
class Finished:
    """The run is complete; `deadlines` are the dated answers and meeting it made."""

    run_id: int
    case_id: int
    alias: str
    title: str
    outro: str
    deadlines: list[tuple[str, date, tuple[int, ...]]]  # (kind, day, item numbers)
    propose_close: bool
    tidy: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Paused:
    title: str
    alias: str


@dataclass(frozen=True)
class Offer:
    """An unfinished run of this kind exists: continue it or start again? Or, for a
    conversation held once (`finished_run` set), it was held on `started`: start anew?"""

    case_id: int
    kind: str
    alias: str
    title: str
    started: date | None
    finished_run: int | None = None


@dataclass(frozen=True)
class Gone:
    """Nothing to answer: `reason` is not_open, case_closed, not_found or form_open."""

    reason: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SummaryLine:
    path: str
    items: list[str]
    question: str
    kind: str
    step: Step
    value: Any
    skipped: bool
    note: str | None
    changed: bool


@dataclass(frozen=True)
class Summary:
    run_id: int
    kind: str
    case_id: int
    alias: str
    title: str
    status: str
    started: date | None
    finished: date | None
    lines: list[SummaryLine]


@dataclass(frozen=True)
class RunItem:
    run_id: int
    title: str
    started: date | None
    status: str
    # Among runs that read alike (kind, day, status), which one (oldest is 1); 0 alone.
    number: int = 0


@dataclass(frozen=True)
class EvaluatedTiltak:
    """A tiltak under evaluation as the chat shows it: its place, date and status,
    never what it is (the chat carries structure; the text stays in the run)."""

    goal: int
    number: int
    due: date | None
    status: str | None  # the deadline's status (open, done, dismissed), None undated


@dataclass(frozen=True)
class Evaluated:
    """What an evaluation looks at, from the latest finished kartlegging (`run_id`):
    each goal by number with its tiltak, and the life areas put off «Senere» there
    (their step ids; label group `life_area`)."""

    run_id: int
    goals: tuple[tuple[int, tuple[EvaluatedTiltak, ...]], ...]
    later: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    """What happened, in order: `events` to tell (note_saved, corrected, intro,
    resumed, paused_other), then the thing to show."""

    then: Question | Invalid | Finished | Paused | Offer | Gone | Summary
    events: tuple[str, ...] = ()
    intro: str = ""
    title: str = ""
    alias: str = ""
    moment: datetime | None = None
    # The answer a button gave (step, value, skipped), to leave under the question.
    answered: tuple[Step, Any, bool] | None = None
    # What an evaluation evaluates, shown with its intro.
    evaluated: Evaluated | None = None
