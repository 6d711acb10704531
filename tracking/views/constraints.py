"""Screen 3, the company page: the main constraint with its why-chain, naming, editing and
replacing it, and its history."""

from functools import cache, partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors, services
from ..access import access_company, access_constraint, access_why_step
from ..form_errors import apply_errors, error_text
from ..form_flow import done, submit
from ..forms import (
    ConstraintForm,
    ConstraintReplaceForm,
    WhyStepForm,
)
from ..goal_rows import GoalTree
from ..roles import Permission, role_allows
from ..weeks import local_today
from ..why_rows import WhyRows

# --- The company page and its why-chain partial ---------------------------------------------


def _why_rows(request, company, membership) -> WhyRows:
    """The presenter of the chain's steps for this answer: the business page's URL and the start
    of its steps' are reversed once, not per step and button."""
    page = reverse("tracking:company_detail", args=[company.pk])
    steps = reverse("tracking:why_edit", args=[company.pk, 0]).removesuffix("0/")
    return WhyRows(request, page, steps, can_edit=role_allows(membership.role, Permission.EDIT_PLANNING))


def _step_form(step):
    return WhyStepForm(initial={"answer": step.answer}, prefix=f"s{step.pk}")


def _edit_step(request):
    """The step asked for with its form (`?edit_step=<pk>`): the others are text until edited."""
    value = request.GET.get("edit_step", "")
    return int(value) if value.isdigit() else None


def _chain_context(
    request,
    company,
    membership,
    constraint,
    *,
    steps=None,
    add_form=None,
    edit_forms=None,
    edit_step=None,
    chain_error=None,
):
    """`steps`: the constraint's why-steps when the caller read them with it."""
    steps = selectors.why_chain(constraint) if steps is None else steps
    edit_forms = edit_forms or {}
    rows = _why_rows(request, company, membership)
    for n, step in enumerate(steps, 1):
        form = edit_forms.get(step.pk) or (_step_form(step) if step.pk == edit_step else None)
        rows.place(step, n, len(steps), form)
    return {
        "company": company,
        "can_edit": rows.can_edit,
        "page_url": rows.page_url,
        "membership": membership,
        "constraint": constraint,
        "steps": steps,
        "why_form": add_form or WhyStepForm(),
        "empty_why_field": None if add_form else _empty_why_field(get_language()),
        "chain_error": chain_error,
    }


@cache
def _empty_why_field(language: str) -> str:
    """The empty "Why?" field: the same on every view in a language, so drawn once."""
    return str(WhyStepForm()["answer"])


def _company_page(request, company, membership, extras, *, constraint_form=None, status=200, **chain_overrides):
    """The business page. `extras`: what the apps above add to it, asked of the business
    (its flags, the markers of its key metric's chart), passed in by the project's urls.py."""
    constraint, steps = selectors.active_constraint_and_chain(company)
    key, series = selectors.key_metric_and_series(company)
    above = extras(company)
    can_edit = role_allows(membership.role, Permission.EDIT_PLANNING)
    context = {
        **_chain_context(request, company, membership, constraint, steps=steps, **chain_overrides),
        "next_review": selectors.next_review_at(company),
        "key_metric": key,
        "key_chart": selectors.metric_chart(key, markers=above["markers"], series=series) if key else None,
        "goals": GoalTree().html(selectors.goal_tree(company, current_on=local_today(company))),
        "flags": above["flags"],  # e.g. "busy, not moving"
        # Text until edited: the form only when asked for (`?edit=constraint`) or refused.
        "constraint_form": constraint_form
        or (
            ConstraintForm(initial={"title": constraint.title, "area": constraint.area})
            if constraint and request.GET.get("edit") == "constraint" and can_edit
            else None
        ),
    }
    return render(request, "tracking/company_detail.html", context, status=status)


@require_GET
def company_detail(request, company_id: int, *, extras):
    company, membership = access_company(request.user, company_id)
    edit_step = _edit_step(request) if role_allows(membership.role, Permission.EDIT_PLANNING) else None
    if request.htmx and edit_step is not None:
        step = access_why_step(company, edit_step)
        return _step_answer(request, company, membership, step, _step_form(step))
    return _company_page(request, company, membership, extras, edit_step=edit_step)


def _chain_response(request, company, membership, constraint_id, extras, **overrides):
    """htmx: the why-chain partial; a plain post: back to the company page (or the page
    with the typed text and the error, when something was refused)."""
    if request.htmx:
        constraint = selectors.active_constraint(company)
        if constraint is None or constraint.pk != constraint_id:
            constraint = access_constraint(company, constraint_id)
        context = _chain_context(request, company, membership, constraint, **overrides)
        return render(request, "tracking/company_detail.html#why-chain", context)
    if overrides:
        if overrides.get("chain_error"):
            messages.error(request, overrides["chain_error"])
        return _company_page(request, company, membership, extras, **overrides)
    return redirect(reverse("tracking:company_detail", args=[company.pk]) + "#why-chain")


@require_POST
def why_add(request, company_id: int, constraint_id: int, *, extras):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    constraint = access_constraint(company, constraint_id)
    form = WhyStepForm(request.POST)
    if form.is_valid():
        try:
            services.why_step_add(constraint=constraint, by=membership, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            return _chain_response(
                request, company, membership, constraint.pk, extras, add_form=form, chain_error=error_text(error)
            )
        return _chain_response(request, company, membership, constraint.pk, extras)
    return _chain_response(request, company, membership, constraint.pk, extras, add_form=form)


@require_POST
def why_edit(request, company_id: int, step_id: int, *, extras):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    step = access_why_step(company, step_id)
    form = WhyStepForm(request.POST, prefix=f"s{step.pk}")
    if request.htmx:
        return _step_saved(request, company, membership, step, form)
    if form.is_valid():
        try:
            services.why_step_update(step=step, by=membership, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            return _chain_response(
                request,
                company,
                membership,
                step.constraint_id,
                extras,
                edit_forms={step.pk: form},
                chain_error=error_text(error),
            )
        return _chain_response(request, company, membership, step.constraint_id, extras)
    return _chain_response(request, company, membership, step.constraint_id, extras, edit_forms={step.pk: form})


def _step_saved(request, company, membership, step, form):
    """htmx: the step's answer saved, answered with that step alone (its place in the chain in
    one query): "Saved", or its form with what was typed and why it was refused."""
    saved = form.is_valid()
    if saved:
        try:
            step = services.why_step_update(step=step, by=membership, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            apply_errors(form, error)
            saved = False
    return _step_answer(request, company, membership, step, None if saved else form, saved=saved)


def _step_answer(request, company, membership, step, form, *, saved=False):
    """htmx: one step alone, its place in the chain from one count query; with `form`, open for
    editing (asked for by its "Edit", or refused with what was typed), else its text."""
    place = step.constraint.why_steps.aggregate(
        before=Count("pk", filter=Q(position__lt=step.position) | Q(position=step.position, pk__lt=step.pk)),
        after=Count("pk", filter=Q(position__gt=step.position) | Q(position=step.position, pk__gt=step.pk)),
    )
    rows = _why_rows(request, company, membership)
    rows.place(step, place["before"] + 1, place["before"] + place["after"] + 1, form, saved=saved)
    context = {"company": company, "page_url": rows.page_url, "step": step, "can_edit": rows.can_edit}
    return render(request, "tracking/company_detail.html#why-step", context)


@require_POST
def why_move(request, company_id: int, step_id: int, *, extras):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    step = access_why_step(company, step_id)
    direction = request.POST.get("direction")
    offset = {"up": -1, "down": 1}.get(direction)
    if offset is None:
        return _chain_response(
            request, company, membership, step.constraint_id, extras, chain_error=_("Choose up or down.")
        )
    move = partial(services.why_step_move, step=step, by=membership, to_position=step.position + offset)
    return _chain_write(request, company, membership, step, extras, move)


def _chain_write(request, company, membership, step, extras, write):
    """A change of the chain that has no form: the chain again, saying why when refused."""
    try:
        write()
    except ValidationError as error:
        return _chain_response(request, company, membership, step.constraint_id, extras, chain_error=error_text(error))
    return _chain_response(request, company, membership, step.constraint_id, extras)


def _step_button(request, company_id, step_id, extras, service):
    """A step's button that needs no input: `service(step=, by=)`, answered with the chain."""
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    step = access_why_step(company, step_id)
    return _chain_write(request, company, membership, step, extras, partial(service, step=step, by=membership))


@require_POST
def why_delete(request, company_id: int, step_id: int, *, extras):
    return _step_button(request, company_id, step_id, extras, services.why_step_delete)


@require_POST
def why_root(request, company_id: int, step_id: int, *, extras):
    return _step_button(request, company_id, step_id, extras, services.why_step_mark_root_cause)


# --- Naming, editing and replacing the constraint ----------------------------------------------


def _replace_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "area": data["area"],
        "previous_outcome": data["previous_outcome"] or "resolved",
        "previous_note": data["previous_note"],
        "expected_previous_id": data["expected_previous"],
    }


@require_http_methods(["GET", "POST"])
def constraint_new(request, company_id: int):
    unsafe = request.method == "POST"
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING if unsafe else None)
    current = selectors.active_constraint(company)
    form = ConstraintReplaceForm(request.POST or None, initial={"expected_previous": current.pk if current else None})
    replace = partial(services.constraint_replace, by=membership)
    if unsafe and submit(form, replace, fields=_replace_fields):
        named = _("The main constraint is named. Now ask “why?” until the answer is actionable.")
        return done(request, named, reverse("tracking:company_detail", args=[company.pk]) + "#why-chain")
    context = {
        "company": company,
        "membership": membership,
        "current": current,
        "form": form,
        "can_edit": role_allows(membership.role, Permission.EDIT_PLANNING),
    }
    return render(request, "tracking/constraint_new.html", context)


@require_POST
def constraint_edit(request, company_id: int, constraint_id: int, *, extras):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    constraint = access_constraint(company, constraint_id)
    form = ConstraintForm(request.POST)
    if submit(form, partial(services.constraint_update, constraint=constraint, by=membership)):
        return done(request, _("The constraint is saved."), "tracking:company_detail", company.pk)
    return _company_page(request, company, membership, extras, constraint_form=form)


@require_GET
def constraint_history(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    timeline = selectors.constraint_timeline(company)
    active = next((c for c in timeline if c.is_active), None)
    context = {
        "company": company,
        "membership": membership,
        "timeline": timeline,
        "events": selectors.constraint_events(active) if active else [],
    }
    return render(request, "tracking/constraint_history.html", context)
