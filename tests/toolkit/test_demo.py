"""The demo's funnels and unit economics, as a user sees them."""

import pytest
from django.urls import reverse

from sprints.demo.seed import seed_demo
from tracking.models import Company, Membership

pytestmark = pytest.mark.django_db


def _page(client, name, company):
    return client.get(reverse(name, args=[company.pk])).content.decode()


def _first_lever(page: str) -> str:
    return page.split('id="sensitivity"')[1].split('data-input="')[1].split('"')[0]


def test_the_demo_shows_the_leaks_and_rankings(client):
    seed_demo()
    dubrava = Company.objects.get(name="Кухни на заказ «Дубрава»")
    northwind = Company.objects.get(name="Northwind Dental Studio")
    bluebird = Company.objects.get(name="Bluebird Coffee Roasters")
    client.force_login(Membership.objects.filter(company=dubrava, role="tracker").get().user)

    funnel = _page(client, "toolkit:funnel", dubrava)
    assert "The funnel leaks at “Договоры”: 16.2% step conversion against a reference of 46.2%." in funnel
    assert "would give 11 more “Договоры” (6 now)" in funnel  # people come whole (11.1)
    economics = _page(client, "toolkit:unit_economics", dubrava)
    assert _first_lever(economics) == "c1"
    assert "Conversion to first purchase (C1) moves income most" in economics
    assert _first_lever(_page(client, "toolkit:unit_economics", northwind)) == "apc"
    assert _first_lever(_page(client, "toolkit:unit_economics", bluebird)) == "avg_price"
    for company in (northwind, bluebird):
        assert "The funnel leaks at" in _page(client, "toolkit:funnel", company)
