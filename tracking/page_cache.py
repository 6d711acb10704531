"""A page's body rendered once per version of the business's data (issue 12).

The weekly pages (board, session, results, hypothesis board, members, portfolio) are read far
more often than their business changes. Their body, everything below the base layout, is kept
in the cache under a key made of:

- the business's `data_version`, which PostgreSQL moves forward on every INSERT, UPDATE or
  DELETE of the business's rows (triggers of tracking/migrations/0007: whatever writes, a
  service, a bulk job, the admin or a shell, the next view misses the old body);
- who reads it (their membership: person and role), the language, the time zone and the
  five minutes of the clock it was rendered in (labels such as "overdue" follow the time,
  at most five minutes late), the page and its own arguments.

The base layout (navigation, messages, the sign-out form) is rendered on every request, and
the CSRF token in the body is put in per request: a body is rendered with a placeholder where
the token goes. Only plain GETs of a whole page are cached; htmx fragments and every answer
to a write are rendered from the database. On SQLite (no triggers) nothing is cached.

`PAGE_CACHE = False` in the settings turns it off (bench/pages.py measures both).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from .cache_breaker import CacheUnavailable

logger = logging.getLogger(__name__)

TOKEN_PLACEHOLDER = "csrf-token-placeholder-put-in-per-request"
TIME_BUCKET_SECONDS = 300
TIMEOUT_SECONDS = 2 * TIME_BUCKET_SECONDS


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", True) and connection.vendor == "postgresql"


def cacheable(request) -> bool:
    """A plain GET of a whole page (not an htmx fragment)."""
    return enabled() and request.method == "GET" and not getattr(request, "htmx", False)


def page_key(request, page: str, versions: Iterable, reader, args: Iterable = ()) -> str:
    """The cache key of `page` for `reader` (a membership or a user) at these data versions."""
    now = timezone.now()
    parts = [
        page,
        ",".join(f"{company_id}:{version}" for company_id, version in versions),
        f"{type(reader).__name__}:{reader.pk}:{getattr(reader, 'role', '')}",
        get_language() or "",
        timezone.get_current_timezone_name(),
        str(int(now.timestamp()) // TIME_BUCKET_SECONDS),
        request.GET.urlencode(),
        *map(str, args),
    ]
    return "page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _partial(template: str, name: str, context: dict, request) -> str:
    return render_to_string(f"{template}#{name}", context, request=request)


def render_parts(template: str, context: dict, request) -> tuple[str, str]:
    """The page's `#title` partial (empty if it has none) and its `#body` partial, with the
    CSRF token left as a placeholder."""
    context = {**context, "csrf_token": TOKEN_PLACEHOLDER}
    try:
        title = _partial(template, "title", context, request)
    except TemplateDoesNotExist:
        title = ""
    return title, _partial(template, "body", context, request)


def cached(request, key: str, build: Callable[[], object]):
    """The value kept under `key`, or `build()` kept. The cache only saves time: with it
    down (Redis stopped), the value is built as if it had missed."""
    try:
        value = cache.get(key)
    except CacheUnavailable:  # logged once, when the cache stopped answering
        return build()
    except Exception:  # any backend's failure: the cache only saves time
        logger.warning("page cache unavailable: rendering %s", request.path, exc_info=True)
        return build()
    if value is None:
        value = build()
        try:
            cache.set(key, value, TIMEOUT_SECONDS)
        except Exception:
            logger.warning("page cache unavailable: not keeping %s", request.path, exc_info=True)
    return value


def render_page(
    request,
    template: str,
    context: dict,
    *,
    key: Callable[[], str],
    body_context: Callable[[], dict],
) -> HttpResponse:
    """`template` around its `#body` (and `#title`) partials: from the cache when `key()` has
    them, else rendered from `body_context()` (the page's queries) and kept. `context` is what
    the rest of the layout reads and costs nothing to build. A kept body also stands for the
    access checks `body_context()` makes: the key's data version moves on any change, so a
    body kept for an object means the object is still there, in that business."""
    if not cacheable(request):
        return render(request, template, {**context, **body_context()})
    title, body = cached(request, key(), lambda: render_parts(template, {**context, **body_context()}, request))
    token = get_token(request)
    parts = {"title": mark_safe(title.replace(TOKEN_PLACEHOLDER, token)) if title else ""}
    parts["body"] = mark_safe(body.replace(TOKEN_PLACEHOLDER, token))  # rendered by us, escaped
    return render(request, template, {**context, **parts})


def company_page(request, template: str, company, membership, context: dict, body_context, *args) -> HttpResponse:
    """A page of one business, read by `membership`."""
    return render_page(
        request,
        template,
        {"company": company, "membership": membership, **context},
        key=lambda: page_key(request, template, [(company.pk, company.data_version)], membership, args),
        body_context=body_context,
    )
