"""Test settings: the real services at their default local addresses (DESIGN.md §6).

PostgreSQL is the server on 127.0.0.1:5432 when one answers there, otherwise the checkout's
embedded one (tracking/site/embedded_db.py), which the run starts and stops; TEST_EMBEDDED_POSTGRES=1
chooses the embedded one whatever answers.

Production settings (debug off) with the test-only adjustments below, so what the tests
see is what runs in production.
"""

import atexit
import os
import socket
import uuid

from tracking.site import embedded_db

os.environ["DJANGO_READ_DOT_ENV"] = "0"
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("MFA_ENCRYPTION_KEY", "test-only-two-factor-key-not-for-production-0123456789")


def _system_postgres_answers() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=0.5).close()
    except OSError:
        return False
    return True


if "DATABASE_URL" not in os.environ:
    if os.environ.get("TEST_EMBEDDED_POSTGRES") != "1" and _system_postgres_answers():
        os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/sprint_tracker"
    elif "PYTEST_XDIST_WORKER" in os.environ:  # the run's controller has started it
        os.environ["DATABASE_URL"] = embedded_db.url()
    else:
        # Held by this process: the last one to let go stops the server (make run may share it).
        os.environ["DATABASE_URL"] = embedded_db.hold()
        atexit.register(embedded_db.release)
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from tracking.site.settings import *  # noqa: E402, F403

# A test database of its own per run (pytest-xdist adds _gw0, _gw1 … per worker): two runs at
# once on one machine (CI beside a developer, two checkouts) never drop each other's database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}  # noqa: F405

# The test client and the live server speak plain HTTP.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Browser tests: live_server serves static files through the finders.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Its own Redis database and a prefix per run: parallel workers never share a key.
CACHES["default"]["LOCATION"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/14"  # noqa: F405
# A process's own prefix (Redis outlives a run), unless the processes of one run must share
# the cache (bench/pages.py's gunicorn workers).
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX") or f"test-{os.getpid()}-{uuid.uuid4().hex[:8]}"  # noqa: F405
# WhiteNoise expects collectstatic's folder; the tests serve through the finders instead.
STATIC_ROOT.mkdir(exist_ok=True)  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The webhook tests' receiver listens on 127.0.0.1: loopback (and only loopback) is let through
# here, never in production (tracking/delivery/webhook.py).
WEBHOOKS_ALLOW_LOOPBACK = True
