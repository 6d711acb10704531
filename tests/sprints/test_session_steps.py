"""The weekly session in one page through the front door: a step's rows save in one
submit or one alone, a refused submit keeps every row as typed with the error next to its row,
planning happens inside the session, closing stays on the page; and the two rough edges of the
loop that the session owns (the next sprint's focus, the carry-over ticked in advance)."""

import itertools
import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses.models import Hypothesis
from sprints import schedule
from sprints import session as steps
from sprints.models import RESOLVED_ACTION_STATUSES, Action, Review, Sprint, SprintStatus
from tests import clock
from tests.factories import (
    ActionFactory,
    ConstraintFactory,
    HypothesisFactory,
    MembershipFactory,
    MetricFactory,
    SprintFactory,
)
from tracking.models import Constraint, MetricValue

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def _url(team, name, *args):
    return reverse(f"sprints:{name}", args=[team.company.pk, *args])


def _row(action, status, result="", why=""):
    p = f"l{action.pk}"
    return {f"{p}-status": status, f"{p}-result_note": result, f"{p}-why_not_note": why, f"{p}-version": action.version}


def _testing(hypothesis):
    Hypothesis.objects.filter(pk=hypothesis.pk).update(status="testing", testing_started_at=clock.now())


# --- Results: all rows in one submit, or one alone ------------------------------------------------


@pytest.fixture
def other(team):
    """A second action of the sprint, the team lead's: the row beside the tracker's."""
    return ActionFactory(sprint=team.active_sprint, owner=team.team_lead)


def test_all_results_save_in_one_submit_and_the_session_moves_on(team, client):
    client.force_login(team.tracker.user)
    other = ActionFactory(sprint=team.active_sprint, owner=team.team_lead, estimate_hours=Decimal(2))
    data = {**_row(team.action, "done", "Sent to 40 people"), **_row(other, "not_done", why="Ill all week")}
    response = client.post(_url(team, "session_results"), data, headers=HTMX)
    assert response.status_code == 200
    assert dict(Action.objects.filter(sprint=team.active_sprint).values_list("pk", "status")) == {
        team.action.pk: "done",
        other.pk: "not_done",
    }
    assert Review.objects.get(sprint=team.active_sprint).step == "verdicts"
    # The answer is the step's card with the steps' nav; the session opens the next step itself.
    body = response.content.decode()
    assert (response.headers["HX-Retarget"], response.headers["HX-Reswap"]) == ("#step-results", "outerHTML")
    assert body.lstrip().startswith('<details class="card step-card" id="step-results"')
    assert 'id="session-steps" aria-label="Steps" hx-swap-oob="true"' in body
    assert 'class="step current" aria-current="step">2. ' in body
    assert 'id="step-verdicts"' not in body and 'id="step-plan"' not in body  # no other step
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {
        "results-changed": {},
        "session-step": {"step": "verdicts"},
    }


def test_a_refused_row_saves_nothing_and_every_row_keeps_what_was_typed(team, client, other):
    client.force_login(team.tracker.user)
    data = {**_row(team.action, "done", "Sent to 40 people"), **_row(other, "not_done", result="Half of it")}
    for headers in (HTMX, {}):  # htmx and a plain post (no JavaScript) answer alike
        body = client.post(_url(team, "session_results"), data, headers=headers).content.decode()
        assert "Nothing was saved" in body and "Say why it was not done" in body
        assert 'value="Sent to 40 people"' in body and 'value="Half of it"' in body
        assert '<option value="not_done" selected>' in body
        row = body[body.index(f'id="result-{other.pk}"') :]
        assert row.index("Say why it was not done") < row.index("</li>")  # the error is in its row
        assert 'id="step-results" open' in body
    assert set(Action.objects.filter(sprint=team.active_sprint).values_list("status", flat=True)) == {"todo"}


def test_a_row_saves_alone_and_the_other_rows_keep_what_was_typed(team, client, other):
    client.force_login(team.tracker.user)
    data = {**_row(team.action, "done", "Sent"), **_row(other, "done", "Typed, not saved"), "only": team.action.pk}
    response = client.post(_url(team, "session_results"), data, headers=HTMX)
    body = response.content.decode()
    assert Action.objects.get(pk=team.action.pk).status == "done"
    assert Action.objects.get(pk=other.pk).status == "todo"
    assert Review.objects.get(sprint=team.active_sprint).step == "results"  # the step stays
    # The answer is that row, saved; the other row is not sent back, so it keeps what was typed.
    assert response.headers["HX-Retarget"] == f"#result-{team.action.pk}"
    assert body.strip().startswith(f'<li class="log-row status-done" id="result-{team.action.pk}"')
    # Saved, the row is text again, with its result, "Saved" and its button to edit it.
    assert body.count("<li") == 1 and '</span> Sent <span class="row-buttons"' in body and 'role="status">Saved' in body
    assert f'name="l{team.action.pk}-status"' not in body and f"edit={team.action.pk}" in body
    assert "Typed, not saved" not in body
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {"results-changed": {}}
    # Without JavaScript: the page, the other row as typed.
    body = client.post(_url(team, "session_results"), data).content.decode()
    assert 'value="Typed, not saved"' in body and 'id="step-results" open' in body


def test_a_refused_row_alone_answers_with_that_row_and_its_error(team, client, other):
    client.force_login(team.tracker.user)
    data = {**_row(team.action, "not_done", "Half of it"), **_row(other, "done", "Typed"), "only": team.action.pk}
    response = client.post(_url(team, "session_results"), data, headers=HTMX)
    body = response.content.decode()
    assert response.headers["HX-Retarget"] == f"#result-{team.action.pk}" and body.count("<li") == 1
    assert "has-error" in body and "Say why it was not done" in body and 'value="Half of it"' in body
    assert "HX-Trigger-After-Settle" not in response.headers
    assert set(Action.objects.filter(sprint=team.active_sprint).values_list("status", flat=True)) == {"todo"}


def test_without_javascript_a_step_is_a_plain_post_back_to_the_next_step(team, client):
    client.force_login(team.tracker.user)
    response = client.post(_url(team, "session_results"), _row(team.action, "done", "Sent"))
    assert response.status_code == 302 and response.url.endswith("/session/#step-verdicts")


def test_a_verdict_saved_alone_leaves_the_step_and_what_stops_the_close_follows(team, client):
    client.force_login(team.tracker.user)
    _testing(team.hypothesis)
    # The close step, folded at the results step, opened: its card, which stays on the page.
    card = client.get(_url(team, "session"), {"fragment": "card", "card": "close"}, headers=HTMX).content.decode()
    closing = card[card.index('<div id="closing-problems"') :]
    assert 'hx-trigger="results-changed from:body, verdicts-changed from:body, plan-changed from:body"' in closing[:400]
    assert team.hypothesis.title in closing[: closing.index("</div>")]
    p = f"v{team.hypothesis.pk}"
    data = {"only": team.hypothesis.pk, f"{p}-decision": "confirmed", f"{p}-measured": "3.1", f"{p}-note": "It works"}
    response = client.post(_url(team, "session_verdicts"), data, headers=HTMX)
    assert response.content == b"" and response.headers["HX-Reswap"] == "delete"  # decided: the row leaves
    assert response.headers["HX-Retarget"] == f"#verdict-{team.hypothesis.pk}"
    assert json.loads(response.headers["HX-Trigger-After-Settle"]) == {"verdicts-changed": {}}
    closing = client.get(_url(team, "session"), {"fragment": "closing"}, headers=HTMX).content.decode()
    assert closing.startswith('<div id="closing-problems"') and team.hypothesis.title not in closing
    assert "still to resolve" in closing  # the open action still stops it


# --- Verdicts and metrics, saved together ----------------------------------------------------------


def test_verdicts_save_together_and_a_verdict_still_needs_the_measured_value(team, client):
    client.force_login(team.tracker.user)
    second = HypothesisFactory(company=team.company, constraint=team.constraint, metric=team.metric, title="Calls")
    _testing(team.hypothesis)
    _testing(second)
    h, s = f"v{team.hypothesis.pk}", f"v{second.pk}"
    data = {f"{h}-decision": "confirmed", f"{h}-measured": "3.1", f"{h}-note": "Buyers trust it"}
    data |= {f"{s}-decision": "refuted", f"{s}-note": "No calls"}
    body = client.post(_url(team, "session_verdicts"), data, headers=HTMX).content.decode()
    assert "Enter the measured value." in body and 'value="3.1"' in body and 'value="No calls"' in body
    assert set(Hypothesis.objects.filter(pk__in=[team.hypothesis.pk, second.pk]).values_list("status", flat=True)) == {
        "testing"
    }
    data[f"{s}-measured"] = "0.5"
    client.post(_url(team, "session_verdicts"), data, headers=HTMX)
    assert dict(Hypothesis.objects.filter(pk__in=[team.hypothesis.pk, second.pk]).values_list("pk", "status")) == {
        team.hypothesis.pk: "confirmed",
        second.pk: "refuted",
    }
    assert Hypothesis.objects.get(pk=team.hypothesis.pk).measured_value == Decimal("3.1")


def test_metric_values_save_together_and_a_bad_one_keeps_them_all_as_typed(team, client):
    client.force_login(team.tracker.user)
    second = MetricFactory(company=team.company, name="Conversion")
    data = {f"m{team.metric.pk}-value": "41", f"m{second.pk}-value": "3,1x"}
    body = client.post(_url(team, "session_metrics"), data, headers=HTMX).content.decode()
    assert "Enter a number." in body and 'value="41"' in body and 'value="3,1x"' in body
    assert not MetricValue.objects.filter(metric=second).exists()
    assert not MetricValue.objects.filter(metric=team.metric, value=41).exists()
    data[f"m{second.pk}-value"] = "3.10"
    body = client.post(_url(team, "session_metrics"), data, headers=HTMX).content.decode()
    assert MetricValue.objects.filter(metric=team.metric, value=41).exists()
    assert MetricValue.objects.get(metric=second).value == Decimal("3.1")
    assert f'name="m{second.pk}-value" id="m{second.pk}-value" value="3.1"' in body  # as typed, not 3.1000
    assert Review.objects.get(sprint=team.active_sprint).step == "constraint"


# --- Planning inside the session -------------------------------------------------------------------


def _plan_rows(rows):
    data = {}
    for i, (title, owner, hours) in enumerate(rows):
        data |= {f"n{i}-title": title, f"n{i}-owner": owner, f"n{i}-estimate_hours": hours}
    return data


def test_plan_adds_several_rows_at_once_and_ignores_the_blank_ones(team, client):
    client.force_login(team.tracker.user)
    lead, member = str(team.team_lead.pk), str(team.member.pk)
    rows = [("Call Anna", lead, "1"), ("", lead, "1"), ("Write the FAQ", member, "2.5"), ("", "", "")]
    client.post(_url(team, "session_plan"), _plan_rows(rows), headers=HTMX)
    added = dict(Action.objects.filter(sprint=team.planned_sprint).values_list("title", "estimate_hours"))
    assert added == {
        team.planned_action.title: team.planned_action.estimate_hours,
        "Call Anna": Decimal(1),
        "Write the FAQ": Decimal("2.5"),
    }


def test_a_refused_plan_row_adds_nothing_and_keeps_every_row(team, client):
    client.force_login(team.tracker.user)
    rows = [("Call Anna", str(team.team_lead.pk), "1"), ("Write the FAQ", str(team.member.pk), "500")]
    body = client.post(_url(team, "session_plan"), _plan_rows(rows), headers=HTMX).content.decode()
    assert 'value="Call Anna"' in body and 'value="500"' in body and "Nothing was saved" in body
    assert not Action.objects.filter(title="Call Anna").exists()


def test_the_blank_rows_come_with_the_last_owner_and_one_hour(team, client):
    client.force_login(team.tracker.user)
    body = client.get(_url(team, "session"), {"open": "plan"}).content.decode()  # the plan step opened
    last = team.planned_action.owner  # the last action planned in the next sprint
    assert body.count(f'<option value="{last.pk}" selected>') == 5
    assert body.count('name="n0-estimate_hours" id="n0-estimate_hours" value="1"') == 1


def test_the_next_sprint_takes_the_active_main_constraint_not_the_old_focus(team):
    """Rough edge: the next sprint kept the previous sprint's focus even when that constraint
    was resolved mid-sprint."""
    Sprint.objects.filter(pk=team.active_sprint.pk).update(focus=team.constraint)
    Sprint.objects.filter(pk=team.planned_sprint.pk).delete()
    Constraint.objects.filter(pk=team.constraint.pk).update(status="resolved", closed_on=clock.today())
    current = ConstraintFactory(company=team.company, title="Weak conversion to sale")
    upcoming = steps.session_plan(sprint=team.active_sprint, by=team.tracker)
    assert upcoming.focus == current
    assert upcoming.starts_on == team.active_sprint.ends_on + timedelta(days=1) or upcoming.starts_on >= clock.today()


def test_carry_over_is_ticked_only_when_it_fits_and_shows_its_effect(team, client):
    """Rough edge: every unfinished action was ticked in advance, so a 20 h action that
    overbooks its owner went over with one click and the next sprint did not start."""
    client.force_login(team.tracker.user)
    big = ActionFactory(sprint=team.active_sprint, owner=team.member, title="Rebuild the site", estimate_hours=20)
    body = client.get(_url(team, "session"), {"fragment": "card", "card": "plan"}, headers=HTMX).content.decode()
    assert f'name="carry" value="{team.action.pk}" checked' in body  # 1 h of the member's 8: fits
    assert f'name="carry" value="{big.pk}">' in body  # not ticked
    carry = body[body.index(f'name="carry" value="{big.pk}"') :]
    assert "1 → 21 / 8 h" in carry[:400] and "would overbook" in carry[:600]  # after the 1 h ticked


def test_the_close_step_says_before_closing_whether_the_next_sprint_fits(team, client):
    client.force_login(team.tracker.user)
    ActionFactory(sprint=team.planned_sprint, owner=team.team_lead, estimate_hours=20)
    body = client.get(_url(team, "session"), {"fragment": "card", "card": "close"}, headers=HTMX).content.decode()
    assert f"{team.planned_sprint} does not fit" in body


# --- Closing stays on the page -----------------------------------------------------------------


def test_closing_stays_on_the_page_with_the_summary_the_report_and_the_started_sprint(team, client):
    client.force_login(team.tracker.user)
    Action.objects.filter(pk=team.action.pk).update(status="done")
    body = client.post(_url(team, "session_close"), {"start_next": "on"}, headers=HTMX).content.decode()
    assert body.lstrip().startswith('<div id="session"') and 'id="session-closed"' in body
    assert f"{team.active_sprint} is closed" in body and "1 of 1 actions done (1 of 1 h)" in body
    assert _url(team, "report", team.active_sprint.pk) in body
    assert f"{team.planned_sprint} has started." in body
    # Without JavaScript: the same panel at its own address.
    page = client.get(_url(team, "session") + f"?closed={team.active_sprint.pk}").content.decode()
    assert f"{team.planned_sprint} has started." in page


def test_a_next_sprint_that_does_not_fit_says_why_and_starts_with_a_reason(team, client):
    client.force_login(team.tracker.user)
    Action.objects.filter(pk=team.action.pk).update(status="done")
    ActionFactory(sprint=team.planned_sprint, owner=team.team_lead, estimate_hours=20)
    response = client.post(_url(team, "session_close"), {"start_next": "on"})
    assert response.status_code == 302 and response.url.endswith(f"?closed={team.active_sprint.pk}")
    body = client.get(response.url).content.decode()
    assert "is not started" in body and "overbooked" in body and 'name="override_reason"' in body
    assert Sprint.objects.get(pk=team.planned_sprint.pk).status == SprintStatus.PLANNED
    start = _url(team, "session_start")
    body = client.post(start, {"closed": team.active_sprint.pk}, headers=HTMX).content.decode()
    assert "does not fit" in body and Sprint.objects.get(pk=team.planned_sprint.pk).status == "planned"
    body = client.post(
        start, {"closed": team.active_sprint.pk, "override_reason": "The lead works Saturday"}, headers=HTMX
    ).content.decode()
    assert f"{team.planned_sprint} has started." in body
    assert Sprint.objects.get(pk=team.planned_sprint.pk).override_reason == "The lead works Saturday"


def test_another_business_closed_sprint_is_not_shown(team, foreign_team, client):
    client.force_login(team.tracker.user)
    Sprint.objects.filter(pk=foreign_team.active_sprint.pk).update(status="closed")
    response = client.get(_url(team, "session") + f"?closed={foreign_team.active_sprint.pk}")
    assert response.status_code == 404


# --- Cost: fixed queries, no widget per row ------------------------------------------------------


def _queries(client, url, method="get", data=None):
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {}, headers=HTMX if method == "post" else {})
        assert response.status_code == 200, response.content[:300]
    return len(captured), response.content.decode()


def _grow(team, count, owners):
    """`count` more actions in this sprint and the next, and one more hypothesis under test and
    one more metric for every 20 actions."""
    Action.objects.bulk_create(
        Action(sprint=sprint, title=f"Bulk {i}", owner=owners[i % len(owners)], estimate_hours=Decimal(1))
        for sprint in (team.active_sprint, team.planned_sprint)
        for i in range(count)
    )
    for i in range(count // 20):
        _testing(HypothesisFactory(company=team.company, constraint=team.constraint, metric=team.metric))
        MetricFactory(company=team.company, name=f"Metric {count}-{i}")


# The page at the results step, and the card of each step it folds, fetched as opening it does
# (a folded step costs no query until it is opened). The session, the user, the membership and
# the sprint with its review (4) come with every answer.
PAGE_QUERIES = {
    "page": 6,  # this sprint's actions (the logged count comes from them) and the members
    "verdicts": 6,  # the hypotheses under test (with those kept in test) and the members
    "metrics": 6,  # the metrics with this week's values and the members
    "constraint": 5,  # the main constraint
    "plan": 9,  # the next sprint, its actions, the members, its owners' past hours; the carry-over
    "close": 9,  # what stops the close (open actions, undecided hypotheses); whether the next sprint fits
}


def _page_and_cards(client, team) -> tuple[dict, dict]:
    """{"page" or a folded step: queries}, {the same: the answer}."""
    counts, bodies = {}, {}
    counts["page"], bodies["page"] = _queries(client, _url(team, "session"))
    for card in PAGE_QUERIES.keys() - {"page"}:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(_url(team, "session"), {"fragment": "card", "card": card}, headers=HTMX)
        assert response.status_code == 200, response.content[:300]
        counts[card], bodies[card] = len(captured), response.content.decode()
    return counts, bodies


def test_the_session_page_costs_the_same_queries_and_no_widgets_for_5_and_300_rows(team, client):
    client.force_login(team.tracker.user)
    owners = [*MembershipFactory.create_batch(3, company=team.company), team.member]
    _testing(team.hypothesis)
    steps.session_verdict(sprint=team.active_sprint, by=team.tracker, hypothesis=team.hypothesis, decision="keep")
    _grow(team, 4, owners)
    small, _bodies = _page_and_cards(client, team)
    _grow(team, 296, owners)
    large, bodies = _page_and_cards(client, team)
    assert small == large == PAGE_QUERIES, (small, large)
    page, plan = bodies["page"], bodies["plan"]
    assert 'id="step-results" open' in page and 'class="card step-card folded" id="step-plan"' in page
    # Result rows are text until opened: no select per row, only an owner per blank plan row.
    resolved = Action.objects.filter(sprint=team.active_sprint, status__in=RESOLVED_ACTION_STATUSES).count()
    # "Edit" on a resolved row, "Done" and "Not done" on one still open.
    assert page.count("<select") == 0 and page.count("?fragment=result&amp;edit=") == resolved + 2 * (301 - resolved)
    assert plan.count("<select") == 5 and plan.count("<option") == 5 * (1 + 8)  # "—" and the 8 members
    assert all("{% localize" not in body for body in bodies.values()) and "kept in test" in bodies["verdicts"]


# Every htmx answer of the session, for 5 and 300 actions (and 1 and 16 hypotheses under test and
# metrics): (url name, the post, or None for a GET of a part of the page; queries, forms built).
# A save: the session, the user, the membership and the sprint with its review (4), the rows it
# reads, the service (lock the sprint, the review, each saved row's savepoints and writes),
# then only what the answer shows. A part reads only what it shows. Forms: one per row to save,
# none for a row left as it was (before: one per row of the step, 61 at 60 actions).
_NOTES = itertools.count()


def _step_post(team, name, **changed):
    """What the browser posts for a step's "save all": every row as the page shows it, then
    `changed`. (A row saved alone sends that row only: static/js/session.js.)"""
    if name == "session_results":
        data = {k: v for a in team.active_sprint.actions.all() for k, v in _row(a, a.status, a.result_note).items()}
    elif name == "session_verdicts":
        testing = Hypothesis.objects.filter(company=team.company, status="testing")
        data = {f"v{h.pk}-{f}": "" for h in testing for f in ("decision", "measured", "note", "against_reason")}
    else:
        data = {f"m{m.pk}-value": "" for m in team.company.metrics.all()}
    return data | changed


def _result_alone(team, status, **notes):
    action = Action.objects.get(pk=team.action.pk)
    return {"only": action.pk, **_row(action, status, **notes)}


def _verdict_alone(team, decision):
    p = f"v{team.hypothesis.pk}"
    return {"only": team.hypothesis.pk, f"{p}-decision": decision, f"{p}-measured": "", f"{p}-note": ""}


ANSWERS = {
    "a result row saved alone": (
        "session_results",
        lambda t: _result_alone(t, "doing", result=f"Note {next(_NOTES)}"),
        (12, 1),
    ),
    "a result row refused alone": ("session_results", lambda t: _result_alone(t, "not_done"), (15, 1)),
    "the results step, nothing changed": ("session_results", lambda t: _step_post(t, "session_results"), (10, 0)),
    "a verdict row kept in test": (
        "session_verdicts",
        lambda t: _verdict_alone(t, "keep"),
        (9, 1),
    ),
    "a verdict row refused": (
        "session_verdicts",
        lambda t: _verdict_alone(t, "refuted"),
        (11, 1),
    ),
    "the verdicts step, nothing changed": ("session_verdicts", lambda t: _step_post(t, "session_verdicts"), (10, 0)),
    "a metric row saved alone": (  # with the one query that asks whether a webhook listens
        "session_metrics",
        lambda t: {"only": t.metric.pk, f"m{t.metric.pk}-value": next(_NOTES)},
        (12, 1),
    ),
    "a metric row refused": (
        "session_metrics",
        lambda t: {"only": t.metric.pk, f"m{t.metric.pk}-value": "x"},
        (5, 1),
    ),
    "the metrics step, nothing changed": ("session_metrics", lambda t: _step_post(t, "session_metrics"), (10, 0)),
    "the constraint step": ("session_constraint", lambda t: {"still_main": "yes"}, (9, 0)),
    "the plan step, nothing to add": ("session_plan", lambda t: {}, (15, 0)),
    "a refused close": ("session_close", lambda t: {"what_worked": "The offer"}, (21, 0)),
    "the logged count": ("progress", None, (5, 0)),
    "what stops the close": ("closing", None, (6, 0)),
    "whether the next sprint fits": ("fits", None, (7, 0)),
    "the carry-over list": ("carry", None, (8, 0)),
}


@pytest.fixture
def forms_built(monkeypatch):
    """How many of the session rows' forms were built."""
    from sprints import forms

    built = [0]
    for form_class in (forms.ActionLogForm, forms.SessionVerdictForm, forms.SessionMetricForm):

        def counting(self, *args, _init=form_class.__init__, **kwargs):
            built[0] += 1
            _init(self, *args, **kwargs)

        monkeypatch.setattr(form_class, "__init__", counting)
    return built


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_every_htmx_answer_costs_the_same_queries_and_forms_for_5_and_300_rows(
    answer, team, client, forms_built, settings
):
    name, data, pinned = ANSWERS[answer]
    # A whole results step of 300 rows is 1,200 fields; Django refuses more than 1,000 a post.
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
    client.force_login(team.tracker.user)
    _testing(team.hypothesis)
    owners = [team.member, team.team_lead]

    def answer_once():
        forms_built[0] = 0
        if data is None:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(_url(team, "session"), {"fragment": name}, headers=HTMX)
        else:
            post = data(team)
            with CaptureQueriesContext(connection) as captured:
                response = client.post(_url(team, name), post, headers=HTMX)
        assert response.status_code == 200, response.content[:300]
        assert 'id="session"' not in response.content.decode()  # never the whole session
        return len(captured), forms_built[0]

    _grow(team, 4, owners)
    answer_once()  # the first may begin the session or keep the hypothesis: measure the ones after
    small = answer_once()
    _grow(team, 296, owners)
    large = answer_once()
    assert small == large == pinned, (answer, small, large)


def test_the_capacity_bars_follow_the_plan_form_before_it_is_saved(team, client):
    client.force_login(team.tracker.user)
    url = _url(team, "session_plan_capacity")
    lead = team.team_lead
    before = client.get(url, headers=HTMX).content.decode()
    assert 'id="capacity"' in before and "2 / 8 h" in before  # the lead's planned 2 h
    query = {"carry": [team.action.pk], **_plan_rows([("Call Anna", str(lead.pk), "7.5"), ("", str(lead.pk), "1")])}
    after = client.get(url, query, headers=HTMX).content.decode()
    assert "9.5 / 8 h" in after and "overbooked by 1.5 h" in after  # blank rows count for nothing
    assert "1 / 8 h" in after  # the member's carried 1 h
    assert not Action.objects.filter(title="Call Anna").exists()


def test_a_metric_target_shows_as_typed_on_the_results_and_session_pages(team, client):
    client.force_login(team.tracker.user)
    type(team.metric).objects.filter(pk=team.metric.pk).update(target=Decimal("3.1000"))
    for page, opened in (("results", {}), ("session", {"open": "metrics"})):  # the metrics step opened
        body = client.get(_url(team, page), opened).content.decode()
        assert "target 3.1)" in body and "3.1000" not in body, page


def test_a_row_someone_saved_meanwhile_is_told_and_the_next_save_goes_through(team, client):
    client.force_login(team.tracker.user)
    data = _row(team.action, "done", "Sent to 40 people")
    Action.objects.filter(pk=team.action.pk).update(version=team.action.version + 1, result_note="Theirs")
    body = client.post(_url(team, "session_results"), data, headers=HTMX).content.decode()
    assert "Someone else saved this action" in body and 'value="Sent to 40 people"' in body
    assert f'name="l{team.action.pk}-version" value="{team.action.version + 1}"' in body
    assert Action.objects.get(pk=team.action.pk).result_note == "Theirs"
    data[f"l{team.action.pk}-version"] = team.action.version + 1  # what the page now holds
    client.post(_url(team, "session_results"), data, headers=HTMX)
    assert Action.objects.get(pk=team.action.pk).result_note == "Sent to 40 people"


def test_a_refused_next_sprint_keeps_the_typed_rows(team, client):
    client.force_login(team.tracker.user)
    Sprint.objects.filter(pk=team.planned_sprint.pk).delete()
    start, end = schedule.default_dates(team.company, after=team.active_sprint.ends_on)
    SprintFactory(company=team.company, number=103, status="closed", starts_on=start, ends_on=end)  # in the way
    rows = _plan_rows([("Call Anna", str(team.team_lead.pk), "1")])
    body = client.post(_url(team, "session_plan"), rows, headers=HTMX).content.decode()
    assert "These dates overlap" in body and 'value="Call Anna"' in body
    assert not Action.objects.filter(title="Call Anna").exists()
