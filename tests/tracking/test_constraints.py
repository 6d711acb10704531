"""The main constraint: one active per company (the database holds it), the why-chain."""

import threading
from html import escape

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from tests.factories import ConstraintFactory
from tracking import services
from tracking.models import Constraint, ConstraintEvent, WhyStep

pytestmark = pytest.mark.django_db


def _replace(team, by, title, *, area="leads", note="Solved"):
    """`by` replaces the team's main constraint with a new one, saying what happened to it."""
    return services.constraint_replace(
        by=by, title=title, area=area, previous_note=note, expected_previous_id=team.constraint.pk
    )


def test_the_database_refuses_a_second_active_constraint(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Constraint.objects.create(company=team.company, title="Another", started_on=team.constraint.started_on)


def test_closed_constraints_do_not_count(team):
    ConstraintFactory(company=team.company, status="resolved", closed_on=team.constraint.started_on)
    ConstraintFactory(company=team.company, status="dropped", closed_on=team.constraint.started_on)
    assert Constraint.objects.filter(company=team.company).count() == 3


def test_replacing_closes_the_old_one_with_a_date_and_a_note(team):
    new = services.constraint_replace(
        by=team.tracker,
        title="Weak conversion",
        area="conversion",
        previous_outcome="resolved",
        previous_note="Leads are marked by source",
        expected_previous_id=team.constraint.pk,
    )
    old = Constraint.objects.get(pk=team.constraint.pk)
    assert (old.status, old.closing_note) == ("resolved", "Leads are marked by source")
    assert old.closed_on is not None
    assert new.is_active and new.created_by == team.tracker.user
    kinds = set(ConstraintEvent.objects.values_list("kind", flat=True))
    assert {"resolved", "created"} <= kinds


def test_a_stale_replacement_is_told_not_applied(team):
    _replace(team, team.tracker, "First")
    with pytest.raises(ValidationError, match="changed the main constraint while you were editing"):
        _replace(team, team.entrepreneur, "Second")
    assert list(Constraint.objects.filter(company=team.company, status="active").values_list("title", flat=True)) == [
        "First"
    ]


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_replacements_give_one_success_and_one_clear_message():
    from tests.conftest import make_team

    team = make_team("Race Bakery")
    barrier = threading.Barrier(2)
    outcomes = []

    def replace(title, membership):
        try:
            barrier.wait()
            _replace(team, membership, title)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=replace, args=("From the tracker", team.tracker)),
        threading.Thread(target=replace, args=("From the entrepreneur", team.entrepreneur)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(outcomes) == 2 and outcomes.count("ok") == 1, outcomes
    assert "Someone" in next(o for o in outcomes if o != "ok")
    assert Constraint.objects.filter(company=team.company, status="active").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_first_constraints_hit_the_index_and_become_a_message():
    from tests.factories import CompanyFactory, MembershipFactory

    company = CompanyFactory(name="Fresh Co")
    a, b = (MembershipFactory(company=company, role=r) for r in ("tracker", "entrepreneur"))
    barrier = threading.Barrier(2)
    outcomes = []

    def first(title, membership):
        try:
            barrier.wait()
            services.constraint_replace(by=membership, title=title, area="leads", expected_previous_id=None)
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=first, args=(t, m)) for t, m in (("A", a), ("B", b))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes.count("ok") == 1, outcomes
    assert Constraint.objects.filter(company=company, status="active").count() == 1


def _answers(constraint):
    return list(
        WhyStep.objects.filter(constraint=constraint).order_by("position").values_list("answer", "is_root_cause")
    )


def _chain_url(name, team, **kwargs):
    return reverse(f"tracking:{name}", kwargs={"company_id": team.company.pk, **kwargs})


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_why_chain_editing(htmx, team, client):
    client.force_login(team.team_lead.user)
    headers = {"HX-Request": "true"} if htmx else {}
    first, second = team.why_steps
    name = team.company.name

    def post(url, data=None, answer='<div id="why-chain"'):
        response = client.post(url, data or {}, headers=headers)
        if htmx:
            assert response.status_code == 200
            body = response.content.decode()
            assert body.lstrip().startswith(answer) and "<html" not in body
        else:
            assert response.status_code == 302 and "#why-chain" in response.url
        return response

    post(_chain_url("why_add", team, constraint_id=team.constraint.pk), {"answer": f"{name}: we don't know our buyers"})
    # An answer's save answers with its step alone, "Saved", still first of the chain.
    edited = post(
        _chain_url("why_edit", team, step_id=first.pk),
        {f"s{first.pk}-answer": f"{name}: ads are badly set up"},
        answer=f'<li class="why-step" id="why-{first.pk}"',
    )
    if htmx:
        body = edited.content.decode()
        assert "Saved" in body and 'value="down"' in body and 'value="up"' not in body
        assert body.count("<li") == 1 and "<textarea" not in body  # text again, with its "Edit"
        assert f"?edit_step={first.pk}" in body
    post(_chain_url("why_move", team, step_id=second.pk), {"direction": "up"})
    assert [a for a, _ in _answers(team.constraint)] == [
        f"{name}: the brief is vague",
        f"{name}: ads are badly set up",
        f"{name}: we don't know our buyers",
    ]
    last = WhyStep.objects.get(answer=f"{name}: we don't know our buyers")
    post(_chain_url("why_root", team, step_id=last.pk))
    assert _answers(team.constraint)[-1] == (f"{name}: we don't know our buyers", True)
    post(_chain_url("why_delete", team, step_id=first.pk))
    assert len(_answers(team.constraint)) == 2
    kinds = list(ConstraintEvent.objects.filter(constraint=team.constraint).values_list("kind", flat=True))
    assert sorted(kinds) == sorted(["why_added", "why_edited", "why_moved", "root_cause", "why_deleted"])


def test_steps_are_text_until_edited(team, client):
    """The page shows every answer as text with its "Edit"; "Edit" answers (htmx) with that step
    and its form, or (no JavaScript) the page with that step's form only."""
    client.force_login(team.tracker.user)
    first, second = team.why_steps
    url = reverse("tracking:company_detail", args=[team.company.pk])
    body = client.get(url).content.decode()
    assert "<textarea" not in body.split('class="why-add"')[0].split('id="why-chain"')[1]
    assert f"?edit_step={first.pk}#why-{first.pk}" in body and escape(first.answer) in body
    step = client.get(url, {"edit_step": second.pk}, headers={"HX-Request": "true"}).content.decode()
    assert step.lstrip().startswith(f'<li class="why-step" id="why-{second.pk}"') and step.count("<li") == 1
    assert f'name="s{second.pk}-answer"' in step and 'value="up"' in step and "<html" not in step
    page = client.get(url, {"edit_step": second.pk}).content.decode()
    assert f'name="s{second.pk}-answer"' in page and f'name="s{first.pk}-answer"' not in page
    # A member who may not edit gets no form.
    client.force_login(team.member.user)
    body = client.get(url, {"edit_step": second.pk}).content.decode()
    assert f'name="s{second.pk}-answer"' not in body and "why-edit-open" not in body and escape(second.answer) in body


def test_the_constraint_is_text_until_edited(team, client):
    client.force_login(team.tracker.user)
    url = reverse("tracking:company_detail", args=[team.company.pk])
    body = client.get(url).content.decode()
    assert 'class="constraint-edit"' not in body and "?edit=constraint#constraint" in body
    assert escape(team.constraint.title) in body
    body = client.get(url, {"edit": "constraint"}).content.decode()
    assert 'class="constraint-edit"' in body and f'value="{escape(team.constraint.title)}"' in body
    # Refused: the form again with what was typed and why.
    edit = reverse("tracking:constraint_edit", args=[team.company.pk, team.constraint.pk])
    long_title = "z" * 301
    body = client.post(edit, {"title": long_title, "area": team.constraint.area}).content.decode()
    assert 'class="constraint-edit"' in body and long_title in body
    client.force_login(team.member.user)
    body = client.get(url, {"edit": "constraint"}).content.decode()
    assert 'class="constraint-edit"' not in body and "?edit=constraint#constraint" not in body


def test_a_refused_answer_keeps_its_form_and_text(team, client):
    client.force_login(team.tracker.user)
    first = team.why_steps[0]
    long_text = "y" * 1001
    url = _chain_url("why_edit", team, step_id=first.pk)
    for headers in ({"HX-Request": "true"}, {}):
        body = client.post(url, {f"s{first.pk}-answer": long_text}, headers=headers).content.decode()
        assert f'name="s{first.pk}-answer"' in body and long_text in body and "Saved" not in body
    assert WhyStep.objects.get(pk=first.pk).answer == first.answer


def test_only_the_last_step_can_be_the_root_cause(team, client):
    client.force_login(team.tracker.user)
    first = team.why_steps[0]
    response = client.post(_chain_url("why_root", team, step_id=first.pk), headers={"HX-Request": "true"})
    assert "Only the last answer of the chain can be the root cause" in response.content.decode()
    assert not WhyStep.objects.filter(constraint=team.constraint, is_root_cause=True).exists()


def test_a_step_added_after_the_root_cause_takes_the_chain_deeper(team):
    services.why_step_mark_root_cause(step=team.why_steps[-1], by=team.tracker)
    services.why_step_add(constraint=team.constraint, by=team.tracker, answer="Deeper still")
    assert [root for _, root in _answers(team.constraint)] == [False, False, False]


def test_moving_the_root_cause_off_the_end_unmarks_it(team):
    services.why_step_mark_root_cause(step=team.why_steps[-1], by=team.tracker)
    services.why_step_move(step=team.why_steps[-1], by=team.tracker, to_position=1)
    assert not WhyStep.objects.filter(constraint=team.constraint, is_root_cause=True).exists()


def test_an_empty_answer_keeps_the_chain_and_says_why(team, client):
    client.force_login(team.tracker.user)
    before = _answers(team.constraint)
    response = client.post(
        _chain_url("why_add", team, constraint_id=team.constraint.pk), {"answer": "   "}, headers={"HX-Request": "true"}
    )
    assert "This field is required" in response.content.decode()
    assert _answers(team.constraint) == before
    # A plain post shows the whole page with the error, and nothing typed is lost.
    long_text = "x" * 1001
    response = client.post(_chain_url("why_add", team, constraint_id=team.constraint.pk), {"answer": long_text})
    assert response.status_code == 200 and long_text in response.content.decode()
    assert _answers(team.constraint) == before


def test_a_closed_constraint_keeps_its_chain(team):
    _replace(team, team.tracker, "Next", area="team")
    team.constraint.refresh_from_db()
    with pytest.raises(ValidationError, match="closed"):
        services.why_step_add(constraint=team.constraint, by=team.tracker, answer="too late")


def test_constraint_timeline_shows_how_it_moved(team, client):
    _replace(team, team.tracker, "Weak conversion of hot leads", area="conversion", note="Leads are marked by source")
    client.force_login(team.member.user)
    body = client.get(reverse("tracking:constraint_history", args=[team.company.pk])).content.decode()
    assert body.index("Weak conversion of hot leads") < body.index(team.constraint.title)
    assert "Resolved" in body


def test_history_lists_who_changed_what(team, client):
    services.why_step_add(constraint=team.constraint, by=team.team_lead, answer="We never asked our customers")
    services.why_step_update(step=team.why_steps[0], by=team.tracker, answer="The ads target everyone")
    client.force_login(team.member.user)
    body = client.get(reverse("tracking:constraint_history", args=[team.company.pk])).content.decode()
    assert "<q>We never asked our customers</q>" in body
    assert "<q>The ads target everyone</q>" in body
    assert escape(str(team.team_lead.user)) in body and escape(str(team.tracker.user)) in body


# --- Replacing needs “What happened to it” -------------------------------------------------------


@pytest.mark.parametrize("note", ["", "   \n  "])
def test_replacing_without_saying_what_happened_is_refused_and_nothing_changes(note, team):
    before = list(Constraint.objects.filter(company=team.company).values_list("pk", "status", "closing_note"))
    with pytest.raises(ValidationError) as refused:
        _replace(team, team.tracker, "Weak conversion", area="conversion", note=note)
    assert refused.value.message_dict == {
        "previous_note": [
            f"Say what happened to “{team.constraint.title}”: the constraint history keeps why it was closed."
        ]
    }
    assert list(Constraint.objects.filter(company=team.company).values_list("pk", "status", "closing_note")) == before
    assert not ConstraintEvent.objects.filter(constraint__company=team.company).exists()


def test_the_first_constraint_needs_no_note(db):
    from tests.factories import CompanyFactory, MembershipFactory

    tracker = MembershipFactory(company=CompanyFactory(name="Fresh Co"), role="tracker")
    first = services.constraint_replace(by=tracker, title="No leads", area="leads", expected_previous_id=None)
    assert first.is_active


def test_the_form_keeps_what_was_typed_and_says_what_is_missing(team, client):
    client.force_login(team.tracker.user)
    url = reverse("tracking:constraint_new", args=[team.company.pk])
    data = {
        "title": "Weak conversion of hot leads",
        "area": "conversion",
        "previous_outcome": "dropped",
        "previous_note": "",
        "expected_previous": team.constraint.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "previous_note": ["Say what happened to it: the constraint history keeps why it was closed."]
    }
    body = response.content.decode()
    assert 'value="Weak conversion of hot leads"' in body
    assert Constraint.objects.get(company=team.company, status="active").pk == team.constraint.pk

    response = client.post(url, {**data, "previous_note": "Not the bottleneck after all"})
    assert response.status_code == 302
    old = Constraint.objects.get(pk=team.constraint.pk)
    assert (old.status, old.closing_note) == ("dropped", "Not the bottleneck after all")
    event = ConstraintEvent.objects.get(constraint=old, kind="dropped")
    assert event.changes == {"note": "Not the bottleneck after all"}


def test_a_refused_answer_comes_back_in_its_step_with_what_was_typed(team, client):
    """An empty answer (htmx): the step alone with its form and the error; nothing is saved."""
    client.force_login(team.team_lead.user)
    first = team.why_steps[0]
    before = first.answer
    url = _chain_url("why_edit", team, step_id=first.pk)
    body = client.post(url, {f"s{first.pk}-answer": "  "}, headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith(f'<li class="why-step" id="why-{first.pk}"')
    assert 'class="error"' in body and "Saved" not in body
    first.refresh_from_db()
    assert first.answer == before


def test_the_empty_why_field_speaks_the_readers_language_and_a_refused_one_keeps_its_text(team, client):
    """The "Why?" field is drawn once per language while empty (tracking/views/constraints.py);
    refused, it is the posted form's, with what was typed."""
    client.force_login(team.tracker.user)
    page = reverse("tracking:company_detail", args=[team.company.pk])
    english = client.get(page).content.decode()
    client.post(reverse("language_set"), {"language": "ru"})
    russian = client.get(page).content.decode()
    for body, placeholder in ((english, "Why? — because…"), (russian, "Почему? — потому что…")):
        assert body.count('name="answer"') == 1 and f'placeholder="{placeholder}"' in body
    url = _chain_url("why_add", team, constraint_id=team.constraint.pk)
    refused = client.post(url, {"answer": "z" * 1001}).content.decode()
    assert "z" * 1001 in refused and 'placeholder="Почему? — потому что…"' in refused
