"""The money an innovation's expected change is worth, suggested beside the form's "expected
return per month": once unit economics exists, the money is suggested from it.

The price is the toolkit's: ΔCM per period through the unit-economics input the metric feeds
(tracking.toolkit.selectors.price_of). The form asks for a month, so a week's or a quarter's
ΔCM is converted, and the hint says which period it came from. One query (the business's
unit economics), whatever the data.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tracking.models import Company
from tracking.toolkit import selectors as toolkit
from tracking.toolkit.models import Period

# How many of a period make a month (a year of 52 weeks, 12 months, 4 quarters).
PERIODS_PER_MONTH = {
    Period.MONTH: Decimal(1),
    Period.WEEK: Decimal(52) / Decimal(12),
    Period.QUARTER: Decimal(1) / Decimal(3),
}
CENT = Decimal("0.01")


class State:
    BREAKTHROUGH = "breakthrough"  # a long shot has a budget cap, not a return
    NO_METRIC = "no_metric"  # no metric chosen yet
    NO_ECONOMICS = "no_economics"  # the business has no unit economics
    NOT_MAPPED = "not_mapped"  # the metric feeds no unit-economics input
    NO_EXPECTED = "no_expected"  # nothing to price yet: no expected value
    PRICED = "priced"


@dataclass(frozen=True)
class ReturnHint:
    state: str
    period: str = Period.MONTH
    per_period: Decimal | None = None  # ΔCM in the unit economics' own period
    per_month: Decimal | None = None  # the same, a month, to the cent
    input_name: str = ""

    @property
    def usable(self) -> bool:
        """A figure the field accepts (a return is never negative)."""
        return self.per_month is not None and self.per_month > 0

    @property
    def period_label(self) -> str:
        return str(Period(self.period).label).lower()


def per_month(amount: Decimal, period: str) -> Decimal:
    return (amount * PERIODS_PER_MONTH.get(period, Decimal(1))).quantize(CENT, rounding=ROUND_HALF_UP)


def return_hint(
    company: Company,
    *,
    breakthrough: bool = False,
    metric_id: int | None,
    baseline: Decimal | None,
    expected_value: Decimal | None,
    expected_multiplier: Decimal | None,
) -> ReturnHint:
    if breakthrough:
        return ReturnHint(State.BREAKTHROUGH)
    if not metric_id:
        return ReturnHint(State.NO_METRIC)
    row = toolkit.unit_economics_of(company)
    if row is None:
        return ReturnHint(State.NO_ECONOMICS)
    mapping = row.mapping()
    if metric_id not in mapping:
        return ReturnHint(State.NOT_MAPPED)
    inputs = toolkit.to_inputs(row)
    price = toolkit.price_of(
        {metric_id: (mapping[metric_id], inputs)},
        metric_id=metric_id,
        baseline=baseline,
        expected_value=expected_value,
        expected_multiplier=expected_multiplier,
    )
    if price is None:
        return ReturnHint(State.NO_EXPECTED, period=row.period, input_name=mapping[metric_id])
    return ReturnHint(
        State.PRICED,
        period=row.period,
        per_period=price.delta_cm,
        per_month=per_month(price.delta_cm, row.period),
        input_name=price.input_name,
    )
