"""The suggested verdict on concrete numbers, direction-aware; the person decides."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine

from hypotheses import selectors, services
from hypotheses.verdicts import suggest_verdict
from tests import clock
from tracking.models import MetricValue
from tracking.numbers import money
from tracking.weeks import current_week_start

D = Decimal


@pytest.mark.parametrize(
    ("measured", "verdict"),
    [("3.2", "confirmed"), ("3", "confirmed"), ("2.1", "inconclusive"), ("2", "refuted"), ("1.8", "refuted")],
)
def test_conversion_baseline_2_expected_times_1_5(measured, verdict):
    # Conversion 2 %, expected ×1.5 = 3 %.
    assert suggest_verdict(baseline=D(2), expected=D(2) * D("1.5"), measured=D(measured), higher_is_better=True) == (
        verdict
    )


@pytest.mark.parametrize(
    ("measured", "verdict"),
    [("1400", "confirmed"), ("1500", "confirmed"), ("1900", "inconclusive"), ("2000", "refuted"), ("2300", "refuted")],
)
def test_cost_per_lead_lower_is_better(measured, verdict):
    # Cost per lead 2000, expected 1500: going down is the good direction.
    assert suggest_verdict(baseline=D(2000), expected=D(1500), measured=D(measured), higher_is_better=False) == verdict


@pytest.mark.django_db
def test_the_suggestion_reads_the_metric_in_the_test_window(team):
    h = team.hypothesis  # conversion: baseline 2, expected 3
    team.company.timezone = "UTC"
    team.company.save()
    MetricValue.objects.filter(metric=team.metric).delete()
    with time_machine.travel(datetime(2026, 3, 4, 12, tzinfo=UTC), tick=False):  # a Wednesday
        h = services.hypothesis_transition(hypothesis=h, by=team.tracker, to="testing")
    # Before the test started: ignored. During: the newest counts.
    MetricValue.objects.bulk_create(
        [
            MetricValue(metric=team.metric, week_start=date(2026, 2, 23), value=D("9.9")),
            MetricValue(metric=team.metric, week_start=date(2026, 3, 2), value=D("2.1")),
            MetricValue(metric=team.metric, week_start=date(2026, 3, 9), value=D("3.2")),
        ]
    )
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False):
        assert [v for _, v in selectors.test_window_values(h)] == [D("2.1"), D("3.2")]
        suggestion = selectors.verdict_suggestion(h)
    assert (suggestion.verdict, suggestion.measured) == ("confirmed", D("3.2"))
    # A value the person types overrides the window.
    assert selectors.verdict_suggestion(h, D("1.8")).verdict == "refuted"
    # So does the value logged for this test during the week: the test's own measurement.
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False):
        h = services.hypothesis_measure(hypothesis=h, by=team.tracker, measured=D("2.4"))
        assert (selectors.verdict_suggestion(h).verdict, selectors.verdict_suggestion(h).measured) == (
            "inconclusive",
            D("2.4"),
        )


def test_a_restarted_test_starts_without_the_last_tests_measured_value(team):
    h = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to="testing")
    h = services.hypothesis_decide(
        hypothesis=h, by=team.tracker, verdict="inconclusive", measured=D("2.4"), note="Close"
    )
    assert h.measured_value == D("2.4")
    h = services.hypothesis_transition(hypothesis=h, by=team.tracker, to="testing")
    h.refresh_from_db()
    assert h.measured_value is None and h.verdict == ""


@pytest.mark.django_db
def test_the_page_suggests_and_the_person_decides(team, client):
    h = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to="testing")
    # This week in the business's own calendar (Moscow), which is not always the UTC week.
    monday = current_week_start(team.company)
    MetricValue.objects.update_or_create(metric=team.metric, week_start=monday, defaults={"value": D("2.1")})
    client.force_login(team.team_lead.user)
    url = f"/b/{team.company.pk}/hypotheses/{h.pk}/"
    body = client.get(url).content.decode()
    assert "Suggested from the numbers: <strong>Inconclusive</strong>" in body
    # The person disagrees and records "refuted" with a note: their call is kept.
    response = client.post(url + "verdict/", {"verdict": "refuted", "measured": "2.1", "note": "Noise, not a lift"})
    assert response.status_code == 302
    h.refresh_from_db()
    assert (h.status, h.verdict, h.learning) == ("refuted", "refuted", "Noise, not a lift")


@pytest.mark.django_db
def test_typing_a_measured_value_refreshes_the_suggestion(team, client):
    h = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to="testing")
    client.force_login(team.tracker.user)
    page = client.get(f"/b/{team.company.pk}/hypotheses/{h.pk}/").content.decode()
    assert f'hx-get="/b/{team.company.pk}/hypotheses/{h.pk}/suggest/"' in page
    url = f"/b/{team.company.pk}/hypotheses/{h.pk}/suggest/"
    for typed, label in (("3.2", "Confirmed"), ("2,1", "Inconclusive"), ("1.8", "Refuted")):
        body = client.get(url, {"measured": typed}, headers={"HX-Request": "true"}).content.decode()
        assert f"<strong>{label}</strong>" in body and "<html" not in body
    # Not a number: no crash, back to the window, which has no values yet in this test.
    assert "No suggestion yet" in client.get(url, {"measured": "abc"}).content.decode()


@pytest.mark.django_db
def test_a_breakthrough_shows_spend_against_the_cap_and_warns_past_its_kill_date(team, client):
    from hypotheses.models import Hypothesis

    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(
        kind="breakthrough",
        budget_cap=D(100000),
        spent=D(25000),
        kill_date=clock.today() - timedelta(days=1),
        status="testing",
    )
    client.force_login(team.member.user)
    body = client.get(f"/b/{team.company.pk}/hypotheses/{team.hypothesis.pk}/").content.decode()
    currency = team.company.currency
    assert f"{money(D(25000), currency)} / {money(D(100000), currency)}" in body
    assert "Past its kill date" in body
