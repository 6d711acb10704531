"""The one place where views get company-scoped objects.

Every lookup takes the user; anything outside their companies is a 404 (never a 403, which
would confirm that the object exists). Unsafe actions are then checked against the role
table and refused with a 403 that says who may do them.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .models import Company, Membership
from .roles import Action, denial_message, role_allows


def access_membership(user, company_id) -> Membership:
    """The user's own membership in the company, or 404."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Membership.objects.select_related("company", "user").get(company_id=company_id, user=user)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such business.")) from None


def access_company(user, company_id, *, action: Action | None = None) -> tuple[Company, Membership]:
    """The company and the user's membership in it; with `action`, also the right to do it."""
    membership = access_membership(user, company_id)
    if action is not None:
        ensure_can(membership, action)
    return membership.company, membership


def ensure_can(membership: Membership, action: Action) -> None:
    if not role_allows(membership.role, action):
        raise PermissionDenied(denial_message(action))


def access_company_member(company: Company, membership_id) -> Membership:
    """Another member of a company the caller already has access to, or 404."""
    try:
        return Membership.objects.select_related("user").get(pk=membership_id, company=company)
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404(_("No such member.")) from None
