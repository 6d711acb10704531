"""A cache that hangs is skipped: with Redis frozen, one request waits the cache's short timeout,
the next ones within the breaker's window do not ask Redis at all, and after the window the
cache is used again once Redis is back (tracking/cache_breaker.py). The cache's user here is
the sign-in throttle (tracking/accounts/security.py): it asks the cache on every sign-in.

Redis here is a real redis-server of this test alone, on a free port, frozen with SIGSTOP (the
kernel still accepts connections to it; nothing answers) and resumed with SIGCONT. The cache
runs with the production settings (backend, timeouts, window); only its address is this one's.
"""

import os
import signal
import time
import uuid
from types import SimpleNamespace
from unittest import mock

import pytest
import redis
from django.conf import settings as django_settings
from django.urls import reverse

from tests.support.processes import PrivateRedis
from tracking.accounts import cache_breaker

pytestmark = pytest.mark.django_db

PRODUCTION_CACHE = dict(django_settings.CACHES["default"])
WINDOW = PRODUCTION_CACHE["OPTIONS"].get("breaker_seconds", 0)


class FrozenRedis(PrivateRedis):
    def freeze(self) -> None:
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.thaw()  # a stopped process would not see SIGTERM until resumed
        super().stop()


class BreakerClock:
    """The breaker's clock (monotonic), which the test moves on past the window."""

    def __init__(self):
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.ahead


@pytest.fixture
def redis_server(settings):
    server = FrozenRedis().start()
    settings.CACHES = {"default": {**PRODUCTION_CACHE, "LOCATION": server.url, "KEY_PREFIX": uuid.uuid4().hex}}
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def breaker_clock():
    ticking = BreakerClock()
    with mock.patch.object(cache_breaker, "monotonic", ticking):
        yield ticking


@pytest.fixture
def traffic():
    """Counts the commands the app sends to Redis (a connection's handshake included)."""
    counter = SimpleNamespace(commands=0)
    send = redis.connection.AbstractConnection.send_packed_command

    def counted(connection, *args, **kwargs):
        counter.commands += 1
        return send(connection, *args, **kwargs)

    with mock.patch.object(redis.connection.AbstractConnection, "send_packed_command", counted):
        yield counter


ADDRESS_REFUSED = "Too many failed sign-ins from your address"


def sign_in(client, address: str, status: int = 200) -> str:
    """A wrong password from `address`: the answer. (How long it takes is the benchmark's to say;
    here Redis's own count of commands and the breaker's state show what was asked.)"""
    response = client.post(
        reverse("login"), {"username": "nobody@example.test", "password": "wrong"}, REMOTE_ADDR=address
    )
    assert response.status_code == status
    return response.content.decode()


def _breaker_open() -> bool:
    return any(cache_breaker.monotonic() < breaker.skip_until for breaker in cache_breaker._breakers.values())


def test_the_app_runs_the_cache_with_a_short_timeout_and_a_breaker():
    assert PRODUCTION_CACHE["BACKEND"] == "tracking.accounts.cache_breaker.RedisCache"
    options = PRODUCTION_CACHE["OPTIONS"]
    assert options["socket_connect_timeout"] <= 0.1 and options["socket_timeout"] <= 0.1
    assert 10 <= WINDOW <= 60
    # The broker keeps its own: a slow Redis must not make delay() give up on a task.
    assert django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["socket_timeout"] > options["socket_timeout"]


def test_a_frozen_redis_costs_one_short_wait_then_is_skipped_until_it_is_back(
    redis_server, breaker_clock, traffic, client
):
    addresses = (f"192.0.2.{n}" for n in range(1, 250))  # a new address each: none reaches its limit
    sign_in(client, next(addresses))  # Redis answers: connected
    assert not _breaker_open()

    redis_server.freeze()
    sign_in(client, next(addresses))  # let through once the short timeout gives up on Redis
    assert _breaker_open()  # and the cache is not asked again for the window
    asked = traffic.commands
    for _ in range(5):
        sign_in(client, next(addresses))
    assert traffic.commands == asked  # within the window, Redis is not asked at all

    breaker_clock.ahead = WINDOW + 1  # the window is over, Redis still frozen: asked once more
    assert not _breaker_open()
    sign_in(client, next(addresses))
    assert _breaker_open()
    asked = traffic.commands
    sign_in(client, next(addresses))
    assert traffic.commands == asked  # and the window starts again

    redis_server.thaw()
    breaker_clock.ahead = 2 * WINDOW + 2
    # Asked again: the throttle counts, and an address past its limit is refused.
    for _ in range(django_settings.LOGIN_THROTTLE_PER_ADDRESS):
        assert ADDRESS_REFUSED not in sign_in(client, "192.0.2.250")
    assert traffic.commands > asked and not _breaker_open()
    assert ADDRESS_REFUSED in sign_in(client, "192.0.2.250", status=429)


def test_sign_in_with_a_frozen_redis_waits_once_and_fails_open(redis_server, breaker_clock, traffic, client):
    from tests.factories import UserFactory

    password = "correct-horse-battery"
    user = UserFactory(email=f"{uuid.uuid4().hex[:10]}@example.test")
    user.set_password(password)
    user.save()
    redis_server.freeze()

    for attempt in range(django_settings.LOGIN_THROTTLE_PER_ADDRESS + 2):  # past the limit: the throttle is open
        response = client.post(reverse("login"), {"username": user.email, "password": "wrong"}, REMOTE_ADDR="192.0.2.7")
        assert response.status_code == 200, attempt
        if attempt == 0:
            assert _breaker_open()  # the first gave up on Redis once
            asked = traffic.commands
    assert traffic.commands == asked  # the others never asked it
    response = client.post(reverse("login"), {"username": user.email, "password": password}, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302
