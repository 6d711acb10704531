"""The tracker's portfolio, in one place: one card per business, on the page and in the
weekly digest.

Here live the card's data (`portfolio_for_user`, `overview`), its flags with their labels
(`Flag`), and the card template (templates/tracking/_portfolio_card.html). `tracking` knows the
constraint, the key metric, the team and the review time. The apps above it add their part of
the card through `register`: a provider that answers for all companies at once, in a fixed
number of queries, and the template of the facts (and buttons) it adds to the card. The
registry lets the card show sprints without `tracking` importing `sprints`, so the apps still
depend one way (sprints → hypotheses → tracking); the metric charts' test markers
(tracking/charts.py) and the interview scripts' hypothesis links (tracking/custdev/links.py)
use the same pattern. It is filled once, in `sprints.apps.SprintsConfig.ready`.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .models import Company, Constraint, ConstraintStatus, Membership, MetricValue, User
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


Provider = Callable[[list[int], datetime], dict[int, dict]]


@dataclass(frozen=True)
class Section:
    """An upper app's part of the card: its data, and the templates that show it."""

    provider: Provider
    facts_template: str  # rows of the card's <dl class="facts">
    actions_template: str = ""  # buttons at the bottom of the card
    on_company_page: bool = False  # its flags also show on the business page


_sections: list[Section] = []


def register(
    provider: Provider, *, facts_template: str, actions_template: str = "", on_company_page: bool = False
) -> None:
    """Add an app's part to every card (once, at start-up)."""
    if all(section.provider is not provider for section in _sections):
        _sections.append(Section(provider, facts_template, actions_template, on_company_page))


def sections() -> list[Section]:
    return list(_sections)


def company_page_flags(company_id: int, now: datetime | None = None) -> list[Flag]:
    """The flags of the sections registered for the business page (only those are asked)."""
    now = now or timezone.now()
    flags: list[Flag] = []
    for section in _sections:
        if section.on_company_page:
            flags += section.provider([company_id], now).get(company_id, {}).get("flags", [])
    return flags


def _core(company_ids: list[int], now: datetime) -> dict[int, dict]:
    data: dict[int, dict] = defaultdict(dict)
    for company_id, title in Constraint.objects.filter(
        company_id__in=company_ids, status=ConstraintStatus.ACTIVE
    ).values_list("company_id", "title"):
        data[company_id]["constraint"] = title
    trend: dict[int, list] = defaultdict(list)
    for company_id, name, unit, higher, value in (
        MetricValue.objects.filter(
            metric__company_id__in=company_ids,
            metric__is_key=True,
            week_start__gte=(now - timedelta(weeks=8)).date(),
        )
        .order_by("metric__company_id", "-week_start")
        .values_list("metric__company_id", "metric__name", "metric__unit", "metric__higher_is_better", "value")
    ):
        if len(trend[company_id]) < 2:
            trend[company_id].append((name, unit, higher, value))
    for company_id, points in trend.items():
        name, unit, higher, latest = points[0]
        previous = points[1][3] if len(points) > 1 else None
        direction = None
        if previous is not None and latest != previous:
            direction = "up" if latest > previous else "down"
        data[company_id]["metric"] = {
            "name": name,
            "unit": unit,
            "latest": latest,
            "previous": previous,
            "direction": direction,
            "good": None if direction is None else (direction == "up") == higher,
            "shown": with_unit(latest, unit),
            "trend_title": gettext("last week %(value)s") % {"value": plain(previous, localize=True)},
        }
    return data


def overview(company_ids: list[int], now: datetime | None = None) -> dict[int, dict]:
    """Each company's card data: `constraint`, `metric`, `flags` (a list of `Flag`) and what
    the registered sections add."""
    now = now or timezone.now()
    merged = _core(company_ids, now)
    for section in _sections:
        for company_id, extra in section.provider(company_ids, now).items():
            flags = list(extra.get("flags", ()))  # every section's flags add up
            merged[company_id].update({key: value for key, value in extra.items() if key != "flags"})
            merged[company_id].setdefault("flags", []).extend(flags)
    for company_id in company_ids:
        merged[company_id].setdefault("flags", [])
    return merged


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
    overview: dict

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
    """One page of the user's businesses with their role, team, constraint, key metric and
    (from the apps above) sprint progress and flags: a fixed number of queries whatever the
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
    cards = overview([m.company_id for m in memberships], now)
    rows = [
        PortfolioRow(
            company=m.company,
            my_role=m.role,
            my_role_label=m.get_role_display(),
            member_count=m.member_count,
            pending_count=m.pending_count,
            capacity_hours=m.capacity_hours or Decimal(0),
            next_review=next_review_at(m.company, now),
            overview=cards[m.company_id],
        )
        for m in memberships
    ]
    return PortfolioPage(rows=rows, number=page, has_next=has_next)
