"""Each business's portfolio card, gathered at the top of the apps: the core's part
(tracking.portfolio.core_cards), the sprint part (progress, capacity state and flags, for
all of a tracker's businesses in three queries) and "busy, not moving" (sprints/outcomes.py).
The portfolio page, the business page's flags and the digest's lines read it; the page's view
gets `overview` from the project's urls.py. Shown by templates/tracking/_portfolio_card.html
with templates/sprints/_portfolio_section.html."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from hypotheses.models import Hypothesis
from hypotheses.models import Status as HypothesisStatus
from hypotheses.selectors import is_past_check_by, markers_of_tests
from tracking.portfolio import Flag, core_cards

from .capacity import available_hours
from .models import Action, ActionStatus, Sprint, SprintStatus
from .outcomes import outcomes_overview
from .schedule import OVERDUE_AFTER, review_at


def overview(company_ids: list[int], now: datetime | None = None) -> dict[int, dict]:
    """Each company's card data: the core's `constraint` and `metric`, the sprint part, and
    `flags` (a list of `Flag`, every part's added up)."""
    now = now or timezone.now()
    cards = core_cards(company_ids, now)
    for part in (sprint_overview(company_ids, now), outcomes_overview(company_ids, now)):
        for company_id, extra in part.items():
            card = cards[company_id]
            card.update({key: value for key, value in extra.items() if key != "flags"})
            card.setdefault("flags", []).extend(extra.get("flags", ()))
    for company_id in company_ids:
        cards[company_id].setdefault("flags", [])
    return cards


def company_flags(company_id: int, now: datetime | None = None) -> list[Flag]:
    """What the business page warns about besides what it shows itself: "busy, not moving"."""
    return outcomes_overview([company_id], now or timezone.now()).get(company_id, {}).get("flags", [])


def business_page(company) -> dict:
    """What the business page shows from the apps above the core: its flags, and what marks
    its key metric's chart (the weeks its hypotheses were under test)."""
    return {"flags": company_flags(company.pk), "markers": markers_of_tests}


def sprint_overview(company_ids: list[int], now: datetime) -> dict[int, dict]:
    """With no sprint active or in review, a business is flagged "no active sprint"; the first
    planned sprint then waits (`planned`, with whether it fits: `overbooked`, `planned_fits`)."""
    sprints, waiting = {}, {}
    for sprint in (
        Sprint.objects.filter(
            company_id__in=company_ids,
            archived_at__isnull=True,
            status__in=[SprintStatus.ACTIVE, SprintStatus.REVIEW, SprintStatus.PLANNED],
        )
        .select_related("company")
        .order_by("company_id", "starts_on")
    ):
        if sprint.status == SprintStatus.PLANNED:
            waiting.setdefault(sprint.company_id, sprint)
        else:
            sprints[sprint.company_id] = sprint  # one at most (sprint_one_open_per_company)
    waiting = {company_id: sprint for company_id, sprint in waiting.items() if company_id not in sprints}
    costs: dict[int, Decimal] = defaultdict(Decimal)
    loads: dict[int, dict[int, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    progress: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    capacity: dict[int, Decimal] = {}  # each owner's weekly hours, read with their actions
    for row in (
        Action.objects.filter(sprint__in=[*sprints.values(), *waiting.values()])
        .order_by()  # no join to the sprints for Action's default ordering, which a GROUP BY drops
        .values("sprint_id", "owner_id", "owner__weekly_capacity_hours")
        .annotate(
            hours=Sum("estimate_hours"),
            cost=Sum("cost"),
            total=Count("pk"),
            logged=Count("pk", filter=Q(status__in=[ActionStatus.DONE, ActionStatus.NOT_DONE])),
        )
    ):
        progress[row["sprint_id"]][0] += row["logged"]
        progress[row["sprint_id"]][1] += row["total"]
        costs[row["sprint_id"]] += row["cost"] or 0
        if row["owner_id"]:
            loads[row["sprint_id"]][row["owner_id"]] += row["hours"]
            capacity[row["owner_id"]] = row["owner__weekly_capacity_hours"]
    testing, past_check = {}, set()
    for company_id, zone, n, earliest in (
        Hypothesis.objects.live()
        .filter(company_id__in=company_ids, status=HypothesisStatus.TESTING)
        .values("company_id", "company__timezone")
        .annotate(n=Count("pk"), earliest=Min("check_by"))
        .values_list("company_id", "company__timezone", "n", "earliest")
    ):
        testing[company_id] = n
        if is_past_check_by(HypothesisStatus.TESTING, earliest, now.astimezone(ZoneInfo(zone)).date()):
            past_check.add(company_id)
    result = {}
    for company_id in company_ids:
        flags = []
        entry: dict = {"testing": testing.get(company_id, 0)}
        entry["testing_label"] = ngettext("%(counter)s hypothesis", "%(counter)s hypotheses", entry["testing"]) % {
            "counter": entry["testing"]
        }
        sprint = sprints.get(company_id)
        if sprint:
            logged, total = progress[sprint.pk]
            overbooked = _overbooked(loads[sprint.pk], capacity, sprint.days)
            company = sprint.company
            review = review_at(sprint.ends_on, company.review_weekday, company.review_time, company.tzinfo)
            if now >= review + OVERDUE_AFTER:
                flags.append(Flag.REVIEW_OVERDUE)
            if overbooked:
                flags.append(Flag.OWNER_OVERBOOKED)
            entry.update(
                {
                    "sprint": sprint,
                    "logged": logged,
                    "total": total,
                    "percent": int(logged * 100 / total) if total else 0,
                    "logged_label": gettext("%(logged)s of %(total)s logged") % {"logged": logged, "total": total},
                    "overbooked": len(overbooked),
                    "sprint_review": review,
                }
            )
        else:
            flags.append(Flag.NO_ACTIVE_SPRINT)
            if planned := waiting.get(company_id):
                overbooked = _overbooked(loads[planned.pk], capacity, planned.days)
                over_budget = planned.budget is not None and costs[planned.pk] > planned.budget
                if overbooked:
                    flags.append(Flag.OWNER_OVERBOOKED)
                fits = not overbooked and not over_budget
                entry.update({"planned": planned, "overbooked": len(overbooked), "planned_fits": fits})
        if not entry["testing"]:
            flags.append(Flag.NOTHING_UNDER_TEST)
        if company_id in past_check:
            flags.append(Flag.TEST_PAST_CHECK_DATE)
        if entry.get("overbooked"):
            entry["overbooked_label"] = ngettext(
                "%(counter)s owner overbooked", "%(counter)s owners overbooked", entry["overbooked"]
            ) % {"counter": entry["overbooked"]}
        entry["flags"] = flags
        result[company_id] = entry
    return result


def _overbooked(loads: dict[int, Decimal], capacity: dict[int, Decimal], days: int) -> list[int]:
    """The owners whose hours in a sprint of `days` exceed what their weekly capacity gives."""
    return [owner for owner, hours in loads.items() if hours > available_hours(capacity.get(owner, Decimal(0)), days)]
