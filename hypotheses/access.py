from django.http import Http404
from django.utils.translation import gettext as _

from tracking.models import Company

from .models import Hypothesis


def access_hypothesis(company: Company, hypothesis_id, *, archived: bool = False) -> Hypothesis:
    """A hypothesis of a company the caller already has access to, or 404."""
    try:
        return Hypothesis.objects.select_related("metric", "constraint", "author", "company").get(
            pk=hypothesis_id, company=company, archived_at__isnull=not archived
        )
    except (Hypothesis.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such hypothesis.")) from None
