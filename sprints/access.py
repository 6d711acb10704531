from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from tracking.access import scoped_get
from tracking.db import aliased_columns, instance_beside
from tracking.models import Company, Constraint, Membership
from tracking.query_params import BIGINT_MAX
from tracking.roles import Permission, role_allows

from .models import Action, Sprint

# A sprint of the business (not archived) with its focus beside it: a statement of fixed shape,
# written once rather than built by the ORM on every sprint page.
_SPRINT_SQL = f"""
SELECT s.*, {aliased_columns(Constraint, "f", "focus__")}
FROM {Sprint._meta.db_table} s LEFT JOIN {Constraint._meta.db_table} f ON f.id = s.focus_id
WHERE s.id = %s AND s.company_id = %s AND s.archived_at IS NULL
"""


def access_sprint(company: Company, sprint_id) -> Sprint:
    try:
        pk = int(sprint_id)
        if not 0 < pk <= BIGINT_MAX:  # past what the column holds: no such sprint, not an error
            raise ValueError(pk)
        sprint = next(iter(Sprint.objects.raw(_SPRINT_SQL, [pk, company.pk])))
    except (StopIteration, ValueError, TypeError):
        raise Http404(_("No such sprint.")) from None
    sprint.company = company  # the caller's, already read: not joined again
    sprint.focus = None if sprint.focus_id is None else instance_beside(sprint, Constraint, "focus__")
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
