"""The web form in a real browser: headless Chromium (Debian's chromium and
chromium-driver) driven by Selenium. It opens the form as the Mini App would, with a
`Telegram.WebApp` object carrying initData signed by the test's bot token, types an
answer with æøå, submits it and sees the next question arrive in the chat."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.settings import load_settings
from koordbot.webserver import WebServer, bind, browser_link, web_app
from storage.crypto import Cipher
from storage.models import Answer
from tests.conftest import ADMIN_ID, TEST_KEY
from tests.harness import TestBot, rows
from tests.test_e2e_cases import create_case
from tests.webform import init_data

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER), reason="chromium and chromium-driver are not installed (apt)"
)
WRITE = "✍️ Skriv svaret"
THEME = {"bg_color": "#123456", "text_color": "#fafafa", "button_color": "#2ea043"}


@pytest.fixture
async def served(sqlite_url: str, tmp_path: Path, clock: ManualClock) -> AsyncIterator[Any]:
    """A bot in form mode whose web form listens on 127.0.0.1 (SQLite only: the
    browser adds nothing a second database would check)."""
    sock = bind("127.0.0.1", 0)
    settings = load_settings(
        database_url=sqlite_url,
        admin_ids=str(ADMIN_ID),
        encryption_key=TEST_KEY,
        local_key_file=tmp_path / "local.key",
        send_per_chat_seconds=0.0,
        send_per_second=1000.0,
        free_text="form",
        public_url=f"http://127.0.0.1:{sock.getsockname()[1]}",
    )
    bot = TestBot(settings=settings, cipher=Cipher(TEST_KEY), clock=clock)
    await bot.start()
    assert bot.app is not None
    server = WebServer(web_app(bot.app), sock)
    await server.start()
    try:
        yield bot
    finally:
        await server.stop()
        await bot.stop()


@pytest.fixture
def browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=412,915",  # a phone
        # No network here: Telegram's script fails at once instead of timing out.
        "--host-resolver-rules=MAP telegram.org ~NOTFOUND",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


async def call(fn: Any, *args: Any) -> Any:
    """Selenium blocks; the bot and its web form run in this event loop meanwhile."""
    return await asyncio.to_thread(fn, *args)


async def wait_for(browser: Any, selector: str) -> Any:
    from selenium.webdriver.common.by import By

    for _ in range(200):
        found = await call(browser.find_elements, By.CSS_SELECTOR, selector)
        if found:
            return found[0]
        await asyncio.sleep(0.05)
    raise AssertionError(f"{selector} never appeared: {await call(lambda: browser.page_source)}")


async def test_a_koordinator_answers_in_the_mini_app_and_the_chat_goes_on(served, browser):
    kari = await served.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    url = kari.web_app_url(WRITE)
    telegram = {
        "initData": init_data(served, kari.user_id),
        "themeParams": THEME,
    }
    await call(
        browser.execute_cdp_cmd,
        "Page.addScriptToEvaluateOnNewDocument",
        {
            "source": (
                f"window.Telegram = {{WebApp: Object.assign({json.dumps(telegram)}, "
                "{ready() {}, expand() {}, close() { window.name = 'closed'; }})};"
            )
        },
    )
    await call(browser.get, url)
    box = await wait_for(browser, "textarea#text")
    assert "Hva er viktig for AB?" in await call(lambda: browser.page_source)
    background = await call(
        browser.execute_script, "return getComputedStyle(document.body).backgroundColor"
    )
    assert background == "rgb(18, 52, 86)"  # Telegram's theme colour, not ours
    answer = "Å være ute i skogen med søster og bestefar – særlig på lørdager"
    await call(box.send_keys, answer)
    await call((await wait_for(browser, "button[type=submit]")).click)
    await wait_for(browser, "body[data-close]")
    assert "Svar lagret" in await call(lambda: browser.page_source)
    # The chat: a receipt and the next question, never the answer itself.
    texts = [m.text for m in kari.bot_messages()]
    assert texts[-2] == "✅ Svar lagret." and "Hvordan beskriver AB" in texts[-1]
    assert not [c for c in served.telegram.calls if "skogen" in json.dumps(c.params)]
    [stored] = await rows(served, Answer)
    assert stored.value == answer
    for _ in range(60):  # the Mini App closes itself after a saved answer
        if await call(browser.execute_script, "return window.name") == "closed":
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError("Telegram.WebApp.close() was not called")
    log = await call(browser.get_log, "browser")
    assert not [e for e in log if "Content Security Policy" in e["message"]], log
    shot = Path("/tmp/koordbot-web-form.png")
    await call(browser.save_screenshot, str(shot))


async def test_local_mode_link_opens_in_a_plain_browser(served, browser):
    kari = await served.registered_user()
    await create_case(kari, "AB")
    await kari.send("/kartlegging AB")
    url = kari.web_app_url(WRITE)
    link = browser_link(url, kari.user_id, "Kari", served.app.bot.token, served.clock.now())
    await call(browser.get, link)
    box = await wait_for(browser, "textarea#text")
    await call(box.send_keys, "Fotball og tegning, æøå")
    await call((await wait_for(browser, "button[type=submit]")).click)
    await wait_for(browser, "body[data-close]")
    assert "Hvordan beskriver AB" in kari.last_text
    # Without initData (not opened from Telegram) the page says where to open it.
    await call(browser.execute_script, "window.sessionStorage.clear()")
    await call(browser.get, kari.web_app_url(WRITE))
    outside = await wait_for(browser, "#outside:not([hidden])")
    assert "må åpnes fra knappen" in await call(lambda: outside.text)
