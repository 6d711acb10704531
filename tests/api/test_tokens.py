"""API tokens: made on the settings page by a tracker or entrepreneur, shown once, kept as a
hash, refused (401) when wrong, revoked, expired or left behind by their maker."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from tests import clock
from tests.factories import MembershipFactory
from tracking.api.models import ApiToken
from tracking.api.services import api_token_create, api_token_revoke

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r"spt_[a-z0-9]{8}_[A-Za-z0-9_-]{43}")


def _create(client, team, **data):
    url = reverse("api_token_create", args=[team.company.pk])
    return client.post(url, {"name": "CRM sync", "scopes": ["read", "metrics:write"], "expires_in": "", **data})


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(team, client_for, api):
    client = client_for(team.entrepreneur)
    response = _create(client, team)

    assert response.status_code == 200
    body = response.content.decode()
    assert "shown only this once" in body
    assert "no-store" in response["Cache-Control"]
    [plaintext] = set(TOKEN.findall(body))
    token = ApiToken.objects.get(company=team.company)
    assert token.secret_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert plaintext.startswith(token.prefix + "_")
    row = " ".join(map(str, ApiToken.objects.filter(pk=token.pk).values_list().get()))
    assert plaintext not in row and plaintext[len(token.prefix) + 1 :] not in row
    assert token.created_by == team.entrepreneur.user and sorted(token.scopes) == ["metrics:write", "read"]

    settings_page = client.get(reverse("tracking:company_settings", args=[team.company.pk])).content.decode()
    assert f"{token.prefix}…" in settings_page and plaintext not in settings_page
    assert api("get", "company", plaintext).json()["name"] == team.company.name


def test_a_refused_form_keeps_what_was_typed_and_makes_nothing(team, client_for):
    response = _create(client_for(team.tracker), team, name="CRM typed", scopes=[])

    assert response.status_code == 200
    assert "CRM typed" in response.content.decode() and "This field is required." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_expiry_is_set_from_the_lifetime_chosen(team, client_for):
    _create(client_for(team.tracker), team, expires_in="30")

    expires_at = ApiToken.objects.get().expires_at
    assert timedelta(days=30) - timedelta(minutes=1) < expires_at - clock.now() <= timedelta(days=30)


def _expect_401(response, code):
    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == code
    assert set(response.json()) == {"error"}
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_missing_and_malformed_tokens_are_401(team, token_for, api, client):
    plaintext = token_for(team.tracker)
    _expect_401(api("get", "company"), "token_missing")
    _expect_401(api("get", "company", "nonsense"), "token_invalid")
    _expect_401(api("get", "company", "spt_abcdefgh_" + "x" * 43), "token_invalid")
    _expect_401(api("get", "company", plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B")), "token_invalid")
    basic = client.get("/api/v1/company", headers={"Authorization": f"Basic {plaintext}"})
    _expect_401(basic, "token_invalid")


def test_a_revoked_token_is_401_at_once(team, token_for, api):
    issued = api_token_create(by=team.tracker, name="Old", scopes=["read"])
    assert api("get", "company", issued.plaintext).status_code == 200

    api_token_revoke(token=issued.token, by=team.entrepreneur)

    _expect_401(api("get", "company", issued.plaintext), "token_revoked")


def test_an_expired_token_is_401(team, api):
    issued = api_token_create(
        by=team.tracker, name="Short", scopes=["read"], expires_at=clock.now() + timedelta(hours=1)
    )
    assert api("get", "company", issued.plaintext).status_code == 200

    with time_machine.travel(clock.now() + timedelta(hours=1, seconds=1), tick=False):
        _expect_401(api("get", "company", issued.plaintext), "token_expired")


def test_a_token_stops_when_its_maker_leaves_the_business(team, token_for, api):
    plaintext = token_for(team.entrepreneur)
    team.entrepreneur.delete()

    _expect_401(api("get", "company", plaintext), "token_invalid")


def test_last_used_is_written_at_most_once_a_minute(team, token_for, api):
    plaintext = token_for(team.tracker)
    start = clock.now()
    with time_machine.travel(start, tick=False):
        api("get", "company", plaintext)
    assert ApiToken.objects.get().last_used_at == start

    with time_machine.travel(start + timedelta(seconds=50), tick=False):
        api("get", "company", plaintext)
    assert ApiToken.objects.get().last_used_at == start

    with time_machine.travel(start + timedelta(seconds=61), tick=False):
        api("get", "company", plaintext)
    assert ApiToken.objects.get().last_used_at == start + timedelta(seconds=61)


@pytest.mark.parametrize("role", ["tracker", "entrepreneur", "team_lead", "member"])
def test_only_managers_see_the_tokens_on_the_settings_page(role, team, client_for):
    issued = api_token_create(by=team.tracker, name="CRM sync", scopes=["read"])

    body = client_for(team.by_role(role)).get(reverse("tracking:company_settings", args=[team.company.pk]))
    body = body.content.decode()

    shown = role in {"tracker", "entrepreneur"}
    assert ("API tokens" in body) is shown
    assert (f"{issued.token.prefix}…" in body) is shown
    assert (reverse("api_token_revoke", args=[team.company.pk, issued.token.pk]) in body) is shown


def test_revoking_from_the_settings_page(team, client_for, api):
    issued = api_token_create(by=team.tracker, name="CRM sync", scopes=["read"])
    client = client_for(team.entrepreneur)

    response = client.post(reverse("api_token_revoke", args=[team.company.pk, issued.token.pk]), follow=True)

    assert response.status_code == 200
    assert "The token “CRM sync” is revoked." in response.content.decode()
    assert ApiToken.objects.get().revoked_at is not None
    _expect_401(api("get", "company", issued.plaintext), "token_revoked")


def test_another_business_token_cannot_be_revoked(team, foreign_team, client_for, api):
    foreign = api_token_create(by=foreign_team.tracker, name="Theirs", scopes=["read"])
    client = client_for(team.tracker)

    for company in (team.company, foreign_team.company):
        response = client.post(reverse("api_token_revoke", args=[company.pk, foreign.token.pk]))
        assert response.status_code == 404
    assert ApiToken.objects.get(pk=foreign.token.pk).revoked_at is None
    assert api("get", "company", foreign.plaintext).status_code == 200


def test_the_token_answers_in_its_maker_language(team, api):
    team.tracker.user.language = "ru"
    team.tracker.user.save()
    plaintext = api_token_create(by=team.tracker, name="CRM", scopes=["read"]).plaintext
    other = MembershipFactory(company=team.company, role="entrepreneur")
    english = api_token_create(by=other, name="CRM 2", scopes=["read"]).plaintext

    russian = api("get", "metrics/0", plaintext).json()["error"]["message"]
    assert russian == "Такой метрики нет."
    assert api("get", "metrics/0", english).json()["error"]["message"] == "No such metric."
