"""The case summary PDF (`/eksport <alias>`): a koordinator exports case ÆØ and files
the PDF in the journal; everything they answered is there, in Norwegian, with æ, ø and å
intact, and nothing typed into an answer can change the layout."""

from __future__ import annotations

import io
import time
from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import jinja2
import pytest
from pypdf import PdfReader

from bot.export_pdf import (
    CaseSummary,
    SummaryAnswer,
    SummaryDeadline,
    SummaryGoal,
    SummaryMeeting,
    SummaryRun,
    SummaryTiltak,
    render_case_pdf,
)
from messages import Texts

OSLO = ZoneInfo("Europe/Oslo")
JAM = "Blåbærsyltetøy på lørdag – «hjemme»"
MARKUP = "<b>&</b> og <script>alert(1)</script>"
FOOTER = "Dokumentet er ikke journalen."


@pytest.fixture(scope="module")
def env() -> jinja2.Environment:
    return Texts().env


def case_ae_oe(**changes: object) -> CaseSummary:
    summary = CaseSummary(
        alias="ÆØ",
        facts=(("Rolle", "Barnekoordinator"), ("Født", "mars 2016"), ("Arena", "Skole")),
        runs=(
            SummaryRun(
                title="Oppstartsamtale",
                started_on=date(2027, 3, 5),
                finished_on=date(2027, 3, 12),
                status="Fullført",
                answers=(
                    SummaryAnswer("Hva er viktig for deg?", JAM, note="Mor var med på møtet."),
                    SummaryAnswer("Behov for tolk?", MARKUP),
                ),
            ),
            SummaryRun(
                title="Kartlegging",
                started_on=date(2027, 4, 1),
                finished_on=None,
                status="Pause",
                answers=(
                    SummaryAnswer("Mål", "Gå til skolen på egen hånd"),
                    SummaryAnswer("Tiltak", "Øve på skoleveien", depth=1),
                    SummaryAnswer("Ansvarlig", "Miljøterapeut", depth=2),
                ),
            ),
        ),
        goals=(
            SummaryGoal(
                "Gå til skolen på egen hånd før jul",
                (
                    SummaryTiltak("Øve på skoleveien", "Miljøterapeut", "To ganger i uka", None),
                    SummaryTiltak("Refleksvest", "Foreldrene", None, date(2027, 11, 1)),
                ),
            ),
            SummaryGoal("Mer fritid med venner", ()),
        ),
        deadlines=(SummaryDeadline("Evaluering", date(2027, 9, 6), "Åpen"),),
        meetings=(
            SummaryMeeting(
                "Ansvarsgruppemøte",
                datetime(2027, 3, 20, 12, 30, tzinfo=UTC),
                "Rådhuset, møterom «Blåbær» <b>&</b>",
                "Holdt",
            ),
        ),
        koordinator="Kari Nordmann",
        generated_at=datetime(2027, 5, 3, 14, 30, tzinfo=OSLO),
    )
    return replace(summary, **changes)  # type: ignore[arg-type]


def pages_of(pdf: bytes) -> list[str]:
    """Each page's text with whitespace collapsed, so wrapped lines read as one."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_summary_shows_facts_answers_goals_deadlines_and_meetings(env: jinja2.Environment) -> None:
    text = " ".join(pages_of(render_case_pdf(case_ae_oe(), env)))

    for heading in ("Sammendrag for sak ÆØ", "Samtaler", "Mål og tiltak", "Frister", "Møtelogg"):
        assert heading in text
    assert "Koordinator: Kari Nordmann" in text
    assert "Rolle Barnekoordinator" in text
    assert "Oppstartsamtale" in text
    assert "Startet 5. mars 2027, avsluttet 12. mars 2027. Status: Fullført." in text
    assert f"Hva er viktig for deg? {JAM}" in text
    assert "Merknad: Mor var med på møtet." in text
    assert "Startet 1. april 2027. Status: Pause." in text
    assert "Tiltak Øve på skoleveien" in text
    assert "Ansvarlig Miljøterapeut" in text
    assert "Mål 1: Gå til skolen på egen hånd før jul" in text
    assert "Slik gjør vi det: To ganger i uka" in text
    assert "Ansvarlig: Foreldrene. Frist: 1. november 2027." in text
    assert "Ingen tiltak registrert for dette målet." in text
    assert "Evaluering 06.09.2027 Åpen" in text
    # 12:30 UTC is 13.30 in Oslo in March
    assert "20.03.2027 kl. 13.30 Ansvarsgruppemøte" in text


def test_what_a_koordinator_typed_is_printed_as_typed(env: jinja2.Environment) -> None:
    text = " ".join(pages_of(render_case_pdf(case_ae_oe(), env)))

    assert f"Behov for tolk? {MARKUP}" in text
    assert "«Blåbær» <b>&</b>" in text
    assert "&amp;" not in text and "&lt;" not in text


def test_line_breaks_in_an_answer_are_kept(env: jinja2.Environment) -> None:
    answer = SummaryAnswer("Hva er viktig for deg?", "Fotball\nTegning")
    run = replace(case_ae_oe().runs[0], answers=(answer,))
    page = PdfReader(io.BytesIO(render_case_pdf(case_ae_oe(runs=(run,)), env))).pages[0]

    assert "Fotball\nTegning" in page.extract_text()


def test_empty_sections_say_so(env: jinja2.Environment) -> None:
    summary = case_ae_oe(facts=(), runs=(), goals=(), deadlines=(), meetings=())
    text = " ".join(pages_of(render_case_pdf(summary, env)))

    for line in (
        "Ingen opplysninger registrert.",
        "Ingen samtaler registrert.",
        "Ingen mål registrert.",
        "Ingen frister registrert.",
        "Ingen møter registrert.",
    ):
        assert line in text


def test_a_conversation_without_answers_says_so(env: jinja2.Environment) -> None:
    run = SummaryRun("Evaluering", date(2027, 9, 1), None, "Påbegynt", ())
    text = " ".join(pages_of(render_case_pdf(case_ae_oe(runs=(run,)), env)))

    assert "Evaluering Startet 1. september 2027. Status: Påbegynt. Ingen svar registrert." in text


def test_long_answers_flow_over_pages_with_the_footer_on_each(env: jinja2.Environment) -> None:
    long_answer = ("Han trives på skolen, men trenger hjelp i friminuttene. " * 54)[:2990]
    answers = tuple(
        SummaryAnswer(f"Spørsmål {n} om økonomi", f"Svar {n}: {long_answer} Slutt {n}.")
        for n in range(8)
    )
    run = SummaryRun("Kartlegging", date(2027, 3, 5), None, "Pause", answers)
    pages = pages_of(render_case_pdf(case_ae_oe(runs=(run,)), env))
    text = " ".join(pages)

    assert len(pages) > 1
    assert all(f"Slutt {n}." in text for n in range(8))
    for number, page in enumerate(pages, start=1):
        assert "til arkivering i journalen eller planverktøyet" in page
        assert FOOTER in page
        assert "sensitive personopplysninger" in page
        assert f"Sammendrag ÆØ – side {number} av {len(pages)}" in page


def test_metadata_names_only_the_alias(env: jinja2.Environment) -> None:
    metadata = PdfReader(io.BytesIO(render_case_pdf(case_ae_oe(), env))).metadata

    assert metadata is not None
    assert metadata.title == "Sammendrag ÆØ"
    assert metadata.creator == "Koordinatorbot"
    assert metadata.creation_date == datetime(2027, 5, 3, 14, 30, tzinfo=OSLO)
    assert "Kari" not in str(dict(metadata))


def test_same_case_gives_the_same_file(env: jinja2.Environment) -> None:
    assert render_case_pdf(case_ae_oe(), env) == render_case_pdf(case_ae_oe(), env)


def test_two_hundred_answers_render_quickly(env: jinja2.Environment) -> None:
    answers = tuple(
        SummaryAnswer(
            f"Spørsmål {n}: har personen det bra på skolen?",
            "Hun trives godt, men trenger litt hjelp i friminuttene.",
            note="Avtalt med kontaktlærer." if n % 5 == 0 else None,
            depth=n % 3,
        )
        for n in range(200)
    )
    run = SummaryRun("Kartlegging", date(2027, 3, 5), None, "Pause", answers)
    summary = case_ae_oe(runs=(run,))
    render_case_pdf(case_ae_oe(), env)  # template compiled once, as in the running bot

    started = time.perf_counter()
    pdf = render_case_pdf(summary, env)
    elapsed = time.perf_counter() - started

    assert "Spørsmål 199: har personen det bra på skolen?" in " ".join(pages_of(pdf))
    assert elapsed < 1.5  # about 0.4 s; fpdf2's quadratic paragraph handling took twice that


def test_the_pdf_stack_is_not_loaded_at_start_up():
    """fpdf2, fontTools and matplotlib (with numpy) are a third of the bot's import time
    and much of its memory; they load on the first export, not when the bot starts."""
    import subprocess
    import sys

    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, koordbot.app; "
            "print(sorted(m for m in ('fpdf', 'fontTools', 'matplotlib', 'numpy') "
            "if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
