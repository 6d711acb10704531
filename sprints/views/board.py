"""Screens 5–7: the sprint planning board, logging results, the weekly session."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from hypotheses import services as hypothesis_services
from hypotheses.access import access_hypothesis
from tracking import services as tracking_services
from tracking.access import access_company, access_metric
from tracking.forms import MetricValueForm
from tracking.roles import Action as Can
from tracking.roles import role_allows
from tracking.views._common import apply_errors, error_text

from . import selectors, services
from .access import access_action, access_sprint
from .capacity import sprint_capacity
from .forms import ActionForm, ActionLogForm, CloseForm, MeasuredForm, SessionVerdictForm, SprintForm, StartForm
from .models import ActionStatus, Review, SessionStep, SprintReport, SprintStatus


def _plain(value):
    """3.1000 → "3.1", 100.0000 → "100": a stored value as the person typed it."""
    return None if value is None else format(value.normalize(), "f")


# --- Sprints and the planning board -----------------------------------------------------------


def _sprints_page(request, company, membership, form=None):
    sprints = selectors.sprints_of(company)
    last = max((s.ends_on for s in sprints), default=None)
    start, end = services.default_dates(company, after=last)
    context = {
        "company": company,
        "membership": membership,
        "sprints": sprints,
        "form": form
        or SprintForm(
            company=company,
            initial={
                "starts_on": start,
                "ends_on": end,
                "focus": company.constraints.filter(status="active").values_list("pk", flat=True).first(),
            },
        ),
        "can_plan": role_allows(membership.role, Can.PLAN_SPRINT),
    }
    return render(request, "sprints/list.html", context)


@require_GET
def sprint_list(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    return _sprints_page(request, company, membership)


@require_POST
def sprint_new(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    form = SprintForm(request.POST, company=company)
    if form.is_valid():
        try:
            sprint = services.sprint_plan(by=membership, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(sprint)s is planned. Add its actions.") % {"sprint": sprint})
            return redirect("sprints:board", company_id=company.pk, sprint_id=sprint.pk)
    return _sprints_page(request, company, membership, form=form)


def _board_context(company, membership, sprint, *, add_form=None, row_forms=None, start_error=None, board_error=None):
    members = selectors.members(company)
    hypotheses = selectors.open_hypotheses(company)
    actions = selectors.sprint_actions(sprint)
    row_forms = row_forms or {}
    for action in actions:
        action.form = row_forms.get(action.pk) or ActionForm(
            company=company,
            members=members,
            hypotheses=hypotheses,
            prefix=f"a{action.pk}",
            initial={
                "title": action.title,
                "owner": action.owner_id,
                "estimate_hours": action.estimate_hours,
                "cost": action.cost,
                "hypothesis": action.hypothesis_id,
                "version": action.version,
            },
        )
    return {
        "company": company,
        "membership": membership,
        "sprint": sprint,
        "actions": actions,
        "capacity": sprint_capacity(sprint, actions),
        "add_form": add_form or ActionForm(company=company, members=members, hypotheses=hypotheses),
        "start_form": StartForm(),
        "start_error": start_error,
        "board_error": board_error,
        "can_plan": role_allows(membership.role, Can.PLAN_SPRINT) and sprint.status != SprintStatus.CLOSED,
        "can_start": role_allows(membership.role, Can.START_SPRINT) and sprint.status == SprintStatus.PLANNED,
        "can_override": role_allows(membership.role, Can.OVERRIDE_CAPACITY),
    }


def _board_response(request, company, membership, sprint, **overrides):
    context = _board_context(company, membership, sprint, **overrides)
    if request.htmx:
        return render(request, "sprints/board.html#plan", context)
    return render(request, "sprints/board.html", context)


@require_GET
def board(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id)
    sprint = access_sprint(company, sprint_id)
    return render(request, "sprints/board.html", _board_context(company, membership, sprint))


@require_POST
def sprint_edit(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    sprint = access_sprint(company, sprint_id)
    form = SprintForm(request.POST, company=company)
    if form.is_valid():
        try:
            services.sprint_update(sprint=sprint, by=membership, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The sprint is saved."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("sprints:board", company_id=company.pk, sprint_id=sprint.pk)


@require_POST
def sprint_start(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id, action=Can.START_SPRINT)
    sprint = access_sprint(company, sprint_id)
    form = StartForm(request.POST)
    form.is_valid()
    try:
        services.sprint_start(
            sprint=sprint, by=membership, override_reason=form.cleaned_data.get("override_reason", "")
        )
    except ValidationError as error:
        return _board_response(request, company, membership, sprint, start_error=error_text(error))
    messages.success(request, _("%(sprint)s has started.") % {"sprint": sprint})
    return redirect("sprints:board", company_id=company.pk, sprint_id=sprint.pk)


@require_POST
def sprint_delete(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    sprint = access_sprint(company, sprint_id)
    try:
        services.sprint_archive(sprint=sprint, by=membership)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("sprints:board", company_id=company.pk, sprint_id=sprint.pk)
    messages.success(request, _("%(sprint)s is deleted.") % {"sprint": sprint})
    return redirect("sprints:list", company_id=company.pk)


@require_POST
def action_add(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    sprint = access_sprint(company, sprint_id)
    form = ActionForm(request.POST, company=company)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.action_add(sprint=sprint, by=membership, **data)
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                return _board_response(
                    request, company, membership, sprint, add_form=form, board_error=error_text(error)
                )
            apply_errors(form, error)
        else:
            if not request.htmx:
                return redirect(reverse("sprints:board", args=[company.pk, sprint.pk]) + "#plan")
            form = None  # a fresh form for the next action
    return _board_response(request, company, membership, sprint, add_form=form)


@require_POST
def action_edit(request, company_id: int, action_id: int):
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    action = access_action(company, action_id)
    form = ActionForm(request.POST, company=company, prefix=f"a{action.pk}")
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.action_update(action=action, by=membership, expected_version=form.cleaned_data["version"], **data)
        except services.StaleAction as stale:
            form.add_error(
                None,
                stale.messages[0]
                + " "
                + _("Now: “%(title)s”, %(hours)s h.")
                % {"title": stale.current.title, "hours": stale.current.estimate_hours},
            )
            form.data = form.data.copy()
            form.data[f"a{action.pk}-version"] = stale.current.version
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # about the sprint, not a field: say it above the board
                return _board_response(
                    request,
                    company,
                    membership,
                    action.sprint,
                    row_forms={action.pk: form},
                    board_error=error_text(error),
                )
            apply_errors(form, error)
        else:
            if not request.htmx:
                return redirect(reverse("sprints:board", args=[company.pk, action.sprint_id]) + "#plan")
            return _board_response(request, company, membership, action.sprint)
    return _board_response(request, company, membership, action.sprint, row_forms={action.pk: form})


@require_POST
def action_delete(request, company_id: int, action_id: int):
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    action = access_action(company, action_id)
    try:
        services.action_delete(action=action, by=membership)
    except ValidationError as error:
        messages.error(request, error_text(error))
    if request.htmx:
        return _board_response(request, company, membership, action.sprint)
    return redirect(reverse("sprints:board", args=[company.pk, action.sprint_id]) + "#plan")


# --- Logging results (the entrepreneur's page, works on a phone) --------------------------------


def _can_log(membership, action) -> bool:
    if role_allows(membership.role, Can.LOG_ANY_RESULTS):
        return True
    return action.owner_id == membership.pk and role_allows(membership.role, Can.LOG_OWN_RESULTS)


def _results_context(company, membership, *, log_forms=None, metric_forms=None, measured_forms=None, saved=None):
    sprint = selectors.current_sprint(company)
    actions = selectors.sprint_actions(sprint) if sprint else []
    log_forms = log_forms or {}
    for action in actions:
        action.can_log = _can_log(membership, action)
        action.form = log_forms.get(action.pk) or ActionLogForm(
            prefix=f"l{action.pk}",
            initial={
                "status": action.status,
                "result_note": action.result_note,
                "why_not_note": action.why_not_note,
                "version": action.version,
            },
        )
    own = [a for a in actions if a.owner_id == membership.pk]
    others = [a for a in actions if a.owner_id != membership.pk]
    metrics = selectors.metrics_with_this_week(company)
    metric_forms = metric_forms or {}
    for metric in metrics:
        metric.form = metric_forms.get(metric.pk) or MetricValueForm(
            prefix=f"m{metric.pk}",
            initial={"value": _plain(metric.this_week)},
        )
    testing = selectors.hypotheses_under_test(company)
    measured_forms = measured_forms or {}
    for h in testing:
        h.form = measured_forms.get(h.pk) or MeasuredForm(
            prefix=f"h{h.pk}",
            initial={"measured": _plain(h.measured_value)},
        )
    return {
        "company": company,
        "membership": membership,
        "sprint": sprint,
        "own": own,
        "others": others,
        "logged": sum(1 for a in actions if a.is_resolved),
        "total": len(actions),
        "metrics": metrics,
        "testing": testing,
        "can_edit_metrics": role_allows(membership.role, Can.EDIT_PLANNING),
        "can_measure": role_allows(membership.role, Can.LOG_ANY_RESULTS),
        "saved": saved,
    }


def _results_response(request, company, membership, *, fragment: str, **overrides):
    context = _results_context(company, membership, **overrides)
    if request.htmx:
        return render(request, f"sprints/results.html#{fragment}", context)
    if overrides.get("saved"):
        return redirect(reverse("sprints:results", args=[company.pk]) + f"#{fragment}")
    return render(request, "sprints/results.html", context)


@require_GET
def results(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    return render(request, "sprints/results.html", _results_context(company, membership))


@require_POST
def action_log(request, company_id: int, action_id: int):
    company, membership = access_company(request.user, company_id, action=Can.LOG_OWN_RESULTS)
    action = access_action(company, action_id)
    if not _can_log(membership, action):
        raise PermissionDenied(_("A member logs only their own actions."))
    form = ActionLogForm(request.POST, prefix=f"l{action.pk}")
    saved = None
    if form.is_valid():
        try:
            services.action_log(
                action=action,
                by=membership,
                expected_version=form.cleaned_data["version"],
                **{k: v for k, v in form.cleaned_data.items() if k != "version"},
            )
        except services.StaleAction as stale:
            form.add_error(
                None,
                stale.messages[0]
                + " "
                + _("Now: %(status)s. %(note)s")
                % {
                    "status": stale.current.get_status_display(),
                    "note": stale.current.result_note or stale.current.why_not_note,
                },
            )
            form.data = form.data.copy()
            form.data[f"l{action.pk}-version"] = stale.current.version
        except ValidationError as error:
            apply_errors(form, error)
        else:
            saved = ("action", action.pk)
    overrides = {"saved": saved} if saved else {"log_forms": {action.pk: form}}
    if request.POST.get("from") == "session":
        return _session_after_post(request, company, membership, **({} if saved else {"log_forms": {action.pk: form}}))
    return _results_response(request, company, membership, fragment="actions", **overrides)


@require_POST
def metric_log(request, company_id: int, metric_id: int):
    company, membership = access_company(request.user, company_id, action=Can.EDIT_PLANNING)
    metric = access_metric(company, metric_id)
    form = MetricValueForm(request.POST, prefix=f"m{metric.pk}")
    saved = None
    if form.is_valid():
        try:
            tracking_services.metric_value_record(metric=metric, by=membership, value=form.cleaned_data["value"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            saved = ("metric", metric.pk)
    if request.POST.get("from") == "session":
        return _session_after_post(
            request, company, membership, **({} if saved else {"metric_forms": {metric.pk: form}})
        )
    overrides = {"saved": saved} if saved else {"metric_forms": {metric.pk: form}}
    return _results_response(request, company, membership, fragment="metrics", **overrides)


@require_POST
def hypothesis_measure(request, company_id: int, hypothesis_id: int):
    company, membership = access_company(request.user, company_id, action=Can.LOG_ANY_RESULTS)
    hypothesis = access_hypothesis(company, hypothesis_id)
    form = MeasuredForm(request.POST, prefix=f"h{hypothesis.pk}")
    saved = None
    if form.is_valid():
        try:
            hypothesis_services.hypothesis_measure(
                hypothesis=hypothesis, by=membership, measured=form.cleaned_data["measured"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            saved = ("hypothesis", hypothesis.pk)
    overrides = {"saved": saved} if saved else {"measured_forms": {hypothesis.pk: form}}
    return _results_response(request, company, membership, fragment="hypotheses", **overrides)


# --- The weekly session (the tracker's page) ---------------------------------------------------


def _session_context(company, membership, *, verdict_forms=None, close_form=None, error=None, **results_overrides):
    context = _results_context(company, membership, **results_overrides)
    sprint = context["sprint"]
    review = Review.objects.filter(sprint=sprint).prefetch_related("kept_in_test").first() if sprint else None
    kept = {h.pk for h in review.kept_in_test.all()} if review else set()
    verdict_forms = verdict_forms or {}
    for h in context["testing"]:
        h.kept = h.pk in kept
        h.verdict_form = verdict_forms.get(h.pk) or SessionVerdictForm(
            prefix=f"v{h.pk}", initial={"measured": h.measured_value}
        )
    upcoming = selectors.next_sprint(company, sprint)
    unfinished = [
        a
        for a in context["own"] + context["others"]
        if a.status in (ActionStatus.TODO, ActionStatus.DOING) and not hasattr(a, "carried_to")
    ]
    context.update(
        {
            "review": review,
            "steps": SessionStep.choices,
            "step": review.step if review else SessionStep.RESULTS,
            "upcoming": upcoming,
            "upcoming_capacity": sprint_capacity(upcoming) if upcoming else None,
            "unfinished": unfinished,
            "constraint": company.constraints.filter(status="active").first(),
            "closing_problems": services.closing_problems(
                sprint,
                open_actions=sum(1 for a in context["own"] + context["others"] if not a.is_resolved),
                undecided_titles=[h.title for h in context["testing"] if not h.kept],
            )
            if sprint
            else [],
            "close_form": close_form
            or CloseForm(
                initial={
                    "what_worked": review.what_worked if review else "",
                    "what_to_fix": review.what_to_fix if review else "",
                    "notes": review.notes if review else "",
                }
            ),
            "session_error": error,
            "can_run": role_allows(membership.role, Can.PLAN_SPRINT),
            "can_close": role_allows(membership.role, Can.CLOSE_SPRINT),
            "can_decide": role_allows(membership.role, Can.EDIT_HYPOTHESIS),
        }
    )
    return context


def _session_after_post(request, company, membership, **overrides):
    context = _session_context(company, membership, **overrides)
    if request.htmx:
        return render(request, "sprints/session.html#session", context)
    if overrides.get("error") or any(k.endswith("_forms") or k == "close_form" for k in overrides):
        return render(request, "sprints/session.html", context)
    anchor = context["step"]
    return redirect(reverse("sprints:session", args=[company.pk]) + f"#step-{anchor}")


def _session_sprint(company):
    sprint = selectors.current_sprint(company)
    if sprint is None:
        raise Http404(_("There is no active sprint to review."))
    return sprint


@require_GET
def session(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    return render(request, "sprints/session.html", _session_context(company, membership))


@require_POST
def session_step(request, company_id: int):
    """Begin the session (the sprint goes into review) or move to a step; the step is
    remembered, so coming back resumes there."""
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    sprint = _session_sprint(company)
    try:
        review = services.session_begin(sprint=sprint, by=membership)
        step = request.POST.get("step") or review.step
        services.review_update(review=review, by=membership, step=step)
    except ValidationError as error:
        return _session_after_post(request, company, membership, error=error_text(error))
    return _session_after_post(request, company, membership)


@require_POST
def session_verdict(request, company_id: int, hypothesis_id: int):
    company, membership = access_company(request.user, company_id, action=Can.EDIT_HYPOTHESIS)
    sprint = _session_sprint(company)
    hypothesis = access_hypothesis(company, hypothesis_id)
    form = SessionVerdictForm(request.POST, prefix=f"v{hypothesis.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                review = services.session_begin(sprint=sprint, by=membership)
                if data["decision"] == "keep":
                    services.review_keep_in_test(review=review, by=membership, hypothesis=hypothesis, keep=True)
                else:
                    if data["measured"] is None:
                        raise ValidationError({"measured": _("Enter the measured value.")})
                    hypothesis_services.hypothesis_decide(
                        hypothesis=hypothesis,
                        by=membership,
                        verdict=data["decision"],
                        measured=data["measured"],
                        note=data["note"],
                    )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _session_after_post(request, company, membership)
    return _session_after_post(request, company, membership, verdict_forms={hypothesis.pk: form})


@require_POST
def session_constraint(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    sprint = _session_sprint(company)
    answer = request.POST.get("still_main")
    if answer not in ("yes", "no"):
        return _session_after_post(request, company, membership, error=_("Answer yes or no."))
    review = services.session_begin(sprint=sprint, by=membership)
    services.review_update(
        review=review,
        by=membership,
        constraint_confirmed=answer == "yes",
        step=SessionStep.PLAN if answer == "yes" else SessionStep.CONSTRAINT,
    )
    if answer == "no" and not request.htmx:
        return redirect("tracking:constraint_new", company_id=company.pk)
    return _session_after_post(request, company, membership)


@require_POST
def session_plan(request, company_id: int):
    """Plan the next sprint (default dates) and carry the chosen unfinished actions into it."""
    company, membership = access_company(request.user, company_id, action=Can.PLAN_SPRINT)
    sprint = _session_sprint(company)
    try:
        with transaction.atomic():
            upcoming = selectors.next_sprint(company, sprint)
            if upcoming is None:
                start, end = services.default_dates(company, after=sprint.ends_on)
                upcoming = services.sprint_plan(by=membership, starts_on=start, ends_on=end, focus=sprint.focus)
            ids = [int(pk) for pk in request.POST.getlist("carry") if pk.isdigit()]
            if ids:
                chosen = list(sprint.actions.filter(pk__in=ids))
                services.actions_carry_over(actions=chosen, to_sprint=upcoming, by=membership)
            review = services.session_begin(sprint=sprint, by=membership)
            services.review_update(review=review, by=membership, step=SessionStep.PLAN)
    except ValidationError as error:
        return _session_after_post(request, company, membership, error=error_text(error))
    return _session_after_post(request, company, membership)


@require_POST
def session_close(request, company_id: int):
    """Close the reviewed sprint with the review's notes and, if asked, start the next one."""
    company, membership = access_company(request.user, company_id, action=Can.CLOSE_SPRINT)
    sprint = _session_sprint(company)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _session_after_post(request, company, membership, close_form=form)
    data = form.cleaned_data
    review = services.session_begin(sprint=sprint, by=membership)
    # What was typed is kept even when closing is refused.
    services.review_update(
        review=review,
        by=membership,
        notes=data["notes"],
        what_worked=data["what_worked"],
        what_to_fix=data["what_to_fix"],
        step=SessionStep.CLOSE,
    )
    try:
        services.sprint_close(
            sprint=sprint,
            by=membership,
            notes=data["notes"],
            what_worked=data["what_worked"],
            what_to_fix=data["what_to_fix"],
        )
    except ValidationError as error:
        return _session_after_post(request, company, membership, error=error_text(error), close_form=form)
    messages.success(request, _("%(sprint)s is closed.") % {"sprint": sprint})
    upcoming = selectors.next_sprint(company, sprint)
    if data["start_next"] and upcoming:
        try:
            services.sprint_start(sprint=upcoming, by=membership, override_reason=data["override_reason"])
        except ValidationError as error:
            messages.error(request, _("The next sprint is not started: %(why)s") % {"why": error_text(error)})
            target = reverse("sprints:board", args=[company.pk, upcoming.pk])
        else:
            messages.success(request, _("%(sprint)s has started.") % {"sprint": upcoming})
            target = reverse("sprints:board", args=[company.pk, upcoming.pk])
    else:
        target = reverse("sprints:list", args=[company.pk])
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


@require_GET
def report(request, company_id: int, sprint_id: int):
    """The roll-up of a sprint, printable on A4."""
    company, membership = access_company(request.user, company_id)
    sprint = access_sprint(company, sprint_id)
    sprint_report = SprintReport.objects.filter(sprint=sprint).first()
    review = Review.objects.filter(sprint=sprint).first()
    sprint.review_obj = review
    context = {"company": company, "membership": membership, "sprint": sprint, "report": sprint_report}
    return render(request, "sprints/report.html", context)
