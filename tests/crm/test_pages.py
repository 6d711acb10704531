"""The CRM section of the settings: connecting, the URL to paste, the stage mapping row by row,
the review list; and the metric page's line about its feed."""

from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.crm.conftest import amocrm_url
from tests.factories import MetricFactory
from tracking.api.crm.models import CrmConnection, CrmEvent, CrmStageMapping

pytestmark = pytest.mark.django_db


def page(company):
    return reverse("crm:settings", args=[company.pk])


def test_the_empty_page_says_what_to_do(team, client):
    client.force_login(team.entrepreneur.user)
    body = client.get(page(team.company)).content.decode()
    assert 'id="crm-empty"' in body and "crm-review" not in body


def test_the_settings_page_links_to_it_for_managers_only(team, client):
    settings = reverse("tracking:company_settings", args=[team.company.pk])
    client.force_login(team.tracker.user)
    assert page(team.company) in client.get(settings).content.decode()
    client.force_login(team.member.user)
    assert page(team.company) not in client.get(settings).content.decode()
    assert client.get(page(team.company)).status_code == 403


def test_connecting_amocrm_gives_the_url_with_its_secret(team, client):
    client.force_login(team.tracker.user)
    response = client.post(page(team.company), {"provider": "amocrm", "secret": ""})
    assert response.status_code == 302

    connection = CrmConnection.objects.get(company=team.company)
    assert connection.secret.startswith("fernet:")  # encrypted at rest
    body = client.get(page(team.company)).content.decode()
    assert f"http://testserver{amocrm_url(connection)}" in body
    assert 'id="crm-mappings-empty"' in body and 'id="crm-review-empty"' in body


@pytest.mark.parametrize(
    "data", [{"provider": "bitrix24", "secret": ""}, {"provider": "hubspot", "secret": "short"}, {"provider": "x"}]
)
def test_bad_connection_input_is_a_form_error_and_changes_nothing(team, client, data):
    client.force_login(team.tracker.user)
    response = client.post(page(team.company), data)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert not CrmConnection.objects.filter(company=team.company).exists()


def test_a_blank_secret_keeps_the_stored_one(amocrm, team, client):
    client.force_login(team.tracker.user)
    client.post(page(team.company), {"provider": "amocrm", "secret": ""})
    assert CrmConnection.objects.get(pk=amocrm.pk).secret == amocrm.secret


def test_a_stage_is_mapped_to_a_funnel_stage_only(amocrm, meetings, team, foreign_team, client):
    client.force_login(team.tracker.user)
    add = reverse("crm:mapping_add", args=[team.company.pk])
    not_a_stage = team.metric  # no funnel stage
    theirs = MetricFactory(company=foreign_team.company, funnel_stage=1)
    for metric in (not_a_stage, theirs):
        response = client.post(add, {"pipeline_id": "", "stage_id": "143", "metric": metric.pk})
        assert response.status_code == 200 and 'class="error"' in response.content.decode()
    duplicate = client.post(add, {"pipeline_id": "3164458", "stage_id": "142", "metric": meetings.pk})
    assert "already mapped" in duplicate.content.decode()
    assert list(CrmStageMapping.objects.values_list("stage_id", flat=True)) == ["142"]

    assert client.post(add, {"pipeline_id": "", "stage_id": "143", "metric": meetings.pk}).status_code == 302
    assert CrmStageMapping.objects.filter(stage_id="143", pipeline_id="").exists()


def test_a_mapping_row_is_text_until_edited(amocrm, meetings, team, client):
    client.force_login(team.tracker.user)
    mapping = CrmStageMapping.objects.get(connection=amocrm)
    url = reverse("crm:mapping", args=[team.company.pk, mapping.pk])
    htmx = {"HX-Request": "true"}
    listed = client.get(page(team.company)).content.decode()
    assert f'id="mapping-{mapping.pk}"' in listed and f'name="m{mapping.pk}-stage_id"' not in listed

    form = client.get(url, headers=htmx).content.decode()
    assert f'name="m{mapping.pk}-stage_id"' in form and "<html" not in form

    refused = client.post(url, {f"m{mapping.pk}-stage_id": "", f"m{mapping.pk}-metric": meetings.pk}, headers=htmx)
    assert 'class="error"' in refused.content.decode()
    assert CrmStageMapping.objects.get(pk=mapping.pk).stage_id == "142"

    data = {f"m{mapping.pk}-pipeline_id": "", f"m{mapping.pk}-stage_id": "150", f"m{mapping.pk}-metric": meetings.pk}
    saved = client.post(url, data, headers=htmx).content.decode()
    assert "150" in saved and '<form class="member-edit"' not in saved
    assert CrmStageMapping.objects.get(pk=mapping.pk).stage_id == "150"


def test_the_review_list_shows_each_unmapped_event_with_its_reason(amocrm, team, client, post_form):
    post_form(amocrm_url(amocrm), "amocrm_two_leads.txt")
    client.force_login(team.tracker.user)
    body = client.get(page(team.company)).content.decode()
    assert "25399015" in body and "The stage is not mapped to a metric" in body
    assert "25399014" not in body  # counted, so not for review


def test_the_metric_page_says_which_crm_feeds_it(amocrm, meetings, team, client, post_form):
    client.force_login(team.tracker.user)
    url = reverse("tracking:metric_detail", args=[team.company.pk, meetings.pk])
    assert "from amoCRM, no events yet" in client.get(url).content.decode()

    post_form(amocrm_url(amocrm), "amocrm_status_changed.txt")
    received = CrmEvent.objects.get().received_at.astimezone(ZoneInfo("Europe/Moscow"))

    assert f"from amoCRM, last event {received:%H:%M}" in client.get(url).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    russian = client.get(url).content.decode()
    assert f"из amoCRM, последнее событие {received:%H:%M}" in russian


def test_a_metric_fed_by_no_crm_has_no_line(team, client):
    client.force_login(team.tracker.user)
    body = client.get(reverse("tracking:metric_detail", args=[team.company.pk, team.metric.pk])).content.decode()
    assert 'id="metric-feed"' not in body


def test_the_feed_line_costs_one_query(amocrm, meetings, team, client, post_form):
    """A funnel stage's page reads its feed in one query, fed or not, however many events there
    are; the page of a metric that is no funnel stage (so never mapped) reads nothing more."""
    client.force_login(team.tracker.user)
    url = reverse("tracking:metric_detail", args=[team.company.pk, meetings.pk])
    counts = []
    for name in ("amocrm_status_changed.txt", "amocrm_two_leads.txt"):
        post_form(amocrm_url(amocrm), name)
        with CaptureQueriesContext(db) as fed:
            client.get(url)
        counts.append(len(fed))
    CrmStageMapping.objects.filter(metric=meetings).delete()
    with CaptureQueriesContext(db) as unfed:
        body = client.get(url).content.decode()
    assert 'id="metric-feed"' not in body
    assert counts == [len(unfed), len(unfed)]
