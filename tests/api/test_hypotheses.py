"""The hypotheses of /api/v1/: the history page's filters (a bad one is a 422 in the error
shape), a new idea through the page's service, the measured value of one under test."""

from decimal import Decimal

import pytest

from hypotheses.models import Hypothesis, HypothesisEvent, Kind, Status
from tests.factories import HypothesisFactory

pytestmark = pytest.mark.django_db


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def test_newest_first_without_the_archived(team, token_for, api):
    newer = HypothesisFactory(company=team.company, title="Newer")

    assert _ids(api("get", "hypotheses", token_for(team.tracker))) == [newer.pk, team.hypothesis.pk]


def test_the_history_filters(team, token_for, api):
    token = token_for(team.tracker)
    breakthrough = HypothesisFactory(company=team.company, kind=Kind.BREAKTHROUGH, status=Status.TESTING)

    assert _ids(api("get", "hypotheses?kind=breakthrough", token)) == [breakthrough.pk]
    assert _ids(api("get", "hypotheses?status=ready", token)) == [team.hypothesis.pk]
    assert _ids(api("get", f"hypotheses?constraint={team.constraint.pk}", token)) == [team.hypothesis.pk]
    assert _ids(api("get", "hypotheses?since=2000-01-01&until=2000-01-31", token)) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [("status=bogus", "status"), ("kind=x", "kind"), ("since=yesterday", "since"), ("author=abc", "author")],
)
def test_a_bad_filter_is_a_422_in_the_shape(query, field, team, token_for, api):
    response = api("get", f"hypotheses?{query}", token_for(team.tracker))

    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert field in response.json()["error"]["fields"]


def test_another_business_constraint_as_a_filter_is_a_422(team, foreign_team, token_for, api):
    response = api("get", f"hypotheses?constraint={foreign_team.constraint.pk}", token_for(team.tracker))

    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == ["constraint"]
    assert foreign_team.constraint.title not in response.content.decode()


def test_hypotheses_come_in_pages(team, token_for, api):
    HypothesisFactory.create_batch(2, company=team.company)
    token = token_for(team.tracker)

    first = api("get", "hypotheses?limit=2", token).json()
    second = api("get", f"hypotheses?limit=2&cursor={first['next_cursor']}", token).json()

    assert len(first["items"]) == 2 and [row["id"] for row in second["items"]] == [team.hypothesis.pk]
    assert second["next_cursor"] is None


def test_one_hypothesis(team, token_for, api):
    response = api("get", f"hypotheses/{team.hypothesis.pk}", token_for(team.tracker))

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["status"], body["metric_id"]) == (team.hypothesis.title, "ready", team.metric.pk)


def test_an_idea_is_made_by_the_service_as_the_tokens_maker(team, token_for, api):
    body = {"title": "Call back in an hour", "statement": "If we call back, then sales grow.", "baseline": "2.5"}
    body |= {"constraint_id": team.constraint.pk, "metric_id": team.metric.pk}

    response = api("post", "hypotheses", token_for(team.entrepreneur), body)

    assert response.status_code == 201, response.content
    made = Hypothesis.objects.get(pk=response.json()["id"])
    assert (made.status, made.author, made.baseline, made.constraint) == (
        Status.IDEA,
        team.entrepreneur.user,
        Decimal("2.5"),
        team.constraint,
    )
    assert made.events.filter(kind=HypothesisEvent.Kind.CREATED).count() == 1


def test_an_idea_the_model_refuses_is_a_422_with_its_fields(team, token_for, api):
    response = api("post", "hypotheses", token_for(team.tracker), {"title": "", "statement": "x", "impact": 99})

    assert response.status_code == 422
    assert {"title", "impact"} <= set(response.json()["error"]["fields"])
    assert not Hypothesis.objects.filter(statement="x").exists()


def test_another_business_metric_in_an_idea_is_a_field_error(team, foreign_team, token_for, api):
    body = {"title": "t", "statement": "s", "metric_id": foreign_team.metric.pk}

    response = api("post", "hypotheses", token_for(team.tracker), body)

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"metric": ["Pick a metric of this business."]}


def test_the_measured_value_of_one_under_test(team, token_for, api):
    testing = HypothesisFactory(company=team.company, status=Status.TESTING)
    token = token_for(team.tracker)

    first = api("put", f"hypotheses/{testing.pk}/measured", token, {"measured": 4.2})
    again = api("put", f"hypotheses/{testing.pk}/measured", token, {"measured": "4.2"})

    assert first.status_code == again.status_code == 200, first.content
    assert again.json()["measured_value"] == "4.2000"
    testing.refresh_from_db()
    assert testing.measured_value == Decimal("4.2")
    assert testing.events.filter(kind=HypothesisEvent.Kind.EDITED).count() == 1


def test_no_measured_value_for_one_not_under_test(team, token_for, api):
    response = api("put", f"hypotheses/{team.hypothesis.pk}/measured", token_for(team.tracker), {"measured": 1})

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"__all__": ["Measured values are logged for hypotheses under test."]}
