from datetime import date, timedelta
from decimal import Decimal

import factory

from hypotheses.models import Hypothesis
from sprints.models import Action, ActionStatus, Sprint, SprintStatus
from tests import clock
from tracking.models import (
    Company,
    Constraint,
    ConstraintArea,
    Goal,
    Horizon,
    Membership,
    Metric,
    MetricValue,
    Role,
    User,
    WhyStep,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Company {n}")
    timezone = "Europe/Moscow"
    currency = "RUB"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Role.MEMBER
    weekly_capacity_hours = Decimal(8)
    accepted_at = factory.LazyFunction(clock.now)


class ConstraintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Constraint

    company = factory.SubFactory(CompanyFactory)
    title = factory.Sequence(lambda n: f"Constraint {n}")
    area = ConstraintArea.LEADS
    started_on = factory.LazyFunction(lambda: clock.today() - timedelta(days=30))


class WhyStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WhyStep

    constraint = factory.SubFactory(ConstraintFactory)
    position = factory.Sequence(lambda n: n + 1)
    answer = factory.Sequence(lambda n: f"Because of reason {n}")


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Metric {n}")
    unit = "%"
    target = Decimal(10)


class MetricValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricValue

    metric = factory.SubFactory(MetricFactory)
    week_start = factory.LazyFunction(lambda: clock.today() - timedelta(days=clock.today().weekday() + 7))
    value = Decimal(5)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    company = factory.SubFactory(CompanyFactory)
    horizon = Horizon.YEAR
    title = factory.Sequence(lambda n: f"Goal {n}")
    target = Decimal(20)
    starts_on = factory.LazyFunction(lambda: date(clock.today().year, 1, 1))
    due_on = factory.LazyFunction(lambda: date(clock.today().year, 12, 31))


class HypothesisFactory(factory.django.DjangoModelFactory):
    """A hypothesis with every pre-registered field filled, status `ready`."""

    class Meta:
        model = Hypothesis

    company = factory.SubFactory(CompanyFactory)
    constraint = None
    kind = "innovation"
    title = factory.Sequence(lambda n: f"Hypothesis {n}")
    statement = "If we promise a money-back guarantee, conversion to sale grows 1.5x, because trust is the blocker."
    metric = factory.SubFactory(MetricFactory, company=factory.SelfAttribute("..company"))
    baseline = Decimal(2)
    expected_value = Decimal(3)
    success_criteria = "Conversion of the week's leads reaches 3 %"
    cheapest_test = "A PDF offer sent by messenger to everyone who did not order"
    expected_return = Decimal(50000)
    status = "ready"


def decided_hypothesis(company, title, verdict="confirmed", **fields) -> Hypothesis:
    """A hypothesis of the business decided now, with `verdict`, and no learning unless given."""
    fields.setdefault("learning", "")
    return HypothesisFactory(
        company=company, title=title, status=verdict, verdict=verdict, decided_at=clock.now(), **fields
    )


class SprintFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sprint

    company = factory.SubFactory(CompanyFactory)
    number = factory.Sequence(lambda n: n + 1)
    starts_on = factory.LazyFunction(lambda: clock.today() + timedelta(days=30))
    ends_on = factory.LazyAttribute(lambda s: s.starts_on + timedelta(days=6))
    status = "planned"


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    sprint = factory.SubFactory(SprintFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = None
    estimate_hours = Decimal(2)


def sprint_closed_before(team, *, weeks: int) -> Sprint:
    """A closed sprint of the team's business (number 100) starting `weeks` before its active
    one, with one action of the member, done ("Done before")."""
    closed = SprintFactory(
        company=team.company,
        number=100,
        status=SprintStatus.CLOSED,
        starts_on=team.active_sprint.starts_on - timedelta(weeks=weeks),
    )
    ActionFactory(sprint=closed, owner=team.member, title="Done before", status=ActionStatus.DONE)
    return closed


def hypotheses_bulk(team, count: int, row, **fields) -> None:
    """`count` hypotheses of the team's business, on its constraint and metric, in one insert;
    `row(i)` gives the i-th its own fields, `fields` all of them."""
    base = {"company": team.company, "constraint": team.constraint, "metric": team.metric, "statement": "If"}
    Hypothesis.objects.bulk_create((Hypothesis(**base | row(i) | fields) for i in range(count)), batch_size=1000)
