"""Screen 5: the sprints of a business and a sprint's planning board (actions, capacity)."""

import re
from collections import OrderedDict
from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from tracking.access import access_company, access_company_team, member_page
from tracking.form_errors import apply_errors, error_text
from tracking.form_flow import attempt, done, submit
from tracking.query_params import int_param, text_param
from tracking.roles import Permission, role_allows

from .. import board_rows, schedule, selectors, services, session_page, starting
from ..access import access_action, access_sprint
from ..capacity import PAST_HOURS, capacity_problems, sprint_capacity
from ..forms import ActionForm, SprintForm, StartForm
from ..models import Action, SprintStatus
from .results import dressed, joined_rows, row_urls, status_labels
from .session import PLAN_CHANGED

PICKER_FIELD = re.compile(r"(a\d{1,12}-)?hypothesis")

# --- Sprints -----------------------------------------------------------------------------------

# Beyond this a search offers nothing: nobody pages through a million hypotheses.
MAX_OFFSET = 1_000_000


def _sprints_page(request, company, membership, form=None):
    sprints = selectors.sprints_of(company)
    last = max((s.ends_on for s in sprints), default=None)
    start, end = schedule.default_dates(company, after=last)
    focus = company.constraints.filter(status="active").values_list("pk", flat=True).first()
    context = {
        "company": company,
        "membership": membership,
        "sprints": sprints,
        "form": form or SprintForm(company=company, initial={"starts_on": start, "ends_on": end, "focus": focus}),
        "can_plan": role_allows(membership.role, Permission.PLAN_SPRINT),
    }
    waiting = starting.waiting_sprint(company, sprints)
    if waiting is not None:  # nothing runs: the planned sprint waits to be started, from here too
        problems = capacity_problems(waiting)
        context |= starting.start_context(membership, waiting, where="list", problems=problems)
    return render(request, "sprints/list.html", context)


sprint_list = member_page(_sprints_page)


@require_POST
def sprint_new(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    form = SprintForm(request.POST, company=company)
    if sprint := submit(form, partial(services.sprint_plan, by=membership)):
        planned = _("%(sprint)s is planned. Add its actions.") % {"sprint": sprint}
        return done(request, planned, "sprints:board", company.pk, sprint.pk)
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
    """Start a planned sprint from its board, the sprint list, the session page or the portfolio
    (`from`): started, back to that page; refused, the reason why, with what was typed."""
    company, membership = access_company(request.user, company_id, action=Permission.START_SPRINT)
    sprint = access_sprint(company, sprint_id)
    where = starting.came_from(request.POST)
    form = StartForm(request.POST)
    if not form.is_valid():
        return _start_refused(request, company, membership, sprint, where, error_text(ValidationError(form.errors)))
    try:
        services.sprint_start(sprint=sprint, by=membership, override_reason=form.cleaned_data["override_reason"])
    except ValidationError as error:
        return _start_refused(request, company, membership, sprint, where, error_text(error))
    messages.success(request, _("%(sprint)s has started.") % {"sprint": sprint})
    back = starting.back_url(where, sprint)
    return HttpResponseClientRedirect(back) if request.htmx else redirect(back)


def _start_refused(request, company, membership, sprint, where, error):
    """htmx: the start form again in place, saying why, with the reason as typed. A plain post:
    the session page when it came from there, else the sprint's board (where it can be fixed)."""
    reason = request.POST.get("override_reason", "")
    if request.htmx:
        context = starting.start_context(membership, sprint, where=where, error=error, reason=reason)
        return render(request, "sprints/_start_planned.html", context)
    if where == "session":
        context = session_page.session_context(company, membership, start_error=error, start_reason=reason)
        return render(request, "sprints/session.html", context)
    return _board_response(request, company, membership, sprint, start_error=error, start_reason=reason)


@require_POST
def sprint_delete(request, company_id: int, sprint_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    sprint = access_sprint(company, sprint_id)
    if not attempt(request, partial(services.sprint_archive, sprint=sprint, by=membership)):
        return redirect("sprints:board", company_id=company.pk, sprint_id=sprint.pk)
    return done(request, _("%(sprint)s is deleted.") % {"sprint": sprint}, "sprints:list", company.pk)


# --- The planning board ------------------------------------------------------------------------
# Rows are text until edited: "Edit" fetches one row's form (htmx) or opens the board with that
# row's form (a plain link); a save answers with the row as text and the capacity card.


def _row_form(company, action, members=None) -> ActionForm:
    initial = {
        "title": action.title,
        "owner": action.owner_id,
        "estimate_hours": action.estimate_hours,
        "cost": action.cost,
        "hypothesis": action.hypothesis,
        "version": action.version,
    }
    form = ActionForm(company=company, members=members, prefix=f"a{action.pk}", initial=initial)
    form.fields["title"].widget.attrs["autofocus"] = True
    return form


def _can_plan(membership, sprint) -> bool:
    return role_allows(membership.role, Permission.PLAN_SPRINT) and sprint.status != SprintStatus.CLOSED


def _page_links(company, sprint) -> dict:
    """The URLs every row needs, built once per page: rows append their own id."""
    return {
        "urls": row_urls(company),
        "board_url": reverse("sprints:board", args=[company.pk, sprint.pk]),
        "search_url": reverse("sprints:hypothesis_search", args=[company.pk]),
        "status_labels": status_labels(),
    }


# The empty add form's fields as HTML, by (business, language, its owners): the same for every
# view of a board until a member joins, leaves or is renamed, and a tenth of a board's cost.
# With them, what board.html reads of the empty form besides (no errors; the picker's field
# name, label and no choice), so a board does not build an ActionForm to show an empty one.
_ADD_FIELDS: OrderedDict = OrderedDict()
ADD_FIELDS_KEPT = 256


def _add_fields(company, members) -> tuple[str, dict]:
    key = (company.pk, get_language(), tuple((m.pk, m.name) for m in members))
    kept = _ADD_FIELDS.get(key)
    if kept is None:
        form = ActionForm(company=company, members=members)
        picker = form["hypothesis"]
        empty = {
            "non_field_errors": form.non_field_errors(),
            "hypothesis": {"html_name": picker.html_name, "label": str(picker.label), "errors": picker.errors},
            "chosen_hypothesis": form.chosen_hypothesis(),
        }
        kept = _ADD_FIELDS[key] = (render_to_string("sprints/_action_fields.html", {"form": form}), empty)
        while len(_ADD_FIELDS) > ADD_FIELDS_KEPT:
            _ADD_FIELDS.pop(next(iter(_ADD_FIELDS)), None)
    return kept


CHOOSE = "choose=hypothesis"  # the board with the hypotheses' plain select, without JavaScript


def _board_context(
    company,
    membership,
    sprint,
    *,
    add_form=None,
    editing=None,
    start_error=None,
    start_reason="",
    board_error=None,
    fallback=True,
    members=None,
):
    """The board. `fallback`: the hypotheses' plain select for a page without JavaScript (a
    row's form, a refused post); a page that did not ask for it links to it instead. `members`:
    the company's, when the caller read them with its access check."""
    members = members if members is not None else selectors.members(company)
    links = _page_links(company, sprint)
    actions = dressed(selectors.row_actions(sprint), company, links["urls"], links["status_labels"])
    editing = editing or {}
    for action in actions:
        action.form = editing.get(action.pk)
    add_fields, empty_form = (None, None) if add_form else _add_fields(company, members)
    return {
        "company": company,
        "membership": membership,
        "sprint": sprint,
        "actions": actions,
        "capacity": sprint_capacity(sprint, actions, members=members),
        "add_form": add_form or empty_form,
        "add_fields": add_fields,
        "hypothesis_fallback": selectors.hypothesis_fallback_titles(company) if fallback else None,
        "choose_url": None if fallback else f"?{CHOOSE}#add",
        "start_error": start_error,
        "start_reason": start_reason,
        "board_error": board_error,
        "can_plan": _can_plan(membership, sprint),
        "can_start": role_allows(membership.role, Permission.START_SPRINT) and sprint.status == SprintStatus.PLANNED,
        "can_override": role_allows(membership.role, Permission.OVERRIDE_CAPACITY),
        **links,
    }


def _board_response(request, company, membership, sprint, **overrides):
    # htmx answers: JavaScript is on, the picker searches.
    context = _board_context(company, membership, sprint, fallback=not request.htmx, **overrides)
    _rows_text(request, context)
    if request.htmx:
        return render(request, "sprints/board.html#plan", context)
    return render(request, "sprints/board.html", context)


def _rows_text(request, context) -> dict:
    """The rows not being edited as text, made in one pass (sprints/board_rows.py)."""
    planned = context["sprint"].status == SprintStatus.PLANNED
    board_rows.dress(request, context["actions"], can_plan=context["can_plan"], planned=planned)
    context["joined"] = joined_rows(context["actions"])
    return context


def _board_saved(request, company, membership, sprint, members=None):
    """After a change on the board: the board again (htmx), or back to it (a plain post)."""
    if request.htmx:
        return _board_response(request, company, membership, sprint, members=members)
    return redirect(reverse("sprints:board", args=[company.pk, sprint.pk]) + "#plan")


def _board_refused(request, company, membership, sprint, form, error, **overrides):
    """A refusal about a field goes next to it; one about the sprint is said above the board."""
    if hasattr(error, "error_dict"):
        apply_errors(form, error)
        return _board_response(request, company, membership, sprint, **overrides)
    return _board_response(request, company, membership, sprint, board_error=error_text(error), **overrides)


def _row_response(request, company, membership, action, *, form=None, saved=False, board_error=None):
    """One board row: htmx gets the row alone (text, or its form); a plain request gets the
    board with that row's form open. A saved row says `plan-changed`, on which the capacity
    card fetches itself (board ?fragment=capacity)."""
    if not request.htmx:
        editing = {action.pk: form} if form else {}
        return _board_response(request, company, membership, action.sprint, editing=editing, board_error=board_error)
    sprint = action.sprint
    links = _page_links(company, sprint)
    # A saved action comes from the service with its owner and hypothesis as chosen in the form;
    # only the sprint it was carried over from is read again.
    light = selectors.as_row(action) if saved and action.carried_over_from_id is None else None
    row = dressed([light or selectors.board_row(action.pk)], company, links["urls"], links["status_labels"])[0]
    row.form = form
    context = {"company": company, "membership": membership, "sprint": sprint, "a": row, "saved": saved}
    context |= {"can_plan": _can_plan(membership, sprint), **links}
    if form is not None:
        context["hypothesis_fallback"] = None  # JavaScript is on: the picker searches
    board_rows.dress(request, [row], can_plan=context["can_plan"], planned=sprint.status == "planned", saved=saved)
    response = render(request, "sprints/board.html#action_row", context)
    return trigger_client_event(response, PLAN_CHANGED) if saved else response


def _capacity_context(company, membership, sprint) -> dict:
    return {
        "company": company,
        "sprint": sprint,
        "capacity": sprint_capacity(sprint, selectors.capacity_rows(sprint)),
        "can_start": role_allows(membership.role, Permission.START_SPRINT) and sprint.status == SprintStatus.PLANNED,
        "can_override": role_allows(membership.role, Permission.OVERRIDE_CAPACITY),
        "board_url": reverse("sprints:board", args=[company.pk, sprint.pk]),
    }


def _stale_note(form, stale: services.StaleAction, prefix: str) -> None:
    """Say what the other person saved, and let the next save go over their version."""
    now = _("Now: “%(title)s”, %(hours)s h.") % {"title": stale.current.title, "hours": stale.current.estimate_hours}
    form.add_error(None, stale.messages[0] + " " + now)
    form.data = form.data.copy()
    form.data[f"{prefix}-version"] = stale.current.version


@require_GET
def board(request, company_id: int, sprint_id: int):
    if request.htmx and request.GET.get("fragment") == "capacity":
        company, membership = access_company(request.user, company_id)
        sprint = access_sprint(company, sprint_id)
        return render(request, "sprints/_capacity_card.html", _capacity_context(company, membership, sprint))
    company, membership, members = access_company_team(request.user, company_id, beside=PAST_HOURS)
    sprint = access_sprint(company, sprint_id)
    context = _board_context(company, membership, sprint, fallback=request.GET.urlencode() == CHOOSE, members=members)
    return render(request, "sprints/board.html", _rows_text(request, context))


@require_GET
def action_form(request, company_id: int, action_id: int):
    """One row's form: a planner gets it, anyone else the row as text."""
    company, membership = access_company(request.user, company_id)
    action = access_action(company, action_id)
    form = _row_form(company, action) if _can_plan(membership, action.sprint) else None
    return _row_response(request, company, membership, action, form=form)


@require_GET
def action_row(request, company_id: int, action_id: int):
    """One row as text (what "Cancel" brings back)."""
    company, membership = access_company(request.user, company_id)
    action = access_action(company, action_id)
    return _row_response(request, company, membership, action)


@require_POST
def action_add(request, company_id: int, sprint_id: int):
    company, membership, members = access_company_team(
        request.user, company_id, action=Permission.PLAN_SPRINT, beside=PAST_HOURS
    )
    sprint = access_sprint(company, sprint_id)
    form = ActionForm(request.POST, company=company, members=members)
    if not form.is_valid():
        return _board_response(request, company, membership, sprint, add_form=form, members=members)
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        services.action_add(sprint=sprint, by=membership, **data)
    except ValidationError as error:
        return _board_refused(request, company, membership, sprint, form, error, add_form=form, members=members)
    return _board_saved(request, company, membership, sprint, members)  # with a fresh form for the next action


def _edit(action, membership, form) -> tuple[Action | None, str]:
    """Save a valid row form through the service: (the saved action, ""). Refused: (None, what
    is said about the sprint as a whole, "" if nothing), the refusal on the form."""
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    try:
        saved = services.action_update(
            action=action, by=membership, expected_version=form.cleaned_data["version"], **data
        )
    except services.StaleAction as stale:
        _stale_note(form, stale, prefix=f"a{action.pk}")
        return None, ""
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            apply_errors(form, error)
            return None, ""
        form.add_error(None, error_text(error))
        return None, error_text(error)
    return saved, ""


@require_POST
def action_edit(request, company_id: int, action_id: int):
    company, membership, members = access_company_team(request.user, company_id, action=Permission.PLAN_SPRINT)
    action = access_action(company, action_id)
    form = ActionForm(request.POST, company=company, members=members, prefix=f"a{action.pk}")
    saved, refusal = _edit(action, membership, form) if form.is_valid() else (None, "")
    if saved is None:
        return _row_response(request, company, membership, action, form=form, board_error=refusal or None)
    if request.htmx:
        return _row_response(request, company, membership, saved, saved=True)
    return redirect(reverse("sprints:board", args=[company.pk, action.sprint_id]) + f"#action-{action.pk}")


@require_POST
def action_delete(request, company_id: int, action_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.PLAN_SPRINT)
    action = access_action(company, action_id)
    attempt(request, partial(services.action_delete, action=action, by=membership))
    if request.htmx:
        return _board_response(request, company, membership, action.sprint)
    return redirect(reverse("sprints:board", args=[company.pk, action.sprint_id]) + "#plan")


@require_GET
def hypothesis_search(request, company_id: int):
    """The "tests the hypothesis" field: up to ten open hypotheses matching what was typed
    (the active constraint's first, "load more" for the next ten), or, with `pick`, the field
    with that hypothesis chosen."""
    company, _membership = access_company(request.user, company_id)
    field = request.GET.get("field", "")
    field = field if PICKER_FIELD.fullmatch(field) else "hypothesis"
    search_url = reverse("sprints:hypothesis_search", args=[company.pk])
    context = {"company": company, "field": field, "search_url": search_url}
    if "pick" in request.GET:
        pick = int_param(request.GET["pick"], minimum=1)
        chosen = selectors.open_hypothesis(company, pick) if pick else None
        if request.GET["pick"] and chosen is None:
            raise Http404(_("No such hypothesis."))
        return render(request, "sprints/_hypothesis_picker.html", {**context, "chosen": chosen, "name": field})
    query = text_param(request.GET.get("q"))
    offset = int_param(request.GET.get("offset"), default=0, maximum=MAX_OFFSET)
    options, more = selectors.hypothesis_search(company, query=query, offset=offset)
    context |= {"options": options, "more": more, "q": query, "offset": offset, "next_offset": offset + len(options)}
    return render(request, "sprints/_hypothesis_options.html", context)
