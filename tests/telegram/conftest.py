"""A fake Telegram Bot API on 127.0.0.1 for the bot's tests: it answers getMe, sendMessage,
editMessageText, answerCallbackQuery and setWebhook, records every call, and answers as a test
asks: 429 with retry_after, 403 (blocked), 500, or no answer in time."""

import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import clock

TOKEN = "123456:test-token"
SECRET = "test-webhook-secret"
USERNAME = "tracker_test_bot"
SILENCE_SECONDS = 1.5  # longer than the tests' time-out below


@dataclass
class Call:
    method: str
    params: dict
    message_id: int | None = None  # of a message sent


@dataclass
class FakeBotApi:
    port: int
    calls: list[Call] = field(default_factory=list)
    failures: deque = field(default_factory=deque)  # planned answers to the next sends
    message_ids: itertools.count = field(default_factory=lambda: itertools.count(1))
    delay: float = 0.0  # seconds before each sendMessage answer (a slow Telegram)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, *answers: str) -> None:
        """The next sendMessage answers, in order: "429", "403", "500" or "silence"."""
        self.failures.extend(answers)

    def sent(self, chat_id: int | None = None) -> list[dict]:
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage" and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [p["text"] for p in self.sent(chat_id)]

    def edits(self, chat_id: int) -> list[dict]:
        return [c.params for c in self.calls if c.method == "editMessageText" and c.params.get("chat_id") == chat_id]

    def with_buttons(self, chat_id: int) -> Call:
        """The last message sent to the chat with inline buttons (its message_id recorded)."""
        return [
            c
            for c in self.calls
            if c.method == "sendMessage" and "reply_markup" in c.params and c.params.get("chat_id") == chat_id
        ][-1]


def _handler(api: FakeBotApi):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            token, _slash, method = self.path.removeprefix("/bot").partition("/")
            params = json.loads(body or b"{}")
            if token != TOKEN:
                return self._answer(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
            planned = api.failures.popleft() if method == "sendMessage" and api.failures else ""
            call = Call(method, params)
            api.calls.append(call)
            if planned == "silence":
                time.sleep(SILENCE_SECONDS)
                return None
            if planned == "429":
                return self._answer(
                    429,
                    {"ok": False, "description": "Too Many Requests: retry after 7", "parameters": {"retry_after": 7}},
                )
            if planned == "403":
                return self._answer(403, {"ok": False, "description": "Forbidden: bot was blocked by the user"})
            if planned == "500":
                return self._answer(500, {"ok": False, "description": "Internal Server Error"})
            if method == "getMe":
                return self._answer(200, {"ok": True, "result": {"id": 1, "is_bot": True, "username": USERNAME}})
            if method == "sendMessage":
                time.sleep(api.delay)
                call.message_id = next(api.message_ids)
                result = {"message_id": call.message_id, "chat": {"id": params.get("chat_id")}}
                return self._answer(200, {"ok": True, "result": result})
            if method in ("editMessageText", "answerCallbackQuery", "setWebhook"):
                return self._answer(200, {"ok": True, "result": True})
            return self._answer(404, {"ok": False, "description": "Not Found"})

        def _answer(self, status: int, payload: dict):
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def bot_api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), None)
    api = FakeBotApi(port=server.server_address[1])
    server.RequestHandlerClass = _handler(api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield api
    server.shutdown()
    server.server_close()


def bot_env(api: FakeBotApi) -> dict:
    """The environment variables that point a process started by a test at the fake Bot API."""
    return {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE": api.base,
        "TELEGRAM_TIMEOUT": "5",
    }


@pytest.fixture
def bot(bot_api, settings):
    """The installation's bot switched on, talking to the fake Bot API."""
    settings.TELEGRAM_BOT_TOKEN = TOKEN
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.TELEGRAM_API_BASE = bot_api.base
    settings.TELEGRAM_TIMEOUT = 0.5
    settings.TELEGRAM_CONNECT_TIMEOUT = 0.5
    return bot_api


_update_ids = itertools.count(1000)


def message(chat_id: int, text: str, *, language: str = "en") -> dict:
    return {
        "update_id": next(_update_ids),
        "message": {
            "message_id": 1,
            "date": int(clock.now().timestamp()),
            "chat": {"id": chat_id, "type": "private"},
            "from": {"id": chat_id, "language_code": language},
            "text": text,
        },
    }


def tap(chat_id: int, data: str, *, sent_at=None, on: Call | None = None) -> dict:
    """A tap on a button; `on`, the message sent with it (Telegram gives its id and buttons)."""
    sent_at = sent_at or clock.now()
    shown = {"message_id": on.message_id, "reply_markup": on.params["reply_markup"]} if on else {"message_id": 1}
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"q{next(_update_ids)}",
            "from": {"id": chat_id},
            "data": data,
            "message": {**shown, "date": int(sent_at.timestamp()), "chat": {"id": chat_id}},
        },
    }
