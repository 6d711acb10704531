"""Sales-funnel analysis: the arithmetic only (no Django), so it can be checked by hand.

Stages N₁…Nₙ are weekly counts summed over a window. Per stage: step conversion
cₖ = Nₖ/Nₖ₋₁, drop-off Nₖ₋₁−Nₖ and its rate 1−cₖ, and overall Nₙ/N₁. Since Nₙ = N₁·Πcₖ every
stage has the same elasticity, so each cₖ is compared with its reference (the stage's target
conversion, else its best 4-week value in the last year): gapₖ = referenceₖ/cₖ, and the stage
whose reaching its reference would add most paid customers, Nₙ·(gapₖ−1), is the leak.

Bad data never raises: it is reported as `Problem`s and the affected numbers are None.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

BEST_WINDOW = 4  # weeks in a "best 4-week value"
HISTORY_WEEKS = 52


@dataclass(frozen=True)
class Stage:
    name: str
    weekly: dict[date, Decimal]  # week start → count
    target: Decimal | None = None  # target step conversion, a fraction


@dataclass(frozen=True)
class Problem:
    code: str  # too_few_stages, zero_count, missing_week, larger_than_previous
    stage: str = ""
    previous: str = ""
    weeks: tuple[date, ...] = ()


@dataclass(frozen=True)
class StageRow:
    index: int  # 0-based
    name: str
    count: Decimal
    previous_count: Decimal | None  # the previous window's count
    conversion: Decimal | None = None  # cₖ (None for the first stage or when undefined)
    previous_conversion: Decimal | None = None
    change_abs: Decimal | None = None  # conversion − previous conversion
    change_rel: Decimal | None = None  # that change / previous conversion
    drop_off: Decimal | None = None
    drop_rate: Decimal | None = None
    reference: Decimal | None = None
    reference_is_target: bool = False
    gap: Decimal | None = None
    extra: Decimal | None = None  # paid customers gained if this stage reached its reference
    weekly_conversions: tuple[tuple[date, Decimal | None], ...] = ()


@dataclass(frozen=True)
class Analysis:
    rows: list[StageRow]
    problems: list[Problem] = field(default_factory=list)
    overall: Decimal | None = None
    leak: StageRow | None = None

    @property
    def usable(self) -> bool:
        return len(self.rows) >= 2


def weeks_back(last_week: date, count: int) -> list[date]:
    """`count` week starts ending with `last_week`, oldest first."""
    return [last_week - timedelta(weeks=count - 1 - i) for i in range(count)]


def ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def window_sum(stage: Stage, weeks: list[date]) -> Decimal:
    return sum((stage.weekly.get(w, Decimal(0)) for w in weeks), Decimal(0))


def best_conversion(upper: Stage, lower: Stage, weeks: list[date], span: int = BEST_WINDOW) -> Decimal | None:
    """The best conversion upper → lower over any `span` consecutive weeks of `weeks` in which
    both stages have every value and the result is a real conversion (0 < c ≤ 1)."""
    best = None
    for start in range(0, len(weeks) - span + 1):
        block = weeks[start : start + span]
        if any(w not in upper.weekly or w not in lower.weekly for w in block):
            continue
        value = ratio(window_sum(lower, block), window_sum(upper, block))
        if value is not None and 0 < value <= 1 and (best is None or value > best):
            best = value
    return best


def _problems(stages: list[Stage], window: list[date], counts: list[Decimal]) -> list[Problem]:
    problems = []
    for k, stage in enumerate(stages):
        missing = tuple(w for w in window if w not in stage.weekly)
        if missing:
            problems.append(Problem("missing_week", stage=stage.name, weeks=missing))
        if counts[k] == 0:
            problems.append(Problem("zero_count", stage=stage.name))
        if k and counts[k] > counts[k - 1]:
            problems.append(Problem("larger_than_previous", stage=stage.name, previous=stages[k - 1].name))
    return problems


def analyse(stages: list[Stage], window: list[date], previous: list[date], history: list[date]) -> Analysis:
    """The funnel over `window` (week starts), compared with the `previous` window, with
    references from `history` (the weeks of the last year, oldest first) and each stage's
    weekly conversion over the last 12 of those weeks for its sparkline."""
    if len(stages) < 2:
        return Analysis(rows=[], problems=[Problem("too_few_stages")])
    counts = [window_sum(s, window) for s in stages]
    before = [window_sum(s, previous) if previous else None for s in stages]
    spark_weeks = history[-12:]
    rows = [StageRow(index=0, name=stages[0].name, count=counts[0], previous_count=before[0])]
    for k in range(1, len(stages)):
        upper, lower = stages[k - 1], stages[k]
        conversion = ratio(counts[k], counts[k - 1])
        prev_conversion = ratio(before[k], before[k - 1])
        change_abs = conversion - prev_conversion if conversion is not None and prev_conversion is not None else None
        reference = lower.target
        if reference is None:
            reference = best_conversion(upper, lower, history)
        gap = ratio(reference, conversion) if conversion else None
        rows.append(
            StageRow(
                index=k,
                name=lower.name,
                count=counts[k],
                previous_count=before[k],
                conversion=conversion,
                previous_conversion=prev_conversion,
                change_abs=change_abs,
                change_rel=ratio(change_abs, prev_conversion),
                drop_off=counts[k - 1] - counts[k],
                drop_rate=1 - conversion if conversion is not None else None,
                reference=reference,
                reference_is_target=lower.target is not None,
                gap=gap,
                extra=counts[-1] * (gap - 1) if gap is not None and gap > 1 else None,
                weekly_conversions=tuple(
                    (w, ratio(lower.weekly.get(w), upper.weekly.get(w)) if w in lower.weekly else None)
                    for w in spark_weeks
                ),
            )
        )
    candidates = [r for r in rows if r.extra is not None and r.extra > 0]
    leak = max(candidates, key=lambda r: (r.extra, -r.index)) if candidates else None
    return Analysis(
        rows=rows,
        problems=_problems(stages, window, counts),
        overall=ratio(counts[-1], counts[0]),
        leak=leak,
    )
