"""The reads of the API: tokens, and each list in a stable order for cursor pagination."""

from django.db.models import Prefetch, QuerySet

from hypotheses.models import Hypothesis
from hypotheses.selectors import HistoryFilters, history
from sprints.models import Sprint

from ..models import Company, Constraint, Goal, Membership, Metric, MetricValue, WhyStep
from ..selectors import goals_with_latest
from .models import ApiToken


def tokens_of(company: Company) -> list[ApiToken]:
    """The business's tokens for its settings page, revoked ones last, newest first."""
    return list(
        ApiToken.objects.filter(company=company).select_related("created_by").order_by("revoked_at", "-created_at")
    )


def token_by_prefix(prefix: str) -> ApiToken | None:
    return ApiToken.objects.select_related("company", "created_by").filter(prefix=prefix).first()


def acting_membership(token: ApiToken) -> Membership | None:
    """The membership a token acts as: its creator's, while they are still an accepted member."""
    return (
        Membership.objects.accepted()
        .select_related("user")
        .filter(company_id=token.company_id, user_id=token.created_by_id)
        .first()
    )


def members_page(company: Company) -> QuerySet[Membership]:
    return Membership.objects.accepted().filter(company=company).select_related("user").order_by("pk")


def constraints_page(company: Company) -> QuerySet[Constraint]:
    steps = Prefetch("why_steps", queryset=WhyStep.objects.order_by("position", "pk"))
    return Constraint.objects.filter(company=company).prefetch_related(steps).order_by("pk")


def metrics_page(company: Company) -> QuerySet[Metric]:
    return Metric.objects.filter(company=company).order_by("pk")


def values_page(metric: Metric) -> QuerySet[MetricValue]:
    """Newest week first."""
    return MetricValue.objects.filter(metric=metric).order_by("-week_start")


def goals_page(company: Company) -> QuerySet[Goal]:
    """Each goal with its metric's newest value (`latest`); the parent is an id."""
    return goals_with_latest(company).order_by("pk")


def hypotheses_page(company: Company, filters: HistoryFilters) -> QuerySet[Hypothesis]:
    """The history page's hypotheses (archived ones left out), newest first: by id, which is
    the order they were made in and unique, as a cursor needs."""
    return history(company, filters).order_by("-pk")


def sprints_page(company: Company) -> QuerySet[Sprint]:
    """The sprints not archived, newest first: by start, which no two of them share (they never
    overlap)."""
    return Sprint.objects.filter(company=company, archived_at__isnull=True).order_by("-starts_on")
