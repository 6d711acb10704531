"""The demo's integrations on «Дубрава», run twice: one feed, one mapping, one live token."""

import pytest

from tests.factories import CompanyFactory, MembershipFactory, MetricFactory
from tracking.api.crm.demo import CONTRACTS, DUBRAVA, seed_integrations
from tracking.api.crm.models import CrmConnection, CrmStageMapping
from tracking.api.models import ApiToken
from tracking.api.services import token_hash

pytestmark = pytest.mark.django_db


def test_the_demo_feed_and_token_are_made_once():
    company = CompanyFactory(name=DUBRAVA)
    MembershipFactory(company=company, role="tracker")
    MetricFactory(company=company, name=CONTRACTS, funnel_stage=3)

    first, second = seed_integrations(), seed_integrations()

    assert CrmConnection.objects.get(company=company).provider == "amocrm"
    assert CrmStageMapping.objects.filter(connection__company=company).count() == 1
    live = ApiToken.objects.get(company=company, revoked_at__isnull=True)
    assert live.scopes == ["read"]
    assert live.secret_hash == token_hash(second[1].rsplit(" ", 1)[1])
    assert "/crm/amocrm/" in first[0] and first[0] == second[0]


def test_without_the_demo_nothing_is_made():
    assert seed_integrations() == []
    assert not CrmConnection.objects.exists()
