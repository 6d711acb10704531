"""Numbers and words in a URL's query never reach the database as an error (no 500): a page
number or an offset past bigint, a NUL in a search, a list of ids with junk in it."""

import pytest
from django.urls import reverse

from tracking.query_params import BIGINT_MAX, ids_param, int_param, text_param

pytestmark = pytest.mark.django_db

PAST_BIGINT = str(BIGINT_MAX + 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("7", 7), ("0", 0), ("-1", None), ("x", None), ("", None), (None, None), ("1e3", None), (PAST_BIGINT, None)],
)
def test_int_param(value, expected):
    assert int_param(value) == expected


def test_ids_and_text():
    assert ids_param(["3", "x", "0", PAST_BIGINT, " 9 "]) == [3, 9]
    assert text_param("  guar\x00antee\n ") == "guar antee"
    assert len(text_param("x" * 500)) == 100


@pytest.mark.parametrize(
    "params",
    [{"offset": PAST_BIGINT}, {"offset": "-5"}, {"q": "\x00"}, {"pick": PAST_BIGINT}, {"field": "x\x00"}, {"pick": ""}],
)
def test_the_hypothesis_search(team, client, params):
    client.force_login(team.tracker.user)
    response = client.get(reverse("sprints:hypothesis_search", args=[team.company.pk]), params)
    assert response.status_code == (404 if params.get("pick") else 200)


@pytest.mark.parametrize("page", [PAST_BIGINT, "-3", "abc", "0", "100001"])
def test_the_portfolio_page(team, client, page):
    client.force_login(team.tracker.user)
    response = client.get(reverse("tracking:portfolio"), {"page": page})
    assert response.status_code == 200 and team.company.name in response.content.decode()


@pytest.mark.parametrize("params", [{"page": PAST_BIGINT}, {"column": "zzz", "all": "1"}, {"constraint": PAST_BIGINT}])
def test_the_hypothesis_lists(team, client, params):
    client.force_login(team.tracker.user)
    for name in ("hypotheses:board", "hypotheses:history", "hypotheses:history_csv"):
        assert client.get(reverse(name, args=[team.company.pk]), params).status_code == 200, name


def test_carrying_over_junk_ids_in_the_session(team, client):
    client.force_login(team.tracker.user)
    url = reverse("sprints:session_plan", args=[team.company.pk])
    response = client.post(url, {"carry": [PAST_BIGINT, "x", str(team.action.pk)]})
    assert response.status_code in {200, 302}
