import json

import pytest

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
