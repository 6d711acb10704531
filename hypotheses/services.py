"""Every write of a hypothesis goes through here, and every one writes exactly one event.

The lifecycle (DESIGN.md §3): idea → ready → testing → confirmed | refuted | inconclusive;
inconclusive → testing again; confirmed → adopted; any open state → dropped with a reason.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tracking.access import ensure_can
from tracking.models import Company, Membership
from tracking.numbers import plain
from tracking.roles import Permission
from tracking.webhooks.events import webhook_emit
from tracking.webhooks.models import WebhookEvent

from .models import (
    DECIDED_STATUSES,
    STARTED_STATUSES,
    Hypothesis,
    HypothesisEvent,
    Kind,
    Status,
    Verdict,
)
from .verdicts import goes_against, numbers_verdict

# What a person edits on a hypothesis: the one list the form, this module and the tests use.
HYPOTHESIS_FIELDS = (
    "title",
    "statement",
    "kind",
    "constraint",
    "metric",
    "baseline",
    "expected_value",
    "expected_multiplier",
    "success_criteria",
    "cheapest_test",
    "impact",
    "confidence",
    "ease",
    "expected_return",
    "budget_cap",
    "spent",
    "kill_date",
    "check_by",
)
# Named before the test starts; a change after that is flagged on the timeline.
PRE_REGISTERED_FIELDS = frozenset(
    {"metric", "baseline", "expected_value", "expected_multiplier", "success_criteria", "cheapest_test"}
)

# Where each status may go by hand. Verdicts go through hypothesis_decide.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.IDEA: frozenset({Status.READY, Status.DROPPED}),
    Status.READY: frozenset({Status.TESTING, Status.IDEA, Status.DROPPED}),
    Status.TESTING: frozenset({Status.DROPPED}),
    Status.INCONCLUSIVE: frozenset({Status.TESTING, Status.DROPPED}),
    Status.CONFIRMED: frozenset({Status.ADOPTED}),
    Status.REFUTED: frozenset(),
    Status.ADOPTED: frozenset(),
    Status.DROPPED: frozenset(),
}

# What starting (or restarting) a test resets: an earlier test's measured value is not this one's.
TEST_FIELDS = (
    "testing_started_at",
    "verdict",
    "numbers_verdict",
    "against_numbers_reason",
    "decided_at",
    "check_by",
    "measured_value",
)

MISSING_MESSAGES = {
    "metric": gettext_lazy("choose the metric that must move"),
    "baseline": gettext_lazy("set the baseline"),
    "expected_value": gettext_lazy("set the expected value"),
    "success_criteria": gettext_lazy("say how we will know it worked"),
    "cheapest_test": gettext_lazy("describe the cheapest test"),
    "expected_return": gettext_lazy(
        "estimate the expected return per month, or give the expected metric change as the return "
        "(an innovation must pay back)"
    ),
    "budget_cap": gettext_lazy("set the budget cap (a breakthrough is a bet with a limit)"),
    "kill_date": gettext_lazy("set the kill date"),
}


class StaleEdit(ValidationError):
    """Someone saved the hypothesis after this form was opened."""

    def __init__(self, current: Hypothesis):
        super().__init__(
            _("Someone else changed this hypothesis while you were editing. Compare the two versions and save again.")
        )
        self.current = current


def _plain(value):
    """A JSON-friendly form of a field value for the history; a number as typed (3.1, not 3.1000)."""
    if value is None or isinstance(value, str | int | bool):
        return value
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


def _record(hypothesis, by: Membership, kind, *, changes=None, from_status="", to_status="", note=""):
    changes = changes or {}
    HypothesisEvent.objects.create(
        hypothesis=hypothesis,
        actor=by.user,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        changes=changes,
        note=note,
        after_test_started=hypothesis.status in STARTED_STATUSES and bool(PRE_REGISTERED_FIELDS & set(changes)),
    )


def _save(hypothesis: Hypothesis, fields: list[str] | None = None) -> None:
    hypothesis.version += 1
    hypothesis.full_clean()
    hypothesis.save(update_fields=[*fields, "version", "updated_at"] if fields is not None else None)


def _save_changed(hypothesis: Hypothesis, fields: list[str]) -> None:
    """Validate and write these fields of a stored hypothesis only (and its version and update
    time): its foreign keys are not looked up again, nor its other fields' rules checked."""
    hypothesis.version += 1
    fields = [*fields, "version", "updated_at"]
    hypothesis.full_clean(exclude=[f.name for f in Hypothesis._meta.concrete_fields if f.name not in fields])
    hypothesis.save(update_fields=fields)


def _apply_multiplier(fields: dict) -> dict:
    """“×1.5” is kept as said and turned into the expected value from the baseline."""
    multiplier, baseline = fields.get("expected_multiplier"), fields.get("baseline")
    if multiplier is not None and baseline is not None:
        fields["expected_value"] = (baseline * multiplier).quantize(Decimal("0.0001"))
    return fields


def _check_scope(hypothesis: Hypothesis) -> None:
    company_id = hypothesis.company_id
    if hypothesis.metric_id and hypothesis.metric.company_id != company_id:
        raise ValidationError({"metric": _("Pick a metric of this business.")})
    if hypothesis.constraint_id and hypothesis.constraint.company_id != company_id:
        raise ValidationError({"constraint": _("Pick a constraint of this business.")})


@transaction.atomic
def hypothesis_create(*, by: Membership, **fields) -> Hypothesis:
    ensure_can(by, Permission.CREATE_HYPOTHESIS)
    fields = _apply_multiplier({k: v for k, v in fields.items() if k in HYPOTHESIS_FIELDS})
    hypothesis = Hypothesis(company=by.company, author=by.user, **fields)
    _check_scope(hypothesis)
    hypothesis.version = 0
    _save(hypothesis)
    _record(hypothesis, by, HypothesisEvent.Kind.CREATED, to_status=hypothesis.status)
    return hypothesis


def _lock(hypothesis: Hypothesis) -> Hypothesis:
    return Hypothesis.objects.select_for_update(of=("self",)).select_related("metric", "company").get(pk=hypothesis.pk)


@transaction.atomic
def hypothesis_update(*, hypothesis: Hypothesis, by: Membership, expected_version: int, **fields) -> Hypothesis:
    """Save the fields that changed. A save based on an older version is refused with the
    current one attached, so nothing anyone typed is silently overwritten."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    current = _lock(hypothesis)
    if current.version != expected_version:
        raise StaleEdit(current)
    fields = _apply_multiplier({k: v for k, v in fields.items() if k in HYPOTHESIS_FIELDS})
    changes = {}
    for name, new in fields.items():
        old = getattr(current, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(current, name, new)
    if not changes:
        return current
    _check_scope(current)
    # A Ready hypothesis that lost what testing needs (its success criteria cleared, say) is an
    # idea again, with a history entry saying what is missing: the label never misleads.
    missing = missing_for_testing(current) if current.status == Status.READY else []
    if missing:
        current.status = Status.IDEA
    _save(current, [*fields, "status"])
    _record(current, by, HypothesisEvent.Kind.EDITED, changes=changes)
    if missing:
        with translation.override(current.company.language):  # kept in the business's history
            note = _("Back to idea: %(missing)s.") % {"missing": "; ".join(str(MISSING_MESSAGES[n]) for n in missing)}
        _record(
            current, by, HypothesisEvent.Kind.TRANSITION, from_status=Status.READY, to_status=Status.IDEA, note=note
        )
    return current


def metric_change_is_the_return(hypothesis: Hypothesis) -> bool:
    """An innovation with no money figure yet: its expected metric change (baseline → expected
    value of the metric) stands as its return. The money is still asked for, not required."""
    return (
        hypothesis.kind == Kind.INNOVATION
        and hypothesis.expected_return is None
        and hypothesis.metric_id is not None
        and hypothesis.baseline is not None
        and hypothesis.expected_value is not None
    )


def missing_for_testing(hypothesis: Hypothesis) -> list[str]:
    """What must be filled before a hypothesis leaves “idea” (outcomes over outputs). An
    innovation must pay back: in money per month, or, when no money figure is known, in the
    expected change of its metric."""
    required = ["metric", "baseline", "expected_value", "success_criteria", "cheapest_test"]
    if hypothesis.kind == Kind.BREAKTHROUGH:
        required += ["budget_cap", "kill_date"]
    elif not metric_change_is_the_return(hypothesis):
        required.append("expected_return")
    return [name for name in required if getattr(hypothesis, f"{name}_id" if name == "metric" else name) in (None, "")]


@transaction.atomic
def hypothesis_transition(*, hypothesis: Hypothesis, by: Membership, to: str, reason: str = "") -> Hypothesis:
    """Move by hand (not a verdict). An illegal move changes nothing and says what is missing."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    current = _lock(hypothesis)
    source = current.status
    if to not in Status.values:
        raise ValidationError(_("Unknown status."))
    if to in DECIDED_STATUSES and source == Status.TESTING:
        raise ValidationError(_("Give a verdict with the measured value to decide a hypothesis."))
    if to not in TRANSITIONS[source]:
        if to == Status.ADOPTED:
            raise ValidationError(_("Only a confirmed hypothesis can be adopted: commitments need evidence."))
        if to == Status.DROPPED:
            raise ValidationError(_("Only an open hypothesis can be dropped."))
        raise ValidationError(
            _("A hypothesis cannot go from “%(source)s” to “%(target)s”.")
            % {"source": Status(source).label, "target": Status(to).label}
        )
    if to in (Status.READY, Status.TESTING):
        missing = missing_for_testing(current)
        if missing:
            raise ValidationError(
                _("Before %(step)s, %(missing)s.")
                % {
                    "step": _("testing") if to == Status.TESTING else _("marking it ready"),
                    "missing": ", ".join(str(MISSING_MESSAGES[name]) for name in missing),
                }
            )
    if to == Status.DROPPED:
        if not reason.strip():
            raise ValidationError({"reason": _("Say why it is dropped: the next person will want to know.")})
        current.drop_reason = reason.strip()
    if to == Status.TESTING:
        _clear_for_testing(current)
    current.status = to
    _save(current, ["status", "drop_reason", *TEST_FIELDS])
    _record(current, by, HypothesisEvent.Kind.TRANSITION, from_status=source, to_status=to, note=reason.strip())
    return current


def _clear_for_testing(hypothesis: Hypothesis, *, first_sprint_ends_on: date | None = None) -> None:
    """A test (re)starts: no verdict and no measured value yet, and a date by which it must show
    a result (a date set by hand that is still ahead is kept)."""
    hypothesis.testing_started_at = timezone.now()
    hypothesis.measured_value = None
    hypothesis.verdict = ""
    hypothesis.numbers_verdict = ""
    hypothesis.against_numbers_reason = ""
    hypothesis.decided_at = None
    company = hypothesis.company
    if hypothesis.kind == Kind.BREAKTHROUGH and hypothesis.kill_date:
        hypothesis.check_by = hypothesis.kill_date  # a long shot shows its result by its kill date
    elif hypothesis.check_by is None or hypothesis.check_by <= timezone.localdate(timezone=company.tzinfo):
        hypothesis.check_by = default_check_by(company, first_sprint_ends_on=first_sprint_ends_on)


def default_check_by(company: Company, *, first_sprint_ends_on: date | None = None) -> date:
    """The end of the test's first sprint plus one sprint length, to see the result. Started by
    hand, outside a sprint: today plus two sprint lengths (one to test, one to see)."""
    length = timedelta(days=company.sprint_length_days)
    if first_sprint_ends_on is not None:
        return first_sprint_ends_on + length
    return timezone.localdate(timezone=company.tzinfo) + 2 * length


@transaction.atomic
def hypotheses_start_testing(
    *, hypothesis_ids: Iterable[int], by: Membership, note: str, sprint_ends_on: date | None = None
) -> list[Hypothesis]:
    """A sprint starts: the Ready hypotheses its actions test go under test, each with a
    history entry saying why (the note) and a check date one sprint after this sprint's end.
    Others are left as they are: an idea is not ready, one under test already is, and a
    decided one is decided."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    ready = (
        Hypothesis.objects.live()
        .select_for_update(of=("self",))
        .select_related("metric", "company")
        .filter(company_id=by.company_id, pk__in=set(hypothesis_ids), status=Status.READY)
        .order_by("pk")
    )
    started = []
    for current in ready:
        if missing_for_testing(current):
            continue
        _clear_for_testing(current, first_sprint_ends_on=sprint_ends_on)
        current.status = Status.TESTING
        _save(current, ["status", *TEST_FIELDS])
        _record(
            current, by, HypothesisEvent.Kind.TRANSITION, from_status=Status.READY, to_status=Status.TESTING, note=note
        )
        started.append(current)
    return started


@transaction.atomic
def hypothesis_decide(
    *,
    hypothesis: Hypothesis,
    by: Membership,
    verdict: str,
    measured: Decimal,
    note: str,
    against_reason: str = "",
) -> Hypothesis:
    """Record the verdict of a hypothesis under test, with the measured value and why. A verdict
    that goes against the pre-registered numbers (hypotheses.verdicts.goes_against) needs its
    own reason, kept beside the verdict: the numbers decide unless someone says why not."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    current = _lock(hypothesis)
    if current.status != Status.TESTING:
        raise ValidationError(_("Only a hypothesis under test gets a verdict: start testing it first."))
    if verdict not in Verdict.values:
        raise ValidationError({"verdict": _("Choose confirmed, refuted or inconclusive.")})
    if not note.strip():
        raise ValidationError({"note": _("Say why it worked or why not: that is what the team learns.")})
    numbers = numbers_verdict(current, measured)
    against = goes_against(verdict, numbers)
    if against and not against_reason.strip():
        raise ValidationError(
            {
                "against_reason": _(
                    "The numbers say “%(numbers)s”: %(measured)s against %(baseline)s → %(expected)s. "
                    "Say why the verdict goes against them."
                )
                % {
                    "numbers": Verdict(numbers).label,
                    "measured": plain(measured, localize=True),
                    "baseline": plain(current.baseline, localize=True),
                    "expected": plain(current.expected_value, localize=True),
                }
            }
        )
    source = current.status
    current.status = verdict
    current.verdict = verdict
    current.numbers_verdict = numbers
    current.against_numbers_reason = against_reason.strip() if against else ""
    current.measured_value = measured
    current.learning = note.strip()
    current.decided_at = timezone.now()
    _save(
        current,
        ["status", "verdict", "numbers_verdict", "against_numbers_reason", "measured_value", "learning", "decided_at"],
    )
    changes = {"measured_value": [None, _plain(measured)]}
    if against:
        changes["against_numbers_reason"] = [None, current.against_numbers_reason]
    _record(
        current,
        by,
        HypothesisEvent.Kind.VERDICT,
        from_status=source,
        to_status=verdict,
        changes=changes,
        note=current.learning,
    )
    webhook_emit(
        current.company_id,
        WebhookEvent.HYPOTHESIS_DECIDED,
        lambda: _decided_event(current),
        occurrence=f"hypothesis:{current.pk}:{current.decided_at.isoformat()}",
    )
    return current


def _decided_event(hypothesis: Hypothesis) -> dict:
    """What the `hypothesis.decided` webhook event says."""
    fields = ("title", "kind", "verdict", "numbers_verdict", "against_numbers_reason", "learning", "decided_at")
    numbers = ("metric_id", "baseline", "expected_value", "measured_value")
    return {"hypothesis": {"id": hypothesis.pk, **{name: getattr(hypothesis, name) for name in fields + numbers}}}


@transaction.atomic
def hypothesis_archive(*, hypothesis: Hypothesis, by: Membership) -> Hypothesis:
    """Deleting archives: the hypothesis and its history stay, restorable."""
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    current = _lock(hypothesis)
    if current.archived_at is None:
        current.archived_at = timezone.now()
        _save(current, ["archived_at"])
        _record(current, by, HypothesisEvent.Kind.ARCHIVED)
    return current


@transaction.atomic
def hypothesis_restore(*, hypothesis: Hypothesis, by: Membership) -> Hypothesis:
    ensure_can(by, Permission.EDIT_HYPOTHESIS)
    current = _lock(hypothesis)
    if current.archived_at is not None:
        current.archived_at = None
        _save(current, ["archived_at"])
        _record(current, by, HypothesisEvent.Kind.RESTORED)
    return current


@transaction.atomic
def hypothesis_measure(*, hypothesis: Hypothesis, by: Membership, measured: Decimal) -> Hypothesis:
    """Log the measured value of a hypothesis under test during the week (no verdict yet)."""
    ensure_can(by, Permission.LOG_ANY_RESULTS)
    current = _lock(hypothesis)
    if current.status != Status.TESTING:
        raise ValidationError(_("Measured values are logged for hypotheses under test."))
    if current.measured_value == measured:
        return current
    changes = {"measured_value": [_plain(current.measured_value), _plain(measured)]}
    current.measured_value = measured
    _save_changed(current, ["measured_value"])
    _record(current, by, HypothesisEvent.Kind.EDITED, changes=changes)
    return current
