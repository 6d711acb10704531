"""Blocks of the learnings that other pages include with one line: a hypothesis's evidence from
interviews, and "tried before" beside the hypothesis form."""

from django import template

from hypotheses.evidence import evidence_quotes, suggested_confidence
from hypotheses.library import tried_before
from tracking.query_params import text_param

register = template.Library()


@register.inclusion_tag("hypotheses/_evidence.html")
def evidence(hypothesis):
    """“Based on N interviews”, with the quotes; nothing for a hypothesis without an insight
    (and then no query)."""
    if not hypothesis.insight_id:
        return {"insight": None}
    quotes = evidence_quotes(hypothesis)
    interviews = len({quote.interview_id for quote in quotes})
    insight = hypothesis.insight
    return {
        "insight": insight,
        "quotes": quotes,
        "interviews": interviews,
        "suggested": suggested_confidence(insight.people),
    }


@register.inclusion_tag("hypotheses/_tried_before.html", takes_context=True)
def tried_before_box(context):
    """The box beside the hypothesis form: filled by htmx as the title is typed."""
    form = context.get("form")
    hypothesis = context.get("h")
    typed = form["title"].value() if form is not None and "title" in form.fields else ""
    title = text_param(typed, max_length=200)  # as typed, so possibly with control characters
    exclude = hypothesis.pk if hypothesis else None
    # Shown at once when the form comes back with a title (an edit, a refused save): the page
    # works without JavaScript; htmx refreshes it as the title is typed.
    alike = tried_before(context["request"].user, title, exclude_id=exclude) if title else []
    return {"title": title, "exclude": exclude or "", "alike": alike, "searched": bool(title)}
