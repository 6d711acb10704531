"""The Telegram Bot API on the wire: one method call, plain sync HTTP (httpx) with time-outs.

The bot is the installation's: TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET switch it on
(unset, as on the embedded default, the feature is off and invisible); TELEGRAM_API_BASE
(https://api.telegram.org) is where the calls go, a fake server in the tests.

An answer is an Attempt, as a webhook's: 2xx delivered; 429 waits for the `retry_after`
Telegram gives; 400 and 403 (a chat that blocked the bot, a message Telegram will never
take) are refused for good; a 5xx, a time-out or a broken connection is worth retrying.
"""

import json
import time
from dataclasses import dataclass, field

import httpx
from django.conf import settings

from .webhook import Attempt

BLOCKED = 403  # the user blocked the bot, or the chat is gone
TOO_MANY = 429


def telegram_configured() -> bool:
    return bool(getattr(settings, "TELEGRAM_BOT_TOKEN", "") and getattr(settings, "TELEGRAM_WEBHOOK_SECRET", ""))


@dataclass(frozen=True)
class BotAnswer(Attempt):
    """An Attempt with what the Bot API said: its `result`, and for a 429 how many seconds to
    wait before the next call."""

    retry_after: int | None = None
    result: dict | bool | None = field(default=None, compare=False)

    @property
    def blocked(self) -> bool:
        return self.status == BLOCKED


def bot_call(method: str, params: dict) -> BotAnswer:
    """Call `method` once with `params` (JSON); never raises for what the network or Telegram
    does."""
    base = getattr(settings, "TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/")
    url = f"{base}/bot{settings.TELEGRAM_BOT_TOKEN}/{method}"
    connect = float(getattr(settings, "TELEGRAM_CONNECT_TIMEOUT", 3))
    total = float(getattr(settings, "TELEGRAM_TIMEOUT", 10))
    started = time.perf_counter()

    def took() -> int:
        return int((time.perf_counter() - started) * 1000)

    try:
        response = httpx.post(url, json=params, timeout=httpx.Timeout(total, connect=min(connect, total)))
    except httpx.HTTPError as error:  # time-outs, refused and broken connections
        return BotAnswer(None, f"{type(error).__name__}: {error}"[:300], took())
    try:
        answer = response.json()
    except (ValueError, json.JSONDecodeError):
        answer = {}
    answer = answer if isinstance(answer, dict) else {}
    status = response.status_code
    if 200 <= status < 300 and answer.get("ok", True):
        return BotAnswer(status, "", took(), result=answer.get("result"))
    error = str(answer.get("description") or response.reason_phrase)[:300]
    retry_after = (answer.get("parameters") or {}).get("retry_after") if status == TOO_MANY else None
    permanent = status in (400, BLOCKED)  # a wrong token (401, 404) is the installation's to fix
    return BotAnswer(status, error, took(), permanent=permanent, retry_after=_seconds(retry_after))


def _seconds(value) -> int | None:
    try:
        return max(int(value), 1) if value is not None else None
    except (TypeError, ValueError):
        return None
