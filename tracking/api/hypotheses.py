"""The hypotheses of /api/v1/: the history page's list and filters, one hypothesis, a new idea
and the measured value of one under test, through the hypotheses' selectors and services."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from hypotheses import services
from hypotheses.access import access_hypothesis

from ..access import access_constraint, access_metric
from . import selectors
from .access import access_for_field
from .auth import scoped
from .forms import history_filters
from .links import link, links
from .models import Scope
from .pagination import paginate
from .schemas import HistoryQuery, HypothesisIn, HypothesisOut, HypothesisPage, MeasuredIn, PageQuery

router = Router(tags=["hypotheses"])


# Where a hypothesis's id leads: the hypothesis, and its measured value.
_READ = "hypotheses", "hypothesis"
_MEASURED = "hypotheses", "hypothesis_measured"


@router.get(
    "/hypotheses",
    response=HypothesisPage,
    url_name="hypotheses",
    openapi_extra=links(
        ReadHypothesis=link(*_READ, "The newest hypothesis.", hypothesis_id="$response.body#/items/0/id"),
        RecordMeasured=link(*_MEASURED, "Its measured value.", hypothesis_id="$response.body#/items/0/id"),
    ),
)
def hypotheses(request, page: Query[PageQuery], filters: Query[HistoryQuery]):
    """The business's hypotheses, newest first, narrowed by the history page's filters."""
    company = scoped(request, Scope.READ).company
    rows = selectors.hypotheses_page(company, history_filters(company, filters.dict()))
    return paginate(rows, key="-pk", cursor=page.cursor, limit=page.limit)


@router.get(
    "/hypotheses/{hypothesis_id}",
    response=HypothesisOut,
    url_name="hypothesis",
    openapi_extra=links(RecordMeasured=link(*_MEASURED, "Its measured value.", hypothesis_id="$response.body#/id")),
)
def hypothesis(request, hypothesis_id: int):
    return access_hypothesis(scoped(request, Scope.READ).company, hypothesis_id)


@router.post(
    "/hypotheses",
    response={201: HypothesisOut},
    url_name="hypothesis_create",
    openapi_extra=links(
        201,
        ReadHypothesis=link(*_READ, "The new idea.", hypothesis_id="$response.body#/id"),
        RecordMeasured=link(*_MEASURED, "Its measured value.", hypothesis_id="$response.body#/id"),
    ),
)
def hypothesis_create(request, payload: HypothesisIn):
    """A new idea, as the "new hypothesis" page makes it (its author: the token's maker)."""
    caller = scoped(request, Scope.WRITE)
    fields = payload.dict(exclude_unset=True, exclude={"constraint_id", "metric_id"})
    fields["constraint"] = access_for_field(
        access_constraint,
        caller.company,
        payload.constraint_id,
        field="constraint",
        message=_("Pick a constraint of this business."),
    )
    fields["metric"] = access_for_field(
        access_metric, caller.company, payload.metric_id, field="metric", message=_("Pick a metric of this business.")
    )
    return Status(201, services.hypothesis_create(by=caller.membership, **fields))


@router.put("/hypotheses/{hypothesis_id}/measured", response=HypothesisOut, url_name="hypothesis_measured")
def hypothesis_measured(request, hypothesis_id: int, payload: MeasuredIn):
    """The measured value of a hypothesis under test, as the results page logs it during the
    week (no verdict yet); the same PUT again changes nothing."""
    caller = scoped(request, Scope.WRITE)
    hypothesis = access_hypothesis(caller.company, hypothesis_id)
    return services.hypothesis_measure(hypothesis=hypothesis, by=caller.membership, measured=payload.measured)
