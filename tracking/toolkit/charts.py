"""Server-side SVG geometry for the toolkit (no Django): sparklines and the sensitivity bars."""

from dataclasses import dataclass
from decimal import Decimal

SPARK_W, SPARK_H = 120, 28
BAR_W, BAR_ROW, BAR_LABEL = 600, 34, 190


def sparkline(values: list[Decimal | None], width: int = SPARK_W, height: int = SPARK_H) -> list[str]:
    """Polyline point lists ("x,y x,y"), one per run of defined values (a gap breaks the line)."""
    defined = [v for v in values if v is not None]
    if not defined:
        return []
    low, high = min(defined), max(defined)
    span = (high - low) or Decimal(1)
    step = width / max(len(values) - 1, 1)
    runs, run = [], []
    for i, value in enumerate(values):
        if value is None:
            if run:
                runs.append(run)
            run = []
            continue
        y = 2 + float((high - value) / span) * (height - 4)
        run.append(f"{round(i * step, 1)},{round(y, 1)}")
    if run:
        runs.append(run)
    return [" ".join(r) if len(r) > 1 else f"{r[0]} {r[0]}" for r in runs]


@dataclass(frozen=True)
class Bar:
    name: str
    value: Decimal
    x: float
    y: float
    width: float
    positive: bool


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    zero_x: float
    bars: list[Bar]


def bar_chart(rows: list[tuple[str, Decimal]]) -> BarChart:
    """Horizontal bars from a zero line, longest |value| filling the plot."""
    plot = BAR_W - BAR_LABEL - 10
    largest = max((abs(v) for _, v in rows), default=Decimal(0)) or Decimal(1)
    has_negative = any(v < 0 for _, v in rows)
    has_positive = any(v > 0 for _, v in rows)
    zero = BAR_LABEL + (plot / 2 if has_negative and has_positive else (plot if has_negative else 0))
    scale = plot / 2 if has_negative and has_positive else plot
    bars = []
    for i, (name, value) in enumerate(rows):
        length = float(abs(value) / largest) * scale
        bars.append(
            Bar(
                name=name,
                value=value,
                x=round(zero if value >= 0 else zero - length, 1),
                y=i * BAR_ROW + 6,
                width=round(max(length, 1), 1),
                positive=value >= 0,
            )
        )
    return BarChart(width=BAR_W, height=len(rows) * BAR_ROW + 8, zero_x=round(zero, 1), bars=bars)
