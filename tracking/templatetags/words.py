"""{% translate %} of a fixed word, looked up once per language instead of on every render.

`{% load i18n words %}` after i18n: a `{% translate "Edit" %}` whose message is a plain string
(no variable, filter or context) keeps its rendered text per (language, autoescape) in the
node, which the cached template loader keeps for the process. A list's row template says its
fixed words once per row; each translation was a variable resolution, a catalogue lookup and an
escape (about 25 Python calls), now a dictionary lookup. Anything else (`as`, `context`, a
variable, a filter, `noop`) is Django's own node, unchanged. makemessages reads the tag as
before: the syntax is Django's.
"""

from django import template
from django.template.base import Variable
from django.templatetags.i18n import TranslateNode, do_translate
from django.utils.translation import get_language

register = template.Library()


class FixedWordNode(TranslateNode):
    def render(self, context):
        key = (get_language(), context.autoescape)
        try:
            return self.rendered[key]
        except KeyError:
            value = self.rendered[key] = super().render(context)
            return value


def _fixed(node: TranslateNode) -> bool:
    var = node.filter_expression.var
    return (
        isinstance(var, Variable)
        and var.literal is not None
        and not node.filter_expression.filters
        and not node.noop
        and node.asvar is None
        and node.message_context is None
    )


@register.tag("translate")
@register.tag("trans")
def translate(parser, token):
    node = do_translate(parser, token)
    if _fixed(node):
        node.__class__ = FixedWordNode
        node.rendered = {}
    return node
