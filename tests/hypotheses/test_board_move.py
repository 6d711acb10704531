"""No destructive default on the hypothesis board: a card's move starts with no choice, the
empty choice is refused with a clear message, and "Dropped" needs a reason. A refused move
keeps what was typed and says why on its card, with htmx and as a plain post, and costs the
same queries however many cards the board has."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses import services
from hypotheses.models import Hypothesis, HypothesisEvent, Status

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "board"}
CHOOSE = "Choose where the hypothesis goes."
SAY_WHY = "Say why it is dropped: the next person will want to know."


def _board(team):
    return reverse("hypotheses:board", args=[team.company.pk])


def _move(client, team, h, data, **headers):
    url = reverse("hypotheses:transition", args=[team.company.pk, h.pk])
    return client.post(url, {"from": "board", **data}, headers=headers)


def _card(body, h):
    start = body.index(f'id="h-{h.pk}"')
    return body[start : body.index("</li>", start)]


def _select(card):
    return re.search(r'<select name="to"[^>]*>(.*?)</select>', card, re.S).group(1)


def _options(card):
    return re.findall(r'<option value="([^"]*)"( selected)?>', _select(card))


@pytest.fixture
def testing(team):
    """A hypothesis under test: its only move is to drop it."""
    return services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to=Status.TESTING)


def _unchanged(h, status):
    h.refresh_from_db()
    assert h.status == status and h.drop_reason == ""
    assert not h.events.filter(kind=HypothesisEvent.Kind.TRANSITION, to_status=Status.DROPPED).exists()


def test_a_cards_move_starts_with_no_choice(team, testing, client):
    Hypothesis.objects.create(company=team.company, title="An idea", statement="If", status=Status.IDEA)
    client.force_login(team.tracker.user)
    body = client.get(_board(team)).content.decode()
    cards = re.findall(r'<li class="hcard[^"]*" id="h-(\d+)"', body)
    assert len(cards) >= 2
    for pk in cards:
        card = _card(body, Hypothesis(pk=int(pk)))
        options = _options(card)
        assert options[0] == ("", ""), card  # the empty choice first…
        assert not any(selected for _value, selected in options), card  # …and nothing chosen
    assert _options(_card(body, testing)) == [("", ""), ("dropped", "")]


# A refused move: what is posted → why the card says it is refused, and what of the typing the
# card keeps (the reason typed; the move chosen stays chosen, with the reason's field to fill).
REFUSED_MOVES = {
    "the empty choice": ({"to": "", "reason": "half typed"}, CHOOSE, ['value="half typed"']),
    "dropped without a reason": (
        {"to": "dropped", "reason": "   "},
        SAY_WHY,
        ['<option value="dropped" selected>', 'name="reason"'],
    ),
}


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
@pytest.mark.parametrize("refused", sorted(REFUSED_MOVES))
def test_a_refused_move_changes_nothing_and_says_why_on_the_card(team, testing, client, refused, headers):
    data, why, kept = REFUSED_MOVES[refused]
    client.force_login(team.tracker.user)
    response = _move(client, team, testing, data, **headers)
    assert response.status_code == 200
    body = response.content.decode()
    assert ("<html" in body) is not bool(headers)  # htmx gets the board, a plain post the page
    card = _card(body, testing)
    assert why in card
    for typed in kept:
        assert typed in card
    _unchanged(testing, Status.TESTING)


@pytest.mark.parametrize("headers", [HX, {}], ids=["htmx", "plain"])
def test_dropping_from_the_board_with_a_reason_drops_it(team, testing, client, headers):
    client.force_login(team.tracker.user)
    response = _move(client, team, testing, {"to": "dropped", "reason": "The supplier closed"}, **headers)
    testing.refresh_from_db()
    assert (testing.status, testing.drop_reason) == (Status.DROPPED, "The supplier closed")
    event = testing.events.get(kind=HypothesisEvent.Kind.TRANSITION, to_status=Status.DROPPED)
    assert event.note == "The supplier closed"
    if headers:
        assert SAY_WHY not in response.content.decode()
    else:
        assert response.status_code == 302 and response.url == _board(team)


def test_another_refused_move_keeps_the_target_and_the_words_typed(team, client):
    h = team.hypothesis
    Hypothesis.objects.filter(pk=h.pk).update(success_criteria="")
    client.force_login(team.tracker.user)
    card = _card(_move(client, team, h, {"to": "testing", "reason": "for later"}, **HX).content.decode(), h)
    assert "say how we will know it worked" in card
    assert ("testing", " selected") in _options(card) and 'value="for later"' in card
    # The other cards keep the empty choice.
    other = Hypothesis.objects.create(company=team.company, title="Other", statement="If", status=Status.IDEA)
    body = _move(client, team, h, {"to": "testing"}, **HX).content.decode()
    assert not any(selected for _value, selected in _options(_card(body, other)))


def test_a_refused_card_beyond_the_shown_ones_says_why_above_the_board(team, client):
    Hypothesis.objects.bulk_create(
        Hypothesis(
            company=team.company,
            title=f"Best {n}",
            statement="If",
            status=Status.READY,
            impact=10,
            confidence=10,
            ease=10,
        )
        for n in range(15)
    )
    client.force_login(team.tracker.user)
    body = _move(client, team, team.hypothesis, {"to": "dropped"}, **HX).content.decode()
    assert f'id="h-{team.hypothesis.pk}"' not in body
    assert f"{team.hypothesis.title}: {SAY_WHY}" in body


def test_a_refused_move_costs_the_same_queries_for_few_and_many_cards(team, testing, client):
    client.force_login(team.tracker.user)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = _move(client, team, testing, {"to": "dropped"}, **HX)
        assert SAY_WHY in response.content.decode()
        return len(captured)

    few = queries()
    Hypothesis.objects.bulk_create(
        Hypothesis(company=team.company, title=f"Idea {n}", statement="If", status=status)
        for n in range(40)
        for status in (Status.IDEA, Status.READY)
    )
    assert queries() == few


def test_who_may_not_move_a_card_gets_no_move_on_the_board(team, client):
    client.force_login(team.team_lead.user)
    assert 'class="hcard-move"' in client.get(_board(team)).content.decode()
    client.force_login(team.member.user)
    page = client.get(_board(team)).content.decode()
    assert team.hypothesis.title in page and 'class="hcard-move"' not in page
