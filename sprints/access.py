from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from hypotheses.models import Hypothesis
from tracking.access import row_by_id
from tracking.db import aliased_columns, instance_beside
from tracking.models import Company, Constraint, Membership, User
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
    sprint = row_by_id(Sprint, _SPRINT_SQL, sprint_id, company.pk, missing=_("No such sprint."))
    sprint.company = company  # the caller's, already read: not joined again
    sprint.focus = None if sprint.focus_id is None else instance_beside(sprint, Constraint, "focus__")
    return sprint


# An action of the business (its sprint not archived) with its sprint, owner (and the owner's
# user) and hypothesis beside it: every row of the board and the results asks it on a save,
# so it is written once rather than built by the ORM on each. Of the hypothesis, only what an
# action's row and form show (its title): its other columns (36 of them) would cost more to load
# than all the rest.
HYPOTHESIS_SHOWN = ("id", "company_id", "title")
_HYPOTHESIS_COLUMNS = ", ".join(f"h.{name} AS hypothesis__{name}" for name in HYPOTHESIS_SHOWN)
_ACTION_SQL = f"""
SELECT a.*, {aliased_columns(Sprint, "s", "sprint__")}, {aliased_columns(Membership, "m", "owner__")},
       {aliased_columns(User, "u", "owner__user__")}, {_HYPOTHESIS_COLUMNS}
FROM {Action._meta.db_table} a
JOIN {Sprint._meta.db_table} s ON s.id = a.sprint_id
LEFT JOIN {Membership._meta.db_table} m ON m.id = a.owner_id
LEFT JOIN {User._meta.db_table} u ON u.id = m.user_id
LEFT JOIN {Hypothesis._meta.db_table} h ON h.id = a.hypothesis_id
WHERE a.id = %s AND s.company_id = %s AND s.archived_at IS NULL
"""


def access_action(company: Company, action_id) -> Action:
    action = row_by_id(Action, _ACTION_SQL, action_id, company.pk, missing=_("No such action."))
    action.sprint = instance_beside(action, Sprint, "sprint__")
    action.sprint.company = company
    if action.owner_id is None:
        action.owner = None
    else:
        action.owner = instance_beside(action, Membership, "owner__")
        action.owner.user = instance_beside(action, User, "owner__user__")
    if action.hypothesis_id is None:
        action.hypothesis = None
    else:  # its other fields are read from the database if ever asked for
        values = [getattr(action, f"hypothesis__{name}") for name in HYPOTHESIS_SHOWN]
        action.hypothesis = Hypothesis.from_db(action._state.db, HYPOTHESIS_SHOWN, values)
    return action


def can_log_results(membership: Membership, action: Action) -> bool:
    """A member logs only their own actions; a tracker, entrepreneur or team lead logs anyone's.
    The one statement of the rule: the results rows, the log view and the service all ask it."""
    if role_allows(membership.role, Permission.LOG_ANY_RESULTS):
        return True
    return action.owner_id == membership.pk and role_allows(membership.role, Permission.LOG_OWN_RESULTS)


def ensure_can_log_results(membership: Membership, action: Action) -> None:
    if not can_log_results(membership, action):
        raise PermissionDenied(_("A member logs only their own actions."))
