"""The embedded default (SQLite) under two writers at once: the web process and the worker
(issue 10, finding 9). Without WAL, a busy timeout and transactions that take the write lock
when they begin, a transaction that read first and then writes while the other process
writes fails at once with `database is locked` (SQLite cannot wait there without a deadlock)."""

import subprocess
import time

import pytest

from tests.support.processes import ROOT, app_env, python

WRITES = 150

# A stand-in for each process: many short transactions that read, then write, through the
# service, as membership_add and the jobs do. Both start together on a signal from the test.
WRITER = """
import sys, time
from pathlib import Path

import django

django.setup()
from django.db import connection, transaction

from tracking.models import Company, User
from tracking.services import companies

label, ready, go, writes = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])
user = User.objects.create_user(f"{label}@example.test")
connection.ensure_connection()
ready.touch()
while not go.exists():
    time.sleep(0.005)
for i in range(writes):
    with transaction.atomic():  # one request or task: it reads before it writes, as membership_add does
        Company.objects.filter(memberships__user=user).count()
        companies.company_create(creator=user, role="tracker", name=f"{label} {i}")
print("wrote", writes)
"""


CHECK = """
import django

django.setup()
from django.db import connection

from tracking.models import Company

with connection.cursor() as cursor:
    cursor.execute("PRAGMA journal_mode")
    print(Company.objects.count(), cursor.fetchone()[0])
"""


@pytest.fixture
def sqlite_env(tmp_path):
    env = app_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    migrate = subprocess.run(
        python("-m", "django", "migrate", "--noinput"), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert migrate.returncode == 0, migrate.stderr
    return env


def test_the_web_process_and_the_worker_write_at_the_same_time_without_database_is_locked(sqlite_env, tmp_path):
    go = tmp_path / "go"
    writers = {}
    for label in ("web", "worker"):
        ready = tmp_path / f"{label}.ready"
        writers[label] = (
            subprocess.Popen(
                python("-c", WRITER, label, str(ready), str(go), str(WRITES)),
                cwd=ROOT,
                env=sqlite_env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            ),
            ready,
        )
    deadline = time.monotonic() + 60
    while not all(ready.exists() for _process, ready in writers.values()):
        assert time.monotonic() < deadline and all(p.poll() is None for p, _ in writers.values()), "a writer died"
        time.sleep(0.01)
    go.touch()

    for label, (process, _ready) in writers.items():
        out, err = process.communicate(timeout=300)
        assert "database is locked" not in err, f"{label}: {err[-2000:]}"
        assert process.returncode == 0, f"{label}: {err[-2000:]}"
        assert out.strip() == f"wrote {WRITES}"

    check = subprocess.run(
        python("-c", CHECK),
        cwd=ROOT,
        env=sqlite_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.split() == [str(2 * WRITES), "wal"], check.stderr
