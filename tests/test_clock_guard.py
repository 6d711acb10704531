"""No test reads the wall clock for a date: every date comes from the suite's clock (tests/clock.py).

A call such as `date.today()` in a fixture looks harmless and is right on the day it is
written; a week later it meets a review weekday and the suite goes red on half the days.
This guard reads every file under tests/ and fails on such a call outside the allow-list below,
each entry with its reason.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

# (module or class name, attribute) pairs that read the current date or time.
WALL_CLOCK = {
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("datetime", "today"),
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),
    ("time", "time"),
    ("time", "time_ns"),
}

ALLOWED = {
    "clock.py": "the clock itself: now() reads time-machine's patched clock, which is the suite's instant",
    "support/clocked.py": "puts a child process on the suite's clock: the machine's time plus the offset it was given",
}


def wall_clock_calls(source: str) -> list[tuple[int, str]]:
    """(line, call) for every call that reads the current date or time."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        # date.today(), datetime.datetime.now(), django.utils.timezone.now()
        name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", None)
        if (name, node.func.attr) not in WALL_CLOCK:
            continue
        # timezone.localdate(value) converts a given instant: only the argument-less form reads the clock.
        if node.func.attr in {"localdate", "localtime"} and node.args:
            continue
        found.append((node.lineno, f"{name}.{node.func.attr}()"))
    return found


def test_no_test_reads_the_wall_clock():
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        relative = path.relative_to(TESTS).as_posix()
        if relative in ALLOWED:
            continue
        offenders += [f"tests/{relative}:{line}: {call}" for line, call in wall_clock_calls(path.read_text())]
    assert not offenders, (
        "These read the wall clock; take the date from the suite's clock instead "
        "(tests.clock.now() / tests.clock.today(), or the `clock` fixture):\n" + "\n".join(offenders)
    )


def test_every_allowed_file_exists():
    """An entry for a file that is gone would silently allow its replacement."""
    missing = [name for name in ALLOWED if not (TESTS / name).is_file()]
    assert not missing, missing


@pytest.mark.parametrize(
    "line",
    [
        "today = date.today()",
        "import datetime; when = datetime.datetime.now()",
        "stamp = datetime.now(UTC)",
        "from django.utils import timezone; archived_at = timezone.now()",
        "started = time.time()",
        "day = timezone.localdate()",
    ],
)
def test_the_guard_catches_each_form(line):
    assert wall_clock_calls(line), line


@pytest.mark.parametrize(
    "line",
    [
        "today = clock.today()",
        "when = clock.now()",
        "day = timezone.localdate(value)",
        "started = time.monotonic()",
        "week = date(2026, 11, 23)",
    ],
)
def test_the_guard_lets_the_suite_clock_through(line):
    assert not wall_clock_calls(line), line
