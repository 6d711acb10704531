"""The page cache (tracking/page_cache.py) on the hypothesis board, the members page and the
history CSV: a second look costs fewer queries and shows the same page; a write through the
services shows on the next look; nobody sees a body kept for another business or role."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses import services as hypothesis_services
from hypotheses.models import Hypothesis, Status
from tracking import services
from tracking.models import Role
from tracking.page_cache import TOKEN_PLACEHOLDER

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
# What each request has of its own: the CSRF token (in the forms and the layout's htmx
# headers) and the layout's script nonce.
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": "| nonce=")[^"]+')


def _get(client, url, data=None, **headers):
    """(queries, status, text) of one GET; a streamed answer is read inside the count."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data, **headers)
        content = b"".join(response.streaming_content) if response.streaming else response.content
    return len(captured), response.status_code, content.decode("utf-8-sig")


def _without_tokens(text: str) -> str:
    return TOKEN.sub(r"\1TOKEN", text)


def _column(page: str, status: str) -> str:
    start = page.index(f'id="column-{status}"')
    return page[start : page.index("</section>", start)]


def _member_row(page: str, membership) -> str:
    start = page.index(f'id="member-{membership.pk}"')
    return page[start : page.index("</li>", start)]


def _seen_twice(client, url, data=None) -> str:
    """The page twice: the second from the cache (fewer queries), the same apart from the
    CSRF token, which is the request's own, not a placeholder."""
    first_queries, first_status, first = _get(client, url, data)
    second_queries, second_status, second = _get(client, url, data)
    assert first_status == second_status == 200
    assert second_queries < first_queries, (first_queries, second_queries)
    assert _without_tokens(second) == _without_tokens(first)
    assert "csrfmiddlewaretoken" in second and TOKEN_PLACEHOLDER not in second
    return second


# --- The hypothesis board ----------------------------------------------------------------------


def test_the_board_is_kept_and_shows_a_move_and_an_edit_at_once(team, client):
    client.force_login(team.team_lead.user)
    url = reverse("hypotheses:board", args=[team.company.pk])
    page = _seen_twice(client, url)
    assert f'id="h-{team.hypothesis.pk}"' in _column(page, Status.READY)

    hypothesis_services.hypothesis_transition(hypothesis=team.hypothesis, by=team.team_lead, to=Status.TESTING)
    _queries, _status, page = _get(client, url)
    assert f'id="h-{team.hypothesis.pk}"' in _column(page, Status.TESTING)
    assert f'id="h-{team.hypothesis.pk}"' not in _column(page, Status.READY)

    moved = Hypothesis.objects.get(pk=team.hypothesis.pk)
    hypothesis_services.hypothesis_update(
        hypothesis=moved, by=team.team_lead, expected_version=moved.version, title="Alpha Bakery: a free first loaf"
    )
    _queries, _status, page = _get(client, url)
    assert "Alpha Bakery: a free first loaf" in page and team.hypothesis.title not in page


def test_each_filter_has_its_own_kept_board(team, client):
    client.force_login(team.team_lead.user)
    url = reverse("hypotheses:board", args=[team.company.pk])
    _get(client, url)
    _queries, _status, page = _get(client, url, {"kind": "breakthrough"})
    assert f'id="h-{team.hypothesis.pk}"' not in page  # an innovation: not the unfiltered board kept


def test_the_boards_htmx_fragments_are_rendered_every_time(team, client):
    client.force_login(team.team_lead.user)
    url = reverse("hypotheses:board", args=[team.company.pk])
    _get(client, url)  # the whole page kept
    first_queries, _status, fragment = _get(client, url, **HTMX, HTTP_HX_TARGET="board")
    second_queries, _status, _fragment = _get(client, url, **HTMX, HTTP_HX_TARGET="board")
    assert fragment.lstrip().startswith('<div id="board"')
    assert second_queries == first_queries


def test_roles_and_businesses_never_see_each_others_board(team, foreign_team, client):
    url = reverse("hypotheses:board", args=[team.company.pk])
    client.force_login(team.team_lead.user)
    assert 'class="hcard-move"' in _get(client, url)[2]  # may move cards
    client.force_login(team.member.user)
    assert 'class="hcard-move"' not in _get(client, url)[2]  # same business and version, no moves

    client.force_login(foreign_team.team_lead.user)
    _queries, _status, foreign = _get(client, reverse("hypotheses:board", args=[foreign_team.company.pk]))
    assert foreign_team.hypothesis.title in foreign
    assert not [name for name in team.names if name in foreign]


def test_a_kept_board_is_no_way_into_another_business(team, foreign_team, client):
    foreign_url = reverse("hypotheses:board", args=[foreign_team.company.pk])
    client.force_login(foreign_team.tracker.user)
    _get(client, foreign_url)
    _get(client, foreign_url)  # kept, and read from the cache
    client.force_login(team.tracker.user)
    assert _get(client, foreign_url)[1] == 404
    assert _get(client, reverse("tracking:members", args=[foreign_team.company.pk]))[1] == 404


# --- The members page --------------------------------------------------------------------------


def test_the_members_page_is_kept_and_shows_each_change_at_once(team, client):
    client.force_login(team.tracker.user)
    url = reverse("tracking:members", args=[team.company.pk])
    _seen_twice(client, url)

    added = services.membership_add(
        company=team.company,
        by=team.tracker,
        email="nina@example.test",
        full_name="Nina",
        role=Role.MEMBER,
        weekly_capacity_hours=Decimal(4),
    )
    row = _member_row(_get(client, url)[2], added)
    assert "nina@example.test" in row and "invitation pending" in row

    services.invitation_accept(membership=added, password="a long enough passphrase 42", full_name="Nina Kovalenko")
    row = _member_row(_get(client, url)[2], added)
    assert "Nina Kovalenko" in row and "invitation pending" not in row

    services.membership_update(
        membership=team.other_member, by=team.tracker, role=Role.TEAM_LEAD, weekly_capacity_hours=Decimal("12.5")
    )
    row = _member_row(_get(client, url)[2], team.other_member)
    assert 'value="12.5"' in row and '<option value="team_lead" selected>' in row


def test_the_members_page_kept_for_a_manager_is_not_shown_to_a_member(team, client):
    url = reverse("tracking:members", args=[team.company.pk])
    client.force_login(team.tracker.user)
    assert 'id="add-member"' in _seen_twice(client, url)
    client.force_login(team.member.user)
    page = _seen_twice(client, url)
    assert 'id="add-member"' not in page and 'class="member-edit"' not in page


def test_a_refused_member_form_is_rendered_not_kept(team, client):
    client.force_login(team.tracker.user)
    _seen_twice(client, reverse("tracking:members", args=[team.company.pk]))
    response = client.post(
        reverse("tracking:member_add", args=[team.company.pk]),
        {"email": "not an address", "role": Role.MEMBER, "weekly_capacity_hours": "4"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="not an address"' in page and 'class="error"' in page


# --- The history CSV ---------------------------------------------------------------------------


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_csv_is_kept_and_has_a_new_row_at_once_still_escaped(team, client):
    client.force_login(team.team_lead.user)
    url = reverse("hypotheses:history_csv", args=[team.company.pk])
    first_queries, _status, first = _get(client, url)
    second_queries, _status, second = _get(client, url)
    assert second_queries < first_queries and second == first
    assert [row[0] for row in _rows(first)[1:]] == [team.hypothesis.title]

    hypothesis_services.hypothesis_create(
        by=team.member, title='=HYPERLINK("http://evil.test")', statement="If we link, they click.", kind="innovation"
    )
    for _look in range(2):  # rendered, then kept
        _queries, _status, text = _get(client, url)
        titles = [row[0] for row in _rows(text)[1:]]
        assert titles == ['\'=HYPERLINK("http://evil.test")', team.hypothesis.title]


def test_a_kept_csv_follows_its_filters_and_its_business(team, foreign_team, client):
    client.force_login(team.team_lead.user)
    url = reverse("hypotheses:history_csv", args=[team.company.pk])
    _get(client, url)
    _queries, _status, text = _get(client, url, {"status": "confirmed"})
    assert len(_rows(text)) == 1  # the header only: not the unfiltered file kept

    foreign_url = reverse("hypotheses:history_csv", args=[foreign_team.company.pk])
    client.force_login(foreign_team.team_lead.user)
    _get(client, foreign_url)
    _queries, _status, foreign = _get(client, foreign_url)
    assert foreign_team.hypothesis.title in foreign and team.hypothesis.title not in foreign
    client.force_login(team.team_lead.user)
    assert _get(client, foreign_url)[1] == 404
