"""The why-chain's steps as the business page shows them, made in one pass in Python: a step as
text, and the buttons that move it, mark it the root cause or delete it (a step's edit form,
when open, is the template's). Its words are translated and its form token read once per
answer, not per step and button."""

from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .markup import html

_BUTTON = (
    '<form method="post" action="{url}" hx-post="{url}" hx-target="#why-chain" hx-swap="outerHTML"{confirm}>'
    "{csrf}{body}</form>"
)


class WhyRows:
    """One answer's steps: `page_url`, the business page's; `why_url`, the start of its steps'
    (a step's is it and its id; its buttons' that and move/, root/ or delete/)."""

    def __init__(self, request, page_url: str, why_url: str, *, can_edit: bool):
        self.page_url, self.why_url, self.can_edit = page_url, why_url, can_edit
        self.csrf = html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        self.edit, self.saved, self.root = _("Edit"), _("Saved"), _("Root cause")
        self.up, self.down, self.make_root = _("Move up"), _("Move down"), _("This is the root cause")
        self.delete, self.confirm = _("Delete"), _("Delete this step?")

    def place(self, step, n: int, count: int, form=None, *, saved: bool = False) -> None:
        """The step in its place (`n` of `count`), made as text (`html`) or, with its `form`
        open, its buttons (`actions_html`) beside the form the template draws."""
        step.form, step.n, step.first, step.last = form, n, n == 1, n == count
        step.url = f"{self.why_url}{step.pk}/"
        step.html = None if form else self.text(step, saved=saved)
        step.actions_html = self.actions(step) if form and self.can_edit else None

    def _button(self, url: str, body: SafeString, confirm: str = "") -> SafeString:
        confirm = html(' hx-confirm="{}"', confirm) if confirm else ""
        return html(_BUTTON, url=url, confirm=confirm, csrf=self.csrf, body=body)

    def _move(self, step, direction: str, label: str, arrow: str) -> SafeString:
        body = html(
            '<input type="hidden" name="direction" value="{}">'
            '<button type="submit" class="link" title="{}" aria-label="{}">{}</button>',
            direction,
            label,
            label,
            arrow,
        )
        return self._button(f"{step.url}move/", body)

    def actions(self, step) -> SafeString:
        """The step's buttons: up, down, "this is the root cause" for the last, delete."""
        parts = [html('<span class="badge root-badge">{}</span>', self.root) if step.is_root_cause else ""]
        if not step.first:
            parts.append(self._move(step, "up", self.up, "↑"))
        if not step.last:
            parts.append(self._move(step, "down", self.down, "↓"))
        if step.last and not step.is_root_cause:
            root = html('<button type="submit" class="link">{}</button>', self.make_root)
            parts.append(self._button(f"{step.url}root/", root))
        delete = html('<button type="submit" class="link danger" aria-label="{}">{}</button>', self.delete, self.delete)
        parts.append(self._button(f"{step.url}delete/", delete, self.confirm))
        return mark_safe(f'<div class="why-actions">{"".join(parts)}</div>')  # each part made by html()

    def text(self, step, *, saved: bool = False) -> SafeString:
        """The step as text, with its "Edit" (the step with its form by htmx, or the page with
        it without JavaScript) and its buttons; for a reader who may not edit, its answer only."""
        root = " root" if step.is_root_cause else ""
        head = html('<li class="why-step{}" id="why-{}" data-answer="{}">', root, step.pk, step.answer)
        if not self.can_edit:
            badge = html(' <span class="badge root-badge">{}</span>', self.root) if step.is_root_cause else ""
            return html("{}<span>{}</span>{}</li>", head, step.answer, badge)
        link = f"{self.page_url}?edit_step={step.pk}"
        answer = html(
            '<p class="why-answer"><span>{}</span> <a class="button secondary small why-edit-open" href="{}#why-{}" '
            'hx-get="{}" hx-target="#why-{}" hx-swap="outerHTML">{}</a>{}</p>',
            step.answer,
            link,
            step.pk,
            link,
            step.pk,
            self.edit,
            html('<span class="saved" role="status">{}</span>', self.saved) if saved else "",
        )
        return html("{}{}{}</li>", head, answer, self.actions(step))
