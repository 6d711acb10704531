import contextlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from hypotheses.models import Hypothesis
from sprints.models import Action, Sprint
from tests import clock
from tests.factories import (
    ActionFactory,
    CompanyFactory,
    ConstraintFactory,
    GoalFactory,
    HypothesisFactory,
    MembershipFactory,
    MetricFactory,
    MetricValueFactory,
    SprintFactory,
    WhyStepFactory,
)
from tracking.models import Company, Constraint, Goal, Membership, Metric, Role, WhyStep
from tracking.toolkit.models import UnitEconomics


@dataclass
class Team:
    """A company with one member of each role (plus one extra plain member as a target)."""

    company: Company
    tracker: Membership
    entrepreneur: Membership
    team_lead: Membership
    member: Membership
    other_member: Membership
    constraint: Constraint
    why_steps: list[WhyStep]
    metric: Metric
    goal: Goal
    hypothesis: Hypothesis  # ready to test: every pre-registered field filled
    archived: Hypothesis
    # The week under way (active; its dates already ended, so it awaits the review) and the next.
    active_sprint: Sprint | None = None
    action: Action | None = None  # in the active sprint, owned by `member`
    planned_sprint: Sprint | None = None
    planned_action: Action | None = None

    def by_role(self, role: str) -> Membership:
        return getattr(self, role)

    @property
    def names(self) -> list[str]:
        """Strings that must never appear on another company's pages."""
        people = [self.tracker, self.entrepreneur, self.team_lead, self.member, self.other_member]
        return (
            [self.company.name, self.constraint.title, self.metric.name, self.goal.title]
            + [m.user.email for m in people]
            + [s.answer for s in self.why_steps]
        )


def make_team(name: str, *, sprints: bool = True) -> Team:
    """A company whose active sprint ended 4 days ago (by the suite's clock) and whose weekly
    review was on that last day, at 10:00 in Moscow: so its review is overdue on any day of
    the week, and the next sprint starts in two months."""
    today = clock.today()
    company = CompanyFactory(name=name, review_weekday=(today - timedelta(days=4)).weekday())
    constraint = ConstraintFactory(company=company, title=f"{name}: no inbound leads")
    metric = MetricFactory(company=company, name=f"{name} leads per week", is_key=True)
    MetricValueFactory(metric=metric)
    team = Team(
        company=company,
        **{
            role: MembershipFactory(company=company, role=role)
            for role in (Role.TRACKER, Role.ENTREPRENEUR, Role.TEAM_LEAD, Role.MEMBER)
        },
        other_member=MembershipFactory(company=company, role=Role.MEMBER),
        constraint=constraint,
        why_steps=[
            WhyStepFactory(constraint=constraint, position=1, answer=f"{name}: the ads are set up badly"),
            WhyStepFactory(constraint=constraint, position=2, answer=f"{name}: the brief is vague"),
        ],
        metric=metric,
        goal=GoalFactory(company=company, title=f"{name}: double the leads this year", metric=metric),
        hypothesis=HypothesisFactory(
            company=company, constraint=constraint, metric=metric, title=f"{name}: money-back guarantee"
        ),
        archived=HypothesisFactory(
            company=company,
            constraint=constraint,
            metric=metric,
            title=f"{name}: archived idea",
            archived_at=clock.now(),
        ),
    )
    if sprints:
        team.active_sprint = SprintFactory(
            company=company,
            number=101,
            status="active",
            starts_on=today - timedelta(days=10),
            ends_on=today - timedelta(days=4),
            goal=f"{name}: test the guarantee",
        )
        team.action = ActionFactory(
            sprint=team.active_sprint, owner=team.member, title=f"{name}: send the PDF offer", estimate_hours=Decimal(1)
        )
        team.planned_sprint = SprintFactory(
            company=company, number=102, starts_on=today + timedelta(days=60), ends_on=today + timedelta(days=66)
        )
        team.planned_action = ActionFactory(
            sprint=team.planned_sprint, owner=team.team_lead, title=f"{name}: call hot leads first"
        )
    return team


@pytest.fixture
def team(db) -> Team:
    return make_team("Alpha Bakery")


@pytest.fixture
def foreign_team(db) -> Team:
    """Another tenant: nothing of it may be visible to `team`."""
    return make_team("Zeta Secret Holdings")


@pytest.fixture
def economics(team):
    """The team's unit economics in dollars, C1 fed by its metric: contribution margin
    CM = UA·(C1·ARPPU − CPA) = 1000·(0.05·(2000 − 800)·1.5 − 30) = 60 000 a month."""
    team.company.currency = "USD"
    team.company.save()
    return UnitEconomics.objects.create(
        company=team.company,
        ua=1000,
        c1=5,
        avg_price=2000,
        cogs=800,
        apc=Decimal("1.5"),
        cpa=30,
        c1_metric=team.metric,
    )


@pytest.fixture
def client_for(client):
    """A test client signed in as the given membership's user."""

    def sign_in(membership: Membership):
        client.force_login(membership.user)
        return client

    return sign_in


@pytest.fixture(autouse=True)
def _english_by_default():
    """A request in Russian leaves Russian active in the thread (as in any Django process, the
    next request sets its own); tests that call services directly start in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(scope="session", autouse=True)
def _empty_test_broker():
    """Transactional tests enqueue real messages on the test Redis database; no worker reads
    them (worker tests run their own private redis-server), so they are cleared per run."""
    from tracking.site.celery import app

    # The broker is not needed by most tests; its own tests say so if it is down.
    with contextlib.suppress(Exception):
        app.control.purge()
    yield
