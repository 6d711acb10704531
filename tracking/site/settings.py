"""Settings come from the environment (see .env.example).

With nothing set but DJANGO_DEBUG=1 the app runs on an embedded default: PostgreSQL from a
pinned wheel with its data under var/pg/ (tracking/site/embedded_db.py) and kombu's file-based
broker, so `make run` works on a bare machine. DATABASE_URL names another PostgreSQL, and
REDIS_URL switches to Redis. With debug off, secrets have no default.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from . import embedded_db

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV", default=True):  # the tests switch it off: no local .env leaks in
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def _required(name: str, hint: str) -> str:
    value = env.str(name, default="")
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set when DJANGO_DEBUG is off ({hint}). "
            "See .env.example, or set DJANGO_DEBUG=1 for local development."
        )
    return value


if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")
    ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
else:
    SECRET_KEY = _required("DJANGO_SECRET_KEY", "a long random string")
    ALLOWED_HOSTS = _required("DJANGO_ALLOWED_HOSTS", "comma-separated host names").split(",")

CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # Two-factor sign-in (tracking/accounts/two_factor.py) uses allauth's MFA models and helpers
    # only: sign-in stays our own view, no allauth URL is routed.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "tracking",
    "tracking.custdev.apps.CustdevConfig",
    "tracking.toolkit.apps.ToolkitConfig",
    "tracking.telegram.apps.TelegramConfig",
    "tracking.backups.apps.BackupsConfig",
    "hypotheses",
    "sprints",
    "tracking.api.apps.ApiConfig",
    # django-ninja's docs page and its Swagger UI files, served from our own static files
    # (no CDN, no inline script: the CSP holds for /api/v1/docs too).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tracking.accounts.two_factor.AdminTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tracking.site.middleware.ForgetOpenedFormMiddleware",
]

ROOT_URLCONF = "tracking.site.urls"
ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")
WSGI_APPLICATION = "tracking.site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------
# PostgreSQL everywhere. Without DATABASE_URL, the embedded server under var/pg/ that `make`
# starts (tracking/site/embedded_db.py); every process of the checkout computes the same address.
VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=embedded_db.url())}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database (postgres://…): no other is supported.")
# A new connection costs more than a whole page should take: keep them open.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# No JIT compiling: the planner compiles any query it costs over 100,000, and for a page's
# short queries compiling took 20-55 ms where the query itself runs in a few.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "tracking.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tracking:portfolio"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Invitation links (Django's token generator) stay valid for a week.
PASSWORD_RESET_TIMEOUT = int(timedelta(days=7).total_seconds())
# Sign-in throttling (tracking/accounts/security.py says why these numbers): a low limit per address
# across accounts, a higher one per account across addresses, then a lock of the account.
LOGIN_THROTTLE_PER_ADDRESS = env.int("LOGIN_THROTTLE_PER_ADDRESS", default=5)
LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_ADDRESS_WINDOW_SECONDS", default=15 * 60)
LOGIN_THROTTLE_PER_ACCOUNT = env.int("LOGIN_THROTTLE_PER_ACCOUNT", default=20)
LOGIN_THROTTLE_ACCOUNT_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_ACCOUNT_WINDOW_SECONDS", default=15 * 60)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=30 * 60)
# A password-reset link works for an hour (PASSWORD_RESET_TIMEOUT above is for invitations).
PASSWORD_RESET_LINK_SECONDS = env.int("PASSWORD_RESET_LINK_SECONDS", default=60 * 60)
# Password-reset e-mails: per address and per e-mail typed, in one window.
PASSWORD_RESET_THROTTLE_PER_ADDRESS = env.int("PASSWORD_RESET_THROTTLE_PER_ADDRESS", default=5)
PASSWORD_RESET_THROTTLE_PER_EMAIL = env.int("PASSWORD_RESET_THROTTLE_PER_EMAIL", default=3)
PASSWORD_RESET_THROTTLE_WINDOW_SECONDS = env.int("PASSWORD_RESET_THROTTLE_WINDOW_SECONDS", default=60 * 60)
# Two-factor sign-in: how long a right password waits for its code before starting over.
TWO_FACTOR_PENDING_SECONDS = env.int("TWO_FACTOR_PENDING_SECONDS", default=5 * 60)
# django-allauth, for its MFA pieces only: our user signs in by e-mail and has no username.
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Sprint tracker"
# One 30-second step either side for phone clocks that drift; a used code is refused again.
MFA_TOTP_TOLERANCE = 1
# The TOTP secrets and recovery-code seeds are encrypted in the database (tracking/accounts/mfa_secrets.py)
# with a key that lives only in the environment; the old keys still decrypt during a rotation
# (`manage.py rotate_mfa_key`, README "Two-factor secrets").
MFA_ADAPTER = "tracking.accounts.mfa_secrets.MFAAdapter"
if DEBUG:
    MFA_ENCRYPTION_KEY = env.str("MFA_ENCRYPTION_KEY", default=f"dev-only-derived-from-the-secret-key:{SECRET_KEY}")
else:
    MFA_ENCRYPTION_KEY = _required("MFA_ENCRYPTION_KEY", "a long random string, kept apart from the database")
    if len(MFA_ENCRYPTION_KEY) < 32:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEY must be at least 32 characters long (see .env.example).")
MFA_ENCRYPTION_OLD_KEYS = env.list("MFA_ENCRYPTION_OLD_KEYS", default=[])

# The public API (tracking/api): requests a minute per token, counted like the sign-in throttle.
API_THROTTLE_PER_MINUTE = env.int("API_THROTTLE_PER_MINUTE", default=60)

# --- Internationalisation ----------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# --- Redis: the Celery broker and the cache, apart ------------------------------------------------
# A cache may forget any key at any time; a broker must not lose a task. So each has its own
# Redis in production (docker-compose.yml): the cache's evicts its least used keys when full,
# the broker's refuses writes instead of dropping a queued task, and emptying one leaves the
# other alone. REDIS_URL is the broker; REDIS_CACHE_URL the cache, by default the broker's
# Redis in the next database (…/0 → …/1), so one local Redis serves both (apart by database,
# sharing its memory limit).
REDIS_URL = env.str("REDIS_URL", default="")


def _next_database(url: str) -> str:
    parts = urlsplit(url)
    try:
        number = int(parts.path.strip("/") or 0)
    except ValueError:
        raise ImproperlyConfigured(f"REDIS_URL names no database number ({url}): set REDIS_CACHE_URL.") from None
    return parts._replace(path=f"/{number + 1 if number < 15 else number - 1}").geturl()


REDIS_CACHE_URL = env.str("REDIS_CACHE_URL", default="") or (_next_database(REDIS_URL) if REDIS_URL else "")

# The cache holds the sign-in throttle's counters (tracking/accounts/security.py).
if REDIS_CACHE_URL:
    # The cache only saves time: a Redis that does not answer costs one short wait, then is
    # not asked for a while (tracking/accounts/cache_breaker.py). The broker has its own timeouts below.
    CACHE_TIMEOUT_SECONDS = env.float("CACHE_TIMEOUT_SECONDS", default=0.1)
    CACHES = {
        "default": {
            "BACKEND": "tracking.accounts.cache_breaker.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_TIMEOUT_SECONDS,
                "socket_timeout": CACHE_TIMEOUT_SECONDS,
                "breaker_seconds": env.float("CACHE_BREAKER_SECONDS", default=30),
            },
        }
    }
else:
    # Without Redis, a table in PostgreSQL that increments atomically, as Redis does.
    CACHES = {"default": {"BACKEND": "tracking.accounts.counter_cache.CounterCache", "LOCATION": "counter_cache"}}

# --- E-mail ---------------------------------------------------------------------------------
# Django 6.1 mailers. EMAIL_URL (smtp://user:pass@host:port, submission:// for STARTTLS)
# selects SMTP; without it, e-mails are printed on the console in debug and go to a local
# SMTP server (localhost:25) otherwise. DJANGO_EMAIL_BACKEND overrides the backend.
email_url = env.str("EMAIL_URL", default="" if DEBUG else "smtp://localhost:25")
if email_url and not env.str("DJANGO_EMAIL_BACKEND", default=""):
    _smtp = env.email_url_config(email_url)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _smtp["EMAIL_HOST"],
                "port": _smtp["EMAIL_PORT"],
                "username": _smtp["EMAIL_HOST_USER"],
                "password": _smtp["EMAIL_HOST_PASSWORD"],
                "use_tls": _smtp.get("EMAIL_USE_TLS", False),
                "use_ssl": _smtp.get("EMAIL_USE_SSL", False),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {
        "default": {
            "BACKEND": env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"),
        }
    }
    if email_file_path := env.str("DJANGO_EMAIL_FILE_PATH", default=""):  # the file backend's folder
        MAILERS["default"]["OPTIONS"] = {"file_path": email_file_path}
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="Sprint tracker <noreply@localhost>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The installation's Telegram bot (tracking/telegram): off and invisible while either is unset.
TELEGRAM_BOT_TOKEN = env.str("TELEGRAM_BOT_TOKEN", default="")
TELEGRAM_WEBHOOK_SECRET = env.str("TELEGRAM_WEBHOOK_SECRET", default="")
TELEGRAM_API_BASE = env.str("TELEGRAM_API_BASE", default="https://api.telegram.org").rstrip("/")
TELEGRAM_CONNECT_TIMEOUT = env.float("TELEGRAM_CONNECT_TIMEOUT", default=3)
TELEGRAM_TIMEOUT = env.float("TELEGRAM_TIMEOUT", default=10)

# --- Celery (DESIGN.md §7) ------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Longer than any task or countdown, so an unacked task is not redelivered early.
        "visibility_timeout": 3600,
        # Fail fast: a dead Redis must make delay() raise, not hang a request.
        "socket_connect_timeout": 1,
        "socket_timeout": 2,
        # One quick retry, then delay() raises: the caller records the work for the sweep.
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
else:
    # Embedded default: producer and worker share one folder (kombu's filesystem transport).
    CELERY_BROKER_URL = "filesystem://"
    (BROKER_DIR / "queue").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        # Broadcasts (a worker's control commands) too, not a ./control folder wherever it starts.
        "control_folder": str(BROKER_DIR / "control"),
    }
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True  # safe because every task is idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TIMEZONE = "UTC"

# --- Backups (tracking/backups/services.py, README "Backups") ----------------------------------
# A passphrase encrypts every backup (the age format); empty: backups are not encrypted. A
# restore of an encrypted backup needs the same one.
BACKUP_PASSPHRASE = env.str("BACKUP_PASSPHRASE", default="")

# --- Security ---------------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
}
