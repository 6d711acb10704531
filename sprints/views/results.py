"""Screen 6: logging results (the entrepreneur's page, works on a phone). A saved row answers
with that row only; an action row also sends `results-changed`, on which the counters of the
results page and of the session refresh themselves."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from hypotheses import services as hypothesis_services
from hypotheses.access import access_hypothesis
from tracking.access import access_company, access_metric
from tracking.form_errors import apply_errors
from tracking.forms import MetricValueForm
from tracking.numbers import input_value, money, plain, unit_label
from tracking.roles import Permission, role_allows
from tracking.toolkit import services as toolkit_services

from .. import results_rows, selectors, services
from ..access import access_action, can_log_results, ensure_can_log_results
from ..forms import ActionLogForm, MeasuredForm
from ..models import ActionStatus

RESULTS_CHANGED = "results-changed"
LOG_ROW = "sprints/results.html#log_row"


# --- Rows, shared with the session page ----------------------------------------------------------


def row_urls(company) -> dict:
    """The start of every action row's URLs, built once per page: a row appends "<id>/…"."""
    return {
        "actions": reverse("sprints:action_edit", args=[company.pk, 0]).removesuffix("0/"),
        "measure": reverse("sprints:hypothesis_measure", args=[company.pk, 0]).removesuffix("0/"),
        "metrics": reverse("sprints:metric_log", args=[company.pk, 0]).removesuffix("0/"),
    }


def status_labels() -> dict[str, str]:
    """Each action status's label in the active language, once per page: a row's
    get_status_display builds the choices' dictionary again (about 200 calls a row)."""
    return {value: str(label) for value, label in ActionStatus.choices}


def dressed(rows, company, urls=None, labels=None) -> list[selectors.Row]:
    """Rows as the row partials (board.html#action_row, results.html#log_row) show them: light rows (an Action is
    made one) with their words made once per row here instead of by a dozen template nodes:
    `who` (owner · hours h), `money` (" · cost currency" or ""), `status_label` and `url`
    (the start of the row's URLs). `urls` and `labels`: the page's, when it has them."""
    urls = urls or row_urls(company)
    labels = labels or status_labels()
    no_owner, hours = _("no owner"), _("h")
    written = {}  # (kind, number) → its text: the same few estimates and costs recur

    def number(value, kind):
        text = written.get((kind, value))
        if text is None:
            text = written[kind, value] = (
                money(value, company.currency) if kind == "money" else plain(value, localize=True)
            )
        return text

    out = []
    for row in rows:
        if not isinstance(row, selectors.Row):
            row = selectors.as_row(row)
        owner = row["owner"]
        row["who"] = f"{owner['user'] if owner else no_owner} · {number(row['estimate_hours'], 'hours')} {hours}"
        cost = row["cost"] if row["spent"] is None else row["spent"]  # what it cost, once logged
        row["money"] = "" if cost is None else f" · {number(cost, 'money')}"
        row["status_label"] = labels.get(row["status"])
        row["url"] = f"{urls['actions']}{row['pk']}/"
        out.append(row)
    return out


def log_form(action) -> ActionLogForm:
    initial = {
        "status": action.status,
        "result_note": action.result_note,
        "why_not_note": action.why_not_note,
        "spent": action.spent if action.spent is not None else action.cost,  # as planned, unless logged
        "version": action.version,
    }
    form = ActionLogForm(prefix=f"l{action.pk}", initial=initial)
    form.fields["status"].widget.attrs["autofocus"] = True
    return form


def with_log_form(membership, action, form=None, *, saved=False):
    """An action as a results row (dressed): whether this person may log it, and its form when
    it is being edited (otherwise the row is text, its `html` made here)."""
    action.can_log = can_log_results(membership, action)
    action.form = form if action.can_log else None
    action.html = None if action.form else results_rows.log_text(action, saved=saved)
    return action


def metric_row(metric, urls, form=None, *, csrf="", can_edit=False, saved=False):
    """A metric as a results row, its words made once here: its form's URL, its unit, target
    and this week's value as the reader writes them. Its form only when one was posted (with
    its errors); otherwise the row's input is plain HTML, as MeasuredForm's widget writes it."""
    metric.form = form
    metric.url = f"{urls['metrics']}{metric.pk}/"
    metric.unit_text = unit_label(metric.unit)
    metric.target_text = plain(metric.target, localize=True)
    metric.value_plain = None if form else input_value(metric.this_week)
    metric.html = None if form else results_rows.metric_input(metric, csrf, can_edit=can_edit, saved=saved)
    return metric


def _measured_words(hypothesis, urls):
    """What a hypothesis row says besides its title, made once per row here: the metric with
    its baseline and target as typed (`metric_text`) and its form's URL (`measure_url`)."""
    metric = hypothesis.metric
    if metric is not None:
        baseline, expected = (plain(v, localize=True) for v in (hypothesis.baseline, hypothesis.expected_value))
        hypothesis.metric_text = f"{metric.name}: {baseline} → {expected}"
    hypothesis.measure_url = f"{urls['measure']}{hypothesis.pk}/"
    return hypothesis


def measured_row(hypothesis, urls, form=None, *, csrf="", can_measure=False, saved=False):
    """A hypothesis under test as a results row (a light row, selectors.testing_rows): its form
    only when one was posted (with its errors); otherwise the row is plain HTML made in one
    pass (`html`, its input with `measured_plain` as its value), not a form widget rendered
    through the widget templates for each of up to 100 rows."""
    hypothesis.form = form
    hypothesis.measured_plain = input_value(hypothesis.measured_value)
    _measured_words(hypothesis, urls)
    hypothesis.html = (
        None if form else results_rows.measured_input(hypothesis, csrf, can_measure=can_measure, saved=saved)
    )
    return hypothesis


def results_context(request, company, membership, *, log_forms=None, metric_forms=None, measured_forms=None):
    sprint = selectors.current_sprint(company)
    urls, labels = row_urls(company), status_labels()
    actions = dressed(selectors.row_actions(sprint), company, urls, labels) if sprint else []
    log_forms, metric_forms, measured_forms = log_forms or {}, metric_forms or {}, measured_forms or {}
    for action in actions:
        with_log_form(membership, action, log_forms.get(action.pk))
    can_measure = role_allows(membership.role, Permission.LOG_ANY_RESULTS)
    can_edit_metrics = role_allows(membership.role, Permission.EDIT_PLANNING)
    metrics, testing = _number_rows(request, company, urls, metric_forms, measured_forms, can_edit_metrics, can_measure)
    own = [a for a in actions if a.owner_id == membership.pk]
    others = [a for a in actions if a.owner_id != membership.pk]
    return {
        "company": company,
        "membership": membership,
        "sprint": sprint,
        "own": own,
        "others": others,
        # Every row as text (no form posted): each list as one piece, not a loop of the template.
        "joined": {"own": joined_rows(own), "others": joined_rows(others), "metrics": joined_rows(metrics)}
        | {"testing": joined_rows(testing)},
        "logged": sum(1 for a in actions if a.is_resolved),
        "total": len(actions),
        "metrics": metrics,
        "testing": testing,
        "can_edit_metrics": can_edit_metrics,
        "can_measure": can_measure,
        "urls": urls,
        "status_labels": labels,
    }


def joined_rows(rows) -> SafeString | None:
    """The rows' HTML in one piece when every row is text, else None (a row has its form)."""
    if any(row.html is None for row in rows):
        return None
    return mark_safe("".join(row.html for row in rows))  # each row's html is made safe (results_rows)


def _number_rows(request, company, urls, metric_forms, measured_forms, can_edit_metrics, can_measure):
    """The week's metrics and the hypotheses under test, each row with its input (a form only
    where one was posted)."""
    csrf = results_rows.csrf_field(request)
    metrics = [
        metric_row(m, urls, metric_forms.get(m.pk), csrf=csrf, can_edit=can_edit_metrics)
        for m in selectors.metrics_with_this_week(company)
    ]
    testing = [
        measured_row(h, urls, measured_forms.get(h.pk), csrf=csrf, can_measure=can_measure)
        for h in selectors.testing_rows(company)
    ]
    return metrics, testing


def _row_response(request, company, template, fragment, context, *, saved, invalid):
    """htmx: the row alone. A plain post: back to the row on the page, or the page with the
    row's errors."""
    if request.htmx:
        return render(request, template, {"company": company, "saved": saved, "urls": row_urls(company), **context})
    if saved:
        return redirect(reverse("sprints:results", args=[company.pk]) + f"#{fragment}")
    membership = context["membership"]
    return render(request, "sprints/results.html", results_context(request, company, membership, **invalid))


def _saved(form, save) -> bool:
    """A valid form's data through `save` (a service); a refusal goes onto the form."""
    if not form.is_valid():
        return False
    try:
        save(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return False
    return True


# --- Views ---------------------------------------------------------------------------------------


@require_GET
def results(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    if request.htmx and request.GET.get("fragment") == "counters":
        sprint = selectors.current_sprint(company)
        logged, total = selectors.results_tally(sprint)
        context = {"company": company, "sprint": sprint, "logged": logged, "total": total}
        return render(request, "sprints/results.html#counters", context)
    return render(request, "sprints/results.html", results_context(request, company, membership))


def _log(action, membership, form):
    """Save a valid log form through the service; a refusal goes onto the form. The saved action,
    with the owner and hypothesis `action` came with (a log changes neither), or None. A post
    without the spent field (an older page) leaves what was spent as it was."""
    data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
    if form.add_prefix("spent") not in form.data:
        del data["spent"]
    try:
        saved = services.action_log(action=action, by=membership, expected_version=form.cleaned_data["version"], **data)
    except services.StaleAction as stale:
        now = _("Now: %(status)s. %(note)s") % {
            "status": stale.current.get_status_display(),
            "note": stale.current.result_note or stale.current.why_not_note,
        }
        form.add_error(None, stale.messages[0] + " " + now)
        form.data = form.data.copy()
        form.data[f"l{action.pk}-version"] = stale.current.version
    except ValidationError as error:
        apply_errors(form, error)
    else:
        saved.owner, saved.hypothesis = action.owner, action.hypothesis
        return saved
    return None


@require_POST
def action_log(request, company_id: int, action_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.LOG_OWN_RESULTS)
    action = access_action(company, action_id)
    ensure_can_log_results(membership, action)
    form = ActionLogForm(request.POST, prefix=f"l{action.pk}")
    logged = _log(action, membership, form) if form.is_valid() else None
    saved = logged is not None
    row = dressed([logged or action], company)[0]
    row = with_log_form(membership, row, None if saved else form, saved=saved)
    context = {"membership": membership, "a": row}
    invalid = {"log_forms": {action.pk: form}}
    response = _row_response(request, company, LOG_ROW, "actions", context, saved=saved, invalid=invalid)
    return trigger_client_event(response, RESULTS_CHANGED) if saved and request.htmx else response


@require_GET
def action_log_form(request, company_id: int, action_id: int):
    """One results row's form (htmx), or the results page with it open; the row as text for
    someone who may not log it."""
    company, membership = access_company(request.user, company_id)
    action = access_action(company, action_id)
    row = with_log_form(membership, dressed([selectors.log_row(action.pk)], company)[0], log_form(action))
    if request.htmx:
        return render(request, LOG_ROW, {"company": company, "a": row, "urls": row_urls(company)})
    return render(
        request, "sprints/results.html", results_context(request, company, membership, log_forms={row.pk: row.form})
    )


@require_GET
def action_log_row(request, company_id: int, action_id: int):
    """One results row as text (what "Cancel" brings back); the results page without htmx."""
    company, membership = access_company(request.user, company_id)
    action = access_action(company, action_id)
    if not request.htmx:
        return render(request, "sprints/results.html", results_context(request, company, membership))
    row = with_log_form(membership, dressed([selectors.log_row(action.pk)], company)[0])
    return render(request, LOG_ROW, {"company": company, "a": row, "urls": row_urls(company)})


@require_POST
def metric_log(request, company_id: int, metric_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_PLANNING)
    metric = access_metric(company, metric_id)
    form = MetricValueForm(request.POST, prefix=f"m{metric.pk}")
    saved = _saved(form, lambda data: toolkit_services.value_record(metric=metric, by=membership, value=data["value"]))
    if saved:
        metric.this_week = form.cleaned_data["value"]
    can_edit, csrf = role_allows(membership.role, Permission.EDIT_PLANNING), results_rows.csrf_field(request)
    row = metric_row(metric, row_urls(company), None if saved else form, csrf=csrf, can_edit=can_edit, saved=saved)
    context = {"membership": membership, "m": row, "can_edit_metrics": can_edit}
    invalid = {"metric_forms": {metric.pk: form}}
    template = "sprints/results.html#metric_row"
    return _row_response(request, company, template, "metrics", context, saved=saved, invalid=invalid)


@require_POST
def hypothesis_measure(request, company_id: int, hypothesis_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.LOG_ANY_RESULTS)
    hypothesis = access_hypothesis(company, hypothesis_id)
    form = MeasuredForm(request.POST, prefix=f"h{hypothesis.pk}")
    measure = hypothesis_services.hypothesis_measure
    saved = _saved(form, lambda data: measure(hypothesis=hypothesis, by=membership, measured=data["measured"]))
    if saved:
        hypothesis.measured_value = form.cleaned_data["measured"]
    can_measure = role_allows(membership.role, Permission.LOG_ANY_RESULTS)
    csrf = results_rows.csrf_field(request)
    row = measured_row(
        hypothesis, row_urls(company), None if saved else form, csrf=csrf, can_measure=can_measure, saved=saved
    )
    context = {"membership": membership, "h": row, "can_measure": can_measure}
    invalid = {"measured_forms": {hypothesis.pk: form}}
    template = "sprints/results.html#hypothesis_row"
    return _row_response(request, company, template, "hypotheses", context, saved=saved, invalid=invalid)
