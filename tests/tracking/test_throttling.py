"""Sign-in throttling (tracking/accounts/security.py): per address, per account, atomic, fail-open.

The parallel tests run on both stores the throttle counts in: Redis (production, and the
rest of this file) and the embedded default's PostgreSQL table (tracking/counter_cache.py).
Counters live in Redis and outlive a test, so every test uses fresh e-mails and addresses
(IPv6 documentation addresses, or loopback addresses other than 127.0.0.1 for the live
server), never the test client's default 127.0.0.1.
"""

import http.client
import re
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import pytest
import time_machine
from django.conf import settings
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.urls import reverse

from tests import clock
from tests.factories import UserFactory
from tests.support.people import unique_address, unique_email
from tracking.accounts import security
from tracking.models import SignInEvent, SignInEventKind

PASSWORD = "correct-horse-battery"

# The live server listens with socketserver's backlog of 5: 40 connections at once overflow
# it and the kernel resets some. gunicorn listens with 2048; so does the live server here
# (set at import, before the session's live server starts).
ThreadedWSGIServer.request_queue_size = 2048


def _post_login(client, email: str, password: str, address: str):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


# --- Parallel requests against the running server --------------------------------------


class LiveSignIn:
    """Real HTTP sign-ins against live_server, each from a chosen loopback source address
    (Linux routes all of 127.0.0.0/8 to lo), so the server sees a different REMOTE_ADDR."""

    def __init__(self, live_server_url: str):
        parts = urlsplit(live_server_url)
        self.host, self.port = parts.hostname, parts.port
        self.path = reverse("login")
        _status, headers, body = self._request("GET", "127.0.0.2", self.path)
        self.cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
        self.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    def _request(self, method: str, source: str, path: str, body: str | None = None, headers=None):
        connection = http.client.HTTPConnection(self.host, self.port, timeout=30, source_address=(source, 0))
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode()
        finally:
            connection.close()

    def post(self, source: str, email: str, password: str) -> int:
        body = urlencode({"username": email, "password": password, "csrfmiddlewaretoken": self.token})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={self.cookie}",
            "Referer": f"http://{self.host}:{self.port}{self.path}",
        }
        status, _headers, _body = self._request("POST", source, self.path, body, headers)
        return status


def _parallel_wrong_tries(live: LiveSignIn, email: str, sources: list[str]) -> dict[int, int]:
    """All tries released at once; the answer's status counted: 200 is a try whose password
    was checked (and was wrong), 429 one refused before any check."""
    start = threading.Barrier(len(sources))

    def attempt(source: str) -> int:
        start.wait()
        return live.post(source, email, "wrong-password")

    with ThreadPoolExecutor(max_workers=len(sources)) as pool:
        statuses = list(pool.map(attempt, sources))
    return {code: statuses.count(code) for code in set(statuses)}


@pytest.fixture(params=["redis", "postgres"])
def throttle_store(request, settings):
    """The cache the throttle counts in: Redis (the test settings') or the embedded default's."""
    if request.param == "postgres":
        backend = "tracking.accounts.counter_cache.CounterCache"
        settings.CACHES = {"default": {"BACKEND": backend, "LOCATION": "counter_cache"}}
    return request.param


@pytest.mark.django_db(transaction=True)
def test_parallel_wrong_tries_are_evaluated_at_most_the_limits(live_server, throttle_store):
    live = LiveSignIn(live_server.url)

    # 40 parallel wrong tries for one account from one address.
    one = UserFactory(email=unique_email())
    from_one = _parallel_wrong_tries(live, one.email, ["127.0.0.2"] * 40)
    evaluated_one = SignInEvent.objects.filter(email=one.email, kind=SignInEventKind.FAILED).count()

    # 60 parallel wrong tries for another account from ten addresses (6 each).
    other = UserFactory(email=unique_email())
    sources = [f"127.0.0.{n}" for n in range(3, 13)] * 6
    from_ten = _parallel_wrong_tries(live, other.email, sources)
    evaluated_ten = SignInEvent.objects.filter(email=other.email, kind=SignInEventKind.FAILED).count()

    report = (
        f"{throttle_store}: one account, one address: 40 parallel wrong tries -> {evaluated_one} evaluated, "
        f"statuses {from_one}; one account, ten addresses: 60 parallel wrong tries -> {evaluated_ten} evaluated, "
        f"statuses {from_ten}"
    )
    print("\n" + report)
    assert evaluated_one == from_one.get(200) == settings.LOGIN_THROTTLE_PER_ADDRESS, report
    assert evaluated_ten == from_ten.get(200) == settings.LOGIN_THROTTLE_PER_ACCOUNT, report
    assert from_ten.get(429) == 60 - settings.LOGIN_THROTTLE_PER_ACCOUNT, report
    # In the owner's audit: each of the ten addresses throttled once (its 6th try), the lock once.
    assert SignInEvent.objects.filter(user=other, kind=SignInEventKind.LOCKED_OUT).count() == 10 + 1
    assert live.post("127.0.0.13", other.email, PASSWORD) == 429


@pytest.mark.django_db(transaction=True)
def test_the_counter_is_atomic_under_concurrent_calls(throttle_store):
    key = f"test-counter:{uuid.uuid4().hex}"
    start = threading.Barrier(40)

    def hit(_):
        start.wait()
        try:
            return security.counter_hit(key, 60)
        finally:
            connection.close()  # each thread's own connection

    with ThreadPoolExecutor(max_workers=40) as pool:
        counts = sorted(pool.map(hit, range(40)))
    assert counts == list(range(1, 41))  # every caller saw its own count: no two read the same


@pytest.mark.django_db
def test_a_counters_window_starts_at_its_first_event_and_a_new_one_after_it(throttle_store):
    """Later hits count within the window and never push its end further; the window set by
    the first hit is the key's life in the store."""
    from django.core.cache import cache

    key = f"test-window:{uuid.uuid4().hex}"
    assert [security.counter_hit(key, 60) for _ in range(3)] == [1, 2, 3]
    if throttle_store == "redis":
        client = cache._cache.get_client(key)
        stored = cache.make_and_validate_key(key)
        assert 55 <= client.ttl(stored) <= 60
        client.expire(stored, 5)  # the window nearly over: a hit counts on and keeps that end
        assert security.counter_hit(key, 60) == 4 and client.ttl(stored) <= 5
        client.delete(stored)  # the window ended
    else:
        with time_machine.travel(clock.now() + timedelta(seconds=59), tick=False):
            assert security.counter_hit(key, 60) == 4
        with time_machine.travel(clock.now() + timedelta(seconds=61), tick=False):
            assert security.counter_hit(key, 60) == 1
            assert security.counter_hit(key, 60) == 2
        return
    assert security.counter_hit(key, 60) == 1


# --- Limits per address and per account ------------------------------------------------


@pytest.mark.django_db
def test_thirty_accounts_from_one_address_are_refused_after_the_address_limit(client):
    address = unique_address()
    users = [UserFactory(email=unique_email()) for _ in range(30)]
    statuses = [_post_login(client, user.email, "wrong-password", address).status_code for user in users]
    limit = settings.LOGIN_THROTTLE_PER_ADDRESS
    assert statuses == [200] * limit + [429] * (30 - limit), statuses
    # Refused before the password is checked: even a right one.
    response = _post_login(client, users[-1].email, PASSWORD, address)
    assert response.status_code == 429
    assert "Too many failed sign-ins from your address" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Only the evaluated tries are in the audit, and the throttling once.
    emails = [u.email for u in users]
    assert SignInEvent.objects.filter(email__in=emails, kind=SignInEventKind.FAILED).count() == limit
    assert SignInEvent.objects.filter(ip=address, kind=SignInEventKind.LOCKED_OUT).count() == 1


@pytest.mark.django_db
def test_the_right_password_works_from_another_address_while_one_is_throttled(client):
    user = UserFactory(email=unique_email())
    attacker = unique_address()
    for _ in range(settings.LOGIN_THROTTLE_PER_ADDRESS + 3):
        _post_login(client, user.email, "wrong-password", attacker)
    assert _post_login(client, user.email, "guess", attacker).status_code == 429

    response = _post_login(client, user.email, PASSWORD, unique_address())
    assert response.status_code == 302 and response.url == reverse("tracking:portfolio")
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_many_addresses_lock_the_account_with_a_clear_message(client):
    user = UserFactory(email=unique_email())
    per_address = settings.LOGIN_THROTTLE_PER_ADDRESS
    for _ in range(settings.LOGIN_THROTTLE_PER_ACCOUNT // per_address):
        address = unique_address()
        for _ in range(per_address):
            assert _post_login(client, user.email, "wrong-password", address).status_code == 200

    response = _post_login(client, user.email, PASSWORD, unique_address())
    assert response.status_code == 429
    body = response.content.decode()
    assert "This account is locked for 30 minutes" in body and "reset your password" in body
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.filter(user=user, kind=SignInEventKind.LOCKED_OUT).count() == 1

    security.account_unlock(email=user.email)  # what a password reset does
    assert _post_login(client, user.email, PASSWORD, unique_address()).status_code == 302


@pytest.mark.django_db
def test_unknown_accounts_are_counted_and_locked_like_real_ones(client):
    """Neither the answers nor the lock tell whether an account exists."""
    known, unknown = UserFactory(email=unique_email()).email, unique_email()
    answers = {}
    for email in (known, unknown):
        for _ in range(settings.LOGIN_THROTTLE_PER_ACCOUNT // settings.LOGIN_THROTTLE_PER_ADDRESS):
            address = unique_address()
            for _ in range(settings.LOGIN_THROTTLE_PER_ADDRESS):
                _post_login(client, email, "wrong-password", address)
        response = _post_login(client, email, "wrong-password", unique_address())
        answers[email] = (response.status_code, response.content.decode().replace(email, "EMAIL"))
    assert answers[known][0] == answers[unknown][0] == 429
    per_request = r'(value|nonce)="[^"]*"|"X-CSRFToken": "[^"]*"'  # the form's CSRF token, the CSP nonce
    assert re.sub(per_request, "", answers[known][1]) == re.sub(per_request, "", answers[unknown][1])


@pytest.mark.django_db
def test_a_right_password_does_not_use_up_the_address_limit(client):
    user = UserFactory(email=unique_email())
    address = unique_address()
    for _ in range(settings.LOGIN_THROTTLE_PER_ADDRESS + 2):
        assert _post_login(client, user.email, PASSWORD, address).status_code == 302
        client.post(reverse("logout"))


@pytest.mark.django_db
def test_a_dead_cache_fails_open(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    user = UserFactory(email=unique_email())
    address = unique_address()
    for _ in range(settings.LOGIN_THROTTLE_PER_ADDRESS + 2):
        assert _post_login(client, user.email, "wrong-password", address).status_code == 200
    assert _post_login(client, user.email, PASSWORD, address).status_code == 302


@pytest.mark.django_db
def test_bad_sign_in_input_gets_an_answer_not_an_error(client):
    address = unique_address()
    for data in ({}, {"username": "x" * 5000, "password": "p"}, {"username": "\x00\n", "password": ""}):
        response = client.post(reverse("login"), data, REMOTE_ADDR=address)
        assert response.status_code in {200, 429}
    response = client.post(reverse("login"), {"username": "a@b.test", "password": "p"}, REMOTE_ADDR="not-an-ip")
    assert response.status_code in {200, 429}
