"""The sprint board's rows as text, made in one pass over the rows (no template nodes per row).

A row not being edited is a few lines of fixed markup around its values (board.html's
action_row shows it, and keeps the markup of a row with its form): joined here from strings,
its fixed words translated and escaped once per language, its values escaped once, its ids
written as they are (never localized), the CSRF field of its "Delete" made once per page.
"""

from functools import cache

from django.middleware.csrf import get_token
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


@cache
def _words(language: str) -> dict[str, str]:
    """The rows' fixed words in `language`, escaped; "carried over from" keeps its placeholder."""
    return {
        "tests": conditional_escape(_("Tests the hypothesis")),
        "carried": conditional_escape(_("carried over from %(sprint)s")),
        "not_done": conditional_escape(_("Not done")),
        "saved": conditional_escape(_("Saved")),
        "edit": conditional_escape(_("Edit")),
        "delete_ask": conditional_escape(_("Delete this action?")),
        "delete": conditional_escape(_("Delete")),
    }


def dress(request, rows, *, can_plan: bool, planned: bool, saved: bool = False) -> None:
    """Set `html` on each row shown as text (a row with its form keeps `html` None)."""
    w = _words(get_language())
    csrf = ""
    if can_plan and planned:
        csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{conditional_escape(get_token(request))}">'
    for row in rows:
        row["html"] = None if row.get("form") else mark_safe(_text(row, w, can_plan, csrf, saved))


def _text(a, w, can_plan, csrf, saved) -> str:
    pk, title = a["pk"], conditional_escape(a["title"])
    hypothesis, carried = a["hypothesis"], a["carried_over_from"]
    parts = [
        f'<li class="action-row status-{a["status"]}" id="action-{pk}">\n    <div class="row-text">\n'
        f'      <strong class="row-title">{title}</strong>\n'
        f'      <span class="muted">{conditional_escape(a["who"])}{conditional_escape(a["money"])}</span>\n'
    ]
    if hypothesis:
        parts.append(
            f'      <span class="badge hyp" title="{w["tests"]}">{conditional_escape(hypothesis["title"])}</span>\n'
        )
    parts.append(f'      <span class="badge">{conditional_escape(a["status_label"])}</span>\n')
    if carried:
        parts.append(
            f'      <span class="badge">{w["carried"] % {"sprint": conditional_escape(carried["sprint"])}}</span>'
        )
        if carried["why_not_note"]:
            parts.append(
                f' <span class="why-not">{w["not_done"]}: {conditional_escape(carried["why_not_note"])}</span>'
            )
        parts.append("\n")
    if saved:
        parts.append(f'      <span class="saved" role="status">{w["saved"]}</span>\n')
    parts.append("    </div>\n")
    if can_plan:
        url = a["url"]
        parts.append(
            f'    <div class="row-actions">\n      <a class="button secondary small" href="{url}edit/#action-{pk}" '
            f'hx-get="{url}edit/" hx-target="#action-{pk}" hx-swap="outerHTML">{w["edit"]}'
            f'<span class="visually-hidden">: {title}</span></a>\n'
        )
        if csrf:
            parts.append(
                f'      <form method="post" action="{url}delete/" hx-post="{url}delete/" hx-target="#plan" '
                f'hx-swap="outerHTML" hx-confirm="{w["delete_ask"]}">\n'
                f'        {csrf}<button type="submit" class="link danger">{w["delete"]}</button>\n      </form>\n'
            )
        parts.append("    </div>\n")
    parts.append("</li>")
    return "".join(parts)
