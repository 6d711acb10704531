"""The business's API tokens on its settings page: listed, made (the secret shown once) and
revoked, by a tracker or an entrepreneur; and the API's answer to a path it does not have."""

from functools import partial

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ..access import access_company
from ..form_flow import done, submit
from ..roles import Permission, role_allows
from . import selectors, services
from .access import access_api_token
from .errors import ApiError, error_body
from .forms import TokenForm


def token_section(request, company, membership) -> str:
    """The "API tokens" section of the settings page (the core's page gets it from the
    project's urls.py); only the people who manage them see it."""
    if not role_allows(membership.role, Permission.MANAGE_COMPANY):
        return ""
    context = {"company": company, "tokens": selectors.tokens_of(company), "token_form": TokenForm()}
    return render_to_string("api/_tokens.html", context, request=request)


@never_cache  # the answer holds the whole token: no copy of it in any cache
@require_http_methods(["GET", "POST"])
def token_create(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and (
        issued := submit(form, partial(services.api_token_create, by=membership), fields=TokenForm.token_fields)
    ):
        # Not redirected: the whole token exists only in this answer.
        return render(request, "api/token_created.html", {"company": company, "issued": issued})
    return render(request, "api/token_new.html", {"company": company, "token_form": form})


@require_POST
def token_revoke(request, company_id: int, token_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    token = access_api_token(company, token_id)
    services.api_token_revoke(token=token, by=membership)
    revoked = _("The token “%(name)s” is revoked.") % {"name": token.name}
    return done(request, revoked, "tracking:company_settings", company.pk)


@login_not_required
def unknown_path(request, rest: str):
    """A path under /api/v1/ that no endpoint has: a 404 in the API's error shape, not a page."""
    return JsonResponse(error_body(ApiError(404, "not_found", _("The API has no such path."))), status=404)
