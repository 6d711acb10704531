"""Junk in the query of every toolkit, interview and library page: never a 500, never another
business's data (a forged id is simply not found or ignored)."""

import pytest
from django.urls import reverse

from tests.custdev.factories import InterviewFactory, ScriptFactory
from tracking.query_params import BIGINT_MAX
from tracking.toolkit.models import Snapshot

pytestmark = pytest.mark.django_db

JUNK = [str(BIGINT_MAX + 1), "-1", "0", "1e3", "abc", "", "\x00", "1\x00", "９", "x" * 5000, "NaN"]
PARAMS = (
    "window",
    "a",
    "b",
    "page",
    "q",
    "verdict",
    "kind",
    "area",
    "business",
    "title",
    "exclude",
    "questions",
    "template",
    "saved",
)


def _pages(team):
    company = team.company.pk
    interview = InterviewFactory(company=team.company)
    script = ScriptFactory(company=team.company)
    return [
        reverse("toolkit:funnel", args=[company]),
        reverse("toolkit:unit_economics", args=[company]),
        reverse("toolkit:compare", args=[company]),
        reverse("sprints:outcomes", args=[company]),
        reverse("custdev:interviews", args=[company]),
        reverse("custdev:interview_new", args=[company]),
        reverse("custdev:interview_detail", args=[company, interview.pk]),
        reverse("custdev:interview_edit", args=[company, interview.pk]),
        reverse("custdev:scripts", args=[company]),
        reverse("custdev:script_new", args=[company]),
        reverse("custdev:script_detail", args=[company, script.pk]),
        reverse("custdev:mom_test", args=[company]),
        reverse("custdev:synthesis", args=[company]),
        reverse("hypotheses:library"),
        reverse("hypotheses:library_csv"),
        reverse("hypotheses:tried_before"),
    ]


@pytest.mark.parametrize("junk", JUNK, ids=lambda j: repr(j[:12]))
def test_junk_in_every_query_parameter(team, client_for, junk):
    client = client_for(team.tracker)
    for url in _pages(team):
        response = client.get(url, dict.fromkeys(PARAMS, junk))
        assert response.status_code == 200, (url, response.status_code)


def test_a_snapshot_of_another_business_is_not_compared(team, foreign_team, client_for):
    from decimal import Decimal

    from tests import clock

    values = dict(ua=1000, c1=5, avg_price=2000, cogs=800, apc=Decimal("1.5"), cpa=30, taken_on=clock.today())
    theirs = Snapshot.objects.create(company=foreign_team.company, label="Zeta secret", **values)
    ours = Snapshot.objects.create(company=team.company, label="Ours", **values)
    url = reverse("toolkit:compare", args=[team.company.pk])
    page = client_for(team.tracker).get(url, {"a": theirs.pk, "b": ours.pk}).content.decode()
    assert "Zeta secret" not in page and "Ours" in page
