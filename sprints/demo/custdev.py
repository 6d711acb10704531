"""Seeding the demo's customer interviews: each business's `custdev` data (see
sprints/demo/README.md) through the custdev services, acting as the business's people; an
insight made from a tag and, when asked, the hypothesis made from it. Once per business."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from hypotheses.evidence import hypothesis_from_insight
from hypotheses.models import Hypothesis, HypothesisEvent
from tracking.custdev import services as custdev
from tracking.custdev.models import Insight, Interview, Tag
from tracking.models import Membership


def _member(company, email: str, tracker: Membership) -> Membership:
    if email == "tracker":
        return tracker
    return Membership.objects.select_related("company", "user").get(company=company, user__email=email)


@transaction.atomic
def seed_custdev(data: dict | None, tracker: Membership) -> None:
    company = tracker.company
    if not data or Interview.objects.filter(company=company).exists():
        return
    if data.get("threshold"):
        custdev.threshold_set(by=tracker, value=data["threshold"])
    today = timezone.localdate(timezone=company.tzinfo)
    for item in data.get("interviews", ()):
        interviewer = _member(company, item.get("interviewer", "tracker"), tracker)
        custdev.interview_create(
            by=interviewer,
            held_on=today - timedelta(days=item["days_ago"]),
            kind=item.get("kind", "problem"),
            interviewee_name=item.get("name", ""),
            segment=item["segment"],
            interviewee_role=item["role"],
            interviewer=interviewer,
            consent=True,
            story=item.get("story", ""),
            current_solution=item.get("current_solution", ""),
            tried=item.get("tried", ""),
            decision=item.get("decision", ""),
            commitment=item.get("commitment", ""),
            commitment_note=item.get("commitment_note", ""),
            highlights=[custdev.HighlightInput(quote, tuple(tags)) for quote, tags in item.get("quotes", ())],
        )
    for item in data.get("insights", ()):
        tag = Tag.objects.get(company=company, name=item["tag"])
        insight = custdev.insight_create(by=tracker, tag=tag, sentence=item["sentence"])
        # Made some days ago, like the rest of the demo's history.
        moment = timezone.now() - timedelta(days=item.get("days_ago", 5))
        Insight.objects.filter(pk=insight.pk).update(created_at=moment)
        if item.get("hypothesis"):
            hypothesis = hypothesis_from_insight(insight=insight, by=tracker)
            Hypothesis.objects.filter(pk=hypothesis.pk).update(created_at=moment, updated_at=moment)
            HypothesisEvent.objects.filter(hypothesis=hypothesis).update(at=moment)
