"""Cursor pages of the lists, and the requests a minute each token may make."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings

from tests import clock
from tests.factories import MetricFactory, MetricValueFactory
from tracking.weeks import current_week_start

pytestmark = pytest.mark.django_db


def _walk(api, token, path: str, limit: int) -> list[list]:
    """Every page of a list, following the cursors: the items of each."""
    pages, cursor = [], None
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        response = api("get", path + query, token)
        assert response.status_code == 200, response.content
        pages.append(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return pages


def test_metrics_come_in_pages_of_the_limit_each_once(team, foreign_team, token_for, api):
    more = [MetricFactory(company=team.company).pk for _ in range(6)]
    token = token_for(team.tracker)

    pages = _walk(api, token, "metrics", limit=3)

    assert [len(page) for page in pages] == [3, 3, 1]
    ids = [item["id"] for page in pages for item in page]
    assert ids == sorted([team.metric.pk, *more])
    assert foreign_team.metric.pk not in ids


def test_values_come_newest_week_first(team, token_for, api):
    monday = current_week_start(team.company)
    for weeks_back in range(2, 7):
        MetricValueFactory(metric=team.metric, week_start=monday - timedelta(weeks=weeks_back))
    expected = sorted(team.metric.values.values_list("week_start", flat=True), reverse=True)

    pages = _walk(api, token_for(team.tracker), f"metrics/{team.metric.pk}/values", limit=2)

    assert [item["week"] for page in pages for item in page] == [week.isoformat() for week in expected]


def test_a_row_added_between_pages_is_not_repeated_or_lost(team, token_for, api):
    token = token_for(team.tracker)
    MetricFactory(company=team.company)
    first = api("get", "metrics?limit=1", token).json()
    added = MetricFactory(company=team.company)

    rest = api("get", f"metrics?limit=10&cursor={first['next_cursor']}", token).json()

    assert first["items"][0]["id"] not in [item["id"] for item in rest["items"]]
    assert rest["items"][-1]["id"] == added.pk


@pytest.mark.parametrize(
    ("query", "field"), [("cursor=%%%", "cursor"), ("cursor=bm90LWEtbnVtYmVy", "cursor"), ("limit=201", "limit")]
)
def test_a_bad_cursor_or_limit_is_a_422(query, field, team, token_for, api):
    response = api("get", f"metrics?{query}", token_for(team.tracker))
    assert response.status_code == 422
    assert list(response.json()["error"]["fields"]) == [field]


STORES = {
    "redis": None,  # the test settings' cache
    "postgresql": {"default": {"BACKEND": "tracking.accounts.counter_cache.CounterCache", "LOCATION": "counter_cache"}},
}


def _counted_in_postgresql() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM counter_cache WHERE key LIKE %s", ["%api:rate:%"])
        return cursor.fetchone()[0] > 0


@pytest.mark.parametrize("store", sorted(STORES))
def test_the_61st_request_in_a_minute_is_a_429(store, team, token_for, api):
    """Counted in the store the sign-in throttle uses: Redis, or PostgreSQL on the embedded default."""
    token, other = token_for(team.tracker), token_for(team.entrepreneur)
    middle_of_a_minute = clock.now().replace(second=30, microsecond=0)
    with override_settings(**({"CACHES": STORES[store]} if STORES[store] else {})):
        with time_machine.travel(middle_of_a_minute, tick=False):
            answers = [api("get", "company", token) for _ in range(61)]
            other_token = api("get", "company", other)
        with time_machine.travel(middle_of_a_minute + timedelta(seconds=30), tick=False):
            next_minute = api("get", "company", token)
        counted_in_postgresql = _counted_in_postgresql()

    assert [r.status_code for r in answers[:60]] == [200] * 60
    assert [r["X-RateLimit-Remaining"] for r in answers[:60]] == [str(60 - n) for n in range(1, 61)]
    assert {(r["X-RateLimit-Limit"], r["X-RateLimit-Reset"]) for r in answers} == {("60", "30")}
    refused = answers[60]
    assert refused.status_code == 429
    assert refused["Retry-After"] == "30" and refused["X-RateLimit-Remaining"] == "0"
    assert refused.json()["error"]["code"] == "rate_limited"
    assert "Wait 30 seconds" in refused.json()["error"]["message"]
    assert other_token.status_code == 200  # each token has its own count
    assert next_minute.status_code == 200 and next_minute["X-RateLimit-Remaining"] == "59"
    assert counted_in_postgresql is (store == "postgresql")


@override_settings(API_THROTTLE_PER_MINUTE=2)
def test_the_limit_is_a_setting(team, token_for, api):
    token = token_for(team.tracker)
    with time_machine.travel(clock.now().replace(second=10), tick=False):
        statuses = [api("get", "company", token).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_a_dead_cache_lets_requests_through(team, token_for, api, settings, caplog):
    """As the sign-in throttle does: an outage of the store costs no request, and is logged."""
    dead = {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0", "KEY_PREFIX": "api-dead"}
    settings.CACHES = {"default": dead}
    token = token_for(team.tracker)

    responses = [api("get", "company", token) for _ in range(3)]

    assert [r.status_code for r in responses] == [200] * 3
    assert all("X-RateLimit-Limit" not in r for r in responses)
    assert "API throttle unavailable" in caplog.text
