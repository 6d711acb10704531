"""The one place where views get company-scoped objects.

Every lookup takes the user; anything outside their companies is a 404 (never a 403, which
would confirm that the object exists). Unsafe actions are then checked against the role
table and refused with a 403 that says who may do them.
"""

from dataclasses import dataclass
from functools import cache

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .db import aliased_columns, instance_beside
from .models import Company, Constraint, Goal, Membership, Metric, User, WhyStep
from .query_params import BIGINT_MAX
from .roles import Permission, denial_message, role_allows

# The user's accepted membership in a business, with the business beside it: every business
# page asks it, so it is written once rather than built by the ORM on each.
_MEMBERSHIP_SQL = f"""
SELECT m.*, {aliased_columns(Company, "c", "company__")}
FROM {Membership._meta.db_table} m JOIN {Company._meta.db_table} c ON c.id = m.company_id
WHERE m.company_id = %s AND m.user_id = %s AND m.accepted_at IS NOT NULL
"""


def rows_by_id(model, sql: str, pk, *params) -> list:
    """`model`'s rows of the fixed statement `sql`, whose parameters are the id `pk` (as a URL
    or a form gave it) and then `params`. Nothing, without asking the database, for what is not
    a whole number or lies past what an id column holds."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return []
    return list(model.objects.raw(sql, [pk, *params])) if 0 < pk <= BIGINT_MAX else []


def row_by_id(model, sql: str, pk, *params, missing: str):
    """The row rows_by_id reads, or 404 with the message `missing`."""
    found = rows_by_id(model, sql, pk, *params)
    if not found:
        raise Http404(missing)
    return found[0]


def access_membership(user, company_id) -> Membership:
    """The user's own accepted membership in the company, or 404 (an invitation not yet
    accepted gives no access)."""
    if not user.is_authenticated:
        raise Http404
    membership = row_by_id(Membership, _MEMBERSHIP_SQL, company_id, user.pk, missing=_("No such business."))
    membership.company = instance_beside(membership, Company, "company__")
    membership.user = user
    return membership


def access_company(user, company_id, *, action: Permission | None = None) -> tuple[Company, Membership]:
    """The company and the user's membership in it; with `action`, also the right to do it."""
    membership = access_membership(user, company_id)
    if action is not None:
        ensure_can(membership, action)
    return membership.company, membership


@dataclass(frozen=True)
class Beside:
    """What a caller reads beside each member in the team's statement: `columns` (each named
    as the member's attribute it becomes) from `join`, a join whose only parameter is the
    business's id, written %s as often as it needs it."""

    columns: str
    join: str


# A business's members (invitations too) with their users and the business, in name order: what
# member_name_order sorts by (tests/tracking/test_members.py holds the two to the same order).
@cache
def _team_sql(beside: Beside | None) -> str:
    return f"""
SELECT m.*, {aliased_columns(User, "u", "user__")}, {aliased_columns(Company, "c", "company__")}
       {f", {beside.columns}" if beside else ""}
FROM {Membership._meta.db_table} m
JOIN {User._meta.db_table} u ON u.id = m.user_id
JOIN {Company._meta.db_table} c ON c.id = m.company_id
{beside.join if beside else ""}
WHERE m.company_id = %s
ORDER BY CASE WHEN m.accepted_at IS NULL THEN COALESCE(NULLIF(m.invited_name, ''), u.email)
              ELSE COALESCE(NULLIF(u.full_name, ''), u.email) END, m.id
"""


def access_company_team(
    user, company_id, *, action: Permission | None = None, beside: Beside | None = None
) -> tuple[Company, Membership, list[Membership]]:
    """access_company, with the company's members (invitations too, with their users, in name
    order) read by the same query, for a page that shows the team: the board asks once. With
    `beside`, what the caller reads of each member besides, in the same query."""
    again = [company_id] * beside.join.count("%s") if beside else []
    team = rows_by_id(Membership, _team_sql(beside), company_id, *again) if user.is_authenticated else []
    membership = next((m for m in team if m.user_id == user.pk and m.accepted_at is not None), None)
    if membership is None:
        raise Http404(_("No such business."))
    company = instance_beside(membership, Company, "company__")
    if action is not None:
        ensure_can(membership, action)
    for member in team:
        member.user, member.company = instance_beside(member, User, "user__"), company
    return company, membership, team


def ensure_can(membership: Membership, action: Permission) -> None:
    if not role_allows(membership.role, action):
        raise PermissionDenied(denial_message(action))


def access_company_member(company: Company, membership_id) -> Membership:
    """Another member of a company the caller already has access to, or 404."""
    return scoped_get(
        Membership.objects.select_related("user"), _("No such member."), pk=membership_id, company=company
    )


def access_invitation(user, membership_id) -> Membership:
    """An invitation addressed to this user and still open, or 404."""
    return scoped_get(
        Membership.objects.pending().select_related("company", "invited_by"),
        _("No such invitation."),
        pk=membership_id,
        user=user,
    )


def scoped_get(queryset, message: str, **lookup):
    """The one row of `queryset` that matches `lookup`, or 404 with `message`. Callers put the
    company in `lookup`, so an id from another company (or no id at all) is simply not found.
    The `access_*` helpers go through here, or through row_by_id where a fixed statement reads
    the row with what comes beside it."""
    try:
        return queryset.get(**lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404(message) from None


# A business's row by its id: statements of fixed shape, written once rather than built by the
# ORM on every lookup (a metric's is asked by every weekly value a page or the API saves).
_COMPANY_ROW_SQL = {
    model: f"SELECT * FROM {model._meta.db_table} WHERE id = %s AND company_id = %s" for model in (Constraint, Metric)
}


def _company_row(model, company: Company, pk, message: str):
    """The business's `model` row with id `pk`, or 404 with `message` (not a whole number, past
    what the column holds, another business's)."""
    row = row_by_id(model, _COMPANY_ROW_SQL[model], pk, company.pk, missing=message)
    row.company = company  # the caller's, already read
    return row


def access_constraint(company: Company, constraint_id) -> Constraint:
    return _company_row(Constraint, company, constraint_id, _("No such constraint."))


def access_why_step(company: Company, step_id) -> WhyStep:
    return scoped_get(
        WhyStep.objects.select_related("constraint"), _("No such step."), pk=step_id, constraint__company=company
    )


def access_metric(company: Company, metric_id) -> Metric:
    return _company_row(Metric, company, metric_id, _("No such metric."))


def access_goal(company: Company, goal_id) -> Goal:
    return scoped_get(Goal.objects.select_related("parent", "metric"), _("No such goal."), pk=goal_id, company=company)


def member_page(page):
    """The GET view of a business's page that every member may see: `page(request, company,
    membership)` renders it, as it does again with a refused form."""

    @require_GET
    def view(request, company_id: int):
        company, membership = access_company(request.user, company_id)
        return page(request, company, membership)

    return view
