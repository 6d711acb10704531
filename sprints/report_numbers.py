"""The numbers a sprint report shows (ReportNumbers), as sprints.rollups computes them and
SprintReport.data stores them: plain dataclasses that import nothing of the product, so the
models, the roll-ups and the capacity can all read them.
"""

from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal

# What a stored report holds. A report written by an older layout lacks what the page lists (its
# actions, money, hypotheses kept in test…), so it is computed again when it is read.
REPORT_LAYOUT = 2


@dataclass(frozen=True)
class OwnerHours:
    name: str
    planned_hours: str | None
    done_hours: str | None
    available_hours: str | None
    use_percent: int | None


@dataclass(frozen=True)
class ActionLine:
    """One action as the report lists it; `status` is the stored value, labelled when shown."""

    title: str
    owner: str  # "" without an owner
    estimate_hours: str
    cost: str | None
    status: str
    result_note: str = ""
    why_not_note: str = ""


@dataclass(frozen=True)
class HypothesisLine:
    """A hypothesis tested in the sprint (or kept in test at its review): its verdict (a
    Verdict value, "" or None without one), what was measured against the baseline and the
    expected value, and what the pre-registered numbers said when they disagreed."""

    title: str
    verdict: str | None
    measured: str | None
    metric: str = ""
    unit: str = ""
    baseline: str | None = None
    expected: str | None = None
    numbers_verdict: str = ""
    against_numbers_reason: str = ""
    kept_in_test: bool = False


@dataclass(frozen=True)
class KeyMetric:
    name: str
    unit: str
    latest: str | None
    previous: str | None
    week_over_week: str | None
    target: str | None
    to_target: str | None
    higher_is_better: bool
    at_start: str | None = None  # the last value of a week begun before the sprint started
    at_end: str | None = None  # the last value of a week begun during the sprint
    sprint_change: str | None = None  # at_end − at_start


@dataclass(frozen=True)
class ReportNumbers:
    """What a sprint report shows. Hours and metric values are decimal strings, as stored."""

    actions_planned: int = 0
    actions_done: int = 0
    actions_not_done: int = 0
    hours_planned: str | None = None
    hours_done: str | None = None
    capacity_use_percent: int | None = None
    owners: list[OwnerHours] = field(default_factory=list)
    override_reason: str = ""
    hypotheses_tested: int = 0
    hypotheses_confirmed: int = 0
    hypotheses_refuted: int = 0
    hypotheses_inconclusive: int = 0
    hypotheses: list[HypothesisLine] = field(default_factory=list)
    key_metric: KeyMetric | None = None
    actions: list[ActionLine] = field(default_factory=list)
    kept_in_test: list[HypothesisLine] = field(default_factory=list)
    budget: str | None = None
    cost_planned: str | None = None  # Σ cost of every action
    cost_spent: str | None = None  # Σ cost of the actions done
    layout: int = 0  # REPORT_LAYOUT when it was computed; 0: a report of before

    def to_json(self) -> dict:
        return asdict(self)

    @property
    def budget_left(self) -> Decimal | None:
        """The budget less what the actions done cost (negative: over budget); None without a budget."""
        if self.budget is None:
            return None
        return Decimal(self.budget) - Decimal(self.cost_spent or 0)

    @property
    def budget_over(self) -> Decimal | None:
        """How much the actions done cost beyond the budget; None when within it or without one."""
        left = self.budget_left
        return -left if left is not None and left < 0 else None

    @classmethod
    def from_json(cls, data: dict) -> "ReportNumbers":
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        values["owners"] = [OwnerHours(**o) for o in values.get("owners", [])]
        values["hypotheses"] = [HypothesisLine(**h) for h in values.get("hypotheses", [])]
        values["kept_in_test"] = [HypothesisLine(**h) for h in values.get("kept_in_test", [])]
        values["actions"] = [ActionLine(**a) for a in values.get("actions", [])]
        if values.get("key_metric"):
            values["key_metric"] = KeyMetric(**values["key_metric"])
        return cls(**values)
