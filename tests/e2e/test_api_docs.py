"""The API's docs page in Chromium: Swagger UI draws the schema from our own static files, and
the Content-Security-Policy blocks nothing on the way (the page fixture fails on a violation)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_the_docs_page_draws_the_schema(live_server, desktop_page):
    page = desktop_page
    page.goto(f"{live_server.url}/api/v1/docs")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Sprint tracker API")
    expect(page.locator(".swagger-ui")).to_contain_text("/api/v1/metrics/{metric_id}/values/{week}")
    expect(page.locator(".swagger-ui .authorize")).to_be_visible()
