"""The weekly values through the API: the PUT is idempotent and goes through the metric
service (who entered it, the week in the business's calendar, its refusals as 422 field
errors in the token maker's language); bad input never reaches the catch-all 500."""

import json
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from tests.conftest import make_team
from tracking.api.services import api_token_create
from tracking.models import MetricValue
from tracking.weeks import current_week_start

pytestmark = pytest.mark.django_db


def _week_path(team, day: date) -> str:
    return f"metrics/{team.metric.pk}/values/{day.isoformat()}"


def _last_week(team) -> date:
    return current_week_start(team.company) - timedelta(days=7)


def test_the_same_put_twice_leaves_one_value(team, token_for, api):
    token = token_for(team.entrepreneur)
    wednesday = _last_week(team) + timedelta(days=2)

    first = api("put", _week_path(team, wednesday), token, {"value": "12.5"})
    again = api("put", _week_path(team, wednesday), token, {"value": "12.5"})

    assert first.status_code == again.status_code == 200
    assert first.json() | {"updated_at": None} == again.json() | {"updated_at": None}
    assert first.json()["week"] == _last_week(team).isoformat()  # the Monday of that week
    assert first.json()["value"] == "12.5000"
    [stored] = MetricValue.objects.filter(metric=team.metric, week_start=_last_week(team))
    assert stored.value == Decimal("12.5")
    # Written by the metric service, as the token's maker: the values table says who.
    assert stored.recorded_by == team.entrepreneur.user


def test_a_new_value_for_the_week_replaces_the_old(team, token_for, api):
    token = token_for(team.tracker)
    monday = _last_week(team)
    api("put", _week_path(team, monday), token, {"value": 3})

    response = api("put", _week_path(team, monday + timedelta(days=6)), token, {"value": 4})

    assert response.status_code == 200
    assert list(MetricValue.objects.filter(metric=team.metric, week_start=monday).values_list("value", flat=True)) == [
        Decimal(4)
    ]


def test_the_week_is_the_business_local_week(team, token_for, api):
    """Today in the business's time zone belongs to its current week, whatever UTC says."""
    this_week = current_week_start(team.company)
    response = api("put", _week_path(team, this_week + timedelta(days=6)), token_for(team.tracker), {"value": 1})
    assert response.status_code == 200
    assert response.json()["week"] == this_week.isoformat()


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ('{"value": 2.30}', "2.3000"),
        ('{"value": "2.3"}', "2.3000"),
        ('{"value": 0.1}', "0.1000"),
        ('{"value": 1200}', "1200.0000"),
        ('{"value": "-4.25"}', "-4.2500"),
    ],
)
def test_numbers_and_strings_are_exact_decimals(raw, stored, team, token_for, api):
    response = api("put", _week_path(team, _last_week(team)), token_for(team.tracker), raw)
    assert response.status_code == 200, response.content
    assert response.json()["value"] == stored
    assert str(MetricValue.objects.get(metric=team.metric, week_start=_last_week(team)).value) == stored


def _values(team) -> list:
    return list(MetricValue.objects.filter(metric=team.metric).values_list("week_start", "value"))


def _expect_422(response, fields: dict):
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert set(response.json()) == {"error"} and set(error) == {"code", "message", "fields"}
    assert error["code"] == "invalid"
    assert error["fields"] == fields


@pytest.mark.parametrize(
    ("raw", "fields"),
    [
        ('{"value": "abc"}', {"value": ["Enter a number."]}),
        ('{"value": "2,5"}', {"value": ["Enter a number."]}),
        ('{"value": "NaN"}', {"value": ["Enter a number."]}),
        ('{"value": "Infinity"}', {"value": ["Enter a number."]}),
        ('{"value": null}', {"value": ["Enter a number."]}),
        ('{"value": [1]}', {"value": ["Enter a number."]}),
        ("{}", {"value": ["This field is required."]}),
        ('{"value": 1e30}', {"value": ["Ensure that there are no more than 18 digits in total."]}),
    ],
)
def test_a_bad_number_is_a_422_field_error(raw, fields, team, token_for, api):
    before = _values(team)
    response = api("put", _week_path(team, _last_week(team)), token_for(team.tracker), raw)
    _expect_422(response, fields)
    assert _values(team) == before


def test_a_bad_or_future_week_is_a_422_field_error(team, token_for, api):
    token = token_for(team.tracker)
    _expect_422(
        api("put", f"metrics/{team.metric.pk}/values/2026-02-30", token, {"value": 1}),
        {"week": ["Enter a valid date."]},
    )
    next_week = current_week_start(team.company) + timedelta(days=7)
    _expect_422(
        api("put", _week_path(team, next_week), token, {"value": 1}),
        {"week": ["That week has not started yet; values are entered for past weeks."]},
    )


def test_refusals_speak_the_token_makers_language(team, api):
    team.tracker.user.language = "ru"
    team.tracker.user.save()
    token = api_token_create(by=team.tracker, name="CRM", scopes=["metrics:write"]).plaintext
    next_week = current_week_start(team.company) + timedelta(days=7)

    response = api("put", _week_path(team, next_week), token, {"value": "x"})

    assert response.status_code == 422
    assert response.json()["error"]["fields"]["value"] == ["Введите число."]


def test_a_body_that_is_not_json_is_a_400_in_the_same_shape(team, token_for, api):
    response = api("put", _week_path(team, _last_week(team)), token_for(team.tracker), '{"value": ')
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_body_over_the_upload_limit_is_a_413(team, token_for, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api("put", _week_path(team, _last_week(team)), token_for(team.tracker), {"value": "1" + " " * 2000})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_a_member_token_maker_is_refused_by_the_service(team, api):
    """A token acts with its maker's role: one who became a plain member may no longer enter values."""
    token = api_token_create(by=team.entrepreneur, name="CRM", scopes=["metrics:write"]).plaintext
    team.entrepreneur.role = "member"
    team.entrepreneur.save()
    before = _values(team)

    response = api("put", _week_path(team, _last_week(team)), token, {"value": 1})

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert _values(team) == before


@override_settings(API_THROTTLE_PER_MINUTE=10_000)
class BadInputNeverReachesTheCatchAll(HypothesisTestCase):
    """Whatever arrives as the week, the body or the page parameters, the answer is a 2xx or a
    4xx in the error shape, and the catch-all's log of a bug stays silent."""

    @classmethod
    def setUpTestData(cls):
        cls.team = make_team("Fuzz Co", sprints=False)
        cls.token = api_token_create(by=cls.team.tracker, name="Fuzz", scopes=["read", "write"]).plaintext

    def _call(self, method, path, body=""):
        with self.assertNoLogs("tracking.api.errors", level="ERROR"):
            response = self.client.generic(
                method, path, body, content_type="application/json", headers={"Authorization": f"Bearer {self.token}"}
            )
        assert response.status_code < 500, response.content
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}
        return response

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        week=st.one_of(st.dates().map(date.isoformat), st.text(alphabet=st.characters(codec="ascii"), max_size=12)),
        value=st.one_of(
            st.decimals(allow_nan=True, allow_infinity=True).map(str),
            st.floats(allow_nan=False, allow_infinity=False),
            st.integers(),
            st.text(max_size=20),
            st.none(),
            st.booleans(),
            st.lists(st.integers(), max_size=2),
        ),
    )
    def test_put(self, week, value):
        week = "".join(ch for ch in week if ch.isalnum() or ch == "-") or "x"
        self._call("PUT", f"/api/v1/metrics/{self.team.metric.pk}/values/{week}", json.dumps({"value": value}))

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(cursor=st.text(max_size=30), limit=st.one_of(st.integers(-5, 500).map(str), st.text(max_size=5)))
    def test_pages(self, cursor, limit):
        query = urlencode({"cursor": cursor, "limit": limit})
        self._call("GET", f"/api/v1/metrics?{query}")
        self._call("GET", f"/api/v1/metrics/{self.team.metric.pk}/values?{query}")
