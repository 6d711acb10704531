"""The results page's rows as HTML, made in one pass over the rows (no template nodes per row).

A results page lists up to a hundred actions and a hundred hypotheses under test; a row that
shows no form is a few lines of fixed markup around its values, so it is joined here from
strings: the fixed words translated and escaped once per page, the values escaped once, the
ids written as they are (never localized). A row with a form (being edited, or refused with
its errors) is still the template's partial (templates/sprints/results.html).
"""

from functools import cache

from django.middleware.csrf import get_token
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@cache
def _words(language: str) -> dict[str, str]:
    """The rows' fixed words in `language`, escaped: translated once per language."""
    return {
        "saved": conditional_escape(_("Saved")),
        "edit": conditional_escape(_("Edit the result")),
        "log": conditional_escape(_("Log the result")),
        "save": conditional_escape(_("Save")),
        "target": conditional_escape(_("target %(value)s")),
    }


def words() -> dict[str, str]:
    return _words(get_language())


def csrf_field(request) -> str:
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{conditional_escape(get_token(request))}">'


def log_text(a, *, saved: bool = False) -> str:
    """An action's results row as text: its result and, for who may log it, the button that
    fetches its form."""
    w = words()
    pk, title = a["pk"], conditional_escape(a["title"])
    hypothesis = a["hypothesis"]
    badge = f'<span class="badge">{conditional_escape(hypothesis["title"])}</span>' if hypothesis else ""
    why_not = f' <span class="muted">— {conditional_escape(a["why_not_note"])}</span>' if a["why_not_note"] else ""
    parts = [
        f'<li class="log-row status-{a["status"]}" id="log-{pk}">\n'
        f'  <div class="log-head"><strong>{title}</strong> <span class="muted">{conditional_escape(a["who"])}'
        f"{conditional_escape(a['money'])}</span>\n    {badge}</div>\n"
        f'  <p class="log-result"><span class="badge">{conditional_escape(a["status_label"])}</span> '
        f"{conditional_escape(a['result_note'])}{why_not}\n"
        f"    {_saved(w) if saved else ''}</p>\n"
    ]
    if a["can_log"]:
        url = f"{a['url']}log/edit/"
        parts.append(
            f'  <p class="row-actions"><a class="button secondary small" href="{url}#log-{pk}" hx-get="{url}" '
            f'hx-target="#log-{pk}" hx-swap="outerHTML">{w["edit"] if a["is_resolved"] else w["log"]}'
            f'<span class="visually-hidden">: {title}</span></a></p>\n'
        )
    parts.append("</li>")
    return mark_safe("".join(parts))


def measured_input(h, csrf: str, *, can_measure: bool, saved: bool = False) -> str:
    """A hypothesis under test as a results row: its measured value's input as MeasuredForm's
    widget writes it, with its form's Save. `h` is a light row or, answering a save, the Hypothesis."""
    metric = f' <span class="muted">· {conditional_escape(h.metric_text)}</span>' if h.metric else ""
    return _value_form(
        row_id=f"measure-{h.pk}",
        name=f"h{h.pk}-measured",
        url=h.measure_url,
        label=f"{conditional_escape(h.title)}{metric}",
        value=h.measured_plain,
        csrf=csrf,
        can_save=can_measure,
        saved=saved,
    )


def metric_input(m, csrf: str, *, can_edit: bool, saved: bool = False) -> str:
    """A metric as a results row: this week's value's input as MetricValueForm's widget writes
    it, with its form's Save."""
    label = conditional_escape(m.name)
    if m.unit_text:
        label += f", {conditional_escape(m.unit_text)}"
    if m.target is not None:
        label += f' <span class="muted">({words()["target"] % {"value": conditional_escape(m.target_text)}})</span>'
    return _value_form(
        row_id=f"metric-{m.pk}",
        name=f"m{m.pk}-value",
        url=m.url,
        label=label,
        value=m.value_plain,
        csrf=csrf,
        can_save=can_edit,
        saved=saved,
    )


def _value_form(*, row_id: str, name: str, url: str, label: str, value, csrf: str, can_save: bool, saved: bool) -> str:
    """One number's form as a results row (a hypothesis's measured value, a metric's value this
    week): `label` already escaped, `value` as the number field's widget writes it."""
    w = words()
    typed = "" if value is None else f' value="{conditional_escape(value)}"'
    button = f'<button type="submit" class="secondary small">{w["save"]}</button>' if can_save else ""
    return mark_safe(
        f'<form class="metric-log{" just-saved" if saved else ""}" id="{row_id}" method="post" action="{url}"\n'
        f'      hx-post="{url}" hx-target="#{row_id}" hx-swap="outerHTML" novalidate>\n'
        f"  {csrf}\n"
        f'  <label for="id_{name}">{label}</label>\n'
        f'  <div class="inline-input"><input type="text" name="{name}"{typed} inputmode="decimal" '
        f'autocomplete="off" required id="id_{name}">{button}</div>\n'
        f"  {_saved(w) if saved else ''}\n</form>"
    )


def _saved(w) -> str:
    return f'<span class="saved" role="status">{w["saved"]}</span>'
