"""A Russian owner in a browser that asks for English: owner@dubrava.demo has Russian saved, so
after signing in every page is Russian; in the weekly session's metrics step she types this
week's conversion the Russian way, «2,3», and sees «2,3» saved (the database holds 2.3)."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.conftest import assert_fits, swap_of
from tracking.models import Company, Metric, MetricValue
from tracking.weeks import current_week_start

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

OWNER = "owner@dubrava.demo"
PASSWORD = "demo-sprints-2026"
BUSINESS = "Кухни на заказ «Дубрава»"
CONVERSION = "Конверсия в продажу"


def _ru(text: str) -> str:
    with translation.override("ru"):
        return translation.gettext(text)


def test_a_russian_owner_gets_russian_and_types_a_decimal_comma(live_server, page, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    company = Company.objects.get(name=BUSINESS)
    conversion = Metric.objects.get(company=company, name=CONVERSION)
    assert page.evaluate("navigator.language") == "en-US"  # the browser asks for English

    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")  # before signing in: the browser's
    page.locator("input[name=username]").fill(OWNER)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")  # after: hers
    expect(page.get_by_role("heading", level=1)).to_have_text(_ru("My businesses"))

    page.get_by_role("link", name=BUSINESS, exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator("main").get_by_role("link", name=_ru("Weekly session")).click()
    expect(page).to_have_url(re.compile(r"/session/$"))
    expect(page.locator("html")).to_have_attribute("lang", "ru")

    steps = page.locator("#session").get_by_role("navigation", name=_ru("Steps"))
    with swap_of(page, "#session"):
        steps.locator("form").filter(has=page.locator("input[name=step][value=metrics]")).get_by_role("button").click()
    row = page.locator(f"#session-metric-{conversion.pk}")
    value = row.locator(f"input[name=m{conversion.pk}-value]")
    value.fill("2,3")
    with swap_of(page, f"#session-metric-{conversion.pk}"):  # the answer is the row alone
        row.get_by_role("button", name=re.compile(f"^{_ru('Save')}")).click()

    row = page.locator(f"#session-metric-{conversion.pk}")
    expect(row.get_by_role("status")).to_have_text(_ru("Saved"))
    expect(row.locator(f"input[name=m{conversion.pk}-value]")).to_have_value("2,3")
    expect(row.locator(".error")).to_have_count(0)
    assert MetricValue.objects.get(metric=conversion, week_start=current_week_start(company)).value == Decimal("2.3")
    assert_fits(page, "the Russian session at 375 px")
    page.screenshot(path=artifacts_dir / "session-metrics-ru.png", full_page=True)
