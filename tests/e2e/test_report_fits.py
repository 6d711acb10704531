"""The sprint report in Chromium: it fits a 375 px phone without scrolling sideways (its tables
become rows), and printed on A4 it shows no navigation and nothing runs off the page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from hypotheses.models import Hypothesis, Verdict
from sprints import services
from sprints.models import Action, ActionStatus, Sprint
from tests import clock
from tests.conftest import make_team
from tests.e2e.conftest import assert_fits, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
LONG = "Договориться-с-оптовым-покупателем-о-пробной-партии-без-предоплаты-и-с-возвратом"
A4_CONTENT_WIDTH = 705  # 210 mm less the report's 12 mm margins, in CSS pixels (96 per inch)


def _closed_report(team) -> str:
    """The team's sprint closed with 30 actions (long titles, notes and an unbroken word), a
    budget, and a verdict given against the numbers; the report's URL."""
    Sprint.objects.filter(pk=team.active_sprint.pk).update(budget=Decimal("1250000"))
    Action.objects.filter(pk=team.action.pk).update(status=ActionStatus.DONE, cost=Decimal("99999.99"))
    Action.objects.bulk_create(
        Action(
            sprint=team.active_sprint,
            title=f"{LONG} {i}",
            owner=team.team_lead if i % 2 else team.member,
            estimate_hours=Decimal("1.5"),
            cost=Decimal("123456.78") if i % 3 else None,
            status=ActionStatus.DONE if i % 2 else ActionStatus.NOT_DONE,
            result_note=f"{LONG}: клиенты ответили, трое попросили прайс" if i % 2 else "",
            why_not_note="" if i % 2 else f"{LONG}: не успели",
        )
        for i in range(29)
    )
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(
        status="confirmed",
        verdict=Verdict.CONFIRMED,
        decided_at=clock.now(),
        measured_value=Decimal("3.1"),
        numbers_verdict=Verdict.REFUTED,
        against_numbers_reason=LONG,
    )
    services.sprint_close(sprint=team.active_sprint, by=team.tracker, what_worked=LONG)
    return reverse("sprints:report", args=[team.company.pk, team.active_sprint.pk])


def _sign_in(page, base_url, user, language="en"):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
    sign_in(page, base_url, user.email, PASSWORD)


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_report_fits_a_phone(live_server, page, language, artifacts_dir):
    team = make_team("Кухни на заказ с очень длинным названием для телефона")
    url = _closed_report(team)
    _sign_in(page, live_server.url, team.member.user, language)
    page.goto(live_server.url + url)
    expect(page.locator("#actions tbody tr")).to_have_count(30)
    assert_fits(page, f"the report ({language})")
    # Each row is a block of labelled lines on a phone, not a table wider than the screen.
    assert page.locator("#actions thead").evaluate("e => e.getBoundingClientRect().height") <= 1
    assert page.locator("#actions td").first.evaluate("e => getComputedStyle(e).display") == "block"
    page.screenshot(path=str(artifacts_dir / f"sprint-report-phone-{language}.png"), full_page=True)


def test_the_report_prints_on_a4_without_navigation_or_overflow(live_server, page, artifacts_dir):
    team = make_team("Alpha Bakery")
    url = _closed_report(team)
    _sign_in(page, live_server.url, team.member.user)
    page.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    page.goto(live_server.url + url)
    page.emulate_media(media="print")
    for hidden in (".topbar", ".nav", ".subnav"):
        assert page.locator(hidden).first.evaluate("e => getComputedStyle(e).display") == "none", hidden
    # Printed, the actions are a table again, and nothing is wider than the paper.
    assert page.locator("#actions td").first.evaluate("e => getComputedStyle(e).display") == "table-cell"
    assert_fits(page, "the printed report")
    pdf = page.pdf(format="A4", path=str(artifacts_dir / "sprint-report-a4.pdf"))
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
