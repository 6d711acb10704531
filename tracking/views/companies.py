import copy
from functools import partial

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors, services
from ..access import access_company, access_company_member, access_invitation
from ..form_flow import attempt, done, submit
from ..forms import (
    CompanyCreateForm,
    CompanyForm,
    MemberAddForm,
    MembershipForm,
    timezone_names,
)
from ..portfolio import portfolio_for_user
from ..query_params import int_param
from ..roles import Permission, role_allows

# --- Portfolio and companies -------------------------------------------------------------


MAX_PAGE = 100_000  # far past any portfolio, far below an OFFSET the database refuses


def _page_number(request) -> int:
    # Past the last page shows an empty one; a number too large to count rows by is the first.
    return int_param(request.GET.get("page"), default=1, minimum=1, maximum=MAX_PAGE)


def _portfolio_cards(request, number: int, cards) -> dict:
    page = portfolio_for_user(request.user, page=number)
    return {"page": page, "cards": cards(request, page.rows)}


@require_GET
def portfolio(request, *, cards):
    """`cards`: what makes the cards from every app's part (passed in by the project's urls.py)."""
    number = _page_number(request)
    if request.htmx and number > 1:
        # "Show more": the next cards and the next "show more", in place of the old one.
        return render(request, "tracking/portfolio.html#cards", _portfolio_cards(request, number, cards))
    context = _portfolio_cards(request, number, cards)
    waiting = context["page"].invitations_waiting
    context["invitations"] = selectors.invitations_for_user(request.user) if waiting else []
    return render(request, "tracking/portfolio.html", context)


@require_POST
def invitation_answer(request, membership_id: int, accept: bool):
    """Accept or decline an invitation to a business, from the portfolio."""
    invitation = access_invitation(request.user, membership_id)
    services.invitation_answer(membership=invitation, user=request.user, accept=accept)
    if accept:
        messages.success(request, _("You joined “%(name)s”.") % {"name": invitation.company.name})
    else:
        messages.success(request, _("You declined the invitation to “%(name)s”.") % {"name": invitation.company.name})
    return redirect("tracking:portfolio")


@require_http_methods(["GET", "POST"])
def company_create(request):
    # A new business writes in its creator's language until its settings say otherwise.
    form = CompanyCreateForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and (company := submit(form, partial(services.company_create, creator=request.user))):
        created = _("“%(name)s” is created. Add the team next.") % {"name": company.name}
        return done(request, created, "tracking:members", company.pk)
    return render(request, "tracking/company_create.html", {"form": form, "timezone_names": timezone_names()})


@require_http_methods(["GET", "POST"])
def company_settings(request, company_id: int, *, extras):
    """`extras(request, company, membership)`: the sections the apps above add to the page (the
    API tokens), as HTML, passed in by the project's urls.py."""
    unsafe = request.method == "POST"
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY if unsafe else None)
    # The form works on a copy so that rejected input never shows up in the navigation.
    form = CompanyForm(request.POST or None, instance=copy.copy(company))
    if unsafe and submit(form, partial(services.company_update, company=company, by=membership)):
        return done(request, _("Settings saved."), "tracking:company_settings", company.pk)
    context = {
        "company": company,
        "membership": membership,
        "form": form,
        "can_manage": role_allows(membership.role, Permission.MANAGE_COMPANY),
        "timezone_names": timezone_names(),
        "extra_sections": extras(request, company, membership),
    }
    return render(request, "tracking/company_settings.html", context)


# --- Members -------------------------------------------------------------------------------


def _member_row_form(member, data=None) -> MembershipForm:
    return MembershipForm(
        data,
        prefix=f"m{member.pk}",
        initial={"role": member.role, "weekly_capacity_hours": member.weekly_capacity_hours},
    )


def _members_context(company, membership, *, add_form=None, row_forms=None, editing=None) -> dict:
    """The team as text; a manager edits one row at a time: the row asked for (`editing`) or a
    refused one (`row_forms`) carries its form, the others none."""
    can_manage = role_allows(membership.role, Permission.MANAGE_COMPANY)
    members = list(selectors.members_of(company))
    row_forms = row_forms or {}
    for member in members:
        member.form = row_forms.get(member.pk)
        if member.form is None and can_manage and member.pk == editing:
            member.form = _member_row_form(member)
    return {
        "company": company,
        "membership": membership,
        "members": members,
        "members_url": reverse("tracking:members", args=[company.pk]),
        "add_form": add_form or MemberAddForm(),
        "can_manage": can_manage,
    }


def _members_page(request, company, membership, *, add_form=None, row_forms=None, status=200):
    """The page again, with a refused form."""
    context = _members_context(company, membership, add_form=add_form, row_forms=row_forms)
    return render(request, "tracking/members.html", context, status=status)


@require_GET
def members(request, company_id: int):
    """The team; `?edit=<member>` opens that member's row form (by htmx, the row alone)."""
    company, membership = access_company(request.user, company_id)
    editing = int_param(request.GET.get("edit"), minimum=1)
    if editing and request.htmx and role_allows(membership.role, Permission.MANAGE_COMPANY):
        member = access_company_member(company, editing)
        member.form = _member_row_form(member)
        return render(request, "tracking/members.html#member-row", _member_row_context(company, member))
    return render(request, "tracking/members.html", _members_context(company, membership, editing=editing))


def _member_row_context(company, member, *, saved=False) -> dict:
    members_url = reverse("tracking:members", args=[company.pk])
    return {"m": member, "company": company, "can_manage": True, "saved": saved, "members_url": members_url}


@require_POST
def member_add(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    form = MemberAddForm(request.POST)
    if added := submit(form, partial(services.membership_add, company=company, by=membership)):
        # The same words whether the address has an account or not: adding someone
        # must not tell who is registered.
        text = _("An invitation is on its way to %(email)s. They join the team once they accept it.")
        return done(request, text % {"email": added.user.email}, "tracking:members", company.pk)
    return _members_page(request, company, membership, add_form=form)


@require_POST
def member_update(request, company_id: int, membership_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    member = access_company_member(company, membership_id)
    form = _member_row_form(member, request.POST)
    # The service works on a copy: a refused change never shows in the row.
    saved = submit(form, partial(services.membership_update, membership=copy.copy(member), by=membership))
    if request.htmx:
        shown = saved or member
        shown.form = None if saved else form
        return render(
            request, "tracking/members.html#member-row", _member_row_context(company, shown, saved=bool(saved))
        )
    if saved:
        return done(request, _("%(name)s is updated.") % {"name": member.name}, "tracking:members", company.pk)
    return _members_page(request, company, membership, row_forms={member.pk: form})


@require_POST
def member_remove(request, company_id: int, membership_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.MANAGE_COMPANY)
    member = access_company_member(company, membership_id)
    if attempt(request, partial(services.membership_remove, membership=member, by=membership)):
        messages.success(request, _("%(name)s is removed from the business.") % {"name": member.name})
        if member.pk == membership.pk:
            return redirect("tracking:portfolio")
    return redirect(reverse("tracking:members", kwargs={"company_id": company.pk}))
