"""The page cache (tracking/page_cache.py) and the data version its keys are made of
(tracking/migrations/0007_company_data_version.py), on the sprint board, its first page.

- Which tables carry the version triggers, read from PostgreSQL's catalogue: every model whose
  rows belong to a business has them, so a model added later without them fails here.
- Every write to those tables, whoever makes it, moves the version of the business the rows
  belong to, once per statement, and no other business's.
- The board through the test client: a second view is served from the cache, yet the CSRF
  token, the reader, the language, the five minutes of the clock, htmx and the setting are
  all honoured; with the cache down the page is rendered as if it had missed.
"""

import importlib
import re
import uuid
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace
from unittest import mock

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse

from hypotheses.models import Hypothesis, HypothesisEvent, ScriptLink
from hypotheses.models import Status as HypothesisStatus
from sprints import session
from sprints.models import Action, Review, SprintReport
from tests import clock
from tests.custdev.factories import InterviewFactory, ScriptFactory, TagFactory
from tests.factories import (
    ActionFactory,
    ConstraintFactory,
    GoalFactory,
    HypothesisFactory,
    MembershipFactory,
    MetricFactory,
    MetricValueFactory,
    SprintFactory,
    UserFactory,
    WhyStepFactory,
)
from tracking import page_cache
from tracking.custdev.models import CustdevSettings, Highlight, Insight
from tracking.models import Company, ConstraintEvent, ConstraintStatus, Role
from tracking.toolkit.models import ConversionMetric, Snapshot, UnitEconomics

pytestmark = pytest.mark.django_db

MIGRATION = importlib.import_module("tracking.migrations.0007_company_data_version")
EVENTS = ("insert", "update", "delete")

# --- 1. Which tables carry the triggers ---------------------------------------------------------


def _reaches_company(model, seen=frozenset()) -> bool:
    """Does a chain of foreign keys (or one-to-one keys) lead from `model` to the business?"""
    for field in model._meta.concrete_fields:
        if not (field.many_to_one or field.one_to_one):
            continue
        target = field.related_model
        if target is Company:
            return True
        if target not in seen and target is not model and _reaches_company(target, seen | {model}):
            return True
    return False


# Every table, many-to-many link tables included, whose rows belong to one business.
COMPANY_TABLES = sorted(
    {model._meta.db_table for model in apps.get_models(include_auto_created=True) if _reaches_company(model)}
)

# Rows of a business that no page body shows: writing them need not move the version.
EXEMPT = {
    # The delivery bookkeeping of the weekly e-mails (sent_at, attempts, last_error): the mailer
    # job writes it, no page reads it.
    "sprints_reminder",
}


def _triggers() -> dict[str, dict[str, int]]:
    """table -> {trigger name: tgtype} of the page_version_* triggers, from pg_trigger."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, t.tgname, t.tgtype
              FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE NOT t.tgisinternal AND t.tgname LIKE 'page_version_%%' AND pg_table_is_visible(c.oid)
            """
        )
        found: dict[str, dict[str, int]] = {}
        for table, name, kind in cursor.fetchall():
            found.setdefault(table, {})[name] = kind
    return found


# pg_trigger.tgtype bits: 1 row-level, 2 before, 4 insert, 8 delete, 16 update.
ROW, BEFORE, ON = 1, 2, {"insert": 4, "delete": 8, "update": 16}


@pytest.mark.parametrize("table", [t for t in COMPANY_TABLES if t not in EXEMPT])
def test_every_table_of_a_business_has_the_three_statement_triggers(table):
    triggers = _triggers().get(table, {})
    for event in EVENTS:
        kind = triggers.get(f"page_version_{event}")
        assert kind is not None, f"{table} has no page_version_{event} trigger"
        assert kind & ON[event], f"page_version_{event} on {table} fires on another event ({kind})"
        assert not kind & (ROW | BEFORE), f"page_version_{event} on {table} is not AFTER … FOR EACH STATEMENT"


def test_the_business_and_the_people_have_their_update_triggers():
    triggers = _triggers()
    assert triggers["tracking_company"].keys() == {"page_version_update"}
    assert (
        triggers["tracking_company"]["page_version_update"] & (ROW | BEFORE | ON["update"])
        == ROW | BEFORE | ON["update"]
    )
    assert triggers["tracking_user"].keys() == {"page_version_update"}


def test_the_lists_name_tables_that_exist():
    """An exemption of a table that is gone (or renamed) is a stale line."""
    assert set(EXEMPT) <= set(COMPANY_TABLES)
    assert set(MIGRATION.TABLES) <= set(COMPANY_TABLES)
    assert not set(MIGRATION.TABLES) & set(EXEMPT)
    # The walk itself finds the tables that reach the business only through a parent.
    assert {"sprints_action", "tracking_whystep", "custdev_highlight", "hypotheses_scriptlink"} <= set(COMPANY_TABLES)
    # … and the many-to-many link tables (a "keep testing" mark is a row of one).
    links = {"sprints_review_kept_in_test", "custdev_highlight_tags", "custdev_insight_highlights"}
    assert links <= set(COMPANY_TABLES)
    assert "tracking_user" not in COMPANY_TABLES and "sprints_digest" not in COMPANY_TABLES


# --- 2. Writes move the version -----------------------------------------------------------------


def version(company: Company) -> int:
    return Company.objects.values_list("data_version", flat=True).get(pk=company.pk)


def _business_rows_updated() -> int:
    """Rows of tracking_company updated so far in this transaction (the test's): one per
    business a statement touched, if the triggers fire once per statement."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relname = 'tracking_company'")
        return cursor.fetchone()[0]


class Tally:
    """The data versions of some businesses, and the updates of business rows, since the last look."""

    def __init__(self, *companies: Company):
        self.companies = companies
        self._mark()

    def _mark(self) -> None:
        self.versions = [version(c) for c in self.companies]
        self.updates = _business_rows_updated()

    def moved(self) -> tuple[list[bool], int]:
        """Which versions moved forward, and how many business rows were updated; then looks again."""
        pairs = list(zip([version(c) for c in self.companies], self.versions, strict=True))
        assert all(new >= old for new, old in pairs), "a data version went back"
        result = [new > old for new, old in pairs], _business_rows_updated() - self.updates
        self._mark()
        return result


def _economics(**fields) -> dict:
    return {"ua": 1000, "c1": 5, "avg_price": 2000, "cogs": 800, "apc": Decimal("1.5"), "cpa": 30, **fields}


# table -> a new row of the team's business (unsaved; what it hangs on is saved).
NEW_ROW = {
    "tracking_membership": lambda t: MembershipFactory.build(company=t.company, user=UserFactory()),
    "tracking_constraint": lambda t: ConstraintFactory.build(
        company=t.company, status=ConstraintStatus.RESOLVED, closed_on=clock.today()
    ),
    "tracking_metric": lambda t: MetricFactory.build(company=t.company),
    "tracking_goal": lambda t: GoalFactory.build(company=t.company),
    "tracking_whystep": lambda t: WhyStepFactory.build(constraint=t.constraint, position=3),
    "tracking_constraintevent": lambda t: ConstraintEvent(constraint=t.constraint, kind=ConstraintEvent.Kind.EDITED),
    "tracking_metricvalue": lambda t: MetricValueFactory.build(
        metric=t.metric, week_start=t.metric.values.get().week_start - timedelta(days=7)
    ),
    "custdev_custdevsettings": lambda t: CustdevSettings(company=t.company, insight_threshold=3),
    "custdev_script": lambda t: ScriptFactory.build(company=t.company),
    "custdev_interview": lambda t: InterviewFactory.build(company=t.company),
    "custdev_tag": lambda t: TagFactory.build(company=t.company, name="measure the same day"),
    "custdev_insight": lambda t: Insight(company=t.company, sentence="People want it measured today", people=3),
    "custdev_highlight": lambda t: Highlight(interview=InterviewFactory(company=t.company), quote="A week late"),
    "custdev_highlight_tags": lambda t: Highlight.tags.through(
        highlight=Highlight.objects.create(interview=InterviewFactory(company=t.company), quote="A week late"),
        tag=TagFactory(company=t.company),
    ),
    "custdev_insight_highlights": lambda t: Insight.highlights.through(
        insight=Insight.objects.create(company=t.company, sentence="Measure today", people=3),
        highlight=Highlight.objects.create(interview=InterviewFactory(company=t.company), quote="A week late"),
    ),
    "toolkit_conversionmetric": lambda t: ConversionMetric(
        company=t.company,
        upper=t.metric,
        lower=MetricFactory(company=t.company),
        metric=MetricFactory(company=t.company),
    ),
    "toolkit_uniteconomics": lambda t: UnitEconomics(company=t.company, **_economics()),
    "toolkit_snapshot": lambda t: Snapshot(company=t.company, taken_on=clock.today(), **_economics()),
    "hypotheses_hypothesis": lambda t: HypothesisFactory.build(company=t.company, metric=t.metric),
    "hypotheses_hypothesisevent": lambda t: HypothesisEvent(hypothesis=t.hypothesis, kind=HypothesisEvent.Kind.EDITED),
    "hypotheses_scriptlink": lambda t: ScriptLink(hypothesis=t.hypothesis, script=ScriptFactory(company=t.company)),
    "sprints_sprint": lambda t: SprintFactory.build(
        company=t.company,
        number=103,
        starts_on=clock.today() + timedelta(days=80),
        ends_on=clock.today() + timedelta(days=86),
    ),
    "sprints_action": lambda t: ActionFactory.build(sprint=t.planned_sprint, owner=t.member),
    "sprints_review": lambda t: Review(sprint=t.active_sprint),
    "sprints_review_kept_in_test": lambda t: Review.kept_in_test.through(
        review=Review.objects.create(sprint=t.active_sprint), hypothesis=t.hypothesis
    ),
    "sprints_sprintreport": lambda t: SprintReport(sprint=t.active_sprint),
}


def test_every_table_of_the_migration_has_a_row_to_write_here():
    assert NEW_ROW.keys() == MIGRATION.TABLES.keys()


@pytest.mark.parametrize("table", sorted(MIGRATION.TABLES))
def test_an_insert_update_and_delete_move_their_business_version_only(table, team, foreign_team):
    row = NEW_ROW[table](team)
    assert row._meta.db_table == table
    tally = Tally(team.company, foreign_team.company)

    row.save()  # INSERT
    assert tally.moved() == ([True, False], 1), "INSERT"
    row.save()  # UPDATE of the same row
    assert tally.moved() == ([True, False], 1), "UPDATE"
    row.delete()  # DELETE (a new row: nothing hangs on it, nothing else is written)
    assert tally.moved() == ([True, False], 1), "DELETE"


def test_a_bulk_insert_moves_the_version_once(team, foreign_team):
    tally = Tally(team.company, foreign_team.company)
    Action.objects.bulk_create([ActionFactory.build(sprint=team.planned_sprint) for _ in range(5)])
    assert tally.moved() == ([True, False], 1)


def test_one_update_or_delete_over_many_rows_moves_each_business_once(team, foreign_team):
    for t in (team, foreign_team):
        ActionFactory.create_batch(3, sprint=t.planned_sprint)
    tally = Tally(team.company, foreign_team.company)

    assert Action.objects.filter(sprint__company=team.company).update(estimate_hours=3) == 5
    assert tally.moved() == ([True, False], 1)

    # One statement over both businesses' rows: each moves, once.
    both = Action.objects.filter(sprint__company__in=[team.company, foreign_team.company])
    assert both.update(estimate_hours=4) == 10
    assert tally.moved() == ([True, True], 2)

    # A statement that touches no row moves nothing.
    assert Action.objects.filter(sprint__company=team.company, title="no such action").update(estimate_hours=5) == 0
    assert tally.moved() == ([False, False], 0)

    assert Action.objects.filter(sprint=team.planned_sprint).delete()[0] == 4
    assert tally.moved() == ([True, False], 1)


def test_an_update_of_the_business_row_moves_it_and_never_back(team, foreign_team):
    company = Company.objects.get(pk=team.company.pk)
    tally = Tally(company, foreign_team.company)
    Company.objects.filter(pk=company.pk).update(name="Alpha Bakery & Sons")
    assert tally.moved() == ([True, False], 1)

    # A copy read before a write saves its old data_version back: the trigger keeps moving on.
    ActionFactory(sprint=team.planned_sprint)
    assert tally.moved() == ([True, False], 1)
    company.review_weekday = (company.review_weekday + 1) % 7
    company.save()
    assert tally.moved() == ([True, False], 1)  # and Tally checks that it did not go back
    assert version(company) > company.data_version


def test_a_name_or_email_moves_every_business_of_the_person_and_a_sign_in_does_not(team, foreign_team):
    user = team.member.user
    MembershipFactory(company=foreign_team.company, user=user)
    elsewhere = MembershipFactory(role=Role.TRACKER).company  # a business they do not belong to
    tally = Tally(team.company, foreign_team.company, elsewhere)

    user.full_name = "Renamed Person"
    user.save()
    assert tally.moved() == ([True, True, False], 2)

    user.email = f"renamed-{uuid.uuid4().hex[:6]}@example.test"
    user.save(update_fields=["email"])
    assert tally.moved() == ([True, True, False], 2)

    user.last_login = clock.now()
    user.save(update_fields=["last_login"])
    user.save()  # nothing a page shows changed
    assert tally.moved() == ([False, False, False], 0)


def test_keeping_a_hypothesis_in_test_at_the_session_moves_the_version(team):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status=HypothesisStatus.TESTING)
    session.session_go_to(sprint=team.active_sprint, by=team.tracker)
    tally = Tally(team.company)
    review = session.session_verdict(
        sprint=team.active_sprint, by=team.tracker, hypothesis=team.hypothesis, decision=session.KEEP_TESTING
    )
    assert list(review.kept_in_test.all()) == [team.hypothesis]
    assert tally.moved() == ([True], 1)


def test_a_row_moved_to_another_business_moves_both_versions(team, foreign_team):
    """What the admin's raw id fields allow: an action put into another business's sprint."""
    tally = Tally(team.company, foreign_team.company)
    Action.objects.filter(pk=team.planned_action.pk).update(sprint=foreign_team.planned_sprint)
    assert tally.moved() == ([True, True], 2)


# --- 3. The board through the front door --------------------------------------------------------

# Queries of the board for a signed-in reader (session, user, membership and business first):
# rendered (a miss: the sprint, the members, the rows, the capacity, the hypotheses) and kept.
MISS, HIT = 8, 3


def board_url(team, sprint=None) -> str:
    return reverse("sprints:board", args=[team.company.pk, (sprint or team.planned_sprint).pk])


TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# What every response has anew: the CSRF token (masked anew each time: in the forms and in the
# layout's htmx headers) and the layout's CSP nonce.
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "|nonce=")[^"]+')
ADD_FORM_TOKEN = re.compile(r'<form class="action-add".*?name="csrfmiddlewaretoken" value="([^"]+)"', re.S)


def without_tokens(html: str) -> str:
    return PER_REQUEST.sub(r"\1", html)


@pytest.fixture
def still_clock():
    """The suite's clock held still (a cached body lives for the five minutes it was rendered
    in); `still_clock.shift(seconds)` moves it on."""
    with time_machine.travel(clock.now(), tick=False) as traveller:
        yield traveller


def test_the_second_view_is_served_from_the_cache(team, client_for, still_clock, django_assert_num_queries):
    client = client_for(team.tracker)
    with django_assert_num_queries(MISS):
        first = client.get(board_url(team))
    with django_assert_num_queries(HIT):
        second = client.get(board_url(team))
    assert first.status_code == second.status_code == 200
    first_html, second_html = first.content.decode(), second.content.decode()
    assert team.planned_action.title in second_html
    assert page_cache.TOKEN_PLACEHOLDER not in second_html
    assert TOKEN.findall(first_html) != TOKEN.findall(second_html)  # masked anew on every request…
    assert without_tokens(first_html) == without_tokens(second_html)  # … and nothing else differs


def test_the_token_in_a_kept_body_is_the_requests_own(team, still_clock, django_assert_num_queries):
    """The add form of a body served from the cache posts with this request's token; after
    signing out and in again (a new CSRF secret) the same kept body carries the new one."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(team.tracker.user)
    add_url = reverse("sprints:action_add", args=[team.company.pk, team.planned_sprint.pk])
    action = {"owner": team.member.pk, "estimate_hours": "1"}

    client.get(board_url(team))
    with django_assert_num_queries(HIT):
        page = client.get(board_url(team)).content.decode()
    token = ADD_FORM_TOKEN.search(page).group(1)
    kept = {**action, "title": "Posted from a kept body"}
    assert client.post(add_url, {**kept, "csrfmiddlewaretoken": token}).status_code == 302
    assert Action.objects.filter(sprint=team.planned_sprint, title=kept["title"]).exists()

    client.get(board_url(team))  # the new version, rendered and kept
    page = client.get(board_url(team)).content.decode()
    assert client.post(reverse("logout"), {"csrfmiddlewaretoken": TOKEN.search(page).group(1)}).status_code == 302
    login = client.get(reverse("login")).content.decode()
    signed_in = client.post(
        reverse("login"),
        {
            "username": team.tracker.user.email,
            "password": "correct-horse-battery",
            "csrfmiddlewaretoken": TOKEN.search(login).group(1),
        },
        REMOTE_ADDR=f"2001:db8::{uuid.uuid4().hex[:4]}",  # sign-in counters are per address and outlive a test
    )
    assert signed_in.status_code == 302 and signed_in.url != reverse("login")

    with django_assert_num_queries(HIT):  # signing in wrote nothing a page shows: still the kept body
        page = client.get(board_url(team)).content.decode()
    new_token = ADD_FORM_TOKEN.search(page).group(1)
    late = {**action, "title": "Posted after signing in again"}
    assert client.post(add_url, {**late, "csrfmiddlewaretoken": token}).status_code == 403  # the old secret's
    assert client.post(add_url, {**late, "csrfmiddlewaretoken": new_token}).status_code == 302
    assert Action.objects.filter(sprint=team.planned_sprint, title=late["title"]).exists()


def test_a_write_outside_the_services_shows_on_the_next_view(team, client_for, still_clock, django_assert_num_queries):
    client = client_for(team.tracker)
    client.get(board_url(team))
    with django_assert_num_queries(HIT):
        client.get(board_url(team))
    Action.objects.filter(pk=team.planned_action.pk).update(title="Renamed in a shell")
    with django_assert_num_queries(MISS):
        body = client.get(board_url(team)).content.decode()
    assert "Renamed in a shell" in body and team.planned_action.title not in body


def test_each_reader_gets_the_controls_of_their_role(team, client_for, still_clock, django_assert_num_queries):
    """The tracker alone may start an over-capacity sprint with a reason; the entrepreneur may
    plan and start; a member does neither. Each sees their own body, whoever was first."""
    ActionFactory(sprint=team.planned_sprint, owner=team.member, estimate_hours=Decimal(100))  # over capacity
    pages = {}
    for role in ("tracker", "entrepreneur", "member"):
        client = client_for(team.by_role(role))
        with django_assert_num_queries(MISS):
            client.get(board_url(team))
        with django_assert_num_queries(HIT):
            pages[role] = client.get(board_url(team)).content.decode()
    tracker, entrepreneur, member = pages["tracker"], pages["entrepreneur"], pages["member"]
    assert 'name="override_reason"' in tracker and 'class="action-add"' in tracker
    assert 'name="override_reason"' not in entrepreneur
    assert 'class="start-form"' in entrepreneur and 'class="action-add"' in entrepreneur
    assert 'class="start-form"' not in member and 'class="action-add"' not in member
    assert team.planned_action.title in member


def test_another_business_sprint_is_not_found_before_or_after_a_page_is_kept(
    team, foreign_team, client_for, still_clock, django_assert_num_queries
):
    ours_with_their_sprint = reverse("sprints:board", args=[team.company.pk, foreign_team.planned_sprint.pk])
    client = client_for(team.tracker)
    assert client.get(ours_with_their_sprint).status_code == 404
    assert client.get(board_url(foreign_team)).status_code == 404

    client_for(foreign_team.tracker).get(board_url(foreign_team))  # their page kept, under that sprint id
    client = client_for(team.tracker)
    assert client.get(board_url(team)).status_code == 200
    with django_assert_num_queries(HIT):  # ours kept
        assert client.get(board_url(team)).status_code == 200
    for _ in range(2):
        assert client.get(ours_with_their_sprint).status_code == 404
        assert client.get(board_url(foreign_team)).status_code == 404


def test_an_htmx_request_neither_reads_nor_keeps_a_body(team, client_for, still_clock, django_assert_num_queries):
    client = client_for(team.tracker)
    with django_assert_num_queries(MISS):
        client.get(board_url(team), HTTP_HX_REQUEST="true")
    with django_assert_num_queries(MISS):  # the htmx answer kept nothing
        client.get(board_url(team))
    with django_assert_num_queries(MISS):  # and a kept body is not read for htmx
        response = client.get(board_url(team), HTTP_HX_REQUEST="true")
    assert team.planned_action.title in response.content.decode()


def test_with_the_setting_off_nothing_is_kept(team, client_for, still_clock, settings, django_assert_num_queries):
    settings.PAGE_CACHE = False
    client = client_for(team.tracker)
    for _ in range(2):
        with django_assert_num_queries(MISS):
            assert client.get(board_url(team)).status_code == 200


def test_a_body_lives_for_the_five_minutes_it_was_rendered_in(team, client_for, still_clock, django_assert_num_queries):
    client = client_for(team.tracker)
    client.get(board_url(team))
    now = clock.now().timestamp()
    bucket_ends = (int(now) // page_cache.TIME_BUCKET_SECONDS + 1) * page_cache.TIME_BUCKET_SECONDS
    still_clock.shift(bucket_ends - now - 0.5)  # the last half second of those five minutes
    with django_assert_num_queries(HIT):
        client.get(board_url(team))
    still_clock.shift(1)
    with django_assert_num_queries(MISS):
        client.get(board_url(team))
    still_clock.shift(page_cache.TIME_BUCKET_SECONDS + 10)
    with django_assert_num_queries(MISS):
        client.get(board_url(team))
    with django_assert_num_queries(HIT):
        client.get(board_url(team))


def test_the_language_switch_gives_the_other_languages_body(team, client_for, still_clock, django_assert_num_queries):
    client = client_for(team.tracker)

    def switch(language: str) -> None:
        assert client.post(reverse("language_set"), {"language": language, "next": board_url(team)}).status_code == 302

    client.get(board_url(team))
    english = client.get(board_url(team)).content.decode()
    switch("ru")
    with django_assert_num_queries(MISS):
        russian = client.get(board_url(team)).content.decode()
    with django_assert_num_queries(HIT):
        assert without_tokens(client.get(board_url(team)).content.decode()) == without_tokens(russian)
    switch("en")
    with django_assert_num_queries(HIT):  # the English body is still kept
        again = client.get(board_url(team)).content.decode()
    assert "Add an action" in english and "Добавить действие" not in english
    assert "Добавить действие" in russian and "Add an action" not in russian
    assert without_tokens(again) == without_tokens(english)


# --- 4. With the cache down ----------------------------------------------------------------------


class BrokenCache:
    """A cache whose server does not answer (Redis stopped): the named calls raise."""

    def __init__(self, *failing: str):
        self.failing, self.calls = failing, []

    def _call(self, name: str):
        self.calls.append(name)
        if name in self.failing:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    def get(self, key, default=None, version=None):
        self._call("get")
        return default

    def set(self, key, value, timeout=None, version=None):
        self._call("set")


@pytest.mark.parametrize("failing", [("get", "set"), ("set",)], ids=["down", "not-keeping"])
def test_with_the_cache_down_the_board_is_rendered_from_the_database(failing, team, client_for, still_clock, caplog):
    broken = BrokenCache(*failing)
    client = client_for(team.tracker)
    with mock.patch.object(page_cache, "cache", broken):
        for title in (team.planned_action.title, "Changed while the cache is down"):
            Action.objects.filter(pk=team.planned_action.pk).update(title=title)
            response = client.get(board_url(team))
            body = response.content.decode()
            assert response.status_code == 200
            assert title in body and 'class="action-add"' in body and str(team.planned_sprint) in body
            assert page_cache.TOKEN_PLACEHOLDER not in body and ADD_FORM_TOKEN.search(body)
    assert broken.calls[0] == "get" and broken.calls.count("get") == 2
    assert "page cache unavailable" in caplog.text


# --- 5. Only on PostgreSQL -----------------------------------------------------------------------


def test_the_cache_is_off_on_another_database(team, client_for, still_clock, django_assert_num_queries):
    assert page_cache.enabled()
    with mock.patch.object(page_cache, "connection", SimpleNamespace(vendor="sqlite")):
        assert not page_cache.enabled()
        client = client_for(team.tracker)
        for _ in range(2):
            with django_assert_num_queries(MISS):
                assert client.get(board_url(team)).status_code == 200
