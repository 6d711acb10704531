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
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .dates import weekday_day_month_time
from .models import Company, Membership, Role, User
from .numbers import plain, with_unit
from .selectors import next_review_at


class Flag(models.TextChoices):
    """What a card (and the digest's line) warns about. Members are `str`, so a card's
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
    next_review: datetime  # in the business's time zone
    review_label: str

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
    # Whether invitations wait for the user's answer (the page then lists them): known from the
    # page's rows, so a page without any need not ask; a page with no rows cannot tell.
    invitations_waiting: bool = True


# A page of the businesses where the user's membership is accepted, by name, each with the user's
# role and its team added up (everyone, invitations too; those invited; the weekly hours), and
# whether any invitation waits for the user. One row past the page tells whether there is a next.
_PAGE_SQL = f"""
SELECT c.*, p.role AS my_role, t.member_count, t.pending_count, t.capacity_hours,
       EXISTS (SELECT 1 FROM {Membership._meta.db_table} i WHERE i.user_id = p.user_id AND i.accepted_at IS NULL)
           AS invitations_waiting
FROM (
    -- The page first: the team is added up for its businesses only, not for every one.
    SELECT m.company_id, m.role, m.user_id, c.name
    FROM {Membership._meta.db_table} m JOIN {Company._meta.db_table} c ON c.id = m.company_id
    WHERE m.user_id = %s AND m.accepted_at IS NOT NULL
    ORDER BY c.name, c.id
    LIMIT %s OFFSET %s
) p
JOIN {Company._meta.db_table} c ON c.id = p.company_id
CROSS JOIN LATERAL (
    SELECT count(*) AS member_count, count(*) FILTER (WHERE x.accepted_at IS NULL) AS pending_count,
           sum(x.weekly_capacity_hours) AS capacity_hours
    FROM {Membership._meta.db_table} x WHERE x.company_id = c.id
) t
ORDER BY c.name, c.id
"""


def portfolio_for_user(
    user: User, now: datetime | None = None, *, page: int = 1, per_page: int = PORTFOLIO_PAGE_SIZE
) -> PortfolioPage:
    """One page of the user's businesses with their role, team and next review (the cards
    are made above, sprints/portfolio.py `cards`): a fixed number of queries whatever the
    count or the page. One row past the page tells whether there is a next one, without a
    count query."""
    page = max(page, 1)
    offset = (page - 1) * per_page
    companies = list(Company.objects.raw(_PAGE_SQL, [user.pk, per_page + 1, offset]))
    has_next = len(companies) > per_page
    companies = companies[:per_page]
    now = now or timezone.now()
    # Each role's label translated once, not per card (get_role_display hashes every choice's
    # lazy label, translating each, on every call).
    role_labels = {value: str(label) for value, label in Role.choices}
    written = weekday_day_month_time()
    rows = []
    for company in companies:
        review = next_review_at(company, now)
        rows.append(
            PortfolioRow(
                company=company,
                my_role=company.my_role,
                my_role_label=role_labels[company.my_role],
                member_count=company.member_count,
                pending_count=company.pending_count,
                capacity_hours=company.capacity_hours or Decimal(0),
                next_review=review,
                review_label=written(review),
            )
        )
    waiting = companies[0].invitations_waiting if companies else True
    return PortfolioPage(rows=rows, number=page, has_next=has_next, invitations_waiting=waiting)
