"""OpenAPI links: where the ids an answer holds lead, declared on the operations (django-ninja's
`openapi_extra`). Clients see them in the schema; schemathesis' stateful test
(tests/api/test_schema_stateful.py) follows every one of them."""


def links(status: int = 200, **named: dict) -> dict:
    """`openapi_extra` for the links of an operation's answer with `status`."""
    return {"responses": {status: {"links": named}}}


def link(module: str, view: str, description: str, *, body: dict | None = None, **parameters: str) -> dict:
    """A link to the view `view` of tracking/api/<module>.py (its operationId, as django-ninja
    names it), its parameters and body taken from the answer (`$response.body#/…`)."""
    target = {"operationId": f"tracking_api_{module}_{view}", "description": description}
    if parameters:
        target["parameters"] = parameters
    if body is not None:
        target["requestBody"] = body
    return target
