"""The sprints of /api/v1/: the list, one sprint with its actions, an action's result and a
closed sprint's report, through the sprints' selectors, services and roll-ups."""

from ninja import Query, Router

from sprints import services
from sprints.access import access_action
from sprints.rollups import report_numbers

from . import selectors
from .access import access_closed_sprint, access_sprint_with_actions
from .auth import scoped
from .links import link, links
from .models import Scope
from .pagination import paginate
from .schemas import ActionOut, ActionResultIn, PageQuery, ReportOut, SprintPage, SprintWithActionsOut

router = Router(tags=["sprints"])


@router.get(
    "/sprints",
    response=SprintPage,
    url_name="sprints",
    openapi_extra=links(
        ReadNewestSprint=link("sprints", "sprint", "The newest sprint.", sprint_id="$response.body#/items/0/id"),
        ReadSprintBefore=link("sprints", "sprint", "The sprint before it.", sprint_id="$response.body#/items/1/id"),
    ),
)
def sprints(request, page: Query[PageQuery]):
    """The sprints, newest first."""
    rows = selectors.sprints_page(scoped(request, Scope.READ).company)
    return paginate(rows, key="-starts_on", cursor=page.cursor, limit=page.limit)


@router.get(
    "/sprints/{sprint_id}",
    response=SprintWithActionsOut,
    url_name="sprint",
    openapi_extra=links(
        ReadReport=link("sprints", "sprint_report", "Its report, once closed.", sprint_id="$response.body#/id"),
        LogActionResult=link(
            "sprints",
            "action_result",
            "The result of its first action, against the version read.",
            action_id="$response.body#/actions/0/id",
            body={"version": "$response.body#/actions/0/version", "status": "$response.body#/actions/0/status"},
        ),
    ),
)
def sprint(request, sprint_id: int):
    return access_sprint_with_actions(scoped(request, Scope.READ).company, sprint_id)


@router.get("/sprints/{sprint_id}/report", response=ReportOut, url_name="sprint_report")
def sprint_report(request, sprint_id: int):
    """The numbers of a closed sprint's report, as its page shows them."""
    sprint = access_closed_sprint(scoped(request, Scope.READ).company, sprint_id)
    return {"sprint_id": sprint.pk, "numbers": report_numbers(sprint)}


@router.put("/actions/{action_id}/result", response=ActionOut, url_name="action_result")
def action_result(request, action_id: int, payload: ActionResultIn):
    """An action's result while its sprint runs or is reviewed, written against the `version`
    the caller read: a newer one is a 409 with what it is now. A member logs only their own."""
    caller = scoped(request, Scope.WRITE)
    action = access_action(caller.company, action_id)
    result = payload.dict(exclude={"version"}, exclude_unset=True)
    if "cost" in result:  # what it actually cost: the planned cost stays
        result["spent"] = result.pop("cost")
    return services.action_log(action=action, by=caller.membership, expected_version=payload.version, **result)
