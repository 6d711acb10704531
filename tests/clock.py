"""One clock for the whole suite (a pytest plugin, loaded with `-p tests.clock`).

Every test starts at the same known instant and the clock ticks on from there
(time-machine), so code under test that reads `timezone.now()`, `date.today()` or
`time.time()` sees that instant, and so do fixtures and factories, which take their dates
from `now()` and `today()` below, never from the wall clock.

The instant:
- `--now=2026-11-27T07:20Z` pins it (any ISO 8601 instant with an offset or Z);
- otherwise it is drawn from SPREAD with a seed (`--clock-seed=N`, random by default), so a
  date assumption hidden in a test cannot survive many runs: every weekday near midnight in
  UTC, Moscow and Los Angeles, and the DST change days of Europe/Berlin and
  America/Los_Angeles. Pytest's header prints the instant, the seed and how to reproduce.

Processes a test starts (Celery workers, dispatchers, the seed) run Python through
`tests.support.clocked`, which puts them on the same clock: `subprocess_env()` gives the
offset between the suite's clock and the machine's. The browser gets the instant through
Playwright's clock (tests/e2e/conftest.py). redis-server keeps real time: it only expires keys
after a number of seconds, which is the same on either clock.
"""

import os
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

OFFSET_ENV = "TESTS_CLOCK_OFFSET"

# One ordinary week (Monday 2026-11-23 to Sunday 2026-11-29) and the four DST change days.
WEEK = [date(2026, 11, 23) + timedelta(days=i) for i in range(7)]
ZONES = ["UTC", "Europe/Moscow", "America/Los_Angeles"]
DST_DAYS = [
    (date(2026, 3, 29), "Europe/Berlin"),  # 02:00 -> 03:00
    (date(2026, 10, 25), "Europe/Berlin"),  # 03:00 -> 02:00
    (date(2026, 3, 8), "America/Los_Angeles"),  # 02:00 -> 03:00
    (date(2026, 11, 1), "America/Los_Angeles"),  # 02:00 -> 01:00
]


def _local(day: date, at: time, zone: str) -> datetime:
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


# Near midnight: a quarter of an hour either side, so no single test crosses it.
SPREAD = sorted(
    {_local(day, at, zone) for day in WEEK for zone in ZONES for at in (time(0, 15), time(23, 45))}
    | {_local(day, at, zone) for day, zone in DST_DAYS for at in (time(0, 15), time(3, 30), time(12, 0), time(23, 45))}
)

_instant: datetime | None = None


def instant() -> datetime:
    """The instant every test starts at (aware, UTC)."""
    assert _instant is not None, "the clock plugin is not loaded (-p tests.clock)"
    return _instant


def now() -> datetime:
    """The suite's clock now: the instant plus the time the test has run so far."""
    return datetime.now(UTC)  # time-machine's, while the suite runs


def today() -> date:
    """The date of now() in the default time zone (UTC), as `timezone.localdate()` gives it."""
    return now().date()


def subprocess_env() -> dict:
    """Environment entries that put a child Python process on the suite's clock."""
    real = time_machine.escape_hatch.time.time()
    return {OFFSET_ENV: repr(now().timestamp() - real)}


def parse_instant(text: str) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise pytest.UsageError(f"--now needs an offset or Z: {text!r}")
    return value.astimezone(UTC)


def describe(value: datetime) -> str:
    parts = [f"{value:%Y-%m-%dT%H:%MZ} ({value:%a})"]
    for zone in ("Europe/Moscow", "America/Los_Angeles", "Europe/Berlin"):
        local = value.astimezone(ZoneInfo(zone))
        parts.append(f"{zone} {local:%a %H:%M}")
    return ", ".join(parts)


# The tests whose outcome can depend on the date (sprints, reminders, digest, portfolio,
# schedule, weeks, goals, metrics, the demo data, verdict windows, history, the journeys):
# marked `dates`, so CI can run them again at other instants (--instants).
DATE_DEPENDENT = (
    "tests/sprints/",
    "tests/hypotheses/test_verdicts.py",
    "tests/hypotheses/test_history.py",
    "tests/hypotheses/test_lifecycle.py",
    "tests/e2e/",
    "tests/tracking/test_metrics.py",
    "tests/tracking/test_goals.py",
    "tests/tracking/test_members.py",
    "tests/tracking/test_seed_demo.py",
    "tests/test_query_budget.py",
    "tests/test_page_cost.py",
    "tests/test_rough_edges_",
    "tests/hypotheses/test_rough_edges.py",
    "tests/hypotheses/test_library.py",
    "tests/toolkit/test_funnel_pages.py",
    "tests/toolkit/test_outcomes",
    "tests/toolkit/test_chart_markers.py",
    "tests/toolkit/test_demo.py",
    "tests/custdev/test_interviews.py",
    "tests/custdev/test_synthesis.py",
    "tests/custdev/test_demo.py",
    "tests/custdev/test_query_counts.py",
)
# Date-dependent tests that travel through days and instants of their own (the demo seeded on
# each day of a week, and across a DST change): the main run covers them, and the date matrix
# (--instants) leaves them out rather than run them at seven more starting points.
OWN_INSTANTS = ("tests/tracking/test_seed_demo.py",)


def pytest_addoption(parser):
    group = parser.getgroup("clock", "the suite's clock (tests/clock.py)")
    group.addoption("--now", default=None, help="the instant every test starts at, e.g. 2026-11-27T07:20Z")
    group.addoption("--clock-seed", type=int, default=None, help="draw the instant from the spread with this seed")
    group.addoption(
        "--instants",
        default=None,
        help="comma-separated instants: every test marked `dates` runs once at each (CI's date matrix)",
    )


def pytest_collection_modifyitems(config, items):
    root = config.rootpath
    for item in items:
        if item.path.relative_to(root).as_posix().startswith(DATE_DEPENDENT):
            item.add_marker(pytest.mark.dates)
    if config.getoption("instants"):
        left_out = [item for item in items if item.path.relative_to(root).as_posix().startswith(OWN_INSTANTS)]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if item not in left_out]


def pytest_generate_tests(metafunc):
    """With --instants, each date-dependent test is parametrized over them (one process, one
    test database: the matrix costs only the tests, not a run's set-up each time)."""
    instants = metafunc.config.getoption("instants")
    relative = metafunc.definition.path.relative_to(metafunc.config.rootpath).as_posix()
    if instants and relative.startswith(DATE_DEPENDENT) and not relative.startswith(OWN_INSTANTS):
        values = [parse_instant(text) for text in instants.split(",") if text.strip()]
        metafunc.fixturenames.append("clock_instant")
        metafunc.parametrize("clock_instant", values, ids=[f"{v:%a-%Y%m%dT%H%MZ}" for v in values], indirect=True)


def pytest_configure(config):
    global _instant
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None:  # an xdist worker: the controller chose
        _instant = parse_instant(workerinput["clock_now"])
        config._clock_seed = workerinput["clock_seed"]
    elif config.getoption("now"):
        _instant = parse_instant(config.getoption("now"))
        config._clock_seed = None
    else:
        seed = config.getoption("clock_seed")
        if seed is None:
            seed = int.from_bytes(os.urandom(4), "big")
        config._clock_seed = seed
        _instant = random.Random(seed).choice(SPREAD)
    # Session fixtures (the test database, the broker purge) already run on the clock.
    config._clock_travel = time_machine.travel(_instant, tick=True)
    config._clock_travel.start()


def pytest_unconfigure(config):
    travel = getattr(config, "_clock_travel", None)
    if travel is not None:
        travel.stop()


@pytest.hookimpl(optionalhook=True)  # xdist's hook: only there when xdist runs
def pytest_configure_node(node):
    """xdist: every worker runs on the controller's instant."""
    node.workerinput["clock_now"] = instant().isoformat()
    node.workerinput["clock_seed"] = node.config._clock_seed


def pytest_report_header(config):
    seed = config._clock_seed
    drawn = f"drawn with --clock-seed={seed}" if seed is not None else "given with --now"
    return [
        f"clock: {describe(instant())}; {drawn}",
        f'clock: reproduce with make test PYTEST_ARGS="--now={instant():%Y-%m-%dT%H:%M:%SZ}"',
    ]


@pytest.fixture
def clock_instant(request):
    """The instant a test of the date matrix runs at (see --instants)."""
    return request.param


@pytest.fixture(autouse=True)
def _clock(request):
    """Each test starts at the instant (or its own one in the date matrix), whatever ran before it."""
    callspec = getattr(request.node, "callspec", None)
    start = callspec.params["clock_instant"] if callspec and "clock_instant" in callspec.params else instant()
    with time_machine.travel(start, tick=True):
        yield


@pytest.fixture
def clock():
    """The suite's clock for a test that wants it as a fixture: `clock.now()`, `clock.today()`."""
    import tests.clock as module

    return module
