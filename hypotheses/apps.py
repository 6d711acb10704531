from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HypothesesConfig(AppConfig):
    name = "hypotheses"
    verbose_name = _("Hypotheses")

    def ready(self):
        from tracking import charts
        from tracking.custdev import links

        from . import scripts
        from .selectors import markers_of_tests

        # Metric charts mark the weeks a hypothesis was under test (tracking/charts.py registry).
        charts.register_markers(markers_of_tests)
        # An interview script may be written for a hypothesis (tracking/custdev/links.py registry).
        links.register(scripts.purpose())
