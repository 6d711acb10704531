"""Private Redis servers and Celery workers for fault tests: never the machine's shared ones."""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

from tests import clock

ROOT = Path(__file__).resolve().parents[2]
WORKER_ARGS = ("-A", "tracking", "worker", "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        binary = shutil.which("redis-server")
        assert binary, "redis-server is needed for the fault tests (apt-get install redis-server)"
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def app_env(**overrides) -> dict:
    """The environment of a subprocess that talks to this test's database, on the suite's clock."""
    db = connection.settings_dict
    return {
        **os.environ,
        **clock.subprocess_env(),
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        **overrides,
    }


def python(*args: str) -> list[str]:
    """The command line of a Python program run on the suite's clock (needs app_env())."""
    return [sys.executable, "-m", "tests.support.clocked", *args]


def start_worker(env: dict) -> subprocess.Popen:
    """A solo-pool worker whose log goes to a file (a pipe nobody reads would block it)."""
    log = tempfile.NamedTemporaryFile("w+", prefix="celery-worker-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        python("-m", "celery", *WORKER_ARGS, "--loglevel=INFO"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
    )
    process.log_path = log.name
    log.close()
    return process


def run_python(code: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(python("-c", code), cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)


def stop(process: subprocess.Popen) -> str:
    """Stop a worker; returns (the end of) what it logged."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    path = getattr(process, "log_path", None)
    if not path:
        return ""
    try:
        text = Path(path).read_text(errors="replace")
    except FileNotFoundError:  # stopped (and read) before
        return ""
    Path(path).unlink(missing_ok=True)
    return text


def wait_for(condition, timeout: float = 60.0, step: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


@contextmanager
def worker(env: dict):
    process = start_worker(env)
    try:
        yield process
    finally:
        stop(process)
