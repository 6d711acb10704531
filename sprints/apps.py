from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SprintsConfig(AppConfig):
    name = "sprints"
    verbose_name = _("Sprints")

    def ready(self):
        from tracking import portfolio

        from .portfolio import sprint_overview

        portfolio.register(sprint_overview)
