from django.utils.translation import gettext as _

from tracking.access import scoped_get
from tracking.models import Company

from .models import Hypothesis


def access_hypothesis(company: Company, hypothesis_id, *, archived: bool = False) -> Hypothesis:
    """A hypothesis of a company the caller already has access to, or 404."""
    return scoped_get(
        Hypothesis.objects.select_related("metric", "constraint", "author", "company"),
        _("No such hypothesis."),
        pk=hypothesis_id,
        company=company,
        archived_at__isnull=not archived,
    )
