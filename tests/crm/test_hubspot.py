"""HubSpot's webhooks: a JSON batch, signed with X-HubSpot-Signature-v3 (checked here against
the documented algorithm computed independently), refused when the timestamp is stale."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.crm.conftest import HUBSPOT_SECRET, hubspot_v3, payload, written
from tracking.api.crm.models import CrmEvent, Reason
from tracking.api.crm.services import crm_mapping_create
from tracking.models import MetricValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def hubspot(team, meetings, connect):
    connection = connect(team.tracker, "hubspot", HUBSPOT_SECRET)
    crm_mapping_create(by=team.tracker, pipeline_id="", stage_id="presentationscheduled", metric=meetings)
    return connection


@pytest.fixture
def send(client, clock):
    """`send(connection, body, age=0s, secret=…)`: the body POSTed as HubSpot would, signed."""

    def post(connection, body: bytes, *, age=timedelta(0), secret=HUBSPOT_SECRET, signature=None):
        path = reverse("crm:inbound_hubspot", args=[connection.key])
        timestamp = str(int((clock.now() - age).timestamp() * 1000))
        signed = signature or hubspot_v3(secret, f"http://testserver{path}", body, timestamp)
        headers = {"X-HubSpot-Signature-v3": signed, "X-HubSpot-Request-Timestamp": timestamp}
        return client.post(path, body, content_type="application/json", headers=headers)

    return post


def test_a_signed_batch_counts_each_deal_in_its_local_week(hubspot, meetings, send):
    response = send(hubspot, payload("hubspot_dealstage.json"))

    assert response.status_code == 200, response.content
    assert MetricValue.objects.get(metric=meetings, week_start=date(2026, 2, 2)).value == Decimal(2)


def test_a_batch_sent_again_counts_once(hubspot, meetings, send):
    for _ in range(2):
        assert send(hubspot, payload("hubspot_dealstage.json")).status_code == 200

    assert CrmEvent.objects.filter(connection=hubspot).count() == 2
    assert MetricValue.objects.get(metric=meetings, week_start=date(2026, 2, 2)).value == Decimal(2)


def test_what_is_no_stage_change_or_not_mapped_is_kept_for_review(hubspot, meetings, send):
    assert send(hubspot, payload("hubspot_mixed.json")).status_code == 200

    reasons = sorted(CrmEvent.objects.filter(connection=hubspot).values_list("reason", flat=True))
    assert reasons == sorted([Reason.UNKNOWN_STAGE, Reason.NOT_A_STAGE_CHANGE, Reason.NO_STAGE])
    assert not MetricValue.objects.filter(metric=meetings).exists()


@pytest.mark.parametrize(
    "how",
    [
        {"secret": "another-apps-client-secret"},
        {"signature": "bm90IGEgc2lnbmF0dXJl"},
        {"age": timedelta(minutes=5, seconds=5)},
        {"age": -timedelta(minutes=6)},
    ],
    ids=["wrong secret", "forged", "stale", "from the future"],
)
def test_a_bad_or_stale_signature_is_refused(hubspot, team, send, how, caplog):
    before = written(team.company)

    assert send(hubspot, payload("hubspot_dealstage.json"), **how).status_code == 403
    assert written(team.company) == before
    assert "refused" in caplog.text


def test_a_signature_of_four_minutes_ago_is_accepted(hubspot, send):
    assert send(hubspot, payload("hubspot_dealstage.json"), age=timedelta(minutes=4)).status_code == 200


def test_an_unsigned_request_is_refused(hubspot, client):
    path = reverse("crm:inbound_hubspot", args=[hubspot.key])
    assert client.post(path, payload("hubspot_dealstage.json"), content_type="application/json").status_code == 403


@pytest.mark.parametrize(
    "name",
    ["hubspot_malformed_no_event_id.json", "hubspot_malformed_truncated.json", "hubspot_malformed_not_an_array.json"],
)
def test_a_malformed_batch_is_refused_whole(hubspot, team, send, name):
    before = written(team.company)

    assert send(hubspot, payload(name)).status_code == 400
    assert written(team.company) == before


@pytest.mark.parametrize(
    "body", [b"", b"[]", b"null", b"[1, 2]", b'[{"eventId": true}]', '[{"eventId": "\u00e9"}]'.encode(), b"\xff\xfe"]
)
def test_no_input_is_a_server_error(hubspot, send, body):
    assert send(hubspot, body).status_code == 400
