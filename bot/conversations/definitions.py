"""Dialogues as data: load and validate the definition YAML files.

Each file in `messages/<lang>/questionnaires/` describes one conversation
(oppstartsamtale, kartlegging, evaluering, møte) as a list of steps; each file in
`messages/<lang>/forms/` one short form (registration, new case, handover ...). A KE may
edit the wording or add local questions, so everything is checked once at startup and a
mistake is reported as one readable line naming the file and the step
(`oppstart.yaml, step 'kontaktform': choice needs 2-12 options`).

Steps the code relies on carry a `role` (meeting time, goal, tiltak date ...), never a
fixed id: a municipality may rename and reword freely, and a file that drops a role its
conversation needs is refused (`mote.yaml, step '-': missing role meeting_time`).

Templates are only compiled here, never rendered: rendering needs a case and answers,
which the conversation engine supplies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml

import messages
from bot.conversations.kinds import (
    GROUP_MAX_ITEMS,
    GROUP_MAX_ITEMS_LIMIT,
    KINDS,
    Loader,
)
from bot.conversations.model import Option, Questionnaire, QuestionnaireError, Step

DEFAULT_DIR: Path = Path(messages.__file__).parent / "nb" / "questionnaires"
FORMS_DIR: Path = Path(messages.__file__).parent / "nb" / "forms"

# The roles the code gives a meaning, and the roles each dialogue cannot do without.
ROLES = frozenset(
    {
        "meeting_kind",
        "meeting_time",
        "meeting_place",
        "minutes_by",
        "goal",
        "goal_text",
        "tiltak",
        "tiltak_what",
        "tiltak_responsible",
        "tiltak_how",
        "tiltak_date",
        "next_evaluation",
        "next_step",
    }
)
# `later`: a life area put off in the kartlegging; the next evaluation brings it up.
OPTION_ROLES = frozenset({"close_case", "later"})
# Forms: the step ids their finishing service reads.
REQUIRED_STEPS: dict[str, tuple[str, ...]] = {
    "register": ("name", "tjenestested"),
    "new_case": ("alias", "role", "level", "birth", "gender", "arena", "appointed_on"),
    "edit_case": ("evaluation_months", "meeting_interval_months", "vgs_years"),
    "snooze": ("snooze_date",),
    "move_deadline": ("move_date",),
    "new_deadline": ("deadline_type", "new_deadline_date"),
    "handover": (
        "handover_plan",
        "handover_info",
        "handover_person",
        "handover_wish",
        "handover_journal",
    ),
    "close_case": (
        "close_agreed",
        "close_documented",
        "close_plan_inactive",
        "close_group_told",
        "close_next",
        "close_reason",
    ),
}
REQUIRED_ROLES: dict[str, tuple[str, ...]] = {
    "mote": ("meeting_kind", "meeting_time"),
    "kartlegging": ("goal", "goal_text", "tiltak", "tiltak_what", "tiltak_date"),
    "evaluering": ("next_evaluation", "close_case"),
}
MAX_GROUP_DEPTH = 2
MIN_OPTIONS, MAX_OPTIONS = 2, 12
MAX_STEP_ID = 24
MAX_OPTION_VALUE = 20
MAX_OPTION_LABEL = 40

_ID = re.compile(r"[a-z0-9_]+")

_FILE_KEYS = frozenset({"id", "title", "intro", "outro", "steps"})
_COMMON_KEYS = frozenset({"id", "kind", "text", "help", "when", "optional", "role"})
_ALL_STEP_KEYS = _COMMON_KEYS.union(*(k.keys for k in KINDS.values()))


def default_environment() -> jinja2.Environment:
    """The environment used when the caller gives none: strict about unknown names."""
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


Labels = Callable[[str], list[tuple[str, str]]]


def load_questionnaire(
    path: Path, env: jinja2.Environment | None = None, labels: Labels | None = None
) -> Questionnaire:
    """Read and validate one definition file.

    Raises `QuestionnaireError` on the first problem found. Templates are compiled with
    `env` (a strict default environment if none is given) but not rendered. `labels`
    resolves `options_from: <label list>` (the label lists of messages/).
    """
    path = Path(path)
    env = env or default_environment()
    data = _read_yaml(path)
    definition = _Parser(path, env, labels).questionnaire(data)
    _check_roles(definition)
    return definition


def load_all(
    directory: Path = DEFAULT_DIR,
    env: jinja2.Environment | None = None,
    labels: Labels | None = None,
) -> dict[str, Questionnaire]:
    """Load every `*.yaml` file in `directory`, keyed by definition id."""
    env = env or default_environment()
    return {
        q.id: q
        for q in (
            load_questionnaire(p, env, labels) for p in sorted(Path(directory).glob("*.yaml"))
        )
    }


def _check_roles(definition: Questionnaire) -> None:
    """Refuse a definition that lacks a role its dialogue needs, or has one twice."""
    seen: set[str] = set()
    for step in definition:
        if step.role is None:
            continue
        if step.role in seen:
            raise QuestionnaireError(definition.path, step.id, f"role {step.role} is used twice")
        seen.add(step.role)
    ids = {step.id for step in definition}
    for sid in REQUIRED_STEPS.get(definition.id, ()):
        if sid not in ids:
            raise QuestionnaireError(definition.path, sid, "missing step (the form needs it)")
    for role in REQUIRED_ROLES.get(definition.id, ()):
        if role in OPTION_ROLES:
            if definition.option_with_role(role) is None:
                raise QuestionnaireError(definition.path, "-", f"no option has role {role}")
        elif role not in seen:
            raise QuestionnaireError(definition.path, "-", f"missing role {role}")


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QuestionnaireError(path, None, f"cannot read file ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise QuestionnaireError(path, None, "file is not UTF-8") from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "syntax error"
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise QuestionnaireError(path, None, f"invalid YAML{where}: {problem}") from exc


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key twice in one mapping: plain YAML keeps the last
    one silently, which would hide an edit (two `text:` lines in one step)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}'", key_node.start_mark
                )
            keys.add(key)
        return super().construct_mapping(node, deep=deep)


class _Parser(Loader):
    """Turns the parsed YAML of one file into a `Questionnaire`, checking as it goes."""

    def __init__(self, path: Path, env: jinja2.Environment, labels: Labels | None) -> None:
        self.path = path
        self.env = env
        self.labels = labels
        self.seen: set[str] = set()

    def fail(self, step_id: str | None, reason: str) -> QuestionnaireError:
        return QuestionnaireError(self.path, step_id, reason)

    def questionnaire(self, data: Any) -> Questionnaire:
        if not isinstance(data, Mapping):
            raise self.fail(None, "top level must be a mapping (id, title, steps, ...)")
        unknown = sorted(str(k) for k in data if k not in _FILE_KEYS)
        if unknown:
            raise self.fail(None, f"unknown key '{unknown[0]}'")
        qid = data.get("id")
        if not isinstance(qid, str) or not qid:
            raise self.fail(None, "missing id")
        if qid != self.path.stem:
            raise self.fail(None, f"id '{qid}' does not match the file name")
        title = self.required(None, data, "title")
        intro = self.template(None, data, "intro") or ""
        outro = self.template(None, data, "outro") or ""
        steps = self.steps(data.get("steps"), depth=0, parent=None)
        return Questionnaire(
            id=qid, title=title, intro=intro, outro=outro, steps=steps, path=self.path
        )

    def steps(self, raw: Any, depth: int, parent: str | None) -> tuple[Step, ...]:
        if raw is None or raw == []:
            raise self.fail(parent, "steps must not be empty")
        if not isinstance(raw, list):
            raise self.fail(parent, "steps must be a list")
        return tuple(self.step(item, n, depth, parent) for n, item in enumerate(raw, 1))

    def step(self, raw: Any, number: int, depth: int, parent: str | None) -> Step:
        place = f"step {number}" + (f" in group '{parent}'" if parent else "")
        if not isinstance(raw, Mapping):
            raise self.fail(None, f"{place} must be a mapping")
        sid = raw.get("id")
        if sid is None or sid == "":
            raise self.fail(None, f"{place} has no id")
        if not isinstance(sid, str) or not _ID.fullmatch(sid):
            raise self.fail(str(sid), "id must use only a-z, 0-9 and _")
        if len(sid) > MAX_STEP_ID:
            raise self.fail(sid, f"id is longer than {MAX_STEP_ID} characters")
        if sid in self.seen:
            raise self.fail(sid, "duplicate id")
        self.seen.add(sid)

        unknown = sorted(str(k) for k in raw if k not in _ALL_STEP_KEYS)
        if unknown:
            raise self.fail(sid, f"unknown key '{unknown[0]}'")
        kind_name = raw.get("kind")
        if kind_name is None:
            raise self.fail(sid, "missing kind")
        kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
        if kind is None:
            raise self.fail(sid, f"unknown kind '{kind_name}' (use one of {', '.join(KINDS)})")
        misplaced = sorted(str(k) for k in raw if k not in _COMMON_KEYS | kind.keys)
        if misplaced:
            raise self.fail(sid, f"key '{misplaced[0]}' does not apply to kind {kind_name}")
        role = raw.get("role")
        if role is not None and role not in ROLES:
            raise self.fail(sid, f"unknown role '{role}' (use one of {', '.join(sorted(ROLES))})")

        text = self.required(sid, raw, "text")
        self.compile(sid, "text", text)
        fields: dict[str, Any] = {
            "id": sid,
            "kind": kind_name,
            "text": text,
            "help": self.template(sid, raw, "help"),
            "when": self.expression(sid, raw),
            "optional": self.flag(sid, raw, "optional", False),
            "role": role,
            **kind.load(self, sid, raw),
        }
        if kind_name == "group":
            if depth + 1 > MAX_GROUP_DEPTH:
                raise self.fail(sid, f"groups nest at most {MAX_GROUP_DEPTH} deep")
            fields["item"] = self.required(sid, raw, "item")
            fields["max_items"] = self.integer(
                sid, raw, "max_items", GROUP_MAX_ITEMS, low=1, high=GROUP_MAX_ITEMS_LIMIT
            )
            fields["steps"] = self.steps(raw.get("steps"), depth + 1, sid)
        return Step(**fields)

    def options(self, sid: str, kind: str, raw: Mapping[str, Any]) -> tuple[Option, ...]:
        source = raw.get("options_from")
        if source is not None:
            if "options" in raw:
                raise self.fail(sid, "give options or options_from, not both")
            try:
                found = self.labels(source) if self.labels and isinstance(source, str) else []
            except KeyError:
                found = []
            if not found:
                raise self.fail(sid, f"options_from '{source}' names no label list")
            return tuple(Option(value=v, label=label) for v, label in found)
        items = raw.get("options")
        if not isinstance(items, list) or not MIN_OPTIONS <= len(items) <= MAX_OPTIONS:
            raise self.fail(sid, f"{kind} needs {MIN_OPTIONS}-{MAX_OPTIONS} options")
        result: list[Option] = []
        for n, opt in enumerate(items, 1):
            if (
                not isinstance(opt, Mapping)
                or not {"value", "label"} <= set(opt)
                or not set(opt) <= {"value", "label", "role"}
            ):
                raise self.fail(sid, f"option {n} needs exactly value and label (and a role)")
            value, label, role = opt["value"], opt["label"], opt.get("role")
            if not isinstance(value, str) or not _ID.fullmatch(value):
                raise self.fail(sid, f"option value '{value}' must use only a-z, 0-9 and _")
            if len(value) > MAX_OPTION_VALUE:
                raise self.fail(
                    sid, f"option value '{value}' is longer than {MAX_OPTION_VALUE} characters"
                )
            if not isinstance(label, str) or not label.strip():
                raise self.fail(sid, f"option '{value}' needs a label")
            if len(label) > MAX_OPTION_LABEL:
                raise self.fail(
                    sid, f"label of option '{value}' is longer than {MAX_OPTION_LABEL} characters"
                )
            if role is not None and role not in OPTION_ROLES:
                raise self.fail(sid, f"unknown option role '{role}'")
            if any(o.value == value for o in result):
                raise self.fail(sid, f"duplicate option value '{value}'")
            result.append(Option(value=value, label=label, role=role))
        return tuple(result)

    def string(self, sid: str | None, raw: Mapping[str, Any], key: str) -> str | None:
        value = raw.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str):
            raise self.fail(sid, f"{key} must be text")
        return value

    def required(self, sid: str | None, raw: Mapping[str, Any], key: str) -> str:
        value = self.string(sid, raw, key)
        if value is None:
            raise self.fail(sid, f"missing {key}")
        return value

    def template(self, sid: str | None, raw: Mapping[str, Any], key: str) -> str | None:
        source = self.string(sid, raw, key)
        if source is not None:
            self.compile(sid, key, source)
        return source

    def compile(self, sid: str | None, key: str, source: str) -> None:
        try:
            self.env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            raise self.fail(
                sid, f"{key} does not compile: {exc.message} (line {exc.lineno} of the {key})"
            ) from exc

    def expression(self, sid: str, raw: Mapping[str, Any]) -> str | None:
        source = self.string(sid, raw, "when")
        if source is not None:
            try:
                self.env.compile_expression(source)
            except jinja2.TemplateSyntaxError as exc:
                raise self.fail(sid, f"when does not compile: {exc.message}") from exc
        return source

    def flag(self, sid: str, raw: Mapping[str, Any], key: str, default: bool) -> bool:
        value = raw.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(sid, f"{key} must be true or false")
        return value

    def integer(
        self,
        sid: str,
        raw: Mapping[str, Any],
        key: str,
        default: int | None,
        low: int | None = None,
        high: int | None = None,
    ) -> int | None:
        value = raw.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(sid, f"{key} must be a whole number")
        if (low is not None and value < low) or (high is not None and value > high):
            raise self.fail(sid, f"{key} must be between {low} and {high}")
        return value
