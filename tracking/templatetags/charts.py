from django import template

from tracking.charts import chart_svg as draw_chart_svg

register = template.Library()


@register.simple_tag
def chart_svg(chart, name):
    """{% chart_svg chart metric.name %} — a metric's weekly chart as SVG, built in one pass."""
    return draw_chart_svg(chart, name)
