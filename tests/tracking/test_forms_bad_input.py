"""Bad input: a clear error next to the field, what was typed kept, nothing saved, no 500."""

from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from tests.conftest import make_team
from tracking.models import Company, Membership

pytestmark = pytest.mark.django_db

VALID_COMPANY = {
    "name": "Green Leaf Café",
    "timezone": "Europe/Moscow",
    "currency": "RUB",
    "review_weekday": "3",
    "review_time": "10:00",
    "sprint_length_days": "7",
    "reminder_lead_hours": "24",
    "language": "ru",
    "role": "tracker",
    "weekly_capacity_hours": "10",
}


def _field_errors(response, form_name="form"):
    """The errors of the posted form: other forms on the page (the settings page's token form,
    drawn first) are unbound."""
    return next(c[form_name] for c in response.context if form_name in c and c[form_name].is_bound).errors


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("timezone", "Mars/Olympus_Mons", "is not a known time zone"),
        ("sprint_length_days", "0", "greater than or equal to 1"),
        ("sprint_length_days", "30", "less than or equal to 14"),
        ("weekly_capacity_hours", "-5", "greater than or equal to 0"),
        ("weekly_capacity_hours", "abc", "Enter a number"),
        ("currency", "rubles", "at most 3 characters"),
        ("currency", "R1B", "three-letter ISO code"),
        ("currency", "abc", "“ABC” is not a currency code we know"),
        ("currency", "NaN", "“NAN” is not a currency code we know"),
        ("review_time", "25:99", "Enter a valid time"),
    ],
)
def test_company_create_rejects_bad_input(field, value, message, team, client):
    client.force_login(team.tracker.user)
    before = Company.objects.count()
    data = {**VALID_COMPANY, field: value}

    response = client.post(reverse("tracking:company_create"), data)

    assert response.status_code == 200
    errors = _field_errors(response)
    assert list(errors) == [field], errors
    assert message in " ".join(errors[field])
    body = response.content.decode()
    # The error sits next to its field, and everything typed is still there.
    assert f'id="id_{field}_error"' in body
    assert 'value="Green Leaf Café"' in body
    assert 'value="Europe/Moscow"' in body or field == "timezone"
    assert Company.objects.count() == before


def test_company_create_with_valid_input_makes_the_creator_its_tracker(team, client):
    client.force_login(team.tracker.user)
    response = client.post(reverse("tracking:company_create"), VALID_COMPANY)
    company = Company.objects.get(name="Green Leaf Café")
    assert response.status_code == 302
    membership = company.memberships.get()
    assert membership.user == team.tracker.user
    assert (membership.role, membership.weekly_capacity_hours) == ("tracker", Decimal(10))


def test_company_settings_reject_bad_input_and_keep_the_rest(team, client):
    client.force_login(team.entrepreneur.user)
    data = {**VALID_COMPANY, "name": "New name", "sprint_length_days": "30"}
    response = client.post(reverse("tracking:company_settings", args=[team.company.pk]), data)
    assert response.status_code == 200
    assert list(_field_errors(response)) == ["sprint_length_days"]
    assert 'value="New name"' in response.content.decode()
    # The navigation still shows the saved name, and nothing changed in the database.
    team.company.refresh_from_db()
    assert team.company.name == "Alpha Bakery"
    assert team.company.sprint_length_days == 7


def test_an_unknown_currency_is_refused_in_the_readers_language_and_the_old_one_kept(team, client):
    client.force_login(team.entrepreneur.user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "ru"
    before = team.company.currency
    data = {**VALID_COMPANY, "currency": "xyz"}
    response = client.post(reverse("tracking:company_settings", args=[team.company.pk]), data)
    assert response.status_code == 200
    refused = "«XYZ» — неизвестный код валюты; укажите, например, RUB, EUR или USD."
    assert _field_errors(response) == {"currency": [refused]}
    assert 'value="xyz"' in response.content.decode()
    team.company.refresh_from_db()
    assert team.company.currency == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("weekly_capacity_hours", "-5", "greater than or equal to 0"),
        ("weekly_capacity_hours", "abc", "Enter a number"),
        ("weekly_capacity_hours", "1000", "less than or equal to 168"),
        ("email", "not-an-address", "Enter a valid email address"),
        ("role", "owner", "Select a valid choice"),
    ],
)
def test_member_add_rejects_bad_input(field, value, message, team, client):
    client.force_login(team.tracker.user)
    before = Membership.objects.count()
    data = {
        "email": "someone@example.test",
        "full_name": "Kim",
        "role": "member",
        "weekly_capacity_hours": "6",
    }
    data[field] = value
    response = client.post(reverse("tracking:member_add", args=[team.company.pk]), data)
    assert response.status_code == 200
    errors = _field_errors(response, "add_form")
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert 'value="Kim"' in response.content.decode()
    assert Membership.objects.count() == before


def test_duplicate_member_is_refused_next_to_the_email(team, client):
    client.force_login(team.tracker.user)
    email = team.member.user.email
    data = {"email": email.upper(), "full_name": "Again", "role": "team_lead", "weekly_capacity_hours": "3"}
    before = list(Membership.objects.values_list("pk", "role", "weekly_capacity_hours").order_by("pk"))

    response = client.post(reverse("tracking:member_add", args=[team.company.pk]), data)

    assert response.status_code == 200
    errors = _field_errors(response, "add_form")
    assert list(errors) == ["email"]
    assert "already a member of this business" in errors["email"][0]
    assert 'value="Again"' in response.content.decode()
    after = list(Membership.objects.values_list("pk", "role", "weekly_capacity_hours").order_by("pk"))
    assert after == before


@pytest.mark.parametrize("htmx", [False, True])
def test_member_update_rejects_bad_capacity(htmx, team, client):
    client.force_login(team.tracker.user)
    prefix = f"m{team.member.pk}"
    url = reverse("tracking:member_update", args=[team.company.pk, team.member.pk])
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        url, {f"{prefix}-role": "team_lead", f"{prefix}-weekly_capacity_hours": "-5"}, headers=headers
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "greater than or equal to 0" in body
    assert 'value="-5"' in body
    if htmx:
        assert "<html" not in body  # only the row is re-rendered
        assert f'id="member-{team.member.pk}"' in body
    team.member.refresh_from_db()
    assert (team.member.role, team.member.weekly_capacity_hours) == ("member", Decimal(8))


class CompanyFormFuzz(HypothesisTestCase):
    """Random input to the company form never gives a 500, and invalid input is never saved."""

    @classmethod
    def setUpTestData(cls):
        cls.team = make_team("Fuzz Co")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        name=st.text(max_size=300),
        tz=st.one_of(st.sampled_from(["UTC", "Europe/Berlin"]), st.text(max_size=70)),
        currency=st.text(max_size=5),
        weekday=st.one_of(st.integers(-3, 10).map(str), st.text(max_size=3)),
        review_time=st.one_of(st.just("09:30"), st.text(max_size=8)),
        length=st.one_of(st.integers(-5, 40).map(str), st.text(max_size=4)),
        lead=st.one_of(st.integers(-5, 400).map(str), st.text(max_size=4)),
    )
    def test_company_settings_form(self, name, tz, currency, weekday, review_time, length, lead):
        self.client.force_login(self.team.tracker.user)
        data = {
            "name": name,
            "timezone": tz,
            "currency": currency,
            "review_weekday": weekday,
            "review_time": review_time,
            "sprint_length_days": length,
            "reminder_lead_hours": lead,
            "language": "en",
        }
        before = Company.objects.filter(pk=self.team.company.pk).values().get()
        response = self.client.post(reverse("tracking:company_settings", args=[self.team.company.pk]), data)
        assert response.status_code in {200, 302}
        after = Company.objects.filter(pk=self.team.company.pk).values().get()
        if response.status_code == 200:  # rejected: nothing may have changed
            assert after == before
        else:
            company = Company.objects.get(pk=self.team.company.pk)
            company.full_clean()  # what was saved is valid
