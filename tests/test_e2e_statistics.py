"""/statistikk: an admin's overview as text, chart and CSV; figures match the data."""

from __future__ import annotations

from io import BytesIO

from tests.test_e2e_cases import create_case


async def test_statistics_text_chart_and_csv(bot):
    kari = await bot.registered_user("Kari Nordmann")
    for n in range(6):
        await create_case(kari, f"B{n}")  # 10 years old, IP, barnekoordinator
    await create_case(kari, "V1", birth="01.1980")
    anne = bot.admin()
    replies = await anne.send("/statistikk")
    text = replies[0]
    assert "7" in text  # seven active cases
    photo = anne.last.photo
    assert photo is not None and photo.startswith(b"\x89PNG")
    from matplotlib.image import imread

    image = imread(BytesIO(photo), format="png")
    assert image.shape[0] > 400 and image.shape[1] > 600
    await anne.send("/statistikk csv")
    documents = [m.document for m in anne.bot_messages() if m.document]
    names = [d[0] for d in documents]
    assert any(n.startswith("statistikk-") for n in names)
    listing = next(d[1] for d in documents if d[0].startswith("saker-")).decode("utf-8-sig")
    lines = listing.strip().splitlines()
    assert len(lines) == 1 + 7
    assert "B0" not in listing and "V1" not in listing  # no aliases
    figures = next(d[1] for d in documents if d[0].startswith("statistikk-")).decode("utf-8-sig")
    assert "under 5" in figures  # one adult: a small count is not shown as 1


async def test_statistics_are_for_admins_only(bot):
    kari = await bot.registered_user()
    replies = await kari.send("/statistikk")
    assert "Dette kan bare koordinerende enhet" in replies[0]
