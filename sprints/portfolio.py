"""Each business's portfolio card, gathered at the top of the apps: the core's part
(tracking.portfolio.core_cards), the sprint part (progress, capacity state and flags, for
all of a tracker's businesses in three queries) and "busy, not moving" (sprints/outcomes.py).
The digest's lines and the business page's flags read `overview`; the portfolio page shows
`cards`, each card's markup made in one pass (the page's view gets it from the project's
urls.py), with the start form of a planned sprint from templates/sprints/_start_planned.html."""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from hypotheses.models import Hypothesis
from hypotheses.models import Status as HypothesisStatus
from hypotheses.selectors import is_past_check_by, markers_of_tests
from tracking.markup import html as format_html
from tracking.markup import html_join as format_html_join
from tracking.portfolio import Flag, PortfolioRow, core_cards
from tracking.roles import Permission, role_allows
from tracking.templatetags.layout import business_url

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
        .annotate(n=Count("*"), earliest=Min("check_by"))
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


# --- The cards of the portfolio page ---------------------------------------------------------------


class _Words:
    """What every card says alike, translated once per page."""

    def __init__(self):
        self.constraint, self.no_constraint = gettext("Main constraint"), gettext("No main constraint yet")
        self.sprint, self.capacity, self.under_test = gettext("Sprint"), gettext("Capacity"), gettext("Under test")
        self.logged, self.fits, self.none = gettext("results logged"), gettext("fits"), gettext("none running")
        self.next_review, self.team, self.session = gettext("Next review"), gettext("Team"), gettext("Weekly session")
        self.outcomes, self.busy = gettext("Outcomes"), gettext("actions done, key metric not moving")


def _fact(term, definition) -> SafeString:
    return format_html("<div><dt>{}</dt><dd>{}</dd></div>", term, definition)


def _sprint_facts(row: PortfolioRow, o: dict, w: _Words) -> SafeString:
    pk = row.company.pk
    if o.get("sprint"):
        sprint = format_html(
            '<a href="{}">{}</a>: {} <progress max="100" value="{}" aria-label="{}">{}%</progress>',
            business_url(pk, "results"),
            o["sprint"],
            o["logged_label"],
            o["percent"],
            w.logged,
            o["percent"],
        )
    elif o.get("planned"):
        board = reverse("sprints:board", args=[pk, o["planned"].pk])
        waiting = gettext("%(sprint)s is planned, not started.") % {"sprint": o["planned"]}
        sprint = format_html('<a href="{}">{}</a>', board, waiting)
    else:
        sprint = format_html('<a href="{}">{}</a>', business_url(pk, "sprints"), w.none)
    if o.get("overbooked"):
        load = format_html('<span class="danger-text">{}</span>', o["overbooked_label"])
    else:
        load = w.fits if o.get("sprint") or o.get("planned_fits") else "—"
    testing = format_html('<a href="{}">{}</a>', business_url(pk, "hypotheses"), o["testing_label"])
    facts = [
        _fact(w.sprint, sprint),
        _fact(w.capacity, format_html("{} · {}", load, row.hours_label)),
        _fact(w.under_test, testing),
    ]
    if o.get("busy_not_moving"):
        outcomes = reverse("sprints:outcomes", args=[pk])
        facts.append(_fact(w.outcomes, format_html('<a href="{}">{}</a>', outcomes, w.busy)))
    return mark_safe("".join(facts))  # each made by format_html


def _core_facts(row: PortfolioRow, o: dict, w: _Words) -> SafeString:
    facts = []
    if metric := o.get("metric"):
        trend = ""
        if metric["direction"]:
            arrow = "▲" if metric["direction"] == "up" else "▼"
            tone = "good" if metric["good"] else "bad"
            trend = format_html(' <span class="trend {}" title="{}">{}</span>', tone, metric["trend_title"], arrow)
        facts.append(_fact(metric["name"], format_html("{}{}", metric["shown"], trend)))
    review = format_html('<time datetime="{}">{}</time>', row.next_review.isoformat(), row.review_label)
    facts.append(_fact(w.next_review, review))
    team = format_html('<a href="{}">{}</a>', business_url(row.company.pk, "members"), row.team_label)
    if row.pending_count:
        team = format_html('{} <span class="badge">{}</span>', team, row.invited_label)
    facts.append(_fact(w.team, team))
    return mark_safe("".join(facts))  # each made by format_html


def _card(request, row: PortfolioRow, o: dict, w: _Words) -> SafeString:
    pk = row.company.pk
    flags = ""
    if o["flags"]:
        badges = format_html_join(
            "",
            '<span class="badge {}">{}</span>',
            (("warn" if f.is_warning else "danger", f.label) for f in o["flags"]),
        )
        flags = format_html('<p class="flags">{}</p>', badges)
    if o.get("constraint"):
        constraint = format_html('<span class="muted">{}:</span> {}', w.constraint, o["constraint"])
    else:
        constraint = format_html('<span class="muted">{}</span>', w.no_constraint)
    start = ""
    if planned := o.get("planned"):
        start = render_to_string(
            "sprints/_start_planned.html",
            {
                "start_sprint": planned,
                "start_from": "portfolio",
                "start_quiet": True,
                "start_fits": o["planned_fits"],
                "can_start": role_allows(row.my_role, Permission.START_SPRINT),
                "can_override": role_allows(row.my_role, Permission.OVERRIDE_CAPACITY),
            },
            request,
        )
    return format_html(
        '<li class="card portfolio-card">\n'
        '  <div class="card-head"><h2><a href="{}">{}</a></h2> <span class="muted">{}</span></div>\n'
        '  {}<p class="constraint-line">{}</p>\n'
        '  <dl class="facts">{}{}</dl>\n'
        '  {}<p class="card-actions"><a class="button secondary small" href="{}">{}</a></p>\n'
        "</li>\n",
        business_url(pk),
        row.company.name,
        row.my_role_label,
        flags,
        constraint,
        _sprint_facts(row, o, w),
        _core_facts(row, o, w),
        start,
        business_url(pk, "session"),
        w.session,
    )


def cards(request, rows: list[PortfolioRow], now: datetime | None = None) -> list[SafeString]:
    """The portfolio page's cards for these rows, each made in one pass (one gathering of
    their data for all of them: a fixed number of queries)."""
    data = overview([row.company.pk for row in rows], now)
    words = _Words()
    return [_card(request, row, data[row.company.pk], words) for row in rows]
