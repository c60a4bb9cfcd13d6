"""Issue 13, «right by the handbooks and the law», as chats: vedtak that run out, the
end of upper secondary per case, the transitions a youth's case is offered."""

from __future__ import annotations

from datetime import date, datetime

from storage.models import Case, Deadline
from tests.conftest import OSLO
from tests.harness import rows
from tests.test_e2e_cases import create_case


def at(clock, y, m, d, hh=8, mm=0):
    clock.set(datetime(y, m, d, hh, mm, tzinfo=OSLO))


async def test_a_vedtak_that_runs_out_is_reminded_90_and_30_days_ahead(bot, clock):
    # Folldal: «Holde orden på vedtak»; Ringerike: «Avlastning/støttekontakt/BPA/…».
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.tap("Ny frist")
    assert "Vedtak løper ut: BPA" in kari.buttons()
    await kari.tap("Vedtak løper ut: BPA")
    replies = await kari.send("30.06.2027")
    assert "Vedtak løper ut: BPA 30. juni 2027 er lagt inn for AB" in replies[-1]
    [vedtak] = await rows(bot, Deadline, Deadline.kind == "vedtak_bpa")
    assert (vedtak.due, vedtak.status) == (date(2027, 6, 30), "open")
    at(clock, 2027, 3, 31)
    await bot.sweep()
    assert not any("Vedtak" in m.text for m in bot.reminders_to(kari.user_id))
    at(clock, 2027, 4, 1)  # 90 days ahead
    await bot.sweep()
    [first] = [m for m in bot.reminders_to(kari.user_id) if "Vedtak" in m.text]
    assert "AB: Vedtak løper ut: BPA" in first.text
    at(clock, 2027, 5, 31)  # 30 days ahead
    await bot.sweep()
    assert len([m for m in bot.reminders_to(kari.user_id) if "Vedtak" in m.text]) == 2


async def test_end_of_upper_secondary_is_set_per_case_and_vg1_stays(bot):
    kari = await bot.registered_user()
    await create_case(kari, "EF", birth="03.2010")
    await kari.tap("Rediger")
    await kari.tap("Videregående (antall år)")
    await kari.tap("4 år (yrkesfag 2+2)")
    assert "Videregående (antall år) er endret" in kari.replies()[0]
    [case] = await rows(bot, Case)
    assert case.vgs_years == 4
    await kari.tap("Overganger")
    text = kari.last_text
    assert "Videregående: 4 år (yrkesfag 2+2)." in text
    assert "20.06.2030 Slutt på videregående" in text
    ends = {
        d.due
        for d in await rows(bot, Deadline, Deadline.kind == "vgs_slutt")
        if d.status == "proposed"
    }
    assert ends == {date(2030, 6, 20)}


async def test_a_youths_case_gets_the_county_notice_and_the_checklist_at_18(bot):
    kari = await bot.registered_user()
    await create_case(kari, "GH", birth="05.2011")
    await kari.tap("Overganger")
    text = kari.last_text
    # The county rule with the municipality's date (default 1 October, in 10th grade).
    assert "01.10.2026" not in text  # more than 30 days ago on 24 November 2026
    assert "01.02.2027 Søknadsfrist vgs: fortrinnsrett, individuell behandling" in text
    assert "01.03.2027 Ordinær søknadsfrist vgs" in text
    for line in (
        "01.11.2028 18 år: vergemål",
        "01.11.2028 18 år: fra BUP til DPS",
        "01.11.2028 18 år: fra barne- til voksenhabilitering",
        "01.02.2029 18 år: NAV",
        "01.02.2029 18 år: fra barnekoordinator til koordinator",
        "01.05.2029 Fyller 18 år",
    ):
        assert line in text
    younger = await bot.registered_user("Per Olsen")
    await create_case(younger, "IJ", birth="05.2012")
    await younger.tap("Overganger")
    assert "01.10.2027 Melding til fylket om søkere med fortrinnsrett (vgs)" in younger.last_text


# ---- words ---------------------------------------------------------------------------
async def test_fodselsnummer_during_registration_does_not_speak_of_a_case(bot):
    admin = await bot.registered_admin()
    await admin.send("/invitasjon")
    code = admin.last_text.split("/start ")[1].split()[0]
    newcomer = bot.chat(name="Ola")
    await newcomer.send(f"/start {code}")
    replies = await newcomer.send("15058512343")
    assert "fødselsnummer" in replies[0] and "registreringen" in replies[0]
    assert "saken" not in replies[0] and "kortnavn" not in replies[0]


async def test_the_ke_is_called_what_the_municipality_calls_it(settings, clock, tmp_path):
    from storage.crypto import Cipher
    from tests.conftest import TEST_KEY
    from tests.harness import TestBot

    ktk = TestBot(
        settings=settings.model_copy(update={"ke_name": "KTK"}),
        cipher=Cipher(TEST_KEY),
        clock=clock,
    )
    await ktk.start()
    try:
        stranger = ktk.chat(name="Eve")
        replies = await stranger.send("/start")
        assert "invitasjonslenke fra KTK" in replies[0]
        kari = await ktk.registered_user()
        await kari.send("/koordinatorer")
        assert "Dette kan bare KTK (administratorer) gjøre." in kari.last_text
    finally:
        await ktk.stop()


async def test_counts_are_singular_for_one(bot):
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    anne = bot.admin()
    replies = await anne.send("/koordinatorer")
    assert "Kari Nordmann – Skole: 1 aktiv sak" in replies[0]
    assert "1 aktive saker" not in replies[0]
    replies = await kari.send("/mine_data")
    assert "Saker: 1 åpen, 0 avsluttede" in replies[0]


# ---- the conversations ---------------------------------------------------------------
async def until(chat, words, limit=120):
    """Answer like a hurried koordinator until a question with `words` is on screen."""
    from tests.test_e2e_conversations import answer_current

    seen: dict[str, int] = {}
    for _ in range(limit):
        if words in chat.last_text:
            return chat.last_text
        if "svarene er lagret" in chat.last_text:
            raise AssertionError(f"the conversation ended without asking {words!r}")
        await answer_current(chat, seen=seen)
    raise AssertionError(f"never asked {words!r}")


def asked(chat):
    """Every question the bot has put so far, as one text."""
    return chat.everything_seen()


async def test_oppstart_with_a_youth_who_may_be_15_or_16(bot):
    # Born November 2010: on 24 November 2026 the youth may still be 15, so the bot
    # must not say «har fylt 16 år og samtykker selv» (Vestre Toten 7.2).
    kari = await bot.registered_user()
    await create_case(kari, "AB", birth="11.2010")
    assert "Født: november 2010 (15 eller 16 år)" in kari.last_text
    await kari.send("/oppstart AB")
    text = await until(kari, "hva en individuell plan er")
    # Ringerike: what an IP is and is not.
    assert "ikke et juridisk bindende" in text and "ikke nødvendigvis flere tjenester" in text
    await kari.tap("Ja")
    await kari.tap("Ingen notat")
    assert "Ønsker AB og foresatte en individuell plan?" in kari.last_text
    await kari.tap("Ja")
    text = await until(kari, "samtykke til at det lages en individuell plan")
    assert "kan ha fylt 16 år" in text
    text = await until(kari, "samtykke til tverrfaglig samarbeid")
    assert "kan ha fylt 16 år" in text and "har fylt 16 år og samtykker selv" not in text
    await until(kari, "selv forstå hva et samtykke innebærer")
    await kari.tap("Nei")
    text = await until(kari, "hvem som kan samtykke på vegne av AB")
    assert "Foresatte kan samtykke" in text
    await until(kari, "sin mening om hjelpen")
    await until(kari, "enkel kriseplan")
    await until(kari, "svarene er lagret")
    assert "endre nivået" not in kari.last_text  # the case is already at level IP
    everything = asked(kari)
    assert "har fylt 16 år og samtykker selv" not in everything
    assert "oversikt over vedtakene AB har" in everything


async def test_oppstart_for_an_adult_asks_about_verge_and_a_young_child_is_heard(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    await kari.send("HK")
    await kari.tap("Koordinator")
    await kari.tap("Ansvarsgruppe")
    await kari.send("05.1980")
    await kari.tap("Hopp over")
    await kari.tap("Arbeid / dagtilbud")
    await kari.tap("I dag")
    await kari.send("/oppstart HK")
    await until(kari, "Ønsker HK en individuell plan?")
    await kari.tap("Ja")
    await until(kari, "Har HK verge?")
    await until(kari, "svarene er lagret")
    assert "endre nivået på saken til IP" in kari.last_text
    assert "sin mening" not in asked(kari)
    # A ten-year-old is asked for too (the child's view below 12).
    await create_case(kari, "CD", birth="03.2016")
    await kari.send("/oppstart CD")
    text = await until(kari, "Har CD fått si sin mening")
    assert "Også yngre barn har rett til å bli hørt" in text


async def test_kartlegging_coordinates_delplaner_transitions_and_vergemal(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB", birth="03.2010")  # 16: vergemål before 18
    await kari.send("/kartlegging AB")
    text = await until(kari, "Vil dere kartlegge skolen nå?")
    await kari.tap("Ja, nå")
    text = await until(kari, "Hvilken tilrettelegging gir skolen")
    # Opplæringslova 2023: the school's words; spesialpedagogisk hjelp is barnehage's.
    assert "individuelt tilrettelagt opplæring" in text and "personlig assistanse" in text
    assert "spesialpedagogisk" not in text
    text = await until(kari, "Hvilke andre planer har AB")
    for plan in ("IOP (opplæringsplan)", "Behandlingsplan", "Tiltaksplan (barnevern)", "Kriseplan"):
        assert plan in kari.buttons()
    assert "den individuelle planen" in text
    await until(kari, "Hvilke overganger kommer")
    assert "18 år, tjenester for voksne" in kari.buttons()
    text = await until(kari, "informasjon om vergemål")
    assert "Foresatte er verge bare fram til 18 år" in text


async def test_evaluering_renews_consent_at_16_and_speaks_of_the_level(bot):
    kari = await bot.registered_user()
    await kari.send("/ny")
    await kari.send("AB")
    await kari.tap("Koordinator")
    await kari.tap("Ansvarsgruppe")
    await kari.send("03.2010")
    await kari.tap("Hopp over")
    await kari.tap("Videregående")
    await kari.tap("I dag")
    await kari.send("/evaluering AB")
    text = await until(kari, "AB har fylt 16 år")
    assert "selv samtykket til ansvarsgruppen" in text
    await until(kari, "Trengs ansvarsgruppen fortsatt?")
    await until(kari, "svarene er lagret")
    everything = asked(kari)
    assert "planen" not in everything.replace("planverktøyet", "")
    assert "Fungerer koordinatorrollen slik AB og familien trenger?" in everything


async def test_mote_agrees_the_time_and_sets_the_next_meeting(bot, clock):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/mote AB")
    await kari.tap("Ansvarsgruppemøte")
    await kari.send("05.03.2027 kl 14:30")
    assert "Er tidspunktet avtalt med AB og foresatte?" in kari.last_text
    text = await until(kari, "Når skal neste møte være?")
    assert "tre uker før" in text
    await kari.send("03.09.2027")
    await until(kari, "svarene er lagret")
    assert "Neste møte: 3. september 2027" in kari.last_text
    [nxt] = await rows(bot, Deadline, Deadline.kind == "neste_mote")
    assert (nxt.due, nxt.status) == (date(2027, 9, 3), "open")
