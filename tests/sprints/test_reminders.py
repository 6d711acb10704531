"""Reminder windows in each company's time zone (frozen clocks), who gets what, roll-ups."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from sprints import digest as digests
from sprints import reminders, rollups
from sprints.models import Reminder, Sprint, SprintReport
from sprints.schedule import digest_week, due_kinds, review_at
from tests.factories import ActionFactory
from tests.support.delivery import Delivery, delivery
from tests.support.sprints import sprint_closed
from tracking.delivery import outbox

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*args):
    return datetime(*args, tzinfo=UTC)


def deliver_reminder(pk: int) -> bool:
    return reminders.reminders_deliver([pk]) == 1


def deliver_digest(pk: int) -> bool:
    return digests.digests_deliver([pk]) == 1


def roll_up(sprint_id: int) -> SprintReport:
    """What the two tasks do after a close: compute the report, then e-mail it."""
    rollups.sprint_rollups([sprint_id])
    rollups.reports_email([sprint_id])
    return SprintReport.objects.get(sprint_id=sprint_id)


# --- Pure time arithmetic ---------------------------------------------------------------------


def test_review_is_on_the_review_weekday_on_or_after_the_sprint_end():
    # A sprint ending Sunday 29 March 2026, reviews on Mondays at 10:00 Berlin time.
    review = review_at(date(2026, 3, 29), 0, time(10, 0), BERLIN)
    assert review == datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)
    assert review.astimezone(UTC) == utc(2026, 3, 30, 8, 0)  # already summer time (UTC+2)


def test_windows_across_the_spring_dst_change_in_berlin():
    """Clocks go forward at 02:00 on Sunday 29 March 2026. Review: Monday 30 March 10:00 CEST."""
    review = review_at(date(2026, 3, 29), 0, time(10, 0), BERLIN)

    def kinds(now):
        return due_kinds(now=now, review=review, lead_hours=24)

    # Results due 24 elapsed hours before: Sunday 08:00 UTC (10:00 CEST, after the change).
    assert kinds(utc(2026, 3, 29, 7, 59)) == []
    assert kinds(utc(2026, 3, 29, 8, 0)) == ["results_due"]
    # The session reminder: one hour before.
    assert kinds(utc(2026, 3, 30, 6, 59)) == ["results_due"]
    assert kinds(utc(2026, 3, 30, 7, 0)) == ["results_due", "session_upcoming"]
    assert kinds(utc(2026, 3, 30, 8, 0)) == []  # the review has started
    # Overdue: 24 h after the review.
    assert kinds(utc(2026, 3, 31, 7, 59)) == []
    assert kinds(utc(2026, 3, 31, 8, 0)) == ["review_overdue"]


def test_a_review_on_the_dst_day_itself():
    # Review Sunday 29 March 10:00 CEST = 08:00 UTC; 24 h earlier it was still winter time.
    review = review_at(date(2026, 3, 29), 6, time(10, 0), BERLIN)
    assert review.astimezone(UTC) == utc(2026, 3, 29, 8, 0)
    assert due_kinds(now=utc(2026, 3, 28, 8, 0), review=review, lead_hours=24) == ["results_due"]
    assert due_kinds(now=utc(2026, 3, 28, 7, 59), review=review, lead_hours=24) == []


def test_the_digest_is_due_from_monday_0800_local():
    moscow = ZoneInfo("Europe/Moscow")
    assert digest_week(utc(2026, 3, 30, 4, 59), moscow) is None  # 07:59 in Moscow
    assert digest_week(utc(2026, 3, 30, 5, 0), moscow) == date(2026, 3, 30)  # 08:00 in Moscow


def _state(row) -> Delivery:
    """What happened to the messages of a reminder, a digest or a report: the outbox's."""
    kind = {"Reminder": "reminder", "Digest": "digest", "SprintReport": "report"}[type(row).__name__]
    return delivery(f"{kind}:{row.pk}")


# --- Planning reminder rows ---------------------------------------------------------------------


@pytest.fixture
def berlin_team(team):
    """The team's active sprint ends Sunday 29 March 2026; reviews Monday 10:00 in Berlin."""
    company = team.company
    company.timezone, company.review_weekday, company.review_time, company.reminder_lead_hours = (
        "Europe/Berlin",
        0,
        time(10, 0),
        24,
    )
    company.save()
    Sprint.objects.filter(pk=team.active_sprint.pk).update(starts_on=date(2026, 3, 23), ends_on=date(2026, 3, 29))
    return team


def _rows(team):
    return sorted(Reminder.objects.filter(sprint__company=team.company).values_list("kind", "recipient_id"))


@pytest.mark.django_db
def test_each_kind_fires_once_inside_its_window(berlin_team):
    team = berlin_team
    moments = [
        utc(2026, 3, 29, 7, 0),
        utc(2026, 3, 29, 8, 0),
        utc(2026, 3, 29, 12, 0),
        utc(2026, 3, 30, 7, 0),
        utc(2026, 3, 30, 7, 30),
        utc(2026, 3, 30, 9, 0),
        utc(2026, 3, 31, 8, 0),
        utc(2026, 4, 2, 8, 0),
    ]
    for now in moments:
        reminders.reminders_plan(now)
        reminders.reminders_plan(now)  # a second dispatcher at the same moment adds nothing
    assert _rows(team) == sorted(
        [
            # results due: the member has an unlogged action; the entrepreneur is told while something is open.
            ("results_due", team.member.user_id),
            ("results_due", team.entrepreneur.user_id),
            ("session_upcoming", team.tracker.user_id),
            ("review_overdue", team.tracker.user_id),
            ("review_overdue", team.entrepreneur.user_id),
        ]
    )


@pytest.mark.django_db
def test_nobody_who_logged_everything_is_reminded(berlin_team):
    team = berlin_team
    team.action.status = "done"
    team.action.save()
    ActionFactory(sprint=team.active_sprint, owner=team.team_lead, status="doing")
    reminders.reminders_plan(utc(2026, 3, 29, 9, 0))
    assert _rows(team) == sorted([("results_due", team.team_lead.user_id), ("results_due", team.entrepreneur.user_id)])


@pytest.mark.django_db
def test_an_unowned_unlogged_action_still_reminds_the_entrepreneur(berlin_team):
    """The README's rule: the entrepreneur is reminded while any action of the sprint is
    unlogged, owned or not; nobody else is, once their own are logged."""
    team = berlin_team
    team.action.status = "done"
    team.action.save()
    ActionFactory(sprint=team.active_sprint, owner=None, status="todo")
    planned = reminders.reminders_plan(utc(2026, 3, 29, 9, 0))
    assert _rows(team) == [("results_due", team.entrepreneur.user_id)]
    assert planned == 1


@pytest.mark.django_db
def test_the_planner_counts_the_rows_it_inserted_not_the_rows_it_tried(berlin_team):
    assert reminders.reminders_plan(utc(2026, 3, 29, 9, 0)) == 2
    Reminder.objects.filter(recipient=berlin_team.member.user).delete()
    assert reminders.reminders_plan(utc(2026, 3, 29, 9, 0)) == 1
    assert reminders.reminders_plan(utc(2026, 3, 29, 9, 0)) == 0


@pytest.mark.django_db
def test_nothing_fires_for_closed_sprints(berlin_team):
    Sprint.objects.filter(pk=berlin_team.active_sprint.pk).update(status="closed")
    for now in (utc(2026, 3, 29, 9, 0), utc(2026, 3, 30, 7, 30), utc(2026, 4, 5, 8, 0)):
        reminders.reminders_plan(now)
    assert _rows(berlin_team) == []


@pytest.mark.django_db
def test_a_reminder_is_sent_once_in_the_recipients_language_with_a_link(berlin_team):
    team = berlin_team
    team.member.user.language = "ru"
    team.member.user.save()
    reminders.reminders_plan(utc(2026, 3, 29, 9, 0))
    reminder = Reminder.objects.get(kind="results_due", recipient=team.member.user)
    assert deliver_reminder(reminder.pk) is True
    assert deliver_reminder(reminder.pk) is False
    (message,) = mail.outbox
    assert message.to == [team.member.user.email]
    assert message.subject == f"Внесите результаты до еженедельной встречи · {team.company.name}"
    assert f"/b/{team.company.pk}/results/" in message.body
    assert team.action.title in message.body
    assert message.alternatives[0][1] == "text/html"


@pytest.mark.django_db
def test_an_smtp_error_is_retried_later_with_backoff(berlin_team, monkeypatch):
    from smtplib import SMTPServerDisconnected

    reminders.reminders_plan(utc(2026, 3, 29, 9, 0))
    reminder = Reminder.objects.filter(kind="results_due").first()

    def broken(*args, **kwargs):
        raise SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(outbox, "_email", broken)
    assert deliver_reminder(reminder.pk) is False
    state = _state(reminder)
    assert state.sent_at is None and state.attempts == 1 and state.next_attempt_at is not None
    assert reminder.pk not in reminders.unsent_reminder_ids()  # not before the backoff has passed
    assert reminder.pk in reminders.unsent_reminder_ids(state.next_attempt_at + timedelta(seconds=1))


@pytest.mark.django_db
def test_the_sender_itself_waits_for_the_backoff(berlin_team, monkeypatch):
    """Fault run: a 451 was retried 0-15 s later by a message already in the queue. Whoever
    asks, the outbox does not try a message again before its next_attempt_at."""
    from smtplib import SMTPDataError

    import time_machine

    from tests import clock

    reminders.reminders_plan(utc(2026, 3, 29, 9, 0))
    reminder = Reminder.objects.filter(kind="results_due").first()

    def refused(*args, **kwargs):
        raise SMTPDataError(451, "4.7.1 Try again later")

    monkeypatch.setattr(outbox, "_email", refused)
    assert deliver_reminder(reminder.pk) is False
    wait = _state(reminder).next_attempt_at - clock.now()
    assert timedelta(seconds=47) <= wait <= timedelta(seconds=72), wait
    with time_machine.travel(clock.now() + timedelta(seconds=15), tick=False):
        assert outbox.outbox_send([f"reminder:{reminder.pk}"]) == 0
        assert deliver_reminder(reminder.pk) is False
    assert _state(reminder).attempts == 1  # not tried again
    monkeypatch.undo()
    with time_machine.travel(_state(reminder).next_attempt_at + timedelta(seconds=1), tick=False):
        assert deliver_reminder(reminder.pk) is True
    state = _state(reminder)
    assert state.sent_at is not None and state.attempts == 2 and len(mail.outbox) == 1


# --- Roll-ups -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_rollup_run_three_times_gives_one_report_with_the_same_numbers(team, django_capture_on_commit_callbacks):
    ActionFactory(
        sprint=team.active_sprint,
        owner=team.member,
        estimate_hours=Decimal(3),
        status="not_done",
        why_not_note="No time",
        hypothesis=team.hypothesis,
    )
    with django_capture_on_commit_callbacks():
        sprint_closed(team)
    reports = [roll_up(team.active_sprint.pk).data for _ in range(3)]
    assert SprintReport.objects.filter(sprint=team.active_sprint).count() == 1
    assert reports[0] == reports[1] == reports[2]
    data = reports[0]
    assert (data["actions_planned"], data["actions_done"], data["actions_not_done"]) == (2, 1, 1)
    assert (data["hours_planned"], data["hours_done"]) == ("4", "1")
    assert data["hypotheses_tested"] == 1
    member_row = next(o for o in data["owners"] if o["name"] == str(team.member.user))
    assert (member_row["planned_hours"], member_row["done_hours"]) == ("4", "1")
    assert data["key_metric"]["name"] == team.metric.name
    # The members got the report once.
    assert len(mail.outbox) == team.company.memberships.count()


@pytest.mark.django_db
def test_closing_enqueues_the_rollup_only_after_commit(team, django_capture_on_commit_callbacks, monkeypatch):
    from sprints import tasks

    enqueued = []
    monkeypatch.setattr(tasks.sprint_rollup, "delay", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sprint_closed(team)
    assert len(callbacks) == 1 and enqueued == [[team.active_sprint.pk]]


@pytest.mark.django_db
def test_a_dead_broker_does_not_fail_the_close(team, django_capture_on_commit_callbacks, monkeypatch):
    """The report is computed by the close and waits in the database; the next dispatch
    enqueues its e-mail."""
    from kombu.exceptions import OperationalError

    from sprints import rollups, tasks

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.sprint_rollup, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        closed = sprint_closed(team)
    assert len(callbacks) == 1 and closed.status == "closed"
    assert SprintReport.objects.get(sprint=closed).computed_at is not None
    assert rollups.pending_report_ids() == [closed.pk]


@pytest.mark.django_db(transaction=True)
def test_a_close_that_rolls_back_enqueues_nothing(monkeypatch):
    from django.db import transaction

    from sprints import tasks
    from tests.conftest import make_team

    team = make_team("Rollback Bakery")
    enqueued = []
    monkeypatch.setattr(tasks.sprint_rollup, "delay", enqueued.append)

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        sprint_closed(team)
        raise Abort
    assert enqueued == []
    assert Sprint.objects.get(pk=team.active_sprint.pk).status == "active"
    assert not SprintReport.objects.filter(sprint=team.active_sprint).exists()


@pytest.mark.django_db
def test_the_report_page_is_printable(team, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        sprint_closed(team)
    client.force_login(team.member.user)
    url = f"/b/{team.company.pk}/sprints/{team.active_sprint.pk}/report/"
    before_the_job = client.get(url).content.decode()  # computed with the close: no worker needed
    assert "being prepared" not in before_the_job and "1/1" in before_the_job and "The offer" in before_the_job
    roll_up(team.active_sprint.pk)
    body = client.get(url).content.decode()
    assert "1/1" in body and "The offer" in body


@pytest.mark.django_db
def test_the_weekly_digest_is_written_once_per_tracker_and_week(team):
    team.tracker.user.timezone = "Europe/Moscow"
    team.tracker.user.save()
    digests.digests_plan(utc(2026, 3, 30, 4, 0))  # Monday 07:00 in Moscow: not yet
    from sprints.models import Digest

    assert not Digest.objects.filter(recipient=team.tracker.user, week_start=date(2026, 3, 30)).exists()
    for _ in range(2):
        digests.digests_plan(utc(2026, 3, 30, 5, 1))
    digest = Digest.objects.get(recipient=team.tracker.user, week_start=date(2026, 3, 30))
    assert deliver_digest(digest.pk) is True and deliver_digest(digest.pk) is False
    body = mail.outbox[-1].body
    assert team.company.name in body and team.constraint.title in body
    assert "review overdue" in body  # the active sprint ended days ago and is not closed


@pytest.mark.django_db
def test_the_digest_costs_the_same_queries_for_one_business_and_for_six(team):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_team
    from tests.factories import MembershipFactory

    def count():
        with CaptureQueriesContext(connection) as captured:
            lines = digests.digest_lines(team.tracker.user)
        return len(captured), lines

    small, _ = count()
    for i in range(5):
        other = make_team(f"Digest {i}")
        MembershipFactory(company=other.company, user=team.tracker.user, role="tracker")
    large, lines = count()
    assert small == large, (small, large)
    assert len(lines) == 6 and all("review_overdue" in line["flags"] for line in lines)


# --- Bounded retries -------------------------------------------------------------------------------


@pytest.fixture
def smtp_down(settings):
    """A real SMTP backend pointed at a port where nothing listens: every send fails."""
    from tests.support.processes import free_port

    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 2},
        }
    }


def _retry_until_it_stops(row, deliver, due_ids) -> int:
    """Deliver whenever the dispatcher would (each time the backoff has passed) until the row is
    no longer due; returns how many times it was tried."""
    import time_machine

    from tests import clock

    at, tries = clock.now(), 0
    while row.pk in due_ids(at) and tries < 3 * outbox.MAX_ATTEMPTS:
        with time_machine.travel(at, tick=False):
            deliver(row.pk)
        tries += 1
        at = (_state(row).next_attempt_at or at) + timedelta(seconds=1)
    return tries


def _assert_given_up(row, tries):
    state = _state(row)
    assert tries == state.attempts == outbox.MAX_ATTEMPTS
    assert state.failed_at is not None and state.next_attempt_at is None
    assert "refused" in state.last_error.lower() or "errno" in state.last_error.lower()


@pytest.mark.django_db
def test_a_reminder_that_never_goes_out_is_given_up_after_the_last_attempt(berlin_team, smtp_down):
    reminders.reminders_plan(utc(2026, 3, 29, 9, 0))
    reminder = Reminder.objects.filter(kind="results_due").first()
    tries = _retry_until_it_stops(reminder, deliver_reminder, reminders.unsent_reminder_ids)
    _assert_given_up(reminder, tries)
    assert _state(reminder).sent_at is None
    assert reminder.pk not in reminders.unsent_reminder_ids(_state(reminder).failed_at + timedelta(days=30))
    assert deliver_reminder(reminder.pk) is False  # a late message from the queue changes nothing
    assert _state(reminder).attempts == outbox.MAX_ATTEMPTS


@pytest.mark.django_db
def test_a_digest_that_never_goes_out_is_given_up_after_the_last_attempt(team, smtp_down):
    from sprints.models import Digest

    digests.digests_plan(utc(2026, 3, 30, 9, 0))
    digest = Digest.objects.get(recipient=team.tracker.user, week_start=date(2026, 3, 30))
    tries = _retry_until_it_stops(digest, deliver_digest, digests.unsent_digest_ids)
    _assert_given_up(digest, tries)
    assert _state(digest).sent_at is None
    assert digest.pk not in digests.unsent_digest_ids(_state(digest).failed_at + timedelta(days=30))


@pytest.mark.django_db
def test_a_report_that_never_goes_out_is_given_up_after_the_last_attempt(team, smtp_down):
    sprint_closed(team)  # the roll-up is enqueued after commit, which never comes in this test: run it here
    rollups.sprint_rollups([team.active_sprint.pk])
    report = SprintReport.objects.get(sprint=team.active_sprint)
    tries = _retry_until_it_stops(
        report,
        lambda pk: rollups.reports_email([team.active_sprint.pk]),
        lambda at: [report.pk] if team.active_sprint.pk in rollups.pending_report_ids(at) else [],
    )
    _assert_given_up(report, tries)
    assert _state(report).sent_at is None and report.computed_at is not None
    assert team.active_sprint.pk not in rollups.pending_report_ids(_state(report).failed_at + timedelta(days=30))


@pytest.mark.django_db
def test_a_message_the_mail_header_refuses_is_given_up_at_once(berlin_team):
    """A business name stored with a line break before names refused them: the subject cannot
    be sent, ever, so it is not retried."""
    from tracking.models import Company

    Company.objects.filter(pk=berlin_team.company.pk).update(name="Alpha\nBakery")
    reminders.reminders_plan(utc(2026, 3, 29, 9, 0))
    reminder = Reminder.objects.filter(kind="results_due").first()
    assert deliver_reminder(reminder.pk) is False
    state = _state(reminder)
    assert state.attempts == 1 and state.failed_at is not None and state.next_attempt_at is None
    assert "linefeed" in state.last_error
    assert reminder.pk not in reminders.unsent_reminder_ids(state.failed_at + timedelta(days=1))
