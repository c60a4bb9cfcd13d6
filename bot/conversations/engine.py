"""The conversation engine: where a run is, what comes next, and what a typed
answer means. Pure functions over a loaded `Questionnaire`; no Telegram, no SQL.

A position is a path through the questionnaire:
  `kontaktform`                 a top-level step
  `maal#1?`                     asking whether to add item 1 of group `maal`
  `maal#1/tiltak#2/tiltak_frist` a step inside item 2 of `tiltak` inside item 1 of `maal`
Answers are stored under the same paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jinja2

from bot.conversations.model import Questionnaire, Step


@dataclass(frozen=True)
class Pos:
    """A position: the group items we are inside, and the step (None = 'add item?')."""

    frames: tuple[tuple[str, int], ...]
    step: str | None

    @property
    def path(self) -> str:
        parts = [f"{g}#{k}" for g, k in self.frames]
        if self.step is None:
            return "/".join(parts) + "?"
        return "/".join([*parts, self.step])

    @classmethod
    def parse(cls, path: str) -> Pos:
        asking = path.endswith("?")
        parts = path.rstrip("?").split("/")
        frames: list[tuple[str, int]] = []
        items = parts if asking else parts[:-1]
        for part in items:
            group, _, number = part.partition("#")
            frames.append((group, int(number)))
        return cls(tuple(frames), None if asking else parts[-1])

    @property
    def item_number(self) -> int:
        return self.frames[-1][1] if self.frames else 0


@dataclass(frozen=True)
class CaseFacts:
    """What questionnaire texts and conditions may know about the case."""

    alias: str
    age: int | None  # the lowest possible age: what rights are decided by
    role: str
    level: str
    arena: str | None
    age_max: int | None = None  # the highest possible age (birth day or month unknown)

    @property
    def is_child(self) -> bool:
        return self.age is not None and self.age < 18

    @property
    def may_have_turned_16(self) -> bool:
        """16 is possible but not certain: the consent texts say to check."""
        return (
            self.age is not None
            and self.age < 16
            and self.age_max is not None
            and self.age_max >= 16
        )


class Engine:
    """Navigation and conditions for one questionnaire and one case."""

    def __init__(
        self, questionnaire: Questionnaire, env: jinja2.Environment, case: CaseFacts
    ) -> None:
        self.q = questionnaire
        self.env = env
        self.case = case
        self._conditions: dict[str, Any] = {}

    # ---- what is where --------------------------------------------------------------
    def step_at(self, pos: Pos) -> Step:
        """The step at `pos`; for an 'add item?' position, the group itself."""
        if pos.step is None:
            return self.q.find(pos.frames[-1][0])
        return self.q.find(pos.step)

    def _container(self, frames: tuple[tuple[str, int], ...]) -> tuple[Step, ...]:
        if not frames:
            return self.q.steps
        return self.q.find(frames[-1][0]).steps

    def scope(
        self, frames: tuple[tuple[str, int], ...], answers: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Answers by step id as seen from inside `frames` (inner items win)."""
        flat = {p: v for p, v in answers.items() if "/" not in p and "#" not in p}
        prefix = ""
        for group, number in frames:
            prefix = f"{prefix}{group}#{number}/"
            for path, value in answers.items():
                rest = path[len(prefix) :] if path.startswith(prefix) else None
                if rest and "/" not in rest and not rest.endswith("?"):
                    flat[rest] = value
        return flat

    def applies(
        self, step: Step, frames: tuple[tuple[str, int], ...], answers: Mapping[str, Any]
    ) -> bool:
        """True when the step's `when` condition holds (or it has none)."""
        if not step.when:
            return True
        compiled = self._conditions.get(step.id)
        if compiled is None:
            compiled = self.env.compile_expression(step.when, undefined_to_none=True)
            self._conditions[step.id] = compiled
        try:
            return bool(compiled(case=self.case, answers=self.scope(frames, answers)))
        except jinja2.UndefinedError:
            return False

    # ---- moving ----------------------------------------------------------------------
    def first(self, answers: Mapping[str, Any]) -> Pos | None:
        """The first step that applies."""
        return self._next_in((), -1, answers)

    def after(self, pos: Pos, answers: Mapping[str, Any], add: bool | None = None) -> Pos | None:
        """The position after `pos` once it is answered (None = the run is done).

        For an 'add item?' position, `add` says whether the user wants the item.
        """
        if pos.step is None:
            if add:
                return self._next_in(pos.frames, -1, answers)
            group_id = pos.frames[-1][0]
            return self._after_group(pos.frames[:-1], group_id, answers)
        steps = self._container(pos.frames)
        index = next(i for i, s in enumerate(steps) if s.id == pos.step)
        return self._next_in(pos.frames, index, answers)

    def _next_in(
        self, frames: tuple[tuple[str, int], ...], after_index: int, answers: Mapping[str, Any]
    ) -> Pos | None:
        steps = self._container(frames)
        for step in steps[after_index + 1 :]:
            if not self.applies(step, frames, answers):
                continue
            if step.kind == "group":
                return Pos((*frames, (step.id, 1)), None)
            return Pos(frames, step.id)
        if not frames:
            return None
        group_id, number = frames[-1]
        group = self.q.find(group_id)
        if number < (group.max_items or 10):
            return Pos((*frames[:-1], (group_id, number + 1)), None)
        return self._after_group(frames[:-1], group_id, answers)

    def _after_group(
        self, parent: tuple[tuple[str, int], ...], group_id: str, answers: Mapping[str, Any]
    ) -> Pos | None:
        steps = self._container(parent)
        index = next(i for i, s in enumerate(steps) if s.id == group_id)
        return self._next_in(parent, index, answers)

    # ---- texts -----------------------------------------------------------------------
    def render(
        self,
        source: str | None,
        answers: Mapping[str, Any],
        frames: tuple[tuple[str, int], ...] = (),
    ) -> str:
        """Render a questionnaire text with the case and answers (autoescaped)."""
        if not source:
            return ""
        template = self.env.from_string(source)
        return template.render(case=self.case, answers=self.scope(frames, answers)).strip()
