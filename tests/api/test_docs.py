"""The OpenAPI schema and its docs page: served without a token, under the site's CSP, from our
own static files (no CDN, no inline script)."""

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/company": {"get"},
    "/api/v1/members": {"get"},
    "/api/v1/constraints": {"get"},
    "/api/v1/constraints/{constraint_id}": {"get"},
    "/api/v1/metrics": {"get"},
    "/api/v1/metrics/{metric_id}": {"get"},
    "/api/v1/metrics/{metric_id}/values": {"get"},
    "/api/v1/metrics/{metric_id}/values/{week}": {"put"},
    "/api/v1/goals": {"get"},
    "/api/v1/hypotheses": {"get", "post"},
    "/api/v1/hypotheses/{hypothesis_id}": {"get"},
    "/api/v1/hypotheses/{hypothesis_id}/measured": {"put"},
    "/api/v1/sprints": {"get"},
    "/api/v1/sprints/{sprint_id}": {"get"},
    "/api/v1/sprints/{sprint_id}/report": {"get"},
    "/api/v1/actions/{action_id}/result": {"put"},
}


def test_the_schema_lists_every_endpoint_with_bearer_auth(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert {path: set(operations) for path, operations in schema["paths"].items()} == PATHS
    [scheme] = schema["components"]["securitySchemes"].values()
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    put = schema["paths"]["/api/v1/metrics/{metric_id}/values/{week}"]["put"]
    assert put["security"] and "requestBody" in put


def test_the_docs_page_loads_only_our_own_scripts_under_the_csp(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    body = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>", body)
    assert scripts
    for attributes in scripts:
        # Either a file of ours, or a JSON data block, which a browser never runs.
        source = re.search(r'src="([^"]+)"', attributes)
        assert (source and source.group(1).startswith("/static/")) or 'type="application/json"' in attributes
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', body):
        assert finders.find(asset), asset
