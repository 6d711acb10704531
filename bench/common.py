"""What the benchmarks share: their command line's --db, and a private Redis with their own
database, set up before Django reads its settings."""

import argparse
import atexit
import os
from dataclasses import dataclass

from tests.support.processes import PrivateRedis

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")


def say(text: str = "") -> None:
    print(text, flush=True)


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
