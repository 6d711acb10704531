"""The weekly session page draws the step at hand (the review's step) and folds the others:
a folded step is its heading, with an htmx GET of its card when it is opened
(`?fragment=card&card=<step>`, `hx-trigger="toggle once"`) and, without JavaScript, a link to
the page with that step drawn as well (`?open=<step>`). The page then reads only the step at
hand: the same queries for 5 and 300 actions, fewer than when it drew every step."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses.models import Hypothesis
from sprints import session as steps
from sprints.models import Action
from sprints.session_page import STEP_ORDER
from tests import clock
from tests.factories import HypothesisFactory, MembershipFactory, MetricFactory

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
HEADINGS = {
    "results": "1. What was done, and why not",
    "verdicts": "2. Verdicts for hypotheses under test",
    "metrics": "3. This week's metrics",
    "constraint": "4. Is the main constraint still the main one?",
    "plan": "5. Plan the next sprint",
    "close": "6. Close the sprint",
}
# Before the steps were folded, the page read every step's rows: 12 queries.
ALL_STEPS_QUERIES = 12


def _session(team):
    return reverse("sprints:session", args=[team.company.pk])


def _contents(team) -> dict[str, list[str]]:
    """What only each step's card shows (its rows, its form), for `team` with a hypothesis under test."""
    close = reverse("sprints:session_close", args=[team.company.pk])
    return {
        "results": [f'id="result-{team.action.pk}"', 'id="results-form"'],
        "verdicts": [f'id="verdict-{team.hypothesis.pk}"', 'id="verdicts-form"'],
        "metrics": [f'name="m{team.metric.pk}-value"', 'id="metrics-form"'],
        "constraint": ['name="still_main" value="yes"'],
        "plan": ['id="session-plan"', f'name="carry" value="{team.action.pk}"', 'name="n0-title"'],
        "close": ['id="closing-problems"', f'action="{close}"'],
    }


@pytest.fixture
def tracker(team, client):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    client.force_login(team.tracker.user)
    return client


def _drawn(body, step) -> bool:
    return f'<details class="card step-card" id="step-{step}" open>' in body


def _folded(body, team, step) -> bool:
    url = _session(team)
    return (
        f'<details class="card step-card folded" id="step-{step}" data-folded '
        f'hx-get="{url}?fragment=card&amp;card={step}" hx-trigger="toggle once" hx-swap="outerHTML">'
    ) in body and f'href="{url}?open={step}#step-{step}"' in body


def test_the_page_at_the_results_step_draws_its_rows_and_folds_the_other_five_steps(team, tracker):
    body = tracker.get(_session(team)).content.decode()
    contents = _contents(team)
    assert _drawn(body, "results") and all(shown in body for shown in contents["results"])
    for step in STEP_ORDER[1:]:
        assert _folded(body, team, step), step
        assert HEADINGS[step] in body, step  # its heading, to open it by
        assert not any(shown in body for shown in contents[step]), step  # nothing of its card
    assert body.count("data-folded") == 5


def test_the_page_draws_the_step_the_review_is_at_and_folds_the_results(team, tracker):
    steps.session_go_to(sprint=team.active_sprint, by=team.tracker, step="plan")
    body = tracker.get(_session(team)).content.decode()
    contents = _contents(team)
    assert _drawn(body, "plan") and all(shown in body for shown in contents["plan"])
    assert _folded(body, team, "results") and not any(shown in body for shown in contents["results"])
    assert body.count("data-folded") == 5


@pytest.mark.parametrize("step", STEP_ORDER)
def test_a_steps_card_answers_alone_open_with_its_content(step, team, tracker):
    response = tracker.get(_session(team), {"fragment": "card", "card": step}, headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<details class="card step-card" id="step-{step}" open>')
    assert HEADINGS[step] in body and all(shown in body for shown in _contents(team)[step])
    assert 'id="session"' not in body and "data-folded" not in body  # the card alone, drawn
    others = [shown for other in STEP_ORDER if other != step for shown in _contents(team)[other]]
    assert not any(shown in body for shown in others)


@pytest.mark.parametrize(
    "params",
    [
        {"fragment": "card", "card": "junk"},
        {"fragment": "card"},
        {"fragment": "card", "card": ""},
        {"fragment": "junk", "card": "plan"},
    ],
    ids=["unknown card", "no card", "empty card", "unknown fragment"],
)
def test_an_unknown_card_or_fragment_is_a_404(params, team, tracker):
    assert tracker.get(_session(team), params, headers=HTMX).status_code == 404


@pytest.mark.parametrize("step", ["plan", "verdicts"])
def test_another_business_session_card_is_a_404_and_shows_nothing(step, team, foreign_team, tracker):
    Hypothesis.objects.filter(pk=foreign_team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    foreign = _session(foreign_team)
    for params, headers in (({"fragment": "card", "card": step}, HTMX), ({"open": step}, {})):
        response = tracker.get(foreign, params, headers=headers)
        assert response.status_code == 404, params
        body = response.content.decode()
        assert not any(name in body for name in foreign_team.names)
        assert foreign_team.action.title not in body and foreign_team.hypothesis.title not in body


def test_without_javascript_open_draws_that_step_as_well(team, tracker):
    body = tracker.get(_session(team), {"open": "plan"}).content.decode()
    contents = _contents(team)
    for step in ("results", "plan"):  # the step at hand and the one opened
        assert _drawn(body, step) and all(shown in body for shown in contents[step]), step
    for step in ("verdicts", "metrics", "constraint", "close"):
        assert _folded(body, team, step) and not any(shown in body for shown in contents[step]), step
    # A step that is not one opens nothing more.
    junk = tracker.get(_session(team), {"open": "junk"}).content.decode()
    assert junk.count("data-folded") == 5 and _drawn(junk, "results")


def test_a_plain_refused_post_draws_the_step_it_refused(team, tracker):
    """The refused step shows, with its error, whichever step the review is at."""
    constraint = tracker.post(reverse("sprints:session_constraint", args=[team.company.pk]), {}).content.decode()
    assert "Answer yes or no." in constraint and _drawn(constraint, "constraint")
    metric = MetricFactory(company=team.company, name="Conversion")
    data = {f"m{team.metric.pk}-value": "2", f"m{metric.pk}-value": "2,3,4"}
    metrics = tracker.post(reverse("sprints:session_metrics", args=[team.company.pk]), data).content.decode()
    assert "Enter a number." in metrics and _drawn(metrics, "metrics") and 'value="2,3,4"' in metrics


def test_the_page_reads_only_the_step_at_hand_the_same_for_5_and_300_actions(team, tracker):
    owners = [*MembershipFactory.create_batch(3, company=team.company), team.member]

    def grow(count):
        Action.objects.bulk_create(
            Action(sprint=sprint, title=f"Bulk {i}", owner=owners[i % 4], estimate_hours=1)
            for sprint in (team.active_sprint, team.planned_sprint)
            for i in range(count)
        )
        for i in range(count // 20):
            h = HypothesisFactory(company=team.company, constraint=team.constraint, metric=team.metric)
            Hypothesis.objects.filter(pk=h.pk).update(status="testing", testing_started_at=clock.now())
            MetricFactory(company=team.company, name=f"Metric {count}-{i}")

    def page():
        with CaptureQueriesContext(connection) as captured:
            assert tracker.get(_session(team)).status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    grow(4)
    small = page()
    grow(296)
    large = page()
    assert len(small) == len(large) < ALL_STEPS_QUERIES, (len(small), len(large))

    # None of the folded steps' rows is read: hypotheses, metrics, the constraint, the next sprint.
    # (A table is named quoted by the ORM, bare by the statements written once.)
    def reads(sql: str, table: str) -> bool:
        return re.search(rf'\bFROM "?{table}"?\s', sql) is not None

    tables = ("hypotheses_hypothesis", "tracking_metric", "tracking_metricvalue", "tracking_constraint")
    assert not [sql for sql in large for table in tables if reads(sql, table)]
    assert sum(reads(sql, "sprints_sprint") for sql in large) == 1  # the sprint under review alone
