"""Celery through the real Redis broker to a real worker process started by the test."""

from decimal import Decimal

import pytest
from kombu.exceptions import OperationalError

from tests.support.services import app_env, start_worker, stop, wait_for
from tracking import services, tasks
from tracking.celery import app as celery_app
from tracking.invitations import invitations_unsent
from tracking.models import Membership, Role


@pytest.fixture
def worker(transactional_db):
    """A worker process on the test database and the test Redis, stopped afterwards."""
    celery_app.control.purge()  # nothing left over from earlier runs
    process = start_worker(app_env(DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"))
    yield process
    stop(process)


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

    if not wait_for(sent, timeout=45):
        pytest.fail("the worker did not send the invitation:\n" + stop(worker)[-3000:])


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
