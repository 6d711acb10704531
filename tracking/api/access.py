"""Company-scoped lookups of the API's own objects: another business's token is a 404."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from sprints.access import access_sprint
from sprints.models import Sprint, SprintStatus
from sprints.selectors import sprint_actions

from ..access import scoped_get
from ..models import Company, Constraint
from .models import ApiToken
from .selectors import constraints_page


def access_api_token(company: Company, token_id) -> ApiToken:
    return scoped_get(ApiToken.objects.all(), _("No such token."), pk=token_id, company=company)


def access_constraint_with_chain(company: Company, constraint_id) -> Constraint:
    """A constraint of the business with its why-steps, or 404."""
    return scoped_get(constraints_page(company), _("No such constraint."), pk=constraint_id)


def access_for_field(lookup, company: Company, object_id, *, field: str, message: str):
    """An object a body names by id: the business's own, or else an error of that field (422),
    since the request itself was found."""
    if object_id is None:
        return None
    try:
        return lookup(company, object_id)
    except Http404:
        raise ValidationError({field: message}) from None


def access_sprint_with_actions(company: Company, sprint_id) -> Sprint:
    """A sprint of the business with its actions (`listed_actions`, one query), or 404."""
    sprint = access_sprint(company, sprint_id)
    sprint.listed_actions = sprint_actions(sprint)
    return sprint


def access_closed_sprint(company: Company, sprint_id) -> Sprint:
    """A closed sprint of the business, whose report is final; an open one is not found."""
    sprint = access_sprint(company, sprint_id)
    if sprint.status != SprintStatus.CLOSED:
        raise Http404(_("This sprint is not closed yet: its report is not final."))
    return sprint
