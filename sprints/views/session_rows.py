"""The weekly session page's context and its rows: what each row shows (`.v`: the values, as
stored or as typed in a refused submit; `.err`: its errors by field, "row" for the row as a
whole), read from a post one row at a time. Fixed queries whatever the number of rows."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hypotheses.models import Verdict
from tracking.numbers import input_value, plain, unit_label
from tracking.query_params import ids_param, number_param
from tracking.roles import Permission, role_allows

from .. import selectors, services
from .. import session as steps
from ..access import can_log_results
from ..capacity import sprint_capacity
from ..forms import CloseForm, SessionNewActionForm, SessionVerdictForm
from ..models import Action, ActionStatus, SessionStep, Sprint, SprintStatus
from . import starting

NEW_ROWS = 5
NEW_ROWS_MAX = 20
DEFAULT_HOURS = "1"
STEP_ORDER = list(SessionStep.values)


class RowErrors(dict):
    """A row's errors by field; a field without errors reads as none (so a template asking
    `row.err.title` finds an empty list instead of failing a lookup)."""

    def __missing__(self, key):
        return ()


NO_ERRORS = RowErrors()


def _error_dict(error, fields) -> RowErrors:
    """A refusal as {field: [messages]}; what belongs to no field of the row goes under "row"."""
    if isinstance(error, dict):  # a form's errors
        items = error.items()
    elif hasattr(error, "error_dict"):
        items = ((name, ValidationError(errors).messages) for name, errors in error.error_dict.items())
    else:
        items = [("row", error.messages)]
    out = RowErrors()
    for name, messages in items:
        out.setdefault(name if name in fields else "row", []).extend(messages)
    return out


# --- Reading a step's rows from a post ---------------------------------------------------------


@dataclass
class RowsRead:
    fields: tuple
    typed: dict = field(default_factory=dict)  # pk → {field: raw value}
    parsed: list = field(default_factory=list)  # (object, cleaned data)
    refused: dict = field(default_factory=dict)  # pk → {field: [messages]}

    def refuse(self, errors: dict) -> None:
        for key, error in errors.items():
            self.refused[key] = _error_dict(error, self.fields)
            if isinstance(error, services.StaleAction) and key in self.typed:
                # Someone saved the action meanwhile: the error shows theirs; saving again overrides.
                self.typed[key]["version"] = error.current.version

    def result_rows(self):
        # The session's results rows log no cost (ActionLogForm's cost is the results page's).
        return [steps.ResultRow(action=a, **{k: v for k, v in data.items() if k != "cost"}) for a, data in self.parsed]

    def verdict_rows(self):
        return [steps.VerdictRow(hypothesis=h, **data) for h, data in self.parsed]

    def metric_rows(self):
        return [steps.MetricRow(metric=m, value=data["value"], current=m.this_week) for m, data in self.parsed]

    def outcome(self, step: str, only: int | None) -> dict:
        """What the page shows after the post: on a refusal every row as typed; after one row
        saved alone, the other rows as typed; after all saved, the rows as stored."""
        if self.refused:
            return {"typed": {step: self.typed}, "refused": {step: self.refused}}
        if only is not None:
            others = {pk: values for pk, values in self.typed.items() if pk != only}
            return {"typed": {step: others} if others else {}, "saved": {step: {only}}}
        return {"saved": {step: set(self.typed)}}


def _typed(form) -> dict:
    return {name: form[name].value() for name in form.fields}


def _skip_verdict(obj, values) -> bool:
    """A hypothesis row nobody touched: no decision but the suggested one, no note, no reason,
    the measured value as shown (the same number, however it is written)."""
    measured = str(values.get("measured") or "").strip()
    number = number_param(measured, SessionVerdictForm.base_fields["measured"])
    as_shown = number == obj.measured_shown if number is not None else not measured and obj.measured_shown is None
    return (
        values.get("decision") in ("", None, obj.suggested)
        and not values.get("note")
        and not values.get("against_reason")
        and as_shown
    )


def read_rows(post, objects, form_class, prefix: str, only: int | None) -> RowsRead:
    """Each object's row in the post (its fields are `<prefix><pk>-<field>`): what was typed,
    and, for the rows to save (every row, or `only`), the parsed values or the form's errors."""
    read = RowsRead(fields=tuple(form_class.base_fields))
    for obj in objects:
        name = f"{prefix}{obj.pk}"
        if not any(f"{name}-{field_name}" in post for field_name in read.fields):
            continue
        form = form_class(post, prefix=name)
        read.typed[obj.pk] = values = _typed(form)
        if (only is not None and obj.pk != only) or (prefix == "v" and _skip_verdict(obj, values)):
            continue
        if form.is_valid():
            read.parsed.append((obj, form.cleaned_data))
        else:
            read.refused[obj.pk] = _error_dict(form.errors, read.fields)
    return read


def form_outcome(step: str, pk: int, form) -> dict:
    """One row's form (refused) as the page's typed values and errors."""
    return {"typed": {step: {pk: _typed(form)}}, "refused": {step: {pk: _error_dict(form.errors, tuple(form.fields))}}}


@dataclass
class PlanRead:
    fields: tuple
    rows: list = field(default_factory=list)  # {"i", "title", "owner", "estimate_hours", "cost"} as typed
    parsed: list = field(default_factory=list)  # (i, cleaned data)
    refused: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)

    def refuse(self, errors: dict) -> None:
        for key, error in errors.items():
            self.refused[key] = _error_dict(error, self.fields)

    def new_actions(self):
        return [
            (i, steps.NewAction(data["title"], self.members.get(data["owner"]), data["estimate_hours"], data["cost"]))
            for i, data in self.parsed
        ]

    def outcome(self, carry) -> dict:
        if self.refused:
            return {"plan_rows": self.rows, "refused": {"plan": self.refused}, "carry_ticked": set(carry)}
        return {"saved": {"plan": {i for i, _data in self.parsed}}}


def read_new_rows(post, members, form_class) -> PlanRead:
    """The plan step's new rows (`n<i>-title`, `n<i>-owner`, `n<i>-estimate_hours`, `n<i>-cost`);
    a row without a title is ignored."""
    read = PlanRead(fields=tuple(form_class.base_fields), members={m.pk: m for m in members})
    for i in range(NEW_ROWS_MAX):
        if f"n{i}-title" not in post:
            continue
        form = form_class(post, prefix=f"n{i}", members=members)
        values = _typed(form)
        read.rows.append({"i": i, **values})
        if not (values.get("title") or "").strip():
            continue
        if form.is_valid():
            read.parsed.append((i, form.cleaned_data))
        else:
            read.refused[i] = _error_dict(form.errors, read.fields)
    return read


# --- The page ------------------------------------------------------------------------------------
# What the rows show is built here once per page, as plain dicts the templates read without a
# lookup that fails (issue 12): the words of a select or radio group rendered once and shared by
# every row with the same choice, owners' names from the page's members, numbers as shown.

SELECTED = mark_safe(" selected")


class _Options:
    """A select's <option>s rendered once per page and selected value, shared by the rows."""

    def __init__(self, choices):
        self.choices = [(str(value), str(label)) for value, label in choices]
        self.rendered = {}

    def __call__(self, selected) -> str:
        if selected not in self.rendered:
            self.rendered[selected] = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((value, SELECTED if value == selected else "", label) for value, label in self.choices),
            )
        return self.rendered[selected]


class _Radios:
    """A radio group rendered once per page: each choice's markup after the group's name, so a
    row only puts its own name in front."""

    HEAD = '<label class="check"><input type="radio" name="'

    def __init__(self, choices):
        self.parts = [
            (
                str(value),
                format_html('" value="{}"> {}</label>', value, label),
                format_html('" value="{}" checked> {}</label>', value, label),
            )
            for value, label in choices
        ]

    def __call__(self, name: str, checked) -> str:
        head = self.HEAD + conditional_escape(name)
        return mark_safe("".join(head + (on if value == checked else off) for value, off, on in self.parts))


def _shown(values: dict) -> dict:
    """A row's values as its inputs are pre-filled: nothing for None (what `|default:""` did)."""
    return {name: value or "" for name, value in values.items()}


class _Shown:
    """What many rows show alike, made once per page: the owners' names (from the page's
    members, so no row joins its owner) and numbers as the page shows them (plain: as typed,
    with the language's decimal separator; hours have one decimal, so this is what
    floatformat:"-1" gave), each distinct value formatted once. A number is digits and
    separators, so the template need not escape it."""

    def __init__(self, members):
        self.names = {m.pk: m.name for m in members}
        self.no_owner = _("no owner")
        self.numbers = {}

    def owner(self, membership_id: int | None) -> str:
        return self.names.get(membership_id, self.no_owner)

    def number(self, value):
        if value is None:
            return None
        if value not in self.numbers:
            self.numbers[value] = mark_safe(plain(value, localize=True))
        return self.numbers[value]


def _id(pk: int) -> str:
    """A row's id as its names and ids repeat it (digits: nothing to escape or localize)."""
    return mark_safe(str(pk))


def _rights(membership) -> dict:
    return {
        "can_run": role_allows(membership.role, Permission.PLAN_SPRINT),
        "can_close": role_allows(membership.role, Permission.CLOSE_SPRINT),
        "can_start": role_allows(membership.role, Permission.START_SPRINT),
        "can_decide": role_allows(membership.role, Permission.EDIT_HYPOTHESIS),
        "can_edit_metrics": role_allows(membership.role, Permission.EDIT_PLANNING),
        "can_override": role_allows(membership.role, Permission.OVERRIDE_CAPACITY),
    }


def _multiline(text: str) -> bool:
    return "\n" in (text or "")


def _result_rows(actions, membership, shown, typed, refused, saved) -> list[dict]:
    runs = role_allows(membership.role, Permission.PLAN_SPRINT)  # the session's saves begin the session
    options = _Options(ActionStatus.choices)
    labels = dict(options.choices)
    rows = []
    for a in actions:
        v = typed.get(a.pk) or {
            "status": a.status,
            "result_note": a.result_note,
            "why_not_note": a.why_not_note,
            "version": a.version,
        }
        can_log = runs and can_log_results(membership, a)
        rows.append(
            {
                "pk": _id(a.pk),
                "title": a.title,
                "status": a.status,
                "owner": shown.owner(a.owner_id),
                "hours": shown.number(a.estimate_hours),
                "hypothesis": a.hypothesis_title if a.hypothesis_id else None,
                "can_log": can_log,
                "v": _shown(v),
                "options": options(v.get("status")) if can_log else "",
                "label": labels.get(a.status, a.status),
                "result_note": a.result_note,
                "why_not_note": a.why_not_note,
                "err": refused.get(a.pk) or NO_ERRORS,
                "multiline": _multiline(v.get("result_note")) or _multiline(v.get("why_not_note")),
                "saved": a.pk in saved,
            }
        )
    return rows


class _NumbersLine:
    """A verdict row's numbers as one line of markup (the metric's baseline → expected value,
    the measured value and where it comes from, kept in test, the check date), its words
    translated once per page."""

    def __init__(self):
        self.measured = _("measured")
        self.source = {"metric": _("from the metric's values"), "logged": _("as logged during the week")}
        self.kept = _("kept in test")
        self.overdue = _("past its check date")
        self.check_by = _("check by")
        self.criteria = _("How we will know it worked")
        self.numbers_say = _("The numbers say")
        self.verdicts = dict(Verdict.choices)

    def decision(self, h) -> str:
        """What the row decides on: the pre-registered criteria and the verdict of the numbers."""
        parts = []
        if h.success_criteria:
            parts.append(
                format_html(
                    '<p class="criteria"><span class="muted">{}:</span> {}</p>', self.criteria, h.success_criteria
                )
            )
        if h.suggested:
            parts.append(
                format_html(
                    '<p class="suggestion">{}: <strong>{}</strong></p>', self.numbers_say, self.verdicts[h.suggested]
                )
            )
        return mark_safe("".join(parts))  # every part escaped by format_html

    def __call__(self, h, shown, kept: bool) -> str:
        parts = []
        if h.metric_id:
            parts.append(
                format_html("{}: {} → {}", h.metric_name, shown.number(h.baseline), shown.number(h.expected_value))
            )
        if h.measured_shown is not None:
            parts.append(
                format_html(
                    "{} <strong>{}</strong> ({})",
                    self.measured,
                    shown.number(h.measured_shown),
                    self.source[h.measured_source],
                )
            )
        if kept:
            parts.append(format_html('<span class="badge">{}</span>', self.kept))
        if h.check_by:
            day = date_format(h.check_by, "j E")
            if h.overdue:
                parts.append(format_html('<span class="badge danger">{}: {}</span>', self.overdue, day))
            else:
                parts.append(format_html("{} {}", self.check_by, day))
        return mark_safe(" · ".join(parts))  # every part escaped by format_html


def _verdict_rows(company, testing, shown, kept, typed, refused) -> list[dict]:
    """Each hypothesis under test with its numbers: the metric's baseline → expected value, the
    criteria, the measured value and the verdict the numbers give, pre-selected (the person
    decides; going against the numbers asks for a reason)."""
    url = reverse("hypotheses:detail", args=[company.pk, 0]).removesuffix("0/")
    radios = _Radios(_decisions())
    numbers = _NumbersLine()
    rows = []
    for h in testing:
        v = typed.get(h.pk) or {
            "decision": h.suggested,
            "measured": input_value(h.measured_shown) or "",
            "note": "",
            "against_reason": "",
        }
        rows.append(
            {
                "pk": _id(h.pk),
                "url": f"{url}{h.pk}/",
                "title": h.title,
                "numbers": numbers(h, shown, h.pk in kept),
                "decision": numbers.decision(h),
                "kept": h.pk in kept,
                "v": _shown(v),
                "radios": radios(f"v{h.pk}-decision", v.get("decision")),
                "err": refused.get(h.pk) or NO_ERRORS,
            }
        )
    return rows


def _decisions():
    return [*Verdict.choices, (steps.KEEP_TESTING, _("Keep testing"))]


def _metric_rows(metrics, shown, typed, refused, saved) -> list[dict]:
    return [
        {
            "pk": _id(m.pk),
            "name": m.name,
            "unit_label": unit_label(m.unit),
            "target": shown.number(m.target),
            "this_week": shown.number(m.this_week) or "",
            "v": (typed.get(m.pk) or {}).get("value", input_value(m.this_week) or "") or "",
            "err": refused.get(m.pk) or NO_ERRORS,
            "saved": m.pk in saved,
        }
        for m in metrics
    ]


# Every action not done may go on into the next sprint: one not begun, one under way, and one
# given up on this week ("not done", with its reason, which the carried copy shows).
CARRIABLE = (ActionStatus.TODO, ActionStatus.DOING, ActionStatus.NOT_DONE)


def _unfinished(actions):
    return [a for a in actions if a.status in CARRIABLE and not a.is_carried]


def _carry_rows(carry, shown) -> list[dict]:
    return [
        {
            "pk": _id(c.action.pk),
            "title": c.action.title,
            "why_not": c.action.why_not_note if c.action.status == ActionStatus.NOT_DONE else "",
            "ticked": c.ticked,
            "fits": c.fits,
            "owner": shown.owner(c.action.owner_id),
            "hours": shown.number(c.action.estimate_hours),
            "before": shown.number(c.load_before),
            "after": shown.number(c.load_after),
            "available": shown.number(c.available),
        }
        for c in carry
    ]


def _plan(company, sprint, actions, members, *, typed_rows, refused, ticked, extra=(), shown=None):
    """The next sprint's board inside the session: its actions, capacity bars, the unfinished
    actions to carry over (with what each does to its owner's hours) and blank rows."""
    upcoming = selectors.next_sprint(company, sprint)
    if upcoming is not None:
        planned = steps.session_actions(upcoming)
        target = upcoming
    else:
        start, end = services.default_dates(company, after=sprint.ends_on)
        planned, target = [], Sprint(company=company, starts_on=start, ends_on=end)
    capacity = sprint_capacity(target, [*planned, *extra], members=members)
    context = {"upcoming": upcoming, "next_dates": (target.starts_on, target.ends_on), "plan_capacity": capacity}
    if shown is None:  # the bars alone (plan_preview)
        return context
    loads = {o.membership.pk: o.load for o in capacity.owners}
    budget_left = None if target.budget is None else target.budget - capacity.cost_total
    carry = steps.carry_choices(
        _unfinished(actions), members=members, loads=loads, days=target.days, budget_left=budget_left, ticked=ticked
    )
    latest = max(planned, key=lambda a: a.pk, default=None) or max(actions, key=lambda a: a.pk, default=None)
    owner = latest.owner_id if latest and latest.owner_id else ""
    rows = typed_rows or [
        {"i": i, "title": "", "owner": owner, "estimate_hours": DEFAULT_HOURS, "cost": ""} for i in range(NEW_ROWS)
    ]
    owner_options = _Options((m.pk, m.name) for m in members)
    for row in rows:
        row["err"] = refused.get(row["i"]) or NO_ERRORS
        row["title"], row["estimate_hours"] = row.get("title") or "", row.get("estimate_hours") or ""
        row["cost"] = row.get("cost") or ""
        row["owner"] = str(row.get("owner") or "")
        row["owner_options"] = owner_options(row["owner"])
    planned_rows = [
        {
            "title": a.title,
            "owner": shown.owner(a.owner_id),
            "hours": shown.number(a.estimate_hours),
            "carried": a.carried_over_from_id is not None,
            "why_not": a.carried_why_not or "",
        }
        for a in planned
    ]
    return {**context, "planned": planned_rows, "carry": _carry_rows(carry, shown), "new_rows": rows}


def plan_preview(company, membership, query) -> dict:
    """The capacity bars of the next sprint as they would be with the ticked carry-over and the
    typed rows (nothing is saved): what the plan form shows while it is filled in."""
    sprint = selectors.current_sprint(company)
    members = selectors.members(company)
    context = {"company": company, "plan_capacity": None}
    if sprint is None:
        return context
    actions = steps.session_actions(sprint)
    ticked = set(ids_param(query.getlist("carry")))
    rows = read_new_rows(query, members, SessionNewActionForm)
    extra = [a for a in _unfinished(actions) if a.pk in ticked]
    extra += [
        Action(
            title=data["title"],
            owner=rows.members.get(data["owner"]),
            estimate_hours=data["estimate_hours"],
            cost=data["cost"],
        )
        for _i, data in rows.parsed
    ]
    plan = _plan(company, sprint, actions, members, typed_rows=None, refused={}, ticked=None, extra=extra)
    context["plan_capacity"] = plan["plan_capacity"]
    return context


def session_context(
    company,
    membership,
    *,
    typed=None,
    refused=None,
    saved=None,
    error=None,
    close_form=None,
    plan_rows=None,
    carry_ticked=None,
    start_error="",
    start_reason="",
) -> dict:
    typed, refused, saved = typed or {}, refused or {}, saved or {}
    sprint = selectors.current_sprint(company)
    context = {"company": company, "membership": membership, "sprint": sprint, **_rights(membership)}
    if sprint is None:
        return context | {"session_error": error} | _waiting(company, membership, start_error, start_reason)
    error = error or start_error or None
    actions = steps.session_actions(sprint)
    testing = steps.session_hypotheses(company, sprint)
    review = selectors.session_review(sprint)
    kept = {h.pk for h in review.kept_in_test.all()} if review else set()
    members = selectors.members(company)
    shown = _Shown(members)
    step = review.step if review else SessionStep.RESULTS
    plan = _plan(
        company,
        sprint,
        actions,
        members,
        typed_rows=plan_rows,
        refused=refused.get("plan", {}),
        ticked=carry_ticked,
        shown=shown,
    )
    open_actions = sum(1 for a in actions if not a.is_resolved)
    undecided = [h.title for h in testing if h.pk not in kept]
    context.update(
        {
            "review": review,
            "steps": SessionStep.choices,
            "step": step,
            "open_steps": STEP_ORDER[STEP_ORDER.index(step) :],
            "actions": _result_rows(
                actions,
                membership,
                shown,
                typed.get("results", {}),
                refused.get("results", {}),
                saved.get("results", set()),
            ),
            "logged": len(actions) - open_actions,
            "total": len(actions),
            "testing": _verdict_rows(
                company, testing, shown, kept, typed.get("verdicts", {}), refused.get("verdicts", {})
            ),
            "metrics": _metric_rows(
                selectors.metrics_with_this_week(company),
                shown,
                typed.get("metrics", {}),
                refused.get("metrics", {}),
                saved.get("metrics", set()),
            ),
            "constraint": company.constraints.filter(status="active").first(),
            "closing_problems": services.closing_problems(
                sprint, open_actions=open_actions, undecided_titles=undecided
            ),
            "close_form": close_form or _close_form(review),
            "session_error": error,
            "refused": refused,
            "saved": saved,
            **plan,
        }
    )
    return context


def _waiting(company, membership, error, reason) -> dict:
    """Nothing runs: the planned sprint that waits to be started (what does not fit, a refused
    start's reason and what was typed), so the page offers to start it, not to plan another."""
    waiting = starting.waiting_sprint(company)
    if waiting is None:
        return {}
    problems = services.capacity_problems(waiting)
    context = starting.start_context(
        membership, waiting, where="session", error=error, reason=reason, problems=problems
    )
    return {"waiting": waiting, **context}


def _close_form(review):
    fields = ("what_worked", "what_to_fix", "notes")
    return CloseForm(initial={name: getattr(review, name) if review else "" for name in fields})


# --- After the close -----------------------------------------------------------------------------


def closed_sprint(company, sprint_id: int | None) -> Sprint | None:
    """A closed sprint of this business, or None."""
    if sprint_id is None:
        return None
    return (
        Sprint.objects.select_related("company", "review")
        .filter(pk=sprint_id, company=company, status=SprintStatus.CLOSED)
        .first()
    )


def closed_context(company, membership, closed: Sprint, *, not_started=None, reason="") -> dict:
    """The closed sprint's summary, its report, and the next sprint: started, or why not (with
    the fix: the reason to start anyway, or its board)."""
    following = steps.sprint_after(closed)
    planned = following is not None and following.status == SprintStatus.PLANNED
    return {
        "company": company,
        "membership": membership,
        "closed": closed,
        "summary": steps.closed_summary(closed),
        "following": following,
        "following_planned": planned,
        "not_started": " ".join(not_started.messages) if not_started is not None else "",
        "start_problems": services.capacity_problems(following) if planned and not_started is None else [],
        "override_reason": reason.strip(),
        **_rights(membership),
    }
