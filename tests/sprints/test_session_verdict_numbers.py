"""The session's verdict step decides from the numbers: each hypothesis under test shows its
metric (baseline → expected), its criteria, the measured value (the metric's value in the test
window up to the sprint's end, else what was logged during the week) and the verdict the
pre-registered numbers give, pre-selected. A verdict against them needs its reason on every path
(the step's form and a row's own form, htmx and plain post). A test past its check date is
flagged in the session, on the hypothesis board and on the portfolio."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from hypotheses import services as hypothesis_services
from hypotheses.models import Hypothesis
from sprints import services as sprint_services
from sprints.portfolio import overview
from tests import clock
from tests.factories import HypothesisFactory
from tracking.models import MetricValue
from tracking.portfolio import Flag
from tracking.weeks import week_start

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
D = Decimal


def _url(team, name, *args):
    return reverse(f"sprints:{name}", args=[team.company.pk, *args])


def _leads_test(team, **fields):
    """Leads 17 → 27 a week, under test since the active sprint began; the sprint's week gave 21."""
    sprint = team.active_sprint
    fields = {
        "title": "Guarantee on the site",
        "baseline": D(17),
        "expected_value": D(27),
        "success_criteria": "27 leads in the week after launch",
        **fields,
    }
    h = HypothesisFactory(
        company=team.company,
        metric=team.metric,
        status="testing",
        testing_started_at=clock.now() - timedelta(days=10),
        **fields,
    )
    MetricValue.objects.update_or_create(
        metric=team.metric, week_start=week_start(sprint.ends_on), defaults={"value": 21}
    )
    return h


def _verdict_block(body, h):
    """A verdict row up to its button: "Decide" on a row as text, "Record" on an open one."""
    block = body[body.index(f'id="verdict-{h.pk}"') :]
    return block[: block.index('class="row-actions"')]


def _decide(team, client, h) -> str:
    """The session page with the row opened to decide, as its button (without JavaScript) asks."""
    return _verdict_block(client.get(_url(team, "session") + f"?decide={h.pk}").content.decode(), h)


def test_a_row_shows_the_numbers_and_preselects_their_verdict(team, client):
    h = _leads_test(team)
    client.force_login(team.tracker.user)
    block = _decide(team, client, h)
    assert "17 → 27" in block and "27 leads in the week after launch" in block
    assert "<strong>21</strong> (from the metric&#x27;s values)" in block
    assert "The numbers say: <strong>Inconclusive</strong>" in block
    assert f'name="v{h.pk}-decision" value="inconclusive" checked>' in block
    assert f'id="v{h.pk}-measured" value="21"' in block


def test_without_a_metric_value_the_logged_measurement_is_used(team, client):
    h = _leads_test(team)
    MetricValue.objects.filter(metric=team.metric).delete()
    Hypothesis.objects.filter(pk=h.pk).update(measured_value=D(30))
    client.force_login(team.tracker.user)
    block = _decide(team, client, h)
    assert "<strong>30</strong> (as logged during the week)" in block
    assert f'name="v{h.pk}-decision" value="confirmed" checked>' in block


def test_a_value_logged_for_the_test_during_the_week_is_the_one_decided_on(team, client):
    """The results page's measured value (the test's own) wins over the metric's week: the
    session, the hypothesis page and the report show the same number."""
    h = _leads_test(team)  # the metric's week: 21
    hypothesis_services.hypothesis_measure(hypothesis=h, by=team.entrepreneur, measured=D(30))
    client.force_login(team.tracker.user)
    block = _decide(team, client, h)
    assert "<strong>30</strong> (as logged during the week)" in block
    assert f'name="v{h.pk}-decision" value="confirmed" checked>' in block
    assert f'id="v{h.pk}-measured" value="30"' in block
    page = client.get(reverse("hypotheses:detail", args=[team.company.pk, h.pk])).content.decode()
    assert "Suggested from the numbers: <strong>Confirmed</strong> (measured 30)." in page


def _step(h, decision, measured="21", note="", against=""):
    p = f"v{h.pk}"
    return {f"{p}-decision": decision, f"{p}-measured": measured, f"{p}-note": note, f"{p}-against_reason": against}


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_the_step_refuses_a_verdict_against_the_numbers_without_its_reason(team, client, headers):
    h = _leads_test(team)
    client.force_login(team.tracker.user)
    data = _step(h, "confirmed", note="The calls felt warmer")
    body = client.post(_url(team, "session_verdicts"), data, headers=headers).content.decode()
    assert "Nothing was saved" in body and "Say why the verdict goes against them." in body
    assert 'value="The calls felt warmer"' in body  # nothing typed is lost
    block = _verdict_block(body, h)
    assert "Say why the verdict goes against them." in block  # next to its row
    assert Hypothesis.objects.get(pk=h.pk).status == "testing"

    data = _step(h, "confirmed", note="The calls felt warmer", against="A referral brought a big client")
    client.post(_url(team, "session_verdicts"), data, headers=headers)
    h.refresh_from_db()
    assert (h.status, h.numbers_verdict, h.against_numbers_reason) == (
        "confirmed",
        "inconclusive",
        "A referral brought a big client",
    )


def test_a_rows_own_form_refuses_it_too(team, client):
    h = _leads_test(team, expected_value=D(28))
    client.force_login(team.tracker.user)
    url = _url(team, "session_verdict", h.pk)
    body = client.post(url, _step(h, "refuted", measured="29", note="Seasonal"), headers=HTMX).content.decode()
    assert "Say why the verdict goes against them." in body
    assert Hypothesis.objects.get(pk=h.pk).status == "testing"
    client.post(url, _step(h, "refuted", measured="29", note="Seasonal", against="The fair week"), headers=HTMX)
    assert Hypothesis.objects.get(pk=h.pk).status == "refuted"


def test_the_suggested_verdict_is_accepted_with_a_note(team, client):
    h = _leads_test(team)
    client.force_login(team.tracker.user)
    client.post(_url(team, "session_verdicts"), _step(h, "inconclusive", note="Halfway there"), headers=HTMX)
    h.refresh_from_db()
    assert (h.status, h.measured_value, h.against_numbers_reason) == ("inconclusive", D(21), "")


def test_an_untouched_row_with_its_preselected_verdict_is_left_alone(team, client):
    h = _leads_test(team)
    client.force_login(team.tracker.user)
    response = client.post(_url(team, "session_verdicts"), _step(h, "inconclusive"), headers=HTMX)
    assert "Nothing was saved" not in response.content.decode()
    assert Hypothesis.objects.get(pk=h.pk).status == "testing"


# --- The check date --------------------------------------------------------------------------------


def test_a_sprint_start_sets_the_check_date_one_sprint_after_its_end(team):
    team.planned_action.hypothesis = team.hypothesis
    team.planned_action.save()
    team.active_sprint.status = "closed"
    team.active_sprint.save()
    sprint_services.sprint_start(sprint=team.planned_sprint, by=team.tracker, override_reason="Test")
    team.hypothesis.refresh_from_db()
    assert team.hypothesis.status == "testing"
    assert team.hypothesis.check_by == team.planned_sprint.ends_on + timedelta(days=team.company.sprint_length_days)


def test_started_by_hand_a_test_gets_two_sprint_lengths_and_a_breakthrough_its_kill_date(team):
    hypothesis_services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to="testing")
    team.hypothesis.refresh_from_db()
    today = clock.now().astimezone(team.company.tzinfo).date()
    assert team.hypothesis.check_by == today + timedelta(days=2 * team.company.sprint_length_days)

    kill = today + timedelta(days=90)
    long_shot = HypothesisFactory(
        company=team.company, kind="breakthrough", budget_cap=D(1000), kill_date=kill, expected_return=None
    )
    hypothesis_services.hypothesis_transition(hypothesis=long_shot, by=team.tracker, to="testing")
    long_shot.refresh_from_db()
    assert long_shot.check_by == kill


def test_a_test_past_its_check_date_is_flagged_in_the_session_the_board_and_the_portfolio(team, client):
    today = clock.now().astimezone(team.company.tzinfo).date()
    late = _leads_test(team, check_by=today - timedelta(days=1))
    on_time = HypothesisFactory(
        company=team.company, title="On time", status="testing", testing_started_at=clock.now(), check_by=today
    )
    client.force_login(team.tracker.user)

    session = client.get(_url(team, "session"), {"open": "verdicts"}).content.decode()  # that step opened
    assert "past its check date" in _verdict_block(session, late)
    assert "past its check date" not in _verdict_block(session, on_time)

    board = client.get(reverse("hypotheses:board", args=[team.company.pk])).content.decode()
    card = board[board.index(f'id="h-{late.pk}"') :]
    assert "past its check date" in card[: card.index("</li>")]
    card = board[board.index(f'id="h-{on_time.pk}"') :]
    assert "past its check date" not in card[: card.index("</li>")]

    detail = client.get(reverse("hypotheses:detail", args=[team.company.pk, late.pk])).content.decode()
    assert "Past its check date" in detail

    assert Flag.TEST_PAST_CHECK_DATE in overview([team.company.pk])[team.company.pk]["flags"]
    portfolio = client.get(reverse("tracking:portfolio")).content.decode()
    assert str(Flag.TEST_PAST_CHECK_DATE.label) in portfolio

    Hypothesis.objects.filter(pk=late.pk).update(check_by=today)
    assert Flag.TEST_PAST_CHECK_DATE not in overview([team.company.pk])[team.company.pk]["flags"]
