"""The learnings library (issue 15): every decided hypothesis of the businesses a user
belongs to, searchable in Russian and English, and "tried before" for a new title.

On PostgreSQL the search is full-text with each language's configuration (a word matches
its other forms: "гарантию" finds "гарантия") over a stored document per language (generated
columns with GIN indexes, hypotheses/migrations/0006), and "tried before" is trigram
similarity, nearest first through a GiST index (pg_trgm, 0005). The embedded SQLite default
has neither: it falls back to matching the beginnings of words.
"""

import difflib
import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchVector,
    TrigramSimilarity,
    TrigramWordDistance,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from tracking.models import Membership, User

from .models import Hypothesis

SEARCH_CONFIGS = ("russian", "english")
SEARCH_FIELDS = ("title", "statement", "learning")
LIBRARY_PAGE_SIZE = 50
TRIED_BEFORE_LIMIT = 5
# pg_trgm's default thresholds (pg_trgm.similarity_threshold, word_similarity_threshold).
SIMILARITY, WORD_SIMILARITY = 0.3, 0.6
# SQLite's fallback: how alike two titles must be (difflib's ratio) to be shown.
FALLBACK_SIMILARITY = 0.35
WORD = re.compile(r"\w+", re.UNICODE)


def search_vector(config: str) -> SearchVector:
    """The one expression the library searches and the migration indexes, per language."""
    return SearchVector(*SEARCH_FIELDS, config=config)


def search_column(config: str) -> str:
    """The stored, generated column that holds a language's search document (PostgreSQL)."""
    return f"search_{config[:2]}"


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class LibraryFilters:
    q: str = ""
    verdict: str = ""
    kind: str = ""
    area: str = ""
    company_id: int | None = None


def decided_for(user: User) -> QuerySet[Hypothesis]:
    """Decided hypotheses of the user's businesses (accepted memberships), nobody else's."""
    companies = Membership.objects.accepted().filter(user=user).values("company_id")
    return (
        Hypothesis.objects.live()
        .filter(company_id__in=companies)
        .exclude(verdict="")
        .select_related("company", "constraint", "metric")
    )


def _words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


def _stem(word: str) -> str:
    """The fallback's idea of a word's stem: a long word without its last two letters, so
    "гарантию" and "гарантия" share "гарант"."""
    return word[:-2] if len(word) > 5 else word


def _fallback_match(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        stem = _stem(word)
        either = Q()
        for variant in {stem, stem.capitalize()}:  # SQLite folds case for ASCII only
            either |= Q(title__icontains=variant) | Q(statement__icontains=variant) | Q(learning__icontains=variant)
        condition &= either
    return condition


def search(queryset: QuerySet[Hypothesis], text: str) -> QuerySet[Hypothesis]:
    text = text.strip()
    if not text:
        return queryset
    if not _is_postgresql():
        return queryset.filter(_fallback_match(_words(text)))
    # The stored document of each language (hypotheses/migrations/0006), indexed by GIN: the
    # words are matched without parsing any row's text. The queryset's own table, unaliased.
    matches = Q()
    for config in SEARCH_CONFIGS:
        column = f'"{Hypothesis._meta.db_table}"."{search_column(config)}"'
        matches |= Q(
            RawSQL(f"{column} @@ websearch_to_tsquery(%s::regconfig, %s)", (config, text), output_field=BooleanField())
        )
    return queryset.filter(matches)


def library(user: User, filters: LibraryFilters) -> QuerySet[Hypothesis]:
    queryset = decided_for(user)
    if filters.verdict:
        queryset = queryset.filter(verdict=filters.verdict)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.area:
        queryset = queryset.filter(constraint__area=filters.area)
    if filters.company_id:
        queryset = queryset.filter(company_id=filters.company_id)
    return search(queryset, filters.q).order_by("-decided_at", "-pk")


def library_companies(user: User) -> list[tuple[int, str]]:
    """The businesses to filter by: the user's own."""
    rows = Membership.objects.accepted().filter(user=user).order_by("company__name")
    return list(rows.values_list("company_id", "company__name"))


def tried_before(user: User, title: str, *, exclude_id: int | None = None) -> list[Hypothesis]:
    """Decided hypotheses of the user's businesses whose titles look like `title`, most
    alike first, with their verdicts and learnings."""
    title = title.strip()
    if len(title) < 3:
        return []
    queryset = decided_for(user)
    if exclude_id:
        queryset = queryset.exclude(pk=exclude_id)
    if _is_postgresql():
        # Nearest first through the GiST trigram index (hypotheses/migrations/0005): only the
        # rows shown are read, however many titles are somewhat alike. word_similarity is the
        # order (a short typed title inside a longer one counts); pg_trgm's own thresholds
        # decide what is alike enough to show.
        nearest = queryset.annotate(
            distance=TrigramWordDistance(title, "title"),
            whole=TrigramSimilarity("title", title),
            word=TrigramWordSimilarity(title, "title"),
        ).order_by("distance")[: TRIED_BEFORE_LIMIT * 2]
        alike = [row for row in nearest if row.whole >= SIMILARITY or row.word >= WORD_SIMILARITY]
        for row in alike:
            row.similarity = max(row.whole, row.word)
        alike.sort(key=lambda row: (-row.similarity, -row.pk))
        return alike[:TRIED_BEFORE_LIMIT]
    return _tried_before_fallback(queryset, title)


def _tried_before_fallback(queryset: QuerySet[Hypothesis], title: str) -> list[Hypothesis]:
    words = [w for w in _words(title) if len(w) > 3]
    if not words:
        return []
    candidates = Q()
    for word in words:
        stem = _stem(word)
        candidates |= Q(title__icontains=stem) | Q(title__icontains=stem.capitalize())
    rows = list(queryset.filter(candidates).order_by("-pk")[:100])
    wanted = title.casefold()
    scored = [(difflib.SequenceMatcher(None, wanted, row.title.casefold()).ratio(), row) for row in rows]
    scored = [(score, row) for score, row in scored if score >= FALLBACK_SIMILARITY or wanted in row.title.casefold()]
    scored.sort(key=lambda pair: -pair[0])
    return [row for _score, row in scored[:TRIED_BEFORE_LIMIT]]
