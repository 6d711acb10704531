"""Every URL × another company's objects → 404 and none of its data (DESIGN.md §4, §8)."""

import pytest
from django.urls import reverse

from tests.url_samples import SAMPLES, Scope, all_url_names

pytestmark = pytest.mark.django_db

COMPANY_URLS = [name for name, sample in SAMPLES.items() if sample.scope is Scope.COMPANY]
# The API's routes answer a token, not a session: tests/api/test_scopes_and_tenancy.py walks them.
SIGNED_IN_URLS = [name for name, sample in SAMPLES.items() if sample.scope not in {Scope.PUBLIC, Scope.API}]


def test_every_url_pattern_has_a_sample():
    names = all_url_names()
    missing = sorted(set(names) - set(SAMPLES))
    assert not missing, f"URL patterns without a sample in tests/url_samples.py: {missing}"
    stale = sorted(set(SAMPLES) - set(names))
    assert not stale, f"Samples for URL patterns that no longer exist: {stale}"


def _requests(client, url):
    for method in ("get", "post"):
        for htmx in (False, True):
            headers = {"HX-Request": "true"} if htmx else {}
            yield method, htmx, getattr(client, method)(url, headers=headers)


@pytest.mark.parametrize("url_name", COMPANY_URLS)
@pytest.mark.parametrize("role", ["tracker", "entrepreneur", "team_lead", "member"])
def test_foreign_company_objects_are_404_without_their_data(url_name, role, team, foreign_team, client):
    client.force_login(team.by_role(role).user)
    url = reverse(url_name, kwargs=SAMPLES[url_name].kwargs(foreign_team))
    statuses = set()
    for method, htmx, response in _requests(client, url):
        body = response.content.decode()
        # A view may refuse a method it does not serve before looking anything up (405):
        # that reveals nothing. Every method it serves must answer 404.
        assert response.status_code in {404, 405}, (method, htmx, response.status_code)
        statuses.add(response.status_code)
        for secret in foreign_team.names:
            assert secret not in body, f"{url_name} {method} htmx={htmx} shows {secret!r}"
    assert 404 in statuses, "the view was never reached"


@pytest.mark.parametrize("url_name", COMPANY_URLS)
def test_own_company_objects_are_reachable(url_name, team, client):
    """The control for the test above: the same URL with one's own objects is no 404."""
    client.force_login(team.tracker.user)
    url = reverse(url_name, kwargs=SAMPLES[url_name].kwargs(team))
    response = client.get(url)
    if response.status_code == 405:  # a POST-only view
        response = client.post(url)
    assert response.status_code not in {404, 405}, response.status_code


@pytest.mark.parametrize("url_name", SIGNED_IN_URLS)
def test_anonymous_is_sent_to_sign_in(url_name, foreign_team, client):
    url = reverse(url_name, kwargs=SAMPLES[url_name].kwargs(foreign_team))
    for method, htmx, response in _requests(client, url):
        assert response.status_code == 302, (method, htmx)
        assert response.url.startswith(reverse("login")), (method, htmx, response.url)
        for secret in foreign_team.names:
            assert secret not in response.content.decode()


@pytest.mark.parametrize("url_name", [n for n, s in SAMPLES.items() if s.scope is Scope.USER])
def test_user_pages_show_only_own_companies(url_name, team, foreign_team, client):
    client.force_login(team.tracker.user)
    url = reverse(url_name, kwargs=SAMPLES[url_name].kwargs(team))
    response = client.get(url)
    if response.status_code == 405:  # a POST-only view (sign out, answer an invitation)
        response = client.post(url)
    assert response.status_code in {200, 302}
    body = response.content.decode()
    for secret in foreign_team.names:
        assert secret not in body


def test_portfolio_lists_own_companies(team, foreign_team, client):
    client.force_login(team.tracker.user)
    body = client.get(reverse("tracking:portfolio")).content.decode()
    assert team.company.name in body


def test_admin_is_staff_only(team, client):
    client.force_login(team.tracker.user)
    response = client.get(reverse("admin:tracking_company_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response.url
