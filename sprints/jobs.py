"""The background work of the weekly loop: reminders, roll-ups and the weekly digest.

Everything is written to the database first (a Reminder, SprintReport or Digest row under a
unique constraint) and only then handed to Celery, so a Redis or worker outage delays work
but never loses or doubles it: the periodic dispatcher re-enqueues whatever is unsent.
"""

import logging
import random
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from smtplib import SMTPException
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from hypotheses.models import Hypothesis, Verdict
from tracking import portfolio
from tracking.models import Membership, Metric, MetricValue, Role, User

from .capacity import sprint_capacity
from .models import (
    Action,
    ActionStatus,
    Digest,
    Reminder,
    ReminderKind,
    Sprint,
    SprintReport,
    SprintStatus,
)
from .schedule import digest_week, due_kinds, review_at

logger = logging.getLogger(__name__)

SEND_BATCH = 100
ROLLUP_BATCH = 100  # closed sprints per roll-up message
OPEN_SPRINT = (SprintStatus.ACTIVE, SprintStatus.REVIEW)
UNLOGGED = (ActionStatus.TODO, ActionStatus.DOING)


# A send that fails this many times is given up and marked failed (failed_at): 1 + 2 + 4 … minutes,
# about four hours of retries in all. A mail server that refuses the message itself (a header
# it cannot carry) is not retried at all.
MAX_SEND_ATTEMPTS = 8
TRANSIENT_SEND_ERRORS = (SMTPException, OSError)
PERMANENT_SEND_ERRORS = (ValueError,)  # BadHeaderError, an address or text that cannot be encoded


def _backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes (at most 2 h), with jitter so retries do not arrive together."""
    base = min(60 * 2 ** max(attempts - 1, 0), 7200)
    return timedelta(seconds=base * random.uniform(0.8, 1.2))


def _send_failed(model, pk: int, error: Exception) -> None:
    """Count a failed send of a Reminder, SprintReport or Digest row: try again after a
    backoff, or give up (failed_at) after the last attempt or on an error that will not pass."""
    attempts = model.objects.get(pk=pk).attempts + 1
    now = timezone.now()
    gave_up = attempts >= MAX_SEND_ATTEMPTS or isinstance(error, PERMANENT_SEND_ERRORS)
    model.objects.filter(pk=pk).update(
        attempts=attempts,
        next_attempt_at=None if gave_up else now + _backoff(attempts),
        failed_at=now if gave_up else None,
        last_error=str(error)[:500],
    )
    if gave_up:
        logger.error("%s %s not sent, given up after attempt %s: %s", model.__name__, pk, attempts, error)
    else:
        logger.warning("%s %s not sent (attempt %s): %s", model.__name__, pk, attempts, error)


# --- Planning reminders ---------------------------------------------------------------------


def reminders_plan(now: datetime | None = None) -> int:
    """Write a Reminder row for every reminder due now. Five queries whatever the number of
    companies; a row that exists already is left alone (the unique constraint), so two
    dispatchers running at the same moment write each reminder once."""
    now = now or timezone.now()
    sprints = list(
        Sprint.objects.filter(status__in=OPEN_SPRINT, archived_at__isnull=True)
        .select_related("company")
        .only(
            "pk",
            "ends_on",
            "company__timezone",
            "company__review_weekday",
            "company__review_time",
            "company__reminder_lead_hours",
        )
    )
    due: dict[str, list[Sprint]] = defaultdict(list)
    for sprint in sprints:
        company = sprint.company
        review = review_at(sprint.ends_on, company.review_weekday, company.review_time, company.tzinfo)
        for kind in due_kinds(now=now, review=review, lead_hours=company.reminder_lead_hours):
            due[kind].append(sprint)
    if not due:
        return 0

    company_ids = {s.company_id for group in due.values() for s in group}
    managers: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for company_id, user_id, role in Membership.objects.filter(
        company_id__in=company_ids,
        role__in=[Role.TRACKER, Role.ENTREPRENEUR],
        user__is_active=True,
        accepted_at__isnull=False,
    ).values_list("company_id", "user_id", "role"):
        managers[company_id][role].add(user_id)

    unlogged: dict[int, set[int]] = defaultdict(set)
    results_sprints = [s.pk for s in due[ReminderKind.RESULTS_DUE]]
    if results_sprints:
        for sprint_id, user_id in (
            Action.objects.filter(
                sprint_id__in=results_sprints,
                status__in=UNLOGGED,
                owner__user__is_active=True,
                owner__accepted_at__isnull=False,
            )
            .values_list("sprint_id", "owner__user_id")
            .distinct()
        ):
            unlogged[sprint_id].add(user_id)

    # Most runs find most reminders written by the run 5 minutes before: skip those here (the
    # unique constraint still settles a race between two dispatchers).
    existing = set(
        Reminder.objects.filter(sprint_id__in=[s.pk for group in due.values() for s in group]).values_list(
            "sprint_id", "kind", "recipient_id"
        )
    )
    rows = []
    for kind, group in due.items():
        for sprint in group:
            people = managers[sprint.company_id]
            if kind == ReminderKind.RESULTS_DUE:
                owners = unlogged.get(sprint.pk, set())
                # Nobody who has logged everything is reminded; the entrepreneur only while
                # something is still unlogged.
                recipients = owners | (people[Role.ENTREPRENEUR] if owners else set())
            elif kind == ReminderKind.SESSION_UPCOMING:
                recipients = people[Role.TRACKER]
            else:
                recipients = people[Role.TRACKER] | people[Role.ENTREPRENEUR]
            rows.extend(
                Reminder(sprint_id=sprint.pk, kind=kind, recipient_id=uid)
                for uid in recipients
                if (sprint.pk, kind, uid) not in existing
            )
    # No batch_size: on PostgreSQL Django sends every row in one INSERT … SELECT FROM UNNEST
    # (SQLite splits by its parameter limit by itself).
    created = Reminder.objects.bulk_create(rows, ignore_conflicts=True)
    return len(created)


def unsent_reminder_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(sprint__status__in=OPEN_SPRINT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Sending ---------------------------------------------------------------------------------


def _render(template: str, context: dict, language: str) -> tuple[str, str, str]:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = render_to_string(f"sprints/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"sprints/email/{template}.txt", context)
        html = render_to_string(f"sprints/email/{template}.html", context)
    return subject, text, html


def _message(address: str, rendered: tuple[str, str, str]) -> EmailMultiAlternatives:
    subject, text, html = rendered
    message = EmailMultiAlternatives(subject, text, to=[address])
    message.attach_alternative(html, "text/html")
    return message


def _send(*, to: User, template: str, context: dict) -> None:
    _message(to.email, _render(template, context, to.language)).send()


def _reminder_context(reminder: Reminder) -> dict:
    sprint = reminder.sprint
    company = sprint.company
    actions = list(sprint.actions.select_related("owner"))
    mine = [a for a in actions if a.owner and a.owner.user_id == reminder.recipient_id and a.status in UNLOGGED]
    page = "sprints:results" if reminder.kind == ReminderKind.RESULTS_DUE else "sprints:session"
    return {
        "reminder": reminder,
        "recipient": reminder.recipient,
        "sprint": sprint,
        "company": company,
        "review": review_at(sprint.ends_on, company.review_weekday, company.review_time, company.tzinfo),
        "mine": mine,
        "logged": sum(1 for a in actions if a.status not in UNLOGGED),
        "total": len(actions),
        "link": settings.SITE_URL + reverse(page, args=[company.pk]),
    }


def reminder_deliver(reminder_id: int) -> bool:
    """Send one reminder unless it went out already. The row stays locked while the e-mail
    is sent and is marked sent in the same transaction; a concurrent worker skips it."""
    try:
        with transaction.atomic():
            reminder = (
                Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("sprint__company", "recipient")
                .filter(pk=reminder_id, sent_at__isnull=True, failed_at__isnull=True)
                .first()
            )
            if reminder is None or reminder.sprint.status not in OPEN_SPRINT:
                return False
            _send(to=reminder.recipient, template=reminder.kind, context=_reminder_context(reminder))
            reminder.sent_at = timezone.now()
            reminder.save(update_fields=["sent_at"])
            return True
    except (*TRANSIENT_SEND_ERRORS, *PERMANENT_SEND_ERRORS) as error:
        _send_failed(Reminder, reminder_id, error)
        return False


# --- Roll-ups ----------------------------------------------------------------------------------


def _number(value) -> str | None:
    return None if value is None else format(Decimal(value).normalize(), "f")


def rollup_data(sprint: Sprint) -> dict:
    """The sprint's numbers, computed only from what is stored: the same every time."""
    return rollups_data([sprint])[sprint.pk]


def _window_start(sprint: Sprint) -> datetime:
    """Verdicts count for the sprint they were given in: from its start (when it was started,
    or the beginning of its first day) to its close. A verdict of the review that closed the
    previous sprint came before this one started, so no hypothesis counts twice."""
    if sprint.started_at:
        return sprint.started_at
    return datetime.combine(sprint.starts_on, datetime.min.time(), tzinfo=sprint.company.tzinfo)


def rollups_data(sprints: list[Sprint]) -> dict[int, dict]:
    """The numbers of many sprints in five queries whatever their number, size or history."""
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
        .values("pk", "company_id", "title", "status", "verdict", "measured_value", "decided_at")
    ):
        hypotheses_of[h["company_id"]].append(h)
    keys = {m.company_id: m for m in Metric.objects.filter(company_id__in=company_ids, is_key=True)}
    # The key metric's last two values on or before each sprint's end: one query for all.
    recent = MetricValue.objects.filter(
        metric__company_id=OuterRef("company_id"), metric__is_key=True, week_start__lte=OuterRef("ends_on")
    ).order_by("-week_start")
    values = {
        row["pk"]: (row["latest"], row["previous"])
        for row in Sprint.objects.filter(pk__in=sprint_ids)
        .annotate(latest=Subquery(recent.values("value")[:1]), previous=Subquery(recent.values("value")[1:2]))
        .values("pk", "latest", "previous")
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
        latest, previous = values.get(sprint.pk, (None, None))
        result[sprint.pk] = _rollup_numbers(
            sprint, mine, members[sprint.company_id], hypotheses, keys.get(sprint.company_id), latest, previous
        )
    return result


def _rollup_numbers(sprint, actions, members, hypotheses, key, latest, previous) -> dict:
    capacity = sprint_capacity(sprint, actions, members=members, history=False)
    owners = []
    for row in capacity.owners:
        done = sum((a.estimate_hours for a in row.actions if a.status == ActionStatus.DONE), Decimal(0))
        owners.append(
            {
                "name": row.name,
                "planned_hours": _number(row.load),
                "done_hours": _number(done),
                "available_hours": _number(row.available),
                "use_percent": int(row.load * 100 / row.available) if row.available else None,
            }
        )
    verdicts = {v: sum(1 for h in hypotheses if h["verdict"] == v) for v in Verdict.values}
    metric = None
    if key:
        metric = {
            "name": key.name,
            "unit": key.unit,
            "latest": _number(latest),
            "previous": _number(previous),
            "week_over_week": _number(latest - previous) if latest is not None and previous is not None else None,
            "target": _number(key.target),
            "to_target": _number(key.target - latest) if key.target is not None and latest is not None else None,
            "higher_is_better": key.higher_is_better,
        }
    planned_hours = sum((a.estimate_hours for a in actions), Decimal(0))
    done_hours = sum((a.estimate_hours for a in actions if a.status == ActionStatus.DONE), Decimal(0))
    available = sum((row.available for row in capacity.owners), Decimal(0))
    return {
        "actions_planned": len(actions),
        "actions_done": sum(1 for a in actions if a.status == ActionStatus.DONE),
        "actions_not_done": sum(1 for a in actions if a.status == ActionStatus.NOT_DONE),
        "hours_planned": _number(planned_hours),
        "hours_done": _number(done_hours),
        "capacity_use_percent": int(planned_hours * 100 / available) if available else None,
        "owners": owners,
        "override_reason": sprint.override_reason,
        "hypotheses_tested": len(hypotheses),
        "hypotheses_confirmed": verdicts[Verdict.CONFIRMED],
        "hypotheses_refuted": verdicts[Verdict.REFUTED],
        "hypotheses_inconclusive": verdicts[Verdict.INCONCLUSIVE],
        "hypotheses": [
            {"title": h["title"], "verdict": h["verdict"], "measured": _number(h["measured_value"])} for h in hypotheses
        ],
        "key_metric": metric,
    }


def sprint_rollups(sprint_ids: list[int]) -> list[int]:
    """Compute (or recompute) the reports of closed sprints: seven queries for the whole
    batch, one upsert that never touches emailed_at. Returns the ids of the closed ones."""
    sprints = list(
        Sprint.objects.select_related("company").filter(pk__in=sprint_ids, status=SprintStatus.CLOSED).order_by("pk")
    )
    if not sprints:
        return []
    data = rollups_data(sprints)
    now = timezone.now()
    SprintReport.objects.bulk_create(
        [SprintReport(sprint=s, data=data[s.pk], computed_at=now) for s in sprints],
        update_conflicts=True,
        unique_fields=["sprint"],
        update_fields=["data", "computed_at"],
    )
    return [s.pk for s in sprints]


def _report_unsent(now: datetime) -> Q:
    """A computed report whose e-mail has neither gone out nor been given up, and is due."""
    return Q(computed_at__isnull=False, emailed_at__isnull=True, failed_at__isnull=True) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def reports_email(sprint_ids: list[int]) -> int:
    """E-mail each report of these sprints that has not gone out yet (each once)."""
    sent = 0
    for report in SprintReport.objects.filter(_report_unsent(timezone.now()), sprint_id__in=sprint_ids).order_by("pk"):
        try:
            sent += _email_report(report)
        except (*TRANSIENT_SEND_ERRORS, *PERMANENT_SEND_ERRORS) as error:
            _send_failed(SprintReport, report.pk, error)
    return sent


def sprint_rollup(sprint_id: int) -> SprintReport | None:
    """Compute (or recompute) the report of a closed sprint and e-mail it to the members once."""
    if not sprint_rollups([sprint_id]):
        return None
    reports_email([sprint_id])
    return SprintReport.objects.get(sprint_id=sprint_id)


def _email_report(report: SprintReport) -> bool:
    with transaction.atomic():
        report = (
            SprintReport.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("sprint__company")
            .filter(pk=report.pk, emailed_at__isnull=True, failed_at__isnull=True)
            .first()
        )
        if report is None:  # sent already, or being sent by another worker right now
            return False
        sprint = report.sprint
        link = settings.SITE_URL + reverse("sprints:report", args=[sprint.company_id, sprint.pk])
        members = User.objects.filter(
            memberships__company_id=sprint.company_id, memberships__accepted_at__isnull=False, is_active=True
        ).order_by("pk")
        context = {"report": report, "sprint": sprint, "company": sprint.company, "data": report.data, "link": link}
        # The same report for everyone: rendered once per language, sent over one connection.
        rendered: dict[str, tuple[str, str, str]] = {}
        messages = []
        for user in members.only("email", "language"):
            language = user.language or settings.LANGUAGE_CODE
            if language not in rendered:
                rendered[language] = _render("report", context, language)
            messages.append(_message(user.email, rendered[language]))
        mailers.default.send_messages(messages)
        report.emailed_at = timezone.now()
        report.save(update_fields=["emailed_at"])
        return True


def pending_report_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    unsent = SprintReport.objects.filter(_report_unsent(now)).values("sprint_id")
    return list(
        Sprint.objects.filter(status=SprintStatus.CLOSED)
        .filter(Q(report__isnull=True) | Q(report__computed_at__isnull=True) | Q(pk__in=unsent))
        .values_list("pk", flat=True)[:5000]
    )


# --- The weekly digest ---------------------------------------------------------------------------


def digests_plan(now: datetime | None = None) -> int:
    """A Digest row for every tracker whose Monday 08:00 (in their time zone) has passed."""
    now = now or timezone.now()
    trackers = (
        User.objects.filter(is_active=True, memberships__role=Role.TRACKER, memberships__accepted_at__isnull=False)
        .distinct()
        .only("pk", "timezone")
    )
    rows = []
    for user in trackers:
        week = digest_week(now, ZoneInfo(user.timezone or "UTC"))
        if week is not None:
            rows.append(Digest(recipient_id=user.pk, week_start=week))
    return len(Digest.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True))


def unsent_digest_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Digest.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .values_list("pk", flat=True)
    )


def digest_lines(user: User, now: datetime | None = None) -> list[dict]:
    """A line per business of the tracker: the portfolio card's constraint, key metric trend
    and flags, plus the last sprint's completion and the hypotheses decided this week. A fixed
    number of queries whatever the number of businesses."""
    now = now or timezone.now()
    since = now - timedelta(days=7)
    memberships = list(
        Membership.objects.accepted()
        .filter(user=user, role=Role.TRACKER)
        .select_related("company")
        .order_by("company__name")
    )
    company_ids = [m.company_id for m in memberships]
    cards = portfolio.overview(company_ids, now)
    sprints = {}
    for sprint in (
        Sprint.objects.filter(company_id__in=company_ids, archived_at__isnull=True)
        .exclude(status=SprintStatus.PLANNED)
        .order_by("company_id", "-starts_on")
    ):
        sprints.setdefault(sprint.company_id, sprint)
    done = defaultdict(lambda: [0, 0])
    for sprint_id, status in Action.objects.filter(sprint__in=list(sprints.values())).values_list(
        "sprint_id", "status"
    ):
        done[sprint_id][1] += 1
        done[sprint_id][0] += status == ActionStatus.DONE
    decided = dict(
        Hypothesis.objects.live()
        .filter(company_id__in=company_ids, decided_at__gte=since)
        .values("company_id")
        .annotate(n=Count("pk"))
        .values_list("company_id", "n")
    )
    lines = []
    for m in memberships:
        card = cards.get(m.company_id, {})
        metric = card.get("metric") or {}
        sprint = sprints.get(m.company_id)
        lines.append(
            {
                "company": m.company,
                "constraint": card.get("constraint"),
                "sprint": sprint,
                "done": done[sprint.pk][0] if sprint else 0,
                "total": done[sprint.pk][1] if sprint else 0,
                "decided": decided.get(m.company_id, 0),
                "metric": metric.get("name"),
                "latest": metric.get("latest"),
                "previous": metric.get("previous"),
                "flags": card.get("flags", []),
            }
        )
    return lines


def digest_deliver(digest_id: int) -> bool:
    try:
        with transaction.atomic():
            digest = (
                Digest.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=digest_id, sent_at__isnull=True, failed_at__isnull=True)
                .first()
            )
            if digest is None:
                return False
            lines = digest_lines(digest.recipient)
            _send(
                to=digest.recipient,
                template="digest",
                context={
                    "digest": digest,
                    "lines": lines,
                    "recipient": digest.recipient,
                    "link": settings.SITE_URL + reverse("tracking:portfolio"),
                },
            )
            digest.sent_at = timezone.now()
            digest.save(update_fields=["sent_at"])
            return True
    except (*TRANSIENT_SEND_ERRORS, *PERMANENT_SEND_ERRORS) as error:
        _send_failed(Digest, digest_id, error)
        return False
