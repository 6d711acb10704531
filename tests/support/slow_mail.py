"""An e-mail backend for worker fault tests: each message takes a while to "send" (as SMTP
does), then is written to its own file in DJANGO_EMAIL_FILE_PATH, so a test can count what
really went out even across killed processes."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend

DELAY = float(os.environ.get("SLOW_MAIL_SECONDS", "0.3"))


class EmailBackend(BaseEmailBackend):
    def __init__(self, *args, **kwargs):
        kwargs.pop("file_path", None)
        super().__init__(*args, **kwargs)
        self.folder = Path(os.environ["DJANGO_EMAIL_FILE_PATH"])

    def send_messages(self, messages):
        for message in messages:
            time.sleep(DELAY)
            path = self.folder / f"{uuid.uuid4().hex}.eml"
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(message.message().as_bytes())
            tmp.rename(path)  # a file appears whole or not at all
        return len(messages)
