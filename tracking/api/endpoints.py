"""The endpoints of /api/v1/: each checks the token's scope, reads through a selector or
writes through a service, in the token's business only (another business's id is a 404)."""

from datetime import date

from ninja import Query, Router

from ..access import access_metric
from ..toolkit.services import value_record
from . import selectors
from .access import access_constraint_with_chain
from .auth import scoped
from .links import link, links
from .models import Scope
from .pagination import paginate
from .schemas import (
    CompanyOut,
    ConstraintOut,
    ConstraintPage,
    GoalPage,
    MemberPage,
    MetricOut,
    MetricPage,
    PageQuery,
    ValueIn,
    ValueOut,
    ValuePage,
)

router = Router()


@router.get("/company", response=CompanyOut, url_name="company")
def company(request):
    return scoped(request, Scope.READ).company


def _listed(request, page: PageQuery, rows_of) -> dict:
    """A page of the business's `rows_of(company)`, in the order of their ids."""
    rows = rows_of(scoped(request, Scope.READ).company)
    return paginate(rows, key="pk", cursor=page.cursor, limit=page.limit)


@router.get("/members", response=MemberPage, url_name="members")
def members(request, page: Query[PageQuery]):
    """The members who accepted their invitation."""
    return _listed(request, page, selectors.members_page)


@router.get(
    "/constraints",
    response=ConstraintPage,
    url_name="constraints",
    openapi_extra=links(
        ReadConstraint=link(
            "endpoints", "constraint", "The first constraint of the page.", constraint_id="$response.body#/items/0/id"
        )
    ),
)
def constraints(request, page: Query[PageQuery]):
    """Every main constraint the business has had, each with its why-chain in order."""
    return _listed(request, page, selectors.constraints_page)


@router.get(
    "/constraints/{constraint_id}",
    response=ConstraintOut,
    url_name="constraint",
    openapi_extra=links(
        CreateIdea=link(
            "hypotheses",
            "hypothesis_create",
            "A new idea against this constraint.",
            body={"constraint_id": "$response.body#/id"},
        )
    ),
)
def constraint(request, constraint_id: int):
    return access_constraint_with_chain(scoped(request, Scope.READ).company, constraint_id)


@router.get(
    "/metrics",
    response=MetricPage,
    url_name="metrics",
    openapi_extra=links(
        ReadMetric=link("endpoints", "metric", "The first metric of the page.", metric_id="$response.body#/items/0/id"),
        ReadValues=link("endpoints", "metric_values", "Its weekly values.", metric_id="$response.body#/items/0/id"),
        RecordValue=link("endpoints", "metric_value", "A week's value of it.", metric_id="$response.body#/items/0/id"),
    ),
)
def metrics(request, page: Query[PageQuery]):
    return _listed(request, page, selectors.metrics_page)


@router.get(
    "/metrics/{metric_id}",
    response=MetricOut,
    url_name="metric",
    openapi_extra=links(
        ReadValues=link("endpoints", "metric_values", "Its weekly values.", metric_id="$response.body#/id"),
        RecordValue=link("endpoints", "metric_value", "A week's value of it.", metric_id="$response.body#/id"),
        CreateIdea=link(
            "hypotheses",
            "hypothesis_create",
            "A new idea that moves this metric.",
            body={"metric_id": "$response.body#/id"},
        ),
    ),
)
def metric(request, metric_id: int):
    return access_metric(scoped(request, Scope.READ).company, metric_id)


@router.get("/goals", response=GoalPage, url_name="goals")
def goals(request, page: Query[PageQuery]):
    """Every goal of the business (the year's, the quarters', the months'), with its progress."""
    return _listed(request, page, selectors.goals_page)


@router.get(
    "/metrics/{metric_id}/values",
    response=ValuePage,
    url_name="metric_values",
    openapi_extra=links(
        RecordValue=link(
            "endpoints",
            "metric_value",
            "The newest week's value again: the same PUT leaves that one value.",
            body={"value": "$response.body#/items/0/value"},
            metric_id="$request.path.metric_id",
            week="$response.body#/items/0/week",
        )
    ),
)
def metric_values(request, metric_id: int, page: Query[PageQuery]):
    """The weekly values, newest week first."""
    metric = access_metric(scoped(request, Scope.READ).company, metric_id)
    return paginate(selectors.values_page(metric), key="-week_start", cursor=page.cursor, limit=page.limit)


@router.put(
    "/metrics/{metric_id}/values/{week}",
    response=ValueOut,
    url_name="metric_value",
    openapi_extra=links(
        ReadValues=link(
            "endpoints",
            "metric_values",
            "The metric's weekly values, this one among them.",
            metric_id="$response.body#/metric_id",
        )
    ),
)
def metric_value(request, metric_id: int, week: date, payload: ValueIn):
    """The value of the week that contains `week` (any date of it, in the business's calendar):
    the first PUT records it, the same PUT again leaves that one value. A future week is refused."""
    caller = scoped(request, Scope.METRICS_WRITE)
    metric = access_metric(caller.company, metric_id)
    metric.company = caller.company
    return value_record(metric=metric, by=caller.membership, value=payload.value, week=week)
