"""Goals: a tree year → quarter → month; each child inside its parent's period."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tracking import services
from tracking.models import Goal
from tracking.selectors import goal_progress, goal_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def year(team):
    return team.goal  # Jan 1 – Dec 31 of this year


def _quarter(team, year, **overrides):
    fields = dict(
        parent=year,
        horizon="quarter",
        title="Q1",
        metric=team.metric,
        target=Decimal(10),
        starts_on=date(year.starts_on.year, 1, 1),
        due_on=date(year.starts_on.year, 3, 31),
    )
    return services.goal_create(by=team.tracker, **{**fields, **overrides})


def _january(quarter, *, by, **measure):
    """The month goal "January" at the start of `quarter`; `measure`: its metric and target."""
    days = {"starts_on": quarter.starts_on, "due_on": quarter.starts_on + timedelta(days=30)}
    return services.goal_create(by=by, parent=quarter, horizon="month", title="January", **days, **measure)


def test_a_tree_year_quarter_month(team, year):
    quarter = _quarter(team, year)
    month = _january(quarter, by=team.team_lead, metric=team.metric, target=Decimal(3))
    (root,) = goal_tree(team.company)
    assert root.goal == year
    assert root.children[0].goal == quarter
    assert root.children[0].children[0].goal == month


def test_the_tree_comes_with_each_metrics_newest_value_in_one_query(team, year, django_assert_num_queries):
    quarter = _quarter(team, year)
    _january(quarter, by=team.team_lead, metric=team.metric, target=Decimal(3))
    newest = team.metric.values.order_by("-week_start").first()
    assert newest is not None  # the team's metric has weekly values
    with django_assert_num_queries(1):
        (root,) = goal_tree(team.company)
    month = root.children[0].children[0]
    assert month.latest == root.children[0].latest == newest.value
    assert month.progress == goal_progress(month.goal, newest.value)


def test_a_child_outside_its_parents_period_is_refused(team, year):
    with pytest.raises(ValidationError) as excinfo:
        _quarter(team, year, starts_on=date(year.starts_on.year, 11, 1), due_on=date(year.starts_on.year + 1, 1, 31))
    assert "must fall inside its parent's period" in str(excinfo.value)
    assert Goal.objects.count() == 1


@pytest.mark.parametrize("horizon", ["year", "quarter"])
def test_a_child_with_a_horizon_not_shorter_than_its_parents_is_refused(team, year, horizon):
    quarter = _quarter(team, year)
    with pytest.raises(ValidationError, match=f"A {horizon} goal cannot be part of a quarter goal"):
        services.goal_create(
            by=team.tracker,
            parent=quarter,
            horizon=horizon,
            title="Not shorter than its parent",
            starts_on=quarter.starts_on,
            due_on=quarter.due_on,
        )


def test_a_loop_of_parents_is_refused(team, year):
    quarter = _quarter(team, year)
    month = _january(quarter, by=team.tracker)
    # Make the year a part of its own grandchild: refused however the horizons line up.
    with pytest.raises(ValidationError) as excinfo:
        services.goal_update(goal=year, by=team.tracker, parent=month)
    assert "cannot be part of" in str(excinfo.value)
    year.refresh_from_db()
    assert year.parent is None
    # A goal cannot be its own parent either.
    with pytest.raises(ValidationError, match="part of itself"):
        services.goal_update(goal=month, by=team.tracker, parent=month, horizon="month")


def test_a_parent_cannot_shrink_away_from_its_children(team, year):
    _quarter(team, year)
    with pytest.raises(ValidationError, match="outside this period"):
        services.goal_update(goal=year, by=team.tracker, starts_on=date(year.starts_on.year, 2, 1))


def test_a_horizon_has_a_maximum_length(team, year):
    with pytest.raises(ValidationError, match="spans at most 31 days"):
        services.goal_create(
            by=team.tracker, horizon="month", title="Too long", starts_on=date(2026, 1, 1), due_on=date(2026, 3, 1)
        )


def test_goal_form_errors_keep_the_input(team, year, client):
    client.force_login(team.tracker.user)
    data = {
        "title": "Q4 push",
        "horizon": "quarter",
        "parent": year.pk,
        "metric": team.metric.pk,
        "target": "12",
        "starts_on": f"{year.starts_on.year}-11-15",
        "due_on": f"{year.starts_on.year + 1}-01-15",
    }
    response = client.post(reverse("tracking:goal_add", args=[team.company.pk]), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "must fall inside its parent" in body and 'value="Q4 push"' in body
    assert not Goal.objects.filter(title="Q4 push").exists()


def test_another_companys_metric_or_parent_cannot_be_chosen(team, foreign_team, client):
    client.force_login(team.tracker.user)
    data = {
        "title": "Sneaky",
        "horizon": "quarter",
        "parent": foreign_team.goal.pk,
        "metric": foreign_team.metric.pk,
        "target": "1",
        "starts_on": "2026-01-01",
        "due_on": "2026-03-31",
    }
    response = client.post(reverse("tracking:goal_add", args=[team.company.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"parent", "metric"}
    assert not Goal.objects.filter(title="Sneaky").exists()


def test_progress_is_direction_aware(team):
    goal = Goal(metric=team.metric, target=Decimal(20))
    assert goal_progress(goal, Decimal(5)) == 25
    assert goal_progress(goal, Decimal(40)) == 100
    team.metric.higher_is_better = False  # e.g. cost per lead: 2000 now, 1500 wanted
    goal = Goal(metric=team.metric, target=Decimal(1500))
    assert goal_progress(goal, Decimal(2000)) == 75
    assert goal_progress(goal, None) is None


def test_the_business_page_shows_the_goals_running_today_and_the_goals_page_all_of_them(team, year, client):
    from tracking.weeks import local_today

    today = local_today(team.company)
    running = services.goal_create(
        by=team.tracker, parent=year, horizon="month", title="This month", starts_on=today, due_on=today
    )
    last_year = services.goal_create(
        by=team.tracker,
        horizon="year",
        title="The goal of last year",
        starts_on=year.starts_on.replace(year=year.starts_on.year - 1),
        due_on=year.due_on.replace(year=year.due_on.year - 1),
    )
    client.force_login(team.tracker.user)

    overview = client.get(reverse("tracking:company_detail", args=[team.company.pk])).content.decode()
    goals_page = client.get(reverse("tracking:goals", args=[team.company.pk])).content.decode()

    assert year.title in overview and running.title in overview
    assert [node.goal for node in goal_tree(team.company, current_on=today)[0].children] == [running]
    assert last_year.title not in overview
    assert last_year.title in goals_page and running.title in goals_page


def test_the_tree_is_written_escaped_with_edit_links_for_a_planner_only(team, year, client_for):
    quarter = _quarter(team, year, title='<b>Q1</b> & "more"')
    month = _january(quarter, by=team.tracker, metric=team.metric, target=Decimal(4))
    edit = reverse("tracking:goal_edit", args=[team.company.pk, month.pk])
    page = client_for(team.tracker).get(reverse("tracking:goals", args=[team.company.pk])).content.decode()
    assert "&lt;b&gt;Q1&lt;/b&gt; &amp; &quot;more&quot;" in page and "<b>Q1</b>" not in page
    assert f'<a href="{edit}">Edit</a>' in page
    assert '<li class="goal goal-month">' in page and f"{team.metric.name}: " in page
    member_page = client_for(team.member).get(reverse("tracking:goals", args=[team.company.pk])).content.decode()
    assert "January" in member_page and edit not in member_page
