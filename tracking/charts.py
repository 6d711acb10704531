"""Server-rendered SVG charts: no JavaScript, no CDN, readable at a glance on a phone."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

WIDTH, HEIGHT = 600, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 80, 12, 20, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    week: date
    value: Decimal


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    points: list[Point]
    polyline: str
    target_y: float | None
    y_labels: list[tuple[float, Decimal]]
    x_labels: list[tuple[float, date]]
    latest: Point | None
    previous: Point | None

    @property
    def empty(self) -> bool:
        return not self.points


def _nice(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1)) if abs(value) >= 100 else value.quantize(Decimal("0.01")).normalize()


def line_chart(values: list[tuple[date, Decimal]], target: Decimal | None = None) -> Chart:
    """Weekly values (oldest first) against an optional target line."""
    numbers = [v for _, v in values] + ([target] if target is not None else [])
    if not values:
        return Chart(WIDTH, HEIGHT, [], "", None, [], [], None, None)
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - 1, high + 1
    span = high - low
    low, high = low - span * Decimal("0.05"), high + span * Decimal("0.05")
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM

    def y_of(value: Decimal) -> float:
        return round(PAD_TOP + float((high - value) / (high - low)) * plot_h, 1)

    step = plot_w / max(len(values) - 1, 1)
    points = [
        Point(
            x=round(PAD_LEFT + i * step, 1) if len(values) > 1 else PAD_LEFT + plot_w / 2,
            y=y_of(v),
            week=w,
            value=v,
        )
        for i, (w, v) in enumerate(values)
    ]
    y_labels = [(y_of(v), _nice(v)) for v in (high, (high + low) / 2, low)]
    x_labels = [(points[0].x, points[0].week)]
    if len(points) > 1:
        x_labels.append((points[-1].x, points[-1].week))
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        target_y=y_of(target) if target is not None else None,
        y_labels=y_labels,
        x_labels=x_labels,
        latest=points[-1],
        previous=points[-2] if len(points) > 1 else None,
    )
