"""Reads for the toolkit's pages: each a fixed number of queries whatever the history."""

from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal

from ..db import aliased_columns, instance_beside
from ..models import Company, Metric, MetricValue, User
from ..weeks import current_week_start
from . import funnel_math, unit_economics
from .models import ConversionMetric, Snapshot, UnitEconomics

WINDOWS = (1, 4, 12)  # weeks a funnel window may span
HISTORY = funnel_math.HISTORY_WEEKS


def funnel_stages(company: Company) -> list[Metric]:
    return list(Metric.objects.filter(company=company, funnel_stage__isnull=False).order_by("funnel_stage", "pk"))


@dataclass(frozen=True)
class Funnel:
    stages: list[Metric]
    window: int
    last_week: date
    window_weeks: list[date]
    analysis: funnel_math.Analysis
    conversions: dict[int, ConversionMetric]  # lower stage id → its conversion metric


def _stage_values(stages: list[Metric], since: date, until: date) -> dict[int, dict[date, Decimal]]:
    weekly: dict[int, dict[date, Decimal]] = {m.pk: {} for m in stages}
    # Unordered: the values go into dictionaries, and MetricValue's own order would join the
    # metrics and sort by their names.
    rows = (
        MetricValue.objects.filter(metric__in=stages, week_start__gte=since, week_start__lte=until)
        .order_by()
        .values_list("metric_id", "week_start", "value")
    )
    for metric_id, week, value in rows:
        weekly[metric_id][week] = value
    return weekly


def funnel(company: Company, window: int = 4) -> Funnel:
    """The funnel over the last `window` weeks that have data (3 queries): the stages, a year
    and a window of their values, their conversion metrics (whose targets are the stages'
    target conversions)."""
    window = window if window in WINDOWS else 4
    stages = funnel_stages(company)
    this_week = current_week_start(company)
    since = this_week - timedelta(weeks=HISTORY + max(WINDOWS))
    weekly = _stage_values(stages, since, this_week) if stages else {}
    weeks_with_data = [w for values in weekly.values() for w in values]
    last_week = max(weeks_with_data) if weeks_with_data else this_week - timedelta(weeks=1)
    conversions = {
        c.lower_id: c
        for c in ConversionMetric.objects.filter(company=company, lower__in=stages).select_related("metric")
    }
    model_stages = []
    for index, metric in enumerate(stages):
        conversion = conversions.get(metric.pk)
        if conversion and (index == 0 or conversion.upper_id != stages[index - 1].pk):
            conversion = None  # the stages were reordered since; this pair is no longer a step
            conversions.pop(metric.pk)
        target = conversion.metric.target / 100 if conversion and conversion.metric.target is not None else None
        model_stages.append(funnel_math.Stage(metric.name, weekly.get(metric.pk, {}), target))
    window_weeks = funnel_math.weeks_back(last_week, window)
    previous = funnel_math.weeks_back(last_week - timedelta(weeks=window), window)
    history = funnel_math.weeks_back(last_week, HISTORY)
    analysis = funnel_math.analyse(model_stages, window_weeks, previous, history)
    return Funnel(stages, window, last_week, window_weeks, analysis, conversions)


def conversion_metric_for(company: Company, upper: Metric, lower: Metric) -> ConversionMetric | None:
    return ConversionMetric.objects.filter(company=company, upper=upper, lower=lower).select_related("metric").first()


# Unit economics -------------------------------------------------------------------------


_UNIT_ECONOMICS_SQL = f"SELECT * FROM {UnitEconomics._meta.db_table} WHERE company_id = %s ORDER BY id LIMIT 1"


def unit_economics_of(company: Company) -> UnitEconomics | None:
    """The business's unit economics (a fixed statement: the hypothesis board prices its cards
    with them on every view)."""
    found = list(UnitEconomics.objects.raw(_UNIT_ECONOMICS_SQL, [company.pk]))
    if not found:
        return None
    found[0].company = company
    return found[0]


def to_inputs(row) -> unit_economics.Inputs:
    """The arithmetic's inputs from a row of InputFields, each from its field of the same name
    (C1 is stored in %)."""
    values = {field.name: getattr(row, field.name) for field in fields(unit_economics.Inputs)}
    return unit_economics.Inputs(**{**values, "c1": row.c1 / 100})


# The newest snapshots (Snapshot's own order) with who took them, written once: the unit
# economics page lists them on every view.
_SNAPSHOTS_SQL = f"""
SELECT s.*, {aliased_columns(User, "u", "created_by__")}
FROM {Snapshot._meta.db_table} s LEFT JOIN {User._meta.db_table} u ON u.id = s.created_by_id
WHERE s.company_id = %s
ORDER BY s.taken_on DESC, s.id DESC
LIMIT %s
"""


def snapshots_of(company: Company, limit: int = 24) -> list[Snapshot]:
    snapshots = list(Snapshot.objects.raw(_SNAPSHOTS_SQL, [company.pk, limit]))
    for snapshot in snapshots:
        snapshot.company = company
        taken_by = snapshot.created_by_id
        snapshot.created_by = None if taken_by is None else instance_beside(snapshot, User, "created_by__")
    return snapshots


def snapshot_pair(company: Company, ids: list[int]) -> list[Snapshot]:
    found = {s.pk: s for s in Snapshot.objects.filter(company=company, pk__in=ids)}
    return [found[i] for i in ids if i in found]


def mapped_inputs(company: Company) -> dict[int, tuple[str, unit_economics.Inputs]]:
    """metric id → (the unit-economics input it feeds, the business's current inputs): what a
    hypothesis on that metric is priced against. One query."""
    row = unit_economics_of(company)
    if row is None:
        return {}
    inputs = to_inputs(row)
    return {metric_id: (name, inputs) for metric_id, name in row.mapping().items()}


def input_value_from_metric(name: str, value: Decimal) -> Decimal:
    """A metric's value as the input it feeds (C1 metrics are in %)."""
    return value / 100 if name == "c1" else value


@dataclass(frozen=True)
class Price:
    """What a hypothesis is worth if it comes true: ΔCM per period, through the input its
    metric feeds, and the impact score (1–10) that money suggests."""

    input_name: str
    new_value: Decimal  # the input if the hypothesis comes true (C1 as a fraction)
    delta_cm: Decimal
    suggested_impact: int


def price_of(
    mapped: dict[int, tuple[str, unit_economics.Inputs]],
    *,
    metric_id: int | None,
    baseline: Decimal | None,
    expected_value: Decimal | None,
    expected_multiplier: Decimal | None,
) -> Price | None:
    """The input moves by the hypothesis's expected ratio (×multiplier, or expected/baseline);
    with no baseline, the expected value becomes the input. None when there is nothing to price."""
    if metric_id not in mapped:
        return None
    name, inputs = mapped[metric_id]
    current = getattr(inputs, name)
    if expected_multiplier is not None:
        new = current * expected_multiplier
    elif expected_value is not None and baseline:
        new = current * expected_value / baseline
    elif expected_value is not None:
        new = input_value_from_metric(name, expected_value)
    else:
        return None
    delta = unit_economics.delta_cm_if(inputs, name, new)
    impact = unit_economics.suggested_impact(delta, unit_economics.compute(inputs).cm)
    return Price(name, new, delta, impact)
