"""The sprint report through the front door: every action with its owner, hours, cost, status
and result or reason; every hypothesis tested with its verdict's label, the measured value
against baseline → expected, and the reason it went against the numbers; the hypotheses kept
in test; the key metric over the sprint; the budget against what was spent. It is there as
soon as the sprint closes, with no worker, and costs the same queries for 5 actions or 300."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from hypotheses.models import Hypothesis, Verdict
from sprints import rollups, services
from sprints import session as steps
from sprints.models import Action, ActionStatus, Sprint, SprintReport
from tests import clock
from tests.factories import ActionFactory, HypothesisFactory, MembershipFactory
from tracking.models import MetricValue
from tracking.toolkit.formatting import money
from tracking.weeks import week_start

pytestmark = pytest.mark.django_db


def _url(team, sprint=None):
    return reverse("sprints:report", args=[team.company.pk, (sprint or team.active_sprint).pk])


def _section(body: str, anchor: str) -> str:
    start = body.index(f'id="{anchor}"')
    return body[start : body.index("</section>", start)]


def _close(team, **review):
    """Close the team's active sprint as the tracker does; the roll-up job is not run."""
    return services.sprint_close(sprint=team.active_sprint, by=team.tracker, **review)


def _report_section(team, client, anchor: str) -> str:
    """Close the team's active sprint and read one section of its report, as a member."""
    _close(team)
    client.force_login(team.member.user)
    return _section(client.get(_url(team)).content.decode(), anchor)


@pytest.fixture
def sprint_done(team):
    """The active sprint with a budget of 10 000: one action done (1 500,50, with its result),
    one not done (2 500, with its reason), one without an owner or a cost; a hypothesis
    confirmed against what its numbers said."""
    Sprint.objects.filter(pk=team.active_sprint.pk).update(budget=Decimal(10000))
    team.active_sprint.refresh_from_db()
    Action.objects.filter(pk=team.action.pk).update(
        status=ActionStatus.DONE, cost=Decimal("1500.50"), result_note="Three customers replied"
    )
    ActionFactory(
        sprint=team.active_sprint,
        owner=team.team_lead,
        title="Call the cold leads",
        estimate_hours=Decimal("2.5"),
        cost=Decimal(2500),
        status=ActionStatus.NOT_DONE,
        why_not_note="The lead was ill all week",
        hypothesis=team.hypothesis,
    )
    ActionFactory(sprint=team.active_sprint, title="Tidy the price list", status=ActionStatus.DONE)
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(
        status="confirmed",
        verdict=Verdict.CONFIRMED,
        decided_at=clock.now(),
        baseline=Decimal("2.5"),
        expected_value=Decimal(4),
        measured_value=Decimal("3.1"),
        numbers_verdict=Verdict.REFUTED,
        against_numbers_reason="The biggest client signed the day after the review",
    )
    return team


# --- What the report lists ----------------------------------------------------------------------


def test_every_action_with_its_owner_hours_cost_status_and_result_or_reason(sprint_done, client):
    team = sprint_done
    actions = _report_section(team, client, "actions")
    assert "3 actions" in actions
    rows = re.findall(r"<tr class=\"status-(\w+)\">(.*?)</tr>", actions, re.S)
    assert [status for status, _row in rows] == ["done", "not_done", "done"]
    done, not_done, no_owner = (row for _status, row in rows)
    assert team.action.title in done and str(team.member.user) in done and "Three customers replied" in done
    assert money(Decimal("1500.50"), team.company.currency) in done and ">Done</span>" in done
    assert "Call the cold leads" in not_done and str(team.team_lead.user) in not_done and "2.5" in not_done
    assert "Why not: The lead was ill all week" in not_done and ">Not done</span>" in not_done
    assert money(Decimal(2500), team.company.currency) in not_done
    assert "no owner" in no_owner and "—" in no_owner  # no cost entered


def test_a_hypothesis_tested_shows_its_verdicts_label_its_numbers_and_why_against_them(sprint_done, client):
    team = sprint_done
    tested = _report_section(team, client, "hypotheses")
    assert team.hypothesis.title in tested
    assert '<span class="badge verdict">Confirmed</span>' in tested and ">confirmed<" not in tested
    assert f"{team.metric.name}: measured 3.1 against 2.5 → 4" in tested
    assert "against the numbers: The biggest client signed the day after the review" in tested
    assert "the numbers said: Refuted" in tested


def test_the_verdict_is_labelled_in_the_readers_language(sprint_done, client):
    """The stored value ("confirmed") is never what the report says: it says the Verdict's label
    in the reader's language."""
    team = sprint_done
    _close(team)
    client.force_login(team.member.user)
    assert client.post(reverse("language_set"), {"language": "ru", "next": "/"}).status_code == 302
    body = client.get(_url(team)).content.decode()
    assert '<html lang="ru">' in body
    tested = _section(body, "hypotheses")
    with translation.override("ru"):
        confirmed, refuted = str(Verdict.CONFIRMED.label), str(Verdict.REFUTED.label)
        not_done = str(ActionStatus.NOT_DONE.label)
    assert f'<span class="badge verdict">{confirmed}</span>' in tested
    assert refuted in tested and ">confirmed<" not in tested and ">refuted<" not in tested
    assert f">{not_done}</span>" in _section(body, "actions")
    with translation.override("ru"):
        in_russian = money(Decimal("1500.50"), team.company.currency)
    assert in_russian in _section(body, "actions")  # 1 500,50 ₽


def test_the_hypotheses_kept_in_test_are_listed(team, client):
    kept = HypothesisFactory(company=team.company, metric=team.metric, title="Reviews on the card", status="testing")
    Hypothesis.objects.filter(pk=kept.pk).update(testing_started_at=clock.now(), measured_value=Decimal(2))
    Action.objects.filter(pk=team.action.pk).update(status=ActionStatus.DONE)
    steps.session_verdict(sprint=team.active_sprint, by=team.tracker, hypothesis=kept, decision=steps.KEEP_TESTING)
    _close(team)
    client.force_login(team.member.user)
    body = client.get(_url(team)).content.decode()
    section = _section(body, "kept-in-test")
    assert "Reviews on the card" in section and "measured 2 against 2 → 3" in section
    assert "No hypothesis was kept in test" not in section


def test_the_budget_against_what_was_spent_and_planned(sprint_done, client):
    team = sprint_done
    section = _report_section(team, client, "money")
    currency = team.company.currency

    def fact(label, amount):
        return f"<dt>{label}</dt><dd>{money(Decimal(amount), currency)}</dd>" in section

    assert fact("Budget", 10000)
    assert fact("Spent (actions done)", "1500.50")  # the done actions' costs only
    assert fact("Planned (every action)", "4000.50")
    assert fact("Left of the budget", "8499.50")


def test_what_was_spent_as_logged_leaves_the_planned_cost_alone(sprint_done, client):
    team = sprint_done
    done = Action.objects.get(sprint=team.active_sprint, status=ActionStatus.DONE, cost=Decimal("1500.50"))
    Action.objects.filter(pk=done.pk).update(spent=Decimal("1200.50"))
    section = _report_section(team, client, "money")
    currency = team.company.currency
    assert f"<dt>Spent (actions done)</dt><dd>{money(Decimal('1200.50'), currency)}</dd>" in section
    assert f"<dt>Planned (every action)</dt><dd>{money(Decimal('4000.50'), currency)}</dd>" in section


def test_a_sprint_over_its_budget_says_by_how_much(sprint_done, client):
    team = sprint_done
    Sprint.objects.filter(pk=team.active_sprint.pk).update(budget=Decimal(1000))
    section = _report_section(team, client, "money")
    assert f"<dt>Over budget by</dt><dd>{money(Decimal('500.50'), team.company.currency)}</dd>" in section


def _key_metric_section(team, client, values: dict) -> str:
    """The report's key-metric section once the sprint (its action done) closes, the key metric
    holding these values alone ({week: value})."""
    MetricValue.objects.filter(metric=team.metric).delete()
    for week, value in values.items():
        MetricValue.objects.create(metric=team.metric, week_start=week, value=value)
    Action.objects.filter(pk=team.action.pk).update(status=ActionStatus.DONE)
    return _report_section(team, client, "key-metric")


def test_the_key_metric_from_the_sprints_start_to_its_end(team, client):
    """The last value before the sprint started, and the last one by its end."""
    sprint = team.active_sprint
    before = week_start(sprint.starts_on - timedelta(days=7))
    section = _key_metric_section(team, client, {before: Decimal(4), week_start(sprint.ends_on): Decimal("6.5")})
    assert f"Over the sprint: 4 → 6.5\N{NO-BREAK SPACE}{team.metric.unit} (2.5)" in section


def test_a_value_dated_the_monday_of_a_sprint_begun_mid_week_counts_for_the_sprint(team, client):
    """A week's value is dated by its Monday: a sprint that starts on a Tuesday still moves it."""
    sprint = team.active_sprint
    first_week = week_start(sprint.starts_on)
    Sprint.objects.filter(pk=sprint.pk).update(starts_on=first_week + timedelta(days=1))
    sprint.refresh_from_db()
    section = _key_metric_section(team, client, {first_week - timedelta(days=7): Decimal(37), first_week: Decimal(46)})
    assert f"Over the sprint: 37 → 46\N{NO-BREAK SPACE}{team.metric.unit} (9)" in section


# --- There as soon as the sprint closes -----------------------------------------------------------


def test_the_report_is_computed_by_the_close_without_a_worker(sprint_done, client, django_capture_on_commit_callbacks):
    team = sprint_done
    with django_capture_on_commit_callbacks(execute=False) as enqueued:
        _close(team)
    assert len(enqueued) == 1  # the job (after commit) is still asked to run: it also sends the e-mail
    report = SprintReport.objects.get(sprint=team.active_sprint)
    assert report.computed_at is not None and report.data["layout"] == rollups.REPORT_LAYOUT
    assert report.data["actions_planned"] == 3 and len(report.data["actions"]) == 3
    client.force_login(team.member.user)
    body = client.get(_url(team)).content.decode()
    assert "being prepared" not in body and "Three customers replied" in body
    # The job, however often it runs, gives the same numbers.
    first = report.data
    rollups.sprint_rollups([team.active_sprint.pk])
    rollups.sprint_rollups([team.active_sprint.pk])
    assert SprintReport.objects.get(sprint=team.active_sprint).data == first


def test_a_sprint_closed_before_has_its_report_computed_on_its_first_view(sprint_done, client):
    """A report row still pending (a close of before, its job never ran) or written by an older
    layout is computed when it is first read."""
    team = sprint_done
    _close(team)
    SprintReport.objects.filter(sprint=team.active_sprint).update(data={}, computed_at=None)
    client.force_login(team.member.user)
    body = client.get(_url(team)).content.decode()
    assert "being prepared" not in body and "Three customers replied" in body
    assert SprintReport.objects.get(sprint=team.active_sprint).computed_at is not None
    SprintReport.objects.filter(sprint=team.active_sprint).update(data={"actions_planned": 3})  # an older layout
    body = client.get(_url(team)).content.decode()
    assert "Call the cold leads" in body
    assert SprintReport.objects.get(sprint=team.active_sprint).data["layout"] == rollups.REPORT_LAYOUT


def test_an_open_sprint_shows_its_numbers_so_far_and_stores_nothing(sprint_done, client):
    team = sprint_done
    client.force_login(team.member.user)
    body = client.get(_url(team)).content.decode()
    assert "numbers so far" in body and "being prepared" not in body and "Three customers replied" in body
    assert not SprintReport.objects.filter(sprint=team.active_sprint).exists()


# --- Fixed queries ------------------------------------------------------------------------------------


def _more_actions(team, sprint, count):
    owners = [team.member, team.team_lead, *MembershipFactory.create_batch(2, company=team.company), None]
    Action.objects.bulk_create(
        Action(
            sprint=sprint,
            title=f"Action {i}",
            owner=owners[i % len(owners)],
            estimate_hours=Decimal("0.5"),
            cost=Decimal(i) if i % 3 else None,
            status=[ActionStatus.DONE, ActionStatus.NOT_DONE][i % 2],
            result_note=f"Result {i}" if i % 2 == 0 else "",
            why_not_note="" if i % 2 == 0 else f"Reason {i}",
        )
        for i in range(count)
    )


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_closed_sprints_report_costs_the_same_queries_for_5_actions_and_300(
    sprint_done, client, django_assert_num_queries, django_assert_max_num_queries
):
    team = sprint_done
    _more_actions(team, team.active_sprint, 2)  # 5 actions in all
    _close(team)
    client.force_login(team.tracker.user)
    url = _url(team)
    client.get(url)  # the session's first request loads what every later one has cached
    with django_assert_max_num_queries(15):
        small, body = _queries(client, url)
    assert body.count('<tr class="status-') == 5

    # The same sprint with 300 actions, rolled up again.
    _more_actions(team, team.active_sprint, 295)
    rollups.sprint_rollups([team.active_sprint.pk])
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count('<tr class="status-') == 300


def test_an_open_sprints_report_costs_the_same_queries_for_5_actions_and_300(
    sprint_done, client, django_assert_num_queries, django_assert_max_num_queries
):
    team = sprint_done
    _more_actions(team, team.active_sprint, 2)
    client.force_login(team.tracker.user)
    url = _url(team)
    client.get(url)
    with django_assert_max_num_queries(15):
        small, _body = _queries(client, url)
    _more_actions(team, team.active_sprint, 295)
    with django_assert_num_queries(small):
        response = client.get(url)
    assert response.content.decode().count('<tr class="status-') == 300
