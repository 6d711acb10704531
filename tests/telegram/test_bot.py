"""The bot against a fake Bot API: linking, reminders once, logging results from the chat with
optimistic locking, a blocked bot, 429, a forged or replayed webhook, tenancy and bad input."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from sprints import reminders
from sprints.models import Action, Reminder
from sprints.schedule import review_at
from sprints.telegram.updates import updates_sweep
from tests import clock
from tests.telegram.conftest import SECRET, USERNAME, message, tap
from tracking.models import MetricValue, OutboxMessage
from tracking.telegram import services as telegram
from tracking.telegram.models import Channels, TelegramChat, TelegramUpdate

pytestmark = pytest.mark.django_db

CHAT, OTHER_CHAT = 5001, 5002


def post(client, payload, *, secret=SECRET):
    headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
    return client.post(reverse("telegram_webhook"), payload, content_type="application/json", **headers)


def send(client, payload, **kwargs):
    """Telegram posts an update; the worker applies it."""
    response = post(client, payload, **kwargs)
    updates_sweep()
    return response


def link(client, user, chat_id=CHAT, channels=Channels.TELEGRAM) -> TelegramChat:
    token = telegram.link_token_create(user=user)
    assert send(client, message(chat_id, f"/start {token}")).status_code == 200
    chat = TelegramChat.objects.get(user=user)
    telegram.channels_set(user=user, channels=channels)
    return chat


def results_due(team) -> Reminder:
    return Reminder.objects.create(sprint=team.active_sprint, kind="results_due", recipient=team.member.user)


# --- Linking ---------------------------------------------------------------------------------------


def test_a_link_token_links_once(bot, client, team):
    token = telegram.link_token_create(user=team.member.user)
    send(client, message(CHAT, f"/start {token}"))
    assert TelegramChat.objects.get(user=team.member.user).chat_id == CHAT
    assert "Linked to" in bot.texts(CHAT)[-1]
    send(client, message(OTHER_CHAT, f"/start {token}"))
    assert not TelegramChat.objects.filter(chat_id=OTHER_CHAT).exists()
    assert "invalid, used or expired" in bot.texts(OTHER_CHAT)[-1]


def test_a_link_token_expires_after_15_minutes(bot, client, team):
    token = telegram.link_token_create(user=team.member.user)
    with time_machine.travel(clock.now() + timedelta(minutes=15, seconds=1), tick=False):
        send(client, message(CHAT, f"/start {token}"))
    assert not TelegramChat.objects.exists()
    fresh = telegram.link_token_create(user=team.member.user)
    with time_machine.travel(clock.now() + timedelta(minutes=14), tick=False):
        send(client, message(CHAT, f"/start {fresh}"))
    assert TelegramChat.objects.filter(user=team.member.user).exists()


def test_stop_and_the_page_unlink(bot, client, client_for, team):
    link(client, team.member.user)
    send(client, message(CHAT, "/stop"))
    assert not TelegramChat.objects.exists()
    assert "Unlinked" in bot.texts(CHAT)[-1]
    link(client, team.member.user)
    page = client_for(team.member)
    assert page.post(reverse("telegram_unlink")).status_code == 302
    assert not TelegramChat.objects.exists()


def test_the_page_gives_a_one_time_link_with_the_bot_name(bot, client_for, team):
    page = client_for(team.member)
    response = page.post(reverse("telegram_link"))
    assert f"https://t.me/{USERNAME}?start=" in response.text
    page.post(reverse("telegram_link"))
    assert [c.method for c in bot.calls].count("getMe") == 1  # cached


def main_menu(page) -> str:
    body = page.get(reverse("tracking:portfolio")).text
    return body[body.index('<nav class="nav"') : body.index("</nav>")]


def test_the_main_menu_links_to_the_telegram_page_when_a_bot_is_set_up(bot, client_for, team, settings):
    page = client_for(team.member)
    assert f'href="{reverse("telegram")}"' in main_menu(page)
    settings.TELEGRAM_BOT_TOKEN = ""
    assert f'href="{reverse("telegram")}"' not in main_menu(page)
    assert "disabled" in page.get(reverse("telegram")).text  # the page is still there, explained


def test_without_a_bot_the_link_button_is_disabled_and_explained(client_for, team, settings):
    settings.TELEGRAM_BOT_TOKEN = ""
    response = client_for(team.member).get(reverse("telegram"))
    assert "disabled" in response.text and "TELEGRAM_BOT_TOKEN" in response.text


def test_the_register_command_sets_the_webhook_with_the_secret(bot, settings):
    settings.SITE_URL = "https://tracker.example"
    call_command("telegram_webhook")
    call = next(c for c in bot.calls if c.method == "setWebhook")
    assert call.params["url"] == "https://tracker.example/telegram/webhook/"
    assert call.params["secret_token"] == SECRET


# --- The webhook -----------------------------------------------------------------------------------


def test_a_forged_webhook_is_refused_and_changes_nothing(bot, client, team):
    token = telegram.link_token_create(user=team.member.user)
    assert post(client, message(CHAT, f"/start {token}"), secret="wrong").status_code == 403
    assert post(client, message(CHAT, f"/start {token}"), secret=None).status_code == 403
    updates_sweep()
    assert not TelegramUpdate.objects.exists() and not TelegramChat.objects.exists() and bot.calls == []


def test_a_replayed_update_is_applied_once(bot, client, team):
    link(client, team.member.user)
    update = tap(CHAT, f"d:{team.action.pk}:{team.action.version}")
    send(client, update)
    send(client, update)
    answer = message(CHAT, "Sent to 12 clients")
    send(client, answer)
    send(client, answer)
    action = Action.objects.get(pk=team.action.pk)
    assert action.status == "done" and action.version == team.action.version + 1
    assert bot.texts(CHAT).count(f"Logged: “{team.action.title}” — Done.") == 1


# --- Reminders -------------------------------------------------------------------------------------


def test_a_reminder_arrives_once_with_its_buttons(bot, client, team):
    link(client, team.member.user)
    reminder = results_due(team)
    reminders.reminders_deliver([reminder.pk])
    reminders.reminders_deliver([reminder.pk])
    sent = [p for p in bot.sent(CHAT) if "weekly review" in p["text"]]
    assert len(sent) == 1
    buttons = sent[0]["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == [
        f"d:{team.action.pk}:{team.action.version}",
        f"n:{team.action.pk}:{team.action.version}",
    ]
    assert not OutboxMessage.objects.filter(about=f"reminder:{reminder.pk}", channel="email").exists()


def test_both_channels_get_the_reminder_once_each(bot, client, team, mailoutbox):
    link(client, team.member.user, channels=Channels.BOTH)
    reminder = results_due(team)
    reminders.reminders_deliver([reminder.pk])
    reminders.reminders_deliver([reminder.pk])
    assert len([t for t in bot.texts(CHAT) if "weekly review" in t]) == 1
    assert len(mailoutbox) == 1


def test_a_reminder_in_russian(bot, client, team):
    team.member.user.language = "ru"
    team.member.user.save()
    link(client, team.member.user)
    reminder = results_due(team)
    reminders.reminders_deliver([reminder.pk])
    assert "еженедельный разбор" in bot.texts(CHAT)[-1].lower() or "Ваши открытые" in bot.texts(CHAT)[-1]
    # The review's day and time as the reader writes them, in the business's time zone.
    sprint, company = reminder.sprint, team.company
    review = review_at(sprint.ends_on, company.review_weekday, company.review_time, company.tzinfo)
    with translation.override("ru"):
        written = date_format(review, "D j M, H:i")
    assert written in "\n".join(bot.texts(CHAT)) and any(c.isalpha() and not c.isascii() for c in written)


def test_a_blocked_bot_unlinks_and_the_reminder_goes_by_email(bot, client, team, mailoutbox):
    link(client, team.member.user)
    bot.fail("403")
    reminder = results_due(team)
    reminders.reminders_deliver([reminder.pk])
    assert not TelegramChat.objects.exists()
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [team.member.user.email]
    row = OutboxMessage.objects.get(key=f"reminder:{reminder.pk}:telegram")
    assert row.failed_at is not None and "blocked" in row.last_error


def test_a_429_waits_for_retry_after(bot, client, team):
    link(client, team.member.user)
    bot.fail("429")
    reminder = results_due(team)
    with time_machine.travel(clock.now(), tick=False):
        reminders.reminders_deliver([reminder.pk])
        row = OutboxMessage.objects.get(key=f"reminder:{reminder.pk}:telegram")
        assert row.sent_at is None and row.failed_at is None
        assert row.next_attempt_at == clock.now() + timedelta(seconds=7)
    with time_machine.travel(clock.now() + timedelta(seconds=8), tick=False):
        reminders.reminders_deliver([reminder.pk])
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 2


@pytest.mark.parametrize("failure", ["500", "silence"])
def test_a_5xx_or_no_answer_is_retried_later(bot, client, team, failure):
    link(client, team.member.user)
    bot.fail(failure)
    reminder = results_due(team)
    reminders.reminders_deliver([reminder.pk])
    row = OutboxMessage.objects.get(key=f"reminder:{reminder.pk}:telegram")
    assert row.sent_at is None and row.failed_at is None and row.next_attempt_at is not None
    assert TelegramChat.objects.exists()


# --- Logging results from the chat ----------------------------------------------------------------


def test_done_then_a_result_logs_the_action(bot, client, client_for, team):
    link(client, team.member.user)
    send(client, tap(CHAT, f"d:{team.action.pk}:{team.action.version}"))
    assert "One line, or “skip”" in bot.texts(CHAT)[-1]
    send(client, message(CHAT, "Sent to 12 clients, 3 replied"))
    action = Action.objects.get(pk=team.action.pk)
    assert (action.status, action.result_note) == ("done", "Sent to 12 clients, 3 replied")
    page = client_for(team.tracker).get(reverse("sprints:results", args=[team.company.pk]))
    assert "Sent to 12 clients, 3 replied" in page.text


def callbacks(params: dict) -> list[str]:
    rows = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


def test_a_logged_result_edits_the_reminder_to_the_list_as_it_is_now(bot, client, team):
    second = Action.objects.create(
        sprint=team.active_sprint, owner=team.member, title="Call three bakeries", estimate_hours=1
    )
    link(client, team.member.user)
    reminders.reminders_deliver([results_due(team).pk])
    reminder = bot.with_buttons(CHAT)
    stale_buttons = callbacks(reminder.params)
    assert len(stale_buttons) == 4
    send(client, tap(CHAT, stale_buttons[0], on=reminder))
    assert bot.edits(CHAT) == []  # asked for the result: the list is unchanged yet
    send(client, message(CHAT, "Sent to 12 clients"))
    edit = bot.edits(CHAT)[-1]
    assert edit["message_id"] == reminder.message_id
    assert f"1. {team.action.title} ({team.company.name}) — Done: Sent to 12 clients" in edit["text"]
    assert f"2. {second.title} ({team.company.name})" in edit["text"]
    second.refresh_from_db()
    assert callbacks(edit) == [f"d:{second.pk}:{second.version}", f"n:{second.pk}:{second.version}"]
    assert not set(callbacks(edit)) & set(stale_buttons[:2])


def test_a_stale_or_expired_button_edits_its_message_and_its_buttons_go(bot, client, team):
    from sprints.services import action_log

    link(client, team.member.user)
    reminders.reminders_deliver([results_due(team).pk])
    reminder = bot.with_buttons(CHAT)
    action_log(action=team.action, by=team.member, status="not_done", why_not_note="No printer")
    send(client, tap(CHAT, callbacks(reminder.params)[0], on=reminder))
    edit = bot.edits(CHAT)[-1]
    assert (edit["chat_id"], edit["message_id"]) == (CHAT, reminder.message_id)
    assert "— Not done: No printer" in edit["text"] and "reply_markup" not in edit

    Action.objects.filter(pk=team.action.pk).update(status="todo")
    old = clock.now() - timedelta(days=8)
    send(client, tap(CHAT, callbacks(reminder.params)[0], on=reminder, sent_at=old))
    edit = bot.edits(CHAT)[-1]
    assert "reply_markup" not in edit and "have expired" in edit["text"]
    assert Action.objects.get(pk=team.action.pk).status == "todo"


def test_an_edited_list_in_russian(bot, client, team):
    team.member.user.language = "ru"
    team.member.user.save()
    link(client, team.member.user)
    reminders.reminders_deliver([results_due(team).pk])
    reminder = bot.with_buttons(CHAT)
    send(client, tap(CHAT, callbacks(reminder.params)[1], on=reminder))
    send(client, message(CHAT, "Сломался принтер", language="ru"))
    edit = bot.edits(CHAT)[-1]
    assert edit["text"].startswith("Ваши действия сейчас:") and "Сломался принтер" in edit["text"]


def test_not_done_requires_a_reason(bot, client, team):
    link(client, team.member.user)
    send(client, tap(CHAT, f"n:{team.action.pk}:{team.action.version}"))
    send(client, message(CHAT, "skip"))
    assert "A reason is required" in bot.texts(CHAT)[-1]
    assert Action.objects.get(pk=team.action.pk).status == "todo"
    send(client, message(CHAT, "The printer broke"))
    action = Action.objects.get(pk=team.action.pk)
    assert (action.status, action.why_not_note) == ("not_done", "The printer broke")


def test_a_change_on_the_web_since_the_message_is_not_overwritten(bot, client, team):
    from sprints.services import action_log

    link(client, team.member.user)
    version = team.action.version
    send(client, tap(CHAT, f"d:{team.action.pk}:{version}"))
    action_log(action=team.action, by=team.member, status="done", result_note="Logged on the web")
    send(client, message(CHAT, "From the chat"))
    action = Action.objects.get(pk=team.action.pk)
    assert action.result_note == "Logged on the web"
    assert "changed on the web" in bot.texts(CHAT)[-1] and "Logged on the web" in bot.texts(CHAT)[-1]
    send(client, tap(CHAT, f"n:{team.action.pk}:{version}"))  # an old button
    assert "changed on the web" in bot.texts(CHAT)[-1]
    assert Action.objects.get(pk=team.action.pk).version == action.version


def test_the_key_metric_question_takes_a_number_and_refuses_bad_input(bot, client, team):
    link(client, team.entrepreneur.user, chat_id=OTHER_CHAT)
    team.action.owner = team.entrepreneur
    team.action.save()
    send(client, tap(OTHER_CHAT, f"d:{team.action.pk}:{team.action.version}"))
    send(client, message(OTHER_CHAT, "skip"))
    assert f"This week's {team.metric.name}?" in bot.texts(OTHER_CHAT)[-1]
    before = MetricValue.objects.filter(metric=team.metric).count()
    send(client, message(OTHER_CHAT, "many"))
    assert "not a number" in bot.texts(OTHER_CHAT)[-1]
    send(client, message(OTHER_CHAT, "1" * 20))
    assert "too large" in bot.texts(OTHER_CHAT)[-1]
    assert MetricValue.objects.filter(metric=team.metric).count() == before
    send(client, message(OTHER_CHAT, "42"))
    assert "42" in bot.texts(OTHER_CHAT)[-2]
    assert MetricValue.objects.filter(metric=team.metric, value=42).exists()


def test_an_action_of_a_closed_sprint_or_an_expired_button_changes_nothing(bot, client, team):
    link(client, team.member.user)
    old = clock.now() - timedelta(days=8)
    send(client, tap(CHAT, f"d:{team.action.pk}:{team.action.version}", sent_at=old))
    assert "expired" in bot.texts(CHAT)[-1]
    send(client, tap(CHAT, "d:not-a-number:1"))
    assert "expired" in bot.texts(CHAT)[-1]
    team.active_sprint.status = "closed"
    team.active_sprint.save()
    send(client, tap(CHAT, f"d:{team.action.pk}:{team.action.version}"))
    assert "closed" in bot.texts(CHAT)[-1]
    assert Action.objects.get(pk=team.action.pk).status == "todo"


def test_a_chat_sees_and_changes_only_its_users_businesses(bot, client, team, foreign_team):
    link(client, team.member.user)
    send(client, message(CHAT, "/results"))
    listed = bot.sent(CHAT)[-1]
    assert team.action.title in listed["text"] and foreign_team.action.title not in listed["text"]
    send(client, tap(CHAT, f"d:{foreign_team.action.pk}:{foreign_team.action.version}"))
    assert "not there" in bot.texts(CHAT)[-1]
    send(client, tap(CHAT, f"d:{team.planned_action.pk}:{team.planned_action.version}"))  # the team lead's
    assert "not there" in bot.texts(CHAT)[-1]
    assert Action.objects.get(pk=foreign_team.action.pk).status == "todo"


def test_an_unlinked_chat_is_told_how_to_link(bot, client, team):
    send(client, message(CHAT, "/results"))
    assert "not linked" in bot.texts(CHAT)[-1]
    send(client, tap(CHAT, f"d:{team.action.pk}:{team.action.version}"))
    assert "not linked" in bot.texts(CHAT)[-1] and Action.objects.get(pk=team.action.pk).status == "todo"


def test_the_digest_arrives_in_telegram_once_and_by_email_when_blocked(bot, client, team, mailoutbox):
    from sprints import digest
    from sprints.models import Digest

    link(client, team.tracker.user)
    first = Digest.objects.create(recipient=team.tracker.user, week_start=clock.today())
    digest.digests_deliver([first.pk])
    digest.digests_deliver([first.pk])
    assert len([t for t in bot.texts(CHAT) if "Your businesses this week" in t and team.company.name in t]) == 1
    assert mailoutbox == []
    bot.fail("403")
    second = Digest.objects.create(recipient=team.tracker.user, week_start=clock.today() - timedelta(days=7))
    digest.digests_deliver([second.pk])
    assert not TelegramChat.objects.exists() and len(mailoutbox) == 1


def test_odd_updates_are_kept_once_and_answered_sensibly(bot, client, team):
    assert send(client, {"update_id": 77, "callback_query": {"id": "1"}}).status_code == 200
    assert send(client, {"update_id": 78, "edited_message": {"text": "hi"}}).status_code == 200
    assert post(client, {"no": "update id"}).status_code == 200
    assert (
        client.post(
            reverse("telegram_webhook"),
            "not json",
            content_type="application/json",
            HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=SECRET,
        ).status_code
        == 400
    )
    kept = TelegramUpdate.objects.filter(processed_at__isnull=False)
    assert sorted(kept.values_list("update_id", flat=True)) == [77, 78]
    send(client, message(CHAT, "/start"))
    assert "not linked" in bot.texts(CHAT)[-1]
