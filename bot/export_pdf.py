"""The case summary as a PDF, for filing in the journal or plan tool (`/eksport <alias>`).

The caller fills a `CaseSummary` with plain values; `render_case_pdf` renders the
template `export/case_pdf.html.j2` (every word, the metadata title and the footer come
from there) and `bot.pdf_layout` lays the HTML out with fpdf2's `write_html` in DejaVu
Sans, so that æ, ø, å, «», – and • all print.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

import jinja2
from markupsafe import Markup

TEMPLATE = "export/case_pdf.html.j2"


@dataclass(frozen=True)
class SummaryAnswer:
    """One answered step; depth 1 or 2 for answers inside goal/tiltak groups."""

    question: str
    answer: str
    note: str | None = None
    depth: int = 0


@dataclass(frozen=True)
class SummaryRun:
    """One run of a conversation (oppstartsamtale, kartlegging, evaluering, møte).

    `status` is a display label such as "Fullført" or "Pause".
    """

    title: str
    started_on: date
    finished_on: date | None
    status: str
    answers: tuple[SummaryAnswer, ...]


@dataclass(frozen=True)
class SummaryTiltak:
    """A tiltak under a goal: what, who is responsible, how, and its due or review date."""

    what: str
    responsible: str
    how: str | None
    due: date | None


@dataclass(frozen=True)
class SummaryGoal:
    """A goal from the kartlegging with its tiltak."""

    text: str
    tiltak: tuple[SummaryTiltak, ...]


@dataclass(frozen=True)
class SummaryDeadline:
    """A deadline with display labels for kind and status."""

    kind: str
    due: date
    status: str


@dataclass(frozen=True)
class SummaryMeeting:
    """A meeting; `starts_at` is aware and printed in the zone of `generated_at`."""

    kind: str
    starts_at: datetime
    place: str
    status: str


@dataclass(frozen=True)
class CaseSummary:
    """Everything the PDF shows, in the order it is shown; `generated_at` is aware
    (Europe/Oslo) and becomes the PDF's creation date."""

    alias: str
    facts: tuple[tuple[str, str], ...]
    runs: tuple[SummaryRun, ...]
    goals: tuple[SummaryGoal, ...]
    deadlines: tuple[SummaryDeadline, ...]
    meetings: tuple[SummaryMeeting, ...]
    koordinator: str
    generated_at: datetime


def render_case_pdf(summary: CaseSummary, env: jinja2.Environment) -> bytes:
    """The case summary as PDF bytes, rendered from `export/case_pdf.html.j2` in `env`
    (the bot's environment, `messages.Texts().env`, which autoescapes all case text).

    Besides the HTML body, the template exports `pdf_title`, `footer_notice` and the
    macro `page_of(page, pages)`, so every word in the file comes from the template.
    """
    zone = summary.generated_at.tzinfo
    meetings = tuple(replace(m, starts_at=m.starts_at.astimezone(zone)) for m in summary.meetings)
    local = replace(summary, meetings=meetings)
    module = env.get_template(TEMPLATE).make_module({"summary": local})
    exported = vars(module)  # the template's top-level {% set %} values and macros

    def page_of(page: int, pages: str) -> str:
        return _plain(exported["page_of"](page, pages))

    # The PDF stack (fpdf2, fontTools, matplotlib's fonts) is loaded on the first export,
    # not at start-up: it is most of the bot's import time and memory, and most processes
    # never export.
    from bot import pdf_layout

    return pdf_layout.lay_out(
        str(module),
        title=_plain(exported["pdf_title"]),
        notice=_plain(exported["footer_notice"]),
        page_of=page_of,
        created=summary.generated_at,
    )


def _plain(markup: Markup | str) -> str:
    """Template output as plain text for PDF strings: tags dropped, entities decoded,
    whitespace collapsed."""
    return Markup(markup).striptags()
