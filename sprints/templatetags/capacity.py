"""The capacity card's owners, made in one pass: the card lists every owner of the business on
the board and the session's plan, and an owner's row was a dozen template nodes."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tracking.markup import esc

from ..capacity import hours

register = template.Library()

register.filter("hours", hours)


@register.simple_tag
def capacity_owners(capacity) -> str:
    """Each owner's load against the hours they have, and how much of what they planned in
    the recent sprints got done."""
    h, none_yet = esc(_("h")), esc(_("no past sprints yet"))
    rows = []
    for owner in capacity.owners:
        name, over, percent = esc(owner.name), owner.over, owner.percent
        numbers = f"{hours(owner.load)} / {hours(owner.available)} {h}"
        if over:
            numbers += f" · <strong>{esc(_('overbooked by %(hours)s h') % {'hours': hours(over)})}</strong>"
        ratio = owner.past_ratio
        past = (
            none_yet
            if ratio is None
            else esc(_("recent sprints: %(ratio)s%% of planned hours done") % {"ratio": ratio})
        )
        rows.append(
            f'<div class="cap-row{" over" if over else ""}" data-owner="{owner.membership.pk}">\n'
            f'      <div class="cap-label"><span>{name}</span>\n'
            f'        <span class="cap-numbers">{numbers}</span>\n      </div>\n'
            f'      <progress class="bar" max="100" value="{percent}" aria-label="{name}">{percent}%</progress>\n'
            f'      <small class="muted">{past}</small>\n    </div>'
        )
    return mark_safe("\n    ".join(rows))
