"""The reads of the API: tokens, and each list in a stable order for cursor pagination."""

from django.db.models import Prefetch, QuerySet

from hypotheses.models import Hypothesis
from hypotheses.selectors import HistoryFilters, history
from sprints.models import Sprint

from ..db import aliased_columns, instance_beside
from ..models import Company, Constraint, Goal, Membership, Metric, MetricValue, User, WhyStep
from ..selectors import goals_with_latest
from .models import ApiToken


def tokens_of(company: Company) -> list[ApiToken]:
    """The business's tokens for its settings page, revoked ones last, newest first."""
    return list(
        ApiToken.objects.filter(company=company).select_related("created_by").order_by("revoked_at", "-created_at")
    )


# A token by its prefix, with its business and the membership it acts as (its maker's, while
# they are still an accepted member) and that member's user beside it: what every API request
# reads first, in one statement written once.
_TOKEN_SQL = f"""
SELECT t.*, {aliased_columns(Company, "c", "company__")}, {aliased_columns(Membership, "m", "membership__")},
       {aliased_columns(User, "u", "user__")}
FROM {ApiToken._meta.db_table} t
JOIN {Company._meta.db_table} c ON c.id = t.company_id
LEFT JOIN {Membership._meta.db_table} m
    ON m.company_id = t.company_id AND m.user_id = t.created_by_id AND m.accepted_at IS NOT NULL
LEFT JOIN {User._meta.db_table} u ON u.id = m.user_id
WHERE t.prefix = %s
"""


def token_by_prefix(prefix: str) -> tuple[ApiToken | None, Membership | None]:
    """The token with this prefix (None) with its company, and the membership it acts as (None
    when its maker is no longer a member) with its user and company. One query."""
    token = next(iter(ApiToken.objects.raw(_TOKEN_SQL, [prefix])), None)
    if token is None:
        return None, None
    token.company = instance_beside(token, Company, "company__")
    if token.membership__id is None:
        return token, None
    membership = instance_beside(token, Membership, "membership__")
    membership.user, membership.company = instance_beside(token, User, "user__"), token.company
    return token, membership


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
