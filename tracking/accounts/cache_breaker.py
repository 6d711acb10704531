"""The cache the app uses: Django's Redis cache, which stops asking a Redis that does not answer.

The cache only saves time: without it the sign-in throttle lets attempts through
(security.py). So a Redis that is down, frozen or cut off by the network must cost a
request as little as possible:

- every call waits at most a short timeout, to connect and to read (the settings' OPTIONS);
- after a call fails or times out, the cache is not asked again for `breaker_seconds` (an
  OPTIONS entry, 30 s by default): every call raises CacheUnavailable at once, which the
  callers take as any other failure of the cache;
- the first call after that asks Redis again; if it answers, the cache is back, else the
  window starts again. So a dead Redis costs one timeout per window per process.

Its state is the process's, shared by its threads (Django makes a backend object per thread).
"""

import logging
import threading
from functools import wraps
from time import monotonic

import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

logger = logging.getLogger(__name__)

DEFAULT_BREAKER_SECONDS = 30.0
# No answer, a refused or dropped connection: Redis is away. An error Redis answers with (a
# wrong type) says it is there.
DOWN_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class CacheUnavailable(ConnectionError):
    """The cache failed a moment ago and is not asked again yet."""


class Breaker:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.skip_until = 0.0  # monotonic time before which the cache is not asked
        self._lock = threading.Lock()

    def check(self, location: str) -> None:
        if monotonic() < self.skip_until:
            raise CacheUnavailable(f"the cache at {location} failed less than {self.seconds:g} s ago")

    def trip(self, location: str, error: Exception) -> None:
        with self._lock:
            first = monotonic() >= self.skip_until  # not told yet for this window
            self.skip_until = monotonic() + self.seconds
        if first:
            logger.warning("cache at %s unavailable, not asked for %g s: %s", location, self.seconds, error)

    def succeeded(self, location: str) -> None:
        if self.skip_until:
            with self._lock:
                if self.skip_until and monotonic() >= self.skip_until:
                    self.skip_until = 0.0
                    logger.warning("cache at %s is back", location)


_breakers: dict[tuple[str, float], Breaker] = {}
_breakers_lock = threading.Lock()


def _breaker_for(location: str, seconds: float) -> Breaker:
    with _breakers_lock:
        return _breakers.setdefault((location, seconds), Breaker(seconds))


def _guarded(name: str):
    method = getattr(DjangoRedisCache, name)

    @wraps(method)
    def call(self, *args, **kwargs):
        self._breaker.check(self._location)
        try:
            result = method(self, *args, **kwargs)
        except DOWN_ERRORS as error:
            self._breaker.trip(self._location, error)
            raise
        self._breaker.succeeded(self._location)
        return result

    return call


class RedisCache(DjangoRedisCache):
    """django.core.cache.backends.redis.RedisCache behind a circuit breaker (see the module)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        seconds = float(options.pop("breaker_seconds", DEFAULT_BREAKER_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = server if isinstance(server, str) else ",".join(server)
        self._breaker = _breaker_for(self._location, seconds)

    # Every call that talks to Redis (decr, get_or_set and the rest are made of these).
    add = _guarded("add")
    get = _guarded("get")
    set = _guarded("set")
    touch = _guarded("touch")
    delete = _guarded("delete")
    get_many = _guarded("get_many")
    has_key = _guarded("has_key")
    incr = _guarded("incr")
    set_many = _guarded("set_many")
    delete_many = _guarded("delete_many")
    clear = _guarded("clear")

    def hit(self, key, window: int, version=None) -> int:
        """Count one event under `key` in a window of `window` seconds that starts at its first
        event; the new count. One round trip, atomic: INCR and EXPIRE … NX in a transaction
        (the expiry set by the window's first event only)."""
        self._breaker.check(self._location)
        key = self.make_and_validate_key(key, version=version)
        try:
            pipe = self._cache.get_client(key, write=True).pipeline(transaction=True)
            count, _expiry_set = pipe.incr(key).expire(key, int(window), nx=True).execute()
        except DOWN_ERRORS as error:
            self._breaker.trip(self._location, error)
            raise
        self._breaker.succeeded(self._location)
        return count
