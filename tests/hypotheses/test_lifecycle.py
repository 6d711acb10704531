"""Every (status, transition) pair: allowed ones succeed, all others are refused with a
message and change nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from hypotheses import services
from hypotheses.models import Hypothesis, HypothesisEvent, Status

pytestmark = pytest.mark.django_db

ALLOWED = {
    ("idea", "ready"),
    ("idea", "dropped"),
    ("ready", "testing"),
    ("ready", "idea"),
    ("ready", "dropped"),
    ("testing", "dropped"),
    ("inconclusive", "testing"),
    ("inconclusive", "dropped"),
    ("confirmed", "adopted"),
}
REFUSAL_HINT = {
    "adopted": "Only a confirmed hypothesis can be adopted",
    "dropped": "Only an open hypothesis can be dropped",
}


def _state(h):
    h = Hypothesis.objects.get(pk=h.pk)
    return (h.status, h.verdict, h.version, h.testing_started_at, h.drop_reason, h.events.count())


@pytest.mark.parametrize("target", Status.values)
@pytest.mark.parametrize("source", Status.values)
def test_every_transition(source, target, team):
    h = team.hypothesis
    verdict = source if source in ("confirmed", "refuted", "inconclusive") else ""
    Hypothesis.objects.filter(pk=h.pk).update(status=source, verdict=verdict)
    h.refresh_from_db()
    before = _state(h)

    if (source, target) in ALLOWED:
        moved = services.hypothesis_transition(hypothesis=h, by=team.tracker, to=target, reason="Not worth it now")
        assert moved.status == target
        event = HypothesisEvent.objects.filter(hypothesis=h).latest("pk")
        assert (event.kind, event.from_status, event.to_status, event.actor) == (
            "transition",
            source,
            target,
            team.tracker.user,
        )
    else:
        with pytest.raises(ValidationError) as excinfo:
            services.hypothesis_transition(hypothesis=h, by=team.tracker, to=target, reason="Not worth it now")
        message = " ".join(excinfo.value.messages)
        assert message  # always says why
        if target in REFUSAL_HINT and source != target:
            assert REFUSAL_HINT[target] in message
        if source == "testing" and target in ("confirmed", "refuted", "inconclusive"):
            assert "Give a verdict" in message
        assert _state(h) == before


def test_testing_needs_the_pre_registered_fields(team):
    h = services.hypothesis_create(
        by=team.member, title="Guarantee", statement="If we promise a money-back guarantee…", kind="innovation"
    )
    with pytest.raises(ValidationError) as excinfo:
        services.hypothesis_transition(hypothesis=h, by=team.tracker, to="ready")
    message = excinfo.value.messages[0]
    for words in (
        "choose the metric",
        "set the baseline",
        "set the expected value",
        "say how we will know",
        "describe the cheapest test",
        "expected return",
    ):
        assert words in message
    assert Hypothesis.objects.get(pk=h.pk).status == "idea"


def test_a_breakthrough_needs_a_budget_cap_and_a_kill_date(team):
    h = team.hypothesis
    Hypothesis.objects.filter(pk=h.pk).update(kind="breakthrough", expected_return=None)
    h.refresh_from_db()
    with pytest.raises(ValidationError) as excinfo:
        services.hypothesis_transition(hypothesis=h, by=team.tracker, to="testing")
    assert "budget cap" in excinfo.value.messages[0] and "kill date" in excinfo.value.messages[0]
    assert "expected return" not in excinfo.value.messages[0]


def test_dropping_needs_a_reason(team):
    with pytest.raises(ValidationError, match="Say why it is dropped"):
        services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to="dropped", reason="  ")
    dropped = services.hypothesis_transition(
        hypothesis=team.hypothesis, by=team.tracker, to="dropped", reason="Too slow"
    )
    assert dropped.drop_reason == "Too slow"


def test_the_verdict_path(team):
    h = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to="testing")
    assert h.testing_started_at is not None
    with pytest.raises(ValidationError, match="Say why it worked"):
        services.hypothesis_decide(hypothesis=h, by=team.tracker, verdict="confirmed", measured=Decimal(3), note="")
    h = services.hypothesis_decide(
        hypothesis=h, by=team.team_lead, verdict="inconclusive", measured=Decimal("2.4"), note="Too few leads"
    )
    assert (h.status, h.verdict, h.measured_value) == ("inconclusive", "inconclusive", Decimal("2.4"))
    h = services.hypothesis_transition(hypothesis=h, by=team.tracker, to="testing")  # test again
    assert (h.status, h.verdict) == ("testing", "")
    h = services.hypothesis_decide(
        hypothesis=h, by=team.tracker, verdict="confirmed", measured=Decimal("3.2"), note="The PDF offer worked"
    )
    h = services.hypothesis_transition(hypothesis=h, by=team.tracker, to="adopted")
    assert h.status == "adopted" and h.verdict == "confirmed"
    with pytest.raises(ValidationError, match="Only a hypothesis under test gets a verdict"):
        services.hypothesis_decide(hypothesis=h, by=team.tracker, verdict="refuted", measured=Decimal(1), note="x")


def test_the_database_refuses_a_decided_status_without_a_verdict(team):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Hypothesis.objects.filter(pk=team.hypothesis.pk).update(status="confirmed", verdict="")
