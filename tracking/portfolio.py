"""The tracker's portfolio: one card per business.

`tracking` knows the constraint, the key metric and the review time; apps above it (sprints)
add their part through a provider registered at start-up, so the dependency stays one way.
Every provider answers for all companies at once, in a fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from django.utils import timezone

from .models import Constraint, ConstraintStatus, MetricValue

Provider = Callable[[list[int], datetime], dict[int, dict]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _core(company_ids: list[int], now: datetime) -> dict[int, dict]:
    data: dict[int, dict] = defaultdict(dict)
    for company_id, title in Constraint.objects.filter(
        company_id__in=company_ids, status=ConstraintStatus.ACTIVE
    ).values_list("company_id", "title"):
        data[company_id]["constraint"] = title
    trend: dict[int, list] = defaultdict(list)
    for company_id, name, unit, higher, value in (
        MetricValue.objects.filter(
            metric__company_id__in=company_ids,
            metric__is_key=True,
            week_start__gte=(now - timedelta(weeks=8)).date(),
        )
        .order_by("metric__company_id", "-week_start")
        .values_list("metric__company_id", "metric__name", "metric__unit", "metric__higher_is_better", "value")
    ):
        if len(trend[company_id]) < 2:
            trend[company_id].append((name, unit, higher, value))
    for company_id, points in trend.items():
        name, unit, higher, latest = points[0]
        previous = points[1][3] if len(points) > 1 else None
        direction = None
        if previous is not None and latest != previous:
            direction = "up" if latest > previous else "down"
        data[company_id]["metric"] = {
            "name": name,
            "unit": unit,
            "latest": latest,
            "previous": previous,
            "direction": direction,
            "good": None if direction is None else (direction == "up") == higher,
        }
    return data


def overview(company_ids: list[int], now: datetime | None = None) -> dict[int, dict]:
    now = now or timezone.now()
    merged = _core(company_ids, now)
    for provider in _providers:
        for company_id, extra in provider(company_ids, now).items():
            merged[company_id].update(extra)
    return merged
