"""The backlog board's cards as HTML, made in one pass over the cards (no template nodes per card).

A column shows up to a hundred cards or more when expanded; each card is a few lines of fixed
markup around its row's values, so it is joined here from strings: its fixed words are
translated once per page, its values escaped once, its integers (id, ICE) written as they are
(never localized), the CSRF field made once. The card a refused move comes back to (`retry`)
keeps its chosen target, its reason and its error.
"""

from django.middleware.csrf import get_token
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def card_words() -> dict[str, str]:
    """The cards' fixed words, translated and escaped once per page."""
    return {
        key: conditional_escape(text)
        for key, text in {
            "ice": _("ICE: impact × confidence × ease"),
            "price_title": _(
                "Contribution margin a period if it comes true (unit economics); the impact score it suggests"
            ),
            "impact": _("impact"),
            "off_title": _("Not linked to the active main constraint"),
            "off": _("not on the main constraint"),
            "verdict": _("Give a verdict"),
            "overdue": _("past its check date:"),
            "overdue_title": _("Under test past the date by which it had to show a result"),
            "move_to": _("Move to"),
            "reason": _("reason, if dropping"),
            "why": _("Why is it dropped?"),
            "move": _("Move"),
        }.items()
    }


def dress_html(request, columns, *, can_edit: bool, retry: dict | None = None, retry_pk: int | None = None) -> None:
    """Set each card's `html`: the whole <li> of the card."""
    words = card_words()
    token = conditional_escape(get_token(request)) if can_edit else ""
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{token}">' if can_edit else ""
    for column in columns:
        for card in column.cards:
            card["html"] = mark_safe(_card(card, words, can_edit, csrf, retry if card["pk"] == retry_pk else None))


def _card(h, w, can_edit, csrf, retry) -> str:
    pk = h["pk"]
    off = not h["constraint_id"] or h["off"]
    parts = [
        f'<li class="hcard{" off-constraint" if off else ""}" id="h-{pk}">\n  <div class="hcard-head">\n'
        f'    <span class="ice" title="{w["ice"]}">{h["ice"]}</span>\n'
        f'    <a href="{h["url"]}">{conditional_escape(h["title"])}</a>\n  </div>\n'
    ]
    if h["price"]:
        parts.append(
            f'  <p class="hcard-price muted" title="{w["price_title"]}">{conditional_escape(h["price"][0])} · '
            f"{w['impact']} {conditional_escape(h['price'][1])}</p>\n"
        )
    kind = f'<span class="badge kind-{h["kind"]}">{conditional_escape(h["kind_label"])}</span>'
    parts.append(f'  <div class="hcard-meta">\n    {kind}\n')
    if h["metric"]:
        parts.append(f'    <span class="muted">{conditional_escape(h["metric"]["name"])}</span>\n')
    if h["off"]:
        parts.append(f'    <span class="badge warn" title="{w["off_title"]}">{w["off"]}</span>\n')
    if h["overdue"]:
        parts.append(
            f'    <span class="badge danger" title="{w["overdue_title"]}">'
            f"{w['overdue']} {conditional_escape(h['check_by_text'])}</span>\n"
        )
    parts.append("  </div>\n")
    if retry:
        parts.append(f'  <p class="error" role="alert" id="move-error-{pk}">{conditional_escape(retry["error"])}</p>\n')
    if can_edit:
        if h["status"] == "testing":
            parts.append(f'  <p class="hcard-verdict"><a href="{h["url"]}#lifecycle">{w["verdict"]} →</a></p>\n')
        if h["options"]:
            url = h["move_url"]
            parts.append(
                f'  <form class="hcard-move" method="post" action="{url}" hx-post="{url}" hx-target="#board" '
                f'hx-swap="outerHTML">\n    {csrf}<input type="hidden" name="from" value="board">\n'
                f'    <label class="visually-hidden" for="move-{pk}">{w["move_to"]}</label>\n'
            )
            if retry:
                described = f' aria-describedby="move-error-{pk}"'
                parts.append(
                    f'    <select name="to" id="move-{pk}" required{described}>{retry["options"]}</select>\n'
                    f'    <input name="reason" class="move-reason" maxlength="2000" '
                    f'value="{conditional_escape(retry["reason"])}" '
                    f'placeholder="{w["reason"]}" aria-label="{w["why"]}"{described}'
                    f"{' autofocus' if retry['dropping'] else ''}>\n"
                )
            else:
                parts.append(
                    f'    <select name="to" id="move-{pk}" required>{h["options"]}</select>\n'
                    f'    <input name="reason" class="move-reason" maxlength="2000" placeholder="{w["reason"]}" '
                    f'aria-label="{w["why"]}">\n'
                )
            parts.append(f'    <button type="submit" class="secondary small">{w["move"]}</button>\n  </form>\n')
    parts.append("</li>")
    return "".join(parts)
