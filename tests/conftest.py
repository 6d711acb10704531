from dataclasses import dataclass

import pytest
from django.utils import timezone

from hypotheses.models import Hypothesis
from tests.factories import (
    CompanyFactory,
    ConstraintFactory,
    GoalFactory,
    HypothesisFactory,
    MembershipFactory,
    MetricFactory,
    MetricValueFactory,
    WhyStepFactory,
)
from tracking.models import Company, Constraint, Goal, Membership, Metric, Role, WhyStep


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


def make_team(name: str) -> Team:
    company = CompanyFactory(name=name)
    constraint = ConstraintFactory(company=company, title=f"{name}: no inbound leads")
    metric = MetricFactory(company=company, name=f"{name} leads per week", is_key=True)
    MetricValueFactory(metric=metric)
    return Team(
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
            archived_at=timezone.now(),
        ),
    )


@pytest.fixture
def team(db) -> Team:
    return make_team("Alpha Bakery")


@pytest.fixture
def foreign_team(db) -> Team:
    """Another tenant: nothing of it may be visible to `team`."""
    return make_team("Zeta Secret Holdings")


@pytest.fixture
def client_for(client):
    """A test client signed in as the given membership's user."""

    def sign_in(membership: Membership):
        client.force_login(membership.user)
        return client

    return sign_in
