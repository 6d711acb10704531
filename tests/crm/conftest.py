import base64
import hashlib
import hmac
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories import MetricFactory
from tracking.accounts.mfa_secrets import decrypt
from tracking.api.crm.models import CrmEvent
from tracking.api.crm.services import crm_connection_save, crm_mapping_create
from tracking.models import MetricValue

PAYLOADS = Path(__file__).parent / "payloads"
FORM = "application/x-www-form-urlencoded"
# The application token in the Bitrix24 fixtures, and a HubSpot app's client secret.
BITRIX_TOKEN = "wn5f7cd0ht2ebxs1o8u0y9q4rw3kcqgf"
HUBSPOT_SECRET = "6c1f4f6a-2b1e-4d7a-9c3e-0f1e2d3c4b5a"


def payload(name: str) -> bytes:
    return (PAYLOADS / name).read_bytes().strip()


def hubspot_v3(secret: str, uri: str, body: bytes, timestamp: str) -> str:
    """HubSpot's v3 signature, computed here from its documentation (not by the app's code)."""
    source = b"POST" + uri.encode() + body + timestamp.encode()
    return base64.b64encode(hmac.new(secret.encode(), source, hashlib.sha256).digest()).decode()


def written(company) -> tuple:
    """What an inbound request may change for a business: its events and its weekly values."""
    events = sorted(CrmEvent.objects.filter(connection__company=company).values_list("event_id", "reason"))
    values = sorted(MetricValue.objects.filter(metric__company=company).values_list("metric_id", "week_start", "value"))
    return events, values


@pytest.fixture
def meetings(team):
    """A funnel-stage metric of the team's business (in Moscow)."""
    return MetricFactory(company=team.company, name="Meetings held", unit="", funnel_stage=2)


@pytest.fixture
def connect():
    """`connect(membership, provider, secret="")`: the business's CRM connected by that member."""

    def make(membership, provider, secret=""):
        return crm_connection_save(by=membership, provider=provider, secret=secret)

    return make


@pytest.fixture
def amocrm(team, meetings, connect):
    """The team's amoCRM: stage 142 of pipeline 3164458 counts the meetings."""
    connection = connect(team.tracker, "amocrm")
    crm_mapping_create(by=team.tracker, pipeline_id="3164458", stage_id="142", metric=meetings)
    return connection


def amocrm_url(connection, secret: str | None = None) -> str:
    return reverse("crm:inbound_amocrm", args=[connection.key, secret or decrypt(connection.secret)])


@pytest.fixture
def post_form(client):
    def post(url: str, name: str):
        return client.post(url, payload(name), content_type=FORM)

    return post
