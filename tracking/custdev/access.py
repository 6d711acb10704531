"""Company-scoped lookups of interviews, scripts, tags and insights (404 for outsiders),
and who may edit an interview: its author, the tracker and the entrepreneur."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tracking.access import scoped_get
from tracking.models import Company, Membership, Role

from .models import Insight, Interview, Script, Tag

# Besides its author, who may edit anyone's interview.
INTERVIEW_EDITORS = frozenset({Role.TRACKER, Role.ENTREPRENEUR})


def access_script(company: Company, script_id) -> Script:
    return scoped_get(Script.objects.select_related("constraint"), _("No such script."), pk=script_id, company=company)


def access_interview(company: Company, interview_id) -> Interview:
    return scoped_get(
        Interview.objects.select_related("interviewer__user", "script", "author"),
        _("No such interview."),
        pk=interview_id,
        company=company,
    )


def access_tag(company: Company, tag_id) -> Tag:
    return scoped_get(Tag.objects.all(), _("No such tag."), pk=tag_id, company=company)


def access_insight(company: Company, insight_id) -> Insight:
    return scoped_get(Insight.objects.select_related("tag"), _("No such insight."), pk=insight_id, company=company)


def can_edit_interview(membership: Membership, interview: Interview) -> bool:
    return membership.role in INTERVIEW_EDITORS or interview.author_id == membership.user_id


def ensure_can_edit_interview(membership: Membership, interview: Interview) -> None:
    if not can_edit_interview(membership, interview):
        raise PermissionDenied(
            _(
                "Only a tracker or entrepreneur can edit an interview logged by another member; "
                "its author can edit it too."
            )
        )
