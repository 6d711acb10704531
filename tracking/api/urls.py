"""The API's routes, mounted at /api/v1/ by the project's urls.py."""

import json
from decimal import Decimal
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.parser import Parser

from . import errors, hypotheses, sprints, views
from .auth import TokenAuth
from .endpoints import router
from .errors import ApiError, error_body


class DecimalParser(Parser):
    """JSON numbers become Decimals, never floats: 0.1 stays 0.1."""

    def parse_body(self, request):
        return json.loads(request.body, parse_float=Decimal)


class PublicApi(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        """Every answer to a counted request says where the token stands in its minute."""
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        if rate := getattr(request, "api_rate", None):
            for name, value in rate.headers().items():
                response[name] = value
        return response


api = PublicApi(
    title="Sprint tracker API",
    version="1",
    description="A business's data for its own tools. Send `Authorization: Bearer <token>`; "
    "tokens are made on the business's settings page.",
    urls_namespace="api",
    auth=TokenAuth(),
    parser=DecimalParser(),
    # The schema and its docs page describe the API, not a business: open to anyone.
    docs_decorator=login_not_required,
)
errors.install(api)
api.add_router("/", router)
api.add_router("/", hypotheses.router)
api.add_router("/", sprints.router)


def _method_refused_in_shape(view):
    """ninja refuses a method a path does not take with an empty 405: say it in the error shape."""

    @wraps(view)  # keeps ninja's csrf_exempt
    def answer(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        message = _("This path does not take %(method)s requests.") % {"method": request.method}
        refused = JsonResponse(error_body(ApiError(405, "method_not_allowed", message)), status=405)
        refused["Allow"] = response["Allow"]
        return refused

    return answer


def _routes():
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = _method_refused_in_shape(pattern.callback)
        # A token, not a session, signs an API request in: the site-wide sign-in requirement
        # (LoginRequiredMiddleware) does not apply.
        login_not_required(pattern.callback)
    # Any other path is a 404 in the API's error shape. It goes before ninja's root, which answers
    # an HTML 404 and is only there to be reversed (the schema's path prefix).
    *endpoints, root = patterns
    unknown = re_path(r"^(?P<rest>.*)$", views.unknown_path, name="unknown_path")
    return [*endpoints, unknown, root], app_name, namespace


routes = _routes()
