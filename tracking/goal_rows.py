"""The goal tree (year → quarter → month) as the business page and the goals page show it, made
in one pass in Python instead of a template included once per goal: its words, horizons and
month names are read once per page."""

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from .dates import day_month_year
from .markup import html
from .models import Horizon
from .numbers import plain, with_unit
from .selectors import GoalNode


class GoalTree:
    """`edit_url`: the start of a goal's edit link (its id follows), or "" for none."""

    def __init__(self, edit_url: str = ""):
        self.edit_url, self.edit = edit_url, _("Edit")
        self.horizons = {value: str(label) for value, label in Horizon.choices}
        self.day = day_month_year()

    def html(self, nodes: list[GoalNode]) -> SafeString:
        return mark_safe("".join(self._node(node) for node in nodes))

    def _node(self, node: GoalNode) -> str:
        goal = node.goal
        edit = html(' <a href="{}{}/">{}</a>', self.edit_url, goal.pk, self.edit) if self.edit_url else ""
        parts = [
            html(
                '<li class="goal goal-{}">\n  <div class="goal-head">\n'
                '    <span class="badge horizon">{}</span>\n    <strong>{}</strong>\n'
                '    <span class="muted">{} – {}</span>{}\n  </div>\n',
                goal.horizon,
                self.horizons.get(goal.horizon, goal.horizon),
                goal.title,
                self.day(goal.starts_on),
                self.day(goal.due_on),
                edit,
            )
        ]
        if goal.metric:
            latest = "—" if node.latest is None else plain(node.latest, localize=True)
            progress = ""
            if node.progress is not None:
                progress = html(' <progress max="100" value="{0}">{0}%</progress> <span>{0}%</span>', node.progress)
            parts.append(
                html(
                    '  <div class="goal-progress">\n    <span>{}: {} / {}</span>{}\n  </div>\n',
                    goal.metric.name,
                    latest,
                    with_unit(goal.target, goal.metric.unit),
                    progress,
                )
            )
        if node.children:
            parts.append(html('  <ul class="goal-children">{}</ul>\n', self.html(node.children)))
        parts.append("</li>")
        return "".join(parts)


def goal_edit_url(company_id: int) -> str:
    """The start of the company's goals' edit links: a goal's is it and its id."""
    return reverse("tracking:goal_edit", args=[company_id, 0]).removesuffix("0/")
