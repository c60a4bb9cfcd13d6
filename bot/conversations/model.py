"""The shape of a dialogue definition once loaded: a definition, its steps and their
options. Loading and checking the files is `definitions`."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class QuestionnaireError(ValueError):
    """A questionnaire file that cannot be used; `str()` names the file and the step."""

    def __init__(self, path: Path, step_id: str | None, reason: str) -> None:
        self.path = Path(path)
        self.step_id = step_id
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path.name
        if self.step_id is not None:
            where += f", step '{self.step_id}'"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Option:
    """One button of a choice or multi step: a stored `value` and a shown `label`."""

    value: str
    label: str
    role: str | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a conversation; fields that do not apply to its kind keep defaults.

    `text`, `help` are Jinja2 templates and `when` a Jinja2 expression, all with
    `case` and `answers` in their context. `max_length` is set for text steps (1000
    unless the file says otherwise) and `max_items` for groups (10 by default).
    """

    id: str
    kind: str
    text: str
    help: str | None = None
    note: bool = True
    when: str | None = None
    options: tuple[Option, ...] = ()
    max_length: int | None = None
    check: str = "free"
    min: int | None = None
    max: int | None = None
    default: str | None = None
    deadline: str | None = None
    today_button: bool = False
    quick: bool = True
    range: str = "any"
    check_day: bool = False  # a past day, a weekend or a holiday is asked about
    month: bool = False  # «august 2033» means the first working day of the month
    role: str | None = None
    optional: bool = False
    item: str | None = None
    max_items: int | None = None
    steps: tuple[Step, ...] = ()

    def walk(self) -> Iterator[Step]:
        """This step, then every step nested under it, depth first."""
        yield self
        for child in self.steps:
            yield from child.walk()

    def option(self, value: str) -> Option:
        """The option with this stored value (KeyError if there is none)."""
        for opt in self.options:
            if opt.value == value:
                return opt
        raise KeyError(value)

    def has_option(self, value: str) -> bool:
        return any(opt.value == value for opt in self.options)

    def match(self, text: str) -> Option | None:
        """The option whose value or label was typed (case and spacing ignored)."""
        wanted = " ".join(text.split()).casefold()
        for opt in self.options:
            if wanted in (opt.value.casefold(), opt.label.casefold()):
                return opt
        return None


@dataclass(frozen=True, slots=True)
class Questionnaire:
    """A whole conversation as loaded from one file. Iterating yields every step,
    nested group steps included, in file order."""

    id: str
    title: str
    intro: str
    outro: str
    steps: tuple[Step, ...]
    path: Path

    def __iter__(self) -> Iterator[Step]:
        for step in self.steps:
            yield from step.walk()

    def find(self, step_id: str) -> Step:
        """The step with this id at any depth (KeyError if there is none)."""
        for step in self:
            if step.id == step_id:
                return step
        raise KeyError(step_id)

    def with_role(self, role: str) -> Step | None:
        """The step that plays `role` in this dialogue, if any."""
        return next((step for step in self if step.role == role), None)

    def option_with_role(self, role: str) -> tuple[Step, Option] | None:
        """The option (and its step) that plays `role`, if any."""
        for step in self:
            for opt in step.options:
                if opt.role == role:
                    return step, opt
        return None

    def parent_of(self, step_id: str) -> Step | None:
        """The group that directly holds `step_id`, or None for a top-level step."""
        for step in self:
            if any(child.id == step_id for child in step.steps):
                return step
        if any(step.id == step_id for step in self.steps):
            return None
        raise KeyError(step_id)
