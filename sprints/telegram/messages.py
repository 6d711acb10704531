"""What the bot says, in the reader's language: the open-actions list with its buttons, the
reminders and the digest as chat messages."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from tracking.delivery.outbox import OutgoingTelegram
from tracking.models import Membership, User

from ..models import Action, ActionStatus, SprintStatus

OPEN_SPRINT = (SprintStatus.ACTIVE, SprintStatus.REVIEW)
UNLOGGED = (ActionStatus.TODO, ActionStatus.DOING)
TITLE_LENGTH = 60


def callback(kind: str, action: Action) -> str:
    """A button's data (64 bytes at most): what it does, the action and the version it showed."""
    return f"{kind}:{action.pk}:{action.version}"


def open_actions(user: User) -> list[Action]:
    """The user's own unlogged actions of the open sprints of their businesses."""
    memberships = Membership.objects.accepted().filter(user=user)
    return list(
        Action.objects.filter(
            owner__in=memberships,
            status__in=UNLOGGED,
            sprint__status__in=OPEN_SPRINT,
            sprint__archived_at__isnull=True,
        )
        .select_related("sprint__company")
        .order_by("sprint__company__name", "pk")
    )


def short(text: str, length: int = TITLE_LENGTH) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def actions_message(actions: list[Action], intro: str = "") -> dict:
    """sendMessage's parameters: the list, a Done and a Not done button per action."""
    if not actions:
        return {"text": "\n\n".join(p for p in (intro, _("You have no open actions to log.")) if p)}
    lines = [intro] if intro else []
    lines.append(_("Your open actions:"))
    keyboard = []
    for number, action in enumerate(actions, start=1):
        lines.append(f"{number}. {short(action.title)} ({action.sprint.company.name})")
        keyboard.append(
            [
                {"text": _("%(n)s: Done") % {"n": number}, "callback_data": callback("d", action)},
                {"text": _("%(n)s: Not done") % {"n": number}, "callback_data": callback("n", action)},
            ]
        )
    return {"text": "\n".join(lines), "reply_markup": {"inline_keyboard": keyboard}}


def list_now_message(actions: list[Action], *, buttons: bool) -> dict:
    """editMessageText's parameters (but the chat and the message) for a list sent before, as
    it is now: each action with its state, buttons (if `buttons`) only for those still to log.
    Without a keyboard, Telegram takes the old buttons away."""
    lines = [_("Your actions now:")]
    keyboard = []
    for number, action in enumerate(actions, start=1):
        line = f"{number}. {short(action.title)} ({action.sprint.company.name})"
        open_sprint = action.sprint.status in OPEN_SPRINT
        if action.status in UNLOGGED and open_sprint:
            if buttons:
                keyboard.append(
                    [
                        {"text": _("%(n)s: Done") % {"n": number}, "callback_data": callback("d", action)},
                        {"text": _("%(n)s: Not done") % {"n": number}, "callback_data": callback("n", action)},
                    ]
                )
        else:
            note = action.result_note or action.why_not_note
            line += f" — {action.get_status_display()}" + (f": {short(note)}" if note else "")
        if not open_sprint:
            line += " " + _("(sprint closed)")
        lines.append(line)
    if not buttons and any(a.status in UNLOGGED and a.sprint.status in OPEN_SPRINT for a in actions):
        lines.append(_("These buttons have expired. Send /results for the current list."))
    params = {"text": "\n".join(lines)}
    if keyboard:
        params["reply_markup"] = {"inline_keyboard": keyboard}
    return params


def reminder_message(reminder, *, mine: list[Action], review_text: str) -> dict:
    """A reminder as a chat message; "results due" carries the open actions' buttons."""
    sprint = reminder.sprint
    company = sprint.company.name
    link = settings.SITE_URL + reverse(
        "sprints:results" if reminder.kind == "results_due" else "sprints:session", args=[sprint.company_id]
    )
    if reminder.kind == "results_due":
        intro = _("%(company)s: the weekly review is on %(when)s. Log what was done and what was not, and why.") % {
            "company": company,
            "when": review_text,
        }
        params = actions_message(mine, intro) if mine else {"text": f"{intro}\n{link}"}
        return params
    if reminder.kind == "session_upcoming":
        text = _("%(company)s: the weekly review is on %(when)s. Prepare the session:") % {
            "company": company,
            "when": review_text,
        }
    else:
        text = _("%(company)s: sprint %(number)s is still not closed; its review was on %(when)s.") % {
            "company": company,
            "number": sprint.number,
            "when": review_text,
        }
    return {"text": f"{text}\n{link}"}


def digest_message(lines: list[dict]) -> dict:
    rows = [_("Your businesses this week:")]
    for line in lines:
        parts = [line["company"].name]
        if line["sprint"]:
            parts.append(_("%(done)s of %(total)s actions done") % {"done": line["done"], "total": line["total"]})
        if line["metric"]:
            parts.append(f"{line['metric']}: {line['latest'] if line['latest'] is not None else '—'}")
        rows.append("• " + " · ".join(str(p) for p in parts))
    rows.append(settings.SITE_URL + reverse("tracking:portfolio"))
    return {"text": "\n".join(rows)}


def outgoing(key: str, user: User, chat_id: int, params: dict, *, method: str = "sendMessage") -> OutgoingTelegram:
    return OutgoingTelegram(key=key, to=user, chat_id=chat_id, method=method, params=params)


def in_language(user: User | None, fallback: str = ""):
    return translation.override((user.language if user else fallback) or settings.LANGUAGE_CODE)
