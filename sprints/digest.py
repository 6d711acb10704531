"""The Monday digest: a line per business for each tracker, once a week, through the outbox
under the key "digest:<id>"."""

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from hypotheses.models import Hypothesis
from tracking.db import insert_new
from tracking.delivery import outbox
from tracking.models import Membership, Role, User

from .models import Action, ActionStatus, Digest, Sprint, SprintStatus
from .portfolio import overview
from .schedule import digest_week
from .telegram.channels import by_their_channels, deliver_by_their_channels
from .telegram.messages import digest_message


def digests_plan(now: datetime | None = None) -> int:
    """A Digest row for every tracker whose Monday 08:00 (in their time zone) has passed;
    returns how many rows this call inserted."""
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
    return insert_new(rows)


def unsent_digest_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(Digest.objects.filter(outbox.undelivered("digest", now)).values_list("pk", flat=True))


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
    cards = overview(company_ids, now)
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
                # "Busy, not moving" links to the outcomes view (sprints/outcomes.py).
                "outcomes_link": (
                    settings.SITE_URL + reverse("sprints:outcomes", args=[m.company_id])
                    if card.get("busy_not_moving")
                    else ""
                ),
            }
        )
    return lines


def _about(digest: Digest) -> str:  # outbox.undelivered("digest", …) reads the same key
    return f"digest:{digest.pk}"


def _messages(digest: Digest, chats: dict | None = None) -> list[outbox.Outgoing | outbox.OutgoingTelegram]:
    """The digest by e-mail, in Telegram, or both, as its recipient chose."""
    context = {
        "digest": digest,
        "lines": digest_lines(digest.recipient),
        "recipient": digest.recipient,
        "link": settings.SITE_URL + reverse("tracking:portfolio"),
    }
    return by_their_channels(
        _about(digest),
        digest.recipient,
        (chats or {}).get(digest.recipient_id),
        telegram=lambda: digest_message(context["lines"]),
        email=lambda: outbox.email_render("sprints/email/digest", context, language=digest.recipient.language),
    )


def digests_deliver(digest_ids: list[int]) -> int:
    """Send these digests, each once; returns how many went out now."""
    loaded = Digest.objects.select_related("recipient")
    digests = list(loaded.filter(outbox.undelivered("digest", timezone.now()), pk__in=digest_ids).order_by("pk"))
    return deliver_by_their_channels(digests, about=_about, render=_messages, loaded=loaded)
