"""Celery through the real Redis broker to a real worker process started by the test."""

import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from kombu.exceptions import OperationalError

from tracking import services, tasks
from tracking.celery import app as celery_app
from tracking.invitations import invitations_unsent
from tracking.models import Membership, Role

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def worker(transactional_db):
    """A worker process on the test database and the test Redis, stopped afterwards."""
    celery_app.control.purge()  # nothing left over from earlier runs
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "tracking",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_for(condition, timeout=45.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
def test_invitation_goes_through_redis_to_a_real_worker(worker):
    from tests.conftest import make_team

    team = make_team("Worker Bakery")
    # The service commits, and only then enqueues the task on the real Redis broker.
    added = services.membership_add(
        company=team.company,
        by=team.tracker,
        email="queued@example.test",
        role=Role.MEMBER,
        weekly_capacity_hours=Decimal(3),
    )

    def sent():
        return Membership.objects.get(pk=added.pk).invitation_sent_at is not None

    if not _wait_for(sent):
        worker.terminate()
        pytest.fail("the worker did not send the invitation:\n" + worker.communicate(timeout=15)[0][-3000:])


@pytest.mark.django_db
def test_a_dead_broker_does_not_fail_the_request_and_the_sweep_catches_up(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.invitation_send, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        added = services.membership_add(
            company=team.company,
            by=team.tracker,
            email="later@example.test",
            role=Role.MEMBER,
            weekly_capacity_hours=Decimal(3),
        )
    assert Membership.objects.filter(pk=added.pk).exists()
    assert invitations_unsent() == [added.pk]

    enqueued = []
    monkeypatch.setattr(tasks.invitation_send, "delay", enqueued.append)
    assert tasks.invitations_sweep() == 1
    assert enqueued == [added.pk]
