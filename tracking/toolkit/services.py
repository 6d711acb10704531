"""The toolkit's writes: stage conversions as metrics, the leak as the main constraint,
unit-economics inputs, their mapping to metrics, snapshots."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..access import ensure_can
from ..models import VALUE_DECIMALS, VALUE_MAX_DIGITS, Company, ConstraintArea, Membership, Metric, MetricValue
from ..roles import Permission
from ..selectors import latest_values
from ..services import metrics as metric_services
from ..services.constraints import constraint_replace, why_step_add
from ..weeks import local_today
from . import selectors
from .formatting import percent
from .models import MAPPABLE, ConversionMetric, Snapshot, SnapshotKind, UnitEconomics

CONVERSION_PLACES = Decimal("0.01")
# A metric value holds less than this: a conversion beyond it (a tiny stage under a huge one)
# is as undefined as a division by zero.
VALUE_LIMIT = Decimal(10) ** (VALUE_MAX_DIGITS - VALUE_DECIMALS)


def _conversion_value(upper: Decimal | None, lower: Decimal | None) -> Decimal | None:
    if upper is None or lower is None or upper <= 0:
        return None
    value = (lower / upper * 100).quantize(CONVERSION_PLACES)
    return value if abs(value) < VALUE_LIMIT else None


def conversion_refresh(*, company: Company, weeks: list[date] | None = None) -> None:
    """Derive the weekly values of the company's stage-conversion metrics from their stages'
    counts (for `weeks`, or all weeks): a week where the conversion is undefined has no value.
    A fixed number of queries per conversion metric."""
    for conversion in ConversionMetric.objects.filter(company=company):
        values = MetricValue.objects.filter(metric_id__in=[conversion.upper_id, conversion.lower_id])
        if weeks is not None:
            values = values.filter(week_start__in=weeks)
        counts: dict[date, dict[int, Decimal]] = {}
        for metric_id, week, value in values.values_list("metric_id", "week_start", "value"):
            counts.setdefault(week, {})[metric_id] = value
        derived = {
            week: _conversion_value(pair.get(conversion.upper_id), pair.get(conversion.lower_id))
            for week, pair in counts.items()
        }
        stale = MetricValue.objects.filter(metric_id=conversion.metric_id)
        if weeks is not None:
            stale = stale.filter(week_start__in=weeks)
        stale.exclude(week_start__in=[w for w, v in derived.items() if v is not None]).delete()
        MetricValue.objects.bulk_create(
            [
                MetricValue(metric_id=conversion.metric_id, week_start=w, value=v)
                for w, v in derived.items()
                if v is not None
            ],
            update_conflicts=True,
            unique_fields=["metric", "week_start"],
            update_fields=["value"],
        )


@transaction.atomic  # a refused value (a ValueError) rolls back to here, not the caller's whole transaction
def value_record(*, metric: Metric, by: Membership, value: Decimal, week: date | None = None) -> MetricValue:
    """The core's `metric_value_record`, and a funnel stage's conversions follow its count:
    what every page that enters a weekly value calls."""
    record = metric_services.metric_value_record(metric=metric, by=by, value=value, week=week)
    if metric.funnel_stage is not None:
        conversion_refresh(company=metric.company, weeks=[record.week_start])
    return record


def _stage_pair(company: Company, lower_id) -> tuple[Metric, Metric]:
    stages = selectors.funnel_stages(company)
    ids = [m.pk for m in stages]
    try:
        index = ids.index(int(lower_id))
    except (ValueError, TypeError):
        index = 0
    if index == 0:
        raise ValidationError(_("Pick a stage after the first one."))
    return stages[index - 1], stages[index]


@transaction.atomic
def conversion_metric_ensure(*, by: Membership, lower_id) -> Metric:
    """The conversion into stage `lower_id` from the stage before it, as a metric (created
    the first time, with its whole weekly series)."""
    ensure_can(by, Permission.EDIT_PLANNING)
    company = by.company
    upper, lower = _stage_pair(company, lower_id)
    # Two planners asking at the same moment: the second waits here for the first's metric
    # (without the lock both missed it and the second insert broke the pair's unique index).
    Metric.objects.select_for_update().filter(pk=upper.pk).first()
    existing = selectors.conversion_metric_for(company, upper, lower)
    if existing:
        return existing.metric
    name = _("Conversion %(upper)s → %(lower)s") % {"upper": upper.name, "lower": lower.name}
    try:
        metric = metric_services.metric_create(by=by, name=name[:120], unit="%", higher_is_better=True)
    except ValidationError:  # a metric of that name is typed in by hand: keep it, name this one apart
        apart = _("%(name)s (funnel)") % {"name": name[:110]}
        metric = metric_services.metric_create(by=by, name=apart, unit="%", higher_is_better=True)
    ConversionMetric.objects.create(company=company, upper=upper, lower=lower, metric=metric)
    conversion_refresh(company=company)
    return metric


def _leak_text(funnel: selectors.Funnel) -> tuple[str, str]:
    leak = funnel.analysis.leak
    previous = funnel.analysis.rows[leak.index - 1]
    last = funnel.analysis.rows[-1]
    title = _("Weak conversion %(upper)s → %(lower)s") % {"upper": previous.name, "lower": leak.name}
    why = _(
        "Over %(weeks)s weeks to %(week)s, %(upper)s → %(lower)s converts %(value)s against %(reference)s; "
        "at %(reference)s we would have %(extra)s more %(last)s (%(count)s now)."
    ) % {
        "weeks": funnel.window,
        "week": funnel.last_week.isoformat(),
        "upper": previous.name,
        "lower": leak.name,
        "value": percent(leak.conversion),
        "reference": percent(leak.reference),
        "extra": leak.extra.quantize(Decimal("0.1")).normalize(),
        "last": last.name,
        "count": last.count.normalize(),
    }
    return title[:300], why


def leak_make_constraint(*, by: Membership, window: int, expected_previous_id: int | None):
    """The funnel's leak becomes the main constraint, its numbers the first why-step. The
    funnel is recomputed here: the numbers are the server's, not what the page sent."""
    ensure_can(by, Permission.EDIT_PLANNING)
    funnel = selectors.funnel(by.company, window)
    if funnel.analysis.leak is None:
        raise ValidationError(_("The funnel shows no leak to name: every stage is at its reference."))
    title, why = _leak_text(funnel)
    with transaction.atomic():
        constraint = constraint_replace(
            by=by,
            title=title,
            area=ConstraintArea.CONVERSION,
            expected_previous_id=expected_previous_id,
            previous_note=_("Replaced from the funnel analysis."),
        )
        why_step_add(constraint=constraint, by=by, answer=why)
    return constraint


# Unit economics -------------------------------------------------------------------------


def _validate_inputs(row) -> None:
    row.full_clean(exclude=["company"])
    if row.cogs > row.avg_price:
        raise ValidationError({"cogs": _("The variable cost is above the average check: every sale loses money.")})


@transaction.atomic
def unit_economics_save(*, by: Membership, expected_version: int | None = None, **inputs) -> UnitEconomics:
    """Save the inputs. With `expected_version` (the version the form opened with), inputs
    saved meanwhile by someone else are not overwritten: the save is refused once."""
    ensure_can(by, Permission.EDIT_PLANNING)
    row = UnitEconomics.objects.select_for_update().filter(company=by.company).first()
    if expected_version is not None and row is not None and row.version != expected_version:
        raise ValidationError(
            _("Someone saved the inputs after you opened this page; yours are kept below. Save again to keep yours."),
            code="stale",
        )
    if row is None:
        row = UnitEconomics(company=by.company)
    else:
        row.version += 1
    for name in UnitEconomics.INPUT_NAMES:
        if name in inputs:
            setattr(row, name, inputs[name])
    row.updated_by = by.user
    _validate_inputs(row)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:  # the business's first inputs, saved by two people at the same moment
        raise ValidationError(
            _("Someone saved this business's inputs at the same moment: look at theirs, then save again.")
        ) from None
    return row


@transaction.atomic
def mapping_save(*, by: Membership, **metrics: Metric | None) -> UnitEconomics:
    """Which metric feeds which input (needs inputs saved first)."""
    ensure_can(by, Permission.EDIT_PLANNING)
    row = UnitEconomics.objects.select_for_update().filter(company=by.company).first()
    if row is None:
        raise ValidationError(_("Save the inputs first."))
    for name in MAPPABLE:
        metric = metrics.get(f"{name}_metric")
        if metric is not None and metric.company_id != by.company_id:
            raise ValidationError({f"{name}_metric": _("Pick a metric of this business.")})
        setattr(row, f"{name}_metric", metric)
    row.save()
    return row


@transaction.atomic
def inputs_pull_from_metrics(*, by: Membership) -> tuple[UnitEconomics, list[str]]:
    """Each mapped input takes its metric's latest value; returns the inputs that changed."""
    ensure_can(by, Permission.EDIT_PLANNING)
    row = UnitEconomics.objects.select_for_update().filter(company=by.company).first()
    if row is None:
        raise ValidationError(_("Save the inputs first."))
    mapping = row.mapping()
    latest = latest_values(list(mapping))
    changed = []
    for metric_id, name in mapping.items():
        if metric_id in latest:
            places = UnitEconomics._meta.get_field(name).decimal_places
            setattr(row, name, latest[metric_id].quantize(Decimal(1).scaleb(-places)))
            changed.append(name)
    row.updated_by = by.user
    _validate_inputs(row)
    row.save()
    return row, changed


@transaction.atomic
def snapshot_save(*, by: Membership, kind: str, label: str, inputs: dict | None = None) -> Snapshot:
    """A dated copy of the saved inputs, or (a "what if") of `inputs` as typed."""
    ensure_can(by, Permission.EDIT_PLANNING)
    if kind not in SnapshotKind.values:
        raise ValidationError({"kind": _("Pick a snapshot or a what-if.")})
    row = UnitEconomics.objects.filter(company=by.company).first()
    if row is None and inputs is None:
        raise ValidationError(_("Save the inputs first."))
    values = dict(inputs) if inputs is not None else row.input_values()
    snapshot = Snapshot(
        company=by.company, kind=kind, label=label.strip(), taken_on=local_today(by.company), created_by=by.user
    )
    for name in Snapshot.INPUT_NAMES:
        if name in values:
            setattr(snapshot, name, values[name])
    _validate_inputs(snapshot)
    snapshot.save()
    return snapshot
