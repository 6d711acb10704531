"""Reminders and roll-ups through a real Redis and real worker processes, under faults:
two dispatchers at once, a worker killed mid-batch, Redis down (DESIGN.md §8)."""

import ast
import email
import json
import os
import signal
import subprocess
import time
from collections import Counter
from contextlib import contextmanager
from datetime import time as clock
from functools import partial

import pytest

from sprints.models import Reminder, Sprint, SprintReport
from tests.conftest import make_team
from tests.support.delivery import delivery
from tests.support.processes import ROOT, WORKER_ARGS, PrivateRedis, app_env, python, run_python, wait_for, worker
from tracking.delivery import outbox

pytestmark = [pytest.mark.worker, pytest.mark.xdist_group("worker"), pytest.mark.django_db(transaction=True)]

# The worker as `make run` runs it: started again whenever it ends (compose and systemd do the same).
SUPERVISED = ("bash", "-c", 'while :; do "$@"; sleep 1; done', "supervised")
DISPATCH = "import django; django.setup(); from sprints.tasks import dispatch; print(dispatch())"


def overdue_team(name):
    """A team whose active sprint ended days ago: reviews at 00:00 UTC on its last day, so the
    review-overdue reminder is due now for the tracker and the entrepreneur."""
    team = make_team(name)
    company = team.company
    company.timezone = "UTC"
    company.review_weekday = team.active_sprint.ends_on.weekday()
    company.review_time = clock(0, 0)
    company.save()
    return team


def sent_emails(folder, about: str = "is still not closed") -> Counter:
    """How often each (recipient, subject) went out, for e-mails whose subject has `about`
    (the dispatcher also sends the weekly digest, which is not what these tests count)."""
    counts = Counter()
    for path in folder.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes())
        if about in message["Subject"]:
            counts[(message["To"], message["Subject"])] += 1
    return counts


def slow_mail_env(redis, folder, *, seconds: float) -> dict:
    """The app's environment on this Redis, each e-mail written to `folder` after `seconds`."""
    return app_env(
        REDIS_URL=redis.url,
        DJANGO_EMAIL_BACKEND="tests.support.slow_mail.EmailBackend",
        DJANGO_EMAIL_FILE_PATH=str(folder),
        SLOW_MAIL_SECONDS=str(seconds),
    )


def all_sent_or_dispatch_again(env) -> bool:
    """Whether every reminder went out; if not, dispatch again, as beat does every 5 minutes in
    production (it re-enqueues what is unsent)."""
    if Reminder.objects.exclude(outbox.delivered("reminder")).exists():
        run_python(DISPATCH, env)
        return False
    return True


@contextmanager
def worker_killed_after(env):
    """A worker that is killed (SIGKILL: no shutdown, nothing acknowledged) once the block has
    waited for the moment to kill it, as a crash mid-batch would; killed too if the block fails."""
    process = subprocess.Popen(
        python("-m", "celery", *WORKER_ARGS), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        yield
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()


@pytest.fixture
def broker():
    """A private redis-server for this test alone: no message of another test can reach its
    workers, and the machine's shared Redis is never touched."""
    redis = PrivateRedis().start()
    yield redis
    redis.stop()


def test_two_dispatchers_at_the_same_moment_send_each_reminder_once(tmp_path, broker):
    teams = [overdue_team(f"Twin {i}") for i in range(12)]
    env = slow_mail_env(broker, tmp_path, seconds=0.01)
    dispatchers = [
        subprocess.Popen(
            python("-c", DISPATCH),
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=60)[0] for p in dispatchers]
    assert all(p.returncode == 0 for p in dispatchers), outputs
    expected = 2 * len(teams)
    assert Reminder.objects.count() == expected
    # Each counts the rows it inserted, not the rows it tried: together, every row once.
    planned = [ast.literal_eval(out.strip().splitlines()[-1])["reminders_planned"] for out in outputs]
    assert sum(planned) == expected, planned
    with worker(env):
        assert wait_for(lambda: Reminder.objects.exclude(outbox.delivered("reminder")).count() == 0, timeout=60)
    counts = sent_emails(tmp_path)
    assert len(counts) == expected and set(counts.values()) == {1}, counts


def test_a_worker_killed_mid_batch_leaves_the_rest_to_the_next_one_and_none_twice(tmp_path, broker):
    for i in range(12):
        overdue_team(f"Killed {i}")
    env = slow_mail_env(broker, tmp_path, seconds=0.25)
    with worker_killed_after(env):
        assert run_python(DISPATCH, env).returncode == 0  # one batch of 24 reminders
        assert wait_for(lambda: Reminder.objects.filter(outbox.delivered("reminder")).count() >= 4, timeout=60)
    sent_before = Reminder.objects.filter(outbox.delivered("reminder")).count()
    assert sent_before < 24, "the worker finished before it was killed: nothing was tested"

    with worker(env):
        assert wait_for(partial(all_sent_or_dispatch_again, env), timeout=90, step=2)
    counts = sent_emails(tmp_path)
    assert len(counts) == 24 and set(counts.values()) == {1}, counts


def test_with_redis_down_pages_render_and_a_sprint_closes_fast_and_nothing_is_lost(tmp_path):
    redis = PrivateRedis().start()
    env = slow_mail_env(redis, tmp_path, seconds=0.01)
    closing = overdue_team("Closing Bakery")
    closing.action.status = "done"
    closing.action.save()
    waiting = overdue_team("Waiting Bakery")  # stays open: its overdue reminders must go out
    redis.stop()  # Redis is down from here on

    company = closing.company.pk
    pages = [
        "/",
        f"/b/{company}/",
        f"/b/{company}/hypotheses/",
        f"/b/{company}/history/",
        f"/b/{company}/results/",
        f"/b/{company}/session/",
        f"/b/{company}/sprints/{closing.planned_sprint.pk}/",
        f"/b/{company}/metrics/",
    ]
    script = f"""
import json, time, django
django.setup()
from django.test import Client
from tracking.models import User
client = Client()
client.force_login(User.objects.get(pk={closing.tracker.user_id}))
out = {{}}
# A first visit compiles templates (cold, on a busy machine); the second is what a user
# waits for. Both run with Redis down: a request that waited on the broker would take its
# socket timeouts every time.
for url in {pages!r}:
    client.get(url)
    started = time.monotonic(); status = client.get(url).status_code
    out[url] = [status, time.monotonic() - started]
started = time.monotonic()
review = {{"what_worked": "The offer", "what_to_fix": "Earlier"}}
status = client.post("/b/{company}/session/close/", review).status_code
out["close"] = [status, time.monotonic() - started]
started = time.monotonic()
from sprints.tasks import dispatch
out["dispatch"] = [str(dispatch()), time.monotonic() - started]
print(json.dumps(out))
"""
    result = run_python(script, env)
    assert result.returncode == 0, result.stderr[-3000:]
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    for url in pages:
        assert timings[url][0] == 200, (url, timings[url])
        assert timings[url][1] < 2, (url, timings[url])
    assert timings["close"][0] == 302 and timings["close"][1] < 2, timings["close"]
    assert timings["dispatch"][1] < 10, timings["dispatch"]
    assert Sprint.objects.get(pk=closing.active_sprint.pk).status == "closed"
    report = SprintReport.objects.get(sprint=closing.active_sprint)
    # Computed by the close itself (the report page needs no worker); its e-mail waits for the broker.
    assert report.computed_at is not None and report.data["actions_done"] == 1
    assert delivery(f"report:{report.pk}").sent_at is None
    waiting_reminders = Reminder.objects.filter(sprint=waiting.active_sprint)
    assert waiting_reminders.count() == 2 and not waiting_reminders.filter(outbox.delivered("reminder")).exists()

    # Redis is back: the next dispatch hands everything to a worker, and it all goes out once.
    redis.start()
    try:
        with worker(env):
            result = run_python(DISPATCH, env)
            assert result.returncode == 0, result.stderr[-2000:]

            def done():
                sent = delivery(f"report:{report.pk}").sent_at is not None
                return sent and not waiting_reminders.exclude(outbox.delivered("reminder")).exists()

            assert wait_for(done, timeout=60)
    finally:
        redis.stop()
    assert report.data["actions_done"] == 1
    reminders = sent_emails(tmp_path)
    assert len(reminders) == 2 and set(reminders.values()) == {1}
    reports = sent_emails(tmp_path, about="the report")
    assert len(reports) == closing.company.memberships.count() and set(reports.values()) == {1}


def test_a_worker_outlives_five_seconds_of_redis_down_and_the_work_finishes(tmp_path):
    """Fault run: after 5 s of Redis down, kombu 5.7.0 restoring the unacked messages on the
    dead connection killed the worker (exit 1). The worker runs supervised, as `make run`,
    docker compose and the systemd unit run it: whatever the broker does, the work finishes."""
    for i in range(6):
        overdue_team(f"Outage {i}")
    redis = PrivateRedis().start()
    env = slow_mail_env(redis, tmp_path, seconds=0.3)
    supervised = subprocess.Popen(
        [*SUPERVISED, *python("-m", "celery", *WORKER_ARGS)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert run_python(DISPATCH, env).returncode == 0  # one batch of 12 reminders, 0.3 s each
        assert wait_for(lambda: Reminder.objects.filter(outbox.delivered("reminder")).exists(), timeout=60)
        redis.stop()  # mid-batch: the worker holds an unacknowledged message
        time.sleep(5)
        redis.start()
        assert wait_for(partial(all_sent_or_dispatch_again, env), timeout=120, step=3)
    finally:
        os.killpg(supervised.pid, signal.SIGTERM)
        supervised.wait(timeout=30)
        redis.stop()
    counts = sent_emails(tmp_path)
    assert len(counts) == 12 and set(counts.values()) == {1}, counts
