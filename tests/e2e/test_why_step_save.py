"""An answer of the why-chain saved in Chromium on the seeded «Дубрава»: the save answers with
that step alone ("Saved", its buttons as before), the other steps untouched; no page load.
The steps are text until edited: its "Edit" brings that step's form first."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_reload, demo_signed_in, mark_no_reload, swap_of
from tracking.models import ConstraintStatus, WhyStep

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_saved_answer_comes_back_alone(live_server, desktop_page):
    page = desktop_page
    company = demo_signed_in(page, live_server)
    steps = list(WhyStep.objects.filter(constraint__company=company, constraint__status=ConstraintStatus.ACTIVE))
    step, other = steps[1], steps[0]
    answer = "Маркетолог проверяет гипотезы без критериев успеха"
    page.goto(f"{live_server.url}/b/{company.pk}/")
    mark_no_reload(page)
    page.locator(f"#why-{other.pk}").evaluate("el => el.setAttribute('data-untouched', '')")
    # Text until edited: its "Edit" swaps in that step with its form.
    expect(page.locator("#why-chain li.why-step textarea")).to_have_count(0)
    with swap_of(page, f"#why-{step.pk}"):
        page.locator(f"#why-{step.pk} a.why-edit-open").click()
    field = page.locator(f"#why-{step.pk} [name=s{step.pk}-answer]")
    field.fill(answer)
    with swap_of(page, f"#why-{step.pk}"):
        page.locator(f"#why-{step.pk} form.why-edit button[type=submit]").click()
    row = page.locator(f"#why-{step.pk}")
    expect(row.get_by_role("status")).to_be_visible()  # "Saved"
    expect(row.locator("textarea")).to_have_count(0)  # text again
    expect(row).to_have_attribute("data-answer", answer)
    expect(row.locator("button[aria-label]", has_text=re.compile("↑"))).to_have_count(1)  # not first: it moves up
    expect(page.locator(f"#why-{other.pk}[data-untouched]")).to_have_count(1)  # the others were not swapped
    expect(page.locator("#why-chain li.why-step")).to_have_count(len(steps))
    assert_no_reload(page, "saving an answer of the why-chain")
    assert WhyStep.objects.get(pk=step.pk).answer == answer
