"""Every read a view or another app needs, already joined: a page costs the same number of
queries for 5 rows or 5,000."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from .models import Company, Membership, User


def companies_for_user(user: User) -> QuerySet[Company]:
    return Company.objects.filter(memberships__user=user)


@dataclass(frozen=True)
class PortfolioRow:
    company: Company
    my_role: str
    my_role_label: str
    member_count: int
    pending_count: int
    capacity_hours: Decimal
    next_review: datetime


def next_review_at(company: Company, now: datetime | None = None) -> datetime:
    """The next weekly review as an aware datetime in the company's time zone."""
    tz = company.tzinfo
    local_now = (now or timezone.now()).astimezone(tz)
    days_ahead = (company.review_weekday - local_now.weekday()) % 7
    candidate_date = local_now.date() + timedelta(days=days_ahead)
    candidate = datetime.combine(candidate_date, company.review_time, tzinfo=tz)
    if candidate <= local_now:
        candidate = datetime.combine(candidate_date + timedelta(days=7), company.review_time, tzinfo=tz)
    return candidate


def portfolio_for_user(user: User, now: datetime | None = None) -> list[PortfolioRow]:
    """The user's businesses with their role and team size: one query whatever the count."""
    memberships = (
        Membership.objects.filter(user=user)
        .select_related("company")
        .annotate(
            member_count=Count("company__memberships", distinct=True),
            pending_count=Count(
                "company__memberships",
                filter=Q(company__memberships__user__is_active=False),
                distinct=True,
            ),
            capacity_hours=Sum("company__memberships__weekly_capacity_hours"),
        )
        .order_by("company__name", "company_id")
    )
    return [
        PortfolioRow(
            company=m.company,
            my_role=m.role,
            my_role_label=m.get_role_display(),
            member_count=m.member_count,
            pending_count=m.pending_count,
            capacity_hours=m.capacity_hours or Decimal(0),
            next_review=next_review_at(m.company, now),
        )
        for m in memberships
    ]


def members_of(company: Company) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(company=company)
        .select_related("user")
        .order_by("-user__is_active", "role", "user__full_name", "user__email")
    )
