"""Reads of customer development: lists, the synthesis by tag, evidence of an insight.
Each costs a fixed number of queries whatever the number of interviews."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from tracking.models import Company, Constraint

from .models import THRESHOLD_DEFAULT, CustdevSettings, Highlight, Insight, Interview, Script, Tag

QUOTES_PER_TAG = 6  # the synthesis shows this many quotes per tag, and how many more there are


def insight_threshold(company: Company) -> int:
    value = CustdevSettings.objects.filter(company=company).values_list("insight_threshold", flat=True).first()
    return value or THRESHOLD_DEFAULT


def scripts(company: Company) -> QuerySet[Script]:
    return Script.objects.filter(company=company).select_related("constraint")


def interviews(company: Company) -> QuerySet:
    """The log, newest first, as plain values for a page of rows: (id, held on, interviewee's
    name, role, segment, type, quotes, interviewer's name, e-mail)."""
    # The quotes counted by a subquery per row, not a join grouped over every interview: with a
    # page's LIMIT, PostgreSQL counts them for the page's rows only, and the page's count
    # leaves them out.
    quotes = Highlight.objects.filter(interview=OuterRef("pk")).order_by().values("interview")
    return (
        Interview.objects.filter(company=company)
        .annotate(quote_count=Coalesce(Subquery(quotes.annotate(n=Count("pk")).values("n")), 0))
        .order_by("-held_on", "-pk")
        .values_list(
            "pk",
            "held_on",
            "interviewee_name",
            "interviewee_role",
            "segment",
            "kind",
            "quote_count",
            "interviewer__user__full_name",
            "interviewer__user__email",
        )
    )


def interview_highlights(interview: Interview) -> list[Highlight]:
    return list(interview.highlights.prefetch_related("tags").order_by("position", "pk"))


def tag_names(company: Company) -> list[str]:
    return list(Tag.objects.filter(company=company).values_list("name", flat=True))


_SINCE_SQL = f"SELECT count(*) FROM {Interview._meta.db_table} WHERE company_id = %s AND held_on >= %s"


def interviews_since(constraint: Constraint) -> int:
    """Interviews held since the constraint became the main one (a fixed statement: the business
    page asks it on every view)."""
    with connection.cursor() as cursor:
        cursor.execute(_SINCE_SQL, [constraint.company_id, constraint.started_on])
        return cursor.fetchone()[0]


def _person(name: str, interview_id: int) -> str:
    """Who said it: the same name in two interviews is one person; no name, one interview."""
    return f"name:{name.strip().casefold()}" if name.strip() else f"interview:{interview_id}"


@dataclass
class Quote:
    highlight_id: int
    quote: str
    interview_id: int
    interviewee: str
    segment: str


@dataclass
class TagSummary:
    tag: Tag
    people: int = 0
    quote_count: int = 0
    quotes: list[Quote] = field(default_factory=list)
    segments: list[str] = field(default_factory=list)
    insights: list[Insight] = field(default_factory=list)
    offered: bool = False


def _quote_rows(company: Company):
    through = Highlight.tags.through
    return (
        through.objects.filter(tag__company=company)
        .order_by("tag_id", "-highlight__interview__held_on", "highlight__position", "highlight_id")
        .values_list(
            "tag_id",
            "highlight_id",
            "highlight__quote",
            "highlight__interview_id",
            "highlight__interview__interviewee_name",
            "highlight__interview__interviewee_role",
            "highlight__interview__segment",
        )
    )


def synthesis(company: Company, threshold: int) -> list[TagSummary]:
    """Per tag: distinct interviewees, quotes, segments, its insights, and whether it is
    heard often enough to be offered as an insight. Three queries (tags, quotes, insights),
    most people first."""
    summaries = {tag.pk: TagSummary(tag) for tag in Tag.objects.filter(company=company)}
    people: dict[int, set[str]] = defaultdict(set)
    segments: dict[int, set[str]] = defaultdict(set)
    for tag_id, highlight_id, quote, interview_id, name, role, segment in _quote_rows(company).iterator():
        summary = summaries[tag_id]
        people[tag_id].add(_person(name, interview_id))
        segments[tag_id].add(segment)
        summary.quote_count += 1
        if len(summary.quotes) < QUOTES_PER_TAG:
            summary.quotes.append(Quote(highlight_id, quote, interview_id, name or role, segment))
    # The newest hypothesis made from each insight, by the reverse relation the hypotheses app
    # declares (a name in the query, no import of it).
    made = Insight.objects.filter(company=company, tag__isnull=False).annotate(hypothesis_id=Max("hypotheses__id"))
    for insight in made.order_by("-created_at"):
        summaries[insight.tag_id].insights.append(insight)
    for tag_id, summary in summaries.items():
        summary.people = len(people[tag_id])
        summary.segments = sorted(segments[tag_id])
        summary.offered = summary.people >= threshold
    return sorted(summaries.values(), key=lambda s: (-s.people, s.tag.name.lower()))


@dataclass(frozen=True)
class Evidence:
    people: int
    highlight_ids: list[int]


def tag_evidence(tag: Tag) -> Evidence:
    rows = Highlight.objects.filter(tags=tag).values_list("pk", "interview_id", "interview__interviewee_name")
    ids, people = [], set()
    for pk, interview_id, name in rows:
        ids.append(pk)
        people.add(_person(name, interview_id))
    return Evidence(people=len(people), highlight_ids=ids)


def insight_quotes(insight_id: int) -> list[Highlight]:
    """An insight's quotes with their interviews, for the hypothesis it became."""
    return list(
        Highlight.objects.filter(insights=insight_id)
        .select_related("interview")
        .order_by("-interview__held_on", "position", "pk")
    )


def insights(company: Company) -> QuerySet[Insight]:
    return Insight.objects.filter(company=company).select_related("tag")
