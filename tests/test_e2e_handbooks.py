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
