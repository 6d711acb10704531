"""The bot's side of a chat: /start <token>, /stop, /results, the Done and Not done buttons,
the one-line answer they ask for, then this week's key metric. Every write goes through the
services the pages use (action_log, the toolkit's value_record), as the chat's user, in the
businesses they are a member of: a chat never sees or changes another user's business.

A button carries the action's version when the message was written: if the action changed
since (on the web, or by another button), the bot says so and shows what it is now. Once a
tap is answered (the result logged, the action changed or gone, the button expired), the
message with the buttons is edited to show its list as it is now: no stale buttons stay."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tracking.models import Membership, Metric, User
from tracking.numbers import parse_number, plain
from tracking.roles import Permission, role_allows
from tracking.telegram import services as chats
from tracking.telegram.models import TelegramChat
from tracking.telegram.selectors import chat_by_id
from tracking.toolkit.services import value_record

from .. import services
from ..access import can_log_results
from ..models import Action, ActionStatus
from .messages import OPEN_SPRINT, actions_message, in_language, list_now_message, open_actions, short

BUTTON_DAYS = 7  # a button older than this has expired: /results gives fresh ones
ANSWER_MAX_LENGTH = 2000
METRIC_MAX = Decimal("1e12")
SKIP = {"skip", "пропустить", "-"}


def _not_linked() -> str:
    return _("This chat is not linked. Open your Telegram page in the tracker and follow its one-time link.")


class Reply(list):
    """The bot's answers to one update: (Bot API method, parameters but the chat)."""

    def say(self, text: str, **params) -> "Reply":
        self.append(("sendMessage", {"text": text, **params}))
        return self

    def edit(self, message_id, params: dict) -> "Reply":
        if isinstance(message_id, int):
            self.append(("editMessageText", {"message_id": message_id, **params}))
        return self


def handle(payload: dict) -> tuple[int | None, User | None, Reply]:
    """What to answer to an update, and to which chat (None: nothing to answer)."""
    if query := payload.get("callback_query"):
        message = query.get("message") or {}
        chat_id = (message.get("chat") or {}).get("id")
        chat = chat_by_id(chat_id) if isinstance(chat_id, int) else None
        reply = Reply([("answerCallbackQuery", {"callback_query_id": str(query.get("id", ""))})])
        language = (query.get("from") or {}).get("language_code", "")
        with in_language(chat.user if chat else None, language[:2]):
            _button(chat, query, message, reply)
        return chat_id, chat.user if chat else None, reply
    message = payload.get("message") or {}
    chat_id = (message.get("chat") or {}).get("id")
    text = message.get("text")
    if not isinstance(chat_id, int) or not isinstance(text, str):
        return None, None, Reply()
    chat = chat_by_id(chat_id)
    reply = Reply()
    language = (message.get("from") or {}).get("language_code", "")
    with in_language(chat.user if chat else None, language[:2]):
        chat = _command(chat, chat_id, text.strip(), reply)
    return chat_id, chat.user if chat else None, reply


def _command(chat: TelegramChat | None, chat_id: int, text: str, reply: Reply) -> TelegramChat | None:
    if text.startswith("/start"):
        token = text.removeprefix("/start").strip()
        linked = chats.chat_link(token=token, chat_id=chat_id) if token else None
        if linked is None:
            if token:
                reply.say(
                    _("This link is invalid, used or expired. Get a new one on your Telegram page in the tracker.")
                )
            elif chat is None:
                reply.say(_not_linked())
            else:
                reply.say(_("This chat is linked. Send /results for your open actions."))
            return chat
        with in_language(linked.user):
            reply.say(
                _("Linked to %(email)s. Reminders come here; send /results to log your actions, /stop to unlink.")
                % {"email": linked.user.email}
            )
        return linked
    if chat is None:
        reply.say(_not_linked())
        return None
    if text == "/stop":
        chats.chat_unlink(chat_id=chat_id)
        reply.say(_("Unlinked. Reminders come by e-mail again."))
        return None
    if text == "/results":
        chats.chat_pending_set(chat=chat, pending={})
        reply.say(**actions_message(open_actions(chat.user)))
        return chat
    _answer(chat, text, reply)
    return chat


def _button(chat: TelegramChat | None, query: dict, message: dict, reply: Reply) -> None:
    if chat is None:
        reply.say(_not_linked())
        return
    kind, action_id, version = _parse_button(query.get("data"))
    listed = _listed(message) or [action_id]
    shown = {"message": message.get("message_id"), "listed": listed, "sent": message.get("date")}
    if kind is None or _expired(shown["sent"]):
        reply.say(_("This button has expired. Send /results for the current list."))
        _show_now(chat, shown, reply)
        return
    action, _membership = _own_action(chat.user, action_id)
    if action is None:
        reply.say(_("This action is not there any more. Send /results for the current list."))
        _show_now(chat, shown, reply)
        return
    if action.sprint.status not in OPEN_SPRINT:
        reply.say(
            _("The sprint of “%(title)s” is closed: its results can no longer be logged.")
            % {"title": short(action.title)}
        )
        _show_now(chat, shown, reply)
        return
    if action.version != version:
        _stale(action, reply)
        _show_now(chat, shown, reply)
        return
    step = "result" if kind == "d" else "reason"
    chats.chat_pending_set(chat=chat, pending={"step": step, "action": action.pk, "version": version, **shown})
    if step == "result":
        reply.say(_("What came of “%(title)s”? One line, or “skip”.") % {"title": short(action.title)})
    else:
        reply.say(_("Why was “%(title)s” not done? One line (required).") % {"title": short(action.title)})


def _expired(sent) -> bool:
    return not isinstance(sent, int) or datetime.fromtimestamp(sent, UTC) < timezone.now() - timedelta(days=BUTTON_DAYS)


def _listed(message: dict) -> list[int]:
    """The actions a message with buttons listed, in its order (from its buttons' data)."""
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard")
    ids = []
    for row in keyboard if isinstance(keyboard, list) else []:
        for button in row if isinstance(row, list) else []:
            kind, action_id, _version = _parse_button(button.get("callback_data") if isinstance(button, dict) else None)
            if kind is not None and action_id not in ids:
                ids.append(action_id)
    return ids[:100]


def _show_now(chat: TelegramChat, shown: dict, reply: Reply) -> None:
    """Edit the message a button was tapped on: its list as it is now (the user's own actions
    only), buttons only while they have not expired."""
    listed = [a for a in (_own_action(chat.user, pk)[0] for pk in shown.get("listed") or []) if a is not None]
    if listed:
        reply.edit(shown.get("message"), list_now_message(listed, buttons=not _expired(shown.get("sent"))))
    else:
        reply.edit(shown.get("message"), {"text": _("This list is not there any more. Send /results for yours.")})


def _parse_button(data) -> tuple[str | None, int, int]:
    parts = data.split(":") if isinstance(data, str) else []
    if len(parts) != 3 or parts[0] not in ("d", "n") or not all(p.isdigit() and len(p) < 12 for p in parts[1:]):
        return None, 0, 0
    return parts[0], int(parts[1]), int(parts[2])


def _own_action(user: User, action_id: int) -> tuple[Action | None, Membership | None]:
    """The action if it is of one of the user's businesses and theirs to log; else (None, None)."""
    action = Action.objects.filter(pk=action_id).select_related("sprint__company", "owner").first()
    if action is None:
        return None, None
    membership = Membership.objects.accepted().filter(user=user, company_id=action.sprint.company_id).first()
    if membership is None:
        return None, None
    return (action, membership) if can_log_results(membership, action) else (None, None)


def _stale(current: Action, reply: Reply) -> None:
    note = current.result_note or current.why_not_note
    reply.say(
        _("“%(title)s” was changed on the web since this message. Now: %(status)s.%(note)s Nothing was overwritten.")
        % {
            "title": short(current.title),
            "status": current.get_status_display(),
            "note": f" {note}" if note else "",
        }
    )


def _answer(chat: TelegramChat, text: str, reply: Reply) -> None:
    pending = chat.pending or {}
    step = pending.get("step")
    if step in ("result", "reason"):
        _log(chat, pending, text, reply)
    elif step == "metric":
        _metric(chat, pending, text, reply)
    else:
        reply.say(_("Send /results for your open actions, or /stop to unlink this chat."))


def _log(chat: TelegramChat, pending: dict, text: str, reply: Reply) -> None:
    skipped = text.lower() in SKIP
    if pending["step"] == "reason" and (skipped or not text):
        reply.say(_("A reason is required: say in one line why it was not done."))
        return
    if "\n" in text or len(text) > ANSWER_MAX_LENGTH:
        reply.say(_("One line, please (at most %(n)s characters).") % {"n": ANSWER_MAX_LENGTH})
        return
    action, membership = _own_action(chat.user, pending.get("action", 0))
    if action is None:
        chats.chat_pending_set(chat=chat, pending={})
        reply.say(_("This action is not there any more. Send /results for the current list."))
        return
    done = pending["step"] == "result"
    try:
        saved = services.action_log(
            action=action,
            by=membership,
            status=ActionStatus.DONE if done else ActionStatus.NOT_DONE,
            result_note="" if (skipped or not done) else text,
            why_not_note="" if done else text,
            expected_version=pending.get("version"),
        )
    except services.StaleAction as stale:
        chats.chat_pending_set(chat=chat, pending={})
        _stale(stale.current, reply)
        _show_now(chat, pending, reply)
        return
    except (ValidationError, PermissionDenied) as error:
        chats.chat_pending_set(chat=chat, pending={})
        reply.say(" ".join(getattr(error, "messages", None) or [str(error)]))
        return
    reply.say(
        _("Logged: “%(title)s” — %(status)s.") % {"title": short(saved.title), "status": saved.get_status_display()}
    )
    _show_now(chat, pending, reply)
    metric = Metric.objects.filter(company_id=saved.sprint.company_id, is_key=True).first()
    if metric is not None and role_allows(membership.role, Permission.EDIT_PLANNING):
        chats.chat_pending_set(chat=chat, pending={"step": "metric", "metric": metric.pk})
        reply.say(_("This week's %(metric)s? A number, or “skip”.") % {"metric": metric.name})
        return
    chats.chat_pending_set(chat=chat, pending={})
    _more(chat, reply)


def _metric(chat: TelegramChat, pending: dict, text: str, reply: Reply) -> None:
    if text.lower() in SKIP:
        chats.chat_pending_set(chat=chat, pending={})
        _more(chat, reply)
        return
    value = parse_number(text)
    if value is None:
        reply.say(_("That is not a number. Type it like 12 or 2,5 — or “skip”."))
        return
    if abs(value) >= METRIC_MAX:
        reply.say(_("That number is too large. Type this week's value, or “skip”."))
        return
    metric = Metric.objects.filter(pk=pending.get("metric", 0)).select_related("company").first()
    membership = (
        Membership.objects.accepted().filter(user=chat.user, company_id=metric.company_id).first() if metric else None
    )
    chats.chat_pending_set(chat=chat, pending={})
    if metric is None or membership is None:
        reply.say(_("This metric is not there any more."))
        return
    try:
        value_record(metric=metric, by=membership, value=value)
    except (ValidationError, PermissionDenied) as error:
        reply.say(" ".join(getattr(error, "messages", None) or [str(error)]))
        return
    reply.say(_("Saved: %(metric)s this week — %(value)s.") % {"metric": metric.name, "value": plain(value)})
    _more(chat, reply)


def _more(chat: TelegramChat, reply: Reply) -> None:
    if actions := open_actions(chat.user):
        reply.say(**actions_message(actions))
    else:
        reply.say(_("All your actions are logged. Thank you!"))
