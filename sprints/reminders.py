"""Reminders before and after each weekly review: which are due (planning) and sending them.

A Reminder row is written under a unique constraint before anything is sent, and its message
goes through the outbox under the key "reminder:<id>", so each reminder goes out once, whatever
the number of dispatchers, workers or retries.
"""

from collections import defaultdict
from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from tracking import outbox
from tracking.db import insert_new
from tracking.models import Membership, Role

from .models import Action, ActionStatus, Reminder, ReminderKind, Sprint, SprintStatus
from .schedule import due_kinds, review_at

SEND_BATCH = 100  # reminders per message to the worker
OPEN_SPRINT = (SprintStatus.ACTIVE, SprintStatus.REVIEW)
UNLOGGED = (ActionStatus.TODO, ActionStatus.DOING)


def _due_sprints(now: datetime) -> dict[str, list[Sprint]]:
    sprints = (
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
    return due


def _unlogged(sprint_ids: list[int]) -> tuple[set[int], dict[int, set[int]]]:
    """The sprints with any unlogged action (owned or not), and per sprint the people who own
    one (active and accepted: someone who left the business is not reminded)."""
    open_sprints: set[int] = set()
    owners: dict[int, set[int]] = defaultdict(set)
    for sprint_id, user_id, active, accepted_at in (
        Action.objects.filter(sprint_id__in=sprint_ids, status__in=UNLOGGED)
        .values_list("sprint_id", "owner__user_id", "owner__user__is_active", "owner__accepted_at")
        .distinct()
    ):
        open_sprints.add(sprint_id)
        if user_id is not None and active and accepted_at is not None:
            owners[sprint_id].add(user_id)
    return open_sprints, owners


def reminders_plan(now: datetime | None = None) -> int:
    """Write a Reminder row for every reminder due now; returns how many rows this call
    inserted. Five queries whatever the number of companies; a row that exists already is
    left alone (the unique constraint), so two dispatchers at once write each reminder once
    and their counts add up to the rows written."""
    now = now or timezone.now()
    due = _due_sprints(now)
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

    results_sprints = [s.pk for s in due[ReminderKind.RESULTS_DUE]]
    unlogged, owners = _unlogged(results_sprints) if results_sprints else (set(), {})

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
                # Nobody who has logged everything is reminded; the entrepreneur is, while any
                # action of the sprint is unlogged, owned or not.
                recipients = owners.get(sprint.pk, set())
                if sprint.pk in unlogged:
                    recipients = recipients | people[Role.ENTREPRENEUR]
            elif kind == ReminderKind.SESSION_UPCOMING:
                recipients = people[Role.TRACKER]
            else:
                recipients = people[Role.TRACKER] | people[Role.ENTREPRENEUR]
            rows.extend(
                Reminder(sprint_id=sprint.pk, kind=kind, recipient_id=uid)
                for uid in recipients
                if (sprint.pk, kind, uid) not in existing
            )
    return insert_new(rows)


def unsent_reminder_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(sent_at__isnull=True, failed_at__isnull=True)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(sprint__status__in=OPEN_SPRINT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _about(reminder: Reminder) -> str:
    return f"reminder:{reminder.pk}"


def _messages(reminder: Reminder) -> list[outbox.Outgoing]:
    sprint = reminder.sprint
    company = sprint.company
    actions = list(sprint.actions.select_related("owner"))
    mine = [a for a in actions if a.owner and a.owner.user_id == reminder.recipient_id and a.status in UNLOGGED]
    page = "sprints:results" if reminder.kind == ReminderKind.RESULTS_DUE else "sprints:session"
    context = {
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
    rendered = outbox.email_render(f"sprints/email/{reminder.kind}", context, language=reminder.recipient.language)
    return [outbox.Outgoing(key=_about(reminder), to=reminder.recipient, message=rendered)]


def reminders_deliver(reminder_ids: list[int]) -> int:
    """Send these reminders, each once, while their sprint is open; returns how many went out
    now. A reminder is rendered into the outbox the first time; a retry sends the same text."""
    reminders = list(
        Reminder.objects.filter(pk__in=reminder_ids, sent_at__isnull=True, failed_at__isnull=True)
        .filter(sprint__status__in=OPEN_SPRINT)
        .select_related("sprint__company", "recipient")
        .order_by("pk")
    )
    return outbox.outbox_deliver(reminders, about=_about, render=_messages)
