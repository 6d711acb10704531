"""Server-rendered SVG charts: no JavaScript, no CDN, readable at a glance on a phone.

A metric chart marks the weeks a hypothesis on that metric was under test (DESIGN.md §5).
`tracking` does not know hypotheses, so the caller that does passes a marker provider in
(the project's urls.py hands hypotheses' `markers_of_tests` to the metric pages): one query
for all the metrics of a page.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from functools import cached_property

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .numbers import localized_plain, plain, with_unit

WIDTH, HEIGHT = 600, 220
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 80, 12, 20, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    week: date
    value: Decimal


@dataclass(frozen=True)
class Marker:
    """A hypothesis under test on a metric: its weeks, verdict ("" while testing) and page."""

    start: date
    end: date
    verdict: str
    verdict_label: str
    title: str
    url: str


@dataclass(frozen=True)
class Band:
    """A marker placed on a chart."""

    x: float
    width: float
    marker: Marker

    @cached_property
    def span(self) -> str:
        """The weeks under test as read: "31 Aug – 7 Dec" (formatted once per page)."""
        return f"{date_format(self.marker.start, 'j M')} – {date_format(self.marker.end, 'j M')}"


# What marks a chart's weeks, asked of the app above that knows them (hypotheses.selectors
# `markers_of_tests`: the weeks each hypothesis was under test), passed in by the caller:
# metric ids and the first week shown → each metric's markers.
MarkerProvider = Callable[[list[int], date], dict[int, list[Marker]]]
MARKERS_PER_CHART = 12


def markers_for(metric_ids: list[int], since: date, markers: MarkerProvider | None) -> dict[int, list[Marker]]:
    """The markers of these metrics that end on or after `since` (none without a provider)."""
    result: dict[int, list[Marker]] = {metric_id: [] for metric_id in metric_ids}
    if metric_ids and markers is not None:
        for metric_id, found in markers(metric_ids, since).items():
            result.setdefault(metric_id, []).extend(found)
    return result


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
    bands: list[Band] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.points


def nice_ticks(low: Decimal, high: Decimal, count: int = 4) -> list[Decimal]:
    """Axis ticks on round steps (1, 2 or 5 × 10ⁿ) covering low..high, about `count` steps:
    10 / 20 / 30 / 40, not 9,55 / 25,5 / 41,45."""
    raw = (high - low) / count
    step = Decimal(1).scaleb(raw.adjusted())  # 10ⁿ at or below the raw step
    for factor in (1, 2, 5, 10):
        if step * factor >= raw:
            step *= factor
            break
    first = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    last = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    ticks, tick = [], first
    while tick <= last:
        ticks.append(tick.quantize(Decimal(1)) if step >= 1 else tick.normalize())
        tick += step
    return ticks


def _bands(points: list[Point], markers: list[Marker]) -> list[Band]:
    """Each marker as the span of the chart's weeks it covers (half a step either side)."""
    if not points or not markers:
        return []
    step = (points[-1].x - points[0].x) / max(len(points) - 1, 1) if len(points) > 1 else 20
    first, last = points[0].week, points[-1].week + timedelta(days=6)
    bands = []
    for marker in sorted(markers, key=lambda m: m.start)[-MARKERS_PER_CHART:]:
        if marker.end < first or marker.start > last:
            continue
        inside = [p.x for p in points if marker.start - timedelta(days=6) <= p.week <= marker.end]
        if not inside:
            continue
        left = max(PAD_LEFT, min(inside) - step / 2)
        right = min(WIDTH - PAD_RIGHT, max(inside) + step / 2)
        bands.append(Band(x=round(left, 1), width=round(max(right - left, 4), 1), marker=marker))
    return bands


def line_chart(
    values: list[tuple[date, Decimal]], target: Decimal | None = None, markers: list[Marker] | None = None
) -> Chart:
    """Weekly values (oldest first) against an optional target line, with the weeks of
    `markers` (hypotheses under test) shaded."""
    numbers = [v for _, v in values] + ([target] if target is not None else [])
    if not values:
        return Chart(WIDTH, HEIGHT, [], "", None, [], [], None, None)
    low, high = min(numbers), max(numbers)
    if low == high:
        low, high = low - 1, high + 1
    ticks = nice_ticks(low, high)
    low, high = ticks[0], ticks[-1]
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
    y_labels = [(y_of(v), v) for v in reversed(ticks)]
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
        bands=_bands(points, markers or []),
    )


VERDICT_FILL = {"confirmed": "#12b76a", "refuted": "#f04438", "inconclusive": "#98a2b3"}
TESTING_FILL = "#2e90fa"


def chart_svg(chart: Chart, name: str) -> SafeString:
    """The chart's SVG for a metric called `name`, built in one pass: numbers by the one number
    helper, dates formatted once, text escaped; coordinates are plain floats."""
    width, height = chart.width, chart.height
    number = localized_plain()
    label = escape(_("%(name)s by week") % {"name": name})
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img"\n     aria-label="{label}">\n']
    for y, tick in chart.y_labels:
        parts.append(
            f'  <line class="grid" x1="{PAD_LEFT}" x2="{width}" y1="{y}" y2="{y}"/>\n'
            f'  <text class="axis" x="{PAD_LEFT - 6}" y="{y}" text-anchor="end" dominant-baseline="middle">'
            f"{number(tick)}</text>\n"
        )
    if chart.target_y is not None:
        y = chart.target_y
        parts.append(
            f'  <line class="target" x1="{PAD_LEFT}" x2="{width}" y1="{y}" y2="{y}"/>\n'
            f'  <text class="target-label" x="{width}" y="{y}" dy="-4" text-anchor="end">{escape(_("target"))}</text>\n'
        )
    band_height = height - PAD_TOP - PAD_BOTTOM
    for band in chart.bands:
        marker = band.marker
        parts.append(
            f'<a href="{escape(marker.url)}" class="test-marker verdict-{escape(marker.verdict or "testing")}">'
            f'<rect x="{band.x}" y="{PAD_TOP}" width="{band.width}" height="{band_height}" '
            f'fill="{VERDICT_FILL.get(marker.verdict, TESTING_FILL)}" fill-opacity="0.15">'
            f"<title>{escape(marker.title)}: {escape(marker.verdict_label)} ({escape(band.span)})</title></rect></a>"
        )
    parts.append(f'\n  <polyline class="line" points="{chart.polyline}"/>\n  ')
    parts.extend(
        f'<circle class="dot" cx="{p.x}" cy="{p.y}" r="3">'
        f"<title>{p.week.isoformat()}: {number(p.value)}</title></circle>"
        for p in chart.points
    )
    parts.append("\n")
    for i, (x, week) in enumerate(chart.x_labels):
        anchor = "start" if i == 0 else "end"
        day = escape(date_format(week, "j M"))
        parts.append(f'  <text class="axis" x="{x}" y="{height - 8}" text-anchor="{anchor}">{day}</text>\n')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped; numbers and dates are digits


def chart_html(chart: Chart, *, name: str, unit: str, target: Decimal | None, target_date: date | None) -> SafeString:
    """A metric's chart block: the SVG, the latest value against last week's and the target,
    and the list of tests marked on it; a line saying there is nothing yet for no values."""
    if chart.empty:
        empty = escape(_("No values yet. Enter this week's value to start the chart."))
        return mark_safe(f'<p class="empty">{empty}</p>')  # escaped above
    summary = [f"<strong>{escape(with_unit(chart.latest.value, unit))}</strong>"]
    if chart.previous:
        previous = _("last week %(value)s") % {"value": escape(plain(chart.previous.value, localize=True))}
        summary.append(f'<span class="muted">{previous}</span>')
    if target is not None:
        line = _("target %(value)s") % {"value": escape(plain(target, localize=True))}
        if target_date:
            line += " " + _("by %(date)s") % {"date": escape(date_format(target_date, "j M Y"))}
        summary.append(f'<span class="muted">· {line}</span>')
    parts = [chart_svg(chart, name), '\n<p class="chart-summary">\n  ', "\n  ".join(summary), "\n</p>\n"]
    if chart.bands:
        parts.append('<ul class="chart-markers">')
        parts.extend(
            f'<li><a href="{escape(band.marker.url)}">{escape(band.marker.title)}</a> — '
            f'{escape(band.marker.verdict_label)} <span class="muted">{escape(band.span)}</span></li>'
            for band in chart.bands
        )
        parts.append("</ul>\n")
    return mark_safe("".join(parts))  # values escaped above; translations as {% blocktranslate %} puts them
