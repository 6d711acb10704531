"""Long lists are bounded: the board shows each column's best cards with "show
all N", the history pages keep their filters while the statistics cover the whole filtered
set, and the CSV streams plain rows."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from hypotheses.models import Hypothesis
from hypotheses.selectors import BOARD_CARDS_PER_COLUMN
from hypotheses.views import HISTORY_PAGE_SIZE
from tests.factories import hypotheses_bulk
from tests.hypotheses.test_history import _bulk

pytestmark = pytest.mark.django_db


def _ideas(team, count, **fields):
    def row(i):
        return {"title": f"Idea {i:03}", "impact": 1 + i % 10}

    hypotheses_bulk(team, count, row, confidence=5, ease=5, author=team.member.user, **fields)


def test_a_column_shows_its_best_cards_and_a_plain_link_to_all_of_them(team, client):
    _ideas(team, 30)
    total = Hypothesis.objects.live().filter(company=team.company, status="idea").count()
    client.force_login(team.tracker.user)
    url = reverse("hypotheses:board", args=[team.company.pk])

    response = client.get(url)
    idea = next(c for c in response.context["columns"] if c.status == "idea")
    assert (len(idea.cards), idea.total) == (BOARD_CARDS_PER_COLUMN, total)
    assert [h.ice for h in idea.cards] == sorted((h.ice for h in idea.cards), reverse=True)
    body = response.content.decode()
    assert f"Show all {total}" in body
    assert 'href="?column=idea&amp;all=1"' in body

    everything = client.get(url, {"column": "idea", "all": "1"})
    idea = next(c for c in everything.context["columns"] if c.status == "idea")
    assert len(idea.cards) == total
    assert "Show the best only" in everything.content.decode()


def test_show_all_keeps_the_filters_and_htmx_gets_only_that_column(team, client):
    _ideas(team, 20, kind="breakthrough")
    client.force_login(team.tracker.user)
    url = reverse("hypotheses:board", args=[team.company.pk])
    body = client.get(url, {"kind": "breakthrough"}).content.decode()
    assert 'href="?kind=breakthrough&amp;column=idea&amp;all=1"' in body

    response = client.get(
        url,
        {"kind": "breakthrough", "column": "idea", "all": "1"},
        headers={"HX-Request": "true", "HX-Target": "column-idea"},
    )
    part = response.content.decode()
    assert "<html" not in part and part.count('class="column ') == 1
    assert part.count('<li class="hcard') == 20 and team.hypothesis.title not in part


def test_cards_link_and_move_without_a_url_lookup_each(team, client):
    client.force_login(team.tracker.user)
    body = client.get(reverse("hypotheses:board", args=[team.company.pk])).content.decode()
    h = team.hypothesis
    assert f'href="{reverse("hypotheses:detail", args=[team.company.pk, h.pk])}"' in body
    move = reverse("hypotheses:transition", args=[team.company.pk, h.pk])
    assert f'action="{move}"' in body and f'hx-post="{move}"' in body
    card = body[body.index(f'id="h-{h.pk}"') :].split("</li>")[0]
    assert '<option value="testing">Testing</option>' in card  # a ready card's targets
    assert '<option value="ready">' not in card


def test_a_move_from_the_board_still_works_without_javascript(team, client):
    client.force_login(team.tracker.user)
    h = team.hypothesis
    response = client.post(
        reverse("hypotheses:transition", args=[team.company.pk, h.pk]), {"to": "testing", "from": "board"}
    )
    assert response.status_code == 302 and response.url == reverse("hypotheses:board", args=[team.company.pk])
    h.refresh_from_db()
    assert h.status == "testing"


def test_history_pages_keep_the_filters_and_the_stats_cover_the_whole_set(team, client):
    _bulk(team, 300)  # 60 of each status; confirmed and refuted are decided
    client.force_login(team.team_lead.user)
    url = reverse("hypotheses:history", args=[team.company.pk])
    first = client.get(url, {"status": "confirmed"})
    assert first.context["page"].paginator.num_pages == 2
    assert len(first.context["page"].object_list) == HISTORY_PAGE_SIZE
    body = first.content.decode()
    assert 'href="?status=confirmed&amp;page=2"' in body
    whole = first.context["stats"]
    assert (whole.total, whole.confirmed, whole.decided) == (60, 60, 60)

    second = client.get(url, {"status": "confirmed", "page": "2"})
    assert len(second.context["page"].object_list) == 60 - HISTORY_PAGE_SIZE
    assert all(h.status == "confirmed" for h in second.context["page"].object_list)
    assert second.context["stats"] == whole
    assert 'href="?status=confirmed&amp;page=1"' in second.content.decode()
    assert f'{reverse("hypotheses:history_csv", args=[team.company.pk])}?status=confirmed"' in body


def test_a_page_past_the_end_shows_the_last_one(team, client):
    _bulk(team, 60)
    client.force_login(team.team_lead.user)
    response = client.get(reverse("hypotheses:history", args=[team.company.pk]), {"page": "99"})
    assert response.context["page"].number == 2


def test_the_csv_streams_plain_rows_the_way_it_did(team, client):
    from hypotheses.views import CSV_FIELDS

    _bulk(team, 30)
    Hypothesis.objects.filter(title="Bulk 3").update(learning="=cmd|' /C calc'!A0")
    client.force_login(team.team_lead.user)
    response = client.get(reverse("hypotheses:history_csv", args=[team.company.pk]), {"status": "confirmed"})
    assert isinstance(response, StreamingHttpResponse)
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"), newline="")))
    assert len(CSV_FIELDS) == len(rows[0]) + 1  # the author's name falls back to the e-mail
    expected = list(
        Hypothesis.objects.live()
        .filter(company=team.company, status="confirmed")
        .select_related("constraint", "metric", "author")
        .order_by("-created_at", "-pk")
    )
    assert [row[0] for row in rows[1:]] == [h.title for h in expected]
    first, h = rows[1], expected[0]
    assert first[1:5] == [h.get_kind_display(), h.get_status_display(), h.constraint.title, h.metric.name]
    assert first[8:14] == [
        "Confirmed",
        h.against_numbers_reason,
        str(h.ice),
        str(h.author),
        h.created_at.date().isoformat(),
        h.testing_started_at.date().isoformat(),
    ]
    (bulk3,) = [row for row in rows if row[0] == "Bulk 3"]
    assert bulk3[16] == "'=cmd|' /C calc'!A0"  # still exported as text
