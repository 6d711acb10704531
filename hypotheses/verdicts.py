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


def numbers_verdict(hypothesis, measured: Decimal | None) -> str:
    """What a hypothesis's pre-registered numbers say of a measured value ("" when they cannot
    say: no metric, baseline, expected value or measurement)."""
    if measured is None or hypothesis.baseline is None or hypothesis.expected_value is None or not hypothesis.metric_id:
        return ""
    return suggest_verdict(
        baseline=hypothesis.baseline,
        expected=hypothesis.expected_value,
        measured=measured,
        higher_is_better=hypothesis.metric.higher_is_better,
    )


def goes_against(verdict: str, numbers: str) -> bool:
    """Confirming what the numbers do not confirm, or refuting what they confirm. Calling a
    result inconclusive is never against them: it only asks for more evidence."""
    if not numbers:
        return False
    if verdict == Verdict.CONFIRMED:
        return numbers != Verdict.CONFIRMED
    if verdict == Verdict.REFUTED:
        return numbers == Verdict.CONFIRMED
    return False
