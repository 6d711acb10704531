"""API benchmark: the PUT of weekly metric values, the writes a CRM or a script sends
all day, against an authenticated API 404 timed in the same rounds, on gunicorn with 4 sync
workers and PostgreSQL; then as many PUTs as 16 clients get through, for the requests a
second. Bars: the PUT's p95 within 2x the 404's, and at least 300 requests a second.

    cd /work/main && .venv/bin/python bench/api.py            # ~2 minutes
    .venv/bin/python bench/api.py --help                      # sizes, rounds, load

It runs on its own database, `bench_api` (dropped, created and migrated on every run), a
private redis-server, and gunicorn in production mode (settings `tests.settings`) with the
token throttle raised out of the way (the benchmark measures the work, not the limit).
"""

import json
import os
import random
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Server, arguments, pct, private_services, request, say, starting_load

parser = arguments(__doc__, db="bench_api")
parser.add_argument("--businesses", type=int, default=50, help="businesses, each with a token and metrics")
parser.add_argument("--metrics", type=int, default=10, help="metrics of each business")
parser.add_argument("--weeks", type=int, default=150, help="weeks of values each metric has already")
parser.add_argument("--rounds", type=int, default=400, help="interleaved rounds: a PUT and a 404 each")
parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
parser.add_argument("--clients", type=int, default=16, help="concurrent clients of the load run")
parser.add_argument("--seconds", type=int, default=20, help="length of the load run")
args = parser.parse_args()

P95_BAR, RPS_BAR = 2.0, 300.0
load_at_start = starting_load()

services = private_services(args.db, DJANGO_DEBUG="0", API_THROTTLE_PER_MINUTE="100000000")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from tracking.api.models import Scope  # noqa: E402
from tracking.api.services import api_token_create  # noqa: E402
from tracking.models import Company, Membership, Metric, MetricValue, Role, User  # noqa: E402
from tracking.weeks import current_week_start  # noqa: E402

say(f"Database {args.db}: migrate …")
call_command("migrate", verbosity=0, interactive=False)
started = time.perf_counter()
tracker = User.objects.create_user(email="api-tracker@bench.test", password=None, full_name="API tracker")
tokens, metrics = [], []
for n in range(args.businesses):
    company = Company.objects.create(name=f"API business {n:02d}", timezone="Europe/Moscow")
    membership = Membership.objects.create(company=company, user=tracker, role=Role.TRACKER, accepted_at=timezone.now())
    own = Metric.objects.bulk_create(Metric(company=company, name=f"Metric {m}") for m in range(args.metrics))
    this_week = current_week_start(company)
    MetricValue.objects.bulk_create(
        MetricValue(metric=metric, week_start=this_week - timedelta(weeks=w), value=w)
        for metric in own
        for w in range(1, args.weeks + 1)
    )
    issued = api_token_create(by=membership, name="bench", scopes=[Scope.METRICS_WRITE, Scope.READ])
    tokens.append(issued.plaintext)
    metrics.append([(metric.pk, this_week) for metric in own])
say(
    f"  built in {time.perf_counter() - started:.0f} s: {args.businesses} businesses, "
    f"{args.businesses * args.metrics} metrics, {MetricValue.objects.count():,} weekly values"
)
rng = random.Random(7)


def put(token: str, metric_id: int, week, value: float) -> tuple[int, bytes]:
    status, body, _ = request(
        f"/api/v1/metrics/{metric_id}/values/{week.isoformat()}",
        None,
        "PUT",
        json.dumps({"value": value}),
        {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    return status, body


def not_found(n: int) -> int:
    """Business n's token asking for a metric of the next business: the token, the throttle and
    the access check that finds no metric of its business (an id no metric can have, like 0, is
    refused before the database is asked)."""
    other = metrics[(n + 1) % args.businesses][0][0]
    return request(f"/api/v1/metrics/{other}", None, headers={"Authorization": f"Bearer {tokens[n]}"})[0]


def a_put() -> tuple[str, int, object, float]:
    """A token, one of its metrics, a week of the last 20 and a value (a new value or the same)."""
    n = rng.randrange(args.businesses)
    metric_id, this_week = rng.choice(metrics[n])
    return tokens[n], metric_id, this_week - timedelta(weeks=rng.randrange(20)), rng.choice([1, 2.5, 40, 1234.5])


# The floor's 404s are expected in the log (the PUTs' statuses are asserted).
server = Server(args.workers, services.env, quiet="Not Found: /api/v1/metrics/")
try:
    for _ in range(20):  # every worker warm
        put(*a_put())
        not_found(0)
    times: dict[str, list[float]] = {"put": [], "404": []}
    statuses: dict[str, set[int]] = {"put": set(), "404": set()}
    for _ in range(args.rounds):
        order = ["put", "404"]
        rng.shuffle(order)
        for kind in order:
            t0 = time.perf_counter()
            status = put(*a_put())[0] if kind == "put" else not_found(rng.randrange(args.businesses))
            times[kind].append((time.perf_counter() - t0) * 1000)
            statuses[kind].add(status)
    done, errors, stop_at = [0], [0], time.monotonic() + args.seconds
    lock = threading.Lock()

    def client(seed: int) -> None:
        own = random.Random(seed)
        while time.monotonic() < stop_at:
            n = own.randrange(args.businesses)
            metric_id, this_week = own.choice(metrics[n])
            week = this_week - timedelta(weeks=own.randrange(20))
            try:
                ok = put(tokens[n], metric_id, week, own.choice([1, 2.5, 40]))[0] == 200
            except OSError:
                ok = False
            with lock:
                done[0] += ok
                errors[0] += not ok

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(seed,)) for seed in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
finally:
    server.stop()
    services.redis.stop()

load_at_end = os.getloadavg()
floor_p95, put_p95 = pct(times["404"], 95), pct(times["put"], 95)
rps = done[0] / elapsed
assert statuses == {"put": {200}, "404": {404}}, statuses
rows = [
    "| request | p50 ms | p95 ms | p95 / 404 | bar |  |",
    "|---|---|---|---|---|---|",
    "| authenticated API 404 (GET /api/v1/metrics/{id}, another business's metric) | "
    f"{pct(times['404'], 50):.1f} | {floor_p95:.1f} | 1.00x |  |  |",
    f"| PUT /api/v1/metrics/{{id}}/values/{{week}} | {pct(times['put'], 50):.1f} | {put_p95:.1f} | "
    f"{put_p95 / floor_p95:.2f}x | ≤ {P95_BAR:g}x | {'PASS' if put_p95 <= P95_BAR * floor_p95 else '**MISS**'} |",
    "",
    "| load | requests | requests/s | errors | bar |  |",
    "|---|---|---|---|---|---|",
    f"| {args.clients} clients, {args.seconds} s of PUTs | {done[0]:,} | {rps:,.0f} | {errors[0]} | "
    f"≥ {RPS_BAR:g}/s, 0 errors | {'PASS' if rps >= RPS_BAR and not errors[0] else '**MISS**'} |",
]
say(
    f"\n## make bench-api\n\n{args.businesses} businesses × {args.metrics} metrics × {args.weeks} weeks of values; "
    f"gunicorn tracking.site.wsgi, {args.workers} sync workers, DEBUG off (tests.settings), {os.cpu_count()} CPUs, "
    f"PostgreSQL; {args.rounds} interleaved rounds, one request at a time on a new connection. Load average "
    f"{load_at_start[0]:.2f} at the start, {load_at_end[0]:.2f} at the end.\n"
)
say("\n".join(rows))
(Path(__file__).resolve().parents[1] / "artifacts").mkdir(exist_ok=True)
(Path(__file__).resolve().parents[1] / "artifacts" / "bench-api.md").write_text("\n".join(rows) + "\n")
