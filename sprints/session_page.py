"""The weekly session page's presenter: what the views of sprints/views/session.py render,
made from the selectors' reads. The page's context, each step's card alone, one row alone and the small parts
that refresh themselves after a save (the logged count, what stops the close, whether the next
sprint fits, the carry-over list). What each row shows (`.v`: the values, as stored or as typed
in a refused submit; `.err`: its errors by field, "row" for the row as a whole) is read from a
post one row at a time, and only the rows to save are parsed by a form. Fixed queries whatever
the number of rows; an answer reads only what it shows (`SessionData` loads each thing on first
use)."""

from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hypotheses.models import Verdict
from tracking.markup import esc as _esc
from tracking.markup import html as _html
from tracking.markup import html_join as _html_join
from tracking.models import ConstraintStatus
from tracking.numbers import input_value, money, plain, unit_label
from tracking.query_params import ids_param, number_param
from tracking.roles import Permission, role_allows

from . import schedule, selectors, services, starting
from . import session as steps  # the rows its services take
from .access import can_log_results
from .capacity import capacity_problems, carry_choices, sprint_capacity
from .forms import CloseForm, SessionNewActionForm, SessionVerdictForm
from .models import Action, ActionStatus, SessionStep, Sprint, SprintStatus

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
    forms: int = 0  # forms built: one per row to save, none for a row only shown again

    def refuse(self, errors: dict) -> None:
        for key, error in errors.items():
            self.refused[key] = _error_dict(error, self.fields)
            if isinstance(error, services.StaleAction) and key in self.typed:
                # Someone saved the action meanwhile: the error shows theirs; saving again overrides.
                self.typed[key]["version"] = error.current.version

    def result_rows(self):
        # The session's results rows log no spending (ActionLogForm's spent is the results page's).
        return [steps.ResultRow(action=a, **{k: v for k, v in data.items() if k != "spent"}) for a, data in self.parsed]

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


def _posted(post, name: str, fields) -> dict | None:
    """A row's values as typed (what its inputs send, None for one not sent), or None when the
    post has no field of the row."""
    keys = [f"{name}-{field_name}" for field_name in fields]
    if not any(key in post for key in keys):
        return None
    return {field_name: post.get(key) for field_name, key in zip(fields, keys, strict=True)}


def result_unchanged(action, values) -> bool:
    """A results row as the page showed it: nothing to save (the service leaves it alone too)."""
    typed = (
        values.get("status"),
        (values.get("result_note") or "").strip(),
        (values.get("why_not_note") or "").strip(),
    )
    return typed == (action.status, action.result_note, action.why_not_note)


def metric_unchanged(metric, values) -> bool:
    """A metric row left blank or as the page showed it."""
    typed = (values.get("value") or "").strip()
    return not typed or typed == input_value(metric.this_week)


def verdict_untouched(hypothesis, values) -> bool:
    """A hypothesis row nobody touched: no decision but the suggested one, no note, no reason,
    the measured value as shown (the same number, however it is written)."""
    measured = str(values.get("measured") or "").strip()
    number = number_param(measured, SessionVerdictForm.base_fields["measured"])
    shown = hypothesis.measured_shown
    as_shown = number == shown if number is not None else not measured and shown is None
    return (
        values.get("decision") in ("", None, hypothesis.suggested)
        and not values.get("note")
        and not values.get("against_reason")
        and as_shown
    )


def read_rows(post, objects, form_class, prefix: str, only: int | None, unchanged) -> RowsRead:
    """Each object's row in the post (its fields are `<prefix><pk>-<field>`): what was typed,
    and, for the rows to save (every row, or `only`, that `unchanged` does not leave alone),
    the parsed values or the form's errors. A form is built for those rows only."""
    read = RowsRead(fields=tuple(form_class.base_fields))
    for obj in objects:
        name = f"{prefix}{obj.pk}"
        values = _posted(post, name, read.fields)
        if values is None:
            continue
        read.typed[obj.pk] = values
        if (only is not None and obj.pk != only) or unchanged(obj, values):
            continue
        form = form_class(post, prefix=name)
        read.forms += 1
        if form.is_valid():
            read.parsed.append((obj, form.cleaned_data))
        else:
            read.refused[obj.pk] = _error_dict(form.errors, read.fields)
    return read


def form_outcome(step: str, pk: int, form) -> dict:
    """One row's form (refused) as the page's typed values and errors."""
    typed = {name: form[name].value() for name in form.fields}
    return {"typed": {step: {pk: typed}}, "refused": {step: {pk: _error_dict(form.errors, tuple(form.fields))}}}


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
    a row without a title is ignored (and parsed by no form)."""
    read = PlanRead(fields=tuple(form_class.base_fields), members={m.pk: m for m in members})
    for i in range(NEW_ROWS_MAX):
        if f"n{i}-title" not in post:
            continue
        values = _posted(post, f"n{i}", read.fields)
        read.rows.append({"i": i, **values})
        if not (values.get("title") or "").strip():
            continue
        form = form_class(post, prefix=f"n{i}", members=members)
        if form.is_valid():
            read.parsed.append((i, form.cleaned_data))
        else:
            read.refused[i] = _error_dict(form.errors, read.fields)
    return read


# --- What rows show ---------------------------------------------------------------------------------
# Built here once per answer, as plain dicts the templates read without a lookup that fails
# (each failed lookup raises and catches an exception, and a page has it for every row): the
# words of a select or radio group rendered once and shared by every row with the same choice,
# owners' names from the members, numbers as shown (text: a template localizes nothing, so it
# needs no {% localize %} block).


SELECTED = mark_safe(" selected")


class _Options:
    """A select's <option>s rendered once per page and selected value, shared by the rows."""

    def __init__(self, choices):
        self.choices = [(str(value), str(label)) for value, label in choices]
        self.rendered = {}

    def __call__(self, selected) -> str:
        if selected not in self.rendered:
            self.rendered[selected] = _html_join(
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
                _html('" value="{}"> {}</label>', value, label),
                _html('" value="{}" checked> {}</label>', value, label),
            )
            for value, label in choices
        ]

    def __call__(self, name: str, checked) -> str:
        head = self.HEAD + _esc(name)
        return mark_safe("".join(head + (on if value == checked else off) for value, off, on in self.parts))


def _shown(values: dict) -> dict:
    """A row's values as its inputs are pre-filled: text, nothing for None (what `|default:""`
    did)."""
    return {name: str(value) if value else "" for name, value in values.items()}


class _Shown:
    """What many rows show alike, made once per answer: the owners' names (from the members, so
    no row joins its owner), numbers as the page shows them (plain: as typed, with the
    language's decimal separator; hours have one decimal, so this is what floatformat:"-1"
    gave), each distinct value formatted once, and an owner with hours ("Anna · 1.5 h"). A
    number is digits and separators, so the template need not escape it."""

    def __init__(self, members):
        self.names = {m.pk: m.name for m in members}
        self.no_owner = _("no owner")
        self.hours = _("h")
        self.numbers = {}

    def owner(self, membership_id: int | None) -> str:
        return self.names.get(membership_id, self.no_owner)

    def number(self, value):
        if value is None:
            return None
        if value not in self.numbers:
            self.numbers[value] = mark_safe(plain(value, localize=True))
        return self.numbers[value]

    def who(self, membership_id: int | None, hours) -> str:
        return f"{self.owner(membership_id)} · {self.number(hours)} {self.hours}"


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


def _words() -> dict:
    """The words the rows repeat, in the answer's language, translated once (a row alone is
    rendered without the page's {% translate %} tags around its loop)."""
    return {
        "status": _("Status"),
        "result": _("Result"),
        "why_not": _("Why not"),
        "save_row": _("Save this row"),
        "saved": _("Saved"),
        "verdict": _("Verdict"),
        "measured": _("Measured value"),
        "why": _("Why"),
        "record": _("Record"),
        "against": _("Against the numbers, because…"),
        "against_help": _("Only when your verdict differs from what the numbers say."),
        "save": _("Save"),
        "action": _("Action"),
        "owner": _("Owner"),
        "hours": _("Hours"),
        "cost": _("Cost"),
    }


def _multiline(text: str) -> bool:
    return "\n" in (text or "")


# What a row's button opens it with: a result row still open, as done or not done (the cursor
# then in its note); a decided row, as it is.
OPEN_AS = (ActionStatus.DONE, ActionStatus.NOT_DONE)


class _RowButtons:
    """The buttons that open a row, made once per answer for all its rows: one per choice, each
    an htmx GET of the row with its fields and `as=` the choice (without JavaScript, a link to
    the page with the row open). They share the row as their target, and the group is named
    after the row, so a row puts in only its id and its title."""

    def __init__(self, fragment: str, param: str, anchor: str, choices):
        buttons = "".join(
            _html(
                ' <a class="button secondary small" href="?{param}=@pk@{choice}#{anchor}-@pk@"'
                ' hx-get="?fragment={fragment}&amp;{param}=@pk@{choice}">{label}</a>',
                param=param,
                choice=mark_safe(f"&amp;as={value}") if value else "",
                anchor=anchor,
                fragment=fragment,
                label=label,
            )
            for value, label in choices
        )
        self.html = (
            f' <span class="row-buttons" role="group" aria-label="@title@" hx-target="#{anchor}-@pk@"'
            f' hx-swap="outerHTML">{buttons}</span>'
        )

    def __call__(self, pk: int, title: str) -> str:
        return mark_safe(self.html.replace("@pk@", str(int(pk))).replace("@title@", _esc(title)))


class _ResultText:
    """A results row as text, made in one pass: its head (title, owner and hours, hypothesis)
    and its result line with the buttons that open its fields: "Done" and "Not done" for an
    action still open, "Edit" for one resolved. The words are translated once per answer."""

    def __init__(self, labels: dict):
        self.labels = labels
        self.edit = _RowButtons("result", "edit", "result", [("", _("Edit"))])
        self.log = _RowButtons("result", "edit", "result", [(status, labels[status]) for status in OPEN_AS])
        self.saved = _html(' <span class="saved" role="status">{}</span>', _("Saved"))

    def head(self, a, who: str) -> str:
        badge = _html(' <span class="badge">{}</span>', a.hypothesis_title) if a.hypothesis_id else ""
        return _html(
            '<div class="log-head"><strong>{}</strong> <span class="muted">{}</span>{}</div>', a.title, who, badge
        )

    def text(self, a, *, can_log: bool, saved: bool) -> str:
        why_not = _html(' <span class="muted">— {}</span>', a.why_not_note) if a.why_not_note else ""
        button = ""
        if can_log:
            button = (self.edit if a.is_resolved else self.log)(a.pk, a.title)
        return _html(
            '<p class="log-result"><span class="badge">{}</span> {}{}{}{}</p>',
            self.labels.get(a.status, a.status),
            a.result_note,
            why_not,
            button,
            self.saved if saved else "",
        )


def _result_rows(
    actions, membership, shown, typed, refused, saved, editing=frozenset(), *, opened_as=None
) -> list[dict]:
    """Each action as text, with its buttons to log or edit it; its fields only for the rows
    being edited (asked for, or typed and not saved). A row opened as done or not done has that
    status chosen and the cursor in its note (`focus`)."""
    runs = role_allows(membership.role, Permission.PLAN_SPRINT)  # the session's saves begin the session
    options = _Options(ActionStatus.choices)
    labels = dict(options.choices)
    words = _ResultText(labels)
    rows = []
    for a in actions:
        v = typed.get(a.pk) or {
            "status": a.status,
            "result_note": a.result_note,
            "why_not_note": a.why_not_note,
            "version": a.version,
        }
        can_log = runs and can_log_results(membership, a)
        edited = can_log and (a.pk in editing or a.pk in typed or a.pk in refused)
        if edited and a.pk not in typed and opened_as in OPEN_AS:
            v["status"] = opened_as
        row = {
            "pk": _id(a.pk),
            "title": a.title,
            "status": a.status,
            "head": words.head(a, shown.who(a.owner_id, a.estimate_hours)),
            "editing": edited,
            "err": refused.get(a.pk) or NO_ERRORS,
        }
        if edited:
            multiline = _multiline(v.get("result_note")) or _multiline(v.get("why_not_note"))
            # Opened by its button: the cursor goes to the note its status asks for.
            focus = (
                "" if a.pk not in editing else "why_not_note" if v["status"] == ActionStatus.NOT_DONE else "result_note"
            )
            row |= {"v": _shown(v), "options": options(v.get("status")), "multiline": multiline, "focus": focus}
        else:
            row["text"] = words.text(a, can_log=can_log, saved=a.pk in saved)
            row["html"] = _text_row(
                f"log-row status-{a.status}" + (" has-error" if row["err"] else ""),
                f"result-{a.pk}",
                row["head"],
                row["text"],
            )
        rows.append(row)
    return rows


def _text_row(classes: str, row_id: str, head: str, body: str) -> str:
    """A row shown as text, its element made here whole (the template outputs it as it is).
    `classes` and `row_id` are made of choice values and ids: nothing to escape; `head` and
    `body` are made by format_html."""
    tag = "li" if row_id.startswith("result-") else "div"
    return mark_safe(f'<{tag} class="{classes}" id="{row_id}" data-row>\n      {head}\n      {body}\n    </{tag}>')


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
                _html('<p class="criteria"><span class="muted">{}:</span> {}</p>', self.criteria, h.success_criteria)
            )
        if h.suggested:
            parts.append(
                _html('<p class="suggestion">{}: <strong>{}</strong></p>', self.numbers_say, self.verdicts[h.suggested])
            )
        return mark_safe("".join(parts))  # every part escaped by format_html

    def __call__(self, h, shown, kept: bool) -> str:
        parts = []
        if h.metric_id:
            parts.append(_html("{}: {} → {}", h.metric_name, shown.number(h.baseline), shown.number(h.expected_value)))
        if h.measured_shown is not None:
            parts.append(
                _html(
                    "{} <strong>{}</strong> ({})",
                    self.measured,
                    shown.number(h.measured_shown),
                    self.source[h.measured_source],
                )
            )
        if kept:
            parts.append(_html('<span class="badge">{}</span>', self.kept))
        if h.check_by:
            day = date_format(h.check_by, "j E")
            if h.overdue:
                parts.append(_html('<span class="badge danger">{}: {}</span>', self.overdue, day))
            else:
                parts.append(_html("{} {}", self.check_by, day))
        return mark_safe(" · ".join(parts))  # every part escaped by format_html


def _verdict_rows(
    company, testing, shown, typed, refused, editing=frozenset(), *, can_decide: bool, opened_as=None
) -> list[dict]:
    """Each hypothesis under test with its numbers: the metric's baseline → expected value, the
    criteria, the measured value and the verdict the numbers give, pre-selected once its row is
    opened to decide (the person decides; going against the numbers asks for a reason). The
    fields are rendered for the rows being decided only (asked for, or typed and not saved)."""
    url = reverse("hypotheses:detail", args=[company.pk, 0]).removesuffix("0/")
    decisions = _decisions()
    radios = _Radios(decisions)
    buttons = _RowButtons("verdict", "decide", "verdict", decisions)
    numbers = _NumbersLine()
    rows = []
    for h in testing:
        v = typed.get(h.pk) or {
            "decision": h.suggested,
            "measured": input_value(h.measured_shown) or "",
            "note": "",
            "against_reason": "",
        }
        edited = can_decide and (h.pk in editing or h.pk in typed or h.pk in refused)
        if edited and h.pk not in typed and opened_as in dict(decisions):
            v["decision"] = opened_as
        row = {
            "pk": _id(h.pk),
            "title": h.title,
            "head": _html(
                '<h3><a href="{}{}/">{}</a></h3><p class="muted">{}</p>{}',
                url,
                h.pk,
                h.title,
                numbers(h, shown, h.kept),
                numbers.decision(h),
            ),
            "kept": h.kept,
            "editing": edited,
            "err": refused.get(h.pk) or NO_ERRORS,
        }
        if edited:
            # Opened by its button: the cursor goes to the measured value if none is shown, else the why.
            measured_needed = not v.get("measured") and v.get("decision") != steps.KEEP_TESTING
            focus = "" if h.pk not in editing else "measured" if measured_needed else "note"
            row |= {"v": _shown(v), "radios": radios(f"v{h.pk}-decision", v.get("decision")), "focus": focus}
        else:
            # A button per decision: the row opens with it chosen, the cursor in what it still needs.
            button = _html('<p class="row-actions">{}</p>', buttons(h.pk, h.title)) if can_decide else ""
            classes = "verdict-block" + (" kept" if h.kept else "") + (" has-error" if row["err"] else "")
            row["button"] = button
            row["html"] = _text_row(classes, f"verdict-{h.pk}", row["head"], button)
        rows.append(row)
    return rows


def _decisions():
    return [*Verdict.choices, (steps.KEEP_TESTING, _("Keep testing"))]


class _MetricRow:
    """A metric's row made whole in one pass (its label, its input or, for a reader who may not
    enter values, this week's value, its errors, "Saved"), its words translated once per answer."""

    def __init__(self, can_edit: bool):
        self.can_edit = can_edit
        self.save, self.saved = _("Save"), _html('<span class="saved" role="status">{}</span>', _("Saved"))

    def __call__(self, row: dict) -> str:
        pk, err = row["pk"], row["err"]
        target = _html(' <span class="muted">({})</span>', row["target"]) if row["target"] else ""
        if self.can_edit:
            field = _html(
                '<div class="inline-input"><input type="text" inputmode="decimal" name="m{pk}-value"'
                ' id="m{pk}-value" value="{v}">\n        <button type="submit" name="only" value="{pk}"'
                ' class="secondary small" data-row-save>{save}<span class="visually-hidden">: {name}</span>'
                "</button></div>\n      ",
                pk=pk,
                v=row["v"],
                save=self.save,
                name=row["name"],
            )
        else:
            field = _html("<p>{}</p>", row["this_week"])
        errors = _html_join("", '<p class="error">{}</p>', ((e,) for e in (*err["value"], *err["row"])))
        return _html(
            '<div class="metric-log field{has_error}" id="session-metric-{pk}" data-row>\n'
            '      <label for="m{pk}-value">{label}{target}</label>\n      {field}{errors}{saved}\n    </div>',
            has_error=mark_safe(" has-error") if err else "",
            pk=pk,
            label=row["label"],
            target=target,
            field=field,
            errors=errors,
            saved=self.saved if row["saved"] else "",
        )


def _metric_rows(metrics, shown, typed, refused, saved, *, can_edit: bool) -> list[dict]:
    made = _MetricRow(can_edit)
    rows = []
    for m in metrics:
        name, unit, target = m.name, unit_label(m.unit), shown.number(m.target)
        row = {
            "pk": _id(m.pk),
            "name": name,
            "label": f"{name}, {unit}" if unit else name,
            "target": None if target is None else _("target %(value)s") % {"value": target},
            "this_week": shown.number(m.this_week) or "—",
            "v": str((typed.get(m.pk) or {}).get("value", input_value(m.this_week) or "") or ""),
            "err": refused.get(m.pk) or NO_ERRORS,
            "saved": m.pk in saved,
        }
        row["html"] = made(row)
        rows.append(row)
    return rows


# Every action not done may go on into the next sprint: one not begun, one under way, and one
# given up on this week ("not done", with its reason, which the carried copy shows).
CARRIABLE = (ActionStatus.TODO, ActionStatus.DOING, ActionStatus.NOT_DONE)


def _unfinished(actions):
    return [a for a in actions if a.status in CARRIABLE and not a.is_carried]


def _why_not(action) -> str:
    return action.why_not_note if action.status == ActionStatus.NOT_DONE else ""


def _carry_rows(carry, shown) -> str:
    """The actions offered for carrying over, made in one pass: each a checkbox (ticked when
    it fits), its title and what it does to its owner's hours as one line of text,
    "(Anna, 1 h: 2 → 3 / 8 h)"."""
    not_done, would_overbook, h = _("Not done"), _("would overbook"), shown.hours
    rows = []
    for c in carry:
        owner, hours = shown.owner(c.action.owner_id), shown.number(c.action.estimate_hours)
        load = f"{owner}, {hours} {h}"
        if c.available is not None:
            load += f": {shown.number(c.load_before)} → {shown.number(c.load_after)} / {shown.number(c.available)} {h}"
        why_not = _why_not(c.action)
        rows.append(
            _html(
                '<label class="check{}"><input type="checkbox" name="carry" value="{}"{}> {}'
                ' <span class="muted">({})</span>{}{}</label>',
                "" if c.fits else " over",
                c.action.pk,
                " checked" if c.ticked else "",
                c.action.title,
                load,
                _html(' <span class="why-not">{}: {}</span>', not_done, why_not) if why_not else "",
                "" if c.fits else _html(' <strong class="error">{}</strong>', would_overbook),
            )
        )
    return mark_safe("\n".join(rows))  # every row made by format_html


# --- What the session reads, each on first use ----------------------------------------------------


class SessionData:
    """The session's reads for one answer, each made on first use and then shared: the page
    reads them all once; a step's card or a part reads only what it shows. `review`: the one
    joined to the sprint (or none); a view puts in its place the review a save returned."""

    def __init__(self, company, membership, sprint):
        self.company, self.membership, self.sprint = company, membership, sprint
        self.review = getattr(sprint, "review", None)

    @property
    def step(self) -> str:
        return self.review.step if self.review else SessionStep.RESULTS

    @cached_property
    def actions(self) -> list[Action]:
        return selectors.session_actions(self.sprint)

    @cached_property
    def unfinished(self) -> list[Action]:
        """What may be carried over: from the actions when they are read anyway (the page)."""
        if "actions" in self.__dict__:
            return _unfinished(self.actions)
        return selectors.session_actions(self.sprint, statuses=CARRIABLE)

    @cached_property
    def members(self):
        return selectors.members(self.company)

    @cached_property
    def shown(self) -> _Shown:
        return _Shown(self.members)

    @cached_property
    def testing(self):
        return selectors.session_hypotheses(self.company, self.sprint)

    @cached_property
    def upcoming(self) -> tuple:
        """The next sprint (or None), its actions, and the sprint the plan goes into (a new
        one with the default dates when none is planned)."""
        upcoming = selectors.next_sprint(self.company, self.sprint)
        if upcoming is not None:
            return upcoming, selectors.session_actions(upcoming), upcoming
        start, end = schedule.default_dates(self.company, after=self.sprint.ends_on)
        return None, [], Sprint(company=self.company, starts_on=start, ends_on=end)

    def capacity(self, *, extra=(), history=True):
        _upcoming, planned, target = self.upcoming
        return sprint_capacity(target, [*planned, *extra], members=self.members, history=history)


# --- The steps' cards and parts -------------------------------------------------------------------


def _base(data: SessionData, *, refused=None, error=None) -> dict:
    return {
        "company": data.company,
        "membership": data.membership,
        "sprint": data.sprint,
        "review": data.review,
        "step": data.step,
        "steps": SessionStep.choices,
        "open_steps": [],  # the cards drawn open: set by the page, or by a card's answer
        "refused": refused or {},
        "session_error": error,
        "words": _words(),
        **_rights(data.membership),
    }


def _results_card(data, typed, refused, saved, editing=frozenset(), opened_as=None) -> dict:
    rows = _result_rows(
        data.actions,
        data.membership,
        data.shown,
        typed,
        refused,
        saved,
        editing,
        opened_as=opened_as,
    )
    return {"actions": rows}


def _verdicts_card(data, typed, refused, editing=frozenset(), opened_as=None) -> dict:
    can_decide = _rights(data.membership)["can_decide"]
    rows = _verdict_rows(
        data.company, data.testing, data.shown, typed, refused, editing, can_decide=can_decide, opened_as=opened_as
    )
    return {"testing": rows}


def _metrics_card(data, typed, refused, saved) -> dict:
    metrics = selectors.metrics_with_this_week(data.company)
    can_edit = _rights(data.membership)["can_edit_metrics"]
    return {"metrics": _metric_rows(metrics, data.shown, typed, refused, saved, can_edit=can_edit)}


def _constraint_card(data) -> dict:
    # One constraint of a business is active at most: the sprint's focus, when it still is.
    focus = data.sprint.focus
    active = focus is not None and focus.status == ConstraintStatus.ACTIVE
    return {"constraint": focus if active else selectors.focus_constraint(data.company)}


class _NewRow:
    """A blank (or typed) row of the plan step made whole in one pass: its title, owner, hours
    and cost, each with its errors; the words translated once per answer."""

    FIELD = (
        '\n        <div class="field{has_error}"><label for="n{i}-{name}">{label}</label>'
        "\n          {input}{errors}</div>"
    )

    def __init__(self):
        self.words = _words()

    def _field(self, row, name: str, label, field_input: str) -> str:
        errors = row["err"][name]
        return _html(
            self.FIELD,
            has_error=mark_safe(" has-error") if errors else "",
            i=row["i"],
            name=name,
            label=label,
            input=field_input,
            errors=_html_join("", '<p class="error">{}</p>', ((e,) for e in errors)),
        )

    # Each field's input, filled with the row's value (the owner's: its rendered options).
    INPUTS = (
        ("title", "title", '<input type="text" name="n{i}-title" id="n{i}-title" value="{v}" maxlength="300">'),
        (
            "owner",
            "owner_options",
            '<select name="n{i}-owner" id="n{i}-owner" data-follow-owner><option value="">—</option>{v}</select>',
        ),
        (
            "estimate_hours",
            "estimate_hours",
            '<input type="text" inputmode="decimal" name="n{i}-estimate_hours" id="n{i}-estimate_hours" value="{v}">',
        ),
        (
            "cost",
            "cost",
            '<input type="text" inputmode="decimal" autocomplete="off" name="n{i}-cost" id="n{i}-cost" value="{v}">',
        ),
    )

    def __call__(self, row: dict) -> str:
        words = self.words
        labels = {
            "title": _html("{} {}", words["action"], row["n"]),
            "owner": words["owner"],
            "estimate_hours": words["hours"],
            "cost": words["cost"],
        }
        fields = [
            self._field(row, name, labels[name], _html(template, i=row["i"], v=row[value]))
            for name, value, template in self.INPUTS
        ]
        return _html(
            '<div class="row3 new-action{has_error}" data-row>{fields}\n        {errors}\n      </div>',
            has_error=mark_safe(" has-error") if row["err"] else "",
            fields=mark_safe("".join(fields)),
            errors=_html_join("", '<p class="error">{}</p>', ((e,) for e in row["err"]["row"])),
        )


def _plan_card(data, *, typed_rows, refused, ticked) -> dict:
    """The next sprint's board inside the session: its actions, capacity bars, the unfinished
    actions to carry over (with what each does to its owner's hours) and blank rows."""
    upcoming, planned, target = data.upcoming
    capacity = data.capacity()
    shown = data.shown
    latest = max(planned, key=lambda a: a.pk, default=None) or max(data.actions, key=lambda a: a.pk, default=None)
    owner = str(latest.owner_id) if latest and latest.owner_id else ""
    rows = typed_rows or [
        {"i": i, "title": "", "owner": owner, "estimate_hours": DEFAULT_HOURS, "cost": ""} for i in range(NEW_ROWS)
    ]
    owner_options = _Options((m.pk, m.name) for m in data.members)
    new_row = _NewRow()
    for number, row in enumerate(rows, start=1):
        row["err"] = refused.get(row["i"]) or NO_ERRORS
        row["title"], row["estimate_hours"] = row.get("title") or "", row.get("estimate_hours") or ""
        row["cost"] = row.get("cost") or ""
        row["owner"] = str(row.get("owner") or "")
        row["owner_options"] = owner_options(row["owner"])
        row["i"], row["n"] = _id(row["i"]), _id(number)
        row["html"] = new_row(row)
    carried, not_done, currency = _("carried over"), _("Not done"), data.company.currency
    # The next sprint's actions are text: one list made in one pass, not a loop of the template.
    planned_rows = _html_join(
        "",
        '<li>{} <span class="muted">{}</span>{}</li>',
        (
            (
                a.title,
                shown.who(a.owner_id, a.estimate_hours)
                + (f" · {money(a.cost, currency)}" if a.cost is not None else "")
                + (f" · {carried}" if a.carried_over_from_id else ""),
                _html(' <span class="why-not">{}: {}</span>', not_done, a.carried_why_not) if a.carried_why_not else "",
            )
            for a in planned
        ),
    )
    return {
        "upcoming": upcoming,
        "next_dates": (target.starts_on, target.ends_on),
        "plan_capacity": capacity,
        "planned": planned_rows,
        "carry": _carry(data, capacity, ticked),
        "new_rows": rows,
    }


def _carry(data, capacity, ticked=None) -> list[dict]:
    _upcoming, _planned, target = data.upcoming
    loads = {o.membership.pk: o.load for o in capacity.owners}
    budget_left = None if target.budget is None else target.budget - capacity.cost_total
    carry = carry_choices(
        data.unfinished, members=data.members, loads=loads, days=target.days, budget_left=budget_left, ticked=ticked
    )
    return _carry_rows(carry, data.shown)


def _close_card(data, close_form=None, *, capacity=None, problems=None) -> dict:
    """The close step: what stops the close, whether the next sprint fits, the review's notes."""
    upcoming, _planned, _target = data.upcoming
    return {
        "upcoming": upcoming,
        "plan_capacity": capacity or data.capacity(history=False),
        "closing_problems": selectors.closing_problems(data.sprint) if problems is None else problems,
        "close_form": close_form or _close_form(data.review),
    }


def session_data(company, membership) -> SessionData | None:
    """The session's reads for this answer, or None when no sprint runs."""
    sprint = selectors.current_sprint(company)
    return None if sprint is None else SessionData(company, membership, sprint)


def step_card(data: SessionData, card: str, *, error=None, moved: bool = False, **shown) -> dict:
    """One step's card alone (what a step's save answers with, or what opening a folded step
    fetches): `card` is its step, `shown` what _card takes. It stays open unless the save
    moved the session on."""
    context = _base(data, refused=shown.get("refused")) | {"card_error": error}
    context["open_steps"] = [] if moved else [card]
    return context | _card(data, card, **shown)


def _card(
    data: SessionData,
    card: str,
    *,
    typed=None,
    refused=None,
    saved=None,
    close_form=None,
    plan_rows=None,
    carry_ticked=None,
    editing=None,
    opened_as=None,
    capacity=None,
) -> dict:
    """What one step's card shows, read with only what it needs: the rows as typed, refused
    and saved, by step; `editing`, the rows to show with their fields; `capacity`, the next
    sprint's, when the plan's card has it already."""
    typed, refused, saved, editing = typed or {}, refused or {}, saved or {}, editing or {}
    if card == SessionStep.RESULTS:
        return _results_card(
            data,
            typed.get("results", {}),
            refused.get("results", {}),
            saved.get("results", set()),
            editing.get("results", ()),
            opened_as,
        )
    if card == SessionStep.VERDICTS:
        return _verdicts_card(
            data, typed.get("verdicts", {}), refused.get("verdicts", {}), editing.get("verdicts", ()), opened_as
        )
    if card == SessionStep.METRICS:
        return _metrics_card(data, typed.get("metrics", {}), refused.get("metrics", {}), saved.get("metrics", set()))
    if card == SessionStep.CONSTRAINT:
        return _constraint_card(data)
    if card == SessionStep.PLAN:
        return _plan_card(data, typed_rows=plan_rows, refused=refused.get("plan", {}), ticked=carry_ticked)
    return _close_card(data, close_form, capacity=capacity, problems=_closing_problems(data))


def _closing_problems(data: SessionData) -> list:
    """What stops the close: from the rows when this answer has read them, else read."""
    if "actions" in data.__dict__ and "testing" in data.__dict__:
        open_actions = sum(1 for a in data.actions if not a.is_resolved)
        undecided = [h.title for h in data.testing if not h.kept]
        return selectors.closing_problems(data.sprint, open_actions=open_actions, undecided_titles=undecided)
    return selectors.closing_problems(data.sprint)


def rows_as_saved(step: str, objects: list, saved: dict) -> list:
    """The rows a save read, as the save left them, from what each row's service returned (a
    row saved alone answers without reading it again): a result's status, notes and version;
    a metric's value this week; a hypothesis kept in test, or gone once decided."""
    shown = []
    for obj in objects:
        result = saved.get(obj.pk)
        if result is None:
            shown.append(obj)
        elif step == SessionStep.RESULTS:
            for name in ("status", "result_note", "why_not_note", "version"):
                setattr(obj, name, getattr(result, name))
            shown.append(obj)
        elif step == SessionStep.METRICS:
            obj.this_week = result.value
            shown.append(obj)
        elif result == steps.KEEP_TESTING:
            obj.kept = True
            shown.append(obj)
    return shown


def result_row(
    data: SessionData, pk: int, *, typed=None, refused=None, saved=(), editing=False, opened_as=None, objects=None
) -> dict | None:
    """One results row alone (a row saved alone answers with it, as text; `editing`: its fields,
    as the row's button asks, `opened_as` the status it chose), or None when it is gone.
    `objects`: the row as this answer has it already (read and saved), else it is read."""
    actions = selectors.session_actions(data.sprint, only=pk) if objects is None else objects
    if not actions:
        return None
    shown = _Shown([a.owner for a in actions if a.owner_id])  # read with the row alone
    editing = {pk} if editing else ()
    rows = _result_rows(
        actions,
        data.membership,
        shown,
        typed or {},
        refused or {},
        saved,
        editing,
        opened_as=opened_as,
    )
    return {"company": data.company, "actions": rows, "words": _words()}


def verdict_row(
    data: SessionData, pk: int, *, typed=None, refused=None, saved=(), editing=False, opened_as=None, objects=None
) -> dict | None:
    """One hypothesis's verdict row alone (`editing`: with its fields, `opened_as` the decision
    its button chose), or None once it is no longer under test. `objects`: as result_row's."""
    testing = selectors.session_hypotheses(data.company, data.sprint, only=pk) if objects is None else objects
    if not testing:
        return None
    rights = _rights(data.membership)
    editing = {pk} if editing else ()
    rows = _verdict_rows(
        data.company,
        testing,
        _Shown(()),
        typed or {},
        refused or {},
        editing,
        can_decide=rights["can_decide"],
        opened_as=opened_as,
    )
    return {"company": data.company, "testing": rows, "words": _words(), **rights}


def metric_row(data: SessionData, pk: int, *, typed=None, refused=None, saved=(), objects=None) -> dict | None:
    """One metric's row alone; `objects`: as result_row's."""
    metrics = selectors.metrics_with_this_week(data.company, only=pk) if objects is None else objects
    if not metrics:
        return None
    rights = _rights(data.membership)
    rows = _metric_rows(metrics, _Shown(()), typed or {}, refused or {}, saved, can_edit=rights["can_edit_metrics"])
    return {"company": data.company, "metrics": rows, "words": _words(), **rights}


# The parts of the page that follow a save elsewhere on it (each refreshes itself on the save's
# event, sprints/views/session.py): the template, and what it shows, read with only what it needs.
def progress_part(data: SessionData) -> dict:
    logged, total = selectors.results_tally(data.sprint)
    return {"company": data.company, "logged": logged, "total": total}


def closing_part(data: SessionData) -> dict:
    return {"company": data.company, "closing_problems": selectors.closing_problems(data.sprint)}


def fits_part(data: SessionData) -> dict:
    upcoming, _planned, _target = data.upcoming
    capacity = data.capacity(history=False) if upcoming is not None else None
    return {"company": data.company, "upcoming": upcoming, "plan_capacity": capacity, **_rights(data.membership)}


def carry_part(data: SessionData) -> dict:
    carry = _carry(data, data.capacity(history=False))
    return {"company": data.company, "carry": carry, "words": _words(), **_rights(data.membership)}


PARTS = {
    "progress": ("sprints/session.html#progress", progress_part),
    "closing": ("sprints/_session_close.html#closing", closing_part),
    "fits": ("sprints/_session_close.html#fits", fits_part),
    "carry": ("sprints/_session_carry.html", carry_part),
}


def plan_preview(company, membership, query) -> dict:
    """The capacity bars of the next sprint as they would be with the ticked carry-over and the
    typed rows (nothing is saved): what the plan form shows while it is filled in."""
    data = session_data(company, membership)
    context = {"company": company, "plan_capacity": None}
    if data is None:
        return context
    ticked = set(ids_param(query.getlist("carry")))
    rows = read_new_rows(query, data.members, SessionNewActionForm)
    extra = [a for a in data.unfinished if a.pk in ticked]
    extra += [
        Action(
            title=data_["title"],
            owner=rows.members.get(data_["owner"]),
            estimate_hours=data_["estimate_hours"],
            cost=data_["cost"],
        )
        for _i, data_ in rows.parsed
    ]
    context["plan_capacity"] = data.capacity(extra=extra)
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
    data: SessionData | None = None,
    editing=None,
    opened_as=None,
    opened=None,
) -> dict:
    """The whole page: the step at hand drawn, and any other step this answer must show (one
    refused or typed in, rows asked for with their fields, a step `opened` without JavaScript);
    the rest folded, each fetching its card when opened. `data`: the session's reads begun
    already; `editing`: the rows to show with their fields, by step."""
    typed, refused, saved, editing = typed or {}, refused or {}, saved or {}, editing or {}
    data = data or session_data(company, membership)
    if data is None:
        context = {"company": company, "membership": membership, "sprint": None, **_rights(membership)}
        return context | {"session_error": error} | _waiting(company, membership, start_error, start_reason)
    context = _base(data, refused=refused, error=error or start_error or None)
    drawn = {data.step, *refused, *(step for step, rows in (typed | editing).items() if rows)}
    drawn |= {opened} & set(STEP_ORDER)
    drawn |= {SessionStep.CLOSE} if close_form is not None else set()
    drawn |= {SessionStep.PLAN} if plan_rows or carry_ticked else set()
    context["open_steps"], context["cards"] = list(drawn), []
    for card in STEP_ORDER:
        if card in drawn:
            context |= _card(
                data,
                card,
                typed=typed,
                refused=refused,
                saved=saved,
                close_form=close_form,
                plan_rows=plan_rows,
                carry_ticked=carry_ticked,
                editing=editing,
                opened_as=opened_as,
                capacity=context.get("plan_capacity"),
            )
        context["cards"].append((card, f"sprints/_session_{card}.html" if card in drawn else None))
    if "actions" in data.__dict__:
        logged = sum(1 for a in data.actions if a.is_resolved)
        context["logged"], context["total"] = logged, len(data.actions)
    else:
        context["logged"], context["total"] = selectors.results_tally(data.sprint)
    context["saved"] = saved
    return context


def _waiting(company, membership, error, reason) -> dict:
    """Nothing runs: the planned sprint that waits to be started (what does not fit, a refused
    start's reason and what was typed), so the page offers to start it, not to plan another."""
    waiting = starting.waiting_sprint(company)
    if waiting is None:
        return {}
    problems = capacity_problems(waiting)
    context = starting.start_context(
        membership, waiting, where="session", error=error, reason=reason, problems=problems
    )
    return {"waiting": waiting, **context}


def _close_form(review):
    fields = ("what_worked", "what_to_fix", "notes")
    return CloseForm(initial={name: getattr(review, name) if review else "" for name in fields})


# --- After the close -----------------------------------------------------------------------------


def closed_context(company, membership, closed: Sprint, *, not_started=None, reason="") -> dict:
    """The closed sprint's summary, its report, and the next sprint: started, or why not (with
    the fix: the reason to start anyway, or its board)."""
    following = selectors.sprint_after(closed)
    planned = following is not None and following.status == SprintStatus.PLANNED
    return {
        "company": company,
        "membership": membership,
        "closed": closed,
        "summary": selectors.closed_summary(closed),
        "following": following,
        "following_planned": planned,
        "not_started": " ".join(not_started.messages) if not_started is not None else "",
        "start_problems": capacity_problems(following) if planned and not_started is None else [],
        "override_reason": reason.strip(),
        **_rights(membership),
    }
