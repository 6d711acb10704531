"""Suggesting a verdict from the pre-registered criteria and the metric's weekly values.

Direction-aware: for a lower-is-better metric (cost per lead) “reaching the expected value”
means going down to it. The person decides; this only suggests.
"""

from dataclasses import dataclass
from decimal import Decimal

from .models import Verdict


@dataclass(frozen=True)
class Suggestion:
    verdict: str
    measured: Decimal

    @property
    def label(self) -> str:
        return Verdict(self.verdict).label


def suggest_verdict(*, baseline: Decimal, expected: Decimal, measured: Decimal, higher_is_better: bool) -> str:
    """confirmed: the expected value is reached; refuted: the metric did not move or moved
    the wrong way; inconclusive: it moved the right way but not far enough."""
    sign = 1 if higher_is_better else -1
    if sign * (measured - expected) >= 0:
        return Verdict.CONFIRMED
    if sign * (measured - baseline) <= 0:
        return Verdict.REFUTED
    return Verdict.INCONCLUSIVE
