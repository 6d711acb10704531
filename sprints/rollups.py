"""Roll-ups: the numbers of a closed sprint (SprintReport), computed from what is stored, and
the report e-mailed to its members once, through the outbox under "report:<id>".

The numbers are a ReportNumbers, stored as JSON in SprintReport.data and read back through
the same dataclass (SprintReport.numbers), so a template reads them by attribute and a field
missing from an older report reads as its default.
"""

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import DateField, OuterRef, Q, Subquery
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone

from hypotheses.models import Hypothesis, Verdict
from tracking.delivery import outbox
from tracking.models import Membership, Metric, MetricValue, User

from .capacity import sprint_capacity
from .models import Action, ActionStatus, Review, Sprint, SprintReport, SprintStatus
from .report_numbers import (
    REPORT_LAYOUT,
    ActionLine,
    HypothesisLine,
    KeyMetric,
    OwnerHours,
    ReportNumbers,
)

ROLLUP_BATCH = 100  # closed sprints per roll-up message


def _number(value) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def rollup_data(sprint: Sprint) -> ReportNumbers:
    """The sprint's numbers, computed only from what is stored: the same every time."""
    return rollups_data([sprint])[sprint.pk]


def _window_start(sprint: Sprint) -> datetime:
    """Verdicts count for the sprint they were given in: from its start (when it was started,
    or the beginning of its first day) to its close. A verdict of the review that closed the
    previous sprint came before this one started, so no hypothesis counts twice."""
    if sprint.started_at:
        return sprint.started_at
    return datetime.combine(sprint.starts_on, datetime.min.time(), tzinfo=sprint.company.tzinfo)


HYPOTHESIS_COLUMNS = (
    "title",
    "verdict",
    "measured_value",
    "baseline",
    "expected_value",
    "numbers_verdict",
    "against_numbers_reason",
    "metric__name",
    "metric__unit",
)


def rollups_data(sprints: list[Sprint]) -> dict[int, ReportNumbers]:
    """The numbers of many sprints in six queries whatever their number, size or history."""
    if not sprints:
        return {}
    now = timezone.now()
    company_ids = {s.company_id for s in sprints}
    actions: dict[int, list[Action]] = defaultdict(list)
    sprint_ids = [s.pk for s in sprints]
    for action in Action.objects.filter(sprint_id__in=sprint_ids).select_related("owner__user").order_by("pk"):
        actions[action.sprint_id].append(action)
    members: dict[int, list[Membership]] = defaultdict(list)
    for membership in Membership.objects.filter(company_id__in=company_ids).select_related("user").order_by("pk"):
        members[membership.company_id].append(membership)
    # Hypotheses linked to an action of a sprint or decided during one: what each sprint's own
    # filter would select, as one query; each sprint's own are picked below.
    windows = [(s, s.closed_at or now) for s in sprints]
    linked = {a.hypothesis_id for group in actions.values() for a in group if a.hypothesis_id}
    decided_in = Q(pk__in=linked)
    for sprint, window_end in windows:
        decided_in |= Q(company_id=sprint.company_id, decided_at__gte=_window_start(sprint), decided_at__lte=window_end)
    hypotheses_of: dict[int, list[dict]] = defaultdict(list)
    for h in (
        Hypothesis.objects.filter(company_id__in=company_ids)
        .filter(decided_in)
        .order_by("pk")
        .values("pk", "company_id", "status", "decided_at", *HYPOTHESIS_COLUMNS)
    ):
        hypotheses_of[h["company_id"]].append(h)
    # The hypotheses each sprint's review kept in test on purpose.
    kept: dict[int, list[dict]] = defaultdict(list)
    for row in (
        Review.kept_in_test.through.objects.filter(review__sprint_id__in=sprint_ids)
        .order_by("hypothesis_id")
        .values("review__sprint_id", "hypothesis_id", *(f"hypothesis__{c}" for c in HYPOTHESIS_COLUMNS))
    ):
        hypothesis = {c: row[f"hypothesis__{c}"] for c in HYPOTHESIS_COLUMNS}
        kept[row["review__sprint_id"]].append({"pk": row["hypothesis_id"], **hypothesis})
    keys = {m.company_id: m for m in Metric.objects.filter(company_id__in=company_ids, is_key=True)}
    # The key metric's last two values on or before each sprint's end: one query for all.
    recent = MetricValue.objects.filter(
        metric__company_id=OuterRef("company_id"), metric__is_key=True, week_start__lte=OuterRef("ends_on")
    ).order_by("-week_start")
    # And its movement over the sprint: the last week before the sprint's first week against the
    # last week of the sprint (a week's value is dated by its Monday, which may come before a
    # sprint that starts mid-week).
    before_start = MetricValue.objects.filter(
        metric__company_id=OuterRef("company_id"), metric__is_key=True, week_start__lt=OuterRef("first_week")
    ).order_by("-week_start")
    during = recent.filter(week_start__gte=OuterRef("first_week"))
    values = {
        row["pk"]: (row["latest"], row["previous"], row["at_start"], row["at_end"])
        for row in Sprint.objects.filter(pk__in=sprint_ids)
        .annotate(first_week=TruncWeek("starts_on", output_field=DateField()))
        .annotate(
            latest=Subquery(recent.values("value")[:1]),
            previous=Subquery(recent.values("value")[1:2]),
            at_start=Subquery(before_start.values("value")[:1]),
            at_end=Subquery(during.values("value")[:1]),
        )
        .values("pk", "latest", "previous", "at_start", "at_end")
    }
    result = {}
    for sprint, window_end in windows:
        mine = actions[sprint.pk]
        ids = {a.hypothesis_id for a in mine if a.hypothesis_id}
        hypotheses = [
            h
            for h in hypotheses_of[sprint.company_id]
            if h["pk"] in ids
            or (h["decided_at"] is not None and _window_start(sprint) <= h["decided_at"] <= window_end)
        ]
        result[sprint.pk] = _rollup_numbers(
            sprint,
            mine,
            members[sprint.company_id],
            hypotheses,
            kept[sprint.pk],
            keys.get(sprint.company_id),
            values.get(sprint.pk, (None, None, None, None)),
        )
    return result


def _hypothesis_line(h: dict, kept: set[int]) -> HypothesisLine:
    return HypothesisLine(
        title=h["title"],
        verdict=h["verdict"],
        measured=_number(h["measured_value"]),
        metric=h["metric__name"] or "",
        unit=h["metric__unit"] or "",
        baseline=_number(h["baseline"]),
        expected=_number(h["expected_value"]),
        numbers_verdict=h["numbers_verdict"],
        against_numbers_reason=h["against_numbers_reason"],
        kept_in_test=h["pk"] in kept,
    )


def _cost(action: Action) -> Decimal | None:
    """What an action cost: what was spent once logged, else what was planned."""
    return action.cost if action.spent is None else action.spent


def _action_line(action: Action) -> ActionLine:
    return ActionLine(
        title=action.title,
        owner=action.owner.name if action.owner_id else "",
        estimate_hours=_number(action.estimate_hours),
        cost=_number(_cost(action)),
        status=action.status,
        result_note=action.result_note,
        why_not_note=action.why_not_note,
    )


def _rollup_numbers(sprint, actions, members, hypotheses, kept, key, values) -> ReportNumbers:
    latest, previous, at_start, at_end = values
    capacity = sprint_capacity(sprint, actions, members=members, history=False)
    owners = []
    for row in capacity.owners:
        done = sum((a.estimate_hours for a in row.actions if a.status == ActionStatus.DONE), Decimal(0))
        owners.append(
            OwnerHours(
                name=row.name,
                planned_hours=_number(row.load),
                done_hours=_number(done),
                available_hours=_number(row.available),
                use_percent=int(row.load * 100 / row.available) if row.available else None,
            )
        )
    verdicts = {v: sum(1 for h in hypotheses if h["verdict"] == v) for v in Verdict.values}
    metric = None
    if key:
        metric = KeyMetric(
            name=key.name,
            unit=key.unit,
            latest=_number(latest),
            previous=_number(previous),
            week_over_week=_number(latest - previous) if latest is not None and previous is not None else None,
            target=_number(key.target),
            to_target=_number(key.target - latest) if key.target is not None and latest is not None else None,
            higher_is_better=key.higher_is_better,
            at_start=_number(at_start),
            at_end=_number(at_end),
            sprint_change=_number(at_end - at_start) if at_end is not None and at_start is not None else None,
        )
    planned_hours = sum((a.estimate_hours for a in actions), Decimal(0))
    done_hours = sum((a.estimate_hours for a in actions if a.status == ActionStatus.DONE), Decimal(0))
    available = sum((row.available for row in capacity.owners), Decimal(0))
    costs = [a.cost for a in actions if a.cost is not None]
    spent = [_cost(a) for a in actions if _cost(a) is not None and a.status == ActionStatus.DONE]
    kept_ids = {h["pk"] for h in kept}
    return ReportNumbers(
        actions_planned=len(actions),
        actions_done=sum(1 for a in actions if a.status == ActionStatus.DONE),
        actions_not_done=sum(1 for a in actions if a.status == ActionStatus.NOT_DONE),
        hours_planned=_number(planned_hours),
        hours_done=_number(done_hours),
        capacity_use_percent=int(planned_hours * 100 / available) if available else None,
        owners=owners,
        override_reason=sprint.override_reason,
        hypotheses_tested=len(hypotheses),
        hypotheses_confirmed=verdicts[Verdict.CONFIRMED],
        hypotheses_refuted=verdicts[Verdict.REFUTED],
        hypotheses_inconclusive=verdicts[Verdict.INCONCLUSIVE],
        hypotheses=[_hypothesis_line(h, kept_ids) for h in hypotheses],
        key_metric=metric,
        actions=[_action_line(a) for a in actions],
        kept_in_test=[_hypothesis_line(h, kept_ids) for h in kept],
        budget=_number(sprint.budget),
        cost_planned=_number(sum(costs, Decimal(0))) if costs else None,
        cost_spent=_number(sum(spent, Decimal(0))) if costs else None,
        layout=REPORT_LAYOUT,
    )


def sprint_rollups(sprint_ids: list[int]) -> list[int]:
    """Compute (or recompute) the reports of closed sprints: eight queries for the whole
    batch, one upsert. Returns the ids of the closed ones."""
    sprints = list(
        Sprint.objects.select_related("company").filter(pk__in=sprint_ids, status=SprintStatus.CLOSED).order_by("pk")
    )
    if not sprints:
        return []
    data = rollups_data(sprints)
    now = timezone.now()
    SprintReport.objects.bulk_create(
        [SprintReport(sprint=s, data=data[s.pk].to_json(), computed_at=now) for s in sprints],
        update_conflicts=True,
        unique_fields=["sprint"],
        update_fields=["data", "computed_at"],
    )
    return [s.pk for s in sprints]


def report_numbers(sprint: Sprint) -> ReportNumbers:
    """What the report page shows. A closed sprint: its stored report, computed now if there is
    none yet or an older layout wrote it (the close computes it, so that is only a report of
    before); the same numbers a job would store. A sprint still open: its numbers so far, not
    stored."""
    if sprint.status != SprintStatus.CLOSED:
        return rollup_data(sprint)
    report = SprintReport.objects.filter(sprint=sprint, computed_at__isnull=False).only("data").first()
    numbers = report.numbers if report is not None else None
    if numbers is None or numbers.layout < REPORT_LAYOUT:
        sprint_rollups([sprint.pk])
        numbers = SprintReport.objects.only("data").get(sprint=sprint).numbers
    return numbers


def _report_unsent(now: datetime) -> Q:
    """A computed report whose e-mail is due."""
    return Q(computed_at__isnull=False) & outbox.undelivered("report", now)


def _about(report: SprintReport) -> str:  # outbox.undelivered("report", …) reads the same key
    return f"report:{report.pk}"


def _messages(report: SprintReport) -> list[outbox.Outgoing]:
    """The same report for every member: rendered once per language."""
    sprint = report.sprint
    link = settings.SITE_URL + reverse("sprints:report", args=[sprint.company_id, sprint.pk])
    context = {"report": report, "sprint": sprint, "company": sprint.company, "data": report.numbers, "link": link}
    members = User.objects.filter(
        memberships__company_id=sprint.company_id, memberships__accepted_at__isnull=False, is_active=True
    ).order_by("pk")
    rendered: dict[str, outbox.Rendered] = {}
    messages = []
    for user in members.only("email", "language"):
        language = user.language or settings.LANGUAGE_CODE
        if language not in rendered:
            rendered[language] = outbox.email_render("sprints/email/report", context, language=language)
        messages.append(outbox.Outgoing(key=f"{_about(report)}:user:{user.pk}", to=user, message=rendered[language]))
    return messages


def reports_email(sprint_ids: list[int]) -> int:
    """E-mail each computed report of these sprints to its members, each message once;
    returns how many messages went out now."""
    reports = list(
        SprintReport.objects.filter(_report_unsent(timezone.now()), sprint_id__in=sprint_ids)
        .select_related("sprint__company")
        .order_by("pk")
    )
    return outbox.outbox_deliver(reports, about=_about, render=_messages)


def reports_as_sent(sprint_ids: list[int]) -> None:
    """Write the e-mails of these sprints' computed reports as sent when each sprint closed."""
    reports = SprintReport.objects.filter(sprint_id__in=sprint_ids, computed_at__isnull=False)
    for report in reports.exclude(outbox.delivered("report")).select_related("sprint__company"):
        outbox.outbox_add_sent(_about(report), _messages(report), sent_at=report.sprint.closed_at)


def pending_report_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    unsent = SprintReport.objects.filter(_report_unsent(now)).values("sprint_id")
    return list(
        Sprint.objects.filter(status=SprintStatus.CLOSED)
        .filter(Q(report__isnull=True) | Q(report__computed_at__isnull=True) | Q(pk__in=unsent))
        .values_list("pk", flat=True)[:5000]
    )
