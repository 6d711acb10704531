"""Screen 10, customer interviews: scripts with Mom Test hints, the interview log (a phone
form that keeps a draft), the synthesis by tag and insights."""

from dataclasses import dataclass
from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracking.access import access_company, member_page
from tracking.dates import day_month_year
from tracking.form_errors import apply_errors
from tracking.form_flow import done, submit
from tracking.forms import posted_version
from tracking.models import ConstraintStatus
from tracking.roles import Permission, role_allows
from tracking.weeks import local_today

from . import mom_test, selectors, services
from .access import access_interview, access_script, access_tag, can_edit_interview, ensure_can_edit_interview
from .forms import (
    InsightForm,
    InterviewForm,
    ScriptForm,
    ThresholdForm,
    highlight_formset,
    highlight_inputs,
)
from .models import InterviewKind
from .purposes import found_in, links_of, requested
from .script_templates import TEMPLATES, for_language

INTERVIEWS_PAGE_SIZE = 50
QUESTIONS_MAX_LENGTH = 8000


def _base(company, membership, **extra) -> dict:
    return {"company": company, "membership": membership, **extra}


# --- Scripts -------------------------------------------------------------------------------------


@require_GET
def scripts(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    context = _base(
        company,
        membership,
        scripts=selectors.scripts(company),
        templates=for_language(company.language),
        can_edit=role_allows(membership.role, Permission.EDIT_PLANNING),
    )
    return render(request, "custdev/scripts.html", context)


def _script_page(request, company, membership, form, script=None, purposes=()):
    hints = mom_test.check(form["questions"].value() or "")
    context = _base(
        company, membership, form=form, script=script, hints=hints, templates=for_language(company.language)
    )
    if script is None:  # written for a hypothesis (purposes.py): say so, and keep it across the templates' links
        ids = requested(form.data if form.is_bound else form.initial, purposes)
        context.update(written_for=found_in(company, ids, purposes).values(), purpose_query=urlencode(ids))
    return render(request, "custdev/script_form.html", context)


def _script_initial(request, company, purposes) -> dict:
    template = TEMPLATES.get(request.GET.get("template", ""))
    active = company.constraints.filter(status=ConstraintStatus.ACTIVE).values_list("pk", flat=True).first()
    asked = requested(request.GET, purposes)  # only what is in this business goes into the form
    written_for = {param: asked[param] for param in found_in(company, asked, purposes)}
    return {"constraint": active, **(template.initial if template else {}), **written_for}


def _new_script_fields(form) -> dict:
    """A new script's fields and what it is written for."""
    return form.service_fields() | {"purpose_ids": form.purpose_ids}


@require_http_methods(["GET", "POST"])
def script_new(request, company_id: int, *, purposes=()):
    """`purposes`: what a script may be written for in the apps above (the project's urls.py)."""
    unsafe = request.method == "POST"
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING if unsafe else None)
    initial = _script_initial(request, company, purposes)
    form = ScriptForm(request.POST or None, company=company, initial=initial, purposes=purposes)
    create = partial(services.script_create, by=membership, purposes=purposes)
    if unsafe and (script := submit(form, create, fields=_new_script_fields)):
        return done(request, _("The script is saved."), "custdev:script_detail", company.pk, script.pk)
    return _script_page(request, company, membership, form, purposes=purposes)


@require_http_methods(["GET", "POST"])
def script_edit(request, company_id: int, script_id: int):
    unsafe = request.method == "POST"
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING if unsafe else None)
    script = access_script(company, script_id)
    form = ScriptForm(request.POST or None, company=company, instance=script if not unsafe else None)
    update = partial(services.script_update, script=script, by=membership)
    if unsafe and submit(form, update, fields=ScriptForm.service_fields):
        return done(request, _("The script is saved."), "custdev:script_detail", company.pk, script.pk)
    return _script_page(request, company, membership, form, script)


@require_GET
def script_detail(request, company_id: int, script_id: int, *, purposes=()):
    """The script as it prints on A4, with space for notes under each question."""
    company, membership = access_company(request.user, company_id)
    script = access_script(company, script_id)
    hints = {}
    for hint in mom_test.check(script.questions):
        hints.setdefault(hint.question, []).append(hint)
    questions = [(question, hints.get(question, [])) for question in script.question_list]
    context = _base(
        company,
        membership,
        script=script,
        questions=questions,
        can_edit=role_allows(membership.role, Permission.EDIT_PLANNING),
        written_for=links_of(script, purposes),
    )
    return render(request, "custdev/script_detail.html", context)


@require_GET
def mom_test_hints(request, company_id: int):
    """htmx, as the tracker types: the hints for the questions typed so far."""
    company, _membership = access_company(request.user, company_id)
    text = (request.GET.get("questions") or "")[:QUESTIONS_MAX_LENGTH]
    return render(request, "custdev/_hints.html", {"company": company, "hints": mom_test.check(text)})


# --- Interviews ----------------------------------------------------------------------------------


@require_GET
def interviews(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    page = Paginator(selectors.interviews(company), INTERVIEWS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "custdev/interviews.html", _base(company, membership, page=page, rows=_rows(company, page)))


@dataclass(frozen=True)
class InterviewRow:
    held_on: str
    url: str
    interviewee: str
    role: str  # beside a named interviewee; "" when the role stands for the name
    segment: str
    kind: str
    quotes: int
    interviewer: str


def _rows(company, page) -> list[InterviewRow]:
    """A page of the log as text, made once: dates as `date:"j M Y"` writes them, each link
    from one reversed prefix, the types' labels read once."""
    written = day_month_year()
    prefix = reverse("custdev:interviews", args=[company.pk])
    kinds = {value: str(label) for value, label in InterviewKind.choices}
    return [
        InterviewRow(
            held_on=written(held_on),
            url=f"{prefix}{pk}/",
            interviewee=name or role,
            role=role if name else "",
            segment=segment,
            kind=kinds.get(kind, kind),
            quotes=quotes,
            interviewer=full_name or email or "—",
        )
        for pk, held_on, name, role, segment, kind, quotes, full_name, email in page.object_list
    ]


def _interview_page(request, company, membership, form, formset, interview=None, version=None):
    key = f"custdev-interview-{interview.pk}" if interview else f"custdev-interview-new-{company.pk}"
    context = _base(
        company,
        membership,
        form=form,
        formset=formset,
        interview=interview,
        version=version,
        draft_key=f"{key}-{request.user.pk}",
        known_tags=selectors.tag_names(company),
    )
    return render(request, "custdev/interview_form.html", context)


def _save_interview(form, formset, save):
    """Save a valid form and its quotes through the service; a refusal lands on the form."""
    if not (form.is_valid() and formset.is_valid()):
        return None
    try:
        return save(highlights=highlight_inputs(formset), **form.service_fields())
    except ValidationError as error:
        apply_errors(form, error)
    return None


def _saved(request, company, interview):
    if interview.already_saved:  # the same new-interview form sent again: the interview it made
        messages.info(request, _("This interview was already saved: here it is."))
    else:
        messages.success(request, _("The interview is saved."))
    url = reverse("custdev:interview_detail", args=[company.pk, interview.pk])
    return redirect(f"{url}?saved=1")


@require_http_methods(["GET", "POST"])
def interview_new(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    initial = {"interviewer": membership.pk, "held_on": local_today(company)}
    form = InterviewForm(request.POST or None, company=company, initial=initial, new=True)
    formset = highlight_formset(request.POST or None)
    if request.method == "POST":
        create = lambda **fields: services.interview_create(by=membership, **fields)  # noqa: E731
        interview = _save_interview(form, formset, create)
        if interview:
            return _saved(request, company, interview)
    return _interview_page(request, company, membership, form, formset)


@require_http_methods(["GET", "POST"])
def interview_edit(request, company_id: int, interview_id: int):
    company, membership = access_company(request.user, company_id)
    interview = access_interview(company, interview_id)
    ensure_can_edit_interview(membership, interview)
    version = interview.version
    if request.method == "POST":
        form = InterviewForm(request.POST, company=company)
        formset = highlight_formset(request.POST)
        posted = posted_version(request.POST.get("version"))  # opened before someone saved: refused once
        update = lambda **fields: services.interview_update(  # noqa: E731
            interview=interview, by=membership, expected_version=posted, **fields
        )
        if _save_interview(form, formset, update):
            return _saved(request, company, interview)
        version = _next_version(form, posted, version)
    else:
        form = InterviewForm(company=company, instance=interview)
        formset = highlight_formset(highlights=selectors.interview_highlights(interview))
    return _interview_page(request, company, membership, form, formset, interview, version=version)


def _next_version(form, posted: int | None, current: int) -> int:
    """The version a refused edit form carries on: the current one once the person has been told
    that someone saved meanwhile (their next save goes through), else the one they opened with."""
    told = any(error.code == "stale" for error in form.non_field_errors().as_data())
    return current if told or posted is None else posted


def _saved_drafts(request, company, interview) -> list[str]:
    """The drafts this save has made obsolete: the browser forgets them (custdev.js)."""
    user = request.user.pk
    return [f"custdev-interview-new-{company.pk}-{user}", f"custdev-interview-{interview.pk}-{user}"]


@require_GET
def interview_detail(request, company_id: int, interview_id: int):
    company, membership = access_company(request.user, company_id)
    interview = access_interview(company, interview_id)
    context = _base(
        company,
        membership,
        interview=interview,
        highlights=selectors.interview_highlights(interview),
        can_edit=can_edit_interview(membership, interview),
        clear_drafts=_saved_drafts(request, company, interview) if request.GET.get("saved") else [],
    )
    return render(request, "custdev/interview_detail.html", context)


# --- Synthesis -----------------------------------------------------------------------------------


def _synthesis_page(request, company, membership, *, insight_form=None, threshold_form=None, status=200):
    threshold = selectors.insight_threshold(company)
    context = _base(
        company,
        membership,
        threshold=threshold,
        summaries=selectors.synthesis(company, threshold),
        threshold_form=threshold_form or ThresholdForm(initial={"insight_threshold": threshold}),
        insight_form=insight_form,
        can_plan=role_allows(membership.role, Permission.EDIT_PLANNING),
        can_create=role_allows(membership.role, Permission.CREATE_HYPOTHESIS),
    )
    return render(request, "custdev/synthesis.html", context, status=status)


synthesis = member_page(_synthesis_page)


@require_POST
def insight_new(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.CREATE_HYPOTHESIS)
    form = InsightForm(request.POST)

    def create(*, tag, sentence):
        return services.insight_create(by=membership, tag=access_tag(company, tag), sentence=sentence)

    if insight := submit(form, create):
        saved = _("The insight is saved. Turn it into a hypothesis when you are ready.")
        return done(request, saved, reverse("custdev:synthesis", args=[company.pk]) + f"#tag-{insight.tag_id}")
    return _synthesis_page(request, company, membership, insight_form=form)


@require_POST
def threshold_set(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    form = ThresholdForm(request.POST)
    if not form.is_valid():
        return _synthesis_page(request, company, membership, threshold_form=form)
    services.threshold_set(by=membership, value=form.cleaned_data["insight_threshold"])
    messages.success(request, _("The threshold is saved."))
    return redirect("custdev:synthesis", company_id=company.pk)
