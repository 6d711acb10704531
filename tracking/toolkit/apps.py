from django.apps import AppConfig


class ToolkitConfig(AppConfig):
    """The tracker's toolkit (funnel analysis, unit economics): a room inside `tracking`,
    below `hypotheses` in the dependency order."""

    name = "tracking.toolkit"
    label = "toolkit"
    verbose_name = "Toolkit"
