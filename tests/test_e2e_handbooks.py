"""Issue 13, «right by the handbooks and the law», as chats: vedtak that run out, the
end of upper secondary per case, the transitions a youth's case is offered."""

from __future__ import annotations

from datetime import date, datetime

from storage.models import Case, Deadline, Koordinator
from tests.conftest import OSLO
from tests.harness import rows
from tests.test_e2e_cases import create_case
from tests.test_e2e_issue13b import transitions_screen


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
    assert "Lagt inn for AB: Vedtak løper ut: BPA, onsdag 30. juni 2027" in replies[-1]
    [vedtak] = await rows(bot, Deadline, Deadline.kind == "vedtak_bpa")
    assert (vedtak.due, vedtak.status) == (date(2027, 6, 30), "open")
    at(clock, 2027, 3, 31)
    await bot.sweep()
    assert not any("Vedtak" in m.text for m in bot.reminders_to(kari.user_id))
    at(clock, 2027, 4, 1)  # 90 days ahead
    await bot.sweep()
    [first] = [m for m in bot.reminders_to(kari.user_id) if "Vedtak" in m.text]
    # Issue 13: the lock screen names no service («BPA» stays inside the chat).
    assert "AB: Vedtak løper ut" in first.text and "BPA" not in first.text
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
    text = await transitions_screen(kari)
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
    text = await transitions_screen(kari)
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
    assert "01.10.2027 Melding til fylket om vgs-søkere" in await transitions_screen(younger)


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


# ---- closing and handover ------------------------------------------------------------
def ke_texts(bot):
    return [m.text for m in bot.telegram.messages(bot.admin().user_id) if m.from_bot]


async def test_closing_without_agreement_is_a_request_to_the_ke(bot):
    # Vestre Toten 7.6: «Dersom bruker/foresatt/verge fortsatt ønsker koordinator/IP,
    # kontaktes KTK som gjør en ny vurdering».
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    await kari.tap("Avslutt sak")
    assert "ny vurdering" not in kari.last_text and "forespørsel" in kari.last_text
    await kari.tap("Nei")
    await kari.tap("Ja")
    assert "inaktiv i planverktøyet" in kari.last_text
    await kari.tap("Ikke aktuelt")
    assert "ansvarsgruppen og de andre tjenestene" in kari.last_text
    await kari.tap("Ja")
    assert "stafettlogg" in kari.last_text
    await kari.tap("Nei")
    reasons = kari.buttons()
    assert "Over til voksentjenester / fylt 18" in reasons and "Dødsfall" in reasons
    assert "Planen trengs ikke lenger" not in reasons and "Død" not in reasons
    await kari.tap("Personen ønsker det ikke lenger")
    assert "AB er ikke avsluttet" in kari.last_text
    [case] = await rows(bot, Case)
    assert case.status == "active"
    assert [d for d in await rows(bot, Deadline) if d.status == "open"]
    anne = bot.admin()
    notice = anne.last
    assert notice.text.startswith("❓ Forespørsel om å avslutte AB (Kari Nordmann)")
    assert "Årsak: Personen ønsker det ikke lenger." in notice.text
    assert notice.buttons() == ["Avslutt saken", "Behold saken åpen"]
    kari_before = len(kari.bot_messages())
    replies = await kari.press(notice.keyboard[0][0]["callback_data"], notice)
    assert replies == [] and "admin" in kari.callback_answers()[-1].lower()
    assert len(kari.bot_messages()) == kari_before
    await anne.tap("Behold saken åpen", notice)
    assert "Saken er fortsatt åpen (Anne Admin)" in anne.last_text
    assert "saken fortsetter, og du er fortsatt koordinator" in kari.last_text
    [case] = await rows(bot, Case)
    assert case.status == "active"


async def test_the_ke_closes_a_requested_closing_with_one_tap(bot):
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    await kari.send("AB")
    await kari.tap("Avslutt sak")
    for answer in ("Nei", "Ja", "Ja", "Ja", "Ja, i stafettlogg", "Dødsfall"):
        await kari.tap(answer)
    await kari.send("AB")
    assert "Venter på koordinerende enhet: forespørsel om å avslutte" in kari.last_text
    anne = bot.admin()
    notice = anne.last
    approve = notice.keyboard[0][0]["callback_data"]
    await anne.tap("Avslutt saken", notice)
    assert "Saken er avsluttet (Anne Admin)" in anne.last_text
    assert "har avsluttet saken AB" in kari.last_text
    [case] = await rows(bot, Case)
    assert (case.status, case.close_reason) == ("closed", "dod")
    assert not [d for d in await rows(bot, Deadline) if d.status in ("open", "proposed")]
    await anne.press(approve, notice)  # a second tap (another admin's copy) changes nothing
    assert "allerede avgjort" in notice.text


async def test_an_agreed_closing_names_the_items_and_the_stafettlogg(bot):
    kari = await bot.registered_user("Kari Nordmann")
    await create_case(kari, "AB")
    await kari.tap("Avslutt sak")
    for answer in (
        "Ja",
        "Ja",
        "Nei",
        "Ja",
        "Ja, i stafettlogg",
        "Over til voksentjenester / fylt 18",
    ):
        await kari.tap(answer)
    text = kari.last_text
    assert "AB er avsluttet" in text and "sjekklisten (1 punkt)" in text
    assert "Samarbeidet kan fortsette i stafettloggen." in text
    assert any("Årsak: Over til voksentjenester / fylt 18." in t for t in ke_texts(bot))


async def test_an_evaluation_that_proposes_closing_opens_the_checklist(bot):
    kari = await bot.registered_user()
    await create_case(kari, "AB")
    await kari.send("/evaluering AB")
    await until(kari, "Hvordan går dere videre?")
    await kari.tap("Foreslå å avslutte")
    await until(kari, "svarene er lagret")
    await kari.tap("Avslutt saken")
    assert "Er avslutningen avtalt med personen" in kari.last_text
    [case] = await rows(bot, Case)
    assert case.status == "active"


async def test_handover_is_proposed_and_the_ke_appoints_with_one_tap(bot, clock):
    from datetime import timedelta

    kari = await bot.registered_user("Kari Nordmann")
    per = await bot.registered_user("Per Olsen", tjenestested="NAV")
    await create_case(kari, "AB")  # appointed 24 November 2026
    clock.advance(timedelta(days=30))  # Thursday 24 December 2026
    await kari.send("AB")
    await kari.tap("Bytt koordinator")
    await kari.tap("Ja")
    await kari.tap("Ja")
    await kari.tap("Ja")
    assert "Følger forslaget ditt det personen ønsker?" in kari.last_text
    assert kari.buttons()[:3] == ["Ja", "Nei", "Ikke spurt"]
    await kari.tap("Ikke spurt")
    assert "dokumentert i journalen" in kari.last_text
    await kari.tap("Ja")
    assert "Hvem foreslår du som ny koordinator for AB?" in kari.last_text
    await kari.tap("Per Olsen (NAV)")
    assert "Forslaget er sendt til koordinerende enhet" in kari.last_text
    # Until the KE appoints, Kari is still the koordinator.
    [case] = await rows(bot, Case)
    [kari_row] = await rows(bot, Koordinator, Koordinator.telegram_user_id == kari.user_id)
    assert case.koordinator_id == kari_row.id
    anne = bot.admin()
    notice = anne.last
    assert "Forslag om ny koordinator for AB\nKari Nordmann foreslår Per Olsen (NAV)" in notice.text
    assert "Følger forslaget personens ønske: Ikke spurt." in notice.text
    await anne.tap("Oppnevn Per Olsen", notice)
    assert "Per Olsen er oppnevnt som koordinator (Anne Admin)" in anne.last_text
    card = per.last.text
    assert "Du er ny koordinator for AB (overtatt fra Kari Nordmann)" in card
    assert "oppstartsamtale innen 7. januar 2027" in card
    assert "Oppnevnt: 24. desember 2026 (ny koordinator, saken startet 24. november 2026)" in card
    [case] = await rows(bot, Case)
    [per_row] = await rows(bot, Koordinator, Koordinator.telegram_user_id == per.user_id)
    assert case.koordinator_id == per_row.id
    assert case.previous_until == date(2027, 1, 7)  # 14 days of overlap
    oppstart = [d for d in await rows(bot, Deadline) if d.kind == "oppstartsamtale"]
    assert [(d.due, d.status) for d in oppstart if d.status == "open"] == [
        (date(2027, 1, 7), "open")
    ]
    # The outgoing koordinator is told, and reads the case until the overlap ends.
    assert "Du kan lese saken til og med 7. januar 2027" in kari.last_text
    replies = await kari.send("AB")
    assert "Saken er gitt videre" in replies[0]
    await kari.tap("PDF-sammendrag")
    assert kari.last.document is not None
    await kari.send("/oppstart AB")
    assert "Fant ingen av sakene dine" in kari.last_text
    clock.advance(timedelta(days=15))
    replies = await kari.send("AB")
    assert "Jeg fant ingen sak" in replies[0]


async def test_the_ke_can_decline_a_proposed_handover(bot):
    kari = await bot.registered_user("Kari Nordmann")
    await bot.registered_user("Per Olsen", tjenestested="NAV")
    await create_case(kari, "AB")
    await kari.tap("Bytt koordinator")
    for answer in ("Ja", "Ja", "Ja", "Nei", "Ja"):
        await kari.tap(answer)
    await kari.tap("Per Olsen (NAV)")
    anne = bot.admin()
    assert "Følger forslaget personens ønske: Nei." in anne.last_text
    await anne.tap("Avslå")
    assert "Forslaget er avslått (Anne Admin)" in anne.last_text
    assert "har ikke oppnevnt den du foreslo for AB." in kari.last_text
    [case] = await rows(bot, Case)
    [kari_row] = await rows(bot, Koordinator, Koordinator.telegram_user_id == kari.user_id)
    assert case.koordinator_id == kari_row.id
