"""Screen 7: the weekly session (the tracker's page), one page for the whole loop. Every step
posts to its view, which calls one service of `sprints.session`. An htmx save answers with what
changed: a row saved alone (`only`) with that row, a step's "save all" with that step's card
and, when the session moved on, the steps' nav (out of band) and the `session-step` event
(static/js/session.js opens that step and puts the cursor in it). What depends on a save
elsewhere on the page refreshes itself on the save's event (`results-changed`,
`verdicts-changed`, `plan-changed`) from a part of the page (`?fragment=`) that reads only
what it shows. Moving to a step swaps the session. A plain post goes back to the step, or
shows the page with the errors.

What a view renders is made by the page's presenter (sprints/session_page.py) from the
selectors' reads. Rows are light inputs rendered by hand (sprints/_session_*.html), never a Django form per row:
a step's rows save in one submit, or one row alone; only the rows to save are parsed by a form.
A refused submit shows every row as it was typed, with the error next to its row. Closing
stays on the page: it shows the closed sprint's summary, its report and whether the next
sprint started."""

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from hypotheses.access import access_hypothesis
from tracking.access import access_company
from tracking.form_errors import apply_errors, error_text
from tracking.query_params import ids_param, int_param
from tracking.roles import Permission

from .. import selectors
from .. import session as steps
from .. import session_page as rows
from ..forms import ActionLogForm, CloseForm, SessionMetricForm, SessionNewActionForm, SessionVerdictForm
from ..models import SessionStep
from ..session_page import session_context
from .results import RESULTS_CHANGED

VERDICTS_CHANGED = "verdicts-changed"
PLAN_CHANGED = "plan-changed"
SESSION_STEP = "session-step"  # the session moved on: {"step": the step to open}


def _session(company, membership) -> rows.SessionData:
    data = rows.session_data(company, membership)
    if data is None:
        raise Http404(_("There is no active sprint to review."))
    return data


def _plain(request, company, membership, step, **overrides):
    """A post without htmx: the page with what was refused (and its step drawn), or back to
    the step."""
    if any(overrides.get(k) for k in ("error", "refused", "close_form", "typed")):
        context = session_context(company, membership, opened=step, **overrides)
        return render(request, "sprints/session.html", context)
    return redirect(reverse("sprints:session", args=[company.pk]) + f"#step-{step}")


def _card(request, data, card: str, *, moved_from: str | None = None, events=(), **card_context):
    """A step's card in its place; when the session moved on, the steps' nav too and the step
    to open (after the swap, so the cursor lands in the new card)."""
    moved = moved_from is not None and data.step != moved_from
    context = rows.step_card(data, card, moved=moved, **card_context)
    context |= {"card": f"sprints/_session_{card}.html", "moved": moved}
    response = render(request, "sprints/_session_answer.html", context)
    for event in events:
        trigger_client_event(response, event, after="settle")
    if moved:
        trigger_client_event(response, SESSION_STEP, {"step": data.step}, after="settle")
    return reswap(retarget(response, f"#step-{card}"), "outerHTML")


def _row(request, data, step: str, pk: int, outcome: dict, events=(), objects=None):
    """One row in its place (typed and refused, or as saved); none once it has left the step
    (a hypothesis decided). `objects`: the row as the save left it (nothing is read again)."""
    build, template, target = ROW_ANSWERS[step]
    shown = {key: outcome.get(key, {}).get(step, {}) for key in ("typed", "refused", "saved")}
    context = build(data, pk, **shown, objects=objects)
    if context is None:
        response = reswap(HttpResponse(""), "delete")
    else:
        response = reswap(render(request, template, context), "outerHTML")
    for event in events:
        trigger_client_event(response, event, after="settle")
    return retarget(response, target.format(pk=pk))


ROW_ANSWERS = {
    "results": (rows.result_row, "sprints/_session_results.html#result_rows", "#result-{pk}"),
    "verdicts": (rows.verdict_row, "sprints/_session_verdicts.html#verdict_rows", "#verdict-{pk}"),
    "metrics": (rows.metric_row, "sprints/_session_metrics.html#metric_rows", "#session-metric-{pk}"),
}


# A row's button asks for the row with its fields: the step (its rows' key), the parameter that
# names the row, the row, the template.
EDITABLE_ROWS = {
    "result": ("actions", "edit", rows.result_row, "sprints/_session_results.html#result_rows"),
    "verdict": ("testing", "decide", rows.verdict_row, "sprints/_session_verdicts.html#verdict_rows"),
}


def _row_pk(text) -> int:
    pk = int_param(text, minimum=1)
    if pk is None:
        raise Http404(_("No such row."))
    return pk


def _only(request):
    return int_param(request.POST.get("only"), minimum=1)


def _fragment(request, data, fragment: str):
    """A part of the page that follows a save elsewhere on it; a folded step's card, opened; or
    a row's button: that row with its fields, opened as it chose (a 404 for a row not on this
    session, or one the reader may not change)."""
    if fragment in rows.PARTS:
        template, part = rows.PARTS[fragment]
        return render(request, template, part(data))
    card = request.GET.get("card")
    if fragment == "card" and card in rows.STEP_ORDER:
        return render(request, f"sprints/_session_{card}.html", rows.step_card(data, card))
    if fragment not in EDITABLE_ROWS:
        raise Http404(_("No such part of the session."))
    step, param, build, template = EDITABLE_ROWS[fragment]
    context = build(data, _row_pk(request.GET.get(param)), editing=True, opened_as=request.GET.get("as"))
    if context is None or not context[step][0]["editing"]:
        raise Http404(_("This row cannot be edited here."))
    return render(request, template, context)


@require_GET
def session(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    fragment = request.GET.get("fragment")
    if request.htmx and fragment:
        return _fragment(request, _session(company, membership), fragment)
    closed_id = int_param(request.GET.get("closed"), minimum=1)
    if closed_id is None:
        # Without JavaScript a row's button is a link to the page with that row's fields.
        editing = {
            "results": ids_param([request.GET.get("edit", "")]),
            "verdicts": ids_param([request.GET.get("decide", "")]),
        }
        opened = {"opened": request.GET.get("open"), "opened_as": request.GET.get("as")}
        context = session_context(company, membership, editing=editing, **opened)
        return render(request, "sprints/session.html", context)
    closed = selectors.closed_sprint(company, closed_id)
    if closed is None:
        raise Http404(_("No such sprint."))
    return render(request, "sprints/session.html", rows.closed_context(company, membership, closed))


@require_POST
def session_step(request, company_id: int):
    """Begin the session (the sprint goes into review) or move to a step: htmx swaps the
    session, read afresh (what others saved meanwhile shows)."""
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    data = _session(company, membership)
    try:
        review = steps.session_go_to(sprint=data.sprint, by=membership, step=request.POST.get("step"))
    except ValidationError as error:
        context = session_context(company, membership, error=error_text(error))
        return render(request, "sprints/session.html" + ("#session" if request.htmx else ""), context)
    if request.htmx:
        data.review = review
        return render(request, "sprints/session.html#session", session_context(company, membership, data=data))
    return _plain(request, company, membership, review.step)


@dataclass(frozen=True)
class RowStep:
    """A step of rows: who may save it, its rows (all, or the one `only`), how a row is parsed
    and compared with what the page showed, the service, and the event its save sends."""

    permission: str
    load: Any  # (SessionData, only) → the step's objects
    form_class: type
    prefix: str
    unchanged: Any  # (object, typed values) → nothing to save in the row
    to_rows: Any
    save: Any
    event: str | None


ROW_STEPS = {
    "results": RowStep(
        Permission.PLAN_SPRINT,
        lambda data, only: selectors.session_actions(data.sprint, only=only),
        ActionLogForm,
        "l",
        rows.result_unchanged,
        rows.RowsRead.result_rows,
        steps.session_results,
        RESULTS_CHANGED,
    ),
    "verdicts": RowStep(
        Permission.EDIT_HYPOTHESIS,
        lambda data, only: selectors.session_hypotheses(data.company, data.sprint, only=only),
        SessionVerdictForm,
        "v",
        rows.verdict_untouched,
        rows.RowsRead.verdict_rows,
        steps.session_verdicts,
        VERDICTS_CHANGED,
    ),
    "metrics": RowStep(
        Permission.EDIT_PLANNING,
        lambda data, only: selectors.metrics_with_this_week(data.company, only=only),
        SessionMetricForm,
        "m",
        rows.metric_unchanged,
        rows.RowsRead.metric_rows,
        steps.session_metrics,
        None,
    ),
}


def _save_rows(request, company_id: int, step: str):
    """A step of rows (results, verdicts, metric values): read the rows of the post, save them
    all (or the row `only`) through the step's service; answer with the step's card (or the row)."""
    config = ROW_STEPS[step]
    company, membership = access_company(request.user, company_id, action=config.permission)
    data = _session(company, membership)
    only = _only(request)
    objects = config.load(data, only if request.htmx else None)  # a page shows every row as typed
    read = rows.read_rows(request.POST, objects, config.form_class, config.prefix, only, config.unchanged)
    review, saved = None, {}
    if not read.refused:
        try:
            result = config.save(sprint=data.sprint, by=membership, rows=config.to_rows(read), advance=only is None)
        except steps.RowsRefused as refusal:
            read.refuse(refusal.rows)
        else:
            review, saved = result.review, result.saved
    outcome = read.outcome(step, only)
    if not request.htmx:
        return _plain(request, company, membership, (review or data).step, **outcome)
    events = [config.event] if review is not None and config.event else []
    if only is not None:
        return _row(request, data, step, only, outcome, events, rows.rows_as_saved(step, objects, saved))
    before, data.review = data.step, review or data.review
    return _card(request, data, step, moved_from=before, events=events, **outcome)


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
    data = _session(company, membership)
    # Read as its row shows it (so the answer reads nothing again); one not under test as it is.
    testing = selectors.session_hypotheses(company, data.sprint, only=hypothesis_id)
    hypothesis = testing[0] if testing else access_hypothesis(company, hypothesis_id)
    form = SessionVerdictForm(request.POST, prefix=f"v{hypothesis.pk}")
    review = None
    if form.is_valid():
        try:
            review = steps.session_verdict(
                sprint=data.sprint, by=membership, hypothesis=hypothesis, **form.cleaned_data
            )
        except ValidationError as error:
            apply_errors(form, error)
    outcome = {} if review is not None else rows.form_outcome("verdicts", hypothesis.pk, form)
    if not request.htmx:
        return _plain(request, company, membership, (review or data).step, **outcome)
    saved = {hypothesis.pk: form.cleaned_data["decision"]} if review else {}
    shown = rows.rows_as_saved("verdicts", testing, saved)
    return _row(request, data, "verdicts", hypothesis.pk, outcome, [VERDICTS_CHANGED] if review else [], shown)


@require_POST
def session_metrics(request, company_id: int):
    """This week's values of every metric in one submit, or of one (`only`)."""
    return _save_rows(request, company_id, "metrics")


@require_POST
def session_constraint(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    data = _session(company, membership)
    answer = request.POST.get("still_main")
    if answer not in ("yes", "no"):
        if request.htmx:
            return _card(request, data, SessionStep.CONSTRAINT, error=_("Answer yes or no."))
        return _plain(request, company, membership, SessionStep.CONSTRAINT, error=_("Answer yes or no."))
    review = steps.session_constraint(sprint=data.sprint, by=membership, still_main=answer == "yes")
    if answer == "no" and not request.htmx:
        return redirect("tracking:constraint_new", company_id=company.pk)
    if not request.htmx:
        return _plain(request, company, membership, review.step)
    before, data.review = data.step, review
    return _card(request, data, SessionStep.CONSTRAINT, moved_from=before)


@require_POST
def session_plan(request, company_id: int):
    """Plan the next sprint inside the session: carry the ticked unfinished actions over and
    add the new rows (blank ones are ignored), in one submit."""
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    data = _session(company, membership)
    carry = ids_param(request.POST.getlist("carry"))
    plan = rows.read_new_rows(request.POST, data.members, SessionNewActionForm)
    error = None
    if not plan.refused:
        try:
            steps.session_plan(sprint=data.sprint, by=membership, carry=carry, new_actions=plan.new_actions())
        except steps.RowsRefused as refusal:
            plan.refuse(refusal.rows)
        except ValidationError as refusal:  # e.g. the next sprint's dates: say so, keep every row
            error = error_text(refusal)
    saved = error is None and not plan.refused
    outcome = plan.outcome(carry) if error is None else {"plan_rows": plan.rows, "carry_ticked": set(carry)}
    if not request.htmx:
        return _plain(request, company, membership, SessionStep.PLAN, error=error, **outcome)
    before = data.step
    if saved:
        data.review = selectors.session_review(data.sprint)
    events = [PLAN_CHANGED] if saved else []
    return _card(request, data, SessionStep.PLAN, moved_from=before, events=events, error=error, **outcome)


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
    the page then shows what was closed and what started. A refused close answers with the
    close step's card (the notes are kept)."""
    company, membership = access_company(request.user, company_id, action=Permission.CLOSE_SPRINT)
    data = _session(company, membership)
    form = CloseForm(request.POST)
    error = None
    if form.is_valid():
        try:
            closed = steps.session_close(sprint=data.sprint, by=membership, **form.cleaned_data)
        except ValidationError as refusal:
            error = error_text(refusal)
        else:
            return _closed_response(request, company, membership, closed.sprint, not_started=closed.not_started)
    if not request.htmx:
        return _plain(request, company, membership, SessionStep.CLOSE, error=error, close_form=form)
    before = data.step
    if error is not None:  # the refused close kept the notes and moved the session to its step
        data.review = selectors.session_review(data.sprint)
    return _card(request, data, SessionStep.CLOSE, moved_from=before, error=error, close_form=form)


@require_POST
def session_start(request, company_id: int):
    """After the close: start the next sprint (with a written reason when it does not fit)."""
    company, membership = access_company(request.user, company_id, action=Permission.START_SPRINT)
    closed = selectors.closed_sprint(company, int_param(request.POST.get("closed"), minimum=1))
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
