"""Screen 5: the sprints of a business and a sprint's planning board (actions, capacity)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tracking.access import access_company
from tracking.form_errors import apply_errors, error_text
from tracking.roles import Permission, role_allows

from .. import selectors, services
from ..access import access_action, access_sprint
from ..capacity import sprint_capacity
from ..forms import ActionForm, SprintForm, StartForm
from ..models import SprintStatus

# --- Sprints -----------------------------------------------------------------------------------


def _sprints_page(request, company, membership, form=None):
    sprints = selectors.sprints_of(company)
    last = max((s.ends_on for s in sprints), default=None)
    start, end = services.default_dates(company, after=last)
    focus = company.constraints.filter(status="active").values_list("pk", flat=True).first()
    context = {
        "company": company,
        "membership": membership,
        "sprints": sprints,
        "form": form or SprintForm(company=company, initial={"starts_on": start, "ends_on": end, "focus": focus}),
        "can_plan": role_allows(membership.role, Permission.PLAN_SPRINT),
    }
    return render(request, "sprints/list.html", context)


@require_GET
def sprint_list(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    return _sprints_page(request, company, membership)


@require_POST
def sprint_new(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
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


@require_POST
def sprint_edit(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
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
    company, membership = access_company(request.user, company_id, action=Permission.START_SPRINT)
    sprint = access_sprint(company, sprint_id)
    form = StartForm(request.POST)
    form.is_valid()
    reason = form.cleaned_data.get("override_reason", "")
    try:
        services.sprint_start(sprint=sprint, by=membership, override_reason=reason)
    except ValidationError as error:
        return _board_response(request, company, membership, sprint, start_error=error_text(error))
    messages.success(request, _("%(sprint)s has started.") % {"sprint": sprint})
    return redirect("sprints:board", company_id=company.pk, sprint_id=sprint.pk)


@require_POST
def sprint_delete(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = access_sprint(company, sprint_id)
    try:
        services.sprint_archive(sprint=sprint, by=membership)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("sprints:board", company_id=company.pk, sprint_id=sprint.pk)
    messages.success(request, _("%(sprint)s is deleted.") % {"sprint": sprint})
    return redirect("sprints:list", company_id=company.pk)


# --- The planning board ------------------------------------------------------------------------


def _row_form(company, members, hypotheses, action) -> ActionForm:
    initial = {
        "title": action.title,
        "owner": action.owner_id,
        "estimate_hours": action.estimate_hours,
        "cost": action.cost,
        "hypothesis": action.hypothesis_id,
        "version": action.version,
    }
    return ActionForm(company=company, members=members, hypotheses=hypotheses, prefix=f"a{action.pk}", initial=initial)


def _board_context(company, membership, sprint, *, add_form=None, row_forms=None, start_error=None, board_error=None):
    members = selectors.members(company)
    hypotheses = selectors.open_hypotheses(company)
    actions = selectors.sprint_actions(sprint)
    row_forms = row_forms or {}
    for action in actions:
        action.form = row_forms.get(action.pk) or _row_form(company, members, hypotheses, action)
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
        "can_plan": role_allows(membership.role, Permission.PLAN_SPRINT) and sprint.status != SprintStatus.CLOSED,
        "can_start": role_allows(membership.role, Permission.START_SPRINT) and sprint.status == SprintStatus.PLANNED,
        "can_override": role_allows(membership.role, Permission.OVERRIDE_CAPACITY),
    }


def _board_response(request, company, membership, sprint, **overrides):
    context = _board_context(company, membership, sprint, **overrides)
    if request.htmx:
        return render(request, "sprints/board.html#plan", context)
    return render(request, "sprints/board.html", context)


def _board_saved(request, company, membership, sprint):
    """After a change on the board: the board again (htmx), or back to it (a plain post)."""
    if request.htmx:
        return _board_response(request, company, membership, sprint)
    return redirect(reverse("sprints:board", args=[company.pk, sprint.pk]) + "#plan")


def _board_refused(request, company, membership, sprint, form, error, **overrides):
    """A refusal about a field goes next to it; one about the sprint is said above the board."""
    if hasattr(error, "error_dict"):
        apply_errors(form, error)
        return _board_response(request, company, membership, sprint, **overrides)
    return _board_response(request, company, membership, sprint, board_error=error_text(error), **overrides)


def _stale_note(form, stale: services.StaleAction, prefix: str) -> None:
    """Say what the other person saved, and let the next save go over their version."""
    now = _("Now: “%(title)s”, %(hours)s h.") % {"title": stale.current.title, "hours": stale.current.estimate_hours}
    form.add_error(None, stale.messages[0] + " " + now)
    form.data = form.data.copy()
    form.data[f"{prefix}-version"] = stale.current.version


@require_GET
def board(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id)
    sprint = access_sprint(company, sprint_id)
    return render(request, "sprints/board.html", _board_context(company, membership, sprint))


@require_POST
def action_add(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = access_sprint(company, sprint_id)
    form = ActionForm(request.POST, company=company)
    if not form.is_valid():
        return _board_response(request, company, membership, sprint, add_form=form)
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.action_add(sprint=sprint, by=membership, **data)
    except ValidationError as error:
        return _board_refused(request, company, membership, sprint, form, error, add_form=form)
    return _board_saved(request, company, membership, sprint)  # with a fresh form for the next action


@require_POST
def action_edit(request, company_id: int, action_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    action = access_action(company, action_id)
    form = ActionForm(request.POST, company=company, prefix=f"a{action.pk}")
    row = {"row_forms": {action.pk: form}}
    if not form.is_valid():
        return _board_response(request, company, membership, action.sprint, **row)
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.action_update(action=action, by=membership, expected_version=form.cleaned_data["version"], **data)
    except services.StaleAction as stale:
        _stale_note(form, stale, prefix=f"a{action.pk}")
        return _board_response(request, company, membership, action.sprint, **row)
    except ValidationError as error:
        return _board_refused(request, company, membership, action.sprint, form, error, **row)
    return _board_saved(request, company, membership, action.sprint)


@require_POST
def action_delete(request, company_id: int, action_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    action = access_action(company, action_id)
    try:
        services.action_delete(action=action, by=membership)
    except ValidationError as error:
        messages.error(request, error_text(error))
    if request.htmx:
        return _board_response(request, company, membership, action.sprint)
    return redirect(reverse("sprints:board", args=[company.pk, action.sprint_id]) + "#plan")
