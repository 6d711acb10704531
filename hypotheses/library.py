"""The learnings library: every decided or dropped hypothesis of the businesses a
user belongs to, searchable in Russian and English, and "tried before" for a new title.

The search is full-text with each language's configuration (a word matches
its other forms: "гарантию" finds "гарантия") over a stored document per language: title,
statement, what was learned, why it was dropped and why its verdict went against its numbers
(the generated columns search_ru and search_en, parsed once when a hypothesis is written, with
GIN indexes). "Tried before" is trigram similarity of the titles, nearest first through a GiST
index (pg_trgm), together with the same full-text match of every typed word anywhere in that
document.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import (
    TrigramSimilarity,
    TrigramWordDistance,
    TrigramWordSimilarity,
)
from django.db.models import BooleanField, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from tracking.models import Constraint, Membership, Metric, User

from .models import Hypothesis, Status
from .selectors import narrowed

SEARCH_CONFIGS = ("russian", "english")
# The library's "outcome" filter: a verdict, or dropped.
DROPPED = Status.DROPPED.value
LIBRARY_PAGE_SIZE = 50
TRIED_BEFORE_LIMIT = 5
# pg_trgm's default thresholds (pg_trgm.similarity_threshold, word_similarity_threshold).
SIMILARITY, WORD_SIMILARITY = 0.3, 0.6


def search_column(config: str) -> str:
    """The stored, generated column that holds a language's search document."""
    return f"search_{config[:2]}"


@dataclass(frozen=True)
class LibraryFilters:
    q: str = ""
    verdict: str = ""
    kind: str = ""
    area: str = ""
    company_id: int | None = None


def learned_for(user: User) -> QuerySet[Hypothesis]:
    """What was tried in the user's businesses (accepted memberships), nobody else's: every
    decided hypothesis, and every dropped one (with its reason). `ended_at`: when it was
    decided, or for one dropped untested, when it was last changed (the drop)."""
    companies = Membership.objects.accepted().filter(user=user).values("company_id")
    return _learned_in(companies).select_related("company", "constraint", "metric")


def _learned_in(companies) -> QuerySet[Hypothesis]:
    return (
        Hypothesis.objects.live()
        .filter(company_id__in=companies)
        .filter(~Q(verdict="") | Q(status=Status.DROPPED))
        .annotate(ended_at=Coalesce("decided_at", "updated_at"))
    )


def search(queryset: QuerySet[Hypothesis], text: str) -> QuerySet[Hypothesis]:
    text = text.strip()
    if not text:
        return queryset
    return queryset.filter(Q(_document_match(text, "websearch_to_tsquery")))


def _document_sql(text: str, parser: str, template: str) -> tuple[list[str], list]:
    """`template` over each language's stored document (its generated column), with `parser`
    (a PostgreSQL function) making the query of `text` in that language. The queryset's own
    table, unaliased."""
    parts, params = [], []
    for config in SEARCH_CONFIGS:
        column = f'"{Hypothesis._meta.db_table}"."{search_column(config)}"'
        parts.append(template.format(column=column, query=f"{parser}(%s::regconfig, %s)"))
        params += [config, text]
    return parts, params


def _document_match(text: str, parser: str) -> RawSQL:
    """The text's words in a stored document of either language: as a filter, found through
    the documents' GIN indexes, no row's text parsed."""
    parts, params = _document_sql(text, parser, "{column} @@ {query}")
    return RawSQL(f"({' OR '.join(parts)})", params, output_field=BooleanField())


# A learning's constraint area and metric, each looked up by its id (built once: annotate copies).
BESIDE_A_LEARNING = {
    "area": Subquery(Constraint.objects.filter(pk=OuterRef("constraint_id")).values("area")),
    "unit": Subquery(Metric.objects.filter(pk=OuterRef("metric_id")).values("unit")),
    "metric_name": Subquery(Metric.objects.filter(pk=OuterRef("metric_id")).values("name")),
}


def library(user: User, filters: LibraryFilters, *, companies: dict[int, str] | None = None) -> QuerySet[Hypothesis]:
    """The library's rows, newest first, with each one's constraint `area` and metric `unit`
    and `metric_name`. `companies`: library_companies(user), where the caller has it already
    (the page does, for its filter); the statement then names the businesses by id, and reads
    no membership and joins no table: planning the joins cost four times what running it did."""
    if companies is None:
        companies = library_companies(user)
    verdict = {"status": Status.DROPPED} if filters.verdict == DROPPED else {"verdict": filters.verdict}
    queryset = narrowed(
        _learned_in(list(companies)),
        **verdict,
        kind=filters.kind,
        constraint__area=filters.area,
        company_id=filters.company_id,
    ).annotate(**BESIDE_A_LEARNING)
    return search(queryset, filters.q).order_by(F("ended_at").desc(), "-pk")


def library_companies(user: User) -> dict[int, str]:
    """The businesses to filter by, the user's own (accepted memberships): their names by id,
    in the names' order."""
    rows = Membership.objects.accepted().filter(user=user).order_by("company__name")
    return dict(rows.values_list("company_id", "company__name"))


def tried_before(user: User, title: str, *, exclude_id: int | None = None) -> list[Hypothesis]:
    """What was tried in the user's businesses that looks like `title`: decided or dropped
    hypotheses whose titles are alike (most alike first), then the newest whose title,
    statement, learning or reasons hold every word typed. Each row says which: `title_alike`."""
    title = title.strip()
    if len(title) < 3:
        return []
    queryset = learned_for(user).select_related(None).select_related("company")  # the box names the business only
    if exclude_id:
        queryset = queryset.exclude(pk=exclude_id)
    # One query of two bounded parts. Nearest titles first through the GiST trigram index of the
    # titles: only the rows shown are read and scored, however many titles are somewhat alike;
    # word_similarity is the order (a short typed title inside a longer one counts) and
    # pg_trgm's own thresholds decide what is alike enough. Then the newest rows holding every
    # typed word in their stored documents: a rare word through the GIN indexes, a common one
    # by walking the newest rows back until a few match.
    # That part scores nothing (its rows are shown as found by their words; one whose title is
    # alike is among the nearest too): similarity or ts_rank of every match of a common word
    # cost 15 ms or more at 20,000 hypotheses.
    nearest = queryset.annotate(
        whole=TrigramSimilarity("title", title),
        word=TrigramWordSimilarity(title, "title"),
        found=_document_match(title, "plainto_tsquery"),
    ).order_by(TrigramWordDistance(title, "title"))[: TRIED_BEFORE_LIMIT * 2]
    by_words = (
        queryset.filter(Q(_document_match(title, "plainto_tsquery")))
        .annotate(whole=Value(0.0), word=Value(0.0), found=Value(True))
        .order_by("-pk")[:TRIED_BEFORE_LIMIT]
    )
    rows = {}
    for row in nearest.union(by_words, all=True).order_by():  # ordered below
        if row.pk not in rows or max(row.whole, row.word) > rows[row.pk].similarity:
            row.similarity = max(row.whole, row.word)
            rows[row.pk] = row
    alike = []
    for row in rows.values():
        row.title_alike = row.whole >= SIMILARITY or row.word >= WORD_SIMILARITY
        if row.title_alike or row.found:
            alike.append(row)
    alike.sort(key=lambda row: (not row.title_alike, -row.similarity if row.title_alike else 0, -row.pk))
    return alike[:TRIED_BEFORE_LIMIT]
