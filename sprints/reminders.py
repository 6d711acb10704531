"""Reminders before and after each weekly review: which are due (planning) and sending them.

A Reminder row is written under a unique constraint before anything is sent, and its message
goes through the outbox under the key "reminder:<id>", so each reminder goes out once, whatever
the number of dispatchers, workers or retries.
"""

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from tracking.dates import weekday_day_month_time
from tracking.delivery import outbox
from tracking.models import Membership, Role

from .models import Action, ActionStatus, Reminder, ReminderKind, Sprint, SprintStatus
from .schedule import due_kinds, review_at
from .telegram.channels import by_their_channels, deliver_by_their_channels
from .telegram.messages import reminder_message

SEND_BATCH = 100  # reminders per message to the worker
OPEN_SPRINT = (SprintStatus.ACTIVE, SprintStatus.REVIEW)
UNLOGGED = (ActionStatus.TODO, ActionStatus.DOING)


def _due_sprints(now: datetime) -> dict[str, list[tuple[int, int]]]:
    """Per kind, the (sprint id, company id) of every open sprint whose reminder window
    contains `now`. The windows are schedule.due_kinds in the company's zone (zoneinfo), one
    cheap call per open sprint over plain tuples: no model instances."""
    sprints = Sprint.objects.filter(status__in=OPEN_SPRINT, archived_at__isnull=True).values_list(
        "pk",
        "company_id",
        "ends_on",
        "company__timezone",
        "company__review_weekday",
        "company__review_time",
        "company__reminder_lead_hours",
    )
    zones: dict[str, ZoneInfo] = {}
    due: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for pk, company_id, ends_on, zone, weekday, at, lead_hours in sprints:
        tz = zones.get(zone) or zones.setdefault(zone, ZoneInfo(zone))
        review = review_at(ends_on, weekday, at, tz)
        for kind in due_kinds(now=now, review=review, lead_hours=lead_hours):
            due[kind].append((pk, company_id))
    return due


def reminders_plan(now: datetime | None = None) -> int:
    """Write a Reminder row for every reminder due now; returns how many rows this call
    inserted. A row that exists already is left alone (the unique constraint), so two
    dispatchers at once write each reminder once and their counts add up to the rows written.

    Which sprints are due is decided here in Python (schedule.due_kinds, in each business's
    time zone); who is reminded is decided by the database in one INSERT … SELECT (two
    queries in all, whatever the number of companies)."""
    now = now or timezone.now()
    due = _due_sprints(now)
    if not due:
        return 0
    return _plan_in_sql(due)


# Who is reminded, per kind:
#   results due       the active, accepted owners of the sprint's unlogged actions, and the
#                     entrepreneurs while any action is unlogged, owned or not;
#   session upcoming  the trackers;
#   review overdue    the trackers and the entrepreneurs.
# Rows that exist are skipped before the insert (most runs find most of them written 5 minutes
# before); ON CONFLICT settles a race between two dispatchers.
_PLAN_SQL = """
WITH due (sprint_id, kind) AS (SELECT * FROM unnest(%(sprints)s::bigint[], %(kinds)s::text[])),
managers AS (
    SELECT m.company_id, m.user_id, m.role
    FROM {membership} m JOIN {user} u ON u.id = m.user_id
    WHERE u.is_active AND m.accepted_at IS NOT NULL AND m.role IN (%(tracker)s, %(entrepreneur)s)
),
recipients AS (
    SELECT d.sprint_id, d.kind, m.user_id
    FROM due d
    JOIN {action} a ON a.sprint_id = d.sprint_id AND a.status = ANY(%(unlogged)s)
    JOIN {membership} m ON m.id = a.owner_id AND m.accepted_at IS NOT NULL
    JOIN {user} u ON u.id = m.user_id AND u.is_active
    WHERE d.kind = %(results_due)s
  UNION
    SELECT d.sprint_id, d.kind, m.user_id
    FROM due d JOIN {sprint} s ON s.id = d.sprint_id JOIN managers m ON m.company_id = s.company_id
    WHERE (d.kind = %(results_due)s AND m.role = %(entrepreneur)s
           AND EXISTS (SELECT 1 FROM {action} a WHERE a.sprint_id = d.sprint_id AND a.status = ANY(%(unlogged)s)))
       OR (d.kind = %(session_upcoming)s AND m.role = %(tracker)s)
       OR d.kind = %(review_overdue)s
),
inserted AS (
    INSERT INTO {reminder} (sprint_id, kind, recipient_id, created_at)
    SELECT r.sprint_id, r.kind, r.user_id, %(created_at)s
    FROM recipients r
    WHERE NOT EXISTS (
        SELECT 1 FROM {reminder} x
        WHERE x.sprint_id = r.sprint_id AND x.kind = r.kind AND x.recipient_id = r.user_id
    )
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT count(*) FROM inserted
"""


def _plan_in_sql(due: dict[str, list[tuple[int, int]]]) -> int:
    pairs = [(sprint_id, kind) for kind, group in due.items() for sprint_id, _ in group]
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in (
            ("membership", Membership),
            ("user", Membership._meta.get_field("user").related_model),
            ("action", Action),
            ("sprint", Sprint),
            ("reminder", Reminder),
        )
    }
    params = {
        "sprints": [p[0] for p in pairs],
        "kinds": [str(p[1]) for p in pairs],
        "unlogged": [str(s) for s in UNLOGGED],
        "tracker": str(Role.TRACKER),
        "entrepreneur": str(Role.ENTREPRENEUR),
        "results_due": str(ReminderKind.RESULTS_DUE),
        "session_upcoming": str(ReminderKind.SESSION_UPCOMING),
        "review_overdue": str(ReminderKind.REVIEW_OVERDUE),
        "created_at": timezone.now(),
    }
    with connection.cursor() as cursor:
        cursor.execute(_PLAN_SQL.format(**tables), params)
        return cursor.fetchone()[0]


def unsent_reminder_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Reminder.objects.filter(outbox.undelivered("reminder", now), sprint__status__in=OPEN_SPRINT)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _about(reminder: Reminder) -> str:  # outbox.undelivered("reminder", …) reads the same key
    return f"reminder:{reminder.pk}"


def _messages(reminder: Reminder, chats: dict | None = None) -> list[outbox.Outgoing | outbox.OutgoingTelegram]:
    """The reminder's e-mail, its Telegram message, or both, as its recipient chose (`chats`:
    the linked chats by user id; e-mail only without one)."""
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
    review = timezone.localtime(context["review"], company.tzinfo)
    return by_their_channels(
        _about(reminder),
        reminder.recipient,
        (chats or {}).get(reminder.recipient_id),
        # Made in the recipient's language: "Mon 7 Dec, 10:00", «Пн 7 Дек, 10:00».
        telegram=lambda: reminder_message(reminder, mine=mine, review_text=weekday_day_month_time()(review)),
        email=lambda: outbox.email_render(
            f"sprints/email/{reminder.kind}", context, language=reminder.recipient.language
        ),
    )


def reminders_deliver(reminder_ids: list[int]) -> int:
    """Send these reminders, each once, while their sprint is open; returns how many went out
    now. A reminder is rendered into the outbox the first time; a retry sends the same text."""
    loaded = Reminder.objects.select_related("sprint__company", "recipient")
    reminders = list(
        loaded.filter(outbox.undelivered("reminder", timezone.now()), pk__in=reminder_ids)
        .filter(sprint__status__in=OPEN_SPRINT)
        .order_by("pk")
    )
    return deliver_by_their_channels(reminders, about=_about, render=_messages, loaded=loaded)
