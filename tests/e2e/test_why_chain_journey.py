"""The tracker asks "why?" further in a real browser: two new steps, one moved up, the new
last one marked as the root cause; every edit is an htmx swap of #why-chain, and the
order survives a reload. On a phone-sized page (375 px)."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.e2e.conftest import horizontal_overflow, sign_in
from tracking.models import Company, ConstraintStatus

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

EMAIL = "tracker@demo.example"
PASSWORD = "demo-sprints-2026"
RU_COMPANY = "Кухни на заказ «Дубрава»"
SEEDED_CHAIN = [
    "Плохо настроена рекламная кампания",
    "Маркетолог проводит много экспериментов с неудачными результатами",
    "ТЗ маркетологу слишком размытое и не даёт точной информации",
    "Мы сами не знаем, почему клиенты покупают именно у нас и какие у них критерии выбора",
]
# Typed in the wrong order on purpose: the deeper answer first, then moved below.
DEEPER = "В процессе продаж нет шага „интервью с клиентом“ и ответственного за него"
SHALLOWER = "После сделки никто не спрашивает клиентов, почему они выбрали нас"
ROOT_CLASS = re.compile(r"(^|\s)root(\s|$)")
HTMX_ADDED = re.compile(r"htmx-added")


def _expect_chain(steps, answers):
    expect(steps).to_have_count(len(answers))
    for index, answer in enumerate(answers):
        expect(steps.nth(index)).to_have_attribute("data-answer", answer)


def _settled(page):
    """htmx processes the swapped-in chain (its hx-post forms) only when it settles, and
    drops the `htmx-added` class then; a click before that would be a plain form post."""
    expect(page.locator("#why-chain")).not_to_have_class(HTMX_ADDED)


def _add_step(page, steps, answer, count_after):
    form = page.locator("form.why-add")
    form.locator("[name=answer]").fill(answer)
    form.locator("button[type=submit]").click()
    expect(steps).to_have_count(count_after)
    expect(steps.last).to_have_attribute("data-answer", answer)
    _settled(page)
    expect(page.locator("form.why-add [name=answer]")).to_have_value("")


def test_tracker_deepens_reorders_and_roots_the_why_chain(live_server, page, artifacts_dir):
    call_command("seed_demo", stdout=io.StringIO())
    company = Company.objects.get(name=RU_COMPANY)
    sign_in(page, live_server.url, EMAIL, PASSWORD, from_home=True)

    page.get_by_role("link", name=RU_COMPANY, exact=True).click()
    expect(page).to_have_url(f"{live_server.url}/b/{company.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(RU_COMPANY)
    chain = page.locator("#why-chain")
    steps = chain.locator("li.why-step")
    root_button = "This is the root cause"

    # The seed: the chain of the method's text, its last answer the root cause.
    _expect_chain(steps, SEEDED_CHAIN)
    expect(steps.last).to_have_class(ROOT_CLASS)
    expect(chain.locator(".root-badge")).to_have_count(1)
    expect(steps.last.locator(".root-badge")).to_have_text("Root cause")
    expect(chain.get_by_role("button", name=root_button, exact=True)).to_have_count(0)
    assert horizontal_overflow(page) <= 1, "the company page scrolls sideways at 375 px"
    # A full page load would wipe this; htmx swaps keep it.
    page.evaluate("window.whyJourneyNoReload = true")

    # A step after the root cause means the chain goes deeper: the old root is no longer one.
    _add_step(page, steps, DEEPER, 5)
    _expect_chain(steps, [*SEEDED_CHAIN, DEEPER])
    expect(chain.locator("li.why-step.root")).to_have_count(0)
    expect(chain.locator(".root-badge")).to_have_count(0)
    expect(chain.get_by_role("button", name=root_button, exact=True)).to_have_count(1)
    expect(steps.last.get_by_role("button", name=root_button, exact=True)).to_be_visible()

    _add_step(page, steps, SHALLOWER, 6)
    _expect_chain(steps, [*SEEDED_CHAIN, DEEPER, SHALLOWER])
    # Only the last step offers the root-cause button; the first cannot move up, the last not down.
    expect(chain.get_by_role("button", name=root_button, exact=True)).to_have_count(1)
    expect(steps.last.get_by_role("button", name=root_button, exact=True)).to_be_visible()
    expect(steps.first.get_by_role("button", name="Move up", exact=True)).to_have_count(0)
    expect(steps.last.get_by_role("button", name="Move down", exact=True)).to_have_count(0)

    # The two new steps swap places.
    steps.last.get_by_role("button", name="Move up", exact=True).click()
    _expect_chain(steps, [*SEEDED_CHAIN, SHALLOWER, DEEPER])
    _settled(page)

    steps.last.get_by_role("button", name=root_button, exact=True).click()
    expect(steps.last).to_have_class(ROOT_CLASS)
    _settled(page)
    expect(chain.locator(".root-badge")).to_have_count(1)
    expect(steps.last.locator(".root-badge")).to_have_text("Root cause")
    expect(chain.get_by_role("button", name=root_button, exact=True)).to_have_count(0)
    expect(chain.locator(".alert.error")).to_have_count(0)
    assert page.evaluate("window.whyJourneyNoReload === true"), "an edit loaded a whole page instead of a swap"
    assert horizontal_overflow(page) <= 1, "the longer why-chain scrolls sideways at 375 px"

    page.reload()
    expected = [*SEEDED_CHAIN, SHALLOWER, DEEPER]
    _expect_chain(steps, expected)
    expect(chain.locator("li.why-step.root")).to_have_count(1)
    expect(steps.last).to_have_class(ROOT_CLASS)
    expect(steps.last.locator(".root-badge")).to_have_text("Root cause")
    assert page.evaluate("window.whyJourneyNoReload") is None
    assert horizontal_overflow(page) <= 1, "the company page scrolls sideways at 375 px after the edits"
    page.screenshot(path=artifacts_dir / "why-chain-phone-en.png", full_page=True)

    active = company.constraints.get(status=ConstraintStatus.ACTIVE)
    saved = list(active.why_steps.order_by("position").values_list("answer", "is_root_cause"))
    assert saved == [(answer, answer == DEEPER) for answer in expected]
