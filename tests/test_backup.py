"""Backups restore to the same database, row by row (manage.py backup / restore, tracking/backups/services.py).

Each test fills a database with real data, backs it up through the command as an operator
runs it (a separate process), restores into a fresh database, and compares every table of
the schema row by row, sequences included; then changes the restored copy and restores over
it, which is what a real restore does. The sessions are the one table left out: a restore
signs everyone out.

A backup is its owner's alone (0600 in a 0700 folder, whatever the umask; a folder open to
others is refused) and, with BACKUP_PASSPHRASE, encrypted: restored only with that passphrase.
"""

import io
import os
import re
import stat
import subprocess
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg import sql

from tests import clock
from tests.conftest import make_team
from tests.factories import ActionFactory, HypothesisFactory, SprintFactory
from tests.support.processes import ROOT, app_env, python
from tracking.backups import services as backups

pytestmark = pytest.mark.xdist_group("backup")


def fill_database() -> None:
    """Three businesses with their teams, more hypotheses and sprints, and a signed-in session."""
    from django.contrib.sessions.backends.db import SessionStore

    teams = [make_team(name) for name in ("Alpha Bakery", "Кухни «Дубрава»", "O'Brien & Sons <Ltd>")]
    for n, team in enumerate(teams, start=1):
        for title in ("Free delivery", "Call within 5 minutes"):
            HypothesisFactory(
                company=team.company, constraint=team.constraint, metric=team.metric, title=f"{title} {n}"
            )
        later = SprintFactory(
            company=team.company,
            number=103,
            starts_on=clock.today() + timedelta(days=90),
            ends_on=clock.today() + timedelta(days=96),
            goal="Line\nbreaks, tabs\tand ünïcödé survive",
        )
        ActionFactory(sprint=later, owner=team.entrepreneur, title=f"Interview ten customers {n}")
    session = SessionStore()
    session["_auth_user_id"] = str(teams[0].tracker.user.pk)
    session.create()


def model_tables() -> set[str]:
    """Every table of every model of every app, many-to-many tables included."""
    return {model._meta.db_table for model in apps.get_models(include_auto_created=True)}


def run_command(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(python("-m", "django", *args), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


def succeed(*args: str, env: dict) -> str:
    result = run_command(*args, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def fail(*args: str, env: dict) -> str:
    result = run_command(*args, env=env)
    assert result.returncode != 0, result.stdout
    return result.stderr


def seconds_taken(output: str) -> float:
    return float(re.search(r"in (\d+\.\d+) s\.", output).group(1))


def without_sessions(snapshot: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """What a restore gives back: every row but the sessions (they are not in a backup)."""
    assert snapshot["django_session"], "no session to leave out: the comparison would prove nothing"
    return {**snapshot, "django_session": []}


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int):
    """The process's umask (inherited by the commands it starts), put back afterwards."""
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


PASSPHRASE = "correct horse battery staple"


# --- PostgreSQL -----------------------------------------------------------------------------


def pg_connect(dbname: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(host=db["HOST"], port=db["PORT"], user="postgres", dbname=dbname, autocommit=True)


def pg_url(dbname: str) -> str:
    db = connection.settings_dict
    return f"postgres://postgres@{db['HOST']}:{db['PORT']}/{dbname}"


def pg_snapshot(dbname: str) -> dict[str, list[tuple]]:
    """Every table of the database with its rows (in a stable order), and every sequence's position."""
    with pg_connect(dbname) as conn:
        tables = [t for (t,) in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        snapshot = {
            table: sorted(conn.execute(sql.SQL("SELECT * FROM {}").format(sql.Identifier(table))).fetchall(), key=repr)
            for table in tables
        }
        snapshot["(sequences)"] = sorted(
            conn.execute("SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'").fetchall()
        )
    return snapshot


@pytest.fixture
def scratch_database():
    """An empty database next to the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore"
    with pg_connect("postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield name
    with pg_connect("postgres") as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.mark.django_db(transaction=True)  # committed, so pg_dump (another session) sees the data
def test_postgres_backup_restores_every_row_into_a_fresh_database(tmp_path, scratch_database):
    fill_database()
    source = connection.settings_dict["NAME"]
    backup = tmp_path / "tracker.pgdump"

    made = succeed("backup", "--output", str(backup), env=app_env())
    assert backup.read_bytes().startswith(b"PGDMP"), made
    original = pg_snapshot(source)
    assert model_tables() <= original.keys(), "a model's table is missing from the comparison"
    assert len(original["tracking_company"]) == 3
    assert len(original["sprints_sprint"]) == 9
    assert len(original["django_session"]) == 1

    # The sessions' table is in the backup, its rows (live session keys) are not.
    pg_restore = backups._tool("pg_restore", "default")  # the system's or the embedded server's
    listing = subprocess.run([pg_restore, "--list", str(backup)], capture_output=True, text=True, check=True).stdout
    assert " TABLE public django_session " in listing and " TABLE DATA public django_session " not in listing
    assert " TABLE DATA public tracking_company " in listing
    as_sql = subprocess.run([pg_restore, "--file=-", str(backup)], capture_output=True, check=True).stdout
    (session_key,) = [row[0] for row in original["django_session"]]
    assert session_key.encode() not in as_sql

    scratch_env = app_env(DATABASE_URL=pg_url(scratch_database))
    restored = succeed("restore", str(backup), "--yes", env=scratch_env)
    assert pg_snapshot(scratch_database) == without_sessions(original)

    # Over a database that has changed since: the backup's rows come back, and only them.
    with pg_connect(scratch_database) as conn:
        conn.execute("DELETE FROM sprints_action")
        conn.execute("UPDATE tracking_company SET name = 'Changed after the backup'")
        conn.execute("INSERT INTO django_session VALUES ('later', 'x', now())")
    again = succeed("restore", str(backup), "--yes", env=scratch_env)
    assert pg_snapshot(scratch_database) == without_sessions(original)

    print(
        f"\nPostgreSQL, {backup.stat().st_size} bytes: backup {seconds_taken(made)} s, "
        f"restore into a fresh database {seconds_taken(restored)} s, over a changed one {seconds_taken(again)} s"
    )


@pytest.mark.django_db(transaction=True)
def test_postgres_restore_refuses_what_it_cannot_restore_whole(tmp_path, scratch_database):
    """Each refusal says why, exits non-zero and leaves the database as it was."""
    backup = tmp_path / "tracker.pgdump"
    succeed("backup", "--output", str(backup), env=app_env())
    scratch_env = app_env(DATABASE_URL=pg_url(scratch_database))
    succeed("restore", str(backup), "--yes", env=scratch_env)
    with pg_connect(scratch_database) as conn:
        conn.execute("CREATE TABLE added_by_a_later_migration (id integer)")
        conn.execute("UPDATE tracking_company SET name = 'Kept'")
    before = pg_snapshot(scratch_database)

    assert "added_by_a_later_migration" in fail("restore", str(backup), "--yes", env=scratch_env)
    assert "--yes" in fail("restore", str(backup), env=scratch_env)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("not a backup")
    assert "is not a pg_dump archive" in fail("restore", str(not_a_backup), "--yes", env=scratch_env)
    assert "No backup at" in fail("restore", str(tmp_path / "missing.pgdump"), "--yes", env=scratch_env)
    truncated = tmp_path / "truncated.pgdump"
    truncated.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    assert "pg_restore failed" in fail("restore", str(truncated), "--yes", env=scratch_env)

    assert pg_snapshot(scratch_database) == before
    assert "already exists" in fail("backup", "--output", str(backup), env=app_env())


@pytest.mark.django_db(transaction=True)
def test_postgres_encrypted_backup_restores_only_with_its_passphrase(tmp_path, scratch_database):
    fill_database()
    original = pg_snapshot(connection.settings_dict["NAME"])
    backup = tmp_path / "tracker.pgdump.age"
    made = succeed("backup", "--output", str(backup), env=app_env(BACKUP_PASSPHRASE=PASSPHRASE))
    assert "encrypted" in made and "Not encrypted" not in made
    assert backup.read_bytes().startswith(backups.AGE_MAGIC)
    assert mode(backup) == 0o600

    def scratch_env(passphrase: str) -> dict:
        return app_env(DATABASE_URL=pg_url(scratch_database), BACKUP_PASSPHRASE=passphrase)

    restored = succeed("restore", str(backup), "--yes", env=scratch_env(PASSPHRASE))
    assert "encrypted" in restored
    assert pg_snapshot(scratch_database) == without_sessions(original)

    with pg_connect(scratch_database) as conn:
        conn.execute("UPDATE tracking_company SET name = 'Kept'")
    before = pg_snapshot(scratch_database)
    no_key = fail("restore", str(backup), "--yes", env=scratch_env(""))
    assert "is encrypted: set BACKUP_PASSPHRASE" in no_key and "Nothing was changed" in no_key
    wrong_key = fail("restore", str(backup), "--yes", env=scratch_env("wrong"))
    assert "BACKUP_PASSPHRASE does not decrypt" in wrong_key and "Nothing was changed" in wrong_key
    assert pg_snapshot(scratch_database) == before


@pytest.mark.django_db
@pytest.mark.parametrize("mask", [0o022, 0o000])
def test_a_backup_and_its_folder_are_their_owners_alone_whatever_the_umask(tmp_path, monkeypatch, mask):
    named = tmp_path / "new" / "backups" / "tracker.pgdump"
    default_folder = tmp_path / "var" / "backups"  # the app's own folder, left open by an older version
    default_folder.mkdir(parents=True)
    default_folder.chmod(0o755)
    monkeypatch.setattr(backups, "BACKUP_DIR", default_folder)
    with umask(mask):
        call_command("backup", "--output", str(named), stdout=io.StringIO())
        call_command("backup", stdout=io.StringIO())

    assert mode(named.parent.parent) == mode(named.parent) == 0o700
    assert [(path.name, mode(path)) for path in named.parent.iterdir()] == [("tracker.pgdump", 0o600)]
    assert mode(default_folder) == 0o700
    (default,) = default_folder.iterdir()
    assert default.suffix == ".pgdump" and mode(default) == 0o600


@pytest.mark.django_db
@pytest.mark.parametrize("open_mode", [0o755, 0o750, 0o701, 0o1777])
def test_a_backup_into_a_folder_others_can_reach_is_refused(tmp_path, open_mode):
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(open_mode)
    refusal = rf"{re.escape(str(shared))} is open to other users \(mode {open_mode:04o}\).*chmod 700"
    with pytest.raises(CommandError, match=refusal):
        call_command("backup", "--output", str(shared / "tracker.pgdump"), stdout=io.StringIO())
    assert list(shared.iterdir()) == []
