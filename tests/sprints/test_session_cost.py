"""What the weekly session page costs to render, pinned without a clock: template
nodes per row, the page's size as data the page does not show grows, and what is built once
per page instead of per row (the owners' options, the words of the status select and of the
verdict radios, in the page's language).

Where the pins hold it (bench/pages.py --profile, 60 actions, 40 hypotheses under test):
4,986 template nodes and ~164,000 Python calls per request."""

from decimal import Decimal

import pytest
from django.template import base as template_base
from django.urls import reverse
from django.utils import translation

from hypotheses.models import Hypothesis, Verdict
from sprints.models import Action, ActionStatus
from sprints.session_page import STEP_ORDER, session_context
from tests import clock
from tests.factories import HypothesisFactory, MembershipFactory

pytestmark = pytest.mark.django_db

# Template nodes (tags and variables) one row adds to the page, at most. Result and verdict rows
# are text until their button opens them: the text (head, result line, numbers, criteria,
# suggestion, button) comes made in one pass (sprints/session_page.py), so a row is its
# element and a few variables (37 and 40 nodes when every row had its fields). A carry-over
# row's "(owner, hours: before → after / available)" comes made as one text; no row is inside a
# {% localize %} block.
RESULT_ROW_NODES = 8
CARRY_ROW_NODES = 8
VERDICT_ROW_NODES = 8


def _session(team, client, params=None, **headers):
    response = client.get(reverse("sprints:session", args=[team.company.pk]), params, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def _every_step(team, client) -> str:
    """The page at the step at hand (results) and the card of every step it folds, as opening
    each fetches it: every row the session shows, whichever step it is in."""
    page = _session(team, client)
    cards = [
        _session(team, client, {"fragment": "card", "card": card}, **{"HX-Request": "true"}) for card in STEP_ORDER[1:]
    ]
    return "".join([page, *cards])


def _nodes(team, client) -> int:
    counted = [0]
    render_annotated = template_base.Node.render_annotated

    def counting(self, context):
        counted[0] += 1
        return render_annotated(self, context)

    template_base.Node.render_annotated = counting
    try:
        _every_step(team, client)
    finally:
        template_base.Node.render_annotated = render_annotated
    return counted[0]


def _actions(team, count, status):
    Action.objects.bulk_create(
        Action(
            sprint=team.active_sprint,
            title=f"Bulk {status} {i}",
            owner=team.member,
            estimate_hours=Decimal("1.5"),
            status=status,
            result_note="Sent" if status == ActionStatus.DONE else "",
        )
        for i in range(count)
    )


def _under_test(team, count):
    for i in range(count):
        hypothesis = HypothesisFactory(company=team.company, constraint=team.constraint, metric=team.metric)
        Hypothesis.objects.filter(pk=hypothesis.pk).update(
            status="testing", testing_started_at=clock.now(), title=f"Under test {i}"
        )


def test_a_result_row_a_carry_over_row_and_a_verdict_row_each_render_a_bounded_number_of_nodes(team, client):
    client.force_login(team.tracker.user)
    start = _nodes(team, client)
    _actions(team, 20, ActionStatus.DONE)  # a result row each, nothing to carry over
    done = _nodes(team, client)
    _actions(team, 20, ActionStatus.TODO)  # a result row and a carry-over row each
    todo = _nodes(team, client)
    _under_test(team, 20)
    testing = _nodes(team, client)
    per_result = (done - start) / 20
    per_carry = (todo - done) / 20 - per_result
    per_verdict = (testing - todo) / 20
    assert per_result <= RESULT_ROW_NODES, per_result
    assert per_carry <= CARRY_ROW_NODES, per_carry
    assert per_verdict <= VERDICT_ROW_NODES, per_verdict


def test_the_page_does_not_grow_with_hypotheses_it_does_not_show(team, client):
    """60 actions: ideas and ready hypotheses are offered nowhere on the session page, so 110
    more of them add nothing (no hypothesis list per row); nor do more actions of other sprints."""
    client.force_login(team.tracker.user)
    _actions(team, 60, ActionStatus.DOING)
    HypothesisFactory.create_batch(10, company=team.company, constraint=team.constraint, metric=team.metric)
    before = _every_step(team, client)
    HypothesisFactory.create_batch(110, company=team.company, constraint=team.constraint, metric=team.metric)
    after = _every_step(team, client)
    assert len(after) == len(before)
    assert len(after) < 200_000  # ~2.4 KB per action row with its carry-over row, plus the page


def test_more_members_add_their_options_to_the_blank_rows_and_their_bars_only(team, client):
    client.force_login(team.tracker.user)
    _actions(team, 60, ActionStatus.TODO)
    # The page with the plan step opened (without JavaScript): the results rows and the plan.
    before = _session(team, client, {"open": "plan"})
    MembershipFactory.create_batch(10, company=team.company)
    after = _session(team, client, {"open": "plan"})
    assert after.count("<option") - before.count("<option") == 10 * 5  # the 5 blank plan rows only
    assert after.count('class="cap-row') - before.count('class="cap-row') == 10  # their capacity bars
    # An option is ~40 bytes and a bar ~500: nothing else grows with the members.
    assert len(after) - len(before) < 10 * (5 * 60 + 700)


def test_the_blank_rows_share_one_rendering_of_the_owners(team):
    """The owners' <option>s are rendered once per selected owner and page, not once per row."""
    context = session_context(team.company, team.tracker, opened="plan")
    rows = context["new_rows"]
    assert len(rows) == 5 and len({row["owner"] for row in rows}) == 1
    assert all(row["owner_options"] is rows[0]["owner_options"] for row in rows)
    assert str(rows[0]["owner_options"]).count("<option") == team.company.memberships.count()


def test_the_words_built_once_per_page_follow_the_page_language(team, client):
    """The status select, the verdict radios and "no owner" are made once per page, in the
    language of that page: Russian for a Russian page, English again for the next one."""
    client.force_login(team.tracker.user)
    _under_test(team, 1)
    Action.objects.create(sprint=team.active_sprint, title="Nobody's", estimate_hours=Decimal(1))
    with translation.override("ru"):
        status, verdict, no_owner = ActionStatus.DONE.label, Verdict.CONFIRMED.label, translation.gettext("no owner")
        russian_words = [str(status), str(verdict), no_owner]
    assert russian_words[:2] != ["Done", "Confirmed"]  # the catalogue has them
    # A result row and a verdict row opened (their buttons without JavaScript): the select, the
    # radios; and the plan step opened: its carry-over rows.
    opened = {"edit": team.action.pk, "decide": Hypothesis.objects.get(title="Under test 0").pk, "open": "plan"}
    russian = _session(team, client, opened, **{"Accept-Language": "ru"})
    assert f">{russian_words[0]}</option>" in russian
    assert f"> {russian_words[1]}</label>" in russian
    assert f"({russian_words[2]}," in russian  # the owner-less action's carry-over row
    english = _session(team, client, opened, **{"Accept-Language": "en"})
    assert ">Done</option>" in english and "> Confirmed</label>" in english and "(no owner," in english
