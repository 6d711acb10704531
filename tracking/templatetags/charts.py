from django import template

from tracking.charts import chart_html

register = template.Library()


@register.simple_tag
def metric_chart(chart, metric):
    """{% metric_chart chart metric %} — a metric's weekly chart (SVG, summary, tests marked on
    it), built in one pass in Python: no include or per-point filters in a page's loop."""
    return chart_html(chart, name=metric.name, unit=metric.unit, target=metric.target, target_date=metric.target_date)
