"""Page benchmark (DESIGN.md §8): what people do, at the large data set, as multiples of a
floor (a signed-in 404) timed in the same rounds — every page cold, a save and then the view, a
colleague's first view after it, every htmx save's answer — with the bars they must stay within
and PASS/MISS; queries per page on small and large data; 100 users with 5 s of think time and
10 % writes, and with none. One markdown table per kind, also in artifacts/bench-pages.md.

    cd /work/main && .venv/bin/python bench/pages.py          # the full size, ~5 minutes (≤ 10)
    .venv/bin/python bench/pages.py --quick                   # a smoke run, ~1 minute
    .venv/bin/python bench/pages.py --help                    # sizes, rounds, load

It runs on its own PostgreSQL database, `bench_pages` (dropped, created and migrated on every
run; never the test or development one), a private redis-server on a free port (the cache and
the login throttle), and gunicorn in production mode (settings `tests.settings`: DEBUG off, a
test secret, plain HTTP) on a free port. See bench/README.md for what is measured.
"""

import atexit
import json
import os
import random
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

from bench.common import PORT, Server, arguments, pct, private_services, request, say, starting_load  # noqa: E402

PASSWORD = "bench-pages-password"
BATCH = 5000

parser = arguments(__doc__, db="bench_pages")
parser.add_argument("--businesses", type=int, default=50, help="businesses of the tracker")
parser.add_argument("--weeks", type=int, default=152, help="closed weekly sprints of each business")
parser.add_argument("--actions", type=int, default=15, help="actions of each closed sprint")
parser.add_argument("--hypotheses", type=int, default=400, help="hypotheses of each business")
parser.add_argument("--open", type=int, default=121, help="… of them open (idea, ready, testing)")
parser.add_argument("--metrics", type=int, default=10, help="metrics of each business, a value every week")
parser.add_argument(
    "--rounds",
    type=int,
    default=120,
    help="shuffled rounds, each: every page cold, every htmx save with the views after it, the floor 3 times",
)
parser.add_argument(
    "--rounds-cap", type=float, default=300, help="seconds at most for the rounds (fewer rounds are then said)"
)
parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers for the timed rounds")
parser.add_argument(
    "--load-workers", default="2", help="gunicorn workers of the load runs, comma-separated ('' skips the load)"
)
parser.add_argument("--users", type=int, default=100, help="concurrent users of each load run")
parser.add_argument("--seconds", type=float, default=60, help="length of each load run")
parser.add_argument(
    "--writes",
    type=float,
    default=0.1,
    help="share of the load's requests that are htmx saves (board row, results row, session row, metric values)",
)
parser.add_argument(
    "--think-time",
    type=float,
    default=5,
    help="seconds each user waits between requests in the first load run (each wait 0.5-1.5x of it); "
    "a second run has none",
)
parser.add_argument("--quick", action="store_true", help="a smoke run: small data, 10 rounds, 10 s of each load")
parser.add_argument("--reuse", action="store_true", help="keep the database of an earlier run with the same --db")
parser.add_argument(
    "--profile",
    type=int,
    default=0,
    metavar="N",
    help="no server: N requests of every page in this process; CPU ms per request, template nodes, "
    "queries and bytes, and a cProfile of each page in $TMPDIR/<db>-profiles/ (then stop)",
)
parser.add_argument(
    "--only",
    default="",
    metavar="WORDS",
    help="with --profile: only the pages whose name holds one of these comma-separated words (e.g. 'session,board')",
)
args = parser.parse_args()
DB_NAME = args.db
if args.quick:
    args.businesses, args.weeks, args.hypotheses, args.open = 5, 12, 60, 20
    args.rounds, args.users, args.seconds = 10, 20, 10
args.businesses = max(args.businesses, 2)
args.open = min(args.open, args.hypotheses)


load_at_start = starting_load()

# --- A private Redis and our own database, before Django reads its settings ------------------

services = private_services(
    DB_NAME,
    reuse=args.reuse,
    DJANGO_DEBUG="0",
    # One cache (the sign-in throttle) for this process and every gunicorn worker.
    CACHE_KEY_PREFIX=f"bench-{DB_NAME}-{os.getpid()}",
    # No sign-in is refused: the benchmark signs in once per server, but reruns add up.
    LOGIN_THROTTLE_PER_ADDRESS="1000",
    LOGIN_THROTTLE_PER_ACCOUNT="1000",
)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

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


def build_more(data: dict, weeks: int) -> None:
    """What three years leave on the other pages, per business: the main constraints closed
    before (one a quarter) and the active one's why-chain, goals (a year, its quarters and
    months, each year), metrics 1-5 as funnel stages with falling weekly values, unit economics
    with a snapshot a month, and customer development: 8 tags, 3 scripts, an interview a week
    with 3 tagged quotes, 10 insights."""
    from tracking.custdev.models import Commitment, Highlight, Insight, Interview, Script, Tag
    from tracking.models import ConstraintStatus, Goal, Horizon, WhyStep
    from tracking.toolkit.models import Snapshot, UnitEconomics

    companies, tracker = data["companies"], data["tracker"]
    ids = [c.pk for c in companies]
    years = max(1, round(weeks / 52))
    Constraint.objects.bulk_create(
        [
            Constraint(
                company=c,
                title=f"Constraint of quarter {q}: too few repeat sales",
                status=ConstraintStatus.RESOLVED if q % 3 else ConstraintStatus.DROPPED,
                started_on=TODAY - timedelta(days=91 * (q + 1) + 60),
                closed_on=TODAY - timedelta(days=91 * q + 61),
                closing_note="Repeat sales doubled after the loyalty card.",
            )
            for c in companies
            for q in range(max(1, weeks // 13))
        ],
        batch_size=BATCH,
    )
    active = {k.company_id: k for k in Constraint.objects.filter(company_id__in=ids, status=ConstraintStatus.ACTIVE)}
    WhyStep.objects.bulk_create(
        [
            WhyStep(
                constraint=active[i],
                position=p,
                answer=f"Because step {p}: the offer is not clear",
                is_root_cause=p == 4,
            )
            for i in ids
            for p in range(1, 5)
        ],
        batch_size=BATCH,
    )
    metric_of = {
        (m.company_id, m.name): m.pk for m in Metric.objects.filter(company_id__in=ids).only("pk", "company_id", "name")
    }
    goals = []

    def first_of(year: int, month: int):  # the first day of a month; month 13 is next January
        return TODAY.replace(year=year + (month > 12), month=(month - 1) % 12 + 1, day=1)

    def goal(company, horizon, title: str, year: int, month: int, months: int, **measure) -> Goal:
        """A goal over `months` whole months from the first of `month`; `measure`: its metric and target."""
        return Goal(
            company=company,
            horizon=horizon,
            title=title,
            starts_on=first_of(year, month),
            due_on=first_of(year, month + months) - timedelta(days=1),
            **measure,
        )

    for c in companies:
        key = metric_of[c.pk, "Metric 0"]
        for y in range(TODAY.year - years + 1, TODAY.year + 1):
            goals.append(goal(c, Horizon.YEAR, f"Year {y}: double the revenue", y, 1, 12))
            for m in range(1, 13):
                title = f"{y}-{m:02d}: 15 new customers"
                goals.append(goal(c, Horizon.MONTH, title, y, m, 1, metric_id=key, target=Decimal(40)))
                if m % 3 == 1:
                    title = f"Q{m // 3 + 1} {y}: 40 new customers"
                    goals.append(goal(c, Horizon.QUARTER, title, y, m, 3, metric_id=key, target=Decimal(100)))
    Goal.objects.bulk_create(goals, batch_size=BATCH)
    for k in range(1, 6):
        Metric.objects.filter(company_id__in=ids, name=f"Metric {k}").update(funnel_stage=k)
    with connection.cursor() as cursor:  # a funnel: each stage about a third of the one above
        cursor.execute(
            f"UPDATE {MetricValue._meta.db_table} v SET value = round(3000 / power(3, m.funnel_stage - 1) "
            f"* (0.85 + (v.id %% 7) / 20.0)) FROM {Metric._meta.db_table} m "
            "WHERE v.metric_id = m.id AND m.funnel_stage IS NOT NULL AND m.company_id = ANY(%s)",
            [ids],
        )
    inputs = dict(
        ua=Decimal(1000),
        c1=Decimal(5),
        avg_price=Decimal(3000),
        cogs=Decimal(1200),
        apc=Decimal("1.4"),
        cpa=Decimal(80),
        fixed_costs=Decimal(50000),
    )
    UnitEconomics.objects.bulk_create(
        [
            UnitEconomics(company=c, ua_metric_id=metric_of[c.pk, "Metric 1"], updated_by=tracker, **inputs)
            for c in companies
        ]
    )
    Snapshot.objects.bulk_create(
        [
            Snapshot(
                company=c,
                label=f"Month {m}",
                taken_on=TODAY - timedelta(days=30 * m),
                created_by=tracker,
                **inputs | {"ua": Decimal(900 + 10 * m)},
            )
            for c in companies
            for m in range(max(1, weeks * 12 // 52))
        ],
        batch_size=BATCH,
    )
    owner_of = dict(
        Membership.objects.filter(company_id__in=ids, role=Role.ENTREPRENEUR).values_list("company_id", "pk")
    )
    tags = Tag.objects.bulk_create(
        [
            Tag(company=c, name=f"tag {t}: {word}")
            for c in companies
            for t, word in enumerate(["price", "delivery", "trust", "time", "quality", "support", "choice", "habit"])
        ],
        batch_size=BATCH,
    )
    tags_of = defaultdict(list)
    for tag in tags:
        tags_of[tag.company_id].append(tag)
    scripts = Script.objects.bulk_create(
        [
            Script(
                company=c,
                constraint=active[c.pk],
                title=f"Script {s}: why customers leave",
                goal="Why they leave",
                segment="Small shops",
                questions="When did it last happen?\nWhat did you do then?\nWhat did it cost?",
                author=tracker,
            )
            for c in companies
            for s in range(3)
        ],
        batch_size=BATCH,
    )
    commitments = list(Commitment.values)
    interviews = Interview.objects.bulk_create(
        [
            Interview(
                company=c,
                script=scripts[3 * i + w % 3],
                held_on=THIS_MONDAY - timedelta(weeks=w),
                interviewee_name=f"Customer {w}",
                segment="Small shops",
                interviewee_role="Owner",
                interviewer_id=owner_of[c.pk],
                consent=True,
                story="Last Tuesday the delivery came two days late and the shop lost a weekend of sales.",
                current_solution="Calls three suppliers every week; about 4 hours.",
                tried="A second supplier",
                decision="The owner decides and pays",
                commitment=commitments[w % len(commitments)],
                author=tracker,
            )
            for i, c in enumerate(companies)
            for w in range(1, weeks + 1)
        ],
        batch_size=BATCH,
    )
    highlights = Highlight.objects.bulk_create(
        [
            Highlight(interview=v, position=p, quote=f"Quote {p}: I would pay more for delivery on time.")
            for v in interviews
            for p in range(3)
        ],
        batch_size=BATCH,
    )
    Highlight.tags.through.objects.bulk_create(
        [
            Highlight.tags.through(highlight_id=h.pk, tag_id=tags_of[h.interview.company_id][(h.pk * 3) % 8].pk)
            for h in highlights
        ],
        batch_size=BATCH,
    )
    insights = Insight.objects.bulk_create(
        [
            Insight(
                company=c,
                tag=tags_of[c.pk][n % 8],
                sentence=f"Insight {n}: late delivery costs them sales",
                people=5,
                author=tracker,
            )
            for c in companies
            for n in range(10)
        ],
        batch_size=BATCH,
    )
    quotes_of = defaultdict(list)
    for h in highlights:
        quotes_of[h.interview.company_id].append(h.pk)
    Insight.highlights.through.objects.bulk_create(
        [
            Insight.highlights.through(
                insight_id=s.pk, highlight_id=quotes_of[s.company_id][(5 * n + s.pk) % len(quotes_of[s.company_id])]
            )
            for s in insights
            for n in range(5)
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


def counts() -> str:
    return ", ".join(
        f"{model.__name__} {model.objects.count():,}"
        for model in (Company, Sprint, Action, Hypothesis, MetricValue, Membership)
    )


def pages(data: dict) -> dict[str, str]:
    """The pages measured: name -> path, for one tracker's data."""
    first, second = data["companies"][:2]
    key_metric = Metric.objects.filter(company=first, is_key=True).values_list("pk", flat=True).first()
    return {
        "overview (business page)": reverse("tracking:company_detail", args=[first.pk]),
        "sprint board, 15 actions": reverse("sprints:board", args=[second.pk, data["active"][second.pk].pk]),
        f"sprint board, {BIG} actions": reverse("sprints:board", args=[first.pk, data["active"][first.pk].pk]),
        f"weekly session, {BIG} actions": reverse("sprints:session", args=[first.pk]),
        f"results, {BIG} actions": reverse("sprints:results", args=[first.pk]),
        f"hypothesis board, {args.hypotheses}": reverse("hypotheses:board", args=[first.pk]),
        f"portfolio, {args.businesses} businesses": reverse("tracking:portfolio"),
        f"history, {args.hypotheses - args.open} decided": reverse("hypotheses:history", args=[first.pk]),
        f"history CSV, {args.hypotheses} rows": reverse("hypotheses:history_csv", args=[first.pk]),
        f"metrics, {args.metrics}": reverse("tracking:metrics", args=[first.pk]),
        f"key metric, {args.weeks} weeks": reverse("tracking:metric_detail", args=[first.pk, key_metric]),
        "funnel, 5 stages": reverse("toolkit:funnel", args=[first.pk]),
        "unit economics": reverse("toolkit:unit_economics", args=[first.pk]),
        f"interviews, {args.weeks}": reverse("custdev:interviews", args=[first.pk]),
        f"library, {args.businesses} businesses": reverse("hypotheses:library"),
        "members": reverse("tracking:members", args=[first.pk]),
    }


def existing_tracker(email: str) -> dict:
    """What build_tracker returned, read back from a kept database (--reuse)."""
    tracker = User.objects.get(email=email)
    companies = list(Company.objects.filter(memberships__user=tracker).order_by("pk"))
    running = [SprintStatus.ACTIVE, SprintStatus.REVIEW]  # a run's session puts the first one into review
    active = {s.company_id: s for s in Sprint.objects.filter(company__in=companies, status__in=running)}
    return {"tracker": tracker, "companies": companies, "active": active}


BIG = 60
start_all = time.perf_counter()
if services.kept:
    call_command("migrate", verbosity=0, interactive=False)  # the checkout may have new migrations
    say(f"Database {DB_NAME}: kept from an earlier run (--reuse): {counts()}")
    small, large = existing_tracker("small@bench.test"), existing_tracker("tracker@bench.test")
else:
    say(f"Database {DB_NAME}: migrate …")
    call_command("migrate", verbosity=0, interactive=False)
    t0 = time.perf_counter()
    small = build_tracker("small@bench.test", 2, 3, 10, 4, (5, 3))
    large = build_tracker("tracker@bench.test", args.businesses, args.weeks, args.hypotheses, args.open, (BIG, 15))
    build_more(small, 3)
    build_more(large, args.weeks)
    say(f"  built in {time.perf_counter() - t0:.0f} s: {counts()} (the large tracker plus a small one of 2 businesses)")
    with connection.cursor() as cursor:
        # Fresh statistics and a visibility map, as autovacuum keeps them for a database that grew
        # over three years (without the map no scan is index-only: the library's count read the
        # whole hypotheses table, 12 ms instead of 1.5).
        cursor.execute("VACUUM (ANALYZE)")

# A business the reader is not a member of (the small tracker's): the access check asks the
# database and answers 404 on the base layout. (Not /b/0/: an id no business can have is
# refused before the database is asked, so it would time less than the access check.)
FLOOR = f"/b/{small['companies'][0].pk}/members/"
floor_note = (
    f"a signed-in 404 (GET {FLOOR}, another tracker's business: the session, the user, the access check, the 404 page)"
)
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


def _server_ms(statements: list[str], show: bool = False) -> float:
    """PostgreSQL's own time for these statements (planning and execution, by EXPLAIN ANALYZE,
    each the best of 5), which the CPU time of this process leaves out. Writes are not run."""
    total = 0.0
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            best = None
            for _ in range(5):
                cursor.execute("EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                ms = plan["Planning Time"] + plan["Execution Time"]
                best = ms if best is None else min(best, ms)
            total += best
            if show:
                say(f"    {best:6.2f} ms  {' '.join(sql.split())[:150]}")
    return total


def profile_pages(tracker: User, paths: dict[str, str], n: int) -> None:
    """Each page n times through the test client (all the middleware, a real session): the CPU
    time of this process per request (PostgreSQL's own time is not in it), the template nodes
    rendered, queries and bytes; a cProfile of each page's n requests goes to $TMPDIR/<db>-profiles/."""
    import cProfile
    import logging
    import pstats

    logging.getLogger("django.request").setLevel(logging.ERROR)  # the floor's 404s, hundreds of them

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
        assert response.status_code == (404 if path == FLOOR else 200), (path, response.status_code)
        return len(body)

    say(f"\nIn process, {n} requests each (CPU ms of this process per request; min of 3 passes):")
    say("| page | CPU ms | / floor | Python calls | / floor | template nodes | queries | SQL ms | KiB | where |")
    say("|---|---|---|---|---|---|---|---|---|---|")
    floor_ms = floor_calls = None
    for name, path in ({"floor": FLOOR} | paths).items():
        for _ in range(3):
            get(path)  # warm: templates, URL resolver, connection
        template_base.Node.render_annotated = counting
        nodes[0] = 0
        with CaptureQueriesContext(connection) as q:
            size = get(path)
        queries = len(q)  # now: the next request's request_started empties the log
        sql_ms = _server_ms([query["sql"] for query in q.captured_queries], show=bool(os.environ.get("BENCH_SHOW_SQL")))
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
        areas = ", ".join(f"{area} {t / total:.0%}" for area, t in where.most_common(3))
        say(
            f"| {name} | {ms:.2f} | {ms / floor_ms:.1f}x | {calls:,.0f} | {calls / floor_calls:.1f}x | {nodes[0]:,} "
            f"| {queries} | {sql_ms:.2f} | {size / 1024:,.0f} | {areas} |"
        )


if args.profile:
    wanted = [word.strip() for word in args.only.split(",") if word.strip()]
    chosen = {name: path for name, path in PAGES.items() if not wanted or any(w in name for w in wanted)}
    profile_pages(large["tracker"], chosen, args.profile)
    services.redis.stop()
    connection.close()
    raise SystemExit(0)

# --- gunicorn, a real sign-in, the timed rounds ----------------------------------------------


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


# --- What people do: every page cold, a save and the views after it, every htmx save's answer ----

BOARD_15, BOARD_BIG = "sprint board, 15 actions", f"sprint board, {BIG} actions"
SESSION, RESULTS = f"weekly session, {BIG} actions", f"results, {BIG} actions"
OVERVIEW, METRICS = "overview (business page)", f"metrics, {args.metrics}"
# What a page may cost, as multiples of the floor's p95 (the session's 60 rows and the board at 15
# have bars of their own), and the load's.
PAGE_BAR, SAVE_BAR, PAGE_BARS = 3.0, 2.5, {BOARD_15: 2.0, SESSION: 4.0}
THINK_P95_BAR, RPS_BAR = 150.0, 80.0
FLOORS_PER_ROUND = 3  # the floor is requested this many times in each shuffled round
HTMX = {"Content-Type": "application/x-www-form-urlencoded", "HX-Request": "true"}
REFUSED = (b'<p class="error">', b"has-error")  # an answer that says "not saved": a row's or a field's error
DATA_NOTE = (
    f"{args.businesses} businesses × {args.weeks} weeks{' (--quick: small data)' if args.quick else ''}: {counts()}"
)


def server_note(workers: int) -> str:
    return f"gunicorn tracking.site.wsgi, {workers} sync workers, DEBUG off (tests.settings), {os.cpu_count()} CPUs"


def email_of(role: str, company_index: int) -> str:
    """A person of the large tracker's business: "owner" (entrepreneur), "bob" (team lead), "ann"."""
    return f"tracker-{role}{company_index}@bench.test"


def number(value) -> str:
    """A decimal as a form field takes it: "0.5", not "0.50" (one decimal place at most)."""
    return f"{value.normalize():f}" if value is not None else ""


class Save:
    """An htmx save as its page posts it: `make(n)` gives the path and the fields of the n-th
    save (read from the database just before, so the row's version is the current one), `view`
    the page that is looked at after it (by the one who saved, then by `reader`)."""

    def __init__(self, name: str, make, view: str | None = None, reader: str | None = None):
        self.name, self.make, self.view, self.reader = name, make, view, reader


def _pool(model, **filters) -> list[int]:
    return list(model.objects.filter(**filters).order_by("pk").values_list("pk", flat=True))


def _board_row(company, pk: int, n: int, version: bool = True) -> tuple[str, dict]:
    a = Action.objects.values("owner_id", "estimate_hours", "cost", "hypothesis_id", "version").get(pk=pk)
    fields = {
        "title": f"Action {n}: call 40 customers about the offer",
        "owner": a["owner_id"],
        "estimate_hours": number(a["estimate_hours"]),
        "cost": number(a["cost"]),
        "hypothesis": a["hypothesis_id"] or "",
        "version": a["version"] if version else "",
    }
    return reverse("sprints:action_edit", args=[company.pk, pk]), {f"a{pk}-{k}": v for k, v in fields.items()}


def _result_row(pk: int, n: int, version: bool = True) -> dict:
    status, current = Action.objects.values_list("status", "version").get(pk=pk)
    fields = {
        "status": ActionStatus.DOING if status == ActionStatus.TODO else ActionStatus.TODO,
        "result_note": f"Called {n % 40 + 1} customers",
        "why_not_note": "",
        "version": current if version else "",
    }
    return {f"l{pk}-{k}": v for k, v in fields.items()}


def saves(data: dict) -> list[Save]:
    """Every htmx save of the pages people work on, in the first business (60 actions) and on
    the second's board (15 actions); each picks the next row of its own pool, round after round.
    A session row saved alone sends its own fields and `only`, as static/js/session.js does."""
    from tracking.models import WhyStep

    first, second = data["companies"][:2]
    sprint, sprint15 = data["active"][first.pk], data["active"][second.pk]
    running = [ActionStatus.TODO, ActionStatus.DOING]
    own = _pool(Action, sprint=sprint, status__in=running, owner__isnull=False)
    board15 = _pool(Action, sprint=sprint15, status__in=running, owner__isnull=False)
    testing = _pool(Hypothesis, company=first, status=Status.TESTING)
    plain = _pool(Metric, company=first, is_key=False, funnel_stage__isnull=True)  # metrics 6-9
    whys = _pool(WhyStep, constraint__company=first, constraint__status="active")
    owner0, owner1 = email_of("owner", 0), email_of("owner", 1)

    def at(pool: list[int], n: int) -> int:
        return pool[n % len(pool)]

    return [
        Save("board row, 15 actions", lambda n: _board_row(second, at(board15, n), n), BOARD_15, owner1),
        Save(f"board row, {BIG} actions", lambda n: _board_row(first, at(own[2::3], n), n), BOARD_BIG, owner0),
        Save(
            f"results row, {BIG} actions",
            lambda n: (
                reverse("sprints:action_log", args=[first.pk, at(own[0::3], n)]),
                _result_row(at(own[0::3], n), n),
            ),
            RESULTS,
            owner0,
        ),
        Save(
            "results: metric value",
            lambda n: (
                reverse("sprints:metric_log", args=[first.pk, at(plain, n)]),
                {f"m{at(plain, n)}-value": 50 + n % 40},
            ),
        ),
        Save(
            "results: measured value",
            lambda n: (
                reverse("sprints:hypothesis_measure", args=[first.pk, at(testing, n)]),
                {f"h{at(testing, n)}-measured": 40 + n % 30},
            ),
        ),
        Save(
            "session: result row",
            lambda n: (
                reverse("sprints:session_results", args=[first.pk]),
                {"only": at(own[1::3], n)} | _result_row(at(own[1::3], n), n),
            ),
            SESSION,
            owner0,
        ),
        Save(
            "session: verdict row (keep testing)",
            lambda n: (
                reverse("sprints:session_verdict", args=[first.pk, at(testing, n)]),
                {f"v{at(testing, n)}-decision": "keep"},
            ),
        ),
        Save(
            "session: metric value",
            lambda n: (
                reverse("sprints:session_metrics", args=[first.pk]),
                {"only": at(plain, n), f"m{at(plain, n)}-value": 60 + n % 40},
            ),
        ),
        Save(
            "metric value (metric page)",
            lambda n: (
                reverse("tracking:metric_value_record", args=[first.pk, at(plain, n)]),
                {"value": 70 + n % 40, "week": ""},
            ),
            METRICS,
            owner0,
        ),
        Save(
            "why-step (overview)",
            lambda n: (
                reverse("tracking:why_edit", args=[first.pk, at(whys, n)]),
                {f"s{at(whys, n)}-answer": f"Because ({n}): the offer is not clear"},
            ),
            OVERVIEW,
            owner0,
        ),
    ]


SAVES = saves(large)


def timed(path: str, cookie: str, body: dict | None = None) -> tuple[float, int, bytes]:
    """One GET, or an htmx POST of `body` with the session's CSRF token: (ms, status, body)."""
    extra = ()
    if body is not None:
        headers = HTMX | {"X-CSRFToken": SimpleCookie(cookie)["csrftoken"].value}
        extra = ("POST", urlencode(body), headers)
    start = time.perf_counter()
    status, answer, _ = request(path, cookie, *extra)
    return (time.perf_counter() - start) * 1000, status, answer


def work_rounds(rounds: int) -> dict:
    """`rounds` shuffled rounds on one gunicorn: the floor FLOORS_PER_ROUND times, every page
    cold (the tracker's GET), and every save (the tracker's htmx POST) followed, for those with
    a view, by the tracker's GET of the page and a colleague's first GET of it."""
    server = Server(args.workers, services.env, quiet=FLOOR)
    atexit.register(server.stop)
    tracker = large["tracker"].email
    cookies = {email: sign_in(email) for email in {tracker} | {s.reader for s in SAVES if s.reader}}
    me = cookies[tracker]
    steps = [("floor", None)] * FLOORS_PER_ROUND + [("page", n) for n in PAGES] + [("save", s) for s in SAVES]
    out = {k: defaultdict(list) for k in ("cold", "save", "after", "second", "size")}
    out["floor"], problems = [], Counter()
    n = 0

    def save(item: Save, record: bool) -> None:
        nonlocal n
        path, body = item.make(n)
        n += 1
        took, status, answer = timed(path, me, body)
        if status != 200 or any(mark in answer for mark in REFUSED):
            problem = f"{item.name}: HTTP {status}{' (refused)' if status == 200 else ''}"
            if not problems[problem]:  # the first time: what it said
                at = max([answer.find(mark) for mark in REFUSED] + [0])
                text = " ".join(answer[max(0, at - 300) : at + 300].decode(errors="replace").split())
                say(f"  {problem}, n={n - 1} {path}: …{text}…")
            problems[problem] += 1
        if record:
            out["save"][item.name].append(took)
            out["size"][item.name].append(len(answer))
        if item.view:
            for key, cookie in (("after", me), ("second", cookies.get(item.reader))):
                if cookie:
                    took, status, _ = timed(PAGES[item.view], cookie)
                    if record:
                        out[key][item.name].append(took)
                    if status != 200:
                        problems[f"{item.view} after a save: HTTP {status}"] += 1

    # Warm up every worker (templates, URL resolver, connections): the pages, then each save once.
    for name, path in ({"floor": FLOOR} | PAGES).items():
        for _ in range(2 * args.workers):
            status = timed(path, me)[1]
        if status != (404 if name == "floor" else 200):
            say(f"  WARNING: {name} ({path}) answers HTTP {status}")
    for item in SAVES:
        for _ in range(args.workers):
            save(item, record=False)
    for problem, times in problems.items():
        say(f"  WARNING: in the warm-up, {problem} ({times}x)")
    problems.clear()

    shuffle = random.Random(12)
    load_start, started, done = os.getloadavg(), time.perf_counter(), 0
    for _ in range(rounds):
        if time.perf_counter() - started > args.rounds_cap:
            break
        done += 1
        shuffle.shuffle(steps)
        for kind, item in steps:
            if kind == "floor":
                out["floor"].append(timed(FLOOR, me)[0])
            elif kind == "page":
                took, status, _ = timed(PAGES[item], me)
                out["cold"][item].append(took)
                if status != 200:
                    problems[f"{item}: HTTP {status}"] += 1
            else:
                save(item, record=True)
    elapsed = time.perf_counter() - started
    load_end = os.getloadavg()
    server.stop()
    note = f"{done} rounds in {elapsed:.0f} s"
    if done < rounds:
        note += f" (stopped at the {args.rounds_cap:.0f} s cap, of {rounds} asked)"
    for problem, times in problems.items():
        say(f"  WARNING: {problem} ({times}x)")
    say(f"  {note}; load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end")
    setting = (
        f"Data: {DATA_NOTE}. Server: {server_note(args.workers)}. {note}, one request at a time on a new "
        f"connection (wall time in the client), the floor {FLOORS_PER_ROUND}x a round: {floor_note}. "
        f"Load average {load_start[0]:.2f} at the start, {load_end[0]:.2f} at the end."
    )
    return out | {"setting": setting, "problems": sum(problems.values())}


say(
    f"\nWhat people do: gunicorn, {args.workers} sync workers, DEBUG off; {args.rounds} shuffled rounds of every page "
    f"cold, {len(SAVES)} htmx saves and the views after them, and the floor."
)
say(f"  floor: {floor_note}")
WORK = work_rounds(args.rounds)
FLOOR_P95 = pct(WORK["floor"], 95)


def verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def ratio_row(label: str, times: list[float], bar: float, *extra) -> str:
    p95 = pct(times, 95)
    ratio = p95 / FLOOR_P95
    cells = [
        label,
        *extra,
        f"{pct(times, 50):,.1f}",
        f"{p95:,.1f}",
        f"{ratio:.2f}x",
        f"≤ {bar:g}x",
        verdict(ratio <= bar),
    ]
    return "| " + " | ".join(cells) + " |"


TABLES: list[str] = []


def table(title: str, setting: str, header: list[str], rows: list[str]) -> None:
    TABLES.append(
        "\n".join(
            [f"### {title}", "", setting, "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header), *rows]
        )
    )


RATIO = ["p50 ms", "p95 ms", "p95 / floor", "bar", ""]


def floor_row(extra: int = 0) -> str:
    cells = [
        "floor: a signed-in 404",
        *[""] * extra,
        f"{pct(WORK['floor'], 50):,.1f}",
        f"{FLOOR_P95:,.1f}",
        "1.00x",
        "",
        "",
    ]
    return "| " + " | ".join(cells) + " |"


table(
    "Every page, cold (the tracker's GET)",
    WORK["setting"],
    ["page", "queries small / large", *RATIO],
    [floor_row(1)]
    + [
        ratio_row(
            name,
            WORK["cold"][name],
            PAGE_BARS.get(name, PAGE_BAR),
            f"{queries_small[name][0]} / {queries_large[name][0]}",
        )
        for name in PAGES
    ],
)
VIEWED = [s for s in SAVES if s.view]
table(
    "A save, then the view (the tracker saves, then GETs the page)",
    WORK["setting"],
    ["page, after the save", *RATIO],
    [floor_row()]
    + [ratio_row(f"{s.view}, after: {s.name}", WORK["after"][s.name], PAGE_BARS.get(s.view, PAGE_BAR)) for s in VIEWED],
)
table(
    "A second reader's first view (the business's entrepreneur GETs the page after the tracker's save)",
    WORK["setting"],
    ["page, after the save", *RATIO],
    [floor_row()]
    + [
        ratio_row(
            f"{s.view}, after: {s.name}",
            WORK["second"][s.name],
            PAGE_BARS.get(s.view, PAGE_BAR),
        )
        for s in VIEWED
    ],
)
table(
    "Every htmx save's answer (the POST's own time)",
    WORK["setting"],
    ["save", "answer KiB", *RATIO],
    [floor_row(1)]
    + [
        ratio_row(s.name, WORK["save"][s.name], SAVE_BAR, f"{pct(WORK['size'][s.name], 50) / 1024:,.1f}") for s in SAVES
    ],
)

# --- Load: users in threads, each on its own connection per request --------------------------


def business_paths(company, sprint) -> list[tuple[str, str]]:
    """Every page of a business, as the load's readers open them: (what, path)."""
    c = company.pk
    key = Metric.objects.filter(company=company, is_key=True).values_list("pk", flat=True).first()
    return [
        ("overview", reverse("tracking:company_detail", args=[c])),
        ("board", reverse("sprints:board", args=[c, sprint.pk])),
        ("session", reverse("sprints:session", args=[c])),
        ("results", reverse("sprints:results", args=[c])),
        ("hypothesis board", reverse("hypotheses:board", args=[c])),
        ("history", reverse("hypotheses:history", args=[c])),
        ("history CSV", reverse("hypotheses:history_csv", args=[c])),
        ("metrics", reverse("tracking:metrics", args=[c])),
        ("metric page", reverse("tracking:metric_detail", args=[c, key])),
        ("funnel", reverse("toolkit:funnel", args=[c])),
        ("unit economics", reverse("toolkit:unit_economics", args=[c])),
        ("interviews", reverse("custdev:interviews", args=[c])),
        ("members", reverse("tracking:members", args=[c])),
        ("portfolio", reverse("tracking:portfolio")),
        ("library", reverse("hypotheses:library")),
    ]


def business_writes(company, sprint) -> list:
    """The saves a business's people make under load: (what, a function (rng, n) → (path, fields));
    no version is sent (the load's threads do not read the database), so no save is refused as
    stale."""
    c = company.pk
    rows = list(
        Action.objects.filter(sprint=sprint, status__in=[ActionStatus.TODO, ActionStatus.DOING], owner__isnull=False)
        .order_by("pk")
        .values("pk", "owner_id", "estimate_hours", "cost", "hypothesis_id")
    )
    plain = _pool(Metric, company=company, is_key=False, funnel_stage__isnull=True)

    def board(rng, n):
        a = rng.choice(rows)
        fields = {
            "title": f"Action {n % 1000}: call 40 customers",
            "owner": a["owner_id"],
            "estimate_hours": number(a["estimate_hours"]),
            "cost": number(a["cost"]),
            "hypothesis": a["hypothesis_id"] or "",
        }
        return reverse("sprints:action_edit", args=[c, a["pk"]]), {f"a{a['pk']}-{k}": v for k, v in fields.items()}

    def result(rng, n, session=False):
        pk = rng.choice(rows)["pk"]
        fields = {f"l{pk}-status": rng.choice(["todo", "doing"]), f"l{pk}-result_note": f"load {n}"}
        if session:  # a row saved alone sends its own fields and `only` (static/js/session.js)
            return reverse("sprints:session_results", args=[c]), fields | {"only": pk}
        return reverse("sprints:action_log", args=[c, pk]), fields

    def metric(rng, n):
        pk = rng.choice(plain)
        return reverse("sprints:metric_log", args=[c, pk]), {f"m{pk}-value": 50 + n % 40}

    def metric_page(rng, n):
        pk = rng.choice(plain)
        return reverse("tracking:metric_value_record", args=[c, pk]), {"value": 50 + n % 40, "week": ""}

    return [
        ("save: board row", board),
        ("save: results row", result),
        ("save: session result row", lambda rng, n: result(rng, n, session=True)),
        ("save: results metric value", metric),
        ("save: metric page value", metric_page),
    ]


def load_run(workers: int, think: float) -> dict:
    """`args.users` users for `args.seconds`: user n is the entrepreneur or the team lead of
    business n mod the businesses and opens that business's pages (and the portfolio and the
    library) at random; a share `args.writes` of the requests are saves (business_writes)."""
    companies = large["companies"]
    people = {}
    for n in range(args.users):
        b = n % len(companies)
        people[n] = (b, email_of("owner" if (n // len(companies)) % 2 == 0 else "bob", b))
    mixes = {b: business_paths(companies[b], large["active"][companies[b].pk]) for b, _ in people.values()}
    writes_of = {b: business_writes(companies[b], large["active"][companies[b].pk]) for b, _ in people.values()}
    server = Server(workers, services.env, quiet=FLOOR)
    PORT[0] = server.port
    cookies = {email: sign_in(email) for _, email in people.values()}
    for _kind, path in mixes[0]:  # warm every worker up, as a running server is
        for _ in range(2 * workers):
            request(path, cookies[people[0][1]])
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = defaultdict(list)
    writes = [0]
    errors: Counter = Counter()
    lock = threading.Lock()
    load_before = os.getloadavg()[0]
    stop_at = time.perf_counter() + args.seconds

    def user(n: int) -> None:
        b, email = people[n]
        cookie = cookies[email]
        headers = HTMX | {"X-CSRFToken": SimpleCookie(cookie)["csrftoken"].value}
        rng = random.Random(n)
        time.sleep(rng.uniform(0, think or 0.2))  # users start apart, over one think time
        sent = 0
        while time.perf_counter() < stop_at:
            write = args.writes and rng.random() < args.writes
            if write:
                kind, make = rng.choice(writes_of[b])
                path, fields = make(rng, n * 100_000 + sent)
                extra = ("POST", urlencode(fields), headers)
            else:
                (kind, path), extra = rng.choice(mixes[b]), ()
            sent += 1
            start = time.perf_counter()
            try:
                status, _, _ = request(path, cookie, *extra)
                error = None if status == 200 else f"HTTP {status}"
            except OSError as exc:
                error = type(exc).__name__
            took = (time.perf_counter() - start) * 1000
            with lock:
                writes[0] += bool(write)
                if error:
                    errors[f"{kind}: {error}"] += 1
                else:
                    latencies.append(took)
                    by_kind[kind].append(took)
            if think:
                time.sleep(rng.uniform(0.5, 1.5) * think)

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(args.users)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=args.seconds + 180)
    elapsed = time.perf_counter() - started
    load_after = os.getloadavg()[0]
    server.stop()
    return {
        "workers": workers,
        "think": think,
        "rps": len(latencies) / elapsed,
        "p50": pct(latencies, 50),
        "p95": pct(latencies, 95),
        "p99": pct(latencies, 99),
        "ok": len(latencies),
        "errors": sum(errors.values()),
        "kinds": dict(errors),
        "load": (load_before, load_after),
        "writes": writes[0],
        "slowest": sorted(((pct(t, 95), k, len(t)) for k, t in by_kind.items()), reverse=True)[:5],
    }


def slowest(result: dict, many: int = 5) -> str:
    return ", ".join(f"{kind} {p95:,.0f} ms ({count:,})" for p95, kind, count in result["slowest"][:many])


LOAD = []
for workers in [int(w) for w in args.load_workers.split(",") if w.strip()]:
    for think in dict.fromkeys([args.think_time, 0.0]):
        say(
            f"\nLoad: {args.users} users for {args.seconds:.0f} s, "
            f"{f'think time {think:g} s' if think else 'no think time'}, {args.writes:.0%} writes, "
            f"gunicorn {workers} sync workers …"
        )
        result = load_run(workers, think)
        LOAD.append(result)
        say(
            f"  {result['rps']:.1f} requests/s, p50 {result['p50']:,.0f} ms, p95 {result['p95']:,.0f} ms, "
            f"p99 {result['p99']:,.0f} ms, {result['ok']:,} answered ({result['writes']:,} writes), "
            f"{result['errors']} errors {result['kinds'] or ''}"
            f" (load average {result['load'][0]:.2f} at the start, {result['load'][1]:.2f} at the end)"
        )
        say(f"  slowest p95: {slowest(result)}")


def load_setting(rows: list[dict]) -> str:
    loads = "; ".join(
        f"{r['workers']} workers: {r['load'][0]:.2f} at the start, {r['load'][1]:.2f} at the end" for r in rows
    )
    return (
        f"Data: {DATA_NOTE}. Server: {server_note(rows[0]['workers'])}. {args.users} users for {args.seconds:.0f} s, "
        "each the entrepreneur or the team lead of one business, opening its pages, the portfolio and the library at "
        f"random; {args.writes:.0%} of the requests are htmx saves (board row, results row, session result row, metric "
        f"values), sent without a version. The client runs on the same CPUs. Load average: {loads}."
    )


LOAD_COLUMNS = [
    "workers",
    "requests (writes)",
    "requests/s",
    "p50 ms",
    "p95 ms",
    "p99 ms",
    "errors",
    "bar",
    "",
    "slowest p95",
]


def load_table(title: str, runs: list[dict], bar: str, passed) -> None:
    """One table of load runs: `bar` as printed, `passed(run)` whether a run is within it."""
    table(
        title,
        load_setting(runs),
        LOAD_COLUMNS,
        [
            f"| {r['workers']} | {r['ok'] + r['errors']:,} ({r['writes']:,}) | {r['rps']:.1f} | {r['p50']:,.0f} | "
            f"{r['p95']:,.0f} | {r['p99']:,.0f} | {r['errors']} {r['kinds'] or ''} "
            f"| {bar} | {verdict(passed(r) and not r['errors'])} | {slowest(r, 3)} |"
            for r in runs
        ],
    )


thinking = [r for r in LOAD if r["think"]]
if thinking:
    load_table(
        f"Load with {args.think_time:g} s of think time and {args.writes:.0%} writes",
        thinking,
        f"p95 < {THINK_P95_BAR:g} ms, 0 errors",
        lambda r: r["p95"] < THINK_P95_BAR,
    )
flat_out = [r for r in LOAD if not r["think"]]
if flat_out:
    load_table(
        f"Load with no think time on the same mix ({args.writes:.0%} writes)",
        flat_out,
        f"≥ {RPS_BAR:g} requests/s, 0 errors",
        lambda r: r["rps"] >= RPS_BAR,
    )

load_end = os.getloadavg()
COMMAND = " ".join(["bench/pages.py", *sys.argv[1:]])
HEAD = (
    f"`{COMMAND}`, {datetime.now().strftime('%Y-%m-%d %H:%M')}, "
    f"{os.cpu_count()} CPUs; whole run {time.perf_counter() - start_all:.0f} s; load average {load_at_start[0]:.2f} "
    f"at the start, {load_end[0]:.2f} at the end."
)
if WORK["problems"]:
    HEAD += f" {WORK['problems']} requests of the rounds did not answer as expected (see the warnings)."
REPORT = "\n\n".join(["## make bench-pages", HEAD, *TABLES]) + "\n"
say("\n" + REPORT)
(ROOT / "artifacts").mkdir(exist_ok=True)
(ROOT / "artifacts" / "bench-pages.md").write_text(REPORT)
say("Written to artifacts/bench-pages.md")
services.redis.stop()
connection.close()
