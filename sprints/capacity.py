"""The capacity check: per owner, load = Σ estimates; available = weekly capacity × sprint
days / 7. Three queries whatever the number of actions."""

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.utils.translation import gettext as _

from tracking.access import Beside
from tracking.models import Membership
from tracking.numbers import plain

from .models import Action, ActionStatus, Sprint, SprintStatus

TENTH = Decimal("0.1")
# How an owner keeps to plans is judged on the last quarter of weekly sprints: how they work
# now, not years ago; and the read stays the same size however long the business has run.
RECENT_SPRINTS = 12


def available_hours(weekly_capacity: Decimal, days: int) -> Decimal:
    return (weekly_capacity * days / 7).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class OwnerLoad:
    membership: Membership
    available: Decimal
    load: Decimal = Decimal(0)
    past_planned: Decimal = Decimal(0)
    past_done: Decimal = Decimal(0)
    actions: list = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.membership.name

    @property
    def over(self) -> Decimal:
        return max(self.load - self.available, Decimal(0))

    @property
    def percent(self) -> int:
        """Bar width: load as a share of what is available (capped for drawing)."""
        if self.available <= 0:
            return 100 if self.load > 0 else 0
        return min(int(self.load * 100 / self.available), 100)

    @property
    def past_ratio(self) -> int | None:
        """Of the hours this owner planned in the recent closed sprints, the share that got done."""
        if not self.past_planned:
            return None
        return int(self.past_done * 100 / self.past_planned)


@dataclass
class CapacityReport:
    owners: list[OwnerLoad]
    unassigned_hours: Decimal
    budget: Decimal | None
    cost_total: Decimal

    @property
    def budget_over(self) -> Decimal:
        if self.budget is None:
            return Decimal(0)
        return max(self.cost_total - self.budget, Decimal(0))

    @property
    def budget_percent(self) -> int:
        if not self.budget:
            return 0
        return min(int(self.cost_total * 100 / self.budget), 100)

    @property
    def overbooked(self) -> list[OwnerLoad]:
        return [o for o in self.owners if o.over > 0]

    @property
    def fits(self) -> bool:
        return not self.overbooked and self.budget_over == 0


def sprint_capacity(
    sprint: Sprint,
    actions: list[Action] | None = None,
    *,
    members: list[Membership] | None = None,
    history: bool = True,
) -> CapacityReport:
    """`members` (the company's memberships with their users, by pk) saves a query when the
    caller has them; `history=False` skips the past-sprints ratio (roll-ups do not show it)."""
    if actions is None:
        actions = list(sprint.actions.select_related("owner__user", "hypothesis").order_by("pk"))
    if members is None:
        members = list(Membership.objects.filter(company_id=sprint.company_id).select_related("user").order_by("pk"))
    owners = {m.pk: OwnerLoad(m, available_hours(m.weekly_capacity_hours, sprint.days)) for m in members}
    unassigned = Decimal(0)
    cost_total = Decimal(0)
    for action in actions:
        cost_total += action.cost or 0
        row = owners.get(action.owner_id)
        if row is None:
            unassigned += action.estimate_hours
            continue
        row.load += action.estimate_hours
        row.actions.append(action)
    if history and owners:
        if all(hasattr(m, "past_planned") for m in members):  # read beside them (PAST_HOURS)
            past = [(m.pk, m.past_planned, m.past_done) for m in members]
        else:
            past = _past_hours(sprint.company_id, list(owners))
        for owner_id, planned, done in past:
            owners[owner_id].past_planned = planned or Decimal(0)
            owners[owner_id].past_done = done or Decimal(0)
    listed = [o for o in owners.values() if o.load or o.membership.weekly_capacity_hours]
    listed.sort(key=lambda o: (-o.over, o.name))
    return CapacityReport(listed, unassigned, sprint.budget, cost_total)


# Each owner's hours planned and done in the business's last RECENT_SPRINTS closed sprints (the
# top of the partial index sprint_closed_recent), by its one parameter, the business's id. A
# statement of fixed shape, so it is written once here rather than built by the ORM on every
# board and session view.
_PAST_HOURS_SQL = f"""
SELECT a.owner_id, SUM(a.estimate_hours) AS planned,
       SUM(a.estimate_hours) FILTER (WHERE a.status = '{ActionStatus.DONE.value}') AS done
FROM {Action._meta.db_table} a
WHERE a.sprint_id IN (
    SELECT s.id FROM {Sprint._meta.db_table} s
    WHERE s.company_id = %s AND s.status = '{SprintStatus.CLOSED.value}' AND s.archived_at IS NULL
    ORDER BY s.starts_on DESC, s.id DESC LIMIT {RECENT_SPRINTS:d}
)
GROUP BY a.owner_id
"""

# The same hours beside each member of the team's statement (tracking.access.access_company_team):
# a page that reads the team with its access check reads them without a query of their own.
PAST_HOURS = Beside(
    columns="past.planned AS past_planned, past.done AS past_done",
    join=f"LEFT JOIN ({_PAST_HOURS_SQL}) past ON past.owner_id = m.id",
)


def _past_hours(company_id: int, owner_ids: list[int]) -> list[tuple[int, Decimal | None, Decimal | None]]:
    with connection.cursor() as cursor:
        cursor.execute(_PAST_HOURS_SQL, [company_id])
        owners = set(owner_ids)
        return [row for row in cursor.fetchall() if row[0] in owners]


def hours(value) -> str:
    """Hours to a tenth as people write them, in the reader's language: 8, 7.5 (7,5 in Russian)."""
    return plain(Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP), localize=True)


def capacity_problems(sprint: Sprint) -> list[str]:
    report = sprint_capacity(sprint)
    problems = [
        _("%(name)s is overbooked by %(hours)s h (%(load)s h planned, %(available)s h available)")
        % {"name": row.name, "hours": hours(row.over), "load": hours(row.load), "available": hours(row.available)}
        for row in report.owners
        if row.over > 0
    ]
    if report.budget_over > 0:
        problems.append(
            _("the sprint is over its budget by %(amount)s") % {"amount": plain(report.budget_over, localize=True)}
        )
    return problems


# --- Carrying unfinished actions over into the next sprint -------------------------------------


@dataclass
class CarryChoice:
    """An unfinished action offered for carrying over, with what it does to its owner's hours
    in the next sprint. Ticked in advance only when it still fits with those ticked before it."""

    action: Action
    load_before: Decimal
    load_after: Decimal
    available: Decimal | None  # None: no owner
    fits: bool
    ticked: bool = False


def carry_choices(
    unfinished: list[Action],
    *,
    members: list[Membership],
    loads: dict[int, Decimal],
    days: int,
    budget_left: Decimal | None = None,
    ticked: Collection[int] | None = None,
) -> list[CarryChoice]:
    """`loads`: the hours each owner already has in the next sprint. `ticked`: what the person
    ticked (a refused submit keeps it); by default only what fits is ticked."""
    capacity = {m.pk: available_hours(m.weekly_capacity_hours, days) for m in members}
    running = dict(loads)
    money = budget_left
    choices = []
    for action in unfinished:
        before = running.get(action.owner_id, Decimal(0))
        after = before + action.estimate_hours
        available = capacity.get(action.owner_id) if action.owner_id else None
        fits = (available is None or after <= available) and (money is None or (action.cost or 0) <= money)
        tick = action.pk in ticked if ticked is not None else fits
        if tick and action.owner_id:
            running[action.owner_id] = after
        if tick and money is not None:
            money -= action.cost or 0
        choices.append(CarryChoice(action, before, after, available, fits, tick))
    return choices
