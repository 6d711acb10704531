"""Each endpoint runs the same number of queries, pinned, for 10 rows of everything as for 2,000."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import clock
from tests.factories import (
    ActionFactory,
    MembershipFactory,
    SprintFactory,
)
from tracking.models import ConstraintStatus
from tracking.weeks import current_week_start

pytestmark = pytest.mark.django_db

ROUTES = ["company", "members", "constraints", "metrics", "metrics/{metric}", "metrics/{metric}/values", "goals"]
ROUTES += ["hypotheses", "hypotheses?status=ready&constraint={constraint}", "hypotheses/{hypothesis}"]
ROUTES += ["sprints", "sprints/{sprint}"]


def _queries(api, token, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api("get", path, token)
    assert response.status_code == 200, response.content
    return len(queries)


def _grow_many(team, rows: int, start: int = 0) -> None:
    """`rows` more of everything a read lists, each kind in one insert: members with their
    users, metrics with a value, goals under the team's, resolved constraints with two
    why-steps, actions of the active sprint, later sprints, hypotheses, and weeks of values of
    the team's metric."""
    from hypotheses.models import Hypothesis
    from sprints.models import Action, Sprint
    from tracking.models import Constraint, Goal, Horizon, Membership, Metric, MetricValue, Role, User, WhyStep

    company, monday, numbers = team.company, current_week_start(team.company), range(start, start + rows)
    users = User.objects.bulk_create(User(email=f"bulk-{n}@example.test", full_name=f"Bulk {n}") for n in numbers)
    members = Membership.objects.bulk_create(
        Membership(company=company, user=user, role=Role.MEMBER, accepted_at=clock.now()) for user in users
    )
    metrics = Metric.objects.bulk_create(Metric(company=company, name=f"Bulk metric {n}") for n in numbers)
    values = [MetricValue(metric=metric, week_start=monday - timedelta(weeks=1), value=1) for metric in metrics]
    # From three weeks back: the team's own value is last week's in UTC, which is two weeks back in
    # the business's zone when Moscow's Monday has begun and UTC's has not.
    values += [MetricValue(metric=team.metric, week_start=monday - timedelta(weeks=3 + n), value=n) for n in numbers]
    MetricValue.objects.bulk_create(values)
    goal = team.goal
    Goal.objects.bulk_create(
        Goal(company=company, parent=goal, metric=metric, horizon=Horizon.MONTH, title=f"Bulk goal {n}", target=n + 1,
             starts_on=goal.starts_on, due_on=goal.due_on)
        for n, metric in zip(numbers, metrics, strict=True)
    )  # fmt: skip
    old = Constraint.objects.bulk_create(
        Constraint(company=company, title=f"Bulk constraint {n}", area="leads", status=ConstraintStatus.RESOLVED,
                   started_on=monday - timedelta(weeks=2), closed_on=monday)
        for n in numbers
    )  # fmt: skip
    WhyStep.objects.bulk_create(WhyStep(constraint=c, position=p, answer=f"Because {p}") for c in old for p in (1, 2))
    Action.objects.bulk_create(
        Action(sprint=team.active_sprint, owner=m, title=f"Bulk action {n}", estimate_hours=1)
        for n, m in zip(numbers, members, strict=True)
    )
    Sprint.objects.bulk_create(
        Sprint(company=company, number=1000 + n, starts_on=monday + timedelta(weeks=20 + n),
               ends_on=monday + timedelta(weeks=20 + n, days=6))
        for n in numbers
    )  # fmt: skip
    Hypothesis.objects.bulk_create(
        Hypothesis(company=company, constraint=team.constraint, metric=metric, title=f"Bulk idea {n}",
                   statement="If", author=user)
        for n, metric, user in zip(numbers, metrics, users, strict=True)
    )  # fmt: skip


# Each read's queries after the token's (whose statement brings the business and membership),
# pinned: the same for 10 rows of everything as for 2,000 (a page of them).
READS = {
    "company": 1,  # the token with its business and membership: nothing else
    "members": 2,
    "constraints": 3,  # the page, then its why-steps
    "metrics": 2,
    "metrics/{metric}": 2,
    "metrics/{metric}/values": 3,  # the metric, then the page of its values
    "goals": 2,
    "hypotheses": 4,  # the history page's filters read the constraints and the authors
    "hypotheses?status=ready&constraint={constraint}": 4,
    "hypotheses/{hypothesis}": 2,
    "sprints": 2,
    "sprints/{sprint}": 3,  # the sprint, then its actions
}


def test_every_read_is_pinned_the_same_for_10_and_2000_rows(team, token_for, api):
    """Every read route, at 10 rows of everything and again at 2,000 (grown once for all)."""
    assert set(READS) == set(ROUTES)
    token = token_for(team.tracker)
    ids = {"metric": team.metric.pk, "constraint": team.constraint.pk, "hypothesis": team.hypothesis.pk}
    paths = {route: route.format(sprint=team.active_sprint.pk, **ids) for route in ROUTES}
    _grow_many(team, 10)
    _queries(api, token, paths["company"])  # the token's last-used mark, written once a minute, is behind us
    few = {route: _queries(api, token, path) for route, path in paths.items()}
    _grow_many(team, 1990, start=10)
    many = {route: _queries(api, token, path) for route, path in paths.items()}

    assert few == many == READS, (few, many)


def _closed_sprint(team, number: int, actions: int):
    starts_on = team.active_sprint.starts_on - timedelta(weeks=2 * (number - 98))
    ends_on = starts_on + timedelta(days=6)
    closed = SprintFactory(company=team.company, number=number, status="closed", starts_on=starts_on, ends_on=ends_on)
    for _ in range(actions):
        ActionFactory(sprint=closed, owner=MembershipFactory(company=team.company), status="done")
    return closed


def test_a_reports_queries_do_not_grow_with_its_actions(team, token_for, api):
    token = token_for(team.tracker)
    small, large = _closed_sprint(team, 100, 2), _closed_sprint(team, 99, 40)
    for sprint in (small, large):  # the first read of a sprint closed before computes its report
        _queries(api, token, f"sprints/{sprint.pk}/report")

    few = _queries(api, token, f"sprints/{small.pk}/report")
    many = _queries(api, token, f"sprints/{large.pk}/report")

    assert few == many <= 5, (few, many)


def _last_week(team):
    return current_week_start(team.company) - timedelta(weeks=1)


def _version(action) -> int:
    action.refresh_from_db(fields=["version"])
    return action.version


def _hypothesis_under_test(team):
    from hypotheses.models import Hypothesis

    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    return team.hypothesis.pk


# name: (method, the path and the body for the team, the pinned queries)
WRITES = {
    "a weekly value": ("put", lambda t, n: (f"metrics/{t.metric.pk}/values/{_last_week(t)}", {"value": n}), 6),
    "an idea": ("post", lambda t, n: ("hypotheses", {"title": f"Idea {n}", "statement": "If we call, they buy"}), 16),
    "a measured value": (
        "put",
        lambda t, n: (f"hypotheses/{_hypothesis_under_test(t)}/measured", {"measured": 10 + n}),
        7,
    ),
    "an action's result": (
        "put",
        lambda t, n: (
            f"actions/{t.action.pk}/result",
            {"status": "done", "result_note": f"Done {n}", "version": _version(t.action)},
        ),
        6,
    ),
}


@pytest.mark.parametrize("name", WRITES)
def test_writes_run_the_same_queries_for_few_rows_and_many(name, team, token_for, api):
    """Each write is pinned: the same queries with 10 rows of everything as with 2,000."""
    method, request, pinned = WRITES[name]
    token = token_for(team.tracker)
    _grow_many(team, 10)
    counts = []
    for n in range(3):
        if n == 2:
            _grow_many(team, 1990, start=10)
        path, body = request(team, n)
        with CaptureQueriesContext(connection) as queries:
            response = api(method, path, token, body)
        assert response.status_code in (200, 201), response.content
        counts.append(len(queries))
    assert counts[1:] == [pinned, pinned], counts  # the first also marks the token as used
