"""Who may do what inside a company (DESIGN.md §4): one table, read by the access layer.

Seeing a company's pages only needs membership; every unsafe request names one of these
actions and the table decides.
"""

from enum import StrEnum

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .models import Role


class Permission(StrEnum):
    MANAGE_COMPANY = "manage_company"  # company settings, members, invitations
    MANAGE_TRACKERS = "manage_trackers"  # give or take away the tracker role
    EDIT_PLANNING = "edit_planning"  # constraint, metrics, goals, toolkit
    CREATE_HYPOTHESIS = "create_hypothesis"
    EDIT_HYPOTHESIS = "edit_hypothesis"  # edit, transitions, verdicts
    PLAN_SPRINT = "plan_sprint"
    START_SPRINT = "start_sprint"
    OVERRIDE_CAPACITY = "override_capacity"
    CLOSE_SPRINT = "close_sprint"
    LOG_ANY_RESULTS = "log_any_results"
    LOG_OWN_RESULTS = "log_own_results"


T, E, L, M = Role.TRACKER, Role.ENTREPRENEUR, Role.TEAM_LEAD, Role.MEMBER

ALLOWED_ROLES: dict[Permission, frozenset[Role]] = {
    Permission.MANAGE_COMPANY: frozenset({T, E}),
    Permission.MANAGE_TRACKERS: frozenset({T}),
    Permission.EDIT_PLANNING: frozenset({T, E, L}),
    Permission.CREATE_HYPOTHESIS: frozenset({T, E, L, M}),
    Permission.EDIT_HYPOTHESIS: frozenset({T, E, L}),
    Permission.PLAN_SPRINT: frozenset({T, E, L}),
    Permission.START_SPRINT: frozenset({T, E}),
    Permission.OVERRIDE_CAPACITY: frozenset({T}),
    Permission.CLOSE_SPRINT: frozenset({T}),
    Permission.LOG_ANY_RESULTS: frozenset({T, E, L}),
    Permission.LOG_OWN_RESULTS: frozenset({T, E, L, M}),
}

ACTION_DESCRIPTIONS = {
    Permission.MANAGE_COMPANY: _("change the business settings and its members"),
    Permission.MANAGE_TRACKERS: _("give or take away the tracker role"),
    Permission.EDIT_PLANNING: _("edit the constraint, metrics and goals"),
    Permission.CREATE_HYPOTHESIS: _("add hypotheses"),
    Permission.EDIT_HYPOTHESIS: _("edit hypotheses and give verdicts"),
    Permission.PLAN_SPRINT: _("plan sprints"),
    Permission.START_SPRINT: _("start sprints"),
    Permission.OVERRIDE_CAPACITY: _("override a capacity warning"),
    Permission.CLOSE_SPRINT: _("close sprints"),
    Permission.LOG_ANY_RESULTS: _("log results of other people's actions"),
    Permission.LOG_OWN_RESULTS: _("log results"),
}


def role_allows(role: str, action: Permission) -> bool:
    return role in ALLOWED_ROLES[action]


def denial_message(action: Permission) -> str:
    """“Only a tracker or entrepreneur can change the business settings and its members.”"""
    allowed = [str(label).lower() for value, label in Role.choices if value in ALLOWED_ROLES[action]]
    who = allowed[0]
    if len(allowed) > 1:
        conjunction = _("or")
        who = f"{', '.join(allowed[:-1])} {conjunction} {allowed[-1]}"
    return str(
        format_lazy(
            _("Only a {who} can {what}. Ask one of them, or ask for a different role."),
            who=who,
            what=ACTION_DESCRIPTIONS[action],
        )
    )
