"""Telegram in Chromium, in Russian: a member links their chat from their Telegram page, the
"results due" reminder arrives in the chat (the fake Bot API), they tap Done and type the
result, and the results page shows it. The chat's transcript is written to
artifacts/telegram_chat_ru.txt for people to read."""

import re

import httpx
import pytest
from playwright.sync_api import expect

from sprints import reminders
from sprints.models import Action, Reminder
from sprints.telegram.updates import updates_sweep
from tests.conftest import make_team
from tests.e2e.conftest import sign_in
from tests.telegram.conftest import SECRET, USERNAME, bot, bot_api, message, tap  # noqa: F401 (fixtures)
from tracking.telegram.models import TelegramChat

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser"), pytest.mark.django_db(transaction=True)]

CHAT = 4242
PASSWORD = "telegram-journey-2026"


def telegram_sends(live_server, payload) -> None:
    """Telegram posts the update to the running site; a worker applies it."""
    response = httpx.post(
        f"{live_server.url}/telegram/webhook/",
        json=payload,
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        timeout=10,
    )
    assert response.status_code == 200
    updates_sweep()


def test_a_reminder_in_telegram_logged_from_the_chat_shows_on_the_results_page(live_server, page, bot, artifacts_dir):  # noqa: F811
    team = make_team("Пекарня «Колос»")
    Action.objects.filter(pk=team.action.pk).update(title="Разослать КП с гарантией возврата")
    team.action.refresh_from_db()
    user = team.member.user
    user.language = "ru"
    user.set_password(PASSWORD)
    user.save()
    sign_in(page, live_server.url, user.email, PASSWORD)

    page.goto(f"{live_server.url}/accounts/telegram/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator("form[action$='/telegram/link/'] button").click()
    link = page.locator("[data-test=telegram-link]").get_attribute("href")
    token = re.fullmatch(rf"https://t\.me/{USERNAME}\?start=(\S+)", link).group(1)

    telegram_sends(live_server, message(CHAT, f"/start {token}", language="ru"))
    assert TelegramChat.objects.get(chat_id=CHAT).user == user
    page.reload()
    expect(page.locator("[data-test=telegram-linked]")).to_be_visible()
    page.locator("select[name=channels]").select_option("telegram")
    page.locator("form[action$='/telegram/channels/'] button").click()
    expect(page.locator("select[name=channels]")).to_have_value("telegram")

    reminder = Reminder.objects.create(sprint=team.active_sprint, kind="results_due", recipient=user)
    reminders.reminders_deliver([reminder.pk])
    arrived = bot.sent(CHAT)[-1]
    assert "еженедельный разбор" in arrived["text"] and team.action.title in arrived["text"]
    done = arrived["reply_markup"]["inline_keyboard"][0][0]
    assert done["text"] == "1: Сделано"

    telegram_sends(live_server, tap(CHAT, done["callback_data"], on=bot.with_buttons(CHAT)))
    telegram_sends(live_server, message(CHAT, "Отправили КП 12 клиентам, трое ответили", language="ru"))
    action = Action.objects.get(pk=team.action.pk)
    assert (action.status, action.result_note) == ("done", "Отправили КП 12 клиентам, трое ответили")
    edited = bot.edits(CHAT)[-1]  # the reminder shows the list as it is now, its buttons gone
    assert edited["message_id"] == bot.with_buttons(CHAT).message_id and "reply_markup" not in edited
    assert "Сделано: Отправили КП 12 клиентам" in edited["text"]

    page.goto(f"{live_server.url}/b/{team.company.pk}/results/")
    expect(page.locator("#actions")).to_contain_text("Отправили КП 12 клиентам, трое ответили")

    transcript = [
        f"{c.method}: {c.params.get('text', '')}" for c in bot.calls if c.method in ("sendMessage", "editMessageText")
    ]
    (artifacts_dir / "telegram_chat_ru.txt").write_text("\n\n".join(transcript) + "\n", encoding="utf-8")
