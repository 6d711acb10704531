"""The tracker's toolkit in a real browser, on a phone (375 px): the funnel names its leak,
the leak becomes the main constraint with its numbers as the first "why", a hypothesis on
that stage starts pre-filled with the stage conversion and its baseline, and in unit
economics a lower C1 moves the sensitivity ranking (an htmx swap, no page load)."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from hypotheses.models import Hypothesis
from tests.e2e.conftest import assert_fits, nav, sign_in
from tracking.models import Company, ConstraintStatus
from tracking.toolkit.models import ConversionMetric

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "tracker@demo.example"
PASSWORD = "demo-sprints-2026"
RU_COMPANY = "Кухни на заказ «Дубрава»"
LEAK = "The funnel leaks at “Договоры”: 16.2% step conversion against a reference of 46.2%."


def _ranking(page) -> list[str]:
    return page.locator("#sensitivity tbody tr").evaluate_all("rows => rows.map(r => r.dataset.input)")


def test_funnel_leak_to_constraint_hypothesis_and_unit_economics(live_server, page, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    company = Company.objects.get(name=RU_COMPANY)
    sign_in(page, live_server.url, EMAIL, PASSWORD, from_home=True)
    page.goto(f"{live_server.url}/b/{company.pk}/")

    # The funnel: the leak in words and numbers.
    nav(page, "Business").get_by_role("link", name="Toolkit", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/b/{company.pk}/toolkit/funnel/$"))
    expect(page.locator(".leak-sentence")).to_contain_text(LEAK)
    expect(page.locator("#funnel-table tr.leak th")).to_contain_text("Договоры")
    assert_fits(page, "the funnel")

    # Make it the main constraint: the numbers are the first why-step.
    page.get_by_role("button", name="Make this the main constraint").click()
    expect(page).to_have_url(f"{live_server.url}/b/{company.pk}/")
    expect(page.locator("#constraint .constraint-title")).to_contain_text("Weak conversion Замеры → Договоры")
    first_why = page.locator("#why-chain li.why-step").first
    expect(first_why).to_have_attribute(
        "data-answer", re.compile(r"converts 16\.2% against 46\.2%.*11\.1 more Договоры")
    )
    active = company.constraints.get(status=ConstraintStatus.ACTIVE)
    assert active.title == "Weak conversion Замеры → Договоры"

    # A hypothesis on this stage: the stage conversion is its metric, the current value its baseline.
    page.goto(f"{live_server.url}/b/{company.pk}/toolkit/funnel/")
    page.locator("#leak").get_by_role("button", name="New hypothesis on this stage").click()
    expect(page).to_have_url(re.compile(r"/hypotheses/new/\?metric=\d+&baseline=16\.22$"))
    expect(page.locator("[name=metric] option:checked")).to_have_text("Conversion Замеры → Договоры, %")
    expect(page.locator("[name=baseline]")).to_have_value(re.compile(r"^16[.,]22$"))
    page.locator("[name=title]").fill("Договор на замере")
    page.locator("[name=statement]").fill(
        "Если замерщик предлагает договор на месте, конверсия замер → договор вырастет до 30 %"
    )
    page.locator("[name=expected]").fill("30")
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Договор на замере")
    hypothesis = Hypothesis.objects.get(title="Договор на замере")
    conversion = ConversionMetric.objects.get(company=company)
    assert hypothesis.metric_id == conversion.metric_id and hypothesis.constraint_id == active.pk
    assert str(hypothesis.baseline).startswith("16.22")
    assert conversion.metric.values.count() == 12  # its own weekly series

    # Unit economics: C1 first; a lower C1 moves CPA above UA, in place.
    nav(page, "Business").get_by_role("link", name="Toolkit", exact=True).click()
    page.get_by_role("link", name="Unit economics", exact=True).click()
    expect(page.locator("#top-input")).to_contain_text("Conversion to first purchase (C1) moves income most")
    assert _ranking(page) == ["c1", "apc", "avg_price", "ua", "cpa", "cogs"]
    assert_fits(page, "unit economics")
    page.evaluate("window.toolkitNoReload = true")
    page.locator("#inputs [name=c1]").fill("3")
    page.get_by_role("button", name="Recalculate").click()
    expect(page.locator("#sensitivity tbody tr").nth(3)).to_have_attribute("data-input", "cpa")
    assert _ranking(page) == ["c1", "apc", "avg_price", "cpa", "ua", "cogs"]
    assert page.evaluate("window.toolkitNoReload === true"), "saving the inputs loaded a whole page"
    expect(page.locator("#inputs [name=c1]")).to_have_value("3")
    assert_fits(page, "unit economics after the change")
    page.screenshot(path=artifacts_dir / "toolkit-unit-economics-phone.png", full_page=True)
    assert company.unit_economics.c1 == 3

    # A "what if" from the same form keeps the inputs as they were.
    page.locator("#inputs [name=c1]").fill("12")
    page.locator("#what-if-label").fill("C1 at 12 %")
    page.get_by_role("button", name="Save as a “what if”").click()
    expect(page.locator("#snapshots")).to_contain_text("C1 at 12 %")
    expect(page.locator("#inputs [name=c1]")).to_have_value("3")
    company.unit_economics.refresh_from_db()
    assert company.unit_economics.c1 == 3
