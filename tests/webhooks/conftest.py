"""A real HTTP receiver on 127.0.0.1 for the webhook tests, answering as each test asks: 200,
500, 410, a redirect, or no answer in time. It records every request it gets."""

import contextlib
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tracking.webhooks.services import webhook_subscription_create

# The receiver's "no answer": longer than the tests' total time-out below.
SILENCE_SECONDS = 1.5


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int
    answers: deque = field(default_factory=deque)  # planned answers, then `default`
    default: str = "200"
    received: list[Received] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def answer(self, *answers: str) -> None:
        """The next answers, in order: "200", "500", "410", "302", "503", "silence" or "drip"."""
        self.answers.extend(answers)

    def next_answer(self) -> str:
        return self.answers.popleft() if self.answers else self.default


def _handler(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
            answer = receiver.next_answer()
            if answer == "drip":  # a header line every 0.1 s: no single read ever waits long
                with contextlib.suppress(OSError):
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    for _ in range(int(SILENCE_SECONDS / 0.1)):
                        self.wfile.flush()
                        time.sleep(0.1)
                        self.wfile.write(b"X-Drip: 1\r\n")
                self.close_connection = True
                return
            if answer == "silence":
                time.sleep(SILENCE_SECONDS)
                answer = "200"  # too late: the sender has given up waiting
            status = int(answer)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
            self.send_header("Content-Length", "2")
            self.end_headers()
            with contextlib.suppress(OSError):  # the sender may have hung up already
                self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    return Handler


@pytest.fixture
def receiver(settings):
    """The receiver, and time-outs short enough for a test (the production ones are 3 s and 10 s)."""
    settings.WEBHOOKS_CONNECT_TIMEOUT = 0.5
    settings.WEBHOOKS_TOTAL_TIMEOUT = 0.5
    receiver = Receiver(port=0)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    server.daemon_threads = True
    receiver.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def subscription(team, receiver):
    """The team's webhook to the receiver, made by its entrepreneur, for every event."""
    from tracking.webhooks.models import WebhookEvent

    return webhook_subscription_create(by=team.entrepreneur, url=receiver.url, events=list(WebhookEvent.values))
