"""Every text the bot can say, rendered with sample values and read like a proof-reader:
no sentence glued to the next («…navnet.Skriv»), no double full stop («A.B..»), no
English or raw codes, no line said twice, no «1 aktive saker», one word for the case's
short name («kortnavn»). Templates, the dialogue definitions (questionnaires and forms) and the
labels alike (issue 13)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
import jinja2.meta
import pytest

from bot.conversations.definitions import DEFAULT_DIR, FORMS_DIR, load_all
from bot.conversations.engine import CaseFacts
from bot.conversations.outcomes import Evaluated, EvaluatedTiltak
from bot.deadlines import CaseLine, Due
from bot.export_pdf import CaseSummary
from bot.statistics import compute, render_text
from handlers.commands import help_sections
from messages import Texts
from tests.test_export_pdf import case_ae_oe
from tests.test_statistics import CASES, DEADLINES, KOORDINATORER
from tests.test_statistics import TODAY as STATS_TODAY

TODAY = date(2026, 11, 24)
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
OSLO = ZoneInfo("Europe/Oslo")
# An alias that ends in a full stop, the way initials are often typed.
ALIAS = "A.B."


def _case(**changes: Any) -> SimpleNamespace:
    values = {
        "id": 7,
        "alias": ALIAS,
        "status": "active",
        "role": "barnekoordinator",
        "level": "ip",
        "birth_year": 2010,
        "birth_month": None,
        "gender": "mann",
        "arena": "barneskole",
        "tjenestested": "skole",
        "appointed_on": date(2026, 3, 2),
        "koordinator_since": date(2026, 11, 24),
        "closed_at": NOW,
        "close_reason": "maal_naadd",
        "school_shift_years": 1,
        "vgs_years": 4,
        "previous_until": date(2026, 12, 8),
    }
    return SimpleNamespace(**{**values, **changes})


def _koordinator(name: str = "Per Olsen", **changes: Any) -> SimpleNamespace:
    values = {
        "id": 3,
        "name": name,
        "tjenestested": "nav",
        "is_admin": True,
        "active": True,
        "unreachable_since": None,
        "telegram_user_id": 5001,
        "weekly_digest": True,
        "tidy_mode": True,
    }
    return SimpleNamespace(**{**values, **changes})


DUE = Due(1, 7, "tiltak", date(2026, 11, 20), "proposed")
DUE2 = Due(2, 7, "vgs_soknadsfrist_fortrinnsrett", date(2027, 2, 1), "open")
LINE = CaseLine(7, ALIAS, "a.b.", "ip", "paused")
LOAD = SimpleNamespace(koordinator=_koordinator(), active_cases=1, overdue=1)
LOAD2 = SimpleNamespace(koordinator=_koordinator("Kari", active=False), active_cases=2, overdue=2)
WEB_STEP = SimpleNamespace(
    title="Kartlegging",
    alias=ALIAS,
    phase="answer",
    index=2,
    total=10,
    items=[("mål", 1)],
    text="Hva er målet?",
    help="En hjelpetekst.",
    editing=True,
)
WEB_SUMMARY = SimpleNamespace(
    title="Kartlegging", alias=ALIAS, started=TODAY, finished=None, status="active"
)


def _my_data(n: int) -> SimpleNamespace:
    return SimpleNamespace(registered_on=TODAY, open_cases=n, closed_cases=n, audit_entries=n)


MEETING = SimpleNamespace(
    kind="ansvarsgruppemote", status="planned", starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC)
)

# Values by name; where one name means different things in different templates, the
# template's own entry in PER_TEMPLATE wins.
COMMON: dict[str, Any] = {
    "active": 1,
    "admin": "Anne Admin",
    "at": NOW,
    "concern": "saturday",
    "d": DUE._replace(source="samtale", source_ref="run:3:maal#1/tiltak#2/frist"),
    "lock": True,
    "until": date(2026, 11, 28),
    "keeps_access": False,
    "appoints": False,
    "age": 15,
    "age_max": 16,
    "alias": ALIAS,
    "answer": "Ja",
    "answer_by": "chat",
    "audit_entries": 1,
    "card": "📁 A.B.",
    "case": _case(),
    "case_count": 1,
    "cases": [_case(), _case(alias="C.D.")],
    "cases_count": 1,
    "closed": 1,
    "code": "ABC123",
    "command": "/foo",
    "count": 1,
    "created": TODAY,
    "day": TODAY,
    "data": _my_data(1),
    "days": 30,
    "deadline": DUE,
    "deadlines": [DUE, DUE2],
    "decided_by": "Anne Admin",
    "due": TODAY,
    "error": "Svaret er for langt.",
    "file_token": "f1",
    "free_text": "chat",
    "expires": TODAY,
    "field": "Arena",
    "finished": TODAY,
    "flow": "new_case",
    "header": "<i>Oppstartsamtale · A.B. · 1/10</i>",
    "help": "En hjelpetekst.",
    "hour": 8,
    "in_form": False,
    "index": 1,
    "intro": "En innledning.",
    "is_admin": True,
    "item": "mål",
    "items": [DUE, DUE2],
    "k": _koordinator(),
    "kind": "Tiltak",
    "koordinator": _koordinator(),
    "level": "ip",
    "lines": [
        {
            "items": ["Mål 1"],
            "question": "Hva er målet?",
            "answer": "Ja",
            "changed": True,
            "note": "Et notat.",
            "in_form": True,
            "free": True,
            "noted": True,
        },
        {
            "items": [],
            "question": "Tolk?",
            "answer": "Nei",
            "changed": False,
            "note": None,
            "in_form": False,
            "free": False,
            "noted": True,
        },
    ],
    "link": "https://t.me/koordbot?start=ABC123",
    "load": LOAD,
    "loads": [LOAD, LOAD2],
    "max": 1000,
    "max_length": 1000,
    "me": _koordinator("Kari Nordmann"),
    "meeting": MEETING,
    "meetings": [
        MEETING,
        SimpleNamespace(
            kind="arbeidsmote", status="held", starts_at=datetime(2026, 10, 1, 12, tzinfo=UTC)
        ),
    ],
    "min": 1,
    "missing": ["close_documented"],
    "name": "Kari Nordmann",
    "new": "Per Olsen",
    "next": "stafettlogg",
    "number": 2,
    "old": "Kari Nordmann",
    "on": True,
    "oppstart": date(2026, 12, 8),
    "outcome": "held",
    "outro": "En avslutning.",
    "pending": ["handover", "close"],
    "overdue": [(ALIAS, DUE)],
    "overlap_until": date(2026, 12, 8),
    "propose_close": True,
    "q": WEB_STEP,
    "proposed": True,
    "read_only": True,
    "r": SimpleNamespace(
        alias=ALIAS,
        deadline_kind="vedtak_bpa",
        proposed=True,
        kind="lead",
        due=date(2027, 1, 4),
        numbers=(),
        label=None,
    ),
    "reason": "maal_naadd",
    "registered": True,
    "request": SimpleNamespace(
        kind="handover", status="approved", wish="ikke_spurt", reason="over_18"
    ),
    "retention": 365,
    "role": "koordinator",
    "rows": [(LINE, DUE), (LINE, DUE2)],
    "run": SimpleNamespace(status="active"),
    "run_token": "r1",
    "summary": WEB_SUMMARY,
    "script": "https://telegram.org/js/telegram-web-app.js",
    "sections": help_sections(is_admin=True),
    "selected": "Fastlege",
    "shown": 1,
    "single": False,
    "started": TODAY,
    "status": "active",
    "text": "Et spørsmål?",
    "text_length": 5,
    "tidied": True,
    "time": "10:00",
    "title": "Oppstartsamtale",
    "tjenestested": "skole",
    "today": TODAY,
    "token": "t1",
    "total": 10,
    "waiting_for_time": False,
    "weeks": [(48, [(ALIAS, DUE), ("C.D.", DUE2)])],
    "wish": "ikke_spurt",
    "year": 2026,
    "zone": OSLO,
}
PER_TEMPLATE: dict[str, dict[str, Any]] = {
    "calendar/summary.j2": {"kind": "vedtak_bpa"},
    "cases/list.j2": {
        "cases": [(LINE, DUE), (LINE._replace(alias="C.D.", level="bti", status="active"), None)]
    },
    "conv/ask.j2": {"kind": "text"},
    "lifecycle/appoint_button.j2": {"new": _koordinator()},
    "conv/finished.j2": {"deadlines": [("tiltak", TODAY, (1, 2)), ("mote", date(2027, 1, 5), ())]},
    "conv/header.j2": {"items": ["Mål 1", "Tiltak 2"]},
    "conv/held_before.j2": {"held": TODAY},
    "conv/intro.j2": {
        "evaluated": Evaluated(
            run_id=1,
            goals=(
                (1, (EvaluatedTiltak(1, 1, TODAY, "open"), EvaluatedTiltak(1, 2, None, None))),
                (2, ()),
            ),
            later=("helse", "bolig"),
        )
    },
    "deadlines/proposals.j2": {
        "numbered": [(1, DUE), (2, DUE2)],
        "page": 2,
        "pages": 3,
        "note": "✓ Fyller 18 år er bekreftet.",
    },
    "notices/long_overdue.j2": {"items": [(1, ALIAS, "Kari", "tiltak", TODAY)]},
    "notices/vg1_case.j2": {"items": [(1, ALIAS, "Kari", TODAY)]},
    "registration/done.j2": {"tjenestested": "Skole"},
    "reminders/digest.j2": {"items": [(ALIAS, DUE), ("C.D.", DUE2)]},
}
# What the same names hold when there is nothing to show.
EMPTY: dict[str, Any] = {
    "active": 0,
    "at": None,
    "concern": "past",
    "d": DUE2._replace(source="manual", kind="manuell", title="Søknad bolig"),
    "lock": False,
    "until": None,
    "answer_by": "off",
    "data": _my_data(0),
    "error": None,
    "free_text": "off",
    "q": SimpleNamespace(**{**vars(WEB_STEP), "phase": "note", "help": "", "editing": False}),
    "sections": help_sections(is_admin=False),
    "age": None,
    "age_max": None,
    "case_count": 0,
    "cases": [],
    "cases_count": 0,
    "closed": 0,
    "count": 0,
    "deadline": None,
    "deadlines": [],
    "finished": None,
    "help": "",
    "is_admin": False,
    "items": [],
    "lines": [],
    "loads": [],
    "meetings": [],
    "missing": [],
    "on": False,
    "overdue": [],
    "propose_close": False,
    "proposed": False,
    "pending": [],
    "read_only": False,
    "appoints": True,
    "next": None,
    "oppstart": None,
    "overlap_until": None,
    "wish": None,
    "request": SimpleNamespace(kind="close", status="declined", wish=None, reason="dod"),
    "registered": False,
    "rows": [],
    "single": True,
    "tidied": False,
    "weeks": [],
    "case": _case(
        status="closed",
        birth_year=None,
        school_shift_years=0,
        vgs_years=None,
        koordinator_since=None,
        arena=None,
        gender=None,
    ),
    "k": _koordinator(is_admin=False, active=False, unreachable_since=NOW),
}
# Counts of two, to read the plural forms.
MANY: dict[str, Any] = {
    "active": 2,
    "answer_by": "form",
    "data": _my_data(2),
    "free_text": "form",
    "in_form": True,
    "keeps_access": True,
    "case_count": 2,
    "cases_count": 2,
    "closed": 2,
    "count": 2,
    "shown": 2,
    "audit_entries": 2,
    "missing": ["a", "b"],
    "days": 2,
    "load": SimpleNamespace(koordinator=_koordinator(), active_cases=2, overdue=2),
}
# Codes the texts may legitimately show: slash commands and the help's examples.
_COMMANDS = re.compile(r"/[a-z_]+")
_TAGS = re.compile(r"<[^>]+>")
_HEAD = re.compile(r"<head>.*?</head>", re.S)
_GLUED = re.compile(r"[a-zæøå)»]{2}[.!?][A-ZÆØÅ«]")
_DOUBLE_STOP = re.compile(r"(?<![.])\.\.(?![.])")
_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b")
_ENGLISH = re.compile(
    r"\b(the|and|you|your|please|click|None|True|False|Undefined|error|case|deadline|"
    r"meeting|proposed|active|paused|closed|open|done|dismissed|planned|held|moved)\b"
)
_ONE_PLURAL = re.compile(
    r"\b1 (?:[a-zæøå]+ )?(saker|frister|dager|koordinatorer|oppføringer|punkter|møter|"
    r"samtaler|uker|måneder|år\b(?= siden)|påminnelser)\b"
    r"|\b1 (aktive|åpne|forfalte|avsluttede|nye)\b"
)


def proofread(where: str, text: str, *, repeats: bool = False) -> list[str]:
    """What a proof-reader would mark in one rendered text (`repeats`: a document where
    a goal may repeat an answer word for word)."""
    plain = _COMMANDS.sub("", _TAGS.sub("", text.replace("<br>", "\n")))
    found = []
    for pattern, what in (
        (_GLUED, "two sentences run together"),
        (_DOUBLE_STOP, "double full stop"),
        (_ENGLISH, "an English word"),
        (_CODE, "a raw code"),
        (_ONE_PLURAL, "1 with a plural"),
    ):
        match = pattern.search(plain)
        if match:
            context = plain[max(0, match.start() - 30) : match.end() + 30].replace("\n", "⏎")
            found.append(f"{where}: {what}: …{context}…")
    if re.search(r"kall" + r"enavn", plain, re.IGNORECASE):
        found.append(f"{where}: «kall" + "enavn» means nickname: say «kortnavn»")
    said = [_said(s) for s in re.split(r"(?<=[.!?])\s+|\n", plain)]
    said = [s for s in said if len(s) >= 12]
    twice = sorted({s for s in said if said.count(s) > 1})
    if twice and not repeats:
        found.append(f"{where}: said twice: {twice[0]!r}")
    return found


def _said(sentence: str) -> str:
    """A sentence as heard: case, quotes and punctuation do not make it new."""
    return " ".join(re.sub(r"[^\w ]+", " ", sentence.casefold()).split())


@pytest.fixture(scope="module")
def texts() -> Texts:
    return Texts()


def _names(texts: Texts, template: str) -> set[str]:
    source = texts.env.loader.get_source(texts.env, template)[0]  # type: ignore[union-attr]
    return jinja2.meta.find_undeclared_variables(texts.env.parse(source)) - set(texts.env.globals)


VARIANTS = {"one": {}, "many": MANY, "empty": EMPTY}


def _render(texts: Texts, template: str, variant: str) -> list[str]:
    if template == "statistics/text.j2":
        return [render_text(compute(CASES, DEADLINES, KOORDINATORER, today=STATS_TODAY), texts)]
    if template == "export/case_pdf.html.j2":
        summary: CaseSummary = case_ae_oe(alias=ALIAS)
        return [texts.env.get_template(template).render(summary=summary)]
    values = {**COMMON, **PER_TEMPLATE.get(template, {})}
    values.update(VARIANTS[variant])
    missing = _names(texts, template) - values.keys()
    assert not missing, f"{template}: add sample values for {sorted(missing)}"
    codes = ("impossible_date", "month_missing", "other") if template == "errors/date.j2" else ()
    if not codes:
        return [texts.env.get_template(template).render(**values)]
    return [texts.env.get_template(template).render(**{**values, "code": c}) for c in codes]


def test_every_template_reads_right(texts: Texts) -> None:
    problems: list[str] = []
    for template in sorted(texts.env.list_templates()):
        for variant in VARIANTS:
            for rendered in _render(texts, template, variant):
                # A web page's <head> (its window title) is not read on the page.
                text = _HEAD.sub("", rendered)
                problems += proofread(
                    f"{template} ({variant})", text, repeats=template.startswith("export/")
                )
    assert not problems, "\n".join(problems)


def _facts(age: int | None, **changes: Any) -> CaseFacts:
    values = {
        "alias": ALIAS,
        "age": age,
        "role": "barnekoordinator",
        "level": "ip",
        "arena": "barneskole",
        "age_max": None if age is None else age + 1,
    }
    return CaseFacts(**{**values, **changes})


FACTS = (
    _facts(None),
    _facts(4, arena="barnehage"),
    _facts(11),
    _facts(15, level="bti", role="stafettholder"),
    _facts(16, level="ansvarsgruppe"),
    _facts(17, level="samarbeidsgruppe", role="kontaktperson"),
    _facts(40, role="koordinator", arena="arbeid", age_max=40),
)


def test_every_dialogue_step_reads_right(texts: Texts) -> None:
    problems: list[str] = []
    env = texts.env
    definitions = {
        **load_all(DEFAULT_DIR, env=env, labels=texts.labels),
        **load_all(FORMS_DIR, env=env, labels=texts.labels),
    }
    for definition in definitions.values():
        conversation = definition.path.parent == DEFAULT_DIR
        parts = [("intro", definition.intro), ("outro", definition.outro)]
        parts += [(f"{s.id}.text", s.text) for s in definition]
        parts += [(f"{s.id}.help", s.help) for s in definition if s.help]
        for facts in FACTS:
            for answers in ({}, {"videre": "avslutte", "ansvarsgruppe": "ja"}):
                context = {
                    "case": facts,
                    "answers": answers,
                    "values": {},
                    "editing": False,
                    "position": 1,
                    "total": 7,
                }
                rendered = {
                    name: env.from_string(source).render(**context).strip()
                    for name, source in parts
                }
                for name, text in rendered.items():
                    problems += proofread(f"{definition.id}.yaml {name} (age {facts.age})", text)
                if conversation:
                    problems += _as_shown(texts, definition, rendered, facts)
            for step in definition:
                for option in step.options:
                    problems += proofread(f"{definition.id}.yaml {step.id} option", option.label)
    assert not problems, "\n".join(sorted(set(problems)))


def _as_shown(
    texts: Texts, definition: Any, rendered: dict[str, str], facts: CaseFacts
) -> list[str]:
    """The messages a conversation's words end up in: the intro, each question with its
    hint, the closing message. A line said twice shows only there."""
    where = f"{definition.id}.yaml as shown (age {facts.age})"
    shown = [
        (
            "intro",
            texts.render(
                "conv/intro",
                title=definition.title,
                alias=ALIAS,
                intro=rendered["intro"],
                evaluated=None,
                in_form=False,
            ),
        ),
        (
            "finished",
            texts.render(
                "conv/finished",
                title=definition.title,
                alias=ALIAS,
                outro=rendered["outro"],
                deadlines=[],
                propose_close=False,
                tidied=False,
            ),
        ),
    ]
    for step in definition:
        shown.append(
            (
                step.id,
                texts.render(
                    "conv/ask",
                    header="",
                    text=rendered[f"{step.id}.text"],
                    help=rendered.get(f"{step.id}.help", ""),
                    kind=step.kind,
                    answer_by="chat",
                    waiting_for_time=False,
                    max_length=step.max_length,
                    selected="",
                    day=TODAY,
                ),
            )
        )
    return [p for name, text in shown for p in proofread(f"{where} {name}", text)]


def test_a_planned_meeting_is_not_called_done(texts: Texts) -> None:
    env = texts.env
    mote = load_all(DEFAULT_DIR, env=env, labels=texts.labels)["mote"]
    outro = env.from_string(mote.outro).render(case=_facts(11), answers={})
    text = texts.render(
        "conv/finished",
        title=mote.title,
        alias=ALIAS,
        outro=outro,
        deadlines=[],
        propose_close=False,
        tidied=False,
    )
    assert "fullført" not in text and "planlagt" in text


def test_every_label_reads_right(texts: Texts) -> None:
    problems: list[str] = []
    for group in texts._labels:  # the whole file, on purpose
        if group == "commands":
            continue
        for value, label in texts.labels(group):
            problems += proofread(f"labels.yaml {group}.{value}", label)
    assert not problems, "\n".join(problems)


def test_plural_filter_and_ke_name(texts: Texts) -> None:
    render = texts.env.from_string
    assert render("{{ 1|antall('sak', 'saker') }}").render() == "1 sak"
    assert render("{{ 0|antall('sak', 'saker') }}").render() == "0 saker"
    assert (
        render("{{ ke|stor }} har fått beskjed").render() == "Koordinerende enhet har fått beskjed"
    )
    other = Texts()
    other.set_ke_name("KTK")
    text = other.render("lifecycle/closed", alias="AB", missing=[], next=None, retention=365)
    assert "KTK har fått beskjed" in text
