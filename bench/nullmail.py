"""An e-mail backend for the benchmark: every message is built and serialised to MIME bytes
(the work an SMTP backend does before the network), then dropped and counted. Unlike the
locmem backend it keeps nothing in memory, so 40,000 roll-up e-mails in one worker are fine."""

from django.core.mail.backends.base import BaseEmailBackend

SENT = {"messages": 0, "bytes": 0, "opens": 0}


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs.pop("file_path", None)
        super().__init__(*args, **kwargs)

    def open(self):
        SENT["opens"] += 1  # a connection an SMTP backend would open
        return True

    def send_messages(self, messages):
        for message in messages:
            SENT["bytes"] += len(message.message().as_bytes())
            SENT["messages"] += 1
        return len(messages)
