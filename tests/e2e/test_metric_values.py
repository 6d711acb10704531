"""A metric's page in Chromium on the seeded «Дубрава»: a weekly value saved answers with its
form alone ("Saved"), and the chart and the values table, which listen for
`metric-values-changed`, fetch themselves with the new value; no page load on the way."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_reload, demo_signed_in, mark_no_reload, swap_of
from tracking.models import Metric, MetricValue

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_saved_value_answers_its_form_and_the_chart_and_table_follow(live_server, desktop_page):
    page = desktop_page
    company = demo_signed_in(page, live_server)
    metric = Metric.objects.filter(company=company).order_by("pk").first()
    page.goto(f"{live_server.url}/b/{company.pk}/metrics/{metric.pk}/")
    mark_no_reload(page)
    expect(page.locator("#metric-table")).not_to_contain_text("432")
    page.locator("#metric-value-form [name=value]").fill("432")
    with swap_of(page, "#metric-value-form"), swap_of(page, "#metric-chart"), swap_of(page, "#metric-table"):
        page.locator("#metric-value-form button[type=submit]").click()
    expect(page.locator("#metric-value-form").get_by_role("status")).to_be_visible()  # "Saved"
    expect(page.locator("#metric-value-form [name=value]")).to_have_value("")
    expect(page.locator("#metric-table tbody tr").first).to_contain_text("432")
    expect(page.locator("#metric-chart svg")).to_have_count(1)
    assert_no_reload(page, "saving a metric's weekly value")
    assert MetricValue.objects.filter(metric=metric, value=432).exists()
