"""The weekly session and the results pages kept in the page cache (tracking/page_cache.py,
issue 12): a second plain view is served from the cache with no query of the page's own, the
next view after a write through the services shows it, each reader gets their own body, and
htmx requests and answers to posts are rendered from the database.

A write made with the version triggers set aside (`around_the_triggers`) is how a test tells a
kept body from a rendered one: the cache cannot know of it, the database can."""

import contextlib
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses.models import Hypothesis, Verdict
from sprints import services
from sprints import session as steps
from sprints.models import Action, ActionStatus, SprintStatus
from tests import clock
from tests.factories import ActionFactory
from tracking.services.metrics import metric_value_record

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
# What differs between any two requests: the CSRF token (masked anew each time, in the forms and
# in the layout's htmx headers) and the layout's CSP nonce.
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": | nonce=)"[^"]+"')
# Tables a page's own queries read; a body from the cache reads none of them.
PAGE_TABLES = ("sprints_", "hypotheses_", "tracking_metric", "tracking_constraint")


def _url(team, name: str) -> str:
    return reverse(f"sprints:{name}", args=[team.company.pk])


def _without_tokens(html: str) -> str:
    return PER_REQUEST.sub(r'\1""', html)


@pytest.fixture
def still_clock():
    """The suite's clock held still: a kept body lives for the five minutes it was rendered in."""
    with time_machine.travel(clock.now(), tick=False):
        yield


@contextlib.contextmanager
def around_the_triggers():
    """Writes inside leave the business's data version where it was (as a write to a table
    without the triggers would), so a body kept in the cache still shows what it showed."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = origin")


def _get(client, url, **headers) -> tuple[list[str], str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:300]
    return [q["sql"] for q in captured], response.content.decode()


def _under_test(team):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    team.hypothesis.refresh_from_db()


@pytest.mark.parametrize("page", ["session", "results"])
def test_the_second_view_is_served_from_the_cache_and_shows_the_same_page(team, client_for, still_clock, page):
    _under_test(team)
    client = client_for(team.tracker)
    first_queries, first = _get(client, _url(team, page))
    second_queries, second = _get(client, _url(team, page))
    assert len(second_queries) < len(first_queries)
    assert not [sql for sql in second_queries if any(table in sql for table in PAGE_TABLES)]
    assert team.action.title in second and team.hypothesis.title in second
    assert first != second  # a CSRF token is masked anew on every request…
    assert _without_tokens(first) == _without_tokens(second)  # … and nothing else differs


def test_a_closed_sprints_panel_is_kept_too_and_an_unknown_one_is_still_not_found(team, client_for, still_clock):
    steps.session_go_to(sprint=team.active_sprint, by=team.tracker)
    Action.objects.filter(pk=team.action.pk).update(status=ActionStatus.DONE)
    steps.session_close(sprint=team.active_sprint, by=team.tracker, what_worked="The PDF offer")
    client = client_for(team.tracker)
    url = _url(team, "session") + f"?closed={team.active_sprint.pk}"
    first_queries, first = _get(client, url)
    second_queries, second = _get(client, url)
    assert len(second_queries) < len(first_queries) and "The PDF offer" in second
    assert _without_tokens(first) == _without_tokens(second)
    assert client.get(_url(team, "session") + f"?closed={team.planned_sprint.pk}").status_code == 404


def test_the_results_page_shows_a_logged_result_and_a_metric_value_at_once(team, client_for, still_clock):
    client = client_for(team.tracker)
    _get(client, _url(team, "results"))
    _queries, kept = _get(client, _url(team, "results"))
    assert "Sent 40 PDF offers" not in kept and 'value="1234"' not in kept
    services.action_log(
        action=team.action,
        by=team.tracker,
        status=ActionStatus.DONE,
        result_note="Sent 40 PDF offers",
        expected_version=team.action.version,
    )
    _queries, page = _get(client, _url(team, "results"))
    assert "Sent 40 PDF offers" in page and "1 of 1 logged" in page
    metric_value_record(metric=team.metric, by=team.tracker, value=Decimal("1234"))
    _queries, page = _get(client, _url(team, "results"))
    assert 'value="1234"' in page


def test_the_session_page_shows_a_verdict_and_a_logged_result_at_once(team, client_for, still_clock):
    _under_test(team)
    client = client_for(team.tracker)
    _get(client, _url(team, "session"))
    _queries, kept = _get(client, _url(team, "session"))
    assert f'id="verdict-{team.hypothesis.pk}"' in kept and "0 of 1 logged" in kept
    steps.session_verdict(
        sprint=team.active_sprint,
        by=team.tracker,
        hypothesis=team.hypothesis,
        decision=Verdict.CONFIRMED,
        measured=Decimal("12"),
        note="Twice the leads",
    )
    _queries, page = _get(client, _url(team, "session"))
    assert f'id="verdict-{team.hypothesis.pk}"' not in page and team.hypothesis.title not in page
    steps.session_results(
        sprint=team.active_sprint,
        by=team.tracker,
        rows=[steps.ResultRow(action=team.action, status=ActionStatus.NOT_DONE, why_not_note="No time")],
    )
    _queries, page = _get(client, _url(team, "session"))
    assert "1 of 1 logged" in page and "No time" in page


def test_a_tracker_and_an_entrepreneur_each_see_their_own_session(team, client_for, still_clock):
    close = f'action="{_url(team, "session_close")}"'
    only_a_tracker = "Only a tracker can close sprints."
    for _round in range(2):  # rendered, then from the cache
        _queries, tracker_page = _get(client_for(team.tracker), _url(team, "session"))
        _queries, entrepreneur_page = _get(client_for(team.entrepreneur), _url(team, "session"))
        assert close in tracker_page and only_a_tracker not in tracker_page
        assert close not in entrepreneur_page and only_a_tracker in entrepreneur_page


def test_a_tracker_and_an_entrepreneur_each_see_their_own_results(team, client_for, still_clock):
    ActionFactory(sprint=team.active_sprint, owner=team.entrepreneur, title="Call the ten warmest leads")
    yours = "<h3>Yours</h3>"
    for _round in range(2):  # rendered, then from the cache
        _queries, tracker_page = _get(client_for(team.tracker), _url(team, "results"))
        _queries, entrepreneur_page = _get(client_for(team.entrepreneur), _url(team, "results"))
        assert yours not in tracker_page and "Call the ten warmest leads" in tracker_page
        mine = entrepreneur_page.split(yours, 1)[1].split("<h3>", 1)[0]
        assert "Call the ten warmest leads" in mine and team.action.title not in mine


@pytest.mark.parametrize("page", ["session", "results"])
def test_htmx_requests_are_rendered_from_the_database(team, client_for, still_clock, page):
    client = client_for(team.tracker)
    _get(client, _url(team, page))
    with around_the_triggers():
        Action.objects.filter(pk=team.action.pk).update(status=ActionStatus.DONE, result_note="Quietly sent")
    _queries, kept = _get(client, _url(team, page))
    assert "Quietly sent" not in kept and "0 of 1 logged" in kept  # the kept body: the write went unseen
    _queries, whole = _get(client, _url(team, page), **HTMX)
    assert "Quietly sent" in whole and "1 of 1 logged" in whole
    _queries, counters = _get(client, _url(team, page) + "?fragment=counters", **HTMX)
    assert "1 of 1 logged" in counters


def test_the_answer_to_a_refused_post_is_rendered_from_the_database(team, client_for, still_clock):
    client = client_for(team.tracker)
    _get(client, _url(team, "session"))
    with around_the_triggers():
        Action.objects.filter(pk=team.action.pk).update(title="Quietly renamed")
    response = client.post(_url(team, "session_constraint"), {})  # no answer: refused, nothing written
    assert response.status_code == 200
    page = response.content.decode()
    assert "Answer yes or no." in page and "Quietly renamed" in page
    team.active_sprint.refresh_from_db()
    assert team.active_sprint.status == SprintStatus.ACTIVE
