"""Company-scoped lookups of the CRM feeds: another business's mapping is a 404."""

from django.utils.translation import gettext as _

from ...access import scoped_get
from ...models import Company
from .models import CrmStageMapping


def access_crm_mapping(company: Company, mapping_id) -> CrmStageMapping:
    return scoped_get(
        CrmStageMapping.objects.select_related("metric", "connection"),
        _("No such stage mapping."),
        pk=mapping_id,
        connection__company=company,
    )
