"""Settings come from the environment; production refuses to start half-configured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def _run(args, **env):
    clean = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "tracking.site.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_without_secret_key_stops_with_a_clear_message():
    result = _run(["check"], DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="tracker.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_debug_off_without_allowed_hosts_stops_with_a_clear_message():
    result = _run(["check"], DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(60))
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_debug_off_without_a_long_two_factor_key_stops_with_a_clear_message():
    """The two-factor secrets' key has no default in production, and is not a short word."""
    production = {
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "tracker.example.com",
    }
    missing = _run(["check"], **production)
    assert missing.returncode != 0
    assert "MFA_ENCRYPTION_KEY must be set when DJANGO_DEBUG is off" in missing.stderr
    short = _run(["check"], **production, MFA_ENCRYPTION_KEY="password")
    assert short.returncode != 0
    assert "MFA_ENCRYPTION_KEY must be at least 32 characters long" in short.stderr


def test_production_settings_pass_the_deploy_check(db):
    # The run's own test database: on the system server, or the embedded one on a bare machine.
    url = urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + connection.settings_dict["NAME"])
    result = _run(
        ["check", "--deploy", "--fail-level", "WARNING"],
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(60),
        DJANGO_ALLOWED_HOSTS="tracker.example.com",
        MFA_ENCRYPTION_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=url.geturl(),
        REDIS_URL="redis://127.0.0.1:6379/0",
        EMAIL_URL="smtp://mailer.example.com:587",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _embedded_settings(*names: str, **env) -> list[str]:
    code = "import django; django.setup(); from django.conf import settings as s; " + "; ".join(
        f"print(s.{name})" for name in names
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "tracking.site.settings",
            "DJANGO_DEBUG": "1",
            "DJANGO_READ_DOT_ENV": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.splitlines() or [result.stderr[-300:]]


def test_embedded_default_is_the_embedded_postgres_a_file_broker_and_an_atomic_counter_cache():
    from tracking.site import embedded_db

    url = urlsplit(embedded_db.url())
    engine, host, port, name, broker, cache = _embedded_settings(
        "DATABASES['default']['ENGINE']",
        "DATABASES['default']['HOST']",
        "DATABASES['default']['PORT']",
        "DATABASES['default']['NAME']",
        "CELERY_BROKER_URL",
        "CACHES['default']['BACKEND']",
    )
    assert (engine, host, int(port), name) == ("django.db.backends.postgresql", "127.0.0.1", url.port, "sprint_tracker")
    assert (broker, cache) == ("filesystem://", "tracking.accounts.counter_cache.CounterCache")


def test_a_database_other_than_postgres_is_refused():
    (refusal,) = _embedded_settings("DATABASES", DATABASE_URL="sqlite:////tmp/db.sqlite3")[-1:]
    assert "DATABASE_URL must name a PostgreSQL database" in refusal


def _broker_and_cache(**env) -> list[str]:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_BROKER_URL, s.CACHES['default']['LOCATION'])"
    )
    clean = {"PATH": os.environ["PATH"], "DJANGO_READ_DOT_ENV": "0", "DJANGO_DEBUG": "1"}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "tracking.site.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.split() or [result.stderr[-300:]]


def test_the_cache_and_the_broker_never_share_a_redis_database(settings):
    """A cache may forget, a broker must not lose a task: by default the cache is the broker's
    Redis in the next database, and REDIS_CACHE_URL puts it on a server of its own."""
    assert _broker_and_cache(REDIS_URL="redis://127.0.0.1:6379/0") == [
        "redis://127.0.0.1:6379/0",
        "redis://127.0.0.1:6379/1",
    ]
    assert _broker_and_cache(REDIS_URL="redis://:secret@127.0.0.1:6379/15") == [
        "redis://:secret@127.0.0.1:6379/15",
        "redis://:secret@127.0.0.1:6379/14",
    ]
    assert _broker_and_cache(REDIS_URL="redis://redis:6379/0", REDIS_CACHE_URL="redis://redis-cache:6379/0") == [
        "redis://redis:6379/0",
        "redis://redis-cache:6379/0",
    ]
    assert settings.CACHES["default"]["LOCATION"] != settings.CELERY_BROKER_URL  # the tests' own too


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_production_renders_through_the_cached_template_loader():
    """Django wraps the loaders in its cached loader when `loaders` is not set: templates are
    parsed once per process, not once per render. Checked with debug off, as in production."""
    code = (
        "import django; django.setup(); from django.template import engines; "
        "loader, = engines['django'].engine.template_loaders; "
        "print(type(loader).__module__ + '.' + type(loader).__name__, "
        "*(type(inner).__module__ for inner in loader.loaders))"
    )
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "tracking.site.settings",
        "DJANGO_READ_DOT_ENV": "0",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60),
        "DJANGO_ALLOWED_HOSTS": "tracker.example.com",
        "MFA_ENCRYPTION_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "EMAIL_URL": "smtp://mailer.example.com:587",
    }
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == [
        "django.template.loaders.cached.Loader",
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ], result.stderr


@pytest.mark.django_db
def test_postgresql_connections_never_jit_compile_a_query():
    """A page's queries are short: JIT-compiling one costs 20-55 ms more than running it."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
