"""Statistics for the koordinerende enhet (`/statistikk`): figures, text, chart, CSV.

The figures a KE leader presents (as in the Skaun slides): active and inactive cases,
cases for ages 0-17 and 18+, new this year, cases per level and role, age and gender,
koordinator load per tjenestested, transitions ahead this year and overdue deadlines.

`facts.gather` reads plain facts from the database (`CaseFact`, `DeadlineFact`,
`KoordinatorFact`); `compute` turns them into raw `Statistics` and the renderers turn
those into a Telegram message (`render_text`), CSV (`figures_csv`, `cases_csv`) and a
PNG for a slide (`chart.render_chart`; import it when needed: matplotlib behind it
costs half a second and memory). Only `facts` touches SQL; nothing touches Telegram.

Decisions:
- Distributions (level, role, gender, arena, age) count **active** cases; "inactive" is
  paused + closed, as in the Skaun slide. Deadlines count only for active cases.
- Age is completed years today from birth month and year (`bot.rules.age.age_on`).
  Age groups 0-5, 6-12, 13-17, 18-25, 26-66, 67+: kindergarten, primary school,
  lower/upper secondary, young adults, working age, retirement age; 0-17 and 18+
  are the children/adults split of the slide.
- Small counts (1 up to `threshold` - 1) are replaced by "under {threshold}" when
  rendering, never in `compute`; 0 stays 0, and a threshold of 0 or 1 shows all. An
  average or ratio that rests on such a count is left out. Koordinator counts are not
  suppressed: they count staff, not the people who receive services. The chart draws a
  suppressed count as a hatched bar up to the threshold (the range it lies in) with
  the marker as its label. Totals are shown, so a suppressed count can at times be
  worked out by subtraction; the rule keeps single small numbers off slides, it is not
  full disclosure control.
- CSV: `;` separated with a decimal comma (what Excel expects in Norwegian locale),
  UTF-8 with a BOM so Excel reads æøå, dates as 05.03.2027. The case list holds codes
  turned into labels and ids only, no alias and no free text, and the birth year
  without the month.

Every word comes from `messages/<locale>/statistics.yaml` and the template
`statistics/text.j2`.
"""

from __future__ import annotations

from bot.statistics.compute import (
    AGE_GROUPS,
    DEFAULT_THRESHOLD,
    Load,
    Statistics,
    age_group,
    compute,
    is_small,
    suppress,
)
from bot.statistics.facts import CaseFact, DeadlineFact, Facts, KoordinatorFact, gather
from bot.statistics.figures import Figures, cases_csv, figures, figures_csv, render_text
from bot.statistics.report import Report, report

__all__ = [
    "AGE_GROUPS",
    "DEFAULT_THRESHOLD",
    "CaseFact",
    "DeadlineFact",
    "Facts",
    "Figures",
    "KoordinatorFact",
    "Load",
    "Report",
    "Statistics",
    "age_group",
    "cases_csv",
    "compute",
    "figures",
    "figures_csv",
    "gather",
    "is_small",
    "render_text",
    "report",
    "suppress",
]
