"""Requests a minute per token, counted atomically in the sign-in throttle's store (Redis's
INCR, or the embedded default's PostgreSQL table) with the same counter."""

import logging
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import ngettext

from ..accounts.security import counter_hit
from .errors import ApiError

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Rate:
    limit: int
    count: int
    reset: int  # seconds until the window of this minute ends

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(0, self.limit - self.count)),
            "X-RateLimit-Reset": str(self.reset),
        }


def rate_hit(token_id: int) -> Rate | None:
    """Count one request of the token in the current clock minute (a window per minute, so
    every answer can say when it ends); over the limit raises a 429. None when the store does
    not answer: the request goes through (logged), as a sign-in does."""
    now = time.time()
    minute = int(now // WINDOW_SECONDS)
    reset = max(1, math.ceil((minute + 1) * WINDOW_SECONDS - now))
    try:
        count = counter_hit(f"api:rate:{token_id}:{minute}", WINDOW_SECONDS)
    except Exception:
        logger.exception("API throttle unavailable: letting the request through")
        return None
    rate = Rate(limit=settings.API_THROTTLE_PER_MINUTE, count=count, reset=reset)
    if count > rate.limit:
        message = ngettext(
            "Too many requests with this token. Wait %(seconds)d second.",
            "Too many requests with this token. Wait %(seconds)d seconds.",
            reset,
        ) % {"seconds": reset}
        raise ApiError(429, "rate_limited", message, headers={**rate.headers(), "Retry-After": str(reset)})
    return rate
