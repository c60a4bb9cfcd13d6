"""The case summary as a PDF, for filing in the journal or plan tool (`/eksport <alias>`).

The caller fills a `CaseSummary` with plain values; `render_case_pdf` renders the
template `export/case_pdf.html.j2` (every word, the metadata title and the footer come
from there) and lays the HTML out with fpdf2's `write_html` in DejaVu Sans, so that
æ, ø, å, «», – and • all print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cache
from pathlib import Path

import jinja2
import matplotlib
from fpdf import FPDF, TextStyle
from fpdf.html import HTML2FPDF
from markupsafe import Markup

TEMPLATE = "export/case_pdf.html.j2"
FAMILY = "DejaVu"
BODY_SIZE_PT = 10
FOOTER_SIZE_PT = 7.5
MARGIN_MM = 18
FOOTER_TOP_MM = 26  # the footer's rule, measured from the bottom edge of the page
INK = "#1f2a44"
GREY = (90, 90, 90)


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


@cache
def font_files() -> dict[str, Path]:
    """DejaVu Sans as shipped with matplotlib, by fpdf2 style ("", "B", "I", "BI")."""
    directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    suffixes = {"": "", "B": "-Bold", "I": "-Oblique", "BI": "-BoldOblique"}
    return {style: directory / f"DejaVuSans{suffix}.ttf" for style, suffix in suffixes.items()}


# Only layout lives here; the words are in the template.
TAG_STYLES = {
    "h1": TextStyle(font_size_pt=17, color=INK, t_margin=0, b_margin=0.3),
    "h2": TextStyle(font_size_pt=13, color=INK, t_margin=5, b_margin=0.3),
    "h3": TextStyle(font_size_pt=11, color=INK, t_margin=4, b_margin=0.2),
    "li": TextStyle(l_margin=5, t_margin=1, b_margin=1.8),
    "ul": TextStyle(t_margin=0),
}


class _Html(HTML2FPDF):
    """fpdf2's HTML parser, forgetting each paragraph once it is on the page.

    fpdf2 (2.8.9) keeps every paragraph of a write_html call and re-runs line breaking over
    all of them each time one ends, which is quadratic: a 200-answer summary took twice
    as long. The output is byte for byte the same.
    """

    def _end_paragraph(self) -> None:
        rendering = self._paragraph is not None
        super()._end_paragraph()
        done = getattr(self._column, "_paragraphs", None)
        if rendering and isinstance(done, list):
            done.clear()


class _SummaryPdf(FPDF):
    """A4 pages in DejaVu Sans with the template's footer on every page."""

    HTML2FPDF_CLASS = _Html

    def __init__(self, notice: str, page_of: Callable[[int, str], str]) -> None:
        super().__init__(format="A4", unit="mm")
        self._notice = notice
        self._page_of = page_of
        for style, path in font_files().items():
            self.add_font(FAMILY, style, str(path))
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(True, margin=FOOTER_TOP_MM + 4)
        self.set_font(FAMILY, size=BODY_SIZE_PT)

    def footer(self) -> None:
        self.set_y(-FOOTER_TOP_MM)
        self.set_draw_color(*GREY)
        self.set_line_width(0.2)
        self.line(self.l_margin, self.y, self.w - self.r_margin, self.y)
        self.ln(1.2)
        self.set_font(FAMILY, size=FOOTER_SIZE_PT)
        self.set_text_color(*GREY)
        self.multi_cell(0, 3.3, self._notice, align="L", new_x="LMARGIN", new_y="NEXT")
        self.cell(0, 4, self._page_of(self.page_no(), self.str_alias_nb_pages), align="R")


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

    pdf = _SummaryPdf(_plain(exported["footer_notice"]), page_of)
    pdf.set_title(_plain(exported["pdf_title"]))
    pdf.set_creator("Koordinatorbot")
    pdf.set_creation_date(summary.generated_at)
    pdf.add_page()
    pdf.write_html(
        str(module),
        font_family=FAMILY,
        tag_styles=TAG_STYLES,
        li_prefix_color=GREY,
        table_line_separators=True,
    )
    return bytes(pdf.output())


def _plain(markup: Markup | str) -> str:
    """Template output as plain text for PDF strings: tags dropped, entities decoded,
    whitespace collapsed."""
    return Markup(markup).striptags()
