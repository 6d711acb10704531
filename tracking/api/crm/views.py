"""The CRM section of a business's settings (a tracker or an entrepreneur manages it; anyone
else gets a 403, another business's mapping is a 404), and the inbound URLs each CRM posts to:
no session and no CSRF token there, the connection is named by its key and proven by its
secret or signature."""

import logging
from functools import partial

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from ...access import access_company
from ...form_flow import done, submit
from ...roles import Permission
from . import adapters, selectors, services
from .access import access_crm_mapping
from .forms import ConnectionForm, MappingForm
from .models import Provider
from .pages import mapping_row_form, settings_context

logger = logging.getLogger(__name__)
PAGE = "tracking/crm/settings.html"


@never_cache  # the inbound URL holds amoCRM's secret
@require_http_methods(["GET", "POST"])
def crm_settings(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    form = ConnectionForm(request.POST or None)
    if request.method == "POST" and submit(form, partial(services.crm_connection_save, by=membership)):
        return done(request, _("The CRM connection is saved."), "crm:settings", company.pk)
    return render(request, PAGE, settings_context(request, company, connection_form=form if form.is_bound else None))


@require_POST
def mapping_add(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    form = MappingForm(request.POST, company=company)
    if submit(form, partial(services.crm_mapping_create, by=membership)):
        return done(request, _("The stage is mapped."), "crm:settings", company.pk)
    return render(request, PAGE, settings_context(request, company, mapping_form=form))


@never_cache
@require_http_methods(["GET", "POST"])
def mapping(request, company_id: int, mapping_id: int):
    """One row of the mapping: GET draws it as a form, POST saves it; with htmx only the row."""
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    row = access_crm_mapping(company, mapping_id)
    form = mapping_row_form(row, request.POST or None)
    update = partial(services.crm_mapping_update, mapping=row, by=membership)
    saved = request.method == "POST" and submit(form, update) is not None
    if request.htmx:
        context = {"company": company, "row": row, "row_form": None if saved else form}
        return render(request, f"{PAGE}#mapping-row", context)
    if saved:
        return done(request, _("The stage mapping is saved."), "crm:settings", company.pk)
    return render(request, PAGE, settings_context(request, company, editing=(row.pk, form)))


@require_POST
def mapping_delete(request, company_id: int, mapping_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    services.crm_mapping_delete(mapping=access_crm_mapping(company, mapping_id), by=membership)
    return done(request, _("The stage is no longer mapped."), "crm:settings", company.pk)


def _receive(request, key: str, provider: str, read) -> HttpResponse:
    """The events `read(connection)` finds, counted; a refused request changes nothing."""
    connection = selectors.connection_by_key(key)
    if connection is None or connection.provider != provider:
        logger.warning("CRM inbound %s: no connection has the key in the URL", provider)
        return JsonResponse({"error": "unknown connection"}, status=404)
    try:
        events = read(connection)
    except adapters.Refused as refused:
        logger.warning("CRM inbound %s, business %s: refused, %s", provider, connection.company_id, refused.reason)
        return JsonResponse({"error": refused.reason}, status=refused.status)
    rows = services.crm_events_receive(connection=connection, events=events, received_at=timezone.now())
    return JsonResponse({"received": len(rows)})


@csrf_exempt
@login_not_required
@require_POST
def inbound_amocrm(request, key: str, secret: str):
    return _receive(request, key, Provider.AMOCRM, lambda c: adapters.amocrm_events(c, secret, request.POST))


@csrf_exempt
@login_not_required
@require_POST
def inbound_bitrix24(request, key: str):
    return _receive(request, key, Provider.BITRIX24, lambda c: adapters.bitrix24_events(c, request.POST))


def _hubspot_read(request, connection):
    now = timezone.now()
    uri = request.build_absolute_uri()
    adapters.hubspot_check(connection, method="POST", uri=uri, body=request.body, headers=request.headers, now=now)
    return adapters.hubspot_events(request.body)


@csrf_exempt
@login_not_required
@require_POST
def inbound_hubspot(request, key: str):
    return _receive(request, key, Provider.HUBSPOT, partial(_hubspot_read, request))
