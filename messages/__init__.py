"""Every word the bot says: Jinja2 templates and label lists per language.

`Texts` is the one way to turn a template name and values into a message; handlers
and exports use it, nothing else builds user-facing sentences.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

import jinja2
import yaml
from babel.dates import format_date
from markupsafe import Markup

ROOT = Path(__file__).parent
DEFAULT_LOCALE = "nb"
# What the municipality calls its koordinerende enhet unless a setting says otherwise
# (koordinerende team in Skaun, KTK in Vestre Toten).
DEFAULT_KE_NAME = "koordinerende enhet"


class Texts:
    """Templates and labels for one locale (bokmål by default)."""

    def __init__(self, locale: str = DEFAULT_LOCALE) -> None:
        self.locale = locale
        self.directory = ROOT / locale
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.directory / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self.env.filters.update(
            dato=format_short_date,
            langdato=self.long_date,
            dagdato=self.day_and_date,
            maaned=self.month_year,
            label=self.label,
            antall=count_of,
            stor=capitalised,
        )
        self.env.globals["label"] = self.label
        self.env.globals["month_year"] = self.month_year
        self.env.globals["slutt"] = full_stop_after
        self.set_ke_name(DEFAULT_KE_NAME)

    def set_ke_name(self, name: str) -> None:
        """The KE's name in every text: `{{ ke }}`, or `{{ ke|stor }}` to start a sentence."""
        self.env.globals["ke"] = name

    @property
    def ke_name(self) -> str:
        """What the municipality calls its koordinerende enhet."""
        return str(self.env.globals["ke"])

    @cached_property
    def _labels(self) -> dict[str, dict[str, str]]:
        with (self.directory / "labels.yaml").open(encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        return {group: {str(k): str(v) for k, v in items.items()} for group, items in data.items()}

    def render(self, name: str, /, **values: Any) -> Markup:
        """Render `templates/<name>.j2` and trim surrounding whitespace.

        The result is autoescaped HTML, marked safe so that it can be placed inside
        another template without being escaped twice."""
        return Markup(self.env.get_template(f"{name}.j2").render(**values).strip())

    def label(self, value: Any, group: str) -> str:
        """The display label of `value` in a label group, e.g. label('ip', 'level')."""
        if value is None:
            return self._labels["misc"]["unknown"]
        return self._labels[group].get(str(value), str(value))

    def labels(self, group: str) -> list[tuple[str, str]]:
        """All (value, label) pairs of a group, in file order."""
        return list(self._labels[group].items())

    def button(self, name: str) -> str:
        """The label of a common button (Ja, Avbryt, Hopp over ...)."""
        return self._labels["buttons"][name]

    def long_date(self, value: date | None) -> str:
        """'5. mars 2027'."""
        if value is None:
            return self._labels["misc"]["unknown"]
        return format_date(value, "d. MMMM y", locale=self.locale)

    def day_and_date(self, value: date | None) -> str:
        """'fredag 4. desember 2026': how a typed date is read back."""
        if value is None:
            return self._labels["misc"]["unknown"]
        return format_date(value, "EEEE d. MMMM y", locale=self.locale)

    def month_year(self, year: int | None, month: int | None = None) -> str:
        """'mars 2016', or just the year when the month is unknown."""
        if year is None:
            return self._labels["misc"]["unknown"]
        if month is None:
            return str(year)
        return format_date(date(year, month, 1), "MMMM y", locale=self.locale)


def count_of(number: int | str, one: str, many: str) -> str:
    """'1 sak', '2 saker', '0 saker', 'under 5 saker': the one place a count meets its
    noun (statistics pass a count that may already read «under 5»)."""
    return f"{number} {one if str(number) == '1' else many}"


def full_stop_after(text: str) -> str:
    """The full stop after a sentence that ends in `text`, unless `text` already ends in
    one ('A.B.' → '', 'AB' → '.'): `<b>{{ alias }}</b>{{ slutt(alias) }}`."""
    return "" if str(text).rstrip().endswith((".", "!", "?")) else "."


def capitalised(text: str) -> str:
    """First letter upper case, the rest as it is ('koordinerende team' → 'Koordinerende
    team', 'KTK' stays 'KTK'; Jinja's `capitalize` would lower the rest)."""
    return text[:1].upper() + text[1:]


def format_short_date(value: date | None) -> str:
    """'05.03.2027'."""
    return "" if value is None else value.strftime("%d.%m.%Y")
