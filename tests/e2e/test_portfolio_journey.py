"""The tracker's first minutes, in a real browser: sign in, see the portfolio, switch to
Russian, open a team. Screenshots land in artifacts/ (and docs/screenshot.png for the
README)."""

import io
import os
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import horizontal_overflow, nav

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "tracker@demo.example"
PASSWORD = "demo-sprints-2026"
RU_COMPANY = "Кухни на заказ «Дубрава»"
BUSINESSES = (RU_COMPANY, "Bluebird Coffee Roasters", "Northwind Dental Studio")
README_SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot.png"
RU_TEAM = ("Anna Sokolova", "Игорь Петров", "Мария Кузнецова", "Олег Смирнов", "Светлана Орлова")


def _seed():
    call_command("seed_demo", stdout=io.StringIO())


def _sign_in(page, base_url):
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("input[name=username]").fill(EMAIL)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My businesses")


def test_tracker_signs_in_sees_portfolio_and_switches_to_russian(live_server, page, artifacts_dir):
    _seed()
    _sign_in(page, live_server.url)

    cards = page.locator("ul.portfolio > li.card")
    expect(cards).to_have_count(3)
    for name in BUSINESSES:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert horizontal_overflow(page) <= 1, "the English portfolio scrolls sideways at 375 px"
    page.screenshot(path=artifacts_dir / "portfolio-en.png", full_page=True)

    # The language switch is a plain form in the top bar.
    page.locator("form.lang button[name=language][value=ru]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Мои бизнесы")
    expect(nav(page, "Главное меню").get_by_role("button", name="Выйти")).to_be_visible()
    expect(page.locator("dl.facts dt", has_text="Следующая встреча")).to_have_count(3)
    expect(page.locator("form.lang button[value=ru]")).to_have_attribute("aria-pressed", "true")
    for name in BUSINESSES:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert horizontal_overflow(page) <= 1, "the Russian portfolio scrolls sideways at 375 px"
    page.screenshot(path=artifacts_dir / "portfolio-ru.png", full_page=True)

    # Through the navigation to the Russian business's team.
    page.get_by_role("link", name=RU_COMPANY, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(RU_COMPANY)
    nav(page, "Бизнес").get_by_role("link", name="Участники", exact=True).click()
    expect(page).to_have_url(re.compile(r"/b/\d+/members/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Участники")
    members = page.locator("#members > li.member-row")
    expect(members).to_have_count(len(RU_TEAM))
    for person in RU_TEAM:
        expect(members.filter(has_text=person)).to_have_count(1)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    assert horizontal_overflow(page) <= 1, "the Russian members page scrolls sideways at 375 px"
    page.screenshot(path=artifacts_dir / "members-ru.png", full_page=True)


def test_portfolio_desktop_screenshot_for_readme(live_server, desktop_page, artifacts_dir):
    _seed()
    _sign_in(desktop_page, live_server.url)
    for name in BUSINESSES:
        expect(desktop_page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert horizontal_overflow(desktop_page) <= 1
    shot = artifacts_dir / "portfolio-desktop-en.png"
    desktop_page.screenshot(path=shot)  # the viewport only: small enough for the README
    # The dates on the page move on, so the README's copy is refreshed only on request.
    if os.environ.get("UPDATE_README_SCREENSHOT"):
        shutil.copyfile(shot, README_SCREENSHOT)
