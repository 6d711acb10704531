"""Celery through the real Redis broker to a real worker process started by the test."""

import pytest
from kombu.exceptions import OperationalError

from tests.support.delivery import delivery
from tests.support.people import invite
from tests.support.processes import PrivateRedis, app_env, run_python, start_worker, stop, wait_for
from tracking import tasks
from tracking.invitations import invitations_unsent
from tracking.models import Membership


@pytest.mark.worker
@pytest.mark.xdist_group("worker")
@pytest.mark.django_db(transaction=True)
def test_invitation_goes_through_redis_to_a_real_worker():
    """A member added by the service (in its own process, as a request would be): after
    commit the invitation task goes through Redis to a worker, which sends it and records it."""
    from tests.conftest import make_team

    team = make_team("Worker Bakery")
    redis = PrivateRedis().start()  # this test's own broker: no other test's messages
    env = app_env(REDIS_URL=redis.url, DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    process = start_worker(env)
    try:
        added = run_python(
            "import django; django.setup()\n"
            "from decimal import Decimal\n"
            "from tracking import services\n"
            "from tracking.models import Membership\n"
            f"by = Membership.objects.select_related('company', 'user').get(pk={team.tracker.pk})\n"
            "m = services.membership_add(company=by.company, by=by, email='queued@example.test', role='member',\n"
            "                            weekly_capacity_hours=Decimal(3))\n"
            "print(m.pk)\n",
            env,
        )
        assert added.returncode == 0, added.stderr[-2000:]
        membership_id = int(added.stdout.strip().splitlines()[-1])

        def sent():
            return delivery(f"invitation:{membership_id}").sent_at is not None

        if not wait_for(sent, timeout=45):
            pytest.fail("the worker did not send the invitation:\n" + stop(process)[-3000:])
    finally:
        stop(process)
        redis.stop()


@pytest.mark.django_db
def test_a_dead_broker_does_not_fail_the_request_and_the_sweep_catches_up(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.invitation_send, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        added = invite(team.tracker, "later@example.test", hours=3)
    assert Membership.objects.filter(pk=added.pk).exists()
    assert invitations_unsent() == [added.pk]

    enqueued = []
    monkeypatch.setattr(tasks.invitation_send, "delay", enqueued.append)
    assert tasks.invitations_sweep() == 1
    assert enqueued == [added.pk]
