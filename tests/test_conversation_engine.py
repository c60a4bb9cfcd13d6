"""The engine's navigation and typed-answer rules, on small definitions."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversations.definitions import load_questionnaire
from bot.conversations.engine import CaseFacts, Engine, Pos
from bot.conversations.kinds import parse_typed, relative_default
from messages import Texts

DEFINITION = """
id: test
title: Test
intro: Hei
outro: Ferdig
steps:
  - id: antall
    kind: number
    text: Hvor mange?
    min: 0
    max: 20
  - id: barn
    kind: checklist
    text: Bare for barn
    when: "case.is_child"
  - id: maal
    kind: group
    text: Legge til mål?
    item: mål
    max_items: 2
    steps:
      - id: maal_tekst
        kind: text
        text: Mål?
      - id: tiltak
        kind: group
        text: Tiltak?
        item: tiltak
        max_items: 2
        steps:
          - id: frist
            kind: date
            text: Når?
            deadline: tiltak
  - id: slutt
    kind: choice
    text: Videre?
    when: "answers.get('antall', 0) > 2"
    options:
      - {value: a, label: A}
      - {value: b, label: B}
"""


def engine(tmp_path: Path, age: int | None) -> Engine:
    path = tmp_path / "test.yaml"
    path.write_text(DEFINITION, encoding="utf-8")
    texts = Texts()
    q = load_questionnaire(path, texts.env)
    return Engine(q, texts.env, CaseFacts("AB", age, "koordinator", "ip", None))


def walk(e: Engine, answers: dict, adds: list[bool]) -> list[str]:
    pos = e.first(answers)
    seen = []
    adds = list(adds)
    while pos is not None:
        seen.append(pos.path)
        if pos.step is None:
            add = adds.pop(0)
            answers[pos.path] = add
            pos = e.after(pos, answers, add)
        else:
            answers.setdefault(pos.path, 3 if pos.step == "antall" else "x")
            pos = e.after(pos, answers)
    return seen


def test_conditions_groups_and_limits(tmp_path):
    adult = walk(engine(tmp_path, 40), {}, [True, False, True, True, True])
    assert adult == [
        "antall",
        "maal#1?",
        "maal#1/maal_tekst",
        "maal#1/tiltak#1?",
        "maal#2?",
        "maal#2/maal_tekst",
        "maal#2/tiltak#1?",
        "maal#2/tiltak#1/frist",
        "maal#2/tiltak#2?",
        "maal#2/tiltak#2/frist",
        "slutt",
    ]
    child = walk(engine(tmp_path, 10), {"antall": 1}, [False])
    assert child == ["antall", "barn", "maal#1?"]


def test_positions_round_trip():
    for path in ("antall", "maal#1?", "maal#2/tiltak#1/frist", "maal#3/tiltak#2?"):
        assert Pos.parse(path).path == path


def test_typed_numbers_and_dates(tmp_path):
    e = engine(tmp_path, 40)
    number = e.q.find("antall")
    today = date(2026, 11, 24)
    now = datetime(2026, 11, 24, 9, tzinfo=ZoneInfo("Europe/Oslo"))
    assert parse_typed(number, " 12 ", today, now).value == 12
    assert parse_typed(number, "21", today, now).error == "number_max"
    assert parse_typed(number, "-1", today, now).error == "number_min"
    assert parse_typed(number, "tolv", today, now).error == "number_invalid"
    frist = e.q.find("frist")
    assert parse_typed(frist, "om 2 uker", today, now).value == "2026-12-08"
    assert parse_typed(frist, "31.02.2027", today, now).detail["code"] == "impossible_date"
    assert parse_typed(frist, "01.01.2050", today, now).error == "date_out_of_range"
    assert relative_default("+6m", date(2026, 8, 31)) == date(2027, 2, 28)


@given(st.text(max_size=200))
def test_typed_answers_never_raise(text):
    from bot.conversations.definitions import Option, Step

    today = date(2026, 11, 24)
    now = datetime(2026, 11, 24, 9, tzinfo=ZoneInfo("Europe/Oslo"))
    for step in (
        Step(id="t", kind="text", text="?", max_length=50),
        Step(id="n", kind="number", text="?"),
        Step(id="d", kind="date", text="?"),
        Step(id="dt", kind="datetime", text="?"),
        Step(id="c", kind="choice", text="?", options=(Option("a", "A"), Option("b", "B"))),
        Step(id="k", kind="checklist", text="?"),
    ):
        typed = parse_typed(step, text, today, now)
        assert (typed.value is None) != (typed.error is None) or typed.value == 0


def test_every_step_kind_has_its_hint_template():
    from bot.conversations.kinds import KINDS
    from messages import Texts

    texts = Texts()
    for name in KINDS:
        texts.env.get_template(f"conv/kinds/{name}.j2")  # raises when missing


def test_forms_are_definitions_run_by_the_same_kinds(tmp_path):
    from bot.conversations.definitions import FORMS_DIR, QuestionnaireError, load_all
    from messages import Texts

    texts = Texts()
    forms = load_all(FORMS_DIR, env=texts.env, labels=texts.labels)
    assert {"register", "new_case", "handover", "close_case", "snooze"} <= set(forms)
    assert forms["new_case"].find("birth").kind == "month_year"
    assert [o.value for o in forms["close_case"].find("close_agreed").options] == ["ja", "nei"]
    broken = tmp_path / "snooze.yaml"
    broken.write_text(
        "id: snooze\ntitle: Utsett\nsteps:\n  - id: annen\n    kind: date\n    text: Når?\n",
        encoding="utf-8",
    )
    with pytest.raises(QuestionnaireError, match=r"snooze\.yaml, step 'snooze_date': missing step"):
        load_all(tmp_path, env=texts.env, labels=texts.labels)
