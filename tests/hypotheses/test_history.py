"""Every change is history: one entry per edit with the author and the diff; concurrent
edits are detected; deletes archive; the history page and its CSV."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hypotheses import services
from hypotheses.models import Hypothesis, HypothesisEvent
from tests import clock
from tests.factories import HypothesisFactory, hypotheses_bulk
from tracking import exports

pytestmark = pytest.mark.django_db


def _events(h):
    return list(HypothesisEvent.objects.filter(hypothesis=h).order_by("pk"))


def test_each_edit_writes_exactly_one_entry_with_author_and_diff(team):
    h = team.hypothesis
    before = len(_events(h))
    h = services.hypothesis_update(
        hypothesis=h, by=team.team_lead, expected_version=h.version, title="Guarantee in a PDF", impact=9
    )
    events = _events(h)
    assert len(events) == before + 1
    event = events[-1]
    assert (event.kind, event.actor) == ("edited", team.team_lead.user)
    assert event.changes == {
        "title": [f"{team.company.name}: money-back guarantee", "Guarantee in a PDF"],
        "impact": [5, 9],
    }
    assert event.after_test_started is False
    # Saving the same values again is no change and writes nothing.
    services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, title="Guarantee in a PDF")
    assert len(_events(h)) == before + 1


def test_changes_to_pre_registered_fields_after_the_test_started_are_flagged(team):
    h = services.hypothesis_transition(hypothesis=team.hypothesis, by=team.tracker, to="testing")
    h = services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, baseline=Decimal("1.5"))
    event = _events(h)[-1]
    assert event.after_test_started is True
    assert event.changes == {"baseline": ["2", "1.5"]}  # as typed, not padded to the field's decimal places
    h = services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, title="Renamed")
    assert _events(h)[-1].after_test_started is False  # the title is not pre-registered


def test_every_service_writes_exactly_one_event(team):
    """No write path bypasses the history: each service call adds one entry, by its author."""
    h = team.hypothesis
    calls = [
        lambda h: services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, ease=2),
        lambda h: services.hypothesis_transition(hypothesis=h, by=team.entrepreneur, to="testing"),
        lambda h: services.hypothesis_decide(
            hypothesis=h, by=team.team_lead, verdict="confirmed", measured=Decimal(3), note="It worked"
        ),
        lambda h: services.hypothesis_transition(hypothesis=h, by=team.tracker, to="adopted"),
        lambda h: services.hypothesis_archive(hypothesis=h, by=team.tracker),
        lambda h: services.hypothesis_restore(hypothesis=h, by=team.entrepreneur),
    ]
    for call in calls:
        count, version = len(_events(h)), Hypothesis.objects.get(pk=h.pk).version
        h = call(Hypothesis.objects.get(pk=h.pk))
        assert len(_events(h)) == count + 1, call
        assert Hypothesis.objects.get(pk=h.pk).version == version + 1
    created = services.hypothesis_create(by=team.member, title="From a member", statement="If …")
    assert [(e.kind, e.actor) for e in _events(created)] == [("created", team.member.user)]


def test_a_second_save_based_on_an_old_version_is_told_and_sees_both(team, client):
    h = team.hypothesis
    url = reverse("hypotheses:edit", args=[team.company.pk, h.pk])
    form = {
        "title": h.title,
        "statement": h.statement,
        "kind": "innovation",
        "metric": team.metric.pk,
        "baseline": "2",
        "expected": "3",
        "success_criteria": h.success_criteria,
        "cheapest_test": h.cheapest_test,
        "impact": 5,
        "confidence": 5,
        "ease": 5,
        "expected_return": "50000",
        "version": h.version,
    }
    first, second = client, client.__class__()
    first.force_login(team.tracker.user)
    second.force_login(team.entrepreneur.user)

    assert first.post(url, {**form, "title": "Tracker's title"}).status_code == 302
    response = second.post(url, {**form, "title": "Entrepreneur's title", "ease": 8})

    assert response.status_code == 409
    body = response.content.decode()
    assert "changed this hypothesis while you were editing" in body
    assert "Tracker&#x27;s title" in body  # the version saved meanwhile
    assert 'value="Entrepreneur&#x27;s title"' in body  # their own, still in the form
    h.refresh_from_db()
    assert (h.title, h.ease) == ("Tracker's title", 5)  # nothing overwritten
    # Saving again from that page (now based on the current version) goes through.
    version = response.context["form"].data["version"]
    assert second.post(url, {**form, "title": "Entrepreneur's title", "version": version}).status_code == 302


def test_the_service_refuses_a_stale_version(team):
    h = team.hypothesis
    services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, ease=1)
    with pytest.raises(services.StaleEdit) as excinfo:
        services.hypothesis_update(hypothesis=h, by=team.tracker, expected_version=h.version, ease=9)
    assert excinfo.value.current.ease == 1
    assert isinstance(excinfo.value, ValidationError)


def test_archive_and_restore_keep_the_history(team, client):
    client.force_login(team.tracker.user)
    h = team.hypothesis
    client.post(reverse("hypotheses:archive_one", args=[team.company.pk, h.pk]))
    assert client.get(reverse("hypotheses:detail", args=[team.company.pk, h.pk])).status_code == 404
    assert h.title not in client.get(reverse("hypotheses:board", args=[team.company.pk])).content.decode()
    assert h.title in client.get(reverse("hypotheses:archive", args=[team.company.pk])).content.decode()
    client.post(reverse("hypotheses:restore", args=[team.company.pk, h.pk]))
    body = client.get(reverse("hypotheses:detail", args=[team.company.pk, h.pk])).content.decode()
    assert "archived" in body and "restored" in body


def _bulk(team, count, **fields):
    def row(i):
        stage = i % 5  # idea, ready, testing, confirmed, refuted
        return {
            "title": f"Bulk {i}",
            "impact": 1 + i % 10,
            "confidence": 1 + i % 7,
            "ease": 1 + i % 5,
            "status": ("idea", "ready", "testing", "confirmed", "refuted")[stage],
            "verdict": ("", "", "", "confirmed", "refuted")[stage],
            "testing_started_at": clock.now() if stage >= 2 else None,
            "decided_at": clock.now() if stage >= 3 else None,
        }

    hypotheses_bulk(team, count, row, author=team.member.user, **fields)


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("url_name", "pinned"),
    # The board: the session, the user, the membership; the cards with their columns' totals,
    # constraints, unit economics (prices). The history: the same three; authors, constraints (the filter),
    # statistics with the median, the page's rows. Its CSV: the three, the rows (authors only
    # for an author asked for): up to 2,000 in one plain query, the rest through a cursor.
    # (The CSV's rest after its first rows is one query however many: see the chunk test below.)
    [("hypotheses:board", (6, 6)), ("hypotheses:history", (7, 7)), ("hypotheses:history_csv", (4, 5))],
)
def test_the_same_queries_with_10_and_2000_hypotheses(url_name, pinned, team, client):
    client.force_login(team.team_lead.user)
    url = reverse(url_name, args=[team.company.pk])
    _bulk(team, 8)
    small = _queries(client, url)
    _bulk(team, 1992)
    large = _queries(client, url)
    assert (small, large) == pinned


def test_the_board_ranks_by_ice_and_flags_cards_off_the_main_constraint(team, client):
    HypothesisFactory(
        company=team.company,
        metric=team.metric,
        title="Top idea",
        impact=10,
        confidence=10,
        ease=10,
        constraint=team.constraint,
    )
    HypothesisFactory(company=team.company, metric=team.metric, title="Unlinked idea", impact=1, confidence=1, ease=1)
    client.force_login(team.member.user)
    body = client.get(reverse("hypotheses:board", args=[team.company.pk])).content.decode()
    assert body.index("Top idea") < body.index(team.hypothesis.title) < body.index("Unlinked idea")
    unlinked_card = body[body.index("Unlinked idea") :][:600]
    assert "not on the main constraint" in unlinked_card
    top_card = body[body.index("Top idea") :][:600]
    assert "not on the main constraint" not in top_card


def test_board_filters_by_kind_and_constraint(team, client):
    HypothesisFactory(company=team.company, metric=team.metric, title="A long shot", kind="breakthrough")
    client.force_login(team.member.user)
    url = reverse("hypotheses:board", args=[team.company.pk])
    body = client.get(url, {"kind": "breakthrough"}).content.decode()
    assert "A long shot" in body and team.hypothesis.title not in body
    body = client.get(url, {"constraint": team.constraint.pk}, headers={"HX-Request": "true", "HX-Target": "board"})
    text = body.content.decode()
    assert team.hypothesis.title in text and "A long shot" not in text and "<html" not in text


def test_win_rate_and_median_leave_breakthroughs_out(team, client):
    now = clock.now()
    for verdict, days in (("confirmed", 7), ("refuted", 14), ("confirmed", 21)):
        HypothesisFactory(
            company=team.company,
            metric=team.metric,
            status=verdict,
            verdict=verdict,
            testing_started_at=now - timezone.timedelta(days=days),
            decided_at=now,
        )
    HypothesisFactory(
        company=team.company,
        metric=team.metric,
        status="refuted",
        verdict="refuted",
        kind="breakthrough",
        testing_started_at=now - timezone.timedelta(days=100),
        decided_at=now,
    )
    client.force_login(team.team_lead.user)
    response = client.get(reverse("hypotheses:history", args=[team.company.pk]))
    stats = response.context["stats"]
    assert (stats.win_rate, stats.confirmed, stats.decided) == (67, 2, 3)
    assert stats.median_days_to_verdict == 17.5  # of 7, 14, 21 and 100 days
    body = client.get(reverse("hypotheses:history", args=[team.company.pk]), {"status": "refuted"}).content.decode()
    assert body.count("<tr>") == 1 + 2
    # The numbers follow the filters: the refuted ones alone, then a date and a kind together.
    refuted = client.get(reverse("hypotheses:history", args=[team.company.pk]), {"status": "refuted"}).context["stats"]
    assert (refuted.total, refuted.decided, refuted.confirmed, refuted.win_rate) == (2, 1, 0, 0)
    assert refuted.median_days_to_verdict == 57.0  # of 14 and 100 days
    since = {"since": timezone.localdate(now).isoformat(), "kind": "innovation"}
    dated = client.get(reverse("hypotheses:history", args=[team.company.pk]), since).context["stats"]
    assert (dated.decided, dated.confirmed, dated.median_days_to_verdict) == (3, 2, 14.0)


def test_the_csv_is_streamed_utf8_with_a_bom_and_opens_russian_text(team, client):
    HypothesisFactory(
        company=team.company, metric=team.metric, title="Гарантия возврата денег", learning="Конверсия выросла до 3,2 %"
    )
    client.force_login(team.team_lead.user)
    response = client.get(reverse("hypotheses:history_csv", args=[team.company.pk]))
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    raw = b"".join(response.streaming_content)
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][0] == "Title"
    titles = {row[0] for row in rows[1:]}
    assert "Гарантия возврата денег" in titles and team.archived.title not in titles
    assert any("Конверсия выросла до 3,2 %" in row for row in rows)


def test_the_csv_is_read_row_by_row_while_it_streams(team, client, monkeypatch):
    """The answer goes out before its rows are read; then the rows go in pieces of a bounded
    number of lines, never the whole file at once."""
    monkeypatch.setattr(exports, "LINES_PER_CHUNK", 2)
    HypothesisFactory.create_batch(3, company=team.company, metric=team.metric)
    client.force_login(team.team_lead.user)
    rows_query = '"hypotheses_hypothesis"."statement"'  # what only the file's rows select
    with CaptureQueriesContext(connection) as before:
        response = client.get(reverse("hypotheses:history_csv", args=[team.company.pk]))
    assert not [q for q in before if rows_query in q["sql"]]
    with CaptureQueriesContext(connection) as streaming:
        pieces = list(response.streaming_content)
    assert [q for q in streaming if rows_query in q["sql"]]
    rows = list(csv.reader(io.StringIO(b"".join(pieces).decode("utf-8-sig"))))
    assert len(rows) == 1 + 4  # the header, the team's hypothesis and the three
    # The byte-order mark, the header and the first two rows; the next two.
    assert [piece.count(b"\n") for piece in pieces] == [3, 2]


def test_a_long_csv_reads_the_rest_after_its_first_rows_each_once_newest_first(team, client, monkeypatch):
    """Up to a chunk of rows is one plain query; past it, the rest are read after the chunk's
    last row (created_at, then id) through a cursor: every row once, in order, even where the
    chunk ends among rows created at the same instant."""
    from hypotheses import views
    from tracking import db

    made = HypothesisFactory.create_batch(7, company=team.company, metric=team.metric)
    same = clock.now() - timedelta(days=1)
    Hypothesis.objects.filter(pk__in=[h.pk for h in made[:5]]).update(created_at=same)  # ties
    chunked = db.newest_first

    def in_threes(queryset, fields, *, size=2000):
        return chunked(queryset, fields, size=3)

    monkeypatch.setattr(views, "newest_first", in_threes)
    client.force_login(team.team_lead.user)
    with CaptureQueriesContext(connection) as read:
        response = client.get(reverse("hypotheses:history_csv", args=[team.company.pk]))
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    live = Hypothesis.objects.live().filter(company=team.company).order_by("-created_at", "-pk")
    assert live.count() > 3 + 1
    assert [row[0].lstrip("'") for row in rows[1:]] == list(live.values_list("title", flat=True))
    assert sum('"hypotheses_hypothesis"."statement"' in q["sql"] for q in read) == 2  # the chunk, the rest
    HypothesisFactory.create_batch(20, company=team.company, metric=team.metric)
    with CaptureQueriesContext(connection) as read:
        response = client.get(reverse("hypotheses:history_csv", args=[team.company.pk]))
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) - 1 == live.count()
    assert sum('"hypotheses_hypothesis"."statement"' in q["sql"] for q in read) == 2  # however long the rest


def test_the_author_filter_offers_members_and_former_members_who_wrote(team, client):
    from hypotheses.selectors import history_authors
    from tests.factories import MembershipFactory, UserFactory

    gone = UserFactory(full_name="Left the team", email="gone@example.com")
    HypothesisFactory(company=team.company, metric=team.metric, author=gone)
    MembershipFactory(company=team.company, accepted_at=None, user__full_name="Not yet in")
    names = [name for _, name in history_authors(team.company)]
    assert "Left the team" in names and "Not yet in" not in names
    assert team.tracker.user.pk in {pk for pk, _ in history_authors(team.company)}


def test_the_history_table_escapes_what_people_typed(team, client):
    """The rows are made in one pass (hypotheses/views.py _history_row_html): every text in
    them is escaped."""
    team.constraint.title = "Leads <i>dry</i>"
    team.constraint.save()
    team.member.user.full_name = 'Ann "<b>"'
    team.member.user.save()
    HypothesisFactory(
        company=team.company,
        constraint=team.constraint,
        author=team.member.user,
        title="<script>alert(1)</script>",
        learning="Learned & <u>kept</u>",
    )
    client.force_login(team.tracker.user)
    body = client.get(reverse("hypotheses:history", args=[team.company.pk])).content.decode()
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in table and "<script>" not in table
    assert "Leads &lt;i&gt;dry&lt;/i&gt;" in table and "Learned &amp; &lt;u&gt;kept&lt;/u&gt;" in table
    assert "Ann &quot;&lt;b&gt;&quot;" in table and "<b>" not in table and "<i>" not in table
