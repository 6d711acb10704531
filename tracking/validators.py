"""Text as people type it, without control characters; and a time zone's name.

A name, a title or an e-mail address is one line: a newline in a business name breaks every
e-mail whose subject carries it (mail headers refuse line breaks), and tabs, NUL or escape
codes only garble pages, exports and logs. Longer texts keep their line breaks and tabs.

Every text field of the three apps is one of the fields below (tests/test_control_characters.py
checks that none is left out); the model's full_clean (which the services call) and the forms
both refuse what the validators refuse. Text that is read rather than stored (a search in a
URL's query) is made one line with `single_line` instead of refused.
"""

import re
import unicodedata
import zoneinfo
from functools import cache

from babel.numbers import list_currencies
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MULTI_LINE_ALLOWED = frozenset("\n\r\t")
# The bidirectional embeddings, overrides and isolates: invisible, they reorder the text after
# them, so a name could show others what it is not ("exe.txt" that is "txt.exe"). Nobody types them.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _control_characters(value: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    return [ch for ch in value if ch in BIDI_CONTROLS or (unicodedata.category(ch) == "Cc" and ch not in allowed)]


def validate_single_line(value: str) -> None:
    if value and _control_characters(value):
        raise ValidationError(
            _("Keep this to one line: line breaks, tabs and other control characters are not allowed."),
            code="control_characters",
        )


def validate_multi_line(value: str) -> None:
    if value and _control_characters(value, MULTI_LINE_ALLOWED):
        raise ValidationError(
            _("Remove the invisible control characters: only line breaks and tabs are allowed."),
            code="control_characters",
        )


# --- Form fields -------------------------------------------------------------------------------


class SingleLineFormField(forms.CharField):
    default_validators = [validate_single_line]


class MultiLineFormField(forms.CharField):
    default_validators = [validate_multi_line]


# --- Model fields ---------------------------------------------------------------------------------


class SingleLineCharField(models.CharField):
    """A CharField of one line: names, titles, codes."""

    default_validators = [validate_single_line]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SingleLineFormField, **kwargs})


class MultiLineTextField(models.TextField):
    """A TextField that keeps line breaks and tabs and refuses other control characters."""

    default_validators = [validate_multi_line]

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MultiLineFormField, **kwargs})


# --- Cleaning text that is read, not stored ---------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r" {2,}")


def single_line(value: str) -> str:
    """Control characters become a space; runs of spaces become one; no space at the ends."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", value)).strip()


@cache
def _currencies() -> frozenset[str]:
    return frozenset(list_currencies())


def validate_known_currency(code: str) -> None:
    """Three capital letters that are an ISO 4217 code: the money figures carry it."""
    if re.fullmatch(r"[A-Z]{3}", code) and code not in _currencies():
        raise ValidationError(
            _("“%(code)s” is not a currency code we know; use one such as RUB, EUR or USD."),
            code="unknown_currency",
            params={"code": code},
        )


def validate_timezone(value: str) -> None:
    """A time zone by its IANA name (a user's, a business's)."""
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a known time zone; pick one such as Europe/Moscow."),
            code="invalid_timezone",
            params={"value": value},
        )
