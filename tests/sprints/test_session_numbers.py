"""Numbers typed the way people write them, through the front door: the session's steps read «2,3»
(htmx and a plain post, in Russian and in English), a bad number refuses its own row and keeps
every other row as typed, and the rows, the results page and the hypothesis pages show and read
numbers as the reader writes them."""

from decimal import Decimal

import pytest
from django.urls import reverse

from hypotheses.models import Hypothesis
from sprints.models import Action
from tests import clock
from tests.factories import MetricFactory
from tracking.models import MetricValue
from tracking.weeks import current_week_start

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}
REFUSED = {"en": "Enter a number.", "ru": "Введите число."}


def _url(team, name, *args):
    return reverse(f"sprints:{name}", args=[team.company.pk, *args])


def _tracker_reading(language, client, team):
    """The client as the team's tracker, signed in, with the interface in `language`."""
    client.cookies["django_language"] = language
    client.force_login(team.tracker.user)
    return client


def _metric_row(body, metric):
    """A metric's row of the session's metrics step: its input, its errors."""
    row = body[body.index(f'id="session-metric-{metric.pk}"') :]
    ends = [row.find(end, 1) for end in ('id="session-metric-', "</form>")]
    return row[: min(end for end in ends if end > 0)]


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_the_metrics_step_saves_a_value_typed_with_a_comma(team, client, language, headers):
    client = _tracker_reading(language, client, team)
    second = MetricFactory(company=team.company, name="Conversion")
    data = {f"m{team.metric.pk}-value": "2,3", f"m{second.pk}-value": "1 234,5"}

    response = client.post(_url(team, "session_metrics"), data, headers=headers)

    assert response.status_code == (200 if headers else 302)
    this_week = current_week_start(team.company)
    assert MetricValue.objects.get(metric=team.metric, week_start=this_week).value == Decimal("2.3")
    assert MetricValue.objects.get(metric=second, week_start=this_week).value == Decimal("1234.5")
    # The rows show what was saved as the reader writes it: «2,3» in Russian, "2.3" in English;
    # the metrics step opened as each page opens it: its card (htmx), or the page with it.
    opened = {"fragment": "card", "card": "metrics"} if headers else {"open": "metrics"}
    body = client.get(_url(team, "session"), opened, headers=headers).content.decode()
    shown = {"ru": "2,3", "en": "2.3"}[language]
    assert f'id="m{team.metric.pk}-value" value="{shown}"' in _metric_row(body, team.metric)


@pytest.mark.parametrize("language", ["ru", "en"])
@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_a_bad_number_refuses_its_row_only_and_keeps_every_row_as_typed(team, client, language, headers):
    client = _tracker_reading(language, client, team)
    second = MetricFactory(company=team.company, name="Conversion")
    before = list(MetricValue.objects.values_list("pk", "metric_id", "value"))
    data = {f"m{team.metric.pk}-value": "2,3", f"m{second.pk}-value": "2,3,4"}

    body = client.post(_url(team, "session_metrics"), data, headers=headers).content.decode()

    good, bad = _metric_row(body, team.metric), _metric_row(body, second)
    assert 'value="2,3"' in good and REFUSED[language] not in good  # kept as typed, not refused
    assert 'value="2,3,4"' in bad and REFUSED[language] in bad  # the message next to its row
    assert list(MetricValue.objects.values_list("pk", "metric_id", "value")) == before
    # The good row can be saved alone: the answer is that row; the bad one, not sent back, stays
    # as typed (and comes back as typed on the page without JavaScript).
    data["only"] = str(team.metric.pk)
    body = client.post(_url(team, "session_metrics"), data, headers=HTMX).content.decode()
    this_week = current_week_start(team.company)
    assert MetricValue.objects.get(metric=team.metric, week_start=this_week).value == Decimal("2.3")
    assert f'id="session-metric-{team.metric.pk}"' in body and 'role="status"' in body
    assert f'id="session-metric-{second.pk}"' not in body
    body = client.post(_url(team, "session_metrics"), data).content.decode()
    assert 'value="2,3,4"' in _metric_row(body, second)
    assert not MetricValue.objects.filter(metric=second).exists()


def test_the_verdict_step_reads_the_measured_value_with_a_comma_and_the_row_shows_it_so(team, client):
    client = _tracker_reading("ru", client, team)
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(
        status="testing", testing_started_at=clock.now(), measured_value=Decimal("3.25")
    )
    MetricValue.objects.filter(metric=team.metric).delete()
    p = f"v{team.hypothesis.pk}"
    body = client.get(_url(team, "session"), {"decide": team.hypothesis.pk}).content.decode()
    assert f'id="{p}-measured" value="3,25"' in body  # as the reader writes it

    data = {f"{p}-decision": "keep", f"{p}-measured": "3,25", f"{p}-note": "", f"{p}-against_reason": ""}
    data[f"{p}-decision"] = "refuted"
    data[f"{p}-measured"] = "1,5"
    data[f"{p}-note"] = "Fewer calls"
    client.post(_url(team, "session_verdicts"), data, headers=HTMX)
    team.hypothesis.refresh_from_db()
    assert (team.hypothesis.status, team.hypothesis.measured_value) == ("refuted", Decimal("1.5"))


def test_the_plan_step_reads_hours_and_costs_as_people_type_them(team, client):
    client = _tracker_reading("ru", client, team)
    data = {"n0-title": "Call Anna", "n0-owner": str(team.member.pk), "n0-estimate_hours": "1,5"}
    data |= {"n0-cost": "1 500,50", "n1-title": "Write the FAQ", "n1-owner": "", "n1-estimate_hours": "2"}
    data |= {"n1-cost": "12\u00a0000"}
    client.post(_url(team, "session_plan"), data, headers=HTMX)
    added = dict(Action.objects.filter(title__in=["Call Anna", "Write the FAQ"]).values_list("title", "estimate_hours"))
    assert added == {"Call Anna": Decimal("1.5"), "Write the FAQ": Decimal(2)}
    assert Action.objects.get(title="Call Anna").cost == Decimal("1500.50")
    assert Action.objects.get(title="Write the FAQ").cost == Decimal(12000)


def test_a_bad_number_in_a_plan_row_keeps_every_row_as_typed(team, client):
    client = _tracker_reading("ru", client, team)
    data = {"n0-title": "Call Anna", "n0-owner": str(team.member.pk), "n0-estimate_hours": "1,5"}
    data |= {"n1-title": "Write the FAQ", "n1-owner": "", "n1-estimate_hours": "два"}
    body = client.post(_url(team, "session_plan"), data, headers=HTMX).content.decode()
    assert 'value="1,5"' in body and 'value="два"' in body and "Введите число." in body
    assert not Action.objects.filter(title__in=["Call Anna", "Write the FAQ"]).exists()


# --- The results page and the hypothesis pages ---------------------------------------------------


@pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
def test_the_results_page_reads_a_metric_value_and_a_measurement_with_a_comma(team, client, headers):
    client = _tracker_reading("ru", client, team)
    url = reverse("sprints:metric_log", args=[team.company.pk, team.metric.pk])
    client.post(url, {f"m{team.metric.pk}-value": "4,75"}, headers=headers)
    this_week = current_week_start(team.company)
    assert MetricValue.objects.get(metric=team.metric, week_start=this_week).value == Decimal("4.75")

    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    url = reverse("sprints:hypothesis_measure", args=[team.company.pk, team.hypothesis.pk])
    client.post(url, {f"h{team.hypothesis.pk}-measured": "1 234,5"}, headers=headers)
    assert Hypothesis.objects.get(pk=team.hypothesis.pk).measured_value == Decimal("1234.5")

    body = client.get(reverse("sprints:results", args=[team.company.pk])).content.decode()
    assert 'value="4,75"' in body and 'value="1234,5"' in body
    assert 'type="number"' not in body


def test_the_verdict_suggestion_reads_the_measured_value_as_typed(team, client):
    client = _tracker_reading("ru", client, team)
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(
        status="testing", testing_started_at=clock.now(), baseline=Decimal(10), expected_value=Decimal(20)
    )
    url = reverse("hypotheses:suggest", args=[team.company.pk, team.hypothesis.pk])
    for typed, shown in [("21,5", "21,5"), ("1 234,5", "1\u00a0234,5"), ("-2,5", "-2,5")]:
        body = client.get(url, {"measured": typed}).content.decode()
        assert shown in body, (typed, body)
    assert "21,5" not in client.get(url, {"measured": "21,5,1"}).content.decode()


def test_a_baseline_handed_over_in_the_query_is_read_and_shown_as_the_reader_writes_it(team, client):
    client = _tracker_reading("ru", client, team)
    url = reverse("hypotheses:new", args=[team.company.pk])
    for handed, shown in [("12.5", "12,5"), ("12,5", "12,5"), ("1 234,5", "1234,5")]:
        body = client.get(url, {"metric": team.metric.pk, "baseline": handed}).content.decode()
        assert f'name="baseline" value="{shown}"' in body, handed
    body = client.get(url, {"baseline": "12,5,5"}).content.decode()
    assert 'name="baseline" value' not in body  # not a number: no baseline, no error either
