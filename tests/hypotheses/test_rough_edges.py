"""Rough edges on the hypothesis page: a move swaps the whole page state; a Ready
hypothesis that loses what testing needs goes back to Idea; an innovation's return may be its
expected metric change; numbers show as typed."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from hypotheses import services
from hypotheses.forms import HypothesisForm
from hypotheses.models import Hypothesis, HypothesisEvent, Status
from tests.factories import MetricValueFactory
from tracking.models import MetricValue
from tracking.numbers import money
from tracking.weeks import week_start

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true", "HX-Target": "hypothesis-page"}


def _detail(team, h=None):
    return reverse("hypotheses:detail", args=[team.company.pk, (h or team.hypothesis).pk])


def _move(client, team, to, h=None, **headers):
    url = reverse("hypotheses:transition", args=[team.company.pk, (h or team.hypothesis).pk])
    return client.post(url, {"to": to}, headers=headers)


def _badge(body):
    return re.search(r'<span class="badge status-(\w+)">([^<]*)</span>', body).groups()


# --- The page swaps its whole state after a move ------------------------------------------------


def test_mark_ready_swaps_the_badge_the_timeline_and_the_next_step(team, client):
    h = team.hypothesis
    Hypothesis.objects.filter(pk=h.pk).update(status=Status.IDEA)
    client.force_login(team.tracker.user)

    body = _move(client, team, "ready", **HX).content.decode()

    assert body.lstrip().startswith('<div id="hypothesis-page">')  # the whole state, for hx-swap=outerHTML
    assert "<html" not in body
    assert _badge(body) == ("ready", "Ready")
    assert "Idea → <strong>Ready</strong>" in body  # the timeline has the move
    assert 'data-to="testing"' in body  # the next step offers testing, not only “Drop”
    assert "Reload the page" not in body
    assert 'hx-target="#hypothesis-page"' in body  # the swapped-in buttons swap the page again


def test_start_testing_swaps_in_the_verdict_form(team, client):
    client.force_login(team.tracker.user)
    body = _move(client, team, "testing", **HX).content.decode()
    assert _badge(body) == ("testing", "Testing")
    assert "Ready → <strong>Testing</strong>" in body
    assert 'action="{}"'.format(reverse("hypotheses:decide", args=[team.company.pk, team.hypothesis.pk])) in body
    assert 'data-to="testing"' not in body and 'data-to="dropped"' in body


def test_a_refused_move_swaps_the_page_with_the_reason_and_changes_nothing(team, client):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status=Status.IDEA, success_criteria="")
    client.force_login(team.tracker.user)
    body = _move(client, team, "ready", **HX).content.decode()
    assert _badge(body) == ("idea", "Idea")
    assert "say how we will know it worked" in body
    assert Hypothesis.objects.get(pk=team.hypothesis.pk).status == Status.IDEA


def test_without_javascript_a_move_redirects_to_the_page(team, client):
    client.force_login(team.tracker.user)
    response = _move(client, team, "testing")
    assert response.status_code == 302 and response.url == _detail(team)
    assert _badge(client.get(_detail(team)).content.decode()) == ("testing", "Testing")


def test_the_full_page_holds_the_swap_target(team, client):
    client.force_login(team.tracker.user)
    body = client.get(_detail(team)).content.decode()
    assert body.count('id="hypothesis-page"') == 1 and body.count('id="lifecycle"') == 1


# --- A Ready hypothesis whose success criteria are cleared is an idea again ---------------------


def _edit(client, team, h, **changes):
    data = {k: "" if v is None else v for k, v in HypothesisForm.initial_from(h).items()}
    data.update(changes)
    return client.post(reverse("hypotheses:edit", args=[team.company.pk, h.pk]), data, follow=True)


def test_clearing_the_success_criteria_moves_a_ready_hypothesis_back_to_idea(team):
    h = team.hypothesis
    saved = services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, success_criteria="")
    assert saved.status == Status.IDEA
    moved = saved.events.get(kind=HypothesisEvent.Kind.TRANSITION)
    assert (moved.from_status, moved.to_status, moved.actor) == (Status.READY, Status.IDEA, team.tracker.user)
    assert moved.note == "Back to idea: say how we will know it worked."
    assert saved.events.filter(kind=HypothesisEvent.Kind.EDITED).count() == 1
    # It cannot start testing until the criteria are back.
    with pytest.raises(Exception, match="say how we will know it worked"):
        services.hypothesis_transition(hypothesis=saved, by=team.tracker, to=Status.READY)


def test_the_edit_page_says_it_is_an_idea_again(team, client):
    client.force_login(team.tracker.user)
    body = _edit(client, team, team.hypothesis, success_criteria="").content.decode()
    assert "It is an idea again" in body
    assert _badge(body) == ("idea", "Idea")
    assert "Ready → <strong>Idea</strong>" in body


def test_an_edit_that_keeps_everything_a_test_needs_keeps_it_ready(team):
    h = team.hypothesis
    saved = services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, title="Sharper")
    assert saved.status == Status.READY
    assert not saved.events.filter(kind=HypothesisEvent.Kind.TRANSITION).exists()


def test_a_hypothesis_under_test_is_not_moved_by_an_edit(team):
    h = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to=Status.TESTING)
    saved = services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, success_criteria="")
    assert saved.status == Status.TESTING


# --- The expected return: money, or the expected metric change ----------------------------------


def test_an_innovation_without_a_money_figure_can_be_marked_ready_on_its_metric_change(team, client):
    h = team.hypothesis
    Hypothesis.objects.filter(pk=h.pk).update(status=Status.IDEA, expected_return=None)
    h.refresh_from_db()
    assert services.missing_for_testing(h) == []
    moved = services.hypothesis_transition(hypothesis=h, by=team.tracker, to=Status.READY)
    assert moved.status == Status.READY

    client.force_login(team.tracker.user)
    body = client.get(_detail(team)).content.decode()
    facts = body.split('<dl class="facts">')[1].split("</dl>")[0]
    assert f"{team.metric.name}: 2 → 3, the expected metric change (no money figure yet)" in re.sub(r"\s+", " ", facts)
    # The form still asks for the money, and says what a blank means.
    form = client.get(reverse("hypotheses:edit", args=[team.company.pk, h.pk])).content.decode()
    assert 'name="expected_return"' in form and "the expected change of the metric is then the return" in form


def test_with_neither_money_nor_a_metric_change_the_return_is_still_asked_for(team):
    h = team.hypothesis
    Hypothesis.objects.filter(pk=h.pk).update(status=Status.IDEA, expected_return=None, expected_value=None)
    h.refresh_from_db()
    assert services.missing_for_testing(h) == ["expected_value", "expected_return"]
    with pytest.raises(Exception, match="or give the expected metric change as the return"):
        services.hypothesis_transition(hypothesis=h, by=team.tracker, to=Status.READY)


def test_a_money_figure_is_shown_as_money(team, client):
    client.force_login(team.tracker.user)
    body = client.get(_detail(team)).content.decode()
    assert f"<dd>{money(Decimal(50000), team.company.currency)}</dd>" in body  # «50 000 ₽», "$50,000"
    assert "the expected metric change" not in body


def test_a_breakthrough_still_needs_its_budget_cap_and_kill_date(team):
    h = team.hypothesis
    Hypothesis.objects.filter(pk=h.pk).update(status=Status.IDEA, kind="breakthrough", expected_return=None)
    h.refresh_from_db()
    assert services.missing_for_testing(h) == ["budget_cap", "kill_date"]


# --- Numbers as typed -----------------------------------------------------------------------------


def _decided(team, measured="3.1"):
    h = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to=Status.TESTING)
    return services.hypothesis_decide(
        hypothesis=h, by=team.tracker, verdict="confirmed", measured=Decimal(measured), note="It moved"
    )


def test_the_hypothesis_page_shows_the_measured_value_as_typed(team, client):
    _decided(team)
    client.force_login(team.tracker.user)
    body = client.get(_detail(team)).content.decode()
    assert "measured 3.1<" in body
    assert "3.1000" not in body and "3.10" not in body
    with_ru = client.get(_detail(team), headers={"Accept-Language": "ru"}).content.decode()
    assert "3,1" in with_ru and "3,1000" not in with_ru


def test_the_history_page_and_the_csv_show_it_as_typed(team, client):
    _decided(team, "3.1234")
    client.force_login(team.tracker.user)
    page = client.get(reverse("hypotheses:history", args=[team.company.pk])).content.decode()
    assert ">3.1234<" in page  # not rounded to 3.12
    response = client.get(reverse("hypotheses:history_csv", args=[team.company.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    header, row = rows[0], next(r for r in rows[1:] if r[0] == team.hypothesis.title)
    values = dict(zip(header, row, strict=True))
    assert (values["Baseline"], values["Expected value"], values["Measured value"]) == ("2", "3", "3.1234")


def test_the_history_of_a_hypothesis_records_numbers_as_typed(team):
    h = team.hypothesis
    saved = services.hypothesis_update(
        hypothesis=h, by=team.tracker, expected_version=h.version, baseline=Decimal("2.5"), expected_value=Decimal("10")
    )
    changes = saved.events.get(kind=HypothesisEvent.Kind.EDITED).changes
    assert changes["baseline"] == ["2", "2.5"]
    assert changes["expected_value"] == ["3", "10"]


def test_old_history_entries_with_four_decimals_show_as_typed(team, client):
    HypothesisEvent.objects.create(
        hypothesis=team.hypothesis, kind="edited", changes={"baseline": ["2.0000", "3.1000"]}, actor=team.tracker.user
    )
    client.force_login(team.tracker.user)
    body = client.get(_detail(team)).content.decode()
    assert "<del>2</del> → <ins>3.1</ins>" in body


def test_the_edit_form_is_pre_filled_as_typed(team, client):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(baseline=Decimal("2.5000"), expected_value=Decimal("10"))
    client.force_login(team.tracker.user)
    form = client.get(reverse("hypotheses:edit", args=[team.company.pk, team.hypothesis.pk])).content.decode()
    assert re.search(r'name="baseline"[^>]*value="2\.5"', form)
    assert re.search(r'name="expected"[^>]*value="10"', form)  # not 1E+1
    assert re.search(r'name="expected_return"[^>]*value="50000"', form)  # not 50000.00
    assert "2.5000" not in form and "1E+1" not in form


def test_the_verdict_form_is_pre_filled_as_typed(team, client):
    """The suggestion pre-fills the measured value from the metric's week in the test window."""
    h = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to=Status.TESTING)
    started = h.testing_started_at.astimezone(team.company.tzinfo).date()
    MetricValue.objects.filter(metric=team.metric, week_start=week_start(started)).delete()
    MetricValueFactory(metric=team.metric, week_start=week_start(started), value=Decimal("3.1000"))
    client.force_login(team.tracker.user)
    body = client.get(_detail(team)).content.decode()
    assert re.search(r'name="measured"[^>]*value="3\.1"', body)
    assert "(measured 3.1)" in body and "since testing started: 3.1<" in body
    assert "3.1000" not in body and "3.10" not in body
