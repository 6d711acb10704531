"""A verdict follows the pre-registered numbers unless someone says why not: confirming what the
numbers do not confirm, or refuting what they confirm, needs "against the numbers, because…",
on every path (the service, the hypothesis page by plain post). The reason is kept in the
history, and such verdicts are counted apart on the history page and in its CSV."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hypotheses import services
from hypotheses.models import Hypothesis, HypothesisEvent
from hypotheses.verdicts import goes_against
from tests import clock
from tests.factories import HypothesisFactory

pytestmark = pytest.mark.django_db
D = Decimal


def _under_test(team, *, baseline="17", expected="27", higher_is_better=True, **fields):
    """«Дубрава»'s leads: 17 a week, 27 expected."""
    team.metric.higher_is_better = higher_is_better
    team.metric.save()
    return HypothesisFactory(
        company=team.company,
        metric=team.metric,
        baseline=D(baseline),
        expected_value=D(expected),
        status="testing",
        testing_started_at=clock.now(),
        **fields,
    )


@pytest.mark.parametrize(
    ("verdict", "numbers", "against"),
    [
        ("confirmed", "confirmed", False),
        ("confirmed", "inconclusive", True),
        ("confirmed", "refuted", True),
        ("refuted", "confirmed", True),
        ("refuted", "inconclusive", False),
        ("refuted", "refuted", False),
        ("inconclusive", "confirmed", False),
        ("inconclusive", "refuted", False),
        ("confirmed", "", False),  # the numbers say nothing: nothing to go against
    ],
)
def test_what_goes_against_the_numbers(verdict, numbers, against):
    assert goes_against(verdict, numbers) is against


def test_confirming_21_against_an_expected_27_is_refused_without_a_reason(team):
    h = _under_test(team)
    with pytest.raises(ValidationError) as refused:
        services.hypothesis_decide(hypothesis=h, by=team.tracker, verdict="confirmed", measured=D(21), note="Felt good")
    message = refused.value.message_dict["against_reason"][0]
    assert "Inconclusive" in message and "21" in message and "27" in message
    h.refresh_from_db()
    assert (h.status, h.verdict, h.measured_value, h.learning) == ("testing", "", None, "")
    assert not h.events.filter(kind=HypothesisEvent.Kind.VERDICT).exists()


def test_refuting_29_against_a_bar_of_28_is_refused_then_saved_with_its_reason(team):
    h = _under_test(team, expected="28")
    with pytest.raises(ValidationError):
        services.hypothesis_decide(hypothesis=h, by=team.tracker, verdict="refuted", measured=D(29), note="Seasonal")
    services.hypothesis_decide(
        hypothesis=h,
        by=team.tracker,
        verdict="refuted",
        measured=D(29),
        note="Seasonal",
        against_reason="  The fair week brought the extra leads, not the guarantee  ",
    )
    h.refresh_from_db()
    assert (h.status, h.numbers_verdict) == ("refuted", "confirmed")
    assert h.against_numbers and h.against_numbers_reason == "The fair week brought the extra leads, not the guarantee"
    event = h.events.get(kind=HypothesisEvent.Kind.VERDICT)
    assert event.changes["against_numbers_reason"] == [None, h.against_numbers_reason]


def test_a_verdict_that_follows_the_numbers_needs_no_reason_and_keeps_none(team):
    h = _under_test(team)
    services.hypothesis_decide(
        hypothesis=h, by=team.tracker, verdict="inconclusive", measured=D(21), note="Halfway", against_reason="typed"
    )
    h.refresh_from_db()
    assert (h.status, h.numbers_verdict, h.against_numbers_reason) == ("inconclusive", "inconclusive", "")


def test_lower_is_better_reads_the_other_way(team):
    """Cost per lead 2000 → 1500: 1400 is reached, so refuting it goes against the numbers."""
    h = _under_test(team, baseline="2000", expected="1500", higher_is_better=False)
    with pytest.raises(ValidationError):
        services.hypothesis_decide(hypothesis=h, by=team.tracker, verdict="refuted", measured=D(1400), note="x")
    services.hypothesis_decide(hypothesis=h, by=team.tracker, verdict="confirmed", measured=D(1400), note="x")
    assert Hypothesis.objects.get(pk=h.pk).numbers_verdict == "confirmed"


def test_testing_again_clears_the_last_verdicts_numbers(team):
    h = _under_test(team)
    services.hypothesis_decide(
        hypothesis=h, by=team.tracker, verdict="confirmed", measured=D(21), note="x", against_reason="Big client"
    )
    Hypothesis.objects.filter(pk=h.pk).update(status="inconclusive", verdict="inconclusive")
    services.hypothesis_transition(hypothesis=h, by=team.tracker, to="testing")
    h.refresh_from_db()
    assert (h.verdict, h.numbers_verdict, h.against_numbers_reason) == ("", "", "")


def test_the_hypothesis_page_refuses_a_plain_post_without_the_reason_and_keeps_what_was_typed(team, client):
    h = _under_test(team)
    client.force_login(team.tracker.user)
    url = reverse("hypotheses:decide", args=[team.company.pk, h.pk])
    data = {"verdict": "confirmed", "measured": "21", "note": "The calls felt warmer"}
    response = client.post(url, data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Say why the verdict goes against them." in body and "The calls felt warmer" in body
    assert Hypothesis.objects.get(pk=h.pk).status == "testing"

    response = client.post(url, {**data, "against_reason": "One big client came through a referral"})
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Against the numbers" in page and "One big client came through a referral" in page
    assert "The numbers said “Inconclusive”" in page


def test_the_history_counts_verdicts_against_the_numbers_apart(team, client):
    followed, against = _under_test(team, title="Followed"), _under_test(team, title="Against")
    services.hypothesis_decide(hypothesis=followed, by=team.tracker, verdict="confirmed", measured=D(30), note="x")
    services.hypothesis_decide(
        hypothesis=against, by=team.tracker, verdict="confirmed", measured=D(20), note="x", against_reason="Referral"
    )
    client.force_login(team.team_lead.user)
    response = client.get(reverse("hypotheses:history", args=[team.company.pk]))
    stats = response.context["stats"]
    assert (stats.decided, stats.confirmed, stats.against_numbers) == (2, 2, 1)
    body = response.content.decode()
    assert "1 of 2 decided against the numbers" in body and "Referral" in body
    badge = '<span class="badge warn" title="Referral">against the numbers</span> <span class="muted">Referral</span>'
    assert badge in body  # the row says so, its reason in the badge's title

    text = b"".join(client.get(reverse("hypotheses:history_csv", args=[team.company.pk])).streaming_content)
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    reasons = {row["Title"]: row["Against the numbers, because"] for row in rows}
    assert reasons["Against"] == "Referral" and reasons["Followed"] == ""
