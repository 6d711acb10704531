"""Bitrix24's outbound webhook: `auth[application_token]` checked, a deal's stage counted when
`data[FIELDS][STAGE_ID]` is in the payload, kept for review when it is not."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.crm.conftest import BITRIX_TOKEN, written
from tracking.api.crm.models import CrmEvent, Reason
from tracking.api.crm.services import crm_mapping_create
from tracking.models import MetricValue

pytestmark = pytest.mark.django_db


@pytest.fixture
def bitrix(team, meetings, connect):
    connection = connect(team.tracker, "bitrix24", BITRIX_TOKEN)
    crm_mapping_create(by=team.tracker, pipeline_id="2", stage_id="C2:PREPAYMENT_INVOICE", metric=meetings)
    crm_mapping_create(by=team.tracker, pipeline_id="", stage_id="NEW", metric=meetings)
    return connection


def url(connection) -> str:
    return reverse("crm:inbound_bitrix24", args=[connection.key])


def test_a_deal_update_with_its_stage_counts_in_the_local_week(bitrix, meetings, post_form):
    assert post_form(url(bitrix), "bitrix24_deal_update.txt").status_code == 200
    assert post_form(url(bitrix), "bitrix24_deal_add.txt").status_code == 200

    # Sunday 1 February 23:30 UTC is Monday in Moscow; the new deal came on Tuesday.
    assert MetricValue.objects.get(metric=meetings, week_start=date(2026, 2, 2)).value == Decimal(2)


def test_a_replay_counts_once(bitrix, meetings, post_form):
    for _ in range(2):
        post_form(url(bitrix), "bitrix24_deal_update.txt")

    assert CrmEvent.objects.filter(connection=bitrix).count() == 1
    assert MetricValue.objects.get(metric=meetings, week_start=date(2026, 2, 2)).value == Decimal(1)


def test_an_update_without_its_stage_is_kept_for_review(bitrix, meetings, post_form):
    assert post_form(url(bitrix), "bitrix24_deal_update_no_stage.txt").status_code == 200

    event = CrmEvent.objects.get(connection=bitrix)
    assert (event.deal_id, event.reason) == ("4713", Reason.NO_STAGE)
    assert not MetricValue.objects.filter(metric=meetings).exists()


def test_a_wrong_application_token_is_refused(bitrix, team, post_form, caplog):
    before = written(team.company)

    assert post_form(url(bitrix), "bitrix24_wrong_token.txt").status_code == 403
    assert written(team.company) == before
    assert "auth[application_token] does not match" in caplog.text


@pytest.mark.parametrize("name", ["bitrix24_malformed_no_id.txt", "bitrix24_malformed_no_event.txt"])
def test_a_malformed_event_is_refused(bitrix, team, post_form, name):
    before = written(team.company)

    assert post_form(url(bitrix), name).status_code == 400
    assert written(team.company) == before


def test_the_url_of_another_provider_is_not_found(bitrix, post_form):
    amocrm_url = reverse("crm:inbound_amocrm", args=[bitrix.key, BITRIX_TOKEN])
    hubspot_url = reverse("crm:inbound_hubspot", args=[bitrix.key])

    assert post_form(amocrm_url, "amocrm_status_changed.txt").status_code == 404
    assert post_form(hubspot_url, "bitrix24_deal_update.txt").status_code == 404
