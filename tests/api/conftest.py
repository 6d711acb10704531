import json

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from tracking.api.models import Scope
from tracking.api.services import api_token_create

ALL_SCOPES = [Scope.READ, Scope.METRICS_WRITE, Scope.WRITE]


@pytest.fixture
def token_for():
    """The plaintext of a new token made by `membership` (a tracker or entrepreneur)."""

    def make(membership, scopes=ALL_SCOPES, **fields) -> str:
        return api_token_create(by=membership, name="Integration", scopes=list(scopes), **fields).plaintext

    return make


@pytest.fixture
def api(client):
    """`api(method, path, token, body=None)`: a request to /api/v1/ with the token (if any)."""

    def call(method: str, path: str, token: str | None = None, body=None, **headers):
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        data = body if isinstance(body, str | bytes) or body is None else json.dumps(body)
        return client.generic(
            method.upper(), f"/api/v1/{path.lstrip('/')}", data or "", content_type="application/json", headers=headers
        )

    return call


@pytest.fixture
def wsgi_in_the_test_transaction():
    """For schemathesis, which calls the project's WSGI handler: Django closes the database
    connection after each request; as the test client does, keep it open so the requests see the
    test's rows."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
