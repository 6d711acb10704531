"""A hypothesis from idea to test in a real browser, on a phone (375 px): the tracker writes
it down with only a title and a statement, is told what is missing when marking it ready
(an htmx swap of the page's state, nothing changes), fills in the metric, baseline, "×1.5",
criteria, test and return, then marks it ready and starts testing; each move swaps the badge,
the next step and the timeline without a reload, and the reloaded page agrees."""

import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from hypotheses.models import Hypothesis, HypothesisEvent, Status
from tests.e2e.conftest import assert_fits, nav, sign_in
from tracking.models import Company

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "tracker@demo.example"
PASSWORD = "demo-sprints-2026"
BUSINESS = "Bluebird Coffee Roasters"
TITLE = "Free tasting flight for first-time buyers"
STATEMENT = (
    "If first-time buyers get a free tasting flight of three coffees with their order, repeat orders grow 1.5x, "
    "because they find the roast they like and come back for it."
)
METRIC = "Repeat orders"
CRITERIA = "Four weeks after the first flight ships: repeat orders at 33 % or more."
CHEAPEST_TEST = "Hand-pack 40 sample flights in paper bags and slip them into first orders; no new packaging."
HTMX_ADDED = re.compile(r"htmx-added")


def _settled(page):
    """htmx wires up the swapped-in forms (their hx-post) only when the swap settles and
    drops `htmx-added` then; a click before that would be a plain form post."""
    expect(page.locator("#hypothesis-page")).not_to_have_class(HTMX_ADDED)


def test_tracker_takes_a_hypothesis_from_idea_to_testing(live_server, page, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    company = Company.objects.get(name=BUSINESS)
    base = f"{live_server.url}/b/{company.pk}"
    sign_in(page, live_server.url, EMAIL, PASSWORD, from_home=True)

    page.get_by_role("link", name=BUSINESS, exact=True).click()
    expect(page).to_have_url(f"{base}/")
    nav(page, "Business").get_by_role("link", name="Hypotheses", exact=True).click()
    expect(page).to_have_url(f"{base}/hypotheses/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hypotheses")
    expect(page.locator("#board .hcard")).to_have_count(company.hypotheses.count())
    assert_fits(page, "the board")

    # Only what the idea is: no metric, no baseline yet.
    page.get_by_role("link", name="New hypothesis", exact=True).click()
    expect(page).to_have_url(f"{base}/hypotheses/new/")
    page.locator("[name=title]").fill(TITLE)
    page.locator("[name=statement]").fill(STATEMENT)
    assert_fits(page, "the new-hypothesis form")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/hypotheses/\d+/$"))
    hypothesis = Hypothesis.objects.get(company=company, title=TITLE)
    detail_url = f"{base}/hypotheses/{hypothesis.pk}/"
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    status = page.locator(".page-head .badge[class*=status-]")
    expect(status).to_have_text("Idea")
    lifecycle = page.locator("#lifecycle")
    assert_fits(page, "the hypothesis page")

    # Marking it ready is refused with what is missing, in place; the status stays.
    page.evaluate("window.hypothesisJourneyNoReload = true")
    lifecycle.locator("button[data-to=ready]").click()
    refusal = lifecycle.locator(".alert.error")
    expect(refusal).to_contain_text("set the baseline")
    expect(refusal).to_contain_text("choose the metric that must move")
    _settled(page)
    expect(status).to_have_text("Idea")
    assert page.evaluate("window.hypothesisJourneyNoReload === true"), "the refusal loaded a whole page"
    assert Hypothesis.objects.get(pk=hypothesis.pk).status == Status.IDEA

    # Fill in what the test needs, the expected value as a multiplier of the baseline.
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page).to_have_url(f"{detail_url}edit/")
    metric = company.metrics.get(name=METRIC)
    page.locator("select[name=metric]").select_option(value=str(metric.pk))
    expect(page.locator("select[name=metric] option:checked")).to_have_text(str(metric))
    page.locator("[name=baseline]").fill("22")
    page.locator("[name=expected]").fill("×1.5")
    page.locator("[name=success_criteria]").fill(CRITERIA)
    page.locator("[name=cheapest_test]").fill(CHEAPEST_TEST)
    page.locator("[name=expected_return]").fill("600")
    assert_fits(page, "the edit form")
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page).to_have_url(detail_url)
    # 22 × 1.5 = 33, both as typed: not "33.0000", not "×1.500".
    expect(page.locator("dl.facts")).to_contain_text(re.compile(r"Expected value\s*33 \(×1\.5\)"))
    expect(lifecycle.locator(".alert.error")).to_have_count(0)
    expect(status).to_have_text("Idea")

    # Ready, then testing: each an htmx swap of the lifecycle section.
    page.evaluate("window.hypothesisJourneyNoReload = true")
    lifecycle.locator("button[data-to=ready]").click()
    expect(lifecycle.locator("button[data-to=testing]")).to_be_visible()
    expect(lifecycle.locator("button[data-to=ready]")).to_have_count(0)
    expect(lifecycle.locator(".alert.error")).to_have_count(0)
    # The whole page's state moved, not only the buttons: the badge and timeline agree with them.
    expect(status).to_have_text("Ready")
    expect(page.locator("ol.timeline > li.timeline-item").first).to_contain_text("Idea → Ready")
    _settled(page)
    lifecycle.locator("button[data-to=testing]").click()
    expect(lifecycle.locator("button[data-to=testing]")).to_have_count(0)
    expect(lifecycle.locator("button[data-to=dropped]")).to_be_visible()
    expect(lifecycle.locator(".alert.error")).to_have_count(0)
    expect(status).to_have_text("Testing")
    expect(page.locator("ol.timeline > li.timeline-item").first).to_contain_text("Ready → Testing")
    expect(page.get_by_role("heading", name="Verdict", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Reload the page")).to_have_count(0)
    _settled(page)
    assert page.evaluate("window.hypothesisJourneyNoReload === true"), "a move loaded a whole page instead of a swap"

    page.reload()
    expect(status).to_have_text("Testing")
    items = page.locator("ol.timeline > li.timeline-item")
    expect(items).to_have_count(4)  # newest first
    expect(items.nth(0).locator(".timeline-what")).to_contain_text("Ready → Testing")
    expect(items.nth(1).locator(".timeline-what")).to_contain_text("Idea → Ready")
    expect(items.nth(2).locator(".timeline-what")).to_contain_text("edited")
    expect(items.nth(2).locator(".diff")).to_contain_text("Baseline: — → 22")
    expect(items.nth(3).locator(".timeline-what")).to_contain_text("created")
    expect(page.get_by_role("heading", name="Verdict", exact=True)).to_be_visible()
    assert_fits(page, "the hypothesis under test")
    page.screenshot(path=artifacts_dir / "hypothesis-testing-phone-en.png", full_page=True)

    saved = Hypothesis.objects.get(pk=hypothesis.pk)
    assert saved.status == Status.TESTING and saved.testing_started_at is not None
    assert (saved.metric.name, saved.baseline, saved.expected_multiplier, saved.expected_value) == (
        METRIC,
        Decimal(22),
        Decimal("1.5"),
        Decimal(33),
    )
    assert list(saved.events.order_by("pk").values_list("kind", "to_status")) == [
        (HypothesisEvent.Kind.CREATED, Status.IDEA),
        (HypothesisEvent.Kind.EDITED, ""),
        (HypothesisEvent.Kind.TRANSITION, Status.READY),
        (HypothesisEvent.Kind.TRANSITION, Status.TESTING),
    ]
