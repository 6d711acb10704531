"""Background-job benchmark (DESIGN.md §8): reminder dispatch over 10,000 companies and the
roll-up of 10,000 closed sprints with one worker, with their query counts.

    cd /work/main && .venv/bin/python bench/run.py            # everything, ~4-5 minutes
    .venv/bin/python bench/run.py --worker-sprints 0          # skip the real Celery worker
    .venv/bin/python bench/run.py --profile                   # + cProfile of the slow parts

It runs on its own PostgreSQL database, `bench_tracker` (dropped, created and migrated on
every run; never the test or development one) and on a private redis-server started on a free
port (the machine's shared Redis is not touched). See bench/README.md for what is measured.
"""

import cProfile
import io
import os
import pstats
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import arguments, private_services, say  # noqa: E402

TIMEZONES = [
    "UTC",
    "Europe/Moscow",
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
]
COMPANIES_PER_TRACKER = 50  # a tracker's portfolio, as in DESIGN.md §8's large data set
BATCH = 5000

parser = arguments(__doc__, db="bench_tracker")
parser.add_argument("--companies", type=int, default=10_000, help="companies for reminder dispatch")
parser.add_argument("--small", type=int, default=100, help="the small run, to compare query counts")
parser.add_argument("--long-companies", type=int, default=50, help="companies with a long history")
parser.add_argument("--long-weeks", type=int, default=150, help="closed weekly sprints of each of those")
parser.add_argument("--closed", type=int, default=10_000, help="closed sprints in all")
parser.add_argument(
    "--worker-sprints", type=int, default=10_000, help="roll-ups for the real Celery worker (0: skip it)"
)
parser.add_argument("--cap", type=float, default=70, help="seconds at most for the compute-only roll-ups")
parser.add_argument("--cap-email", type=float, default=40, help="… for roll-ups with e-mail (then projected)")
parser.add_argument("--cap-worker", type=float, default=70, help="… for the real worker (then projected)")
parser.add_argument("--profile", action="store_true", help="cProfile the dispatcher and 300 roll-ups")
args = parser.parse_args()
DB_NAME = args.db
args.long_companies = min(args.long_companies, args.small)
short_companies = args.closed - args.long_companies * args.long_weeks
assert 0 <= short_companies <= args.companies - args.long_companies, "not enough companies for --closed"


# --- A private Redis and our own database, before Django reads its settings ------------------

os.environ.pop("EMAIL_URL", None)
redis_server = private_services(DB_NAME, DJANGO_EMAIL_BACKEND="bench.nullmail.EmailBackend").redis

import django  # noqa: E402

django.setup()

import redis  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import nullmail  # noqa: E402
from hypotheses.models import Hypothesis, Verdict  # noqa: E402
from sprints import reminders, rollups, tasks  # noqa: E402
from sprints.models import Action, ActionStatus, Reminder, Sprint, SprintReport, SprintStatus  # noqa: E402
from tests.support.processes import wait_for  # noqa: E402
from tracking.delivery import outbox  # noqa: E402
from tracking.models import Company, Membership, Metric, MetricValue, OutboxMessage, Role, User  # noqa: E402
from tracking.site.celery import app as celery_app  # noqa: E402

assert connection.settings_dict["NAME"] == DB_NAME
assert settings.MAILERS["default"]["BACKEND"] == "bench.nullmail.EmailBackend"
assert celery_app.conf.broker_url == redis_server.url
broker = redis.Redis.from_url(redis_server.url)

NOW = datetime.now(UTC).replace(microsecond=0)
FIGURES: list[tuple[str, str]] = []


def figure(name: str, value: str) -> None:
    FIGURES.append((name, value))
    say(f"  {name}: {value}")


def timed(fn, *a, **kw):
    start = time.perf_counter()
    result = fn(*a, **kw)
    return result, time.perf_counter() - start


def profile(label: str, fn, lines: int = 25) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    fn()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
    say(f"\n--- cProfile: {label} ---\n{out.getvalue()}")


# --- Data ----------------------------------------------------------------------------------------

start_all = time.perf_counter()
say(f"Database {DB_NAME}: migrate …")
_, took = timed(call_command, "migrate", verbosity=0, interactive=False)
say(f"  migrated in {took:.1f} s")

trackers: dict[int, int] = {}  # tracker number -> user id
active_start: dict[int, object] = {}  # company id -> starts_on of its active sprint
company_metric: dict[int, int] = {}
company_people: dict[int, dict[str, int]] = {}  # company id -> role/member key -> membership id


def _review_slot(i: int, tz: ZoneInfo) -> tuple[datetime, bool]:
    """Four in five companies review in 30 minutes (results due + session upcoming); the rest
    reviewed two days ago and have not closed the sprint (review overdue)."""
    overdue = i % 5 == 4
    when = NOW - timedelta(days=2, minutes=i % 600) if overdue else NOW + timedelta(minutes=30)
    return when.astimezone(tz), overdue


def build_companies(first: int, count: int) -> list[int]:
    """Users, companies, memberships, a key metric with values and one active sprint with
    five actions (some unlogged) per company; `history` closed sprints are added later."""
    numbers = range(first, first + count)
    new_trackers = sorted({i // COMPANIES_PER_TRACKER for i in numbers} - set(trackers))
    users = [
        User(email=f"tracker{t}@bench.test", full_name=f"Tracker {t}", password="!", language="en")
        for t in new_trackers
    ]
    for i in numbers:
        lang = "ru" if i % 3 == 0 else "en"
        users += [
            User(email=f"owner{i}@bench.test", full_name=f"Owner {i}", password="!", language=lang),
            User(email=f"m{i}a@bench.test", full_name=f"Member {i} A", password="!", language=lang),
            User(email=f"m{i}b@bench.test", full_name=f"Member {i} B", password="!", language=lang),
        ]
    users = User.objects.bulk_create(users, batch_size=BATCH)
    for t, user in zip(new_trackers, users, strict=False):
        trackers[t] = user.pk
    people = users[len(new_trackers) :]

    companies, slots = [], []
    for i in numbers:
        tz = ZoneInfo(TIMEZONES[i % len(TIMEZONES)])
        review, overdue = _review_slot(i, tz)
        slots.append((review, overdue))
        companies.append(
            Company(
                name=f"Company {i:05d}",
                timezone=tz.key,
                currency="RUB" if i % 2 else "EUR",
                review_weekday=review.weekday(),
                review_time=clock(review.hour, review.minute),
                reminder_lead_hours=24 if i % 2 else 48,
            )
        )
    companies = Company.objects.bulk_create(companies, batch_size=BATCH)

    memberships = []
    for n, (i, company) in enumerate(zip(numbers, companies, strict=True)):
        owner, member_a, member_b = people[3 * n : 3 * n + 3]
        # Accepted: a pending membership gives no access and is neither reminded nor e-mailed.
        memberships += [
            Membership(
                user_id=trackers[i // COMPANIES_PER_TRACKER], company=company, role=Role.TRACKER, accepted_at=NOW
            ),
            Membership(
                user=owner, company=company, role=Role.ENTREPRENEUR, weekly_capacity_hours=Decimal(10), accepted_at=NOW
            ),
            Membership(
                user=member_a, company=company, role=Role.MEMBER, weekly_capacity_hours=Decimal(8), accepted_at=NOW
            ),
            Membership(
                user=member_b, company=company, role=Role.TEAM_LEAD, weekly_capacity_hours=Decimal(6), accepted_at=NOW
            ),
        ]
    memberships = Membership.objects.bulk_create(memberships, batch_size=BATCH)
    for n, company in enumerate(companies):
        tracker, owner, member_a, member_b = memberships[4 * n : 4 * n + 4]
        company_people[company.pk] = {"tracker": tracker.pk, "owner": owner.pk, "a": member_a.pk, "b": member_b.pk}

    metrics = Metric.objects.bulk_create(
        [
            Metric(company=c, name="Leads per week", unit="leads", is_key=True, target=Decimal(100 + n % 50))
            for n, c in enumerate(companies)
        ],
        batch_size=BATCH,
    )
    sprints = []
    for n, (i, company, metric) in enumerate(zip(numbers, companies, metrics, strict=True)):
        company_metric[company.pk] = metric.pk
        review, _ = slots[n]
        ends_on = review.date()  # the review is on the sprint's last day
        active_start[company.pk] = ends_on - timedelta(days=6)
        sprints.append(
            Sprint(
                company=company,
                number=1000,
                starts_on=ends_on - timedelta(days=6),
                ends_on=ends_on,
                status=SprintStatus.ACTIVE,
                started_at=NOW - timedelta(days=7),
                goal=f"Week of company {i}",
            )
        )
    sprints = Sprint.objects.bulk_create(sprints, batch_size=BATCH)
    statuses = [ActionStatus.DONE, ActionStatus.TODO, ActionStatus.DOING, ActionStatus.NOT_DONE]
    actions = []
    for i, sprint in zip(numbers, sprints, strict=True):
        who = company_people[sprint.company_id]
        owners = [who["owner"], who["a"], who["b"], who["a"], who["owner"]]
        for j, owner in enumerate(owners):
            actions.append(
                Action(
                    sprint=sprint,
                    title=f"Action {j + 1} of company {i}",
                    owner_id=owner,
                    estimate_hours=Decimal(1 + (i + j) % 4),
                    status=statuses[(i + j) % 4],
                )
            )
    Action.objects.bulk_create(actions, batch_size=BATCH)
    return [c.pk for c in companies]


SIZES = {7: 1, 13: 12, 21: 30}  # sprint number % 100 -> actions (otherwise 5): a few of each size


def build_history(companies: list[tuple[int, int]]) -> None:
    """Closed weekly sprints before the active one: all actions resolved, two hypotheses
    decided in the week and linked to actions, a key-metric value for every week."""
    sprints, values = [], []
    for company_id, weeks in companies:
        start = active_start[company_id]
        for w in range(1, weeks + 1):
            starts_on = start - timedelta(days=7 * w)
            number = weeks - w + 1
            sprints.append(
                Sprint(
                    company_id=company_id,
                    number=number,
                    starts_on=starts_on,
                    ends_on=starts_on + timedelta(days=6),
                    status=SprintStatus.CLOSED,
                    started_at=datetime.combine(starts_on, clock(9), tzinfo=UTC),
                    closed_at=datetime.combine(starts_on + timedelta(days=7), clock(12), tzinfo=UTC),
                    goal=f"Sprint {number}",
                    override_reason="Owner is on holiday" if number % 17 == 0 else "",
                )
            )
        for w in range(0, weeks + 3):
            monday = start - timedelta(days=7 * w)
            monday -= timedelta(days=monday.weekday())
            values.append(
                MetricValue(metric_id=company_metric[company_id], week_start=monday, value=Decimal(40 + w % 30))
            )
    sprints = Sprint.objects.bulk_create(sprints, batch_size=BATCH)
    MetricValue.objects.bulk_create(values, batch_size=BATCH, ignore_conflicts=True)

    verdicts = [Verdict.CONFIRMED, Verdict.REFUTED, Verdict.INCONCLUSIVE]
    hypotheses = []
    for sprint in sprints:
        decided = sprint.closed_at - timedelta(hours=2)
        for k in range(1 if SIZES.get(sprint.number % 100) == 1 else 2):
            verdict = verdicts[(sprint.number + k) % 3]
            hypotheses.append(
                Hypothesis(
                    company_id=sprint.company_id,
                    metric_id=company_metric[sprint.company_id],
                    title=f"Hypothesis {k + 1} of sprint {sprint.number}",
                    statement="If we promise a money-back guarantee, conversion grows 1.5x, because risk drops.",
                    baseline=Decimal(40),
                    expected_value=Decimal(60),
                    success_criteria="Conversion of at least 6 % over the week",
                    cheapest_test="A PDF offer by messenger",
                    status=verdict.value,
                    verdict=verdict,
                    measured_value=Decimal(45 + k),
                    testing_started_at=sprint.started_at,
                    decided_at=decided,
                )
            )
    hypotheses = Hypothesis.objects.bulk_create(hypotheses, batch_size=BATCH)
    by_sprint: dict[tuple[int, int], list[int]] = {}
    for h in hypotheses:
        number = int(h.title.rsplit(" ", 1)[1])
        by_sprint.setdefault((h.company_id, number), []).append(h.pk)

    actions = []
    for sprint in sprints:
        who = company_people[sprint.company_id]
        owners = [who["owner"], who["a"], who["b"]]
        linked = by_sprint[(sprint.company_id, sprint.number)]
        for j in range(SIZES.get(sprint.number % 100, 5)):
            done = (sprint.number + j) % 4 != 0
            actions.append(
                Action(
                    sprint=sprint,
                    title=f"Action {j + 1} of sprint {sprint.number}",
                    owner_id=owners[j % 3] if j % 7 != 6 else None,
                    estimate_hours=Decimal(1 + j % 4) / 2,
                    cost=Decimal(500) if j == 0 else None,
                    hypothesis_id=linked[j] if j < len(linked) else None,
                    status=ActionStatus.DONE if done else ActionStatus.NOT_DONE,
                    result_note="Sent to 40 customers, 3 bought" if done else "",
                    why_not_note="" if done else "No time: the owner was ill",
                )
            )
    Action.objects.bulk_create(actions, batch_size=BATCH)


short_done = 0  # companies given one closed sprint so far


def build(first: int, count: int) -> None:
    """The first --long-companies companies get --long-weeks closed sprints each; the next
    ones one closed sprint each, until there are --closed closed sprints."""
    global short_done
    ids, took_companies = timed(build_companies, first, count)
    long_ones = [(pk, args.long_weeks) for pk in ids[: max(0, args.long_companies - first)]]
    short_ones = [(pk, 1) for pk in ids[len(long_ones) :]][: short_companies - short_done]
    short_done += len(short_ones)
    _, took_history = timed(build_history, long_ones + short_ones)
    say(
        f"  built companies {first}–{first + count - 1} in {took_companies:.1f} s, "
        f"their {sum(w for _, w in long_ones + short_ones):,} closed sprints in {took_history:.1f} s"
    )


def counts() -> str:
    return ", ".join(
        f"{model.__name__} {model.objects.count():,}"
        for model in (User, Company, Membership, Sprint, Action, Hypothesis, MetricValue)
    )


# --- Reminder dispatch --------------------------------------------------------------------------

REMINDER_BAR = 5.0  # seconds for 10,000 companies (DESIGN.md §8)
REMINDER_QUERIES: dict[str, int] = {}


def bench_reminders(label: str) -> None:
    Reminder.objects.all().delete()
    broker.flushdb()
    with CaptureQueriesContext(connection) as plan_q:
        _, t_plan = timed(reminders.reminders_plan, NOW)
    with CaptureQueriesContext(connection) as unsent_q:
        ids, t_unsent = timed(reminders.unsent_reminder_ids, NOW)
    total = len(plan_q) + len(unsent_q)
    kinds = Counter(Reminder.objects.values_list("kind", flat=True))
    # The second dispatcher run (every 5 minutes, or two at once): every row exists already.
    with CaptureQueriesContext(connection) as again_q:
        (_, ids_again), t_again = timed(lambda: (reminders.reminders_plan(NOW), reminders.unsent_reminder_ids(NOW)))
    assert Reminder.objects.count() == len(ids) == len(ids_again)
    # Enqueue through the real (private) Redis, SEND_BATCH ids a message, as dispatch() does.
    batches = tasks._chunks(ids, reminders.SEND_BATCH)
    sent, t_enqueue = timed(tasks._enqueue, tasks.reminders_send, batches)
    queued = broker.llen("celery")
    assert sent == len(batches) == queued, (sent, len(batches), queued)
    broker.flushdb()
    inserts = sum(1 for q in plan_q.captured_queries if "INSERT INTO" in q["sql"])
    REMINDER_QUERIES[label] = total
    say(f"\nReminder dispatch, {label} ({counts()}):")
    ok = "OK" if t_plan + t_unsent < REMINDER_BAR else f"OVER the {REMINDER_BAR:.0f} s bar"
    figure(
        f"reminders {label}: plan + unsent ids",
        f"{ok}: {t_plan + t_unsent:.2f} s (plan {t_plan:.2f} s, unsent ids {t_unsent:.2f} s), "
        f"{total} queries ({len(plan_q)} plan of which {inserts} INSERT, {len(unsent_q)} unsent), "
        f"{len(ids):,} reminders {dict(kinds)}",
    )
    figure(f"reminders {label}: second run (all exist)", f"{t_again:.2f} s, {len(again_q)} queries")
    figure(
        f"reminders {label}: enqueue on Redis",
        f"{t_enqueue:.2f} s for {sent} messages of ≤{reminders.SEND_BATCH} ids ({sent / t_enqueue:.0f} msg/s)",
    )
    for q in plan_q.captured_queries + unsent_q.captured_queries:
        say(f"      {float(q['time']) * 1000:7.1f} ms  {q['sql'][:110]}")


def check_reminder_queries() -> None:
    (small, few), (large, many) = REMINDER_QUERIES.items()
    same = "OK, the same" if few == many else "NOT bounded"
    figure("reminder queries bounded?", f"{same}: {few} queries for {small}, {many} for {large}")


def bench_dispatch_task() -> None:
    """The whole periodic task as beat runs it (reminders, digests, the roll-up sweep)."""
    Reminder.objects.all().delete()
    broker.flushdb()
    with CaptureQueriesContext(connection) as q:
        result, took = timed(tasks.dispatch)
    figure(
        f"dispatch() task, whole ({Company.objects.count():,} companies)", f"{took:.2f} s, {len(q)} queries, {result}"
    )
    broker.flushdb()


# --- Roll-ups --------------------------------------------------------------------------------

ROLLUP_BAR = 60.0  # seconds for 10,000 sprints with one worker (DESIGN.md §8)


def closed_ids() -> list[int]:
    """Every closed sprint, in a fixed shuffled order: a run cut short by its time cap has
    still seen long and short histories and every sprint size in proportion."""
    ids = list(Sprint.objects.filter(status=SprintStatus.CLOSED).values_list("pk", flat=True))
    random.Random(7).shuffle(ids)
    return ids


# Roll-ups go in batches, as the sprint_rollup task runs them: rollups.sprint_rollups(ids)
# computes a batch and rollups.reports_email(ids) e-mails it through the outbox (a task of
# its own). The benchmark measures one message's batch at a time.
MESSAGE = rollups.ROLLUP_BATCH  # sprints per sprint_rollup message


def roll_up_one(pk: int) -> None:
    """One closed sprint the way its tasks do it: compute, then e-mail the members once."""
    rollups.sprint_rollups([pk])
    rollups.reports_email([pk])


def rollup_until(ids: list[int], cap: float, *, email: bool) -> tuple[int, float]:
    """One worker's work over `ids` until done or `cap` seconds: (how many, seconds)."""
    start = time.perf_counter()
    for n in range(0, len(ids), MESSAGE):
        batch = ids[n : n + MESSAGE]
        rollups.sprint_rollups(batch)
        if email:
            rollups.reports_email(batch)
        if time.perf_counter() - start > cap:
            return n + len(batch), time.perf_counter() - start
    return len(ids), time.perf_counter() - start


def verdict(done: int, took: float, total: int, bar: float | None = ROLLUP_BAR) -> str:
    """The measured time, or (when the cap cut it short) the time projected for all."""
    if done == total:
        seconds, how = took, "measured"
    else:
        seconds, how = took / done * total, f"projected from {done:,} in {took:.0f} s"
    text = f"{seconds:.1f} s for {total:,} ({seconds / total * 1000:.2f} ms each; {how})"
    if bar:
        text += " — OK" if seconds < bar else f" — OVER the {bar:.0f} s bar"
    return text


def reset_reports(ids: list[int], *, emailed: bool) -> None:
    """Report rows as sprint_close leaves them (pending), or as after their e-mail went out
    (a sent outbox message stands for each one's e-mails)."""
    SprintReport.objects.all().delete()
    OutboxMessage.objects.filter(about__startswith="report:").delete()
    reports = SprintReport.objects.bulk_create([SprintReport(sprint_id=pk) for pk in ids], batch_size=BATCH)
    if emailed:
        OutboxMessage.objects.bulk_create(
            [
                OutboxMessage(
                    key=f"report:{r.pk}", about=f"report:{r.pk}", address="", subject="", text="", sent_at=NOW
                )
                for r in reports
            ],
            batch_size=BATCH,
        )


def bench_rollups_in_process(ids: list[int]) -> None:
    how = f"batches of {MESSAGE} (rollups.sprint_rollups)"
    say(f"\nRoll-ups in this process (what one worker does), {len(ids):,} closed sprints, {how}:")
    # (1) The roll-up itself, what the 60 s bar is about: reports computed and saved; their
    # e-mail went out already, so nothing is sent.
    reset_reports(ids, emailed=True)
    done, took = rollup_until(ids, args.cap, email=False)
    assert SprintReport.objects.filter(computed_at__isnull=False).count() == done
    figure("roll-ups in-process, compute only (no e-mail)", verdict(done, took, len(ids)))
    # (2) The first roll-up after the close: compute, then e-mail every member (4 a company
    # here), rendered and serialised to MIME by bench/nullmail.py (no network).
    reset_reports(ids, emailed=False)
    mail_before = nullmail.SENT["messages"]
    done, took = rollup_until(ids, args.cap_email, email=True)
    emails = nullmail.SENT["messages"] - mail_before
    assert SprintReport.objects.filter(outbox.delivered("report")).count() == done
    figure(
        "roll-ups in-process, compute + e-mail",
        verdict(done, took, len(ids), bar=None) + f"; {emails / done:.1f} e-mails a sprint, {emails / took:.0f}/s",
    )
    bench_report_emails(ids)
    sprints = list(Sprint.objects.filter(pk__in=ids[:500]).select_related("company"))
    _, data_only = timed(lambda: [rollups.rollup_data(s) for s in sprints])
    figure(
        "rollup_data(sprint) one by one",
        f"{data_only / len(sprints) * 1000:.2f} ms each over {len(sprints)} → "
        f"{data_only / len(sprints) * len(ids):.1f} s for {len(ids):,}",
    )
    probe = Sprint.objects.filter(pk__in=ids[:1]).values_list("pk", flat=True)
    with CaptureQueriesContext(connection) as q:
        _, floor = timed(lambda: [list(probe) for _ in range(200)])
    figure("one trivial ORM query (round trip + ORM)", f"{floor / len(q) * 1000:.2f} ms")


def bench_report_emails(ids: list[int]) -> None:
    """(3) The report e-mails alone: computed reports, nothing written to the outbox
    yet; rollups.reports_email per batch of MESSAGE sprints renders, writes, sends (MIME by
    bench/nullmail.py) and marks them. Per e-mail, queries and connections per batch."""
    reset_reports(ids, emailed=False)
    OutboxMessage.objects.filter(about__startswith="report:").delete()
    for n in range(0, len(ids), MESSAGE):
        rollups.sprint_rollups(ids[n : n + MESSAGE])
    mail_before, opens_before = nullmail.SENT["messages"], nullmail.SENT["opens"]
    start, cpu_start, done = time.perf_counter(), time.process_time(), 0
    with CaptureQueriesContext(connection) as first:
        rollups.reports_email(ids[:MESSAGE])
    done = min(MESSAGE, len(ids))
    first_emails = nullmail.SENT["messages"] - mail_before
    first_opens = nullmail.SENT["opens"] - opens_before
    for n in range(MESSAGE, len(ids), MESSAGE):
        if time.perf_counter() - start > args.cap_email:
            break
        rollups.reports_email(ids[n : n + MESSAGE])
        done = min(n + MESSAGE, len(ids))
    took, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    emails = nullmail.SENT["messages"] - mail_before
    assert SprintReport.objects.filter(outbox.delivered("report"), sprint_id__in=ids[:done]).count() == done
    figure(
        "report e-mails alone (render, write, send, mark)",
        verdict(done, took, len(ids), bar=None)
        + f"; {took / emails * 1000:.2f} ms an e-mail, {cpu / emails * 1000:.2f} ms of this process's CPU"
        + f" ({emails:,} e-mails)",
    )
    figure(
        f"… queries and connections, a batch of {done if done < MESSAGE else MESSAGE} reports",
        f"{len(first)} queries for {first_emails} e-mails ({len(first) / max(first_emails, 1):.2f} an e-mail), "
        f"{first_opens} connection(s) opened",
    )


def bench_rollup_queries() -> None:
    """Queries of one roll-up for sprints of different sizes and company histories."""
    say("\nQueries per roll-up (first run: compute + e-mail the members; rerun: recompute only):")
    picks = []
    long_ids = list(Company.objects.order_by("pk").values_list("pk", flat=True)[: args.long_companies])
    for actions, long_history in ((5, False), (1, True), (5, True), (12, True), (30, True)):
        qs = Sprint.objects.filter(status=SprintStatus.CLOSED)
        qs = qs.filter(company_id__in=long_ids) if long_history else qs.exclude(company_id__in=long_ids)
        qs = qs.annotate(n=Count("actions")).filter(n=actions)
        pk = qs.order_by("-pk").values_list("pk", flat=True).first()
        if pk:
            picks.append(pk)
    rows = []
    for pk in picks:
        SprintReport.objects.filter(sprint_id=pk).delete()
        SprintReport.objects.create(sprint_id=pk)  # pending, as sprint_close writes it
        with CaptureQueriesContext(connection) as first:
            _, t_first = timed(roll_up_one, pk)
        with CaptureQueriesContext(connection) as rerun:
            _, t_rerun = timed(roll_up_one, pk)
        sprint = Sprint.objects.get(pk=pk)
        history = Sprint.objects.filter(company_id=sprint.company_id, status=SprintStatus.CLOSED).count()
        rows.append((pk, sprint.actions.count(), history, len(first), len(rerun), t_first * 1000, t_rerun * 1000))
    say(
        f"  {'sprint':>7} {'actions':>7} {'closed sprints of its company':>30} {'queries':>8} {'rerun':>6} "
        f"{'ms':>6} {'rerun ms':>9}"
    )
    for row in rows:
        say(f"  {row[0]:>7} {row[1]:>7} {row[2]:>30} {row[3]:>8} {row[4]:>6} {row[5]:>6.1f} {row[6]:>9.1f}")
    figure(
        "queries per roll-up (incl. BEGIN/SAVEPOINT/COMMIT)",
        f"first run {sorted({r[3] for r in rows})}, rerun {sorted({r[4] for r in rows})} "
        f"for {min(r[1] for r in rows)}–{max(r[1] for r in rows)} actions, "
        f"{min(r[2] for r in rows)}–{max(r[2] for r in rows)} closed sprints in the company",
    )
    say("  the queries of the last one (first run):")
    for q in first.captured_queries:
        say(f"      {float(q['time']) * 1000:7.2f} ms  {q['sql'][:110]}")
    ids = closed_ids()
    sizes = []
    for size in (1, 10, MESSAGE):
        with CaptureQueriesContext(connection) as q:
            rollups.sprint_rollups(ids[:size])
        sizes.append(f"{size} sprints: {len(q)}")
    figure("queries per sprint_rollups() batch (compute)", ", ".join(sizes))


def bench_rollups_worker(ids: list[int]) -> None:
    """A real Celery worker (--pool=solo) on the private Redis consuming sprint_rollup
    messages as the dispatcher's sweep enqueues them (from the pending report rows that
    sprint_close writes); wall time until every report is computed, and until e-mailed."""
    reset_reports(ids, emailed=False)
    broker.flushdb()
    # The real clock (not tests.support.processes.app_env, which puts a child on a test's clock);
    # os.environ names this database and the private Redis already.
    env = os.environ | {
        "REDIS_URL": redis_server.url,
        "DJANGO_EMAIL_BACKEND": "bench.nullmail.EmailBackend",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "celery", "-A", "tracking", "worker", "--pool=solo", "--loglevel=WARNING"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    with tempfile.NamedTemporaryFile("w+", prefix="bench-worker-", suffix=".log") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            ready = wait_for(lambda: bool(celery_app.control.ping(timeout=0.5)), timeout=60, step=0.2)
            assert ready, "the worker did not start:\n" + Path(log.name).read_text()[-3000:]
            say(
                f"\nRoll-ups by a real Celery worker (--pool=solo, private Redis), {len(ids):,} sprints, "
                f"{MESSAGE} a message:"
            )
            start = time.perf_counter()
            sent, t_enqueue = timed(tasks._enqueue, tasks.sprint_rollup, tasks._chunks(ids, MESSAGE))
            assert sent == -(-len(ids) // MESSAGE)

            def count(*done, **columns) -> int:
                return SprintReport.objects.filter(*done, **columns).count()

            wait_for(lambda: count(computed_at__isnull=False) >= len(ids), timeout=args.cap_worker, step=0.25)
            computed, t_computed = count(computed_at__isnull=False), time.perf_counter() - start
            left = max(5.0, args.cap_worker - t_computed)
            wait_for(lambda: count(outbox.delivered("report")) >= len(ids), timeout=left, step=0.5)
            emailed, t_emailed = count(outbox.delivered("report")), time.perf_counter() - start
            assert computed, "the worker did nothing:\n" + Path(log.name).read_text()[-3000:]
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            broker.flushdb()
    figure(
        "roll-ups by one Celery worker: reports computed",
        verdict(computed, t_computed, len(ids)) + f"; enqueue {t_enqueue:.1f} s of it",
    )
    if emailed:
        figure("roll-ups by one Celery worker: … and e-mailed", verdict(emailed, t_emailed, len(ids), bar=None))
    else:
        figure("roll-ups by one Celery worker: … and e-mailed", f"none within {t_emailed:.0f} s (e-mails queue last)")


# --- Run -------------------------------------------------------------------------------------------

try:
    say(f"Now {NOW:%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs; load {os.getloadavg()[0]:.2f}")
    build(0, args.small)
    bench_reminders(f"{args.small:,} companies")
    build(args.small, args.companies - args.small)
    bench_reminders(f"{args.companies:,} companies")
    check_reminder_queries()
    if args.profile:
        Reminder.objects.all().delete()
        profile(
            "reminders_plan + unsent_reminder_ids",
            lambda: (reminders.reminders_plan(NOW), reminders.unsent_reminder_ids(NOW)),
        )
    bench_dispatch_task()

    ids = closed_ids()
    bench_rollups_in_process(ids)
    bench_rollup_queries()
    if args.profile:
        reset_reports(ids, emailed=False)
        profile("300 roll-ups (first run, with e-mail)", lambda: rollup_until(ids[:300], 1e9, email=True))
    if args.worker_sprints:
        bench_rollups_worker(ids[: args.worker_sprints])

    say(
        f"\nSummary ({os.cpu_count()} CPUs, PostgreSQL {connection.pg_version // 10000}, "
        f"whole run {time.perf_counter() - start_all:.0f} s):"
    )
    width = max(len(name) for name, _ in FIGURES)
    for name, value in FIGURES:
        say(f"  {name:<{width}}  {value}")
finally:
    redis_server.stop()
    connection.close()
