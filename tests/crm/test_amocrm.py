"""amoCRM's "lead status changed" and "lead added" webhooks: the secret in the URL, each lead that
reaches a mapped stage counted once in the business's local week, the rest kept for review."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.crm.conftest import FORM, amocrm_url, written
from tests.factories import MetricFactory
from tracking.api.crm.models import CrmEvent, Reason
from tracking.api.crm.services import crm_mapping_create
from tracking.models import MetricValue

pytestmark = pytest.mark.django_db

SUNDAY_NIGHT_WEEK_IN_MOSCOW = date(2026, 2, 2)  # 2026-02-01 23:30 UTC is Monday 02:30 in Moscow
SUNDAY_NIGHT_WEEK_IN_UTC = date(2026, 1, 26)


def value_of(metric, week):
    return MetricValue.objects.filter(metric=metric, week_start=week).values_list("value", flat=True).first()


def test_a_lead_reaching_a_mapped_stage_counts_in_the_local_week(amocrm, meetings, team, post_form):
    response = post_form(amocrm_url(amocrm), "amocrm_status_changed.txt")

    assert response.status_code == 200, response.content
    assert value_of(meetings, SUNDAY_NIGHT_WEEK_IN_MOSCOW) == Decimal(1)
    assert value_of(meetings, SUNDAY_NIGHT_WEEK_IN_UTC) is None
    recorded = MetricValue.objects.get(metric=meetings)
    assert recorded.recorded_by == team.tracker.user  # the member who connected the CRM


def test_the_same_sunday_night_is_the_week_before_in_utc(amocrm, meetings, team, post_form):
    team.company.timezone = "UTC"
    team.company.save(update_fields=["timezone"])

    post_form(amocrm_url(amocrm), "amocrm_status_changed.txt")

    assert value_of(meetings, SUNDAY_NIGHT_WEEK_IN_UTC) == Decimal(1)
    assert value_of(meetings, SUNDAY_NIGHT_WEEK_IN_MOSCOW) is None


def test_a_replayed_delivery_counts_once(amocrm, meetings, post_form):
    for _ in range(3):
        assert post_form(amocrm_url(amocrm), "amocrm_status_changed.txt").status_code == 200

    assert CrmEvent.objects.filter(connection=amocrm).count() == 1
    assert value_of(meetings, SUNDAY_NIGHT_WEEK_IN_MOSCOW) == Decimal(1)


def test_deals_of_a_week_are_counted_whatever_the_order(amocrm, meetings, post_form):
    """Tuesday's two leads (one to the mapped stage) and Thursday's new lead, in any order and
    replayed: the week of 2 February holds two deals."""
    for name in ("amocrm_lead_added.txt", "amocrm_two_leads.txt", "amocrm_lead_added.txt", "amocrm_two_leads.txt"):
        assert post_form(amocrm_url(amocrm), name).status_code == 200

    assert value_of(meetings, date(2026, 2, 2)) == Decimal(2)


def test_one_deal_reaching_the_stage_twice_in_a_week_is_one_deal(amocrm, meetings, client):
    body = "leads[status][0][id]=7&leads[status][0][status_id]=142&leads[status][0][pipeline_id]=3164458"
    for modified in (1770110100, 1770202800):
        client.post(amocrm_url(amocrm), f"{body}&leads[status][0][last_modified]={modified}", content_type=FORM)

    assert CrmEvent.objects.filter(connection=amocrm).count() == 2
    assert value_of(meetings, date(2026, 2, 2)) == Decimal(1)


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("amocrm_other_pipeline.txt", Reason.UNKNOWN_PIPELINE),
        ("amocrm_no_status.txt", Reason.NO_STAGE),
    ],
)
def test_an_event_that_cannot_be_mapped_is_kept_for_review(amocrm, meetings, post_form, name, reason):
    assert post_form(amocrm_url(amocrm), name).status_code == 200

    event = CrmEvent.objects.get(connection=amocrm)
    assert event.reason == reason and event.metric is None
    assert not MetricValue.objects.filter(metric=meetings).exists()


def test_an_unmapped_stage_is_kept_beside_the_counted_one(amocrm, meetings, post_form):
    post_form(amocrm_url(amocrm), "amocrm_two_leads.txt")

    reasons = dict(CrmEvent.objects.filter(connection=amocrm).values_list("deal_id", "reason"))
    assert reasons == {"25399014": "", "25399015": Reason.UNKNOWN_STAGE}
    assert value_of(meetings, date(2026, 2, 2)) == Decimal(1)


def test_a_mapping_for_any_pipeline_counts_a_stage_of_every_pipeline(amocrm, team, post_form):
    won = MetricFactory(company=team.company, name="Won", funnel_stage=3)
    crm_mapping_create(by=team.tracker, pipeline_id="", stage_id="142", metric=won)

    post_form(amocrm_url(amocrm), "amocrm_other_pipeline.txt")

    assert value_of(won, date(2026, 2, 2)) == Decimal(1)


@pytest.mark.parametrize(
    "name", ["amocrm_malformed_no_id.txt", "amocrm_malformed_no_leads.txt", "amocrm_malformed_time.txt"]
)
def test_a_malformed_payload_is_refused_and_changes_nothing(amocrm, team, post_form, name, caplog):
    before = written(team.company)

    response = post_form(amocrm_url(amocrm), name)

    assert response.status_code == 400
    assert written(team.company) == before
    assert "refused" in caplog.text


def test_a_wrong_secret_is_refused(amocrm, team, post_form, caplog):
    before = written(team.company)
    response = post_form(amocrm_url(amocrm, secret="guessed-secret-123"), "amocrm_status_changed.txt")

    assert response.status_code == 403
    assert written(team.company) == before
    assert "does not match" in caplog.text


def test_an_unknown_key_or_a_get_is_refused(amocrm, client, post_form):
    url = reverse("crm:inbound_amocrm", args=["no-such-key", "whatever"])
    assert post_form(url, "amocrm_status_changed.txt").status_code == 404
    assert client.get(amocrm_url(amocrm)).status_code == 405


def test_one_business_cannot_write_into_anothers_metrics(amocrm, meetings, foreign_team, connect, post_form):
    """The foreign business maps the same stage; its URL with its own secret writes only into its
    own metric, and the team's key with the foreign secret is refused."""
    foreign = connect(foreign_team.tracker, "amocrm")
    theirs = MetricFactory(company=foreign_team.company, name="Their meetings", funnel_stage=1)
    crm_mapping_create(by=foreign_team.tracker, pipeline_id="3164458", stage_id="142", metric=theirs)

    from tracking.accounts.mfa_secrets import decrypt

    crossed = reverse("crm:inbound_amocrm", args=[amocrm.key, decrypt(foreign.secret)])
    assert post_form(crossed, "amocrm_status_changed.txt").status_code == 403
    assert post_form(amocrm_url(foreign), "amocrm_status_changed.txt").status_code == 200

    assert value_of(theirs, SUNDAY_NIGHT_WEEK_IN_MOSCOW) == Decimal(1)
    assert not MetricValue.objects.filter(metric=meetings).exists()
    assert not CrmEvent.objects.filter(connection=amocrm).exists()


def test_a_mapping_cannot_name_another_business_metric(amocrm, team, foreign_team):
    from django.core.exceptions import ValidationError

    theirs = MetricFactory(company=foreign_team.company, name="Their stage", funnel_stage=1)
    with pytest.raises(ValidationError):
        crm_mapping_create(by=team.tracker, pipeline_id="", stage_id="143", metric=theirs)


def test_an_event_of_a_week_not_started_is_kept_for_review(amocrm, meetings, client, clock):
    future = int(clock.now().timestamp()) + 8 * 24 * 3600
    lead = "leads[status][0][id]=8&leads[status][0][status_id]=142&leads[status][0][pipeline_id]=3164458"
    body = f"{lead}&leads[status][0][last_modified]={future}"

    assert client.post(amocrm_url(amocrm), body, content_type=FORM).status_code == 200

    assert CrmEvent.objects.get(connection=amocrm).reason == Reason.FUTURE_WEEK
    assert not MetricValue.objects.filter(metric=meetings).exists()


def test_when_the_connecting_member_left_the_events_wait_for_review(amocrm, meetings, team, post_form):
    team.tracker.delete()

    assert post_form(amocrm_url(amocrm), "amocrm_status_changed.txt").status_code == 200

    assert CrmEvent.objects.get(connection=amocrm).reason == Reason.NO_MEMBER
    assert not MetricValue.objects.filter(metric=meetings).exists()
