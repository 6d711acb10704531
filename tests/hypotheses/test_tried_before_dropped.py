""" "Tried before" and the learnings library remember what was dropped, and why: a dropped idea
shows with its reason, a verdict that went against its numbers shows that and its reason, and
a typed title finds what was tried by its statement and its learning too, never in another
tracker's business."""

import csv
import io

import pytest
from django.db import connection
from django.urls import reverse

from hypotheses import library
from tests import clock
from tests.factories import CompanyFactory, HypothesisFactory, MembershipFactory, decided_hypothesis

pytestmark = pytest.mark.django_db

RADIO = "Реклама на местном радио"
RADIO_REASON = "Эфир стоит как три месяца рекламы в сети, а слушают его пенсионеры"


def _dropped(company, title, reason, **fields):
    return HypothesisFactory(company=company, title=title, status="dropped", drop_reason=reason, **fields)


@pytest.fixture
def shelves(team, foreign_team):
    """The tracker's two businesses, and somebody else's with the same ideas."""
    dubrava = CompanyFactory(name="«Дубрава»")
    MembershipFactory(company=dubrava, user=team.tracker.user, role="tracker")
    return {
        "radio": _dropped(dubrava, RADIO, RADIO_REASON, statement="Если дать рекламу на радио, звонков станет больше"),
        "by_statement": decided_hypothesis(
            team.company,
            "Flyers at the bus stop",
            statement="If we hand out leaflets to commuters at the bus stop, inbound calls double",
            learning="Commuters threw them away",
        ),
        "by_learning": decided_hypothesis(
            team.company,
            "Outbound calls to old clients",
            "refuted",
            statement="If we call clients of last year, repeat orders grow",
            learning="Old clients wanted a warranty extension, not a discount",
        ),
        "against": decided_hypothesis(
            team.company,
            "Free delivery over 5,000",
            "refuted",
            numbers_verdict="confirmed",
            against_numbers_reason="The growth came from a holiday week, not from the offer",
        ),
        "foreign_radio": _dropped(foreign_team.company, "Реклама на радио Зета", "Zeta secret radio reason"),
    }


def _titles(rows):
    return [row.title for row in rows]


def _box(client, title):
    return client.get(reverse("hypotheses:tried_before"), {"title": title}).content.decode()


def test_a_dropped_idea_is_found_by_a_shorter_title_with_its_reason(team, shelves, client_for):
    assert _titles(library.tried_before(team.tracker.user, "Реклама на радио")) == [RADIO]
    box = _box(client_for(team.tracker), "Реклама на радио")
    assert RADIO in box and RADIO_REASON in box
    item = box[box.index(RADIO) :]
    assert "dropped" in item.lower() and "Why it was dropped" in item


def test_a_typed_title_matches_the_statement_of_what_was_tried(team, shelves, client_for):
    assert _titles(library.tried_before(team.tracker.user, "Leaflets for commuters")) == ["Flyers at the bus stop"]
    box = _box(client_for(team.tracker), "Leaflets for commuters")
    assert "Flyers at the bus stop" in box and "hand out leaflets to commuters" in box


def test_a_typed_title_matches_what_was_learned(team, shelves):
    assert _titles(library.tried_before(team.tracker.user, "Warranty extension")) == ["Outbound calls to old clients"]


def test_alike_titles_come_before_matches_in_the_text(team, shelves):
    """“Radio” in the title of one and in the statement of another: the title first."""
    decided_hypothesis(team.company, "Radio jingle", statement="A jingle on the radio", learning="Nobody remembered it")
    decided_hypothesis(team.company, "Podcast sponsorship", statement="Radio jingle listeners moved to podcasts")
    assert _titles(library.tried_before(team.tracker.user, "Radio jingle")) == ["Radio jingle", "Podcast sponsorship"]


def test_a_verdict_against_its_numbers_shows_that_and_why(team, shelves, client_for):
    client = client_for(team.tracker)
    box = _box(client, "Free delivery over 5000")
    assert "Free delivery over 5,000" in box
    assert "The growth came from a holiday week, not from the offer" in box
    assert "The numbers said “Confirmed”" in box
    page = client.get(reverse("hypotheses:library"), {"q": "delivery"}).content.decode()
    assert "The growth came from a holiday week, not from the offer" in page and "Against the numbers" in page


def test_another_trackers_dropped_idea_is_never_shown(team, foreign_team, shelves, client_for):
    assert "Реклама на радио Зета" not in _titles(library.tried_before(team.tracker.user, "Реклама на радио Зета"))
    assert "Реклама на радио Зета" not in _titles(library.tried_before(team.tracker.user, "Zeta secret radio reason"))
    client = client_for(team.tracker)
    for title in ("Реклама на радио", "Реклама на радио Зета", "Zeta secret radio reason"):
        box = _box(client, title)
        assert "Зета" not in box and "Zeta" not in box
    page = client.get(reverse("hypotheses:library"), {"verdict": "dropped"}).content.decode()
    assert RADIO in page and "Зета" not in page and "Zeta" not in page
    # Its own tracker does see it.
    assert _titles(library.tried_before(foreign_team.tracker.user, "Реклама на радио")) == ["Реклама на радио Зета"]


def test_the_library_lists_dropped_ideas_with_their_reason(team, shelves, client_for):
    client = client_for(team.tracker)
    page = client.get(reverse("hypotheses:library")).content.decode()
    assert RADIO in page and RADIO_REASON in page and "Why it was dropped" in page
    dropped = library.library(team.tracker.user, library.LibraryFilters(verdict="dropped"))
    assert _titles(dropped) == [RADIO]
    refuted = library.library(team.tracker.user, library.LibraryFilters(verdict="refuted"))
    assert RADIO not in _titles(refuted)
    # An open idea is not a learning yet.
    assert team.hypothesis.title not in page


def test_the_csv_has_the_dropped_ideas_and_the_reasons(team, shelves, client_for):
    response = client_for(team.tracker).get(reverse("hypotheses:library_csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Why it was dropped", "Against the numbers, because"]
    by_title = {row[1]: row for row in rows[1:]}
    assert by_title[RADIO][3] == "Dropped" and by_title[RADIO][-2] == RADIO_REASON
    against = by_title["Free delivery over 5,000"]
    assert against[3] == "Refuted" and against[-1] == "The growth came from a holiday week, not from the offer"
    assert not any("Zeta" in cell or "Зета" in cell for row in rows for cell in row)


def test_the_library_searches_the_reasons_in_either_language(team, shelves):
    """The stored documents hold why it was dropped and why the verdict went against its
    numbers (hypotheses/migrations/0001_squashed_0009): a word of a reason finds it, in another form."""
    found = library.library(team.tracker.user, library.LibraryFilters(q="пенсионер"))
    assert _titles(found) == [RADIO]
    found = library.library(team.tracker.user, library.LibraryFilters(q="holidays"))
    assert _titles(found) == ["Free delivery over 5,000"]


def test_tried_before_reads_through_the_indexes(team, shelves):
    """Both parts of the one query are answered by indexes, at a backlog where that matters:
    the titles' GiST trigram index (nearest first) and, for words few rows hold, the
    documents' GIN indexes; not every row of the businesses read and scored."""
    from django.test.utils import CaptureQueriesContext

    from hypotheses.models import Hypothesis

    words = ["Скидка", "Доставка", "Гарантия", "Discount", "Delivery", "Referral", "Замер", "Подписка"]
    Hypothesis.objects.bulk_create(
        Hypothesis(
            company=team.company,
            title=f"{words[n % len(words)]} {n}",
            statement=f"{words[(n + 3) % len(words)]} {n}",
            status="refuted",
            verdict="refuted",
            decided_at=clock.now(),
        )
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        # As after autovacuum: the rows just written moved from the GIN indexes' pending lists.
        for index in ("hypothesis_fts_ru", "hypothesis_fts_en"):
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as queries:
        library.tried_before(team.tracker.user, "Реклама на радио")
    assert len(queries) == 1
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + queries[0]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("hypothesis_title_trgm_gist", "hypothesis_fts_ru", "hypothesis_fts_en"):
        assert index in plan, plan


def test_the_box_costs_the_same_for_many_dropped_ideas(team, shelves, client_for, django_assert_max_num_queries):
    for n in range(30):
        _dropped(team.company, f"Реклама на радио {n}", f"Причина {n}")
    client = client_for(team.tracker)
    with django_assert_max_num_queries(3):  # session, user; the alike ones
        box = _box(client, "Реклама на радио")
    assert box.count('class="tried-before-item') == library.TRIED_BEFORE_LIMIT
