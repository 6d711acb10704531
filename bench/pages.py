"""Page benchmark (DESIGN.md §8, issue 12): every page's server time against a floor view at
the large data set, queries per page on small and large data, and 100 concurrent users.

    cd /work/main && .venv/bin/python bench/pages.py          # the issue's size, ~8-10 minutes
    .venv/bin/python bench/pages.py --quick                   # a smoke run, ~1 minute
    .venv/bin/python bench/pages.py --help                    # sizes, rounds, load

It runs on its own PostgreSQL database, `bench_pages` (dropped, created and migrated on every
run; never the test or development one), a private redis-server on a free port (the cache and
the login throttle), and gunicorn in production mode (settings `tests.settings`: DEBUG off, a
test secret, plain HTTP) on a free port. See bench/README.md for what is measured.
"""

import argparse
import atexit
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "bench-pages-password"
BATCH = 5000

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--businesses", type=int, default=50, help="businesses of the tracker")
parser.add_argument("--weeks", type=int, default=152, help="closed weekly sprints of each business")
parser.add_argument("--actions", type=int, default=15, help="actions of each closed sprint")
parser.add_argument("--hypotheses", type=int, default=400, help="hypotheses of each business")
parser.add_argument("--open", type=int, default=121, help="… of them open (idea, ready, testing)")
parser.add_argument("--metrics", type=int, default=10, help="metrics of each business, a value every week")
parser.add_argument("--rounds", type=int, default=200, help="interleaved rounds of every page and the floor")
parser.add_argument(
    "--rounds-cap", type=float, default=300, help="seconds at most for the rounds (fewer rounds are then said)"
)
parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers for the timed rounds")
parser.add_argument("--load-workers", default="2,4", help="gunicorn workers of each load run ('' skips the load)")
parser.add_argument("--users", type=int, default=100, help="concurrent users of the load test")
parser.add_argument("--seconds", type=float, default=60, help="length of each load run")
parser.add_argument(
    "--writes",
    type=float,
    default=0,
    help="share of the load's requests that log an action's result in the first business (a write)",
)
parser.add_argument("--think-time", type=float, default=0, help="seconds each user waits between requests")
parser.add_argument("--quick", action="store_true", help="a smoke run: small data, 20 rounds, 10 s of load")
parser.add_argument("--db", default="bench_pages", help="the benchmark's own database (dropped and rebuilt)")
parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run with the same --db")
parser.add_argument(
    "--profile",
    type=int,
    default=0,
    metavar="N",
    help="no server: N requests of every page in this process; CPU ms per request, template nodes, "
    "queries and bytes, and a cProfile of each page in $TMPDIR/<db>-profiles/ (then stop)",
)
args = parser.parse_args()
DB_NAME = args.db
if args.quick:
    args.businesses, args.weeks, args.hypotheses, args.open = 5, 12, 60, 20
    args.rounds, args.users, args.seconds = 20, 20, 10
args.businesses = max(args.businesses, 2)
args.open = min(args.open, args.hypotheses)


def say(text: str = "") -> None:
    print(text, flush=True)


load_at_start = os.getloadavg()
say(
    f"{os.cpu_count()} CPUs; load average at start {load_at_start[0]:.2f} {load_at_start[1]:.2f} {load_at_start[2]:.2f}"
)
if load_at_start[0] > 1:
    say("  WARNING: the load average is above 1: other work shares the machine, the figures are provisional.")

# --- A private Redis and our own database, before Django reads its settings ------------------

from tests.support.processes import PrivateRedis  # noqa: E402

redis_server = PrivateRedis().start()
atexit.register(redis_server.stop)
ENV = {
    "DJANGO_SETTINGS_MODULE": "tests.settings",
    "DJANGO_DEBUG": "0",
    "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
    "REDIS_URL": redis_server.url,
    "DJANGO_LOG_LEVEL": "WARNING",
    # One cache (the sign-in throttle) for this process and every gunicorn worker.
    "CACHE_KEY_PREFIX": f"bench-{DB_NAME}-{os.getpid()}",
    # No sign-in is refused: the benchmark signs in once per server, but reruns add up.
    "LOGIN_THROTTLE_PER_ADDRESS": "1000",
    "LOGIN_THROTTLE_PER_ACCOUNT": "1000",
}
os.environ.update(ENV)

import psycopg  # noqa: E402

assert DB_NAME.startswith("bench_"), "the benchmark only drops a database of its own (bench_…)"
with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as admin:
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
    REUSE = bool(args.reuse and exists)
    if not REUSE:
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {DB_NAME}")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import NoReverseMatch, reverse  # noqa: E402

from hypotheses.models import Hypothesis, Status, Verdict  # noqa: E402
from sprints.models import Action, ActionStatus, Sprint, SprintStatus  # noqa: E402
from tracking.models import Company, Constraint, Membership, Metric, MetricValue, Role, User  # noqa: E402

assert connection.settings_dict["NAME"] == DB_NAME
assert not settings.DEBUG

NOW = datetime.now(UTC).replace(microsecond=0)
TODAY = NOW.date()
THIS_MONDAY = TODAY - timedelta(days=TODAY.weekday())


# --- Data (bulk_create, not through the services) -----------------------------------------------


def build_tracker(
    email: str, businesses: int, weeks: int, hypotheses: int, open_: int, boards: tuple[int, int]
) -> dict:
    """A tracker with `businesses` businesses; each has an entrepreneur, two members, an
    active constraint, metrics with a value every week, `weeks` closed weekly sprints and an
    active one (the first business's has boards[0] actions, the others boards[1])."""
    password = make_password(PASSWORD)
    tracker = User.objects.create(email=email, full_name="Bench Tracker", password=password, language="en")
    tag = email.split("@")[0]
    companies = Company.objects.bulk_create(
        [Company(name=f"{tag} business {i:02d}", timezone="Europe/Moscow", currency="RUB") for i in range(businesses)]
    )
    people = User.objects.bulk_create(
        [
            User(email=f"{tag}-{role}{i}@bench.test", full_name=f"{role.title()} {i}", password=password)
            for i in range(businesses)
            for role in ("owner", "ann", "bob")
        ],
        batch_size=BATCH,
    )
    memberships = []
    for i, company in enumerate(companies):
        owner, ann, bob = people[3 * i : 3 * i + 3]
        memberships += [
            Membership(user=tracker, company=company, role=Role.TRACKER, accepted_at=NOW),
            Membership(user=owner, company=company, role=Role.ENTREPRENEUR, weekly_capacity_hours=10, accepted_at=NOW),
            Membership(user=ann, company=company, role=Role.MEMBER, weekly_capacity_hours=8, accepted_at=NOW),
            Membership(user=bob, company=company, role=Role.TEAM_LEAD, weekly_capacity_hours=6, accepted_at=NOW),
        ]
    memberships = Membership.objects.bulk_create(memberships, batch_size=BATCH)
    owners = {c.pk: [m.pk for m in memberships[4 * i + 1 : 4 * i + 4]] for i, c in enumerate(companies)}
    constraints = Constraint.objects.bulk_create(
        [Constraint(company=c, title="Too few leads", started_on=TODAY - timedelta(days=60)) for c in companies]
    )
    metrics = Metric.objects.bulk_create(
        [
            Metric(company=c, name=f"Metric {k}", unit="pcs", is_key=k == 0, target=Decimal(100))
            for c in companies
            for k in range(args.metrics)
        ],
        batch_size=BATCH,
    )
    MetricValue.objects.bulk_create(
        [
            MetricValue(metric=m, week_start=THIS_MONDAY - timedelta(weeks=w), value=Decimal(40 + (w * 7 + m.pk) % 60))
            for m in metrics
            for w in range(1, weeks + 1)
        ],
        batch_size=BATCH,
    )
    key_metric = {m.company_id: m.pk for m in metrics if m.is_key}

    decided = [Status.CONFIRMED, Status.REFUTED, Status.ADOPTED, Status.DROPPED]
    opened = [Status.IDEA, Status.READY, Status.TESTING]
    rows = []
    for company, constraint in zip(companies, constraints, strict=True):
        for k in range(hypotheses):
            status = opened[k % 3] if k < open_ else decided[k % 4]
            verdict = {Status.CONFIRMED: Verdict.CONFIRMED, Status.REFUTED: Verdict.REFUTED}.get(status, "")
            week = k * weeks // max(hypotheses, 1)
            rows.append(
                Hypothesis(
                    company=company,
                    constraint=constraint if k < open_ else None,
                    metric_id=key_metric[company.pk],
                    title=f"Hypothesis {k + 1}: a money-back guarantee on offer {k}",
                    statement="If we promise a money-back guarantee, conversion grows 1.5x, because risk drops.",
                    baseline=Decimal(40),
                    expected_value=Decimal(60),
                    success_criteria="Conversion of at least 6 % over the week",
                    cheapest_test="A PDF offer by messenger",
                    impact=1 + k % 10,
                    confidence=1 + (k * 3) % 10,
                    ease=1 + (k * 7) % 10,
                    status=status,
                    verdict=verdict,
                    testing_started_at=NOW - timedelta(weeks=week + 1)
                    if status not in (Status.IDEA, Status.READY)
                    else None,
                    decided_at=NOW - timedelta(weeks=week) if k >= open_ else None,
                    measured_value=Decimal(45) if verdict else None,
                    learning="Customers trust a guarantee more than a discount." if k >= open_ else "",
                    author=tracker,
                )
            )
    hyps = Hypothesis.objects.bulk_create(rows, batch_size=BATCH)
    open_of, decided_of = defaultdict(list), defaultdict(list)
    for h in hyps:
        (open_of if h.status in opened else decided_of)[h.company_id].append(h.pk)

    sprints = []
    for i, company in enumerate(companies):
        for w in range(weeks, 0, -1):
            starts = THIS_MONDAY - timedelta(weeks=w)
            sprints.append(
                Sprint(
                    company=company,
                    number=weeks - w + 1,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=6),
                    status=SprintStatus.CLOSED,
                    started_at=datetime.combine(starts, datetime.min.time(), tzinfo=UTC) + timedelta(hours=9),
                    closed_at=datetime.combine(starts, datetime.min.time(), tzinfo=UTC) + timedelta(days=7, hours=12),
                    goal=f"Sprint {weeks - w + 1}",
                    focus=constraints[i],
                )
            )
        sprints.append(
            Sprint(
                company=company,
                number=weeks + 1,
                starts_on=THIS_MONDAY,
                ends_on=THIS_MONDAY + timedelta(days=6),
                status=SprintStatus.ACTIVE,
                started_at=NOW - timedelta(days=TODAY.weekday(), hours=1),
                goal="This week",
                focus=constraints[i],
            )
        )
    sprints = Sprint.objects.bulk_create(sprints, batch_size=BATCH)
    actions = []
    active = {}
    for sprint in sprints:
        mine, linked = owners[sprint.company_id], decided_of[sprint.company_id]
        if sprint.status == SprintStatus.ACTIVE:
            active[sprint.company_id] = sprint
            count = boards[0] if sprint.company_id == companies[0].pk else boards[1]
            statuses = [ActionStatus.TODO, ActionStatus.DOING, ActionStatus.DONE]
            linked = open_of[sprint.company_id]
        else:
            count, statuses = args.actions, [ActionStatus.DONE, ActionStatus.DONE, ActionStatus.NOT_DONE]
        for j in range(count):
            status = statuses[j % len(statuses)]
            actions.append(
                Action(
                    sprint=sprint,
                    title=f"Action {j + 1}: call 40 customers about the offer",
                    owner_id=mine[j % 3] if j % 7 != 6 else None,
                    estimate_hours=Decimal(1 + j % 4) / 2,
                    cost=Decimal(500) if j == 0 else None,
                    hypothesis_id=linked[(sprint.number + j) % len(linked)] if linked and j % 3 == 0 else None,
                    status=status,
                    result_note="Sent to 40 customers, 3 bought" if status == ActionStatus.DONE else "",
                    why_not_note="No time: the owner was ill" if status == ActionStatus.NOT_DONE else "",
                )
            )
    Action.objects.bulk_create(actions, batch_size=BATCH)
    return {"tracker": tracker, "companies": companies, "active": active}


def counts() -> str:
    return ", ".join(
        f"{model.__name__} {model.objects.count():,}"
        for model in (Company, Sprint, Action, Hypothesis, MetricValue, Membership)
    )


def pages(data: dict) -> dict[str, str]:
    """The issue's table: name -> path, for one tracker's data."""
    first, second = data["companies"][:2]
    return {
        "sprint board, 15 actions": reverse("sprints:board", args=[second.pk, data["active"][second.pk].pk]),
        f"sprint board, {BIG} actions": reverse("sprints:board", args=[first.pk, data["active"][first.pk].pk]),
        f"weekly session, {BIG} actions": reverse("sprints:session", args=[first.pk]),
        f"results, {BIG} actions": reverse("sprints:results", args=[first.pk]),
        f"hypothesis board, {args.hypotheses}": reverse("hypotheses:board", args=[first.pk]),
        f"portfolio, {args.businesses} businesses": reverse("tracking:portfolio"),
        f"history CSV, {args.hypotheses} rows": reverse("hypotheses:history_csv", args=[first.pk]),
        "members": reverse("tracking:members", args=[first.pk]),
    }


def existing_tracker(email: str) -> dict:
    """What build_tracker returned, read back from a kept database (--reuse)."""
    tracker = User.objects.get(email=email)
    companies = list(Company.objects.filter(memberships__user=tracker).order_by("pk"))
    active = {s.company_id: s for s in Sprint.objects.filter(company__in=companies, status=SprintStatus.ACTIVE)}
    return {"tracker": tracker, "companies": companies, "active": active}


BIG = 60
start_all = time.perf_counter()
if REUSE:
    call_command("migrate", verbosity=0, interactive=False)  # the checkout may have new migrations
    say(f"Database {DB_NAME}: kept from an earlier run (--reuse): {counts()}")
    small, large = existing_tracker("small@bench.test"), existing_tracker("tracker@bench.test")
else:
    say(f"Database {DB_NAME}: migrate …")
    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    small = build_tracker("small@bench.test", 2, 3, 10, 4, (5, 3))
    large = build_tracker("tracker@bench.test", args.businesses, args.weeks, args.hypotheses, args.open, (BIG, 15))
    say(f"  built in {time.perf_counter() - t0:.0f} s: {counts()} (the large tracker plus a small one of 2 businesses)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh statistics, as a database that grew over three years has

try:
    FLOOR = reverse("tracking:floor")
    floor_note = "the floor view tracking:floor (authenticates, renders the base layout)"
except NoReverseMatch:
    FLOOR = "/b/0/members/"
    floor_note = "a signed-in 404 (no tracking:floor view in this checkout)"
PAGES = pages(large)
SMALL_PAGES = pages(small)

# --- Queries per page: the test client in this process, against the same database --------------


def page_queries(tracker: User, paths: dict[str, str]) -> dict[str, tuple[int, int, int]]:
    """Per page: the queries of a request, the status and the size."""
    client = Client()
    client.force_login(tracker)
    result = {}
    for name, path in paths.items():
        with CaptureQueriesContext(connection) as q:
            response = client.get(path)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        result[name] = (len(q), response.status_code, len(body))
    return result


queries_small = page_queries(small["tracker"], SMALL_PAGES)
queries_large = page_queries(large["tracker"], PAGES)
say(
    "\nQueries per page (test client in-process; small: 2 businesses, "
    "3 weeks, 10 hypotheses, boards of 5 and 3 actions):"
)
for (name, (q_large, status, size)), (q_small, status_small, _) in zip(
    queries_large.items(), queries_small.values(), strict=True
):
    say(f"  {name:<32} {q_small:>3} small  {q_large:>3} large   HTTP {status_small}/{status}, {size / 1024:,.0f} KiB")
    if status != 200:
        say(f"    WARNING: {name} answers {status}")

# --- In process: CPU per request, template nodes, a profile per page (--profile N) ---------------


AREAS = [  # where a profile's own time is spent, by the file a function is in
    ("django/template", "templates"),
    ("django/templatetags", "templates"),
    ("django/forms", "forms"),
    ("django/db", "ORM"),
    ("psycopg", "driver"),
    ("django/utils/translation", "i18n"),
    ("django/urls", "URLs"),
    ("django/contrib/sessions", "sessions"),
    ("django/contrib/auth", "auth"),
    ("django/middleware", "middleware"),
    ("django/test", "test client"),
    ("django/", "django, other"),
    ("site-packages", "libraries"),
    (str(ROOT), "project"),
    ("~", "builtins"),
]


def profile_pages(tracker: User, paths: dict[str, str], n: int) -> None:
    """Each page n times through the test client (all the middleware, a real session): the CPU
    time of this process per request (PostgreSQL's own time is not in it), the template nodes
    rendered, queries and bytes; a cProfile of each page's n requests goes to $TMPDIR/<db>-profiles/."""
    import cProfile
    import pstats

    from django.template import base as template_base

    nodes = [0]
    render_annotated = template_base.Node.render_annotated

    def counting(self, context):
        nodes[0] += 1
        return render_annotated(self, context)

    out = Path(tempfile.gettempdir()) / f"{DB_NAME}-profiles"
    out.mkdir(exist_ok=True)
    client = Client()
    client.force_login(tracker)

    def get(path: str) -> int:
        response = client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (path, response.status_code)
        return len(body)

    say(f"\nIn process, {n} requests each (CPU ms of this process per request; min of 3 passes):")
    say("| page | CPU ms | / floor | Python calls | / floor | template nodes | queries | KiB | where (profiled) |")
    say("|---|---|---|---|---|---|---|---|---|")
    floor_ms = floor_calls = None
    for name, path in ({"floor": FLOOR} | paths).items():
        for _ in range(3):
            get(path)  # warm: templates, URL resolver, connection
        template_base.Node.render_annotated = counting
        nodes[0] = 0
        with CaptureQueriesContext(connection) as q:
            size = get(path)
        queries = len(q)  # now: the next request's request_started empties the log
        template_base.Node.render_annotated = render_annotated
        passes = []
        for _ in range(3):
            start = time.process_time()
            for _ in range(n):
                get(path)
            passes.append((time.process_time() - start) * 1000 / n)
        ms = min(passes)
        floor_ms = floor_ms or ms
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            get(path)
        profiler.disable()
        slug = "".join(c if c.isalnum() else "-" for c in name).strip("-")
        stats = pstats.Stats(profiler)
        calls = stats.total_calls / n  # deterministic, unlike the CPU time on a shared machine
        floor_calls = floor_calls or calls
        where = Counter()
        for (filename, _line, _function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
            where[next((area for key, area in AREAS if key in filename), "other")] += tottime
        total = sum(where.values()) or 1
        with open(out / f"{slug}.txt", "w") as f:
            f.write(" · ".join(f"{area} {t / total:.0%}" for area, t in where.most_common()) + "\n\n")
            pstats.Stats(profiler, stream=f).sort_stats("cumulative").print_stats(60)
            pstats.Stats(profiler, stream=f).sort_stats("tottime").print_stats(40)
        say(
            f"| {name} | {ms:.2f} | {ms / floor_ms:.1f}x | {calls:,.0f} | {calls / floor_calls:.1f}x | {nodes[0]:,} "
            f"| {queries} | {size / 1024:,.0f} | {', '.join(f'{a} {t / total:.0%}' for a, t in where.most_common(3))} |"
        )


if args.profile:
    profile_pages(large["tracker"], PAGES, args.profile)
    redis_server.stop()
    connection.close()
    raise SystemExit(0)

# --- gunicorn, a real sign-in, the timed rounds ----------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, workers: int, env: dict | None = None):
        self.port = free_port()
        command = [str(Path(sys.executable).parent / "gunicorn"), "tracking.wsgi:application"]
        command += ["--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]
        command += ["--backlog", "2048", "--timeout", "120"]
        env = os.environ | ENV | (env or {})
        self.process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
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


PORT = [0]


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


class _CsrfField(HTMLParser):
    token = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrfmiddlewaretoken":
            self.token = attrs.get("value", "")


def sign_in(email: str) -> str:
    """The login form, as a browser fills it: the session cookie it sets."""
    status, body, headers = request(reverse("login"), None)
    jar = SimpleCookie()
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    form = _CsrfField()
    form.feed(body.decode())
    cookie = "; ".join(f"{k}={m.value}" for k, m in jar.items())
    status, body, headers = request(
        reverse("login"),
        cookie,
        "POST",
        urlencode({"csrfmiddlewaretoken": form.token, "username": email, "password": PASSWORD}),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    for name, value in headers:
        if name.lower() == "set-cookie":
            jar.load(value)
    assert status == 302 and "sessionid" in jar, f"sign-in failed: HTTP {status}"
    return "; ".join(f"{k}={m.value}" for k, m in jar.items())


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else float("nan")


say(f"\nTimed rounds: gunicorn, {args.workers} sync workers, DEBUG off; {args.rounds} interleaved rounds.")
say(f"  floor: {floor_note}")
load_timed = os.getloadavg()
say(f"  load average before the rounds {load_timed[0]:.2f} {load_timed[1]:.2f} {load_timed[2]:.2f}")
targets = {"floor": FLOOR} | PAGES
expected = {"floor": 200 if FLOOR != "/b/0/members/" else 404}


def timed_rounds(rounds: int, env: dict | None = None) -> tuple[dict[str, list[float]], str]:
    """`rounds` interleaved rounds of every page and the floor on a new gunicorn: the wall
    time of each request, and what was done."""
    server = Server(args.workers, env)
    atexit.register(server.stop)
    PORT[0] = server.port
    cookie = sign_in(large["tracker"].email)
    for name, path in targets.items():  # warm up every worker: templates, URL resolver
        for _ in range(2 * args.workers):
            status, _body, _ = request(path, cookie)
        if status != expected.get(name, 200):
            say(f"  WARNING: {name} ({path}) answers HTTP {status}")
    times: dict[str, list[float]] = defaultdict(list)
    order = list(targets)
    shuffle = random.Random(12)
    rounds_start, rounds_done = time.perf_counter(), 0
    for _ in range(rounds):
        if time.perf_counter() - rounds_start > args.rounds_cap:
            break
        rounds_done += 1
        shuffle.shuffle(order)
        for name in order:
            start = time.perf_counter()
            request(targets[name], cookie)
            times[name].append((time.perf_counter() - start) * 1000)
    server.stop()
    note = f"{rounds_done} rounds in {time.perf_counter() - rounds_start:.0f} s"
    if rounds_done < rounds:
        note += f" (stopped at the {args.rounds_cap:.0f} s cap, of {rounds} asked)"
    say(f"  {note}")
    return times, note


times, rounds_note = timed_rounds(args.rounds)

floor_p50, floor_p95 = pct(times["floor"], 50), pct(times["floor"], 95)
TABLE = [("floor", "", "", floor_p50, floor_p95, 1.0)]
for name in PAGES:
    p50, p95 = pct(times[name], 50), pct(times[name], 95)
    TABLE.append((name, queries_small[name][0], queries_large[name][0], p50, p95, p95 / floor_p95))


def print_table() -> None:
    say(f"\n{rounds_note}, gunicorn {args.workers} workers")
    say("\n| page | queries small | queries large | p50 ms | p95 ms | p95 / floor |")
    say("|---|---|---|---|---|---|")
    for name, queries_s, queries_l, p50, p95, ratio in TABLE:
        say(f"| {name} | {queries_s} | {queries_l} | {p50:,.0f} | {p95:,.0f} | {ratio:.1f}x |")


print_table()

# --- Load: users in threads, each on its own connection per request --------------------------


def write_request(rng: random.Random, n: int) -> tuple[str, str]:
    """A result logged on one of the first business's active actions, as the results page posts it."""
    action = rng.choice(WRITABLE)
    body = {f"l{action}-status": rng.choice(["todo", "doing"]), f"l{action}-result_note": f"load {n}"}
    return reverse("sprints:action_log", args=[large["companies"][0].pk, action]), urlencode(body)


WRITABLE = list(Action.objects.filter(sprint=large["active"][large["companies"][0].pk]).values_list("pk", flat=True))


def load_run(workers: int) -> dict:
    server = Server(workers)
    PORT[0] = server.port
    cookie = sign_in(large["tracker"].email)
    post_headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": SimpleCookie(cookie)["csrftoken"].value,
        "HX-Request": "true",
    }
    mix = list(PAGES.values())
    latencies: list[float] = []
    writes = [0]
    errors: Counter = Counter()
    lock = threading.Lock()
    stop_at = time.perf_counter() + args.seconds
    load_before = os.getloadavg()[0]

    def user(n: int) -> None:
        rng = random.Random(n)
        time.sleep(rng.uniform(0, min(1.0, args.think_time or 0.2)))  # not all at the same instant
        sent = 0
        while time.perf_counter() < stop_at:
            write = args.writes and rng.random() < args.writes
            path, body = write_request(rng, n * 100_000 + sent) if write else (rng.choice(mix), None)
            sent += 1
            start = time.perf_counter()
            try:
                status, _, _ = request(path, cookie, *(("POST", body, post_headers) if write else ()))
                error = None if status == 200 else f"HTTP {status}"
            except OSError as exc:
                error = type(exc).__name__
            took = (time.perf_counter() - start) * 1000
            with lock:
                writes[0] += bool(write)
                if error:
                    errors[error] += 1
                else:
                    latencies.append(took)
            if args.think_time:
                time.sleep(rng.uniform(0.5, 1.5) * args.think_time)

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(args.users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=args.seconds + 180)
    elapsed = time.perf_counter() - started
    server.stop()
    return {
        "workers": workers,
        "rps": len(latencies) / elapsed,
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "kinds": dict(errors),
        "load": load_before,
        "writes": writes[0],
    }


LOAD = []
for workers in [int(w) for w in args.load_workers.split(",") if w.strip()]:
    think = f"think time {args.think_time:g} s" if args.think_time else "no think time"
    if args.writes:
        think += f", {args.writes:.0%} of the requests log a result (POST)"
    say(f"\nLoad: {args.users} users for {args.seconds:.0f} s, {think}, gunicorn {workers} sync workers …")
    result = load_run(workers)
    LOAD.append(result)
    say(
        f"  {result['rps']:.1f} requests/s, p50 {result['p50']:,.0f} ms, p95 {result['p95']:,.0f} ms, "
        f"p99 {result['p99']:,.0f} ms, {result['ok']:,} answered ({result['writes']:,} writes), "
        f"{result['errors']} errors {result['kinds'] or ''}"
        f" (load average before {result['load']:.2f})"
    )

say(f"\nSummary ({os.cpu_count()} CPUs, whole run {time.perf_counter() - start_all:.0f} s)")
say(f"  data: {counts()}")
say(f"  load average at start {load_at_start[0]:.2f}, before the rounds {load_timed[0]:.2f}; floor: {floor_note}")
print_table()
if LOAD:
    think = f"{args.think_time:g} s think time" if args.think_time else "no think time"
    think += f", {args.writes:.0%} writes" if args.writes else ""
    say(
        f"\n| load, {args.users} users, {args.seconds:.0f} s, {think} "
        "| requests/s | p50 ms | p95 ms | p99 ms | errors |"
    )
    say("|---|---|---|---|---|---|")
    for r in LOAD:
        say(
            f"| {r['workers']} workers (load avg {r['load']:.1f}) | {r['rps']:.1f} | {r['p50']:,.0f} | "
            f"{r['p95']:,.0f} | {r['p99']:,.0f} | {r['errors']} |"
        )
redis_server.stop()
connection.close()
