"""An answer of the why-chain saved in Chromium on the seeded «Дубрава»: the save answers with
that step alone ("Saved", its buttons as before), the other steps untouched; no page load."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_reload, mark_no_reload, swap_of
from tracking.models import Company, ConstraintStatus, WhyStep

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "demo-sprints-2026"
TRACKER = "tracker@demo.example"
BUSINESS = "Кухни на заказ «Дубрава»"


def test_a_saved_answer_comes_back_alone(live_server, desktop_page):
    call_command("seed_demo", stdout=io.StringIO())
    company = Company.objects.get(name=BUSINESS)
    steps = list(WhyStep.objects.filter(constraint__company=company, constraint__status=ConstraintStatus.ACTIVE))
    step, other = steps[1], steps[0]
    answer = "Маркетолог проверяет гипотезы без критериев успеха"
    page = desktop_page
    page.goto(live_server.url + "/accounts/login/")
    page.locator("input[name=username]").fill(TRACKER)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")
    page.goto(f"{live_server.url}/b/{company.pk}/")
    mark_no_reload(page)
    page.locator(f"#why-{other.pk}").evaluate("el => el.setAttribute('data-untouched', '')")
    field = page.locator(f"#why-{step.pk} [name=s{step.pk}-answer]")
    field.fill(answer)
    with swap_of(page, f"#why-{step.pk}"):
        page.locator(f"#why-{step.pk} form.why-edit button[type=submit]").click()
    row = page.locator(f"#why-{step.pk}")
    expect(row.get_by_role("status")).to_be_visible()  # "Saved"
    expect(row).to_have_attribute("data-answer", answer)
    expect(row.locator("button[aria-label]", has_text=re.compile("↑"))).to_have_count(1)  # not first: it moves up
    expect(page.locator(f"#why-{other.pk}[data-untouched]")).to_have_count(1)  # the others were not swapped
    expect(page.locator("#why-chain li.why-step")).to_have_count(len(steps))
    assert_no_reload(page, "saving an answer of the why-chain")
    assert WhyStep.objects.get(pk=step.pk).answer == answer
