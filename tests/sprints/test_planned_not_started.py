"""No dead end after the close: a sprint that was planned but did not start (an owner is
overbooked, and the start was refused) shows wherever a tracker looks — the session page, the
sprint list, its board, the portfolio card (flagged "no active sprint") — and starts from each
with the same check and the same "start anyway, because…" (one service, one form)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sprints import session as steps
from sprints.models import Action, Sprint, SprintStatus
from sprints.portfolio import overview
from tests.factories import ActionFactory, MembershipFactory, SprintFactory
from tracking.models import Role
from tracking.portfolio import Flag

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
REASON = "The team lead works this Saturday"
PAGE_BUDGET = 15


def _url(team, name, *args):
    return reverse(f"sprints:{name}", args=[team.company.pk, *args])


def _overbook_next(team):
    """The planned sprint asks 22 h of the team lead, who has 8: it cannot start without a reason."""
    ActionFactory(sprint=team.planned_sprint, owner=team.team_lead, title="Rebuild the price list", estimate_hours=20)


def _closed_and_not_started(team):
    _overbook_next(team)
    Action.objects.filter(pk=team.action.pk).update(status="done")
    outcome = steps.session_close(sprint=team.active_sprint, by=team.tracker, start_next=True)
    assert outcome.not_started is not None


def _planned(team) -> Sprint:
    return Sprint.objects.get(pk=team.planned_sprint.pk)


def _assert_unchanged(team, version):
    sprint = _planned(team)
    assert (sprint.status, sprint.override_reason, sprint.version) == (SprintStatus.PLANNED, "", version)


# --- The session page -------------------------------------------------------------------------------


def test_after_a_close_whose_next_sprint_did_not_start_the_session_page_offers_to_start_it(team, client_for):
    client = client_for(team.tracker)
    _overbook_next(team)
    Action.objects.filter(pk=team.action.pk).update(status="done")
    response = client.post(_url(team, "session_close"), {"start_next": "on"})
    assert response.status_code == 302 and _planned(team).status == SprintStatus.PLANNED

    body = client.get(_url(team, "session")).content.decode()  # the tracker left and came back

    assert "No sprint is running" in body
    assert f"{team.planned_sprint} is not started: it does not fit (" in body and "is overbooked by 14" in body
    assert f'action="{_url(team, "start", team.planned_sprint.pk)}"' in body and 'class="start-form"' in body
    assert 'name="from" value="session"' in body and 'name="override_reason"' in body
    assert f'href="{_url(team, "board", team.planned_sprint.pk)}"' in body
    assert "Plan a sprint" not in body  # not a second sprint next to the planned one


def test_from_the_session_page_a_start_without_a_reason_is_refused_and_one_with_a_reason_starts(team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(team)
    version = _planned(team).version
    url = _url(team, "start", team.planned_sprint.pk)

    refused = client.post(url, {"from": "session", "override_reason": "  "})

    assert refused.status_code == 200 and "<html" in refused.content.decode()
    body = refused.content.decode()
    assert f"{team.planned_sprint} is not started: The sprint does not fit" in body and "overbooked" in body
    assert 'name="from" value="session"' in body
    _assert_unchanged(team, version)

    too_long = "x" * 2001
    refused = client.post(url, {"from": "session", "override_reason": too_long}, headers=HTMX)
    body = refused.content.decode()
    assert refused.status_code == 200 and "<html" not in body and body.lstrip().startswith('<div class="start-planned"')
    assert "at most 2000 characters" in body and f">{too_long}</textarea>" in body  # kept as typed
    _assert_unchanged(team, version)

    started = client.post(url, {"from": "session", "override_reason": REASON}, headers=HTMX)

    assert started.status_code == 200 and started["HX-Redirect"] == _url(team, "session")
    sprint = _planned(team)
    assert (sprint.status, sprint.override_reason, sprint.override_by) == ("active", REASON, team.tracker.user)
    body = client.get(_url(team, "session")).content.decode()
    assert "No sprint is running" not in body and 'id="session"' in body


def test_a_refused_start_speaks_the_users_language(team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(team)
    client.post(reverse("language_set"), {"language": "ru"})
    body = client.post(_url(team, "start", team.planned_sprint.pk), {"from": "session"}, headers=HTMX)
    body = body.content.decode()
    assert "не запущен" in body and "is not started" not in body
    assert _planned(team).status == SprintStatus.PLANNED


def test_the_closed_panel_starts_the_next_sprint_with_the_same_form(team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(team)
    body = client.get(_url(team, "session") + f"?closed={team.active_sprint.pk}").content.decode()
    assert f'action="{_url(team, "session_start")}"' in body and 'hx-target="#session"' in body
    assert f'name="closed" value="{team.active_sprint.pk}"' in body and 'class="start-form"' in body
    assert f"{team.planned_sprint} is not started: it does not fit (" in body


# --- The board and the sprint list -------------------------------------------------------------------


def test_from_the_board_a_refused_start_keeps_the_reason_and_a_start_goes_back_to_the_board(team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(team)
    board = _url(team, "board", team.planned_sprint.pk)
    body = client.get(board).content.decode()
    assert 'name="from" value="board"' in body and 'name="override_reason"' in body
    version = _planned(team).version
    Action.objects.filter(sprint=team.planned_sprint).delete()  # nothing planned: no reason helps

    refused = client.post(_url(team, "start", team.planned_sprint.pk), {"from": "board", "override_reason": REASON})

    body = refused.content.decode()
    assert refused.status_code == 200 and "Plan at least one action before starting the sprint." in body
    assert f">{REASON}</textarea>" in body and 'id="capacity-card"' in body
    _assert_unchanged(team, version)

    ActionFactory(sprint=team.planned_sprint, owner=team.member, estimate_hours=Decimal(1))
    started = client.post(_url(team, "start", team.planned_sprint.pk), {"from": "board"})
    assert started.status_code == 302 and started.url == board
    assert _planned(team).status == SprintStatus.ACTIVE and _planned(team).override_reason == ""


def test_from_the_sprint_list_the_waiting_sprint_starts(team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(team)
    body = client.get(_url(team, "list")).content.decode()
    waiting = body[body.index('id="waiting-sprint"') :]
    assert f"{team.planned_sprint} is not started: it does not fit (" in waiting
    assert 'name="from" value="list"' in waiting and 'name="override_reason"' in waiting

    refused = client.post(_url(team, "start", team.planned_sprint.pk), {"from": "list"}, headers=HTMX)
    assert "The sprint does not fit" in refused.content.decode() and _planned(team).status == "planned"
    started = client.post(_url(team, "start", team.planned_sprint.pk), {"from": "list", "override_reason": REASON})

    assert started.status_code == 302 and started.url == _url(team, "list")
    assert _planned(team).override_reason == REASON
    assert 'id="waiting-sprint"' not in client.get(_url(team, "list")).content.decode()


def test_while_a_sprint_runs_nothing_waits(team, client_for):
    client = client_for(team.tracker)
    assert 'id="waiting-sprint"' not in client.get(_url(team, "list")).content.decode()
    assert 'class="start-planned"' not in client.get(_url(team, "session")).content.decode()
    assert "planned" not in overview([team.company.pk])[team.company.pk]
    assert Flag.NO_ACTIVE_SPRINT not in overview([team.company.pk])[team.company.pk]["flags"]


# --- The portfolio ----------------------------------------------------------------------------------


def test_the_portfolio_flags_no_active_sprint_and_says_whether_one_waits(team, client_for):
    idle = MembershipFactory(user=team.tracker.user, role=Role.TRACKER, company__name="Idle Workshop").company
    _closed_and_not_started(team)
    cards = overview([team.company.pk, idle.pk])
    assert Flag.NO_ACTIVE_SPRINT in cards[team.company.pk]["flags"] and Flag.NO_ACTIVE_SPRINT in cards[idle.pk]["flags"]
    assert cards[team.company.pk]["planned"] == team.planned_sprint and not cards[team.company.pk]["planned_fits"]
    assert "planned" not in cards[idle.pk]

    body = client_for(team.tracker).get(reverse("tracking:portfolio")).content.decode()

    card = body[body.index(team.company.name) :]
    card = card[: card.index("</li>")]
    assert f'<span class="badge danger">{Flag.NO_ACTIVE_SPRINT.label}</span>' in card
    assert f"{team.planned_sprint} is planned, not started." in card
    assert 'name="from" value="portfolio"' in card and 'name="override_reason"' in card
    idle_card = body[body.index("Idle Workshop") :]
    idle_card = idle_card[: idle_card.index("</li>")]
    assert f'<span class="badge danger">{Flag.NO_ACTIVE_SPRINT.label}</span>' in idle_card
    assert "none running" in idle_card and "start-form" not in idle_card


def test_from_the_portfolio_a_refused_start_says_why_and_a_start_comes_back_to_it(team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(team)
    version = _planned(team).version
    url = _url(team, "start", team.planned_sprint.pk)

    refused = client.post(url, {"from": "portfolio"}, headers=HTMX)
    body = refused.content.decode()
    assert "The sprint does not fit" in body and 'name="from" value="portfolio"' in body
    assert 'name="override_reason"' in body
    refused = client.post(url, {"from": "portfolio", "override_reason": "x" * 2001})  # without JavaScript
    assert refused.status_code == 200 and "at most 2000 characters" in refused.content.decode()
    _assert_unchanged(team, version)

    started = client.post(url, {"from": "portfolio", "override_reason": REASON})

    assert started.status_code == 302 and started.url == reverse("tracking:portfolio")
    assert _planned(team).override_reason == REASON
    body = client.get(reverse("tracking:portfolio")).content.decode()
    assert str(Flag.NO_ACTIVE_SPRINT.label) not in body and "is planned, not started" not in body


def test_the_portfolio_answers_for_many_waiting_sprints_in_the_same_queries(team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(team)

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("tracking:portfolio"))
        assert response.status_code == 200
        return len(captured)

    few = measure()
    for i in range(6):
        company = MembershipFactory(user=team.tracker.user, role=Role.TRACKER, company__name=f"Waiting {i}").company
        owner = MembershipFactory(company=company)
        for week in range(2):  # two planned sprints each: the first waits
            starts_on = team.planned_sprint.starts_on + timedelta(days=7 * week)
            sprint = SprintFactory(company=company, number=week + 1, starts_on=starts_on)
            ActionFactory.create_batch(3, sprint=sprint, owner=owner, estimate_hours=Decimal(5))
    assert measure() == few


# --- Who may, and whose -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["team_lead", "member"])
def test_who_may_not_start_gets_no_button_and_403(role, team, client_for):
    client = client_for(team.by_role(role))
    _closed_and_not_started(team)
    version = _planned(team).version
    for page in (_url(team, "session"), _url(team, "list"), _url(team, "board", team.planned_sprint.pk)):
        body = client.get(page).content.decode()
        assert 'class="start-form"' not in body and 'name="override_reason"' not in body, page
    assert 'class="start-form"' not in client.get(reverse("tracking:portfolio")).content.decode()
    for headers in ({}, HTMX):
        response = client.post(
            _url(team, "start", team.planned_sprint.pk), {"override_reason": REASON}, headers=headers
        )
        assert response.status_code == 403
    _assert_unchanged(team, version)


def test_the_entrepreneur_may_start_but_not_override(team, client_for):
    client = client_for(team.entrepreneur)
    _closed_and_not_started(team)
    version = _planned(team).version
    body = client.get(_url(team, "session")).content.decode()
    assert 'class="start-form"' in body and 'name="override_reason"' not in body
    portfolio = client.get(reverse("tracking:portfolio")).content.decode()
    assert 'class="start-form"' in portfolio and 'name="override_reason"' not in portfolio

    response = client.post(
        _url(team, "start", team.planned_sprint.pk), {"from": "portfolio", "override_reason": REASON}
    )
    assert response.status_code == 403
    _assert_unchanged(team, version)
    Action.objects.filter(sprint=team.planned_sprint, estimate_hours=20).update(estimate_hours=1)
    response = client.post(_url(team, "start", team.planned_sprint.pk), {"from": "portfolio"})
    assert response.status_code == 302 and _planned(team).status == SprintStatus.ACTIVE


def test_another_business_sprint_is_out_of_reach(team, foreign_team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(foreign_team)
    mine_with_theirs = reverse("sprints:start", args=[team.company.pk, foreign_team.planned_sprint.pk])
    theirs = reverse("sprints:start", args=[foreign_team.company.pk, foreign_team.planned_sprint.pk])
    for url in (mine_with_theirs, theirs):
        for headers in ({}, HTMX):
            assert client.post(url, {"override_reason": REASON}, headers=headers).status_code == 404
    assert Sprint.objects.get(pk=foreign_team.planned_sprint.pk).status == SprintStatus.PLANNED
    assert foreign_team.company.name not in client.get(reverse("tracking:portfolio")).content.decode()


# --- What the pages cost ----------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["session", "list"])
def test_the_pages_with_a_waiting_sprint_cost_the_same_queries_for_few_and_many_actions(page, team, client_for):
    client = client_for(team.tracker)
    _closed_and_not_started(team)

    def measure():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(team, page))
        assert response.status_code == 200 and 'class="start-form"' in response.content.decode()
        return len(captured)

    few = measure()
    owners = MembershipFactory.create_batch(5, company=team.company)
    for owner in owners:
        ActionFactory.create_batch(8, sprint=team.planned_sprint, owner=owner, estimate_hours=Decimal(3))
    many = measure()
    assert few == many <= PAGE_BUDGET, (few, many)
