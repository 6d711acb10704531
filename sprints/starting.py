"""Starting a planned sprint from wherever people meet it: its board, the sprint list, the session
page (nothing running, or just closed) and the portfolio card. Each shows the same form
(templates/sprints/_start_planned.html) and posts to the same view (board.sprint_start), which
calls the one service that checks capacity and keeps the reason (services.sprint_start)."""

from django.urls import reverse

from tracking.roles import Permission, role_allows

from . import selectors
from .models import SprintStatus

# Where a start form stands, and the page a started sprint goes back to.
START_FROM = {
    "board": "sprints:board",
    "list": "sprints:list",
    "session": "sprints:session",
    "portfolio": "tracking:portfolio",
}


def came_from(post) -> str:
    value = post.get("from")
    return value if value in START_FROM else "board"


def back_url(where: str, sprint) -> str:
    name = START_FROM[where]
    if name == "tracking:portfolio":
        return reverse(name)
    if name == "sprints:board":
        return reverse(name, args=[sprint.company_id, sprint.pk])
    return reverse(name, args=[sprint.company_id])


def waiting_sprint(company, sprints=None):
    """The planned sprint that waits to be started when none is active or in review, or None.
    From `sprints` (newest first, as the sprint list has them) when given, else one query."""
    if sprints is None:
        return selectors.next_sprint(company, None)
    if any(s.status in (SprintStatus.ACTIVE, SprintStatus.REVIEW) for s in sprints):
        return None
    return next((s for s in reversed(sprints) if s.status == SprintStatus.PLANNED), None)


def start_context(membership, sprint, *, where: str, error: str = "", reason: str = "", problems=None) -> dict:
    """What the start form reads: the sprint, where the form stands, why a start was refused and
    the reason as typed, what does not fit (when the page knows), and the reader's rights."""
    return {
        "start_sprint": sprint,
        "start_from": where,
        "start_error": error,
        "start_reason": reason,
        "start_problems": problems or [],
        "can_start": role_allows(membership.role, Permission.START_SPRINT),
        "can_override": role_allows(membership.role, Permission.OVERRIDE_CAPACITY),
    }
