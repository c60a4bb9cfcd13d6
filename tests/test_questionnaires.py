"""The guided conversations as data: every shipped file loads, covers what SPEC 3.3
asks for, renders for any kind of case, and a broken file is reported by name."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import pytest

from bot.conversations.definitions import (
    DEFAULT_DIR,
    Questionnaire,
    QuestionnaireError,
    Step,
    load_all,
    load_questionnaire,
)
from messages import Texts

SHIPPED = ("oppstart", "kartlegging", "evaluering", "mote")


@dataclass(frozen=True)
class SampleCase:
    """The `case` the engine puts in the template context."""

    alias: str
    age: int | None
    role: str = "koordinator"
    level: str = "ip"
    arena: str | None = None
    age_max: int | None = None

    @property
    def is_child(self) -> bool:
        return self.age is not None and self.age < 18

    @property
    def may_have_turned_16(self) -> bool:
        return self.age is not None and self.age < 16 <= (self.age_max or 0)


CASES = [
    SampleCase("A.B.", 4, "barnekoordinator", "ansvarsgruppe", "barnehage"),
    SampleCase("K1", 10, "stafettholder", "bti", "barneskole"),
    SampleCase("C.D.", 13, "koordinator", "samarbeidsgruppe", "ungdomsskole"),
    SampleCase("L.M.", 15, "barnekoordinator", "ansvarsgruppe", "ungdomsskole", age_max=16),
    SampleCase("E", 16, "barnekoordinator", "ip", "videregaende"),
    SampleCase("F.G.", 17, "kontaktperson", "ip", "videregaende"),
    SampleCase("H.I.", 42, "koordinator", "ip", "arbeid"),
    SampleCase("J", None, "koordinator", "ansvarsgruppe", None),
]


@pytest.fixture(scope="module")
def shipped() -> dict[str, Questionnaire]:
    return load_all()


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    # The bot renders the files in its own environment: the KE's name as `ke`, and the
    # `label` filter for words that follow the case's level.
    return Texts().env


def render(env: jinja2.Environment, source: str, case: SampleCase, answers: dict[str, Any]) -> str:
    return env.from_string(source).render(case=case, answers=answers)


def shown(env: jinja2.Environment, step: Step, case: SampleCase, answers: dict[str, Any]) -> bool:
    if step.when is None:
        return True
    return bool(env.compile_expression(step.when)(case=case, answers=answers))


# --- the shipped files -----------------------------------------------------------------


def test_every_shipped_file_loads(shipped: dict[str, Questionnaire]) -> None:
    assert sorted(shipped) == sorted(SHIPPED)
    for qid, q in shipped.items():
        assert q.path == DEFAULT_DIR / f"{qid}.yaml"
        assert q.title and q.intro and q.outro


def test_oppstart_covers_the_startup_conversation(shipped: dict[str, Questionnaire]) -> None:
    q = shipped["oppstart"]
    for sid in (
        "rolle_forklart",
        "forventninger",
        "kontakt_hyppighet",
        "kontaktform",
        "plan_og_meldinger",
        "tjenester",
        "kontaktinfo",
        "samtykke",
        "hvem_vet_hva",
        "tolk",
        "barn_medvirkning",
        "barnets_mening",
        "ungdom_samtykke",
        "sosken",
        "ansvarsgruppe",
        "journal",
    ):
        q.find(sid)
    assert q.find("kontaktform").kind == "choice"
    assert q.find("journal").kind == "info"
    assert 12 <= len(q.steps) <= 32


def test_kartlegging_has_life_areas_and_goals_with_tiltak(
    shipped: dict[str, Questionnaire],
) -> None:
    q = shipped["kartlegging"]
    assert q.steps[0].id == "viktig_for_deg"
    for area in ("helse", "skole_arbeid", "okonomi", "bolig", "fritid", "nettverk", "transport"):
        gate = q.find(area)
        assert {o.value for o in gate.options} >= {"aktuelt", "ikke_aktuelt"}
        follow_ups = [s for s in q if s.when and f"'{area}'" in s.when]
        assert len(follow_ups) == 4, area

    maal = q.find("maal")
    assert maal.kind == "group" and maal.item == "mål"
    tiltak = q.find("tiltak")
    assert tiltak.kind == "group" and q.parent_of("tiltak") is maal
    frist = q.find("tiltak_frist")
    assert q.parent_of("tiltak_frist") is tiltak
    assert frist.kind == "date" and frist.deadline == "tiltak"
    assert {s.id for s in tiltak.steps} >= {"tiltak_hva", "tiltak_ansvarlig", "tiltak_frist"}
    assert q.find("tiltak_hvordan").optional


def test_evaluering_ends_with_next_date_or_closing(
    shipped: dict[str, Questionnaire], env: jinja2.Environment
) -> None:
    q = shipped["evaluering"]
    for sid in (
        "maal_naadd",
        "tiltak_fungert",
        "tjenester_fungerer",
        "arbeidsform",
        "erfaringer",
        "samarbeidet",
        "koordinatorrollen",
        "motene",
        "plan_behov",
        "koordinator_behov",
    ):
        q.find(sid)
    videre = q.find("videre")
    assert {"fortsette", "avslutte"} <= {o.value for o in videre.options}
    neste = q.find("neste_evaluering")
    # No default in the file: the evaluation cadence setting (6 months) suggests the date.
    assert (neste.kind, neste.default, neste.deadline) == ("date", None, "evaluering")
    case = CASES[-2]
    assert shown(env, neste, case, {})
    assert shown(env, neste, case, {"videre": "fortsette"})
    assert not shown(env, neste, case, {"videre": "avslutte"})
    assert shown(env, q.find("avslutning_info"), case, {"videre": "avslutte"})


def test_mote_plans_a_meeting_without_deadlines(shipped: dict[str, Questionnaire]) -> None:
    q = shipped["mote"]
    assert {o.value for o in q.find("motetype").options} == {
        "ansvarsgruppemote",
        "arbeidsmote",
        "overgangsmote",
        "samarbeidsmote",
    }
    assert q.find("tidspunkt").kind == "datetime"
    assert q.find("sted").kind == "text" and q.find("referent").kind == "text"
    assert q.find("formaal").optional and q.find("deltakere").optional
    # Only the next meeting's date is a deadline of its own; invitation, reminder and
    # minutes follow from the meeting time.
    assert [(s.id, s.deadline) for s in q if s.deadline] == [("neste_mote", "neste_mote")]
    assert q.steps[-1].id == "neste_mote" and q.find("neste_mote").kind == "date"


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.role}-{c.age}")
def test_every_text_renders_for_any_case(
    shipped: dict[str, Questionnaire], env: jinja2.Environment, case: SampleCase
) -> None:
    for q in shipped.values():
        for source in (q.intro, q.outro):
            # The alias is in the header of the intro and closing messages (conv/intro,
            # conv/finished), so the file's own words need not repeat it.
            out = render(env, source, case, {})
            assert out.strip() and ".." not in out, q.id
        for step in q:
            shown(env, step, case, {})  # must not raise with no answers yet
            for source in (step.text, step.help):
                if source is None:
                    continue
                out = render(env, source, case, {})
                where = f"{q.id}.{step.id}"
                assert out.strip(), where
                # Telegram may parse HTML; plain text must not look like markup.
                assert not set(out) & set("<>&{}"), where
                assert "  " not in out and out == out.strip(), where
                assert ".." not in out, where  # an alias like "A.B." must not end a sentence
            assert len(render(env, step.text, case, {})) <= 220, step.id


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c.role}-{c.age}")
def test_outros_render_with_answers(
    shipped: dict[str, Questionnaire], env: jinja2.Environment, case: SampleCase
) -> None:
    for answers in ({"ansvarsgruppe": "ja"}, {"videre": "avslutte"}, {"videre": "endre"}):
        for q in shipped.values():
            out = render(env, q.outro, case, answers)
            assert out.strip() and ".." not in out, q.id


def test_child_steps_follow_age(shipped: dict[str, Questionnaire], env: jinja2.Environment) -> None:
    q = shipped["oppstart"]

    def asked(sid: str, age: int | None) -> bool:
        return shown(env, q.find(sid), SampleCase("X", age), {})

    assert [asked("barn_medvirkning", a) for a in (4, 17, 18, None)] == [
        True,
        True,
        False,
        False,
    ]
    # The child's view is asked at every age, not only from 12 (Vestre Toten innledning).
    assert [asked("barnets_mening", a) for a in (4, 11, 12, 17, 18)] == [
        True,
        True,
        True,
        True,
        False,
    ]
    assert [asked("ungdom_samtykke", a) for a in (11, 12, 16, 17, 18)] == [
        False,
        True,
        True,
        True,
        False,
    ]
    assert asked("sosken", 8) and not asked("sosken", 30)
    assert asked("barn_parorende", 30) and not asked("barn_parorende", 8)


def test_a_life_area_can_be_left_out(
    shipped: dict[str, Questionnaire], env: jinja2.Environment
) -> None:
    q = shipped["kartlegging"]
    case = CASES[0]
    step = q.find("bolig_behov")
    assert shown(env, step, case, {"bolig": "aktuelt"})
    assert not shown(env, step, case, {"bolig": "ikke_aktuelt"})
    assert not shown(env, step, case, {"bolig": "senere"})
    assert not shown(env, step, case, {})


def test_find_and_iteration_reach_nested_steps(shipped: dict[str, Questionnaire]) -> None:
    q = shipped["kartlegging"]
    ids = [s.id for s in q]
    assert (
        ids.index("maal")
        < ids.index("maal_tekst")
        < ids.index("tiltak")
        < ids.index("tiltak_frist")
    )
    assert len(ids) == len(set(ids))
    assert q.parent_of("helse") is None
    with pytest.raises(KeyError):
        q.find("finnes_ikke")
    assert q.find("maal").max_items == 10
    assert q.find("viktig_for_deg").max_length == 1000
    assert q.find("maal_omrade").option("bolig").label == "Bolig"


# --- broken files ------------------------------------------------------------------------

GOOD_STEP = """
  - id: ok
    kind: checklist
    text: "Har du gjort det?"
"""


def write(tmp_path: Path, body: str, name: str = "broken") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def with_step(step: str) -> str:
    return (
        "id: broken\ntitle: Test\nsteps:\n"
        + GOOD_STEP
        + textwrap.indent(textwrap.dedent(step), "  ")
    )


BROKEN: list[tuple[str, str, str]] = [
    (
        "too few options",
        with_step("""
            - id: kontaktform
              kind: choice
              text: "Hvordan?"
              options:
                - {value: telefon, label: "Telefon"}
        """),
        "broken.yaml, step 'kontaktform': choice needs 2-12 options",
    ),
    (
        "too many options",
        with_step(
            "- id: mange\n  kind: multi\n  text: Hva?\n  options:\n"
            + "".join(f"    - {{value: v{i}, label: L{i}}}\n" for i in range(13))
        ),
        "broken.yaml, step 'mange': multi needs 2-12 options",
    ),
    (
        "unknown key",
        with_step("""
            - id: skrivefeil
              kind: text
              txt: "Hva?"
        """),
        "broken.yaml, step 'skrivefeil': unknown key 'txt'",
    ),
    (
        "key of another kind",
        with_step("""
            - id: fritekst
              kind: text
              text: "Hva?"
              note: false
        """),
        "broken.yaml, step 'fritekst': key 'note' does not apply to kind text",
    ),
    (
        "unknown kind",
        with_step("""
            - id: radio
              kind: radio
              text: "Hva?"
        """),
        "broken.yaml, step 'radio': unknown kind 'radio'",
    ),
    (
        "missing kind",
        with_step("""
            - id: uten_type
              text: "Hva?"
        """),
        "broken.yaml, step 'uten_type': missing kind",
    ),
    (
        "missing text",
        with_step("""
            - id: taus
              kind: checklist
        """),
        "broken.yaml, step 'taus': missing text",
    ),
    (
        "missing id",
        with_step("""
            - kind: text
              text: "Hva?"
        """),
        "broken.yaml: step 2 has no id",
    ),
    (
        "bad id",
        with_step("""
            - id: Kontakt-Form
              kind: text
              text: "Hva?"
        """),
        "broken.yaml, step 'Kontakt-Form': id must use only a-z, 0-9 and _",
    ),
    (
        "long id",
        with_step("""
            - id: et_altfor_langt_steg_navn_her
              kind: text
              text: "Hva?"
        """),
        "broken.yaml, step 'et_altfor_langt_steg_navn_her': id is longer than 24 characters",
    ),
    (
        "duplicate id inside a group",
        with_step("""
            - id: maal
              kind: group
              text: "Nytt mål?"
              item: mål
              steps:
                - id: ok
                  kind: text
                  text: "Hva?"
        """),
        "broken.yaml, step 'ok': duplicate id",
    ),
    (
        "bad option value",
        with_step("""
            - id: valg
              kind: choice
              text: "Hva?"
              options:
                - {value: Ja, label: "Ja"}
                - {value: nei, label: "Nei"}
        """),
        "broken.yaml, step 'valg': option value 'Ja' must use only a-z, 0-9 and _",
    ),
    (
        "long label",
        with_step("""
            - id: valg
              kind: choice
              text: "Hva?"
              options:
                - {value: ja, label: "Ja, og dette er en altfor lang knappetekst"}
                - {value: nei, label: "Nei"}
        """),
        "broken.yaml, step 'valg': label of option 'ja' is longer than 40 characters",
    ),
    (
        "duplicate option",
        with_step("""
            - id: valg
              kind: multi
              text: "Hva?"
              options:
                - {value: ja, label: "Ja"}
                - {value: ja, label: "Ja igjen"}
        """),
        "broken.yaml, step 'valg': duplicate option value 'ja'",
    ),
    (
        "option without label",
        with_step("""
            - id: valg
              kind: choice
              text: "Hva?"
              options: [ja, nei]
        """),
        "broken.yaml, step 'valg': option 1 needs exactly value and label",
    ),
    (
        "text does not compile",
        with_step("""
            - id: mal
              kind: text
              text: "Hva er viktig for {{ case.alias }?"
        """),
        "broken.yaml, step 'mal': text does not compile",
    ),
    (
        "help does not compile",
        with_step("""
            - id: mal
              kind: text
              text: "Hva?"
              help: "{% if case.is_child %}barn"
        """),
        "broken.yaml, step 'mal': help does not compile",
    ),
    (
        "when does not compile",
        with_step("""
            - id: betinget
              kind: text
              text: "Hva?"
              when: "answers.get('ok') =="
        """),
        "broken.yaml, step 'betinget': when does not compile",
    ),
    (
        "intro does not compile",
        "id: broken\ntitle: T\nintro: '{{ case.alias'\nsteps:\n" + GOOD_STEP,
        "broken.yaml: intro does not compile",
    ),
    (
        "bad default",
        with_step("""
            - id: dato
              kind: date
              text: "Når?"
              default: "6 måneder"
        """),
        "broken.yaml, step 'dato': default '6 måneder' must look like +14d, +2w or +6m",
    ),
    (
        "bad deadline kind",
        with_step("""
            - id: dato
              kind: date
              text: "Når?"
              deadline: "Neste evaluering"
        """),
        "broken.yaml, step 'dato': deadline must be a kind code",
    ),
    (
        "text too long allowed",
        with_step("""
            - id: lang
              kind: text
              text: "Hva?"
              max_length: 5000
        """),
        "broken.yaml, step 'lang': max_length must be between 1 and 3000",
    ),
    (
        "min above max",
        with_step("""
            - id: antall
              kind: number
              text: "Hvor mange?"
              min: 10
              max: 1
        """),
        "broken.yaml, step 'antall': min is greater than max",
    ),
    (
        "note not a flag",
        with_step("""
            - id: sjekk
              kind: checklist
              text: "Ok?"
              note: "kanskje"
        """),
        "broken.yaml, step 'sjekk': note must be true or false",
    ),
    (
        "group without item",
        with_step("""
            - id: maal
              kind: group
              text: "Nytt mål?"
              steps:
                - {id: maal_tekst, kind: text, text: "Hva?"}
        """),
        "broken.yaml, step 'maal': missing item",
    ),
    (
        "empty group",
        with_step("""
            - id: maal
              kind: group
              text: "Nytt mål?"
              item: mål
              steps: []
        """),
        "broken.yaml, step 'maal': steps must not be empty",
    ),
    (
        "groups three deep",
        with_step("""
            - id: a
              kind: group
              text: "A?"
              item: a
              steps:
                - id: b
                  kind: group
                  text: "B?"
                  item: b
                  steps:
                    - id: c
                      kind: group
                      text: "C?"
                      item: c
                      steps:
                        - {id: d, kind: text, text: "D?"}
        """),
        "broken.yaml, step 'c': groups nest at most 2 deep",
    ),
    (
        "id differs from file name",
        "id: oppstart\ntitle: T\nsteps:\n" + GOOD_STEP,
        "broken.yaml: id 'oppstart' does not match the file name",
    ),
    (
        "no title",
        "id: broken\nsteps:\n" + GOOD_STEP,
        "broken.yaml: missing title",
    ),
    (
        "unknown top-level key",
        "id: broken\ntitle: T\nsporsmal: []\nsteps:\n" + GOOD_STEP,
        "broken.yaml: unknown key 'sporsmal'",
    ),
    (
        "no steps",
        "id: broken\ntitle: T\nsteps: []\n",
        "broken.yaml: steps must not be empty",
    ),
    (
        "empty file",
        "",
        "broken.yaml: top level must be a mapping",
    ),
    (
        "yaml syntax",
        "id: broken\ntitle: T\nsteps:\n  - id: a\n    kind: text\n   text: feil innrykk\n",
        "broken.yaml: invalid YAML at line 6",
    ),
    (
        "key twice",
        "id: broken\ntitle: T\nsteps:\n  - id: a\n    kind: text\n    text: A\n    text: B\n",
        "broken.yaml: invalid YAML at line 7: duplicate key 'text'",
    ),
]


@pytest.mark.parametrize(("body", "expected"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_file_is_reported_by_file_and_step(tmp_path: Path, body: str, expected: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    assert str(info.value).startswith(expected), str(info.value)
    assert info.value.path == path


def test_error_keeps_its_parts(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN[0][1])
    with pytest.raises(QuestionnaireError) as info:
        load_questionnaire(path)
    err = info.value
    assert (err.step_id, err.reason) == ("kontaktform", "choice needs 2-12 options")
    assert isinstance(err, ValueError)


def test_load_all_stops_at_a_broken_file(tmp_path: Path) -> None:
    write(tmp_path, "id: godt\ntitle: T\nsteps:\n" + GOOD_STEP, name="godt")
    assert list(load_all(tmp_path)) == ["godt"]
    write(tmp_path, BROKEN[0][1])
    with pytest.raises(QuestionnaireError, match=r"^broken\.yaml, step 'kontaktform'"):
        load_all(tmp_path)


def test_a_minimal_file_gets_the_defaults(tmp_path: Path) -> None:
    q = load_questionnaire(
        write(
            tmp_path,
            with_step("""
                - id: fritekst
                  kind: text
                  text: "Hva?"
                - id: dato
                  kind: date
                  text: "Når?"
            """),
        )
    )
    assert (q.intro, q.outro) == ("", "")
    ok, fritekst, dato = q.steps
    assert ok.note is True and ok.optional is False and ok.help is None
    assert fritekst.max_length == 1000
    assert dato.default is None and dato.deadline is None
