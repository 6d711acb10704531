"""Screen 3, metrics: the list with charts, one metric with its weekly values."""

import copy
from datetime import timedelta
from functools import partial

from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from .. import selectors, services
from ..access import access_company, access_metric
from ..charts import line_chart, markers_for
from ..dates import day_month_year
from ..form_flow import done, submit
from ..forms import (
    MetricForm,
    MetricValueForm,
)
from ..markup import html_join
from ..numbers import plain
from ..roles import Permission, role_allows
from ..weeks import current_week_start

METRIC_VALUES_CHANGED = "metric-values-changed"


def _metrics_page(request, company, membership, markers, *, add_form=None, status=200):
    """The add form is drawn only when asked (`?edit=add`, or a refused add that shows what was
    typed); otherwise the section holds an "Add a metric" button that fetches it."""
    metrics = selectors.metrics_of(company)
    series = selectors.metric_series_many(metrics)
    marked = markers_for([m.pk for m in metrics], current_week_start(company) - timedelta(weeks=26), markers)
    detail = reverse("tracking:metric_detail", args=[company.pk, 0]).removesuffix("0/")  # once a page
    for metric in metrics:
        metric.chart = line_chart(series[metric.pk], metric.target, marked[metric.pk])
        metric.url = f"{detail}{metric.pk}/"
    context = {
        "company": company,
        "membership": membership,
        "metrics": metrics,
        "add_form": add_form,
        "can_edit": role_allows(membership.role, Permission.EDIT_PLANNING),
    }
    return render(request, "tracking/metrics.html", context, status=status)


@require_GET
def metrics(request, company_id: int, *, markers):
    company, membership = access_company(request.user, company_id)
    if request.GET.get("edit") == "add" and role_allows(membership.role, Permission.EDIT_PLANNING):
        if request.htmx:  # the add form alone, in place of its button
            context = {"company": company, "add_form": MetricForm(), "can_edit": True}
            return render(request, "tracking/metrics.html#add-metric", context)
        return _metrics_page(request, company, membership, markers, add_form=MetricForm())
    return _metrics_page(request, company, membership, markers)


@require_POST
def metric_add(request, company_id: int, *, markers):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    form = MetricForm(request.POST)
    if metric := submit(form, partial(services.metric_create, by=membership)):
        added = _("The metric “%(name)s” is added.") % {"name": metric.name}
        return done(request, added, "tracking:metric_detail", company.pk, metric.pk)
    return _metrics_page(request, company, membership, markers, add_form=form)


def _value_rows(metric) -> SafeString:
    """The values table's rows as markup, made in one pass: the week as `date:"j M Y"` writes it,
    the value by the one number helper, who entered it."""
    written = day_month_year()
    rows = selectors.metric_values_table(metric)
    return html_join(
        "",
        '<tr><td>{}</td><td class="num">{}</td><td class="muted">{}</td></tr>',
        ((written(week), plain(value, localize=True), by) for week, value, by in rows),
    )


def _value_form_context(company, membership, metric, *, value_form=None, saved=False) -> dict:
    """What the value's form reads (the page's, and a save's answer alone)."""
    return {
        "company": company,
        "membership": membership,
        "metric": metric,
        "value_form": value_form or MetricValueForm(initial={"week": current_week_start(company)}),
        "record_url": reverse("tracking:metric_value_record", args=[company.pk, metric.pk]),
        "detail_url": reverse("tracking:metric_detail", args=[company.pk, metric.pk]),
        "can_edit": role_allows(membership.role, Permission.EDIT_PLANNING),
        "saved": saved,
    }


def _metric_context(company, membership, metric, markers, *, value_form=None, edit_form=None, saved=False, feed=None):
    """`edit_form`: the metric's edit form, drawn only when asked (`?edit=metric`, or a refused
    save that shows what was typed); otherwise an "Edit" button fetches it. `feed(metric,
    company)`: where the values come from when a CRM feeds them (passed in by the project's urls.py)."""
    return {
        **_value_form_context(company, membership, metric, value_form=value_form, saved=saved),
        "chart": selectors.metric_chart(metric, markers=markers),
        "values": _value_rows(metric),
        "edit_form": edit_form,
        "feed_line": feed(metric, company) if feed else "",
    }


# A part of the metric's page that fetches itself when a value is saved: what it computes.
_PARTS = {
    "chart": (
        "tracking/metric_detail.html#metric-chart",
        lambda metric, markers: {"chart": selectors.metric_chart(metric, markers=markers)},
    ),
    "table": ("tracking/metric_detail.html#value-table", lambda metric, markers: {"values": _value_rows(metric)}),
}


@require_GET
def metric_detail(request, company_id: int, metric_id: int, *, markers, feed=None):
    company, membership = access_company(request.user, company_id)
    metric = access_metric(company, metric_id)
    if request.GET.get("edit") == "metric" and role_allows(membership.role, Permission.EDIT_PLANNING):
        edit_form = MetricForm(instance=metric)
        if request.htmx:  # the edit form alone, in place of its button
            context = {"company": company, "metric": metric, "edit_form": edit_form, "can_edit": True}
            return render(request, "tracking/metric_detail.html#metric-edit", context)
        return render(
            request,
            "tracking/metric_detail.html",
            _metric_context(company, membership, metric, markers, edit_form=edit_form, feed=feed),
        )
    part = _PARTS.get(request.GET.get("partial")) if request.htmx else None
    if part is not None:  # the chart or the table alone, fetched after a value is saved
        template, compute = part
        context = {"metric": metric, "detail_url": reverse("tracking:metric_detail", args=[company.pk, metric.pk])}
        return render(request, template, context | compute(metric, markers))
    return render(
        request, "tracking/metric_detail.html", _metric_context(company, membership, metric, markers, feed=feed)
    )


@require_POST
def metric_value_record(request, company_id: int, metric_id: int, *, markers, record):
    """`record`: the write of a weekly value, passed in by the project's urls.py (the toolkit's,
    so that a funnel stage's conversions follow its count)."""
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    metric = access_metric(company, metric_id)
    form = MetricValueForm(request.POST)
    saved = submit(form, partial(record, metric=metric, by=membership)) is not None
    if request.htmx:  # the form alone; the chart and the table fetch themselves on the event
        context = _value_form_context(company, membership, metric, value_form=None if saved else form, saved=saved)
        response = render(request, "tracking/metric_detail.html#value-form", context)
        return trigger_client_event(response, METRIC_VALUES_CHANGED) if saved else response
    if saved:
        return done(request, _("The value is saved."), "tracking:metric_detail", company.pk, metric.pk)
    return render(
        request, "tracking/metric_detail.html", _metric_context(company, membership, metric, markers, value_form=form)
    )


@require_POST
def metric_edit(request, company_id: int, metric_id: int, *, markers):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    metric = access_metric(company, metric_id)
    form = MetricForm(request.POST)
    # The service works on a copy: a refused change never shows as the metric's name on the page.
    if submit(form, partial(services.metric_update, metric=copy.copy(metric), by=membership)):
        return done(request, _("The metric is saved."), "tracking:metric_detail", company.pk, metric.pk)
    return render(
        request, "tracking/metric_detail.html", _metric_context(company, membership, metric, markers, edit_form=form)
    )
