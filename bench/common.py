"""What the benchmarks share: their command line's --db, and a private Redis with their own
database, set up before Django reads its settings."""

import argparse
import atexit
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import PrivateRedis

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def say(text: str = "") -> None:
    print(text, flush=True)


def starting_load() -> tuple[float, float, float]:
    """The machine's load averages (1, 5 and 15 minutes) as a run starts, said with its CPUs, and
    a warning when other work shares the machine: the figures are then provisional."""
    load = os.getloadavg()
    say(f"{os.cpu_count()} CPUs; load average at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if load[0] > 1:
        say("  WARNING: the load average is above 1: other work shares the machine, the figures are provisional.")
    return load


def arguments(doc: str, *, db: str) -> argparse.ArgumentParser:
    """A benchmark's command line, its docstring as the help, with --db: its own database."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=db, help="the benchmark's own database (dropped and rebuilt)")
    return parser


@dataclass(frozen=True)
class Services:
    redis: PrivateRedis
    env: dict[str, str]  # what was added to the process's environment
    kept: bool  # the database of an earlier run was kept (reuse)


def private_services(db: str, *, reuse: bool = False, **env: str) -> Services:
    """A private redis-server (stopped at exit) and the benchmark's own database `db` on
    PG_SERVER, dropped and created anew unless `reuse` and it is there; the environment points
    Django (tests.settings) at both, with `env` besides. Call it before django.setup()."""
    assert db.startswith("bench_"), "the benchmark only drops a database of its own (bench_…)"
    import psycopg

    redis = PrivateRedis().start()
    atexit.register(redis.stop)
    added = {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": f"{PG_SERVER}/{db}",
        "REDIS_URL": redis.url,
        "DJANGO_LOG_LEVEL": "WARNING",
        **env,
    }
    os.environ.update(added)
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
        kept = reuse and admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db]).fetchone() is not None
        if not kept:
            admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
            admin.execute(f"CREATE DATABASE {db}")
    return Services(redis, added, kept)


# --- gunicorn on a free port, and one request at a time to it ----------------------------------

ROOT = Path(__file__).resolve().parents[1]
PORT = [0]  # the port of the server started last: request() asks it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in production mode with `workers` sync workers and the benchmark's environment
    `env`, until stop(); its log lines holding `quiet` (the floor's 404s) are expected, any
    other is shown at the stop."""

    def __init__(self, workers: int, env: dict, *, quiet: str = ""):
        self.port, self.quiet = free_port(), quiet
        command = [str(Path(sys.executable).parent / "gunicorn"), "tracking.site.wsgi:application"]
        command += ["--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        command += ["--backlog", "2048", "--timeout", "120"]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=os.environ | env, start_new_session=True, stdout=self.log, stderr=subprocess.STDOUT
        )
        PORT[0] = self.port
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if request("/healthz/", None)[0] in (200, 503):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise SystemExit("gunicorn did not start")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        if self.log.closed:
            return
        self.log.seek(0)
        lines = self.log.read().decode(errors="replace").splitlines()
        lines = [line for line in lines if not (self.quiet and self.quiet in line)]
        lines = [line for line in lines if "Handling signal" not in line and "Shutting down" not in line]
        for line in lines[:40]:
            say(f"  gunicorn: {line}")
        if len(lines) > 40:
            say(f"  gunicorn: … {len(lines) - 40} more lines")
        self.log.close()


def request(path: str, cookie: str | None, method: str = "GET", body: str | None = None, headers=None):
    """One request on a new connection (gunicorn's sync workers close it after each answer):
    (status, body, response headers)."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT[0], timeout=120)
    try:
        h = {"Host": "127.0.0.1"} | (headers or {})
        if cookie:
            h["Cookie"] = cookie
        conn.request(method, path, body=body, headers=h)
        response = conn.getresponse()
        return response.status, response.read(), response.getheaders()
    finally:
        conn.close()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else float("nan")
