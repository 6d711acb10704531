"""Screen 10, the toolkit: the sales funnel and unit economics."""

from decimal import Decimal
from functools import partial
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ..access import access_company
from ..form_errors import apply_errors, error_text
from ..form_flow import attempt, done, submit
from ..query_params import int_param
from ..roles import Permission, role_allows
from ..selectors import active_constraint, metrics_of
from . import presenters, selectors, services
from .formatting import percent
from .forms import InputsForm, MappingForm, SnapshotForm


def _window(request) -> int:
    value = int_param(request.GET.get("window") or request.POST.get("window"), default=4)
    return value if value in selectors.WINDOWS else 4


@require_GET
def funnel(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    data = selectors.funnel(company, _window(request))
    context = {
        "company": company,
        "membership": membership,
        "funnel": data,
        "rows": presenters.funnel_rows(data),
        "leak": data.analysis.leak,
        "overall": percent(data.analysis.overall),
        "windows": selectors.WINDOWS,
        "constraint": active_constraint(company),
        "can_edit": role_allows(membership.role, Permission.EDIT_PLANNING),
    }
    return render(request, "toolkit/funnel.html", context)


@require_POST
def leak_constraint(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    expected = int_param(request.POST.get("expected_previous"), minimum=1)
    make = partial(services.leak_make_constraint, by=membership, window=_window(request), expected_previous_id=expected)
    if not attempt(request, make):
        return redirect(reverse("toolkit:funnel", args=[company.pk]) + f"?window={_window(request)}")
    named = _("The leak is now the main constraint; its numbers are the first “why”.")
    return done(request, named, "tracking:company_detail", company.pk)


@require_POST
def leak_hypothesis(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    stage_id = int_param(request.POST.get("stage"), minimum=1)
    try:
        metric = services.conversion_metric_ensure(by=membership, lower_id=stage_id)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect("toolkit:funnel", company_id=company.pk)
    row = next((r for s, r in _stage_rows(company, request) if s.pk == stage_id), None)
    query = {"metric": metric.pk}
    if row is not None and row.conversion is not None:
        query["baseline"] = (row.conversion * 100).quantize(Decimal("0.01"))
    return redirect(reverse("hypotheses:new", args=[company.pk]) + "?" + urlencode(query))


def _stage_rows(company, request):
    data = selectors.funnel(company, _window(request))
    return zip(data.stages, data.analysis.rows, strict=False)


def _ue_context(company, membership, *, form=None, mapping_form=None, snapshot_form=None, edit_mapping=False):
    """The page's context. The metrics mapping shows as text (which metric feeds each input)
    until it is edited: its form of six choices of every metric is built for `edit_mapping`
    or when a posted mapping is refused. The snapshot's form likewise: drawn for ?edit=snapshot
    or a refused snapshot, a button that fetches it otherwise."""
    row = selectors.unit_economics_of(company)
    metrics = metrics_of(company)
    initial = {**row.input_values(), "version": row.version} if row else {"period": "month"}
    snapshots = selectors.snapshots_of(company)
    if mapping_form is None and edit_mapping:
        mapped = row.mapping() if row else {}
        mapping_form = MappingForm(metrics=metrics, initial={f"{k}_metric": v for v, k in mapped.items()})
    eco = presenters.economics(row, company.currency) if row else None
    return {
        "company": company,
        "membership": membership,
        "row": row,
        "form": form or InputsForm(initial=initial),
        "mapping_form": mapping_form,
        "mapping": presenters.mapping_lines(row, metrics) if row and mapping_form is None else [],
        "snapshot_form": snapshot_form,
        "economics": eco,
        "sensitivity_bars": presenters.sensitivity_bars(eco) if eco else "",
        "sensitivity_rows": presenters.sensitivity_rows(eco) if eco else "",
        "snapshots": snapshots,
        "snapshot_rows": presenters.snapshot_rows(snapshots, company.currency),
        "can_edit": role_allows(membership.role, Permission.EDIT_PLANNING),
    }


@require_GET
def unit_economics_page(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    can_edit = role_allows(membership.role, Permission.EDIT_PLANNING)
    edit = request.GET.get("edit") if can_edit else None
    snapshot_form = SnapshotForm() if edit == "snapshot" else None
    context = _ue_context(company, membership, edit_mapping=edit == "mapping", snapshot_form=snapshot_form)
    if edit in {"mapping", "snapshot"} and request.htmx:
        return render(request, f"toolkit/unit_economics.html#{edit}", context)
    return render(request, "toolkit/unit_economics.html", context)


@require_POST
def inputs_save(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    form = InputsForm(request.POST)
    if form.is_valid():
        try:
            version = form.cleaned_data["version"]
            services.unit_economics_save(by=membership, expected_version=version, **form.inputs())
        except ValidationError as error:
            apply_errors(form, error)
            _carry_current_mark(form, company)
        else:
            if not request.htmx:
                saved = _("The inputs are saved; the ranking below is recomputed.")
                return done(request, saved, "toolkit:unit_economics", company.pk)
            form = None
    template = "toolkit/unit_economics.html#workspace" if request.htmx else "toolkit/unit_economics.html"
    status = 200 if form is None or request.htmx else 400
    return render(request, template, _ue_context(company, membership, form=form), status=status)


def _carry_current_mark(form, company) -> None:
    """Once told that someone saved meanwhile, the form carries their version: the next save
    (what the person typed, kept) goes through."""
    if any(error.code == "stale" for error in form.non_field_errors().as_data()):
        form.data = form.data.copy()
        form.data["version"] = selectors.unit_economics_of(company).version


@require_POST
def mapping_save(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    form = MappingForm(request.POST, metrics=metrics_of(company))
    if submit(form, partial(services.mapping_save, by=membership)):
        return done(request, _("The inputs' metrics are saved."), "toolkit:unit_economics", company.pk)
    context = _ue_context(company, membership, mapping_form=form)
    return render(request, "toolkit/unit_economics.html", context, status=400)


@require_POST
def inputs_pull(request, company_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    try:
        _row, changed = services.inputs_pull_from_metrics(by=membership)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        names = ", ".join(presenters.SHORT[n] for n in changed) or _("none")
        messages.success(request, _("Taken from metrics: %(names)s.") % {"names": names})
    return redirect("toolkit:unit_economics", company_id=company.pk)


@require_POST
def snapshot_add(request, company_id: int):
    """A snapshot of the saved inputs; a "what if" of the inputs as typed in the inputs form
    (its own button there), which leaves the inputs as they were."""
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    form, inputs = SnapshotForm(request.POST), InputsForm(request.POST)
    what_if = request.POST.get("kind") == "what_if"
    if form.is_valid() and (not what_if or inputs.is_valid()):
        try:
            services.snapshot_save(by=membership, inputs=inputs.inputs() if what_if else None, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(inputs if what_if else form, error)
        else:
            messages.success(request, _("The snapshot is saved."))
            if request.htmx:
                return HttpResponseClientRedirect(reverse("toolkit:unit_economics", args=[company.pk]))
            return redirect("toolkit:unit_economics", company_id=company.pk)
    context = _ue_context(company, membership, snapshot_form=form, form=inputs if what_if else None)
    context["what_if_label"] = request.POST.get("label", "")[:120] if what_if else ""
    if request.htmx:  # the inputs form with its errors, in place
        return render(request, "toolkit/unit_economics.html#workspace", context)
    return render(request, "toolkit/unit_economics.html", context, status=400)


@require_GET
def compare(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    ids = [int_param(request.GET.get(key), minimum=1) for key in ("a", "b")]
    pair = selectors.snapshot_pair(company, [i for i in ids if i])
    current = selectors.unit_economics_of(company)
    columns = [(s, presenters.economics(s, company.currency)) for s in pair]
    if len(columns) < 2 and current is not None:
        columns.append((current, presenters.economics(current, company.currency)))
    context = {
        "company": company,
        "membership": membership,
        "columns": columns,
    }
    return render(request, "toolkit/compare.html", context)
