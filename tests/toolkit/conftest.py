from datetime import timedelta
from decimal import Decimal

import pytest

from tests import clock
from tests.factories import MetricFactory
from tracking.models import MetricValue


def last_monday():
    today = clock.today()
    return today - timedelta(days=today.weekday() + 7)


def build_funnel(company, counts: dict[str, list], weeks: int | None = None):
    """Stages in order with weekly counts ending last week (None = no value that week)."""
    stages = []
    end = last_monday()
    for order, (name, values) in enumerate(counts.items(), start=1):
        metric = MetricFactory(company=company, name=name, unit="", target=None, funnel_stage=order)
        n = len(values)
        MetricValue.objects.bulk_create(
            [
                MetricValue(metric=metric, week_start=end - timedelta(weeks=n - 1 - i), value=Decimal(v))
                for i, v in enumerate(values)
                if v is not None
            ]
        )
        stages.append(metric)
    return stages


@pytest.fixture
def funnel(team):
    # 12 weeks. Leads → measurements 50 % every week: at its best, no extra.
    # Measurements → contracts: 8/20 = 40 % for 8 weeks, then 4/20 = 20 %. Last 4 weeks:
    # 16/80 = 20 % against the best 40 %: gap 2, extra = 16·(2−1) = 16 contracts.
    return build_funnel(
        team.company,
        {
            "leads": [40] * 12,
            "measurements": [20] * 12,
            "contracts": [8] * 8 + [4] * 4,
        },
    )
