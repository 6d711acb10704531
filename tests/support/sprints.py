"""A test team's sprint at its end: closed as its tracker closes it, its report e-mailed."""

from sprints import rollups, services


def sprint_closed(team):
    """The team's active sprint, closed by its tracker once its one action is done."""
    team.action.status = "done"
    team.action.save()
    return services.sprint_close(sprint=team.active_sprint, by=team.tracker, what_worked="The offer")


def report_emailed(team) -> None:
    """The team's active sprint closed, its report rolled up and e-mailed to every member (what
    the job does after the close)."""
    sprint_closed(team)
    rollups.sprint_rollups([team.active_sprint.pk])
    rollups.reports_email([team.active_sprint.pk])
