"""Screen 7: the weekly session (the tracker's page), one page for the whole loop. Every step
posts to one view that calls one service of `sprints.session` and answers with the session
(htmx swaps #session; a plain post goes back to the step, or shows the page with the errors).

Rows are light inputs rendered by hand (sprints/_session_*.html), never a Django form per row:
a step's rows save in one submit, or one row alone (`only`). A refused submit shows every
row as it was typed, with the error next to its row. Closing stays on the page: it shows the
closed sprint's summary, its report and whether the next sprint started."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from hypotheses.access import access_hypothesis
from tracking.access import access_company
from tracking.form_errors import apply_errors, error_text
from tracking.query_params import ids_param, int_param
from tracking.roles import Permission

from .. import session as steps
from ..forms import ActionLogForm, CloseForm, SessionMetricForm, SessionNewActionForm, SessionVerdictForm
from . import session_rows as rows
from .session_rows import session_context


def _session_sprint(company):
    sprint = rows.selectors.current_sprint(company)
    if sprint is None:
        raise Http404(_("There is no active sprint to review."))
    return sprint


def _after_post(request, company, membership, **overrides):
    context = session_context(company, membership, **overrides)
    if request.htmx:
        return render(request, "sprints/session.html#session", context)
    if any(overrides.get(k) for k in ("error", "refused", "close_form", "typed")):
        return render(request, "sprints/session.html", context)
    return redirect(reverse("sprints:session", args=[company.pk]) + f"#step-{context['step']}")


def _only(request):
    return int_param(request.POST.get("only"), minimum=1)


@require_GET
def session(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    if request.htmx and request.GET.get("fragment") == "counters":
        return render(request, "sprints/session.html#counters", session_context(company, membership))
    closed_id = int_param(request.GET.get("closed"), minimum=1)
    if closed_id is None:
        return render(request, "sprints/session.html", session_context(company, membership))
    closed = rows.closed_sprint(company, closed_id)
    if closed is None:
        raise Http404(_("No such sprint."))
    return render(request, "sprints/session.html", rows.closed_context(company, membership, closed))


@require_POST
def session_step(request, company_id: int):
    """Begin the session (the sprint goes into review) or move to a step."""
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = _session_sprint(company)
    try:
        steps.session_go_to(sprint=sprint, by=membership, step=request.POST.get("step"))
    except ValidationError as error:
        return _after_post(request, company, membership, error=error_text(error))
    return _after_post(request, company, membership)


def _save_rows(request, company_id: int, step: str):
    """A step of rows (results, verdicts, metric values): read every row of the post, save them
    all (or the row `only`) through the step's service, answer with the session."""
    permission, load, form_class, prefix, to_rows, save = ROW_STEPS[step]
    company, membership = access_company(request.user, company_id, action=permission)
    sprint = _session_sprint(company)
    only = _only(request)
    read = rows.read_rows(request.POST, load(company, sprint), form_class, prefix, only)
    if not read.refused:
        try:
            save(sprint=sprint, by=membership, rows=to_rows(read), advance=only is None)
        except steps.RowsRefused as refusal:
            read.refuse(refusal.rows)
    return _after_post(request, company, membership, **read.outcome(step, only))


ROW_STEPS = {
    "results": (
        Permission.PLAN_SPRINT,
        lambda company, sprint: rows.selectors.sprint_actions(sprint),
        ActionLogForm,
        "l",
        rows.RowsRead.result_rows,
        steps.session_results,
    ),
    "verdicts": (
        Permission.EDIT_HYPOTHESIS,
        steps.session_hypotheses,
        SessionVerdictForm,
        "v",
        rows.RowsRead.verdict_rows,
        steps.session_verdicts,
    ),
    "metrics": (
        Permission.EDIT_PLANNING,
        lambda company, sprint: rows.selectors.metrics_with_this_week(company),
        SessionMetricForm,
        "m",
        rows.RowsRead.metric_rows,
        steps.session_metrics,
    ),
}


@require_POST
def session_results(request, company_id: int):
    """The results of every action in one submit, or of one row (`only`)."""
    return _save_rows(request, company_id, "results")


@require_POST
def session_verdicts(request, company_id: int):
    """Verdicts for every hypothesis under test in one submit, or for one (`only`)."""
    return _save_rows(request, company_id, "verdicts")


@require_POST
def session_verdict(request, company_id: int, hypothesis_id: int):
    """One hypothesis's verdict (the row's own form)."""
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_HYPOTHESIS)
    sprint = _session_sprint(company)
    hypothesis = access_hypothesis(company, hypothesis_id)
    form = SessionVerdictForm(request.POST, prefix=f"v{hypothesis.pk}")
    if form.is_valid():
        try:
            steps.session_verdict(sprint=sprint, by=membership, hypothesis=hypothesis, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _after_post(request, company, membership)
    return _after_post(request, company, membership, **rows.form_outcome("verdicts", hypothesis.pk, form))


@require_POST
def session_metrics(request, company_id: int):
    """This week's values of every metric in one submit, or of one (`only`)."""
    return _save_rows(request, company_id, "metrics")


@require_POST
def session_constraint(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = _session_sprint(company)
    answer = request.POST.get("still_main")
    if answer not in ("yes", "no"):
        return _after_post(request, company, membership, error=_("Answer yes or no."))
    steps.session_constraint(sprint=sprint, by=membership, still_main=answer == "yes")
    if answer == "no" and not request.htmx:
        return redirect("tracking:constraint_new", company_id=company.pk)
    return _after_post(request, company, membership)


@require_POST
def session_plan(request, company_id: int):
    """Plan the next sprint inside the session: carry the ticked unfinished actions over and
    add the new rows (blank ones are ignored), in one submit."""
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = _session_sprint(company)
    members = rows.selectors.members(company)
    carry = ids_param(request.POST.getlist("carry"))
    plan = rows.read_new_rows(request.POST, members, SessionNewActionForm)
    if not plan.refused:
        try:
            steps.session_plan(sprint=sprint, by=membership, carry=carry, new_actions=plan.new_actions())
        except steps.RowsRefused as refusal:
            plan.refuse(refusal.rows)
        except ValidationError as error:  # e.g. the next sprint's dates: say so, keep every row
            kept = {"plan_rows": plan.rows, "carry_ticked": set(carry)}
            return _after_post(request, company, membership, error=error_text(error), **kept)
    return _after_post(request, company, membership, **plan.outcome(carry))


@require_GET
def session_plan_capacity(request, company_id: int):
    """The next sprint's capacity bars with what the plan form holds, before it is saved (htmx;
    without JavaScript the bars show after the save)."""
    company, membership = access_company(request.user, company_id)
    context = rows.plan_preview(company, membership, request.GET)
    if context["plan_capacity"] is None:
        raise Http404(_("There is no active sprint to review."))
    return render(request, "sprints/_capacity.html", {"capacity": context["plan_capacity"], **context})


@require_POST
def session_close(request, company_id: int):
    """Close the reviewed sprint with the review's notes and, if asked, start the next one;
    the page then shows what was closed and what started."""
    company, membership = access_company(request.user, company_id, action=Permission.CLOSE_SPRINT)
    sprint = _session_sprint(company)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _after_post(request, company, membership, close_form=form)
    try:
        closed = steps.session_close(sprint=sprint, by=membership, **form.cleaned_data)
    except ValidationError as error:
        return _after_post(request, company, membership, error=error_text(error), close_form=form)
    return _closed_response(request, company, membership, closed.sprint, not_started=closed.not_started)


@require_POST
def session_start(request, company_id: int):
    """After the close: start the next sprint (with a written reason when it does not fit)."""
    company, membership = access_company(request.user, company_id, action=Permission.START_SPRINT)
    closed = rows.closed_sprint(company, int_param(request.POST.get("closed"), minimum=1))
    if closed is None:
        context = session_context(company, membership, error=_("Close the sprint under review first."))
        return render(request, "sprints/session.html", context)
    reason = request.POST.get("override_reason", "")
    try:
        steps.session_start_next(closed=closed, by=membership, override_reason=reason)
    except ValidationError as error:
        return _closed_response(request, company, membership, closed, not_started=error, reason=reason)
    return _closed_response(request, company, membership, closed)


def _closed_response(request, company, membership, closed, *, not_started=None, reason=None):
    """htmx: the closed panel in place of the session. A plain post: the panel's own address,
    except a refused start (`reason` given), which shows the page with the reason as typed."""
    if request.htmx or reason is not None:
        context = rows.closed_context(company, membership, closed, not_started=not_started, reason=reason or "")
        return render(request, "sprints/session.html" + ("#session" if request.htmx else ""), context)
    return redirect(reverse("sprints:session", args=[company.pk]) + f"?closed={closed.pk}")
