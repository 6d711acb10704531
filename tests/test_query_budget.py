"""Every page stays within the query budget of DESIGN.md §8 (≤ 15). Pages whose data can
grow have their own tests with small and large data; this one catches a new page or a
template change that starts querying in a loop."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.url_samples import SAMPLES, Scope

pytestmark = pytest.mark.django_db

PAGE_BUDGET = 15
PAGES = [name for name, sample in SAMPLES.items() if sample.scope in (Scope.COMPANY, Scope.USER)]


def test_every_page_stays_within_the_query_budget(team, client):
    client.force_login(team.tracker.user)
    measured, over = {}, {}
    for url_name in PAGES:
        url = reverse(url_name, kwargs=SAMPLES[url_name].kwargs(team))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        if response.status_code == 405:
            continue  # a POST-only endpoint, not a page
        assert response.status_code == 200, url_name
        measured[url_name] = len(captured)
        if len(captured) > PAGE_BUDGET:
            over[url_name] = [q["sql"][:120] for q in captured.captured_queries]
    assert len(measured) >= 20, measured
    assert not over, over
