from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tracking.access import scoped_get
from tracking.models import Company, Membership
from tracking.roles import Permission, role_allows

from .models import Action, Sprint


def access_sprint(company: Company, sprint_id) -> Sprint:
    sprint = scoped_get(
        Sprint.objects.select_related("focus"),
        _("No such sprint."),
        pk=sprint_id,
        company=company,
        archived_at__isnull=True,
    )
    sprint.company = company  # the caller's, already read: not joined again
    return sprint


def access_action(company: Company, action_id) -> Action:
    return scoped_get(
        Action.objects.select_related("sprint", "owner__user", "hypothesis"),
        _("No such action."),
        pk=action_id,
        sprint__company=company,
        sprint__archived_at__isnull=True,
    )


def can_log_results(membership: Membership, action: Action) -> bool:
    """A member logs only their own actions; a tracker, entrepreneur or team lead logs anyone's.
    The one statement of the rule: the results rows, the log view and the service all ask it."""
    if role_allows(membership.role, Permission.LOG_ANY_RESULTS):
        return True
    return action.owner_id == membership.pk and role_allows(membership.role, Permission.LOG_OWN_RESULTS)


def ensure_can_log_results(membership: Membership, action: Action) -> None:
    if not can_log_results(membership, action):
        raise PermissionDenied(_("A member logs only their own actions."))
