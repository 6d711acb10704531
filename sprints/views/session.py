"""Screen 7: the weekly session (the tracker's page). Every step posts to one view that
calls one service of `sprints.session`; the results rows are those of the results screen."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from hypotheses.access import access_hypothesis
from tracking.access import access_company
from tracking.form_errors import apply_errors, error_text
from tracking.query_params import ids_param
from tracking.roles import Permission, role_allows

from .. import selectors, services
from .. import session as steps
from ..capacity import sprint_capacity
from ..forms import CloseForm, SessionVerdictForm
from ..models import ActionStatus, SessionStep
from .results import results_context


def _unfinished(actions):
    return [a for a in actions if a.status in (ActionStatus.TODO, ActionStatus.DOING) and not hasattr(a, "carried_to")]


def _closing(sprint, actions, testing, kept):
    if sprint is None:
        return []
    open_actions = sum(1 for a in actions if not a.is_resolved)
    return services.closing_problems(
        sprint, open_actions=open_actions, undecided_titles=[h.title for h in testing if h.pk not in kept]
    )


def _close_form(review):
    fields = ("what_worked", "what_to_fix", "notes")
    return CloseForm(initial={name: getattr(review, name) if review else "" for name in fields})


def _session_context(company, membership, *, verdict_forms=None, close_form=None, error=None, **results_overrides):
    context = results_context(company, membership, **results_overrides)
    sprint, actions, testing = context["sprint"], context["own"] + context["others"], context["testing"]
    review = selectors.session_review(sprint)
    kept = {h.pk for h in review.kept_in_test.all()} if review else set()
    verdict_forms = verdict_forms or {}
    for h in testing:
        h.kept = h.pk in kept
        initial = {"measured": h.measured_value}
        h.verdict_form = verdict_forms.get(h.pk) or SessionVerdictForm(prefix=f"v{h.pk}", initial=initial)
    upcoming = selectors.next_sprint(company, sprint)
    context.update(
        {
            "review": review,
            "steps": SessionStep.choices,
            "step": review.step if review else SessionStep.RESULTS,
            "upcoming": upcoming,
            "upcoming_capacity": sprint_capacity(upcoming) if upcoming else None,
            "unfinished": _unfinished(actions),
            "constraint": company.constraints.filter(status="active").first(),
            "closing_problems": _closing(sprint, actions, testing, kept),
            "close_form": close_form or _close_form(review),
            "session_error": error,
            **_session_rights(membership),
        }
    )
    return context


def _session_rights(membership):
    return {
        "can_run": role_allows(membership.role, Permission.PLAN_SPRINT),
        "can_close": role_allows(membership.role, Permission.CLOSE_SPRINT),
        "can_decide": role_allows(membership.role, Permission.EDIT_HYPOTHESIS),
    }


def _counters_context(company, membership):
    """What a logged result changes on the session page: the progress, what stops the close,
    what is left to carry over. No metrics, no forms."""
    sprint = selectors.current_sprint(company)
    actions = selectors.sprint_actions(sprint) if sprint else []
    testing = selectors.hypotheses_under_test(company)
    review = selectors.session_review(sprint)
    kept = {h.pk for h in review.kept_in_test.all()} if review else set()
    return {
        "company": company,
        "sprint": sprint,
        "logged": sum(1 for a in actions if a.is_resolved),
        "total": len(actions),
        "closing_problems": _closing(sprint, actions, testing, kept),
        "unfinished": _unfinished(actions),
        "upcoming": selectors.next_sprint(company, sprint),
        **_session_rights(membership),
    }


def _session_after_post(request, company, membership, **overrides):
    context = _session_context(company, membership, **overrides)
    if request.htmx:
        return render(request, "sprints/session.html#session", context)
    if overrides:  # a refusal or a form with errors: the page says so
        return render(request, "sprints/session.html", context)
    return redirect(reverse("sprints:session", args=[company.pk]) + f"#step-{context['step']}")


def _session_sprint(company):
    sprint = selectors.current_sprint(company)
    if sprint is None:
        raise Http404(_("There is no active sprint to review."))
    return sprint


@require_GET
def session(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    if request.htmx and request.GET.get("fragment") == "counters":
        return render(request, "sprints/session.html#counters", _counters_context(company, membership))
    return render(request, "sprints/session.html", _session_context(company, membership))


@require_POST
def session_step(request, company_id: int):
    """Begin the session (the sprint goes into review) or move to a step."""
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = _session_sprint(company)
    try:
        steps.session_go_to(sprint=sprint, by=membership, step=request.POST.get("step"))
    except ValidationError as error:
        return _session_after_post(request, company, membership, error=error_text(error))
    return _session_after_post(request, company, membership)


@require_POST
def session_verdict(request, company_id: int, hypothesis_id: int):
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
            return _session_after_post(request, company, membership)
    return _session_after_post(request, company, membership, verdict_forms={hypothesis.pk: form})


@require_POST
def session_constraint(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = _session_sprint(company)
    answer = request.POST.get("still_main")
    if answer not in ("yes", "no"):
        return _session_after_post(request, company, membership, error=_("Answer yes or no."))
    steps.session_constraint(sprint=sprint, by=membership, still_main=answer == "yes")
    if answer == "no" and not request.htmx:
        return redirect("tracking:constraint_new", company_id=company.pk)
    return _session_after_post(request, company, membership)


@require_POST
def session_plan(request, company_id: int):
    """Plan the next sprint (default dates) and carry the chosen unfinished actions into it."""
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = _session_sprint(company)
    carry = ids_param(request.POST.getlist("carry"))
    try:
        steps.session_plan(sprint=sprint, by=membership, carry=carry)
    except ValidationError as error:
        return _session_after_post(request, company, membership, error=error_text(error))
    return _session_after_post(request, company, membership)


@require_POST
def session_close(request, company_id: int):
    """Close the reviewed sprint with the review's notes and, if asked, start the next one."""
    company, membership = access_company(request.user, company_id, action=Permission.CLOSE_SPRINT)
    sprint = _session_sprint(company)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _session_after_post(request, company, membership, close_form=form)
    try:
        closed = steps.session_close(sprint=sprint, by=membership, **form.cleaned_data)
    except ValidationError as error:
        return _session_after_post(request, company, membership, error=error_text(error), close_form=form)
    messages.success(request, _("%(sprint)s is closed.") % {"sprint": sprint})
    if closed.not_started:
        why = error_text(closed.not_started)
        messages.error(request, _("The next sprint is not started: %(why)s") % {"why": why})
    elif closed.upcoming:
        messages.success(request, _("%(sprint)s has started.") % {"sprint": closed.upcoming})
    target = reverse("sprints:board", args=[company.pk, closed.upcoming.pk]) if closed.upcoming else None
    target = target or reverse("sprints:list", args=[company.pk])
    return HttpResponseClientRedirect(target) if request.htmx else redirect(target)
