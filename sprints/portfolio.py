"""Each business's portfolio card, gathered at the top of the apps for all of a page's
businesses at once: its facts (main constraint, key metric's trend, hypotheses under test), its
open sprint (progress, capacity state and flags) and "busy, not moving" (sprints/outcomes.py).
The digest's lines and the business page's flags read `overview`; the portfolio page shows
`cards`, each card's markup made in one pass (the page's view gets it from the project's
urls.py), with the start form of a planned sprint from templates/sprints/_start_planned.html."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from hypotheses.models import Status as HypothesisStatus
from hypotheses.selectors import is_past_check_by, markers_of_tests
from tracking.markup import esc
from tracking.models import ConstraintStatus
from tracking.portfolio import Flag, PortfolioRow, metric_trend
from tracking.roles import Permission, role_allows
from tracking.templatetags.layout import business_url

from .capacity import available_hours
from .models import ActionStatus, Sprint, SprintStatus
from .outcomes import outcomes_overview
from .schedule import OVERDUE_AFTER, review_at


def overview(company_ids: list[int], now: datetime | None = None) -> dict[int, dict]:
    """Each company's card data: its `constraint`, its key `metric`'s trend, the sprint part,
    and `flags` (a list of `Flag`, every part's added up). Three statements for any number of
    businesses: the facts, the open sprints with their actions added up, "busy, not moving"."""
    now = now or timezone.now()
    cards = _card_facts(company_ids, now)
    _add_sprints(cards, company_ids, now)
    for company_id, extra in outcomes_overview(company_ids, now).items():
        cards[company_id].update({key: value for key, value in extra.items() if key != "flags"})
        cards[company_id]["flags"].extend(extra["flags"])
    return cards


def company_flags(company_id: int, now: datetime | None = None) -> list[Flag]:
    """What the business page warns about besides what it shows itself: "busy, not moving"."""
    return outcomes_overview([company_id], now or timezone.now()).get(company_id, {}).get("flags", [])


def business_page(company) -> dict:
    """What the business page shows from the apps above the core: its flags, and what marks
    its key metric's chart (the weeks its hypotheses were under test)."""
    return {"flags": company_flags(company.pk), "markers": markers_of_tests}


# A card's facts of each business, read for a page of them in one statement: its main constraint
# (one at most: constraint_one_active_per_company), its key metric (metric_one_key_per_company)
# with its last two weekly values of the last 8 weeks, and its hypotheses under test (how many,
# the earliest date by which one had to show a result). Written once here, for the fixed shape
# the ORM would build again on every view.
_FACTS_SQL = """
SELECT co.id, c.timezone,
       (SELECT k.title FROM tracking_constraint k WHERE k.company_id = co.id AND k.status = %(active)s LIMIT 1),
       m.name, m.unit, m.higher_is_better, v.recent,
       t.testing, t.earliest
FROM unnest(%(companies)s::bigint[]) AS co(id)
JOIN tracking_company c ON c.id = co.id
LEFT JOIN tracking_metric m ON m.company_id = co.id AND m.is_key
LEFT JOIN LATERAL (
    SELECT array_agg(x.value ORDER BY x.week_start DESC) AS recent FROM (
        SELECT mv.value, mv.week_start FROM tracking_metricvalue mv
        WHERE mv.metric_id = m.id AND mv.week_start >= %(since)s ORDER BY mv.week_start DESC LIMIT 2
    ) x
) v ON true
CROSS JOIN LATERAL (
    SELECT count(*) AS testing, min(h.check_by) AS earliest FROM hypotheses_hypothesis h
    WHERE h.company_id = co.id AND h.archived_at IS NULL AND h.status = %(testing)s
) t
"""

_SPRINT_COLUMNS = ("id", "company_id", "number", "status", "starts_on", "ends_on", "budget")  # the first columns

# The open sprints (active, in review, planned) of a page of businesses, with their actions
# added up per owner (hours, cost, how many, how many logged) and each owner's weekly hours.
_SPRINTS_SQL = """
SELECT s.id, s.company_id, s.number, s.status, s.starts_on, s.ends_on, s.budget,
       c.review_weekday, c.review_time, c.timezone,
       a.owner_id, a.capacity, a.hours, a.cost, a.total, a.logged
FROM sprints_sprint s
JOIN tracking_company c ON c.id = s.company_id
LEFT JOIN LATERAL (
    SELECT x.owner_id, m.weekly_capacity_hours AS capacity, sum(x.estimate_hours) AS hours,
           sum(x.cost) AS cost, count(*) AS total, count(*) FILTER (WHERE x.status = ANY(%(logged)s)) AS logged
    FROM sprints_action x LEFT JOIN tracking_membership m ON m.id = x.owner_id
    WHERE x.sprint_id = s.id
    GROUP BY x.owner_id, m.weekly_capacity_hours
) a ON true
WHERE s.company_id = ANY(%(companies)s) AND s.archived_at IS NULL AND s.status = ANY(%(open)s)
ORDER BY s.company_id, s.starts_on, s.id
"""


def _card_facts(company_ids: list[int], now: datetime) -> dict[int, dict]:
    params = {
        "companies": company_ids,
        "active": ConstraintStatus.ACTIVE.value,
        "since": (now - timedelta(weeks=8)).date(),
        "testing": HypothesisStatus.TESTING.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(_FACTS_SQL, params)
        rows = cursor.fetchall()
    cards = {}
    for company_id, zone, constraint, name, unit, higher, recent, testing, earliest in rows:
        card = {"flags": [], "testing": testing}
        if constraint is not None:
            card["constraint"] = constraint
        if recent:
            card["metric"] = metric_trend(name, unit, higher, recent[0], recent[1] if len(recent) > 1 else None)
        card["testing_label"] = ngettext("%(counter)s hypothesis", "%(counter)s hypotheses", testing) % {
            "counter": testing
        }
        if not testing:
            card["flags"].append(Flag.NOTHING_UNDER_TEST)
        elif is_past_check_by(HypothesisStatus.TESTING, earliest, now.astimezone(ZoneInfo(zone)).date()):
            card["flags"].append(Flag.TEST_PAST_CHECK_DATE)
        cards[company_id] = card
    return cards


@dataclass
class _OpenSprint:
    """An open sprint as a card reads it, with its actions added up."""

    sprint: Sprint
    review: datetime
    logged: int = 0
    total: int = 0
    cost: Decimal = Decimal(0)
    loads: dict[int, Decimal] = field(default_factory=dict)  # hours per owner
    capacity: dict[int, Decimal] = field(default_factory=dict)  # each owner's weekly hours

    @property
    def overbooked(self) -> list[int]:
        """The owners whose hours exceed what their weekly capacity gives in this sprint."""
        days = self.sprint.days
        return [
            owner
            for owner, hours in self.loads.items()
            if hours > available_hours(self.capacity[owner] or Decimal(0), days)
        ]


def _open_sprints(company_ids: list[int]) -> dict[int, _OpenSprint]:
    params = {
        "companies": company_ids,
        "open": [SprintStatus.ACTIVE.value, SprintStatus.REVIEW.value, SprintStatus.PLANNED.value],
        "logged": [ActionStatus.DONE.value, ActionStatus.NOT_DONE.value],
    }
    with connection.cursor() as cursor:
        cursor.execute(_SPRINTS_SQL, params)
        rows = cursor.fetchall()
    found: dict[int, _OpenSprint] = {}
    for row in rows:
        item = found.get(row[0])
        if item is None:
            sprint = Sprint(**dict(zip(_SPRINT_COLUMNS, row[:7], strict=True)))
            weekday, at, zone = row[7:10]
            item = found[sprint.pk] = _OpenSprint(sprint, review_at(sprint.ends_on, weekday, at, ZoneInfo(zone)))
        owner_id, capacity, hours, cost, total, logged = row[10:]
        if total is None:  # a sprint without actions
            continue
        item.logged += logged
        item.total += total
        item.cost += cost or 0
        if owner_id is not None:
            item.loads[owner_id] = hours
            item.capacity[owner_id] = capacity
    return found


def _add_sprints(cards: dict[int, dict], company_ids: list[int], now: datetime) -> None:
    """With no sprint active or in review, a business is flagged "no active sprint"; the first
    planned sprint then waits (`planned`, with whether it fits: `overbooked`, `planned_fits`)."""
    running, waiting = {}, {}
    for item in _open_sprints(company_ids).values():  # by business, then start
        if item.sprint.status == SprintStatus.PLANNED:
            waiting.setdefault(item.sprint.company_id, item)
        else:
            running[item.sprint.company_id] = item  # one at most (sprint_one_open_per_company)
    for company_id in company_ids:
        card, flags = cards[company_id], []
        if item := running.get(company_id):
            overbooked = item.overbooked
            if now >= item.review + OVERDUE_AFTER:
                flags.append(Flag.REVIEW_OVERDUE)
            if overbooked:
                flags.append(Flag.OWNER_OVERBOOKED)
            card.update(
                {
                    "sprint": item.sprint,
                    "logged": item.logged,
                    "total": item.total,
                    "percent": int(item.logged * 100 / item.total) if item.total else 0,
                    "logged_label": gettext("%(logged)s of %(total)s logged")
                    % {"logged": item.logged, "total": item.total},
                    "overbooked": len(overbooked),
                    "sprint_review": item.review,
                }
            )
        else:
            flags.append(Flag.NO_ACTIVE_SPRINT)
            if item := waiting.get(company_id):
                overbooked = item.overbooked
                budget = item.sprint.budget
                over_budget = budget is not None and item.cost > budget
                if overbooked:
                    flags.append(Flag.OWNER_OVERBOOKED)
                fits = not overbooked and not over_budget
                card.update({"planned": item.sprint, "overbooked": len(overbooked), "planned_fits": fits})
        if card.get("overbooked"):
            card["overbooked_label"] = ngettext(
                "%(counter)s owner overbooked", "%(counter)s owners overbooked", card["overbooked"]
            ) % {"counter": card["overbooked"]}
        card["flags"][:0] = flags


# --- The cards of the portfolio page ---------------------------------------------------------------


class _Words:
    """What every card says alike, translated once per page."""

    def __init__(self):
        self.constraint, self.no_constraint = gettext("Main constraint"), gettext("No main constraint yet")
        self.sprint, self.capacity, self.under_test = gettext("Sprint"), gettext("Capacity"), gettext("Under test")
        self.logged, self.fits, self.none = gettext("results logged"), gettext("fits"), gettext("none running")
        self.next_review, self.team, self.session = gettext("Next review"), gettext("Team"), gettext("Weekly session")
        self.outcomes, self.busy = gettext("Outcomes"), gettext("actions done, key metric not moving")


# A card is made of many small values: each is escaped once (esc) and the card is one f-string,
# rather than a format_html per fragment. What goes into the markup unescaped is markup made here.


def _fact(term: str, definition: str) -> str:
    """A term and its definition; `definition` is markup."""
    return f"<div><dt>{esc(term)}</dt><dd>{definition}</dd></div>"


def _link(href: str, text) -> str:
    return f'<a href="{esc(href)}">{esc(text)}</a>'


def _sprint_facts(row: PortfolioRow, o: dict, w: _Words) -> str:
    pk = row.company.pk
    if o.get("sprint"):
        percent = int(o["percent"])
        sprint = (
            f"{_link(business_url(pk, 'results'), o['sprint'])}: {esc(o['logged_label'])} "
            f'<progress max="100" value="{percent}" aria-label="{esc(w.logged)}">{percent}%</progress>'
        )
    elif o.get("planned"):
        waiting = gettext("%(sprint)s is planned, not started.") % {"sprint": o["planned"]}
        sprint = _link(reverse("sprints:board", args=[pk, o["planned"].pk]), waiting)
    else:
        sprint = _link(business_url(pk, "sprints"), w.none)
    if o.get("overbooked"):
        load = f'<span class="danger-text">{esc(o["overbooked_label"])}</span>'
    else:
        load = esc(w.fits if o.get("sprint") or o.get("planned_fits") else "—")
    facts = [
        _fact(w.sprint, sprint),
        _fact(w.capacity, f"{load} · {esc(row.hours_label)}"),
        _fact(w.under_test, _link(business_url(pk, "hypotheses"), o["testing_label"])),
    ]
    if o.get("busy_not_moving"):
        facts.append(_fact(w.outcomes, _link(reverse("sprints:outcomes", args=[pk]), w.busy)))
    return "".join(facts)


def _core_facts(row: PortfolioRow, o: dict, w: _Words) -> str:
    facts = []
    if metric := o.get("metric"):
        trend = ""
        if metric["direction"]:
            arrow = "▲" if metric["direction"] == "up" else "▼"
            tone = "good" if metric["good"] else "bad"
            trend = f' <span class="trend {tone}" title="{esc(metric["trend_title"])}">{arrow}</span>'
        facts.append(_fact(metric["name"], f"{esc(metric['shown'])}{trend}"))
    review = f'<time datetime="{row.next_review.isoformat()}">{esc(row.review_label)}</time>'
    facts.append(_fact(w.next_review, review))
    team = _link(business_url(row.company.pk, "members"), row.team_label)
    if row.pending_count:
        team = f'{team} <span class="badge">{esc(row.invited_label)}</span>'
    facts.append(_fact(w.team, team))
    return "".join(facts)


def _card(request, row: PortfolioRow, o: dict, w: _Words) -> SafeString:
    pk = row.company.pk
    flags = ""
    if o["flags"]:
        badges = "".join(
            f'<span class="badge {"warn" if f.is_warning else "danger"}">{esc(f.label)}</span>' for f in o["flags"]
        )
        flags = f'<p class="flags">{badges}</p>'
    if o.get("constraint"):
        constraint = f'<span class="muted">{esc(w.constraint)}:</span> {esc(o["constraint"])}'
    else:
        constraint = f'<span class="muted">{esc(w.no_constraint)}</span>'
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
    return mark_safe(  # every value above is escaped by esc; the rest is this module's markup
        '<li class="card portfolio-card">\n'
        f'  <div class="card-head"><h2>{_link(business_url(pk), row.company.name)}</h2>'
        f' <span class="muted">{esc(row.my_role_label)}</span></div>\n'
        f'  {flags}<p class="constraint-line">{constraint}</p>\n'
        f'  <dl class="facts">{_sprint_facts(row, o, w)}{_core_facts(row, o, w)}</dl>\n'
        f'  {start}<p class="card-actions"><a class="button secondary small" href="{esc(business_url(pk, "session"))}">'
        f"{esc(w.session)}</a></p>\n"
        "</li>\n"
    )


def cards(request, rows: list[PortfolioRow], now: datetime | None = None) -> list[SafeString]:
    """The portfolio page's cards for these rows, each made in one pass (one gathering of
    their data for all of them: a fixed number of queries)."""
    data = overview([row.company.pk for row in rows], now)
    words = _Words()
    return [_card(request, row, data[row.company.pk], words) for row in rows]
