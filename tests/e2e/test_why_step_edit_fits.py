"""A why-step's form sent back with its error (its answer emptied) keeps its shape in Chromium,
for «Дубрава»'s owner (in Russian): the textarea as wide as it was before (on a phone, the
whole width, its buttons under it), the error on a line of its own, "Отмена" on the screen and
the page not scrolling sideways, on a 390 px phone and at 1280 px."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_BUSINESS, DEMO_ENTREPRENEUR, DEMO_PASSWORD, sign_in, swap_of
from tracking.models import Company, ConstraintStatus, WhyStep

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _empty_answer_fits(page, url, step, width, height):
    """Open the step's form (a whole page load), empty its answer, save, and check the form
    that comes back with its error."""
    page.set_viewport_size({"width": width, "height": height})
    page.goto(url)
    page.wait_for_load_state("load")
    row = page.locator(f"#why-{step.pk}")
    form = row.locator("form.why-edit")
    expect(form.locator(".error")).to_have_count(0)
    before = form.locator("textarea").bounding_box()["width"]
    form.locator("textarea").fill("")
    with swap_of(page, f"#why-{step.pk}"):
        form.locator("button[type=submit]").click()
    expect(form.locator(".error")).to_be_visible()
    # The address no longer opens the form: a reload shows the page as it is.
    expect(page).not_to_have_url(re.compile(r"edit_step="))
    form_box = form.bounding_box()
    field_box = form.locator("textarea").bounding_box()
    # The field keeps its width.
    assert field_box["width"] >= before - 1, (
        f"at {width} px the textarea is {field_box['width']:.0f} px of the form's {form_box['width']:.0f}"
        f" (without the error: {before:.0f})"
    )
    if width < 600:  # on a phone the field has a line of its own, its buttons under it
        assert field_box["width"] >= 0.9 * form_box["width"], (
            f"at {width} px the textarea is {field_box['width']:.0f} px"
        )
    error_box = form.locator(".error").bounding_box()
    assert error_box["y"] >= field_box["y"] + field_box["height"] - 1, "the error is not under the field"
    cancel = form.locator("a").bounding_box()
    assert cancel["x"] >= 0 and cancel["x"] + cancel["width"] <= width, f"at {width} px «Отмена» is cut off: {cancel}"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"the page scrolls sideways at {width} px"
    )


def test_an_emptied_answer_shows_its_error_under_a_full_width_field(live_server, page):
    call_command("seed_demo", stdout=io.StringIO())
    company = Company.objects.get(name=DEMO_BUSINESS)
    sign_in(page, live_server.url, DEMO_ENTREPRENEUR, DEMO_PASSWORD)
    step = WhyStep.objects.filter(constraint__company=company, constraint__status=ConstraintStatus.ACTIVE)[1]
    url = f"{live_server.url}/b/{company.pk}/?edit_step={step.pk}#why-{step.pk}"
    _empty_answer_fits(page, url, step, 390, 844)
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    _empty_answer_fits(page, url, step, 1280, 800)
