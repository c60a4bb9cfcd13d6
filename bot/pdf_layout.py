"""The layout of the case summary PDF (`bot.export_pdf`): A4 pages in DejaVu Sans, the
template's HTML laid out by fpdf2's `write_html`, the footer on every page. Only layout
lives here; every word comes from the template. Imported on the first export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path

import matplotlib
from fpdf import FPDF, TextStyle
from fpdf.html import HTML2FPDF

FAMILY = "DejaVu"
BODY_SIZE_PT = 10
FOOTER_SIZE_PT = 7.5
MARGIN_MM = 18
FOOTER_TOP_MM = 26  # the footer's rule, measured from the bottom edge of the page
INK = "#1f2a44"
GREY = (90, 90, 90)


@cache
def font_files() -> dict[str, Path]:
    """DejaVu Sans as shipped with matplotlib, by fpdf2 style ("", "B", "I", "BI")."""
    directory = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    suffixes = {"": "", "B": "-Bold", "I": "-Oblique", "BI": "-BoldOblique"}
    return {style: directory / f"DejaVuSans{suffix}.ttf" for style, suffix in suffixes.items()}


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


def lay_out(
    html: str,
    *,
    title: str,
    notice: str,
    page_of: Callable[[int, str], str],
    created: datetime,
) -> bytes:
    """The rendered template `html` as PDF bytes."""
    pdf = _SummaryPdf(notice, page_of)
    pdf.set_title(title)
    pdf.set_creator("Koordinatorbot")
    pdf.set_creation_date(created)
    pdf.add_page()
    pdf.write_html(
        html,
        font_family=FAMILY,
        tag_styles=TAG_STYLES,
        li_prefix_color=GREY,
        table_line_separators=True,
    )
    return bytes(pdf.output())
