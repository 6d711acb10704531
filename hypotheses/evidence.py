"""A hypothesis grown from customer interviews: one step from an insight, with
its evidence ("based on N interviews") and an ICE confidence suggested from it."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import ngettext

from tracking.custdev.models import Highlight, Insight
from tracking.custdev.selectors import insight_quotes
from tracking.models import ConstraintStatus, Membership

from . import services
from .models import Hypothesis

# Interviews are evidence, but weaker than a test: they never suggest more than 8 of 10.
CONFIDENCE_STEPS = ((12, 8), (8, 7), (5, 6), (3, 5), (1, 4))
CONFIDENCE_WITHOUT_EVIDENCE = 3


def suggested_confidence(people: int) -> int:
    """ICE confidence from how many people said it: 1–2 → 4, 3–4 → 5, 5–7 → 6, 8–11 → 7, 12+ → 8."""
    for at_least, confidence in CONFIDENCE_STEPS:
        if people >= at_least:
            return confidence
    return CONFIDENCE_WITHOUT_EVIDENCE


def _statement(insight: Insight, language: str) -> str:
    """The hypothesis's statement, written in the business's language (not the reader's)."""
    with translation.override(language):
        return ngettext(
            "If we act on what %(people)s customer told us (“%(insight)s”), then the main constraint eases, "
            "because this is what they choose by.",
            "If we act on what %(people)s customers told us (“%(insight)s”), then the main constraint eases, "
            "because this is what they choose by.",
            insight.people,
        ) % {"people": insight.people, "insight": insight.sentence}


def hypothesis_of_insight(insight: Insight) -> Hypothesis | None:
    """The live hypothesis already made from the insight (the newest), if any."""
    return Hypothesis.objects.live().filter(insight=insight).order_by("-pk").first()


@transaction.atomic
def hypothesis_from_insight(*, insight: Insight, by: Membership) -> Hypothesis:
    """One step: a hypothesis (an idea) that carries the insight as its evidence, under the
    active constraint, with the confidence its evidence suggests. Created through the
    hypothesis service, so the rules and the history are the same as for any other.
    An insight already made into a live hypothesis gives that one (a double tap on the button,
    two people at once: the insight row is locked), as the synthesis page links to it."""
    Insight.objects.select_for_update().filter(pk=insight.pk).first()
    existing = hypothesis_of_insight(insight)
    if existing is not None:
        return existing
    constraint = by.company.constraints.filter(status=ConstraintStatus.ACTIVE).first()
    hypothesis = services.hypothesis_create(
        by=by,
        title=insight.sentence[:200],
        statement=_statement(insight, by.company.language),
        kind="innovation",
        constraint=constraint,
        confidence=suggested_confidence(insight.people),
    )
    Hypothesis.objects.filter(pk=hypothesis.pk).update(insight=insight)
    hypothesis.insight = insight
    return hypothesis


def evidence_quotes(hypothesis: Hypothesis) -> list[Highlight]:
    return insight_quotes(hypothesis.insight_id) if hypothesis.insight_id else []
