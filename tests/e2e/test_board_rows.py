"""The planning board's rows in Chromium on the seeded «Дубрава»: "Edit" fetches one row's
form, Enter saves it, the row comes back as text alone and the capacity card, which listens
for `plan-changed`, fetches itself with the new load; no page load on the way."""

import re

import pytest
from playwright.sync_api import expect

from sprints.models import Action, Sprint, SprintStatus
from tests.e2e.conftest import assert_no_reload, demo_signed_in, mark_no_reload, swap_of

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_a_saved_row_comes_back_alone_and_the_capacity_card_follows(live_server, desktop_page):
    page = desktop_page
    company = demo_signed_in(page, live_server)
    sprint = Sprint.objects.get(company=company, status=SprintStatus.ACTIVE)
    action = Action.objects.filter(sprint=sprint, owner__isnull=False).select_related("owner__user").first()
    owner_load = sum(a.estimate_hours for a in Action.objects.filter(sprint=sprint, owner=action.owner))
    new_hours = action.estimate_hours + 5
    new_load = owner_load + 5
    page.goto(f"{live_server.url}/b/{company.pk}/sprints/{sprint.pk}/")
    mark_no_reload(page)
    bar = page.locator(f"#capacity-card .cap-row[data-owner='{action.owner_id}']")
    expect(bar).to_contain_text(f"{owner_load.normalize():f} / ".replace(".", ","))
    row = page.locator(f"#action-{action.pk}")
    with swap_of(page, f"#action-{action.pk}"):
        row.get_by_role("link", name=re.compile(r"^(Edit|Изменить)")).click()
    hours = page.locator(f"[name=a{action.pk}-estimate_hours]")
    hours.fill(f"{new_hours.normalize():f}")
    with swap_of(page, f"#action-{action.pk}"):
        hours.press("Enter")
    row = page.locator(f"#action-{action.pk}")
    expect(row.get_by_role("status")).to_be_visible()  # "Saved"
    expect(row.locator("form")).to_have_count(0)
    expect(bar).to_contain_text(f"{new_load.normalize():f} / ".replace(".", ","))
    assert_no_reload(page, "saving a board row")
    assert Action.objects.get(pk=action.pk).estimate_hours == new_hours
