from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustdevConfig(AppConfig):
    """Customer interviews: scripts, the interview log, tags and insights (DESIGN.md §3
    toolkit). Part of the tracking package: it never imports hypotheses or sprints."""

    name = "tracking.custdev"
    label = "custdev"
    verbose_name = _("Customer interviews")
