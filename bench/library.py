"""Learnings-library benchmark: a search over 20,000 decided hypotheses answers in
under 100 ms of server time on PostgreSQL.

    cd /work/main && .venv/bin/python bench/library.py         # 20,000 hypotheses, ~2 minutes
    .venv/bin/python bench/library.py --quick                  # 2,000, a smoke run
    .venv/bin/python bench/library.py --help

It runs on its own PostgreSQL database, `bench_library` (dropped, created and migrated on every
run; never the test or development one), and a private redis-server on a free port. One
tracker belongs to every business; their decided hypotheses are written by bulk_create in
Russian and English from a small vocabulary, so a search matches a realistic share of them.
Server time is the time Django takes to answer the request in this process (the test client:
middleware, view, queries, template), measured in interleaved rounds; the median and the 95th
percentile per search are printed, with the load average before and after.
"""

import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import arguments, private_services, say  # noqa: E402

BAR_MS = 100

parser = arguments(__doc__, db="bench_library")
parser.add_argument("--hypotheses", type=int, default=20_000, help="decided hypotheses in all")
parser.add_argument("--businesses", type=int, default=40, help="businesses of the tracker")
parser.add_argument("--rounds", type=int, default=30, help="interleaved rounds of every search")
parser.add_argument("--quick", action="store_true", help="a smoke run: 2,000 hypotheses, 5 rounds")
args = parser.parse_args()
if args.quick:
    args.hypotheses, args.rounds = 2_000, 5


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


say(f"Learnings library: {args.hypotheses} decided hypotheses in {args.businesses} businesses")
say(f"  load average at start: {load_average()} ({os.cpu_count()} CPUs)")

private_services(args.db, DJANGO_DEBUG="0")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from hypotheses.models import Hypothesis  # noqa: E402
from tracking.models import Company, Constraint, ConstraintArea, Membership, Role, User  # noqa: E402

assert connection.settings_dict["NAME"] == args.db

RU_SUBJECTS = [
    "Гарантия возврата денег",
    "Замер в день звонка",
    "Бесплатный дизайн-проект",
    "Скидка за быстрый заказ",
    "Доставка в тот же день",
    "Рассрочка без переплаты",
    "Отзывы клиентов на сайте",
    "Звонок горячим лидам в течение часа",
    "Подписка на обслуживание",
    "Рекомендации от прорабов",
]
RU_LEARNINGS = [
    "Клиенты выбирали по скорости, а не по цене",
    "Гарантия сняла страх переплатить",
    "Скидка не сдвинула конверсию",
    "Замерщик в день звонка удвоил заказы",
    "Доставка оказалась узким местом",
    "Рассрочку почти никто не взял",
]
EN_SUBJECTS = [
    "Money-back guarantee",
    "Same-day measuring visit",
    "Free design project",
    "Discount for a quick order",
    "Same-day delivery",
    "Refill e-mail two weeks after the first order",
    "Loyalty stamp card",
    "Bean subscription at checkout",
    "Text reminders before appointments",
    "Referral bonus for existing customers",
]
EN_LEARNINGS = [
    "Customers chose by speed, not price",
    "The guarantee removed the fear of overpaying",
    "The discount did not move conversion",
    "Subscriptions doubled repeat orders",
    "Delivery turned out to be the bottleneck",
    "Nobody used the referral bonus",
]
SEARCHES = [
    {"q": "гарантию"},
    {"q": "замеры звонок"},
    {"q": "скидки", "verdict": "refuted"},
    {"q": "guarantees"},
    {"q": "subscription orders", "kind": "innovation"},
    {"q": "delivery", "area": "conversion"},
    {},
]


def build() -> User:
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    tracker = User.objects.create_user("tracker@bench.example", "bench-library-password", full_name="Tracker")
    companies = Company.objects.bulk_create(Company(name=f"Business {n}") for n in range(args.businesses))
    Membership.objects.bulk_create(
        Membership(user=tracker, company=c, role=Role.TRACKER, accepted_at=datetime.now(UTC)) for c in companies
    )
    areas = ConstraintArea.values
    constraints = Constraint.objects.bulk_create(
        Constraint(
            company=c, title=f"Constraint of {c.name}", area=areas[n % len(areas)], started_on=datetime.now(UTC).date()
        )
        for n, c in enumerate(companies)
    )
    rng = random.Random(15)
    now = datetime.now(UTC)
    rows = []
    for n in range(args.hypotheses):
        russian = n % 2 == 0
        subject = rng.choice(RU_SUBJECTS if russian else EN_SUBJECTS)
        learning = rng.choice(RU_LEARNINGS if russian else EN_LEARNINGS)
        verdict = rng.choice(("confirmed", "refuted", "inconclusive"))
        index = n % args.businesses
        rows.append(
            Hypothesis(
                company=companies[index],
                constraint=constraints[index],
                kind=rng.choice(("innovation", "breakthrough")),
                title=f"{subject} {n}",
                statement=f"{subject}: {learning.lower()} ({n})",
                status=verdict,
                verdict=verdict,
                measured_value=n % 97,
                learning=learning,
                decided_at=now - timedelta(hours=n),
            )
        )
    Hypothesis.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    say(f"  built in {time.monotonic() - started:.1f} s")
    return tracker


def timed(client: Client, url: str, params: dict) -> float:
    started = time.perf_counter()
    response = client.get(url, params)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed


def main() -> None:
    tracker = build()
    client = Client()
    client.force_login(tracker)
    library, tried = reverse("hypotheses:library"), reverse("hypotheses:tried_before")
    cases = [("library", library, params) for params in SEARCHES] + [
        ("tried before", tried, {"title": "Гарантия возврата"}),
        ("tried before", tried, {"title": "Money back guarantee"}),
    ]
    for _name, url, params in cases:  # warm: connection, templates, plans
        timed(client, url, params)
    times: dict[int, list[float]] = {n: [] for n in range(len(cases))}
    for _round in range(args.rounds):
        for n, (_name, url, params) in enumerate(cases):
            times[n].append(timed(client, url, params))
    say(f"  {args.rounds} rounds; server time per request (ms), median / p95; bar {BAR_MS} ms")
    worst = 0.0
    for n, (name, _url, params) in enumerate(cases):
        values = sorted(times[n])
        median = statistics.median(values)
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        worst = max(worst, median)
        shown = " ".join(f"{k}={v}" for k, v in params.items()) or "(no search)"
        say(f"  {name:13} {shown:45} {median:7.1f} / {p95:7.1f}")
    verdict = "OK" if worst < BAR_MS else f"OVER the {BAR_MS} ms bar"
    say(f"  slowest median {worst:.1f} ms: {verdict}")
    say(f"  load average at end: {load_average()}")


main()
