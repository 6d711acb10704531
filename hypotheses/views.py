"""Screens 4 and 8: the backlog board, a hypothesis with its timeline, the history."""

from functools import cache, partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import DateField
from django.db.models.functions import Cast, TruncDate
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tracking.access import access_company
from tracking.dates import day_month_year
from tracking.db import newest_first
from tracking.exports import csv_lines, csv_response
from tracking.form_errors import apply_errors, error_text
from tracking.form_flow import done, submit
from tracking.markup import esc
from tracking.numbers import money, plain
from tracking.query_params import int_param, number_param
from tracking.roles import Permission, role_allows

from . import board_cards, scripts, selectors, services
from .access import access_hypothesis
from .forms import (
    USE_RETURN,
    HypothesisForm,
    TransitionForm,
    VerdictForm,
    history_filter_form,
    money_param,
    priced_values,
)
from .models import Hypothesis, Kind, Status, Verdict
from .return_hint import return_hint
from .services import TRANSITIONS, StaleEdit, missing_for_testing

# The natural next step first, going back after it, dropping last.
TARGET_ORDER = [Status.READY, Status.TESTING, Status.ADOPTED, Status.IDEA, Status.DROPPED]


def _ordered(targets) -> list[str]:
    return sorted(targets, key=TARGET_ORDER.index)


def _move_options(status: str, chosen: str = "") -> str:
    """A status's move targets as <option>s, after an empty one: a card's move starts with no
    choice, so a hurried "Move" moves nothing (and is told to choose)."""
    targets = _ordered(TRANSITIONS[status])
    if not targets:
        return ""
    placeholder = format_html('<option value="">{}</option>', _("Move to…"))
    return placeholder + format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((t, " selected" if t == chosen else "", Status(t).label) for t in targets),
    )


def _board_move_options() -> dict[str, str]:
    """Every status's move options, built once per page, not per card."""
    return {status: _move_options(status) for status in TRANSITIONS}


def _board_retry(request, columns, hypothesis, refusal) -> dict:
    """A move refused on the board: its card's move control again with what was typed (the
    target chosen, the reason) and why. The only card whose options are built for it."""
    chosen = request.POST.get("to", "")
    return {
        "error": refusal,
        "options": _move_options(hypothesis.status, chosen),
        "reason": request.POST.get("reason", "")[:2000],
        "dropping": chosen == Status.DROPPED,
        # Not among the cards shown (beyond a column's best): said above the board instead.
        "shown": any(card.pk == hypothesis.pk for column in columns for card in column.cards),
        "title": hypothesis.title,
    }


def _dress_cards(company, columns, active_constraint_id) -> None:
    """What each card shows besides its row, made once per card here: its price in money (if its
    metric feeds the unit economics), its move options (built once per status), whether it is
    off the active constraint and its check date when overdue."""
    cards = [card for column in columns for card in column.cards]
    prices = selectors.hypothesis_prices(company, cards)
    options = _board_move_options()
    for card in cards:
        price = prices.get(card.pk)
        card.price = None if price is None else (money(price.delta_cm, company.currency), price.suggested_impact)
        card.options = options.get(card.status, "")
        card.off = card.constraint_id != active_constraint_id
        card.check_by_text = date_format(card.check_by, "j E") if card.overdue else ""


def _board_context(request, company, membership):
    constraint_id = int_param(request.GET.get("constraint"), minimum=1)
    kind = request.GET.get("kind") if request.GET.get("kind") in Kind.values else ""
    expanded = request.GET.get("column") if request.GET.get("all") == "1" else None
    columns = selectors.board(company, constraint_id=constraint_id, kind=kind, expanded=expanded)
    # The filter lists every constraint; the active one (one at most) is among them.
    constraints = selectors.constraints_newest_first(company)
    active_constraint_id = next((c.pk for c in constraints if c.is_active), None)
    _dress_cards(company, columns, active_constraint_id)
    can_edit = role_allows(membership.role, Permission.EDIT_HYPOTHESIS)
    board_cards.dress_html(request, columns, can_edit=can_edit)
    return {
        "company": company,
        "membership": membership,
        "columns": columns,
        "expanded": next((c for c in columns if c.status == expanded), None),
        "active_constraint_id": active_constraint_id,
        "constraints": constraints,
        "filter_constraint": constraint_id,
        "filter_kind": kind,
        "kinds": Kind.choices,
        "retry_pk": None,  # the card whose move was refused (board_retry), if any
        "board_per_column": selectors.BOARD_CARDS_PER_COLUMN,
        "can_edit": can_edit,
    }


@require_GET
def board(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    context = _board_context(request, company, membership)
    target = request.htmx.target if request.htmx else None
    if target == "board":
        return render(request, "hypotheses/board.html#board", context)
    if context["expanded"] and target == f"column-{context['expanded'].status}":
        return render(request, "hypotheses/board.html#column", {**context, "column": context["expanded"]})
    return render(request, "hypotheses/board.html", context)


def _prefill(query) -> dict:
    """Metric and baseline handed over in the query, e.g. by the funnel's "New hypothesis on
    this stage" (the form offers only this business's metrics, so a foreign id selects none)."""
    prefill = {}
    metric = int_param(query.get("metric"), minimum=1)
    if metric:
        prefill["metric"] = metric
    baseline = number_param(query.get("baseline"), HypothesisForm.base_fields["baseline"])
    if baseline is not None:
        prefill["baseline"] = baseline
    return prefill


@require_http_methods(["GET", "POST"])
def hypothesis_new(request, company_id: int):
    unsafe = request.method == "POST"
    company, membership = access_company(
        request.user, company_id, action=Permission.CREATE_HYPOTHESIS if unsafe else None
    )
    initial = {"constraint": selectors.active_constraint_id(company), **_prefill(request.GET)}
    form = HypothesisForm.from_post(request.POST or None, company=company, initial=initial)
    create = partial(services.hypothesis_create, by=membership)
    if unsafe and not form.filling and (hypothesis := submit(form, create, fields=HypothesisForm.service_fields)):
        return done(request, _("The hypothesis is saved as an idea."), "hypotheses:detail", company.pk, hypothesis.pk)
    return _form_page(request, company, membership, form, None)


def _detail_context(company, membership, hypothesis, *, verdict_form=None, transition_error=None, measured=None):
    suggestion = selectors.verdict_suggestion(hypothesis, measured)
    initial = {}
    if suggestion:
        initial = {"verdict": suggestion.verdict, "measured": suggestion.measured}
    verdict_form = verdict_form or VerdictForm(initial=initial)
    # Typing a measured value refreshes the suggestion (htmx); without JavaScript it is just a field.
    verdict_form.fields["measured"].widget.attrs.update(
        {
            "hx-get": reverse("hypotheses:suggest", args=[company.pk, hypothesis.pk]),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#suggestion",
            "hx-swap": "outerHTML",
        }
    )
    return {
        "company": company,
        "membership": membership,
        "h": hypothesis,
        "events": selectors.timeline(hypothesis),
        "missing": [services.MISSING_MESSAGES[name] for name in missing_for_testing(hypothesis)],
        "return_is_metric_change": services.metric_change_is_the_return(hypothesis),
        "targets": _ordered(TRANSITIONS[hypothesis.status]),
        "suggestion": suggestion,
        "window": selectors.test_window_values(hypothesis),
        "verdict_form": verdict_form,
        "transition_error": transition_error,
        "warning": selectors.test_warning(hypothesis),
        "price": selectors.hypothesis_prices(company, [hypothesis]).get(hypothesis.pk),
        "can_edit": role_allows(membership.role, Permission.EDIT_HYPOTHESIS),
        "statuses": dict(Status.choices),
        "scripts": scripts.scripts_of(hypothesis),
        # Scripts follow custdev's rule (tracking/custdev/services.py script_create).
        "can_write_script": role_allows(membership.role, Permission.EDIT_PLANNING),
    }


@require_GET
def hypothesis_detail(request, company_id: int, hypothesis_id: int):
    company, membership = access_company(request.user, company_id)
    hypothesis = access_hypothesis(company, hypothesis_id)
    return render(request, "hypotheses/detail.html", _detail_context(company, membership, hypothesis))


def _form_page(request, company, membership, form, hypothesis, *, conflict=None):
    context = {"company": company, "membership": membership, "form": form, "h": hypothesis, "conflict": conflict}
    context["hint"] = return_hint(company, **form.priced_values())
    return render(request, "hypotheses/form.html", context, status=409 if conflict else 200)


def _save_edit(form, hypothesis, membership) -> tuple[Hypothesis | None, Hypothesis | None]:
    """Save a valid edit form through the service; a refusal lands on the form. Returns the
    saved hypothesis, or the newer version when someone else saved in between (the form is
    then based on it)."""
    try:
        saved = services.hypothesis_update(
            hypothesis=hypothesis,
            by=membership,
            expected_version=form.cleaned_data.get("version") or 0,
            **form.service_fields(),
        )
    except StaleEdit as stale:
        form.add_error(None, stale.messages[0])
        # The next save is based on what is there now; what this person typed stays in the form.
        form.data = form.data.copy()
        form.data["version"] = stale.current.version
        return None, stale.current
    except ValidationError as error:
        apply_errors(form, error)
        return None, None
    return saved, None


def _saved_message(before: str, saved: Hypothesis) -> str:
    """A Ready hypothesis that lost what testing needs went back to Idea: say so."""
    if before == Status.READY and saved.status == Status.IDEA:
        return _("The hypothesis is saved. It is an idea again: it no longer has all a test needs.")
    return _("The hypothesis is saved.")


@require_http_methods(["GET", "POST"])
def hypothesis_edit(request, company_id: int, hypothesis_id: int):
    unsafe = request.method == "POST"
    company, membership = access_company(
        request.user, company_id, action=Permission.EDIT_HYPOTHESIS if unsafe else None
    )
    hypothesis = access_hypothesis(company, hypothesis_id)
    if not unsafe:
        form = HypothesisForm(company=company, initial=HypothesisForm.initial_from(hypothesis))
        return _form_page(request, company, membership, form, hypothesis)
    form = HypothesisForm.from_post(request.POST, company=company)
    if form.filling or not form.is_valid():
        return _form_page(request, company, membership, form, hypothesis)
    saved, conflict = _save_edit(form, hypothesis, membership)
    if form.errors:
        return _form_page(request, company, membership, form, hypothesis, conflict=conflict)
    return done(request, _saved_message(hypothesis.status, saved), "hypotheses:detail", company.pk, hypothesis.pk)


@require_POST
def hypothesis_transition(request, company_id: int, hypothesis_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_HYPOTHESIS)
    hypothesis = access_hypothesis(company, hypothesis_id)
    form = TransitionForm(request.POST)
    refusal = None
    if not form.is_valid():
        refusal = _("Choose where the hypothesis goes.")
    else:
        try:
            hypothesis = services.hypothesis_transition(
                hypothesis=hypothesis, by=membership, to=form.cleaned_data["to"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            refusal = error_text(error)
    return _transition_response(request, company, membership, hypothesis, refusal)


def _transition_response(request, company, membership, hypothesis, refusal):
    """htmx: the board or the lifecycle partial it came from; a plain post: back to that page."""
    from_board = request.POST.get("from") == "board"
    if from_board and (request.htmx or refusal):
        # The board again, the refused card keeping what was typed with the reason beside it:
        # swapped in by htmx, or the whole page for a plain post (not kept: it is this person's).
        context = _board_context(request, company, membership)
        if refusal:
            context["board_retry"] = _board_retry(request, context["columns"], hypothesis, refusal)
            context["retry_pk"] = hypothesis.pk
            board_cards.dress_html(
                request, context["columns"], can_edit=True, retry=context["board_retry"], retry_pk=hypothesis.pk
            )
        return render(request, "hypotheses/board.html" + ("#board" if request.htmx else ""), context)
    if request.htmx:
        # The whole page's state, not only the buttons: the badge, the facts and the timeline move too.
        context = _detail_context(company, membership, hypothesis, transition_error=refusal)
        return render(request, "hypotheses/detail.html#page", context)
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, _("Moved to “%(status)s”.") % {"status": hypothesis.get_status_display()})
    if from_board:
        return redirect("hypotheses:board", company_id=company.pk)
    return redirect("hypotheses:detail", company_id=company.pk, hypothesis_id=hypothesis.pk)


@require_POST
def hypothesis_decide(request, company_id: int, hypothesis_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_HYPOTHESIS)
    hypothesis = access_hypothesis(company, hypothesis_id)
    form = VerdictForm(request.POST)
    if submit(form, partial(services.hypothesis_decide, hypothesis=hypothesis, by=membership)):
        return done(request, _("The verdict is recorded."), "hypotheses:detail", company.pk, hypothesis.pk)
    return render(
        request, "hypotheses/detail.html", _detail_context(company, membership, hypothesis, verdict_form=form)
    )


@require_GET
def verdict_suggest(request, company_id: int, hypothesis_id: int):
    """htmx: the suggestion for a measured value the person is typing."""
    company, _membership = access_company(request.user, company_id)
    hypothesis = access_hypothesis(company, hypothesis_id)
    measured = number_param(request.GET.get("measured"), VerdictForm.base_fields["measured"])
    context = {"h": hypothesis, "suggestion": selectors.verdict_suggestion(hypothesis, measured), "company": company}
    return render(request, "hypotheses/detail.html#suggestion", context)


@require_GET
def return_hint_partial(request, company_id: int):
    """htmx, as the metric, baseline or expected value change on the form: the return in
    money unit economics suggests; with `use_return` ("Use this figure"), the field filled."""
    company, _membership = access_company(request.user, company_id)
    figure = money_param(request.GET.get(USE_RETURN))
    if figure is not None:
        field = HypothesisForm(company=company, initial={"expected_return": figure})["expected_return"]
        return render(request, "hypotheses/_return_hint.html#field", {"field": field})
    hint = return_hint(company, **priced_values(request.GET))
    return render(request, "hypotheses/_return_hint.html", {"company": company, "hint": hint})


@require_POST
def hypothesis_archive(request, company_id: int, hypothesis_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_HYPOTHESIS)
    hypothesis = access_hypothesis(company, hypothesis_id)
    services.hypothesis_archive(hypothesis=hypothesis, by=membership)
    archived = _("“%(title)s” is archived. You can restore it from the archive.") % {"title": hypothesis.title}
    return done(request, archived, "hypotheses:board", company.pk)


@require_POST
def hypothesis_restore(request, company_id: int, hypothesis_id: int):
    company, membership = access_company(request.user, company_id, action=Permission.EDIT_HYPOTHESIS)
    hypothesis = access_hypothesis(company, hypothesis_id, archived=True)
    services.hypothesis_restore(hypothesis=hypothesis, by=membership)
    restored = _("“%(title)s” is restored.") % {"title": hypothesis.title}
    return done(request, restored, "hypotheses:detail", company.pk, hypothesis.pk)


@require_GET
def archive(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    context = {
        "company": company,
        "membership": membership,
        "archived": selectors.archived_hypotheses(company),
        "can_edit": role_allows(membership.role, Permission.EDIT_HYPOTHESIS),
    }
    return render(request, "hypotheses/archive.html", context)


# --- History (the team lead's page) and its CSV -------------------------------------------------

HISTORY_PAGE_SIZE = 50


def _history_query(request, company, *, shown=True):
    """The filter form and the filtered hypotheses."""
    form = history_filter_form(company, request.GET, shown=shown)
    return form, selectors.history(company, form.filters())


HISTORY_COLUMNS = (
    "pk",
    "title",
    "kind",
    "status",
    "verdict",
    "constraint__title",
    "created_at",
    "against_numbers_reason",
    "measured_value",
    "learning",
    "author__full_name",
    "author__email",
)


def _history_page(request, queryset, total: int):
    paginator = Paginator(queryset.values_list(*HISTORY_COLUMNS, named=True), HISTORY_PAGE_SIZE)
    # The statistics counted the filtered set already: the pages need no second count.
    paginator.count = total
    return paginator.get_page(request.GET.get("page"))


def cut(text: str, words: int) -> str:
    """What `truncatewords` makes of a text."""
    return Truncator(text).words(words, truncate=" …") if text else ""


def _history_rows(company, rows) -> list[selectors.Row]:
    """A page of the history as its table shows it, each cell's text made here once per row:
    labels from dictionaries made once per page, the date (day_month_year) and the texts cut
    (cut) as the template filters did."""
    labels = {choices: {value: str(label) for value, label in choices.choices} for choices in (Kind, Status, Verdict)}
    day = day_month_year()
    detail = reverse("hypotheses:detail", args=[company.pk, 0]).removesuffix("0/")
    against = conditional_escape(_("against the numbers"))
    out = []
    for row in rows:
        reason = row.against_numbers_reason
        out.append(
            selectors.Row(
                url=f"{detail}{row.pk}/",
                title=row.title,
                kind=labels[Kind].get(row.kind, row.kind),
                constraint=row.constraint__title,
                created=day(row.created_at),
                status=labels[Status].get(row.status, row.status),
                verdict=labels[Verdict].get(row.verdict, row.verdict) or "—",
                reason=reason,
                reason_short=cut(reason, 20),
                measured="—" if row.measured_value is None else plain(row.measured_value, localize=True),
                learning=cut(row.learning, 30),
                author=row.author__full_name or row.author__email or "—",
            )
        )
        out[-1]["html"] = _history_row_html(out[-1], against)
    return out


def _history_row_html(h, against: str) -> str:
    """A history row's <tr>, made in one pass (no template nodes per row)."""
    e = esc
    constraint = "" if h.constraint is None else f" · {e(h.constraint)}"
    reason = ""
    if h.reason:
        reason = (
            f'<br><span class="badge warn" title="{e(h.reason)}">{against}</span> '
            f'<span class="muted">{e(h.reason_short)}</span>'
        )
    return mark_safe(
        f'<tr>\n        <td><a href="{h.url}">{e(h.title)}</a><br><span class="muted">{e(h.kind)}{constraint} · '
        f"{e(h.created)}</span></td>\n        <td>{e(h.status)}</td>\n        <td>{e(h.verdict)}{reason}</td>\n"
        f'        <td class="num">{e(h.measured)}</td>\n        <td>{e(h.learning)}</td>\n'
        f"        <td>{e(h.author)}</td>\n      </tr>"
    )


@require_GET
def history(request, company_id: int):
    company, membership = access_company(request.user, company_id)
    form, queryset = _history_query(request, company)
    stats = selectors.history_stats(queryset)
    page = _history_page(request, queryset, stats.total)
    context = {
        "company": company,
        "membership": membership,
        "form": form,
        "page": page,
        "rows": _history_rows(company, page.object_list),
        "stats": stats,
    }
    context["rows_html"] = mark_safe("".join(row.html for row in context["rows"]))  # each made safe
    return render(request, "hypotheses/history.html", context)


CSV_COLUMNS = [
    gettext_lazy("Title"),
    gettext_lazy("Kind"),
    gettext_lazy("Status"),
    gettext_lazy("Main constraint"),
    gettext_lazy("Metric"),
    gettext_lazy("Baseline"),
    gettext_lazy("Expected value"),
    gettext_lazy("Measured value"),
    gettext_lazy("Verdict"),
    gettext_lazy("Against the numbers, because"),
    "ICE",
    gettext_lazy("Author"),
    gettext_lazy("Created"),
    gettext_lazy("Testing since"),
    gettext_lazy("Decided"),
    gettext_lazy("Hypothesis"),
    gettext_lazy("What we learned"),
]


CSV_FIELDS = [
    "title",
    "kind",
    "status",
    "constraint__title",
    "metric__name",
    "baseline",
    "expected_value",
    "measured_value",
    "verdict",
    "against_numbers_reason",
    "ice",
    "author__full_name",
    "author__email",
    "created_on",
    "testing_started_on",
    "decided_on",
    "statement",
    "learning",
]


# The days of a hypothesis's moments, as the history's page shows them (in the reader's time
# zone), given by the database as dates: a moment read as a datetime costs far more to load.
# The Cast leaves out TruncDate's Python converter, which would check every value again.
CSV_DAYS = {
    f"{moment}_on": Cast(TruncDate(f"{moment}_at"), DateField()) for moment in ("created", "testing_started", "decided")
}


def _day(day):
    return day.isoformat() if day else ""


def _csv_rows(queryset):
    """Plain tuples straight from the database, in chunks: no model instance, no template.
    Labels are translated here, in the request's language, before the stream starts."""
    labels = {choices: {value: str(label) for value, label in choices.choices} for choices in (Kind, Status, Verdict)}
    # The same few numbers and days recur down a long export: each is written once.
    written = {"number": cache(plain), "day": cache(_day)}
    rows = newest_first(queryset.annotate(**CSV_DAYS), [*CSV_FIELDS, "pk"])
    return csv_lines(CSV_COLUMNS, (_csv_row(labels, written, *row) for row in rows))


def _csv_row(
    labels,
    written,
    title,
    kind,
    status,
    constraint,
    metric,
    baseline,
    expected,
    measured,
    verdict,
    reason,
    ice,
    author_name,
    author_email,
    created_on,
    testing_started_on,
    decided_on,
    statement,
    learning,
    _pk,
) -> list:
    """One hypothesis as its CSV line's cells, from the values of CSV_FIELDS."""
    number, day = written["number"], written["day"]
    return [
        title,
        labels[Kind].get(kind, kind),
        labels[Status].get(status, status),
        constraint or "",
        metric or "",
        number(baseline),
        number(expected),
        number(measured),
        labels[Verdict].get(verdict, ""),
        reason,
        ice,
        author_name or author_email or "",
        day(created_on),
        day(testing_started_on),
        day(decided_on),
        statement,
        learning,
    ]


@require_GET
def history_csv(request, company_id: int):
    company, _membership = access_company(request.user, company_id)
    _form, queryset = _history_query(request, company, shown=False)
    return csv_response(_csv_rows(queryset), f"hypotheses-{company.pk}.csv")
