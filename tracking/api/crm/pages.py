"""What the CRM settings page shows: the connection, the URL to paste into the CRM, the stage
mapping (text until a row is edited) and the review list."""

from django.urls import reverse
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from ...accounts.mfa_secrets import decrypt
from ...models import Company
from ...weeks import local_today
from . import selectors
from .forms import ConnectionForm, MappingForm
from .models import PROVIDER_NAMES, CrmConnection, Provider


def inbound_url(request, connection: CrmConnection) -> str:
    """The address the CRM posts to; amoCRM's ends in the secret, since amoCRM signs nothing."""
    if connection.provider == Provider.AMOCRM:
        path = reverse("crm:inbound_amocrm", args=[connection.key, decrypt(connection.secret)])
    else:
        path = reverse(f"crm:inbound_{connection.provider}", args=[connection.key])
    return request.build_absolute_uri(path)


def settings_context(
    request,
    company: Company,
    *,
    connection_form: ConnectionForm | None = None,
    mapping_form: MappingForm | None = None,
    editing=None,
) -> dict:
    """`editing`: (a mapping's id, its form): that row is drawn as the form."""
    connection = selectors.connection_of(company)
    mappings = selectors.mappings_of(connection) if connection else []
    for mapping in mappings:
        mapping.form = editing[1] if editing and editing[0] == mapping.pk else None
    initial = {"provider": connection.provider} if connection else None
    return {
        "company": company,
        "connection": connection,
        "provider_name": PROVIDER_NAMES[connection.provider] if connection else "",
        "connection_form": connection_form or ConnectionForm(initial=initial),
        "inbound_url": inbound_url(request, connection) if connection else "",
        "mappings": mappings,
        "mapping_form": mapping_form or MappingForm(company=company),
        "review": selectors.review_list(connection) if connection else [],
        "review_length": selectors.REVIEW_LENGTH,
    }


def mapping_row_form(mapping, data=None) -> MappingForm:
    initial = {"pipeline_id": mapping.pipeline_id, "stage_id": mapping.stage_id, "metric": mapping.metric_id}
    return MappingForm(data, company=mapping.connection.company, initial=initial, prefix=f"m{mapping.pk}")


def feed_line(metric, company: Company) -> str:
    """ "from amoCRM, last event 10:42" for a metric a CRM feeds (the time in the business's zone,
    with the day when it was not today), or "" for one typed in by hand."""
    if metric.funnel_stage is None:  # only funnel stages are mapped: no query for the other metrics
        return ""
    feed = selectors.feed_of(metric)
    if feed is None:
        return ""
    if feed.last_event_at is None:
        return _("from %(provider)s, no events yet") % {"provider": feed.provider}
    local = feed.last_event_at.astimezone(company.tzinfo)
    when = time_format(local, "H:i") if local.date() == local_today(company) else date_format(local, "j M H:i")
    return _("from %(provider)s, last event %(time)s") % {"provider": feed.provider, "time": when}
