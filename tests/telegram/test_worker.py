"""Telegram reminders through a real Redis and real worker processes, under the e-mail's fault
tests: two dispatchers at once, a worker killed mid-batch (tests/sprints/test_jobs_worker.py).
Each reminder reaches its chat exactly once: one sendMessage per (sprint, kind, recipient)."""

import subprocess
from collections import Counter
from functools import partial

import pytest

from sprints.models import Reminder
from tests.sprints.test_jobs_worker import (
    DISPATCH,
    all_sent_or_dispatch_again,
    overdue_team,
    sent_emails,
    worker_killed_after,
)
from tests.support.processes import ROOT, PrivateRedis, app_env, python, run_python, wait_for, worker
from tests.telegram.conftest import bot_env
from tracking.delivery import outbox
from tracking.models import OutboxMessage
from tracking.telegram import services as telegram
from tracking.telegram.models import Channels, TelegramChat

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]

ABOUT = "is still not closed"


@pytest.fixture
def broker():
    redis = PrivateRedis().start()
    yield redis
    redis.stop()


def teams_in_telegram(prefix: str, count: int) -> list[int]:
    """Overdue teams whose tracker and entrepreneur chose Telegram only: their chat ids."""
    chats = []
    for i in range(count):
        team = overdue_team(f"{prefix} {i}")
        for membership in (team.tracker, team.entrepreneur):
            chat_id = 7000 + membership.user_id
            telegram.chat_link(token=telegram.link_token_create(user=membership.user), chat_id=chat_id)
            telegram.channels_set(user=membership.user, channels=Channels.TELEGRAM)
            chats.append(chat_id)
    return chats


def reminders_per_chat(bot_api) -> Counter:
    return Counter(p["chat_id"] for p in bot_api.sent() if ABOUT in p["text"])


def env_for(redis, folder, bot_api) -> dict:
    return app_env(
        REDIS_URL=redis.url,
        DJANGO_EMAIL_BACKEND="tests.support.slow_mail.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(folder),
        SLOW_MAIL_SECONDS="0.01",
        **bot_env(bot_api),
    )


def test_two_dispatchers_send_each_telegram_reminder_once(tmp_path, broker, bot_api):
    chats = teams_in_telegram("Twin", 8)
    bot_api.delay = 0.01
    env = env_for(broker, tmp_path, bot_api)
    dispatchers = [
        subprocess.Popen(python("-c", DISPATCH), cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60)[0] for p in dispatchers]
    assert all(p.returncode == 0 for p in dispatchers), outputs
    assert Reminder.objects.count() == len(chats)
    with worker(env):
        assert wait_for(lambda: Reminder.objects.exclude(outbox.delivered("reminder")).count() == 0, timeout=60)
    assert reminders_per_chat(bot_api) == Counter(dict.fromkeys(chats, 1))
    assert sent_emails(tmp_path, about=ABOUT) == Counter()  # Telegram only: no e-mail


def a_call_in_flight(bot_api) -> OutboxMessage | None:
    """A Telegram row whose claim is committed and whose sendMessage the fake Bot API already
    took (it answers 0.25 s later): the worker is waiting for Telegram's answer."""
    row = OutboxMessage.objects.filter(channel="telegram", last_error=outbox.TELEGRAM_IN_FLIGHT).first()
    return row if row is not None and int(row.address) in reminders_per_chat(bot_api) else None


def test_a_worker_killed_while_telegram_has_the_message_sends_none_twice(tmp_path, broker, bot_api):
    chats = teams_in_telegram("Killed", 8)
    bot_api.delay = 0.25
    # Calls of 2 s at most: a claim outlives the killed worker by 2 + 2 × 2 + 5 seconds.
    env = {**env_for(broker, tmp_path, bot_api), "TELEGRAM_TIMEOUT": "2"}
    with worker_killed_after(env):
        assert run_python(DISPATCH, env).returncode == 0  # one batch of 16 reminders
        assert wait_for(lambda: Reminder.objects.filter(outbox.delivered("reminder")).count() >= 3, timeout=60)
        # The kill point e-mail's design leaves open: Telegram took the message, no answer yet.
        assert wait_for(lambda: a_call_in_flight(bot_api) is not None, timeout=30, step=0.02)
        in_flight = a_call_in_flight(bot_api)
    sent_before = Reminder.objects.filter(outbox.delivered("reminder")).count()
    assert sent_before < len(chats), "the worker finished before it was killed: nothing was tested"
    in_flight.refresh_from_db()
    assert in_flight.sent_at is None and in_flight.last_error == outbox.TELEGRAM_IN_FLIGHT
    bot_api.delay = 0.01
    with worker(env):
        assert wait_for(partial(all_sent_or_dispatch_again, env), timeout=90, step=2)
    assert reminders_per_chat(bot_api) == Counter(dict.fromkeys(chats, 1))
    in_flight.refresh_from_db()
    assert in_flight.sent_at is not None and in_flight.last_error == outbox.TELEGRAM_IN_DOUBT
    rows = OutboxMessage.objects.filter(channel="telegram", about__startswith="reminder:")
    assert rows.count() == len(chats) and not rows.filter(sent_at__isnull=True).exists()
    assert TelegramChat.objects.count() == len(chats)
    assert sent_emails(tmp_path, about=ABOUT) == Counter()
