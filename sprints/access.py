from django.http import Http404
from django.utils.translation import gettext as _

from tracking.models import Company

from .models import Action, Sprint


def access_sprint(company: Company, sprint_id) -> Sprint:
    try:
        return Sprint.objects.select_related("focus", "company").get(
            pk=sprint_id, company=company, archived_at__isnull=True
        )
    except (Sprint.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such sprint.")) from None


def access_action(company: Company, action_id) -> Action:
    try:
        return Action.objects.select_related("sprint", "owner__user", "hypothesis").get(
            pk=action_id, sprint__company=company, sprint__archived_at__isnull=True
        )
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such action.")) from None
