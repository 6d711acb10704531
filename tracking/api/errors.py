"""One error shape for every answer the API refuses:

    {"error": {"code": "not_found", "message": "No such metric.", "fields": {"value": ["Enter a number."]}}}

in the language of the token's maker (auth.py activates it). A handler per kind of refusal;
anything else is a bug: logged, and answered 500 in the same shape."""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaError

from sprints.services import StaleAction

logger = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, *, fields=None, headers=None, current=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}
        self.current = current  # what the object is now, when the request was written against an older one


def error_body(error: ApiError) -> dict:
    body = {"code": error.code, "message": error.message, "fields": error.fields}
    if error.current is not None:
        body["current"] = error.current
    return {"error": body}


def _answer(api: NinjaAPI, request, error: ApiError):
    response = api.create_response(request, error_body(error), status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'  # RFC 6750: how to sign in
    for name, value in error.headers.items():
        response[name] = value
    return response


# pydantic's error types, said in the words (and the translations) of Django's own form errors.
_SCHEMA_MESSAGES = {
    "missing": lambda ctx: _("This field is required."),
    "int_parsing": lambda ctx: _("Enter a whole number."),
    "int_type": lambda ctx: _("Enter a whole number."),
    "int_from_float": lambda ctx: _("Enter a whole number."),
    "decimal_parsing": lambda ctx: _("Enter a number."),
    "decimal_type": lambda ctx: _("Enter a number."),
    "finite_number": lambda ctx: _("Enter a number."),
    "date_parsing": lambda ctx: _("Enter a valid date."),
    "date_type": lambda ctx: _("Enter a valid date."),
    "date_from_datetime_parsing": lambda ctx: _("Enter a valid date."),
    "date_from_datetime_inexact": lambda ctx: _("Enter a valid date."),
    "greater_than_equal": lambda ctx: (
        _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": ctx.get("ge")}
    ),
    "less_than_equal": lambda ctx: (
        _("Ensure this value is less than or equal to %(limit_value)s.") % {"limit_value": ctx.get("le")}
    ),
}


def _schema_fields(errors: list[dict]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in errors:
        # ("body", "payload", "value") → "value"; ("path", "week") → "week"; a whole body → "body".
        name = next((str(part) for part in reversed(error.get("loc", ())) if part != "payload"), "body")
        say = _SCHEMA_MESSAGES.get(error.get("type"), lambda ctx: _("Enter a valid value."))
        fields.setdefault(name, []).append(str(say(error.get("ctx") or {})))
    return fields


def install(api: NinjaAPI) -> None:
    def handle(exception_class, to_error):
        api.add_exception_handler(exception_class, lambda request, exc: _answer(api, request, to_error(exc)))

    handle(ApiError, lambda exc: exc)
    handle(
        AuthenticationError,
        lambda exc: ApiError(401, "token_missing", _("Send your API token as the header “Authorization: Bearer …”.")),
    )
    handle(PermissionDenied, lambda exc: ApiError(403, "forbidden", str(exc) or _("You may not do this.")))
    handle(Http404, lambda exc: ApiError(404, "not_found", str(exc) or _("Not found.")))
    handle(
        SchemaError,
        lambda exc: ApiError(422, "invalid", _("Some values are not valid."), fields=_schema_fields(exc.errors)),
    )
    handle(StaleAction, _stale)
    handle(DjangoValidationError, _refusal)
    handle(HttpError, _http_error)
    handle(RequestDataTooBig, lambda exc: ApiError(413, "too_large", _("The request body is too large.")))
    api.add_exception_handler(Exception, lambda request, exc: _bug(api, request, exc))


def _refusal(exc: DjangoValidationError) -> ApiError:
    """A service's refusal: its field errors as they are, or one under "__all__"."""
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    fields = {name: [str(message) for message in messages] for name, messages in by_field.items()}
    return ApiError(422, "invalid", _("Some values are not valid."), fields=fields)


def _stale(exc: StaleAction) -> ApiError:
    """Someone saved the action since the version the request names: nothing is written, and the
    answer says what it is now, so the caller can look and send again with that version."""
    action = exc.current
    current = {"version": action.version, "status": action.status, "result_note": action.result_note}
    return ApiError(409, "conflict", exc.messages[0], current=current | {"why_not_note": action.why_not_note})


def _http_error(exc: HttpError) -> ApiError:
    if exc.status_code == 400:  # the body could not be parsed
        return ApiError(400, "bad_request", _("The request body is not valid JSON."))
    return ApiError(exc.status_code, "error", str(exc))


def _bug(api: NinjaAPI, request, exc: Exception):
    logger.error("API request failed: %s %s", request.method, request.path, exc_info=exc)
    return _answer(api, request, ApiError(500, "server_error", _("Something went wrong on our side.")))
