"""Screen 3, goals: the goal tree (year → quarter → month), adding, editing, deleting."""

from functools import partial

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import selectors, services
from ..access import access_company, access_goal, member_page
from ..form_flow import done, submit
from ..forms import (
    GoalForm,
)
from ..goal_rows import GoalTree, goal_edit_url
from ..roles import Permission, role_allows


def _goals_page(request, company, membership, *, form=None, editing=None):
    can_edit = role_allows(membership.role, Permission.EDIT_PLANNING)
    context = {
        "company": company,
        "membership": membership,
        "goals": GoalTree(goal_edit_url(company.pk) if can_edit else "").html(selectors.goal_tree(company)),
        "form": form or GoalForm(company=company),
        "editing": editing,
        "can_edit": can_edit,
    }
    return render(request, "tracking/goals.html", context)


goals = member_page(_goals_page)


@require_POST
def goal_add(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    form = GoalForm(request.POST, company=company)
    if submit(form, partial(services.goal_create, by=membership)):
        return done(request, _("The goal is added."), "tracking:goals", company_id=company.pk)
    return _goals_page(request, company, membership, form=form)


@require_http_methods(["GET", "POST"])
def goal_edit(request, company_id: int, goal_id: int):
    unsafe = request.method == "POST"
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING if unsafe else None)
    goal = access_goal(company, goal_id)
    form = GoalForm(request.POST or None, company=company, instance=None if unsafe else goal)
    if unsafe and submit(form, partial(services.goal_update, goal=goal, by=membership)):
        return done(request, _("The goal is saved."), "tracking:goals", company_id=company.pk)
    return _goals_page(request, company, membership, form=form, editing=goal)


@require_POST
def goal_delete(request, company_id: int, goal_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    goal = access_goal(company, goal_id)
    services.goal_delete(goal=goal, by=membership)
    return done(
        request,
        _("The goal “%(title)s” and its sub-goals are deleted.") % {"title": goal.title},
        "tracking:goals",
        company.pk,
    )
