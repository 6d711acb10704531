"""The return hint in a real browser: choosing the metric and typing the baseline and
the expected value brings the money unit economics suggests (htmx); "Use this figure" puts it in
the field without a page load; the tracker can still type their own; the save keeps it."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from hypotheses.models import Hypothesis
from tests.e2e.conftest import assert_fits
from tests.factories import MembershipFactory, MetricFactory
from tracking.models import Role
from tracking.toolkit.models import UnitEconomics

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct-horse-battery"


def test_the_suggested_return_fills_the_field(live_server, page):
    tracker = MembershipFactory(role=Role.TRACKER, company__currency="USD")
    company = tracker.company
    metric = MetricFactory(company=company, name="Conversion to first purchase")
    UnitEconomics.objects.create(
        company=company, ua=1000, c1=5, avg_price=2000, cogs=800, apc=Decimal("1.5"), cpa=30, c1_metric=metric
    )
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=username]").fill(tracker.user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{live_server.url}/b/{company.pk}/hypotheses/new/")
    navigations = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)

    hint = page.locator("#return-hint")
    expect(hint).to_contain_text("Choose the metric")
    page.locator("#id_title").fill("Call back within the hour")
    page.locator("#id_statement").fill("If we call back within the hour, more leads buy")
    page.locator("#id_metric").select_option(value=str(metric.pk))
    expect(hint).to_contain_text("Give the expected value")
    page.locator("#id_baseline").fill("2")
    page.locator("#id_expected").fill("3")
    # C1 5 % → 7.5 %: CM 60 000 → 105 000, +45 000 a month.
    expect(hint).to_contain_text("$45,000 a month")
    assert_fits(page, "the hypothesis form with the return hint")
    hint.get_by_role("button", name="Use this figure").click()
    expect(page.locator("#id_expected_return")).to_have_value("45000")
    assert navigations == []  # filled in place, nothing saved

    page.locator("#id_expected_return").fill("30000")  # their own figure wins
    page.locator("main form button[type=submit]", has_text="Save").click()
    expect(page.locator("h1")).to_have_text("Call back within the hour")
    assert Hypothesis.objects.get(company=company).expected_return == Decimal(30000)
