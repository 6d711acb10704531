"""The embedded default's cache: whole numbers in a PostgreSQL table, counted atomically.

The cache holds only the sign-in throttle's counters and locks (security.py), and
the throttle decides on the value an increment returns. Redis's INCR gives that; Django's
file and database caches do not (they read, add one and write back, so parallel tries read
the same count). Here an increment is one `UPDATE … SET value = value + n … RETURNING value`
and `add` one `INSERT … ON CONFLICT`, so on every setup the counting is atomic in the store
it uses. Expiry is a Unix time computed in Python, like Django's own backends, so a test's
clock moves it too. The table is not a model: the tracking app's migration creates it in SQL.
"""

import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.db import connection

FOREVER = float("inf")


class CounterCache(BaseCache):
    def __init__(self, table, params):
        super().__init__(params)
        self.table = connection.ops.quote_name(table)

    def _expiry(self, timeout) -> float:
        expiry = self.get_backend_timeout(timeout)
        return FOREVER if expiry is None else expiry

    @staticmethod
    def _number(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"This cache holds whole numbers only, not {type(value).__name__}.")
        return value

    def _one(self, sql: str, params) -> tuple | None:
        with connection.cursor() as cursor:
            cursor.execute(sql.replace("{table}", self.table), params)
            return cursor.fetchone() if cursor.description else None

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._one("SELECT value FROM {table} WHERE key = %s AND expires > %s", [key, time.time()])
        return default if row is None else row[0]

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        self._one(
            "INSERT INTO {table} (key, value, expires) VALUES (%s, %s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires",
            [key, self._number(value), self._expiry(timeout)],
        )

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        now = time.time()
        # A new key is a new window: a good moment to drop the windows that ended.
        self._one("DELETE FROM {table} WHERE expires <= %s", [now])
        row = self._one(
            "INSERT INTO {table} (key, value, expires) VALUES (%s, %s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, expires = EXCLUDED.expires"
            " WHERE {table}.expires <= %s RETURNING 1",
            [key, self._number(value), self._expiry(timeout), now],
        )
        return row is not None

    def incr(self, key, delta=1, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._one(
            "UPDATE {table} SET value = value + %s WHERE key = %s AND expires > %s RETURNING value",
            [self._number(delta), key, time.time()],
        )
        if row is None:
            raise ValueError(f"Key '{key}' not found")
        return row[0]

    def hit(self, key, window: int, version=None) -> int:
        """Count one event under `key` in a window of `window` seconds that starts at its first
        event; the new count. One statement: a key whose window ended starts again at 1."""
        key = self.make_and_validate_key(key, version=version)
        now = time.time()
        row = self._one(
            "INSERT INTO {table} (key, value, expires) VALUES (%s, 1, %s) ON CONFLICT (key) DO UPDATE SET"
            " value = CASE WHEN {table}.expires <= %s THEN 1 ELSE {table}.value + 1 END,"
            " expires = CASE WHEN {table}.expires <= %s THEN EXCLUDED.expires ELSE {table}.expires END"
            " RETURNING value",
            [key, now + window, now, now],
        )
        return row[0]

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        row = self._one(
            "UPDATE {table} SET expires = %s WHERE key = %s AND expires > %s RETURNING 1",
            [self._expiry(timeout), key, time.time()],
        )
        return row is not None

    def delete(self, key, version=None):
        key = self.make_and_validate_key(key, version=version)
        return self._one("DELETE FROM {table} WHERE key = %s RETURNING 1", [key]) is not None

    def delete_many(self, keys, version=None):
        keys = [self.make_and_validate_key(key, version=version) for key in keys]
        self._one("DELETE FROM {table} WHERE key = ANY(%s)", [keys])

    def clear(self):
        self._one("DELETE FROM {table}", [])
