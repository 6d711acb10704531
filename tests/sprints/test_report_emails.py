"""Report e-mails in batches: one connection to the mail server per batch,
and a fixed number of queries per report whatever the number of its members."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sprints import rollups
from sprints.models import SprintReport
from tests import clock
from tests.conftest import make_team
from tests.factories import MembershipFactory, SprintFactory
from tests.support.delivery import delivery
from tracking.delivery import outbox
from tracking.models import OutboxMessage

OPENED: list[int] = []


class CountingBackend(LocmemBackend):
    """locmem (messages land in mail.outbox) that counts the connections opened."""

    def open(self):
        OPENED.append(1)
        return True


@pytest.fixture
def counting_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.CountingBackend"}}
    OPENED.clear()
    mail.outbox = []
    return OPENED


def _closed_sprints(team, count: int) -> list[int]:
    """`count` closed sprints of the team's business, each with a computed, unsent report."""
    today = clock.today()
    ids = []
    for n in range(count):
        starts = today - timedelta(weeks=20 - n)
        sprint = SprintFactory(
            company=team.company,
            number=n + 1,
            status="closed",
            starts_on=starts,
            ends_on=starts + timedelta(days=6),
            started_at=clock.now() - timedelta(weeks=20 - n),
            closed_at=clock.now() - timedelta(weeks=19 - n),
        )
        ids.append(sprint.pk)
    rollups.sprint_rollups(ids)
    assert SprintReport.objects.filter(~outbox.delivered("report"), sprint_id__in=ids).count() == count
    return ids


def _email_batch(ids: list[int]) -> int:
    before = len(mail.outbox)
    with CaptureQueriesContext(connection) as captured:
        sent = rollups.reports_email(ids)
    assert sent == len(mail.outbox) - before > 0
    return len(captured)


@pytest.mark.django_db
def test_a_batch_of_reports_goes_out_on_one_connection(counting_mail):
    team = make_team("Alpha Bakery", sprints=False)
    ids = _closed_sprints(team, 3)
    members = team.company.memberships.count()
    assert rollups.reports_email(ids) == 3 * members
    assert len(mail.outbox) == 3 * members
    assert len(counting_mail) == 1  # one connection for the whole batch, not one per report
    assert SprintReport.objects.filter(outbox.delivered("report"), sprint_id__in=ids).count() == 3
    # Sent once: a second batch sends nothing and opens nothing.
    assert rollups.reports_email(ids) == 0 and len(counting_mail) == 1


@pytest.mark.django_db
def test_report_emails_cost_fixed_queries_per_report_whatever_its_members(counting_mail):
    """Queries: a fixed few per batch plus a fixed few per report (its members, the messages
    written, locked, marked, the report's state), not a transaction per message."""
    small = make_team("Alpha Bakery", sprints=False)
    large = make_team("Beta Bakery", sprints=False)
    MembershipFactory.create_batch(7, company=large.company, role="member")
    assert large.company.memberships.count() == small.company.memberships.count() + 7

    first, *rest = _closed_sprints(small, 4)
    one = _email_batch([first])
    three = _email_batch(rest)
    crowd = _email_batch(_closed_sprints(large, 3))
    assert len(mail.outbox) == 4 * small.company.memberships.count() + 3 * large.company.memberships.count()
    assert three == crowd, (three, crowd)  # twelve members a report cost what five do
    per_report = (three - one) / 2
    assert per_report == int(per_report) <= 6, (one, three, per_report)
    assert len(counting_mail) == 3  # one connection per batch


@pytest.mark.django_db
def test_a_dropped_connection_is_opened_again_for_the_next_message(counting_mail, monkeypatch):
    """The server drops the connection at the first message: that message backs off, the rest
    of the batch goes out on a new connection."""
    from smtplib import SMTPServerDisconnected

    team = make_team("Alpha Bakery", sprints=False)
    ids = _closed_sprints(team, 2)
    dropped = []

    def drops_the_first(self, messages):
        if not dropped:
            dropped.append(messages[0].to[0])
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return LocmemBackend.send_messages(self, messages)

    monkeypatch.setattr(CountingBackend, "send_messages", drops_the_first)
    members = team.company.memberships.count()
    assert rollups.reports_email(ids) == 2 * members - 1
    assert len(counting_mail) == 2  # the first connection, and one after the drop
    failed = OutboxMessage.objects.get(
        address=dropped[0], about=f"report:{SprintReport.objects.get(sprint_id=ids[0]).pk}"
    )
    assert failed.sent_at is None and failed.attempts == 1 and failed.next_attempt_at is not None
    first = delivery(f"report:{SprintReport.objects.get(sprint_id=ids[0]).pk}")
    assert first.sent_at is None and first.next_attempt_at == failed.next_attempt_at
    assert delivery(f"report:{SprintReport.objects.get(sprint_id=ids[1]).pk}").sent_at is not None
