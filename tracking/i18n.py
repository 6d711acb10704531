"""Text the app writes into a business (a note in its history, a carried action's reason, a
hypothesis made from an insight) is written in the business's language, not the reader's."""

from django.utils import translation
from django.utils.translation import gettext_noop

# Django 6.1's label of a blank choice in a model field's select; its own Russian catalogue does
# not have it yet, so ours carries the translation.
gettext_noop("- Select an option -")


def in_business_language(company, message, **values) -> str:
    """`message` (a lazy gettext string with %(name)s fields) in `company.language`, its values
    (a sprint's name, say) rendered in the same language."""
    with translation.override(company.language):
        return str(message) % {name: str(value) for name, value in values.items()}
