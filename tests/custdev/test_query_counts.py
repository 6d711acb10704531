"""Fixed query counts: the interview list and the synthesis page for 10 and 1,000
interviews, the learnings library and "tried before" for 10 and 5,000 decided hypotheses.
The large sets are built with bulk_create."""

import pytest
from django.urls import reverse

from tests import clock
from tests.custdev.factories import TagFactory
from tests.factories import hypotheses_bulk
from tracking.custdev.models import Highlight, Interview

pytestmark = pytest.mark.django_db

# Pinned: session and user, membership, the page's own reads (see each test).
INTERVIEW_LIST_QUERIES = 5  # session, user, membership; count, one page of interviews
SYNTHESIS_QUERIES = 7  # session, user, membership; threshold, tags, quotes (one cursor), insights
LIBRARY_QUERIES = 4  # session, user; one page (and one row more: is there an older page?), the user's businesses
TRIED_BEFORE_QUERIES = 3  # session, user; the alike ones


def _interviews(team, count: int) -> None:
    """`count` interviews, each with one quote under one of three tags, by 1,000s."""
    tags = [TagFactory(company=team.company, name=f"tag {n}") for n in range(3)]
    interviews = Interview.objects.bulk_create(
        Interview(
            company=team.company,
            held_on=clock.today(),
            interviewee_name=f"Person {n}",
            segment=f"Segment {n % 4}",
            interviewee_role="Buyer",
            interviewer=team.member,
            consent=True,
            story="The measurer came a week later.",
        )
        for n in range(count)
    )
    highlights = Highlight.objects.bulk_create(
        Highlight(interview=interview, quote=f"Same day, please ({n})") for n, interview in enumerate(interviews)
    )
    Highlight.tags.through.objects.bulk_create(
        Highlight.tags.through(highlight=highlight, tag=tags[n % 3]) for n, highlight in enumerate(highlights)
    )


def _decided(team, count: int) -> None:
    def row(n):
        verdict = "refuted" if n % 2 else "confirmed"
        return {"title": f"Money-back guarantee {n}", "status": verdict, "verdict": verdict, "measured_value": n}

    hypotheses_bulk(
        team,
        count,
        row,
        statement="If we promise a money-back guarantee, conversion grows",
        learning="Guarantees did not move conversion",
        decided_at=clock.now(),
    )


def _queries(client, url, data=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("count", [10, 1000])
def test_interview_list(team, client_for, count):
    _interviews(team, count)
    client = client_for(team.member)
    url = reverse("custdev:interviews", args=[team.company.pk])
    client.get(url)  # warm the session
    assert _queries(client, url) == INTERVIEW_LIST_QUERIES
    assert _queries(client, url, {"page": 3}) == INTERVIEW_LIST_QUERIES


@pytest.mark.parametrize("count", [10, 1000])
def test_synthesis_page(team, client_for, count):
    _interviews(team, count)
    client = client_for(team.member)
    url = reverse("custdev:synthesis", args=[team.company.pk])
    client.get(url)
    assert _queries(client, url) == SYNTHESIS_QUERIES


@pytest.mark.parametrize("count", [10, 5000])
def test_library_and_tried_before(team, client_for, count):
    _decided(team, count)
    client = client_for(team.tracker)
    url = reverse("hypotheses:library")
    client.get(url)
    assert _queries(client, url) == LIBRARY_QUERIES
    assert _queries(client, url, {"q": "guarantee", "verdict": "refuted", "page": 2}) == LIBRARY_QUERIES
    tried = reverse("hypotheses:tried_before")
    assert _queries(client, tried, {"title": "money-back guarantee"}) == TRIED_BEFORE_QUERIES
