"""The planning board, results and the session through the front door."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hypotheses.models import Hypothesis
from sprints import services
from sprints.models import Action, Review, Sprint
from tests import clock
from tests.factories import ActionFactory, MembershipFactory, SprintFactory

pytestmark = pytest.mark.django_db


def _action_data(team, **overrides):
    return {"title": "Send the PDF offer", "owner": team.member.pk, "estimate_hours": "1", **overrides}


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("0", "greater than or equal to 0.1"),
        ("-1", "greater than or equal to 0.1"),
        ("1000", "less than or equal to 168"),
        ("abc", "Enter a number."),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_bad_hours_are_refused_and_nothing_is_saved(hours, message, htmx, team, client):
    client.force_login(team.tracker.user)
    before = Action.objects.count()
    url = reverse("sprints:action_add", args=[team.company.pk, team.planned_sprint.pk])
    response = client.post(
        url,
        _action_data(team, estimate_hours=hours, title="Typed title"),
        headers={"HX-Request": "true"} if htmx else {},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body and 'value="Typed title"' in body
    assert Action.objects.count() == before


@pytest.mark.parametrize("owner", ["foreign", "99999999999999999999", "1.5", "x"])
def test_an_owner_from_another_business_is_an_invalid_choice(owner, team, foreign_team, client):
    """The owner is checked among the business's members the view read (sprints/forms.py
    MemberChoiceField): another business's member, or no member at all, is refused."""
    owner = foreign_team.member.pk if owner == "foreign" else owner
    client.force_login(team.tracker.user)
    url = reverse("sprints:action_add", args=[team.company.pk, team.planned_sprint.pk])
    response = client.post(url, _action_data(team, owner=owner))
    assert "Select a valid choice" in response.content.decode()
    assert not Action.objects.filter(title="Send the PDF offer").exists()
    action = team.planned_action
    edit = reverse("sprints:action_edit", args=[team.company.pk, action.pk])
    data = {f"a{action.pk}-{k}": v for k, v in _action_data(team, owner=owner, title="Moved").items()}
    response = client.post(edit, data | {f"a{action.pk}-version": action.version}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    action.refresh_from_db()
    assert action.title != "Moved" and action.owner_id != foreign_team.member.pk


def test_an_action_of_another_sprint_or_business_is_out_of_reach(team, foreign_team, client):
    client.force_login(team.tracker.user)
    url = reverse("sprints:action_edit", args=[team.company.pk, foreign_team.planned_action.pk])
    assert client.post(url, {}).status_code == 404
    # An action of a closed sprint cannot be changed any more.
    Sprint.objects.filter(pk=team.planned_sprint.pk).update(status="closed")
    prefix = f"a{team.planned_action.pk}"
    url = reverse("sprints:action_edit", args=[team.company.pk, team.planned_action.pk])
    response = client.post(
        url,
        {
            f"{prefix}-title": "Late change",
            f"{prefix}-owner": team.member.pk,
            f"{prefix}-estimate_hours": "1",
            f"{prefix}-version": team.planned_action.version,
        },
    )
    assert "This sprint is closed" in response.content.decode()
    assert Action.objects.get(pk=team.planned_action.pk).title != "Late change"


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (2, 21, "at most 14 days"),
        (-3, 3, "cannot start in the past"),
        (58, 61, "overlap Sprint 102"),
        (5, 2, "must end on or after its start"),
    ],
)
def test_bad_sprint_dates_are_refused(start, end, message, team, client):
    client.force_login(team.entrepreneur.user)
    today = clock.today()
    before = Sprint.objects.count()
    response = client.post(
        reverse("sprints:new", args=[team.company.pk]),
        {
            "starts_on": (today + timedelta(days=start)).isoformat(),
            "ends_on": (today + timedelta(days=end)).isoformat(),
            "goal": "Kept goal",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200 and message in body and 'value="Kept goal"' in body
    assert Sprint.objects.count() == before


def test_a_member_logs_only_their_own_actions(team, client):
    theirs = ActionFactory(sprint=team.active_sprint, owner=team.team_lead, title="Someone else's")
    client.force_login(team.member.user)
    own = reverse("sprints:action_log", args=[team.company.pk, team.action.pk])
    other = reverse("sprints:action_log", args=[team.company.pk, theirs.pk])
    assert client.post(own, {f"l{team.action.pk}-status": "done"}).status_code == 302
    response = client.post(other, {f"l{theirs.pk}-status": "done"})
    assert response.status_code == 403 and "own actions" in response.content.decode()
    assert Action.objects.get(pk=theirs.pk).status == "todo"
    page = client.get(reverse("sprints:results", args=[team.company.pk])).content.decode()
    assert page.count("/log/edit/") == 2  # an edit control (link + hx-get) only for their own action
    assert f"/actions/{team.action.pk}/log/edit/" in page and 'class="log-form"' not in page  # rows are text


def test_not_done_needs_a_reason(team, client):
    client.force_login(team.member.user)
    url = reverse("sprints:action_log", args=[team.company.pk, team.action.pk])
    response = client.post(url, {f"l{team.action.pk}-status": "not_done"}, headers={"HX-Request": "true"})
    assert "Say why it was not done" in response.content.decode()
    assert Action.objects.get(pk=team.action.pk).status == "todo"


def test_two_people_saving_the_same_action_the_second_is_told(team, client):
    a, b = client, client.__class__()
    a.force_login(team.tracker.user)
    b.force_login(team.entrepreneur.user)
    prefix = f"a{team.planned_action.pk}"
    url = reverse("sprints:action_edit", args=[team.company.pk, team.planned_action.pk])
    base = {f"{prefix}-owner": team.team_lead.pk, f"{prefix}-version": team.planned_action.version}
    assert a.post(url, {**base, f"{prefix}-title": "Tracker's", f"{prefix}-estimate_hours": "2"}).status_code == 302
    response = b.post(url, {**base, f"{prefix}-title": "Entrepreneur's", f"{prefix}-estimate_hours": "5"})
    body = response.content.decode()
    assert "Someone else saved this action a moment ago" in body and "Tracker&#x27;s" in body
    assert 'value="Entrepreneur&#x27;s"' in body  # what they typed is still there
    assert Action.objects.get(pk=team.planned_action.pk).title == "Tracker's"


def test_capacity_bars_update_with_every_edit(team, client):
    team.member.weekly_capacity_hours = Decimal(2)
    team.member.save()
    client.force_login(team.tracker.user)
    url = reverse("sprints:action_add", args=[team.company.pk, team.planned_sprint.pk])
    body = client.post(url, _action_data(team, estimate_hours="3"), headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<div id="plan"')
    assert "overbooked by 1 h" in body and 'class="cap-row over"' in body


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["board", "results", "session"])
def test_pages_run_the_same_queries_with_5_and_500_actions(page, team, client):
    extra_owners = MembershipFactory.create_batch(3, company=team.company)
    sprint = team.active_sprint if page != "board" else team.planned_sprint
    url = {
        "board": reverse("sprints:board", args=[team.company.pk, sprint.pk]),
        "results": reverse("sprints:results", args=[team.company.pk]),
        "session": reverse("sprints:session", args=[team.company.pk]),
    }[page]
    client.force_login(team.tracker.user)

    def fill(count):
        Action.objects.bulk_create(
            Action(
                sprint=sprint,
                title=f"Bulk {i}",
                owner=[*extra_owners, team.member][i % 4],
                estimate_hours=Decimal(1),
                hypothesis=team.hypothesis if i % 3 == 0 else None,
            )
            for i in range(count)
        )

    fill(4)
    small = _queries(client, url)
    fill(495)
    large = _queries(client, url)
    assert small == large, (small, large)
    assert large <= 15, large


def test_the_session_remembers_its_step_and_closes_the_sprint(team, client):
    client.force_login(team.tracker.user)
    company = team.company.pk
    # Begin: the sprint goes into review, the step is remembered.
    client.post(reverse("sprints:session_step", args=[company]), {"step": "verdicts"}, headers={"HX-Request": "true"})
    sprint = Sprint.objects.get(pk=team.active_sprint.pk)
    assert sprint.status == "review" and Review.objects.get(sprint=sprint).step == "verdicts"
    page = client.get(reverse("sprints:session", args=[company])).content.decode()
    assert 'id="step-verdicts" open' in page and 'id="step-results" open' not in page

    # Closing refuses while an action is open and a hypothesis is under test, and keeps the notes.
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())
    response = client.post(
        reverse("sprints:session_close", args=[company]),
        {"what_worked": "The PDF offer"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "Not yet" in body and "still to resolve" in body and team.hypothesis.title in body
    assert Review.objects.get(sprint=sprint).what_worked == "The PDF offer"

    # Carry the unfinished action over, keep the hypothesis in test on purpose, then close.
    client.post(
        reverse("sprints:session_plan", args=[company]), {"carry": [team.action.pk]}, headers={"HX-Request": "true"}
    )
    carried = Action.objects.get(carried_over_from=team.action)
    assert carried.sprint == team.planned_sprint
    assert Action.objects.get(pk=team.action.pk).status == "not_done"
    client.post(
        reverse("sprints:session_verdict", args=[company, team.hypothesis.pk]),
        {f"v{team.hypothesis.pk}-decision": "keep"},
        headers={"HX-Request": "true"},
    )
    response = client.post(
        reverse("sprints:session_close", args=[company]),
        {"what_worked": "The PDF offer", "what_to_fix": "Start earlier"},
    )
    assert response.status_code == 302
    sprint.refresh_from_db()
    review = Review.objects.get(sprint=sprint)
    assert sprint.status == "closed" and review.held_at and review.what_to_fix == "Start earlier"
    assert Hypothesis.objects.get(pk=team.hypothesis.pk).status == "testing"  # kept on purpose


# --- A results row answers with itself; the counters refresh themselves --------------------------


def test_a_logged_row_answers_with_that_row_and_tells_the_counters(team, client):
    client.force_login(team.member.user)
    url = reverse("sprints:action_log", args=[team.company.pk, team.action.pk])
    response = client.post(url, {f"l{team.action.pk}-status": "done"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.startswith(f'<li class="log-row status-done" id="log-{team.action.pk}">'), body[:200]
    assert body.count('class="log-row') == 1 and "Saved" in body and 'name="from"' not in body
    assert json.loads(response.headers["HX-Trigger"]) == {"results-changed": {}}
    counters = client.get(
        reverse("sprints:results", args=[team.company.pk]) + "?fragment=counters", headers={"HX-Request": "true"}
    ).content.decode()
    assert counters.startswith('<span class="count" id="results-counters"') and "1 of 1 logged" in counters
    # A plain post still goes back to the page.
    response = client.post(url, {f"l{team.action.pk}-status": "doing"})
    assert response.status_code == 302 and response.url.endswith("/results/#actions")


def test_the_results_page_shows_text_rows_and_the_session_light_input_rows(team, client):
    """The results page's row is text until edited; the session's rows are light inputs of one
    form (all saved in one submit), with no Django widget per row."""
    client.force_login(team.tracker.user)
    body = client.get(reverse("sprints:results", args=[team.company.pk])).content.decode()
    assert f'<li class="log-row status-todo" id="log-{team.action.pk}">' in body and 'name="from"' not in body
    assert f'hx-target="#log-{team.action.pk}"' in body and f'hx-target="#metric-{team.metric.pk}"' in body
    body = client.get(reverse("sprints:session", args=[team.company.pk])).content.decode()
    assert f'id="result-{team.action.pk}"' in body and f'name="l{team.action.pk}-status"' not in body  # text
    assert body.count('id="results-form"') == 1
    # The metrics step, folded at the results step, opened (its card): a light input per metric.
    metrics = client.get(
        reverse("sprints:session", args=[team.company.pk]),
        {"fragment": "card", "card": "metrics"},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert f'name="m{team.metric.pk}-value"' in metrics and metrics.count('id="metrics-form"') == 1
    opened = client.get(reverse("sprints:session", args=[team.company.pk]), {"edit": team.action.pk}).content.decode()
    assert f'name="l{team.action.pk}-status"' in opened and opened.count('-status"') == 3  # one row: name, id, label
    # The parts that follow a save elsewhere on the page, each alone.
    session = reverse("sprints:session", args=[team.company.pk])

    def part(name):
        return client.get(session, {"fragment": name}, headers={"HX-Request": "true"}).content.decode().strip()

    assert part("progress").startswith('<p class="muted session-progress" id="session-progress"')
    assert "0 of 1 logged" in part("progress")
    closing = part("closing")
    assert closing.startswith('<div id="closing-problems"') and "still to resolve" in closing
    assert part("carry").startswith('<div id="plan-next"') and f'value="{team.action.pk}" checked' in part("carry")
    assert part("fits").startswith('<div id="close-next"') and 'id="next-fits"' in part("fits")


def test_a_metric_row_answers_with_that_row(team, client):
    client.force_login(team.tracker.user)
    url = reverse("sprints:metric_log", args=[team.company.pk, team.metric.pk])
    body = client.post(url, {f"m{team.metric.pk}-value": "3.10"}, headers={"HX-Request": "true"}).content.decode()
    assert body.startswith('<form class="metric-log just-saved"') and body.count("<form") == 1
    assert 'value="3.1"' in body and "Saved" in body
    body = client.post(url, {f"m{team.metric.pk}-value": "abc"}, headers={"HX-Request": "true"}).content.decode()
    assert "Enter a number." in body and body.count("<form") == 1


# --- Every htmx POST of these screens costs the same queries for 5 and 500 actions ----------------


def _testing(team):
    Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="testing", testing_started_at=clock.now())


def _delete_target(team):
    return ActionFactory(sprint=team.planned_sprint, owner=team.member)


_MEASURED = iter(Decimal(n) / 10 for n in range(20, 1000))

# name: (sprint the actions go into, a request built for the team (url name, args, data), pinned queries)
HTMX_POSTS = {
    # The action's row locked and its changed columns written: its other links are not looked up again.
    "action_log": ("active", lambda t: ("action_log", [t.action.pk], {f"l{t.action.pk}-status": "done"}), 8),
    # A weekly value is one upsert, and raises metric.value_recorded: one query asks whether a
    # webhook listens. The metric comes with the business already read (access_metric).
    "metric_log": ("active", lambda t: ("metric_log", [t.metric.pk], {f"m{t.metric.pk}-value": "7"}), 8),
    "hypothesis_measure": (
        "active",
        lambda t: (
            _testing(t) or ("hypothesis_measure", [t.hypothesis.pk], {f"h{t.hypothesis.pk}-measured": next(_MEASURED)})
        ),
        9,  # the measured value validated and written alone: the hypothesis's links are not looked up again
    ),
    # The session again, at the metrics step (the other steps folded; each folded card's cost:
    # tests/sprints/test_session_steps.py PAGE_QUERIES).
    "session_step": ("active", lambda t: ("session_step", [], {"step": "metrics"}), 11),
    "session_constraint": ("active", lambda t: ("session_constraint", [], {"still_main": "yes"}), 9),  # its card
    "session_plan": ("active", lambda t: ("session_plan", [], {}), 15),  # its card: the next sprint's board
    "session_verdict": (
        "active",
        lambda t: _testing(t) or ("session_verdict", [t.hypothesis.pk], {f"v{t.hypothesis.pk}-decision": "keep"}),
        9,  # the row, from what the save read and left (not read again)
    ),
    "session_close": ("active", lambda t: ("session_close", [], {"what_worked": "The offer"}), 21),  # refused: its card
    "action_add": (
        "planned",
        lambda t: ("action_add", [t.planned_sprint.pk], _action_data(t)),
        16,  # the board again; its owner checked among the members its access read, with their past hours
    ),
    "action_edit": (
        "planned",
        lambda t: (
            "action_edit",
            [t.planned_action.pk],
            {f"a{t.planned_action.pk}-{k}": v for k, v in _action_data(t, title="Call them").items()},
        ),
        7,  # the row as text (only its changed title written; its owner checked among the members its access read)
    ),
    "action_delete": ("planned", lambda t: ("action_delete", [_delete_target(t).pk], {}), 11),
}


@pytest.mark.parametrize("name", sorted(HTMX_POSTS))
def test_htmx_posts_run_the_same_queries_with_5_and_500_actions(name, team, client):
    where, build, pinned = HTMX_POSTS[name]
    sprint = team.active_sprint if where == "active" else team.planned_sprint
    owners = [*MembershipFactory.create_batch(3, company=team.company), team.member]
    client.force_login(team.tracker.user)

    def fill(count):
        Action.objects.bulk_create(
            Action(sprint=sprint, title=f"Bulk {i}", owner=owners[i % 4], estimate_hours=Decimal(1))
            for i in range(count)
        )

    def post():
        url_name, args, data = build(team)
        url = reverse(f"sprints:{url_name}", args=[team.company.pk, *args])
        with CaptureQueriesContext(connection) as captured:
            response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 200, response.content[:300]
        return len(captured)

    fill(4)
    post()  # the first post may begin the session or keep a hypothesis: measure the ones after
    small = post()
    fill(495)
    large = post()
    assert small == large == pinned, (name, small, large)


def test_the_results_page_gives_each_reader_their_own_actions_first(team, client_for):
    ActionFactory(sprint=team.active_sprint, owner=team.entrepreneur, title="Call the ten warmest leads")
    url = reverse("sprints:results", args=[team.company.pk])
    yours = "<h3>Yours</h3>"
    tracker_page = client_for(team.tracker).get(url).content.decode()
    entrepreneur_page = client_for(team.entrepreneur).get(url).content.decode()
    assert yours not in tracker_page and "Call the ten warmest leads" in tracker_page
    mine = entrepreneur_page.split(yours, 1)[1].split("<h3>", 1)[0]
    assert "Call the ten warmest leads" in mine and team.action.title not in mine


def test_a_tracker_and_an_entrepreneur_each_see_their_own_session(team, client_for):
    session = reverse("sprints:session", args=[team.company.pk])
    close = f'action="{reverse("sprints:session_close", args=[team.company.pk])}"'
    only_a_tracker = "Only a tracker can close sprints."
    opened = {"open": "close"}  # the close step, folded at the results step, opened
    tracker_page = client_for(team.tracker).get(session, opened).content.decode()
    entrepreneur_page = client_for(team.entrepreneur).get(session, opened).content.decode()
    assert close in tracker_page and only_a_tracker not in tracker_page
    assert close not in entrepreneur_page and only_a_tracker in entrepreneur_page


def test_a_sprint_of_ours_that_is_not_closed_has_no_closed_panel(team, client):
    client.force_login(team.tracker.user)
    session = reverse("sprints:session", args=[team.company.pk])
    assert client.get(session + f"?closed={team.planned_sprint.pk}").status_code == 404


def test_the_answer_to_a_refused_step_is_the_page_as_it_is_now(team, client):
    client.force_login(team.tracker.user)
    Action.objects.filter(pk=team.action.pk).update(title="Renamed a moment ago")
    # No answer: refused, nothing written.
    response = client.post(reverse("sprints:session_constraint", args=[team.company.pk]), {})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Answer yes or no." in page and "Renamed a moment ago" in page
    assert Sprint.objects.get(pk=team.active_sprint.pk).status == "active"


def test_an_edit_writes_only_what_changed(team):
    """The posted fields as they are stored change nothing (the version stays, so a colleague's
    open form is not made stale); a changed estimate is checked and written alone."""
    action = team.planned_action
    same = {
        "title": f"  {action.title} ",
        "owner": action.owner,
        "estimate_hours": action.estimate_hours,
        "cost": action.cost,
        "hypothesis": action.hypothesis,
    }
    kept = services.action_update(action=action, by=team.tracker, expected_version=action.version, **same)
    assert kept.version == action.version
    changed = services.action_update(
        action=action, by=team.tracker, expected_version=action.version, **same | {"estimate_hours": Decimal(3)}
    )
    assert changed.version == action.version + 1
    action.refresh_from_db()
    assert action.estimate_hours == Decimal(3) and action.version == changed.version
    with pytest.raises(ValidationError):  # a changed field is still checked
        services.action_update(
            action=action, by=team.tracker, expected_version=action.version, **same | {"estimate_hours": Decimal(0)}
        )


@pytest.mark.parametrize("sprint_id", [0, 2**63, 10**30])
def test_a_sprint_id_past_what_the_column_holds_is_not_found(team, client, sprint_id):
    client.force_login(team.tracker.user)
    url = reverse("sprints:board", args=[team.company.pk, 1]).replace("/1/", f"/{sprint_id}/")
    assert client.get(url).status_code == 404
    foreign = SprintFactory(number=7)  # another business's sprint
    assert client.get(reverse("sprints:board", args=[team.company.pk, foreign.pk])).status_code == 404


def test_the_capacity_card_speaks_the_readers_language_and_escapes_names(team, client):
    """Each owner's row of the capacity card (sprints/templatetags/capacity.py): hours to a
    tenth with the reader's decimal separator, the overbooking said in their language, the
    name escaped."""
    team.member.weekly_capacity_hours = Decimal("2.5")
    team.member.save()
    team.member.user.full_name = 'Ann <i>"Ops"</i>'
    team.member.user.save()
    client.force_login(team.tracker.user)
    url = reverse("sprints:action_add", args=[team.company.pk, team.planned_sprint.pk])
    assert client.post(url, _action_data(team, estimate_hours="3.5")).status_code == 302
    client.post(reverse("language_set"), {"language": "ru"})
    body = client.get(reverse("sprints:board", args=[team.company.pk, team.planned_sprint.pk])).content.decode()
    row = body.split(f'data-owner="{team.member.pk}"')[1].split("</small>")[0]
    available = (Decimal("2.5") * team.planned_sprint.days / 7).quantize(Decimal("0.1"))
    assert available == Decimal("2.5")  # a week's sprint: 2,5 of 2,5 hours
    assert "3,5 / 2,5 ч" in row and "перегрузка на 1 ч" in row
    assert "Ann &lt;i&gt;&quot;Ops&quot;&lt;/i&gt;" in row and "<i>" not in row
