"""The tracker's portfolio: one card per business, on the page and in the weekly digest.

Here live what the core says of a card (`metric_trend`: the key metric's trend), a page of
the user's businesses with their role, team and next review (`portfolio_for_user`), and the
flags a card can raise with their labels (`Flag`). The cards themselves, read for all of a
page's businesses at once, are made at the top (sprints/portfolio.py `cards`), which the
project's urls.py passes to the page's view: the core never asks the apps above, and the apps
depend one way (sprints → hypotheses → tracking).
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Company, Membership, Role, User
from .numbers import plain, with_unit
from .selectors import next_review_at


class Flag(models.TextChoices):
    """What a card (and the digest's line) warns about. Members are `str`, so a provider's
    list of flags compares and serialises as the plain values."""

    REVIEW_OVERDUE = "review_overdue", _("review overdue")
    OWNER_OVERBOOKED = "owner_overbooked", _("owner overbooked")
    # No sprint active or in review: the weekly loop has stopped (a planned one may wait to start).
    NO_ACTIVE_SPRINT = "no_active_sprint", _("no active sprint")
    NOTHING_UNDER_TEST = "nothing_under_test", _("nothing under test")
    # ≥ 80 % of actions done for 3 sprints while the key metric did not move (sprints/outcomes.py).
    BUSY_NOT_MOVING = "busy_not_moving", _("busy, not moving")
    # A hypothesis under test past the date by which it had to show a result.
    TEST_PAST_CHECK_DATE = "test_past_check_date", _("a test past its check date")

    @property
    def is_warning(self) -> bool:
        """A warning rather than a danger: nothing is broken, but nothing is learnt either."""
        return self in (Flag.NOTHING_UNDER_TEST, Flag.BUSY_NOT_MOVING)


def metric_trend(name: str, unit: str, higher_is_better: bool, latest: Decimal, previous: Decimal | None) -> dict:
    """What a card (and the digest's line) shows of the key metric: its latest weekly value
    and the trend against the week before, with its words formatted once here."""
    direction = None
    if previous is not None and latest != previous:
        direction = "up" if latest > previous else "down"
    return {
        "name": name,
        "unit": unit,
        "latest": latest,
        "previous": previous,
        "direction": direction,
        "good": None if direction is None else (direction == "up") == higher_is_better,
        "shown": with_unit(latest, unit),
        "trend_title": gettext("last week %(value)s") % {"value": plain(previous, localize=True)},
    }


@dataclass(frozen=True)
class PortfolioRow:
    """A card's facts, with its words and numbers formatted once here rather than by a filter
    or a translation tag per card (the page shows twenty)."""

    company: Company
    my_role: str
    my_role_label: str
    member_count: int
    pending_count: int
    capacity_hours: Decimal
    next_review: datetime

    @property
    def review_label(self) -> str:
        return date_format(timezone.localtime(self.next_review, self.company.tzinfo), "D j M, H:i")

    @property
    def team_label(self) -> str:
        return ngettext("%(counter)s person", "%(counter)s people", self.member_count) % {"counter": self.member_count}

    @property
    def invited_label(self) -> str:
        return ngettext("%(counter)s invited", "%(counter)s invited", self.pending_count) % {
            "counter": self.pending_count
        }

    @property
    def hours_label(self) -> str:
        return gettext("%(hours)s h a week") % {"hours": plain(self.capacity_hours, localize=True)}


PORTFOLIO_PAGE_SIZE = 20


@dataclass(frozen=True)
class PortfolioPage:
    rows: list[PortfolioRow]
    number: int
    has_next: bool


def portfolio_for_user(
    user: User, now: datetime | None = None, *, page: int = 1, per_page: int = PORTFOLIO_PAGE_SIZE
) -> PortfolioPage:
    """One page of the user's businesses with their role, team and next review (the cards
    are made above, sprints/portfolio.py `cards`): a fixed number of queries whatever the
    count or the page. One row past the page tells whether there is a next one, without a
    count query."""
    page = max(page, 1)
    offset = (page - 1) * per_page
    memberships = list(
        Membership.objects.accepted()
        .filter(user=user)
        .select_related("company")
        .annotate(
            member_count=Count("company__memberships", distinct=True),
            pending_count=Count(
                "company__memberships",
                filter=Q(company__memberships__accepted_at__isnull=True),
                distinct=True,
            ),
            capacity_hours=Sum("company__memberships__weekly_capacity_hours"),
        )
        .order_by("company__name", "company_id")[offset : offset + per_page + 1]
    )
    has_next = len(memberships) > per_page
    memberships = memberships[:per_page]
    now = now or timezone.now()
    # Each role's label translated once, not per card (get_role_display hashes every choice's
    # lazy label, translating each, on every call).
    role_labels = {value: str(label) for value, label in Role.choices}
    rows = [
        PortfolioRow(
            company=m.company,
            my_role=m.role,
            my_role_label=role_labels[m.role],
            member_count=m.member_count,
            pending_count=m.pending_count,
            capacity_hours=m.capacity_hours or Decimal(0),
            next_review=next_review_at(m.company, now),
        )
        for m in memberships
    ]
    return PortfolioPage(rows=rows, number=page, has_next=has_next)
