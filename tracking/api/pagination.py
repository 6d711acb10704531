"""Cursor pagination: a page of a list in a stable order and an opaque cursor to the next one
(the base64 of the last row's sort key), so rows added meanwhile neither repeat nor vanish."""

import base64
import binascii

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .errors import ApiError

LIMIT_DEFAULT, LIMIT_MAX = 50, 200


def _encode(value) -> str:
    return base64.urlsafe_b64encode(str(value).encode()).decode().rstrip("=")


def _decode(cursor: str, field):
    try:
        return field.to_python(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode())
    except (ValueError, binascii.Error, UnicodeDecodeError, ValidationError):
        raise ApiError(
            422, "invalid", _("Some values are not valid."), fields={"cursor": [_("This cursor is not one we gave.")]}
        ) from None


def paginate(queryset: QuerySet, *, key: str, cursor: str | None, limit: int) -> dict:
    """`queryset` ordered by `key` ("pk", or "-week_start" for newest first): the rows after
    `cursor`, at most `limit`, and the cursor of the page after them (None on the last page)."""
    name = key.removeprefix("-")
    if cursor:
        meta = queryset.model._meta
        after = _decode(cursor, meta.pk if name == "pk" else meta.get_field(name))
        queryset = queryset.filter(**{f"{name}__{'lt' if key.startswith('-') else 'gt'}": after})
    rows = list(queryset[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": _encode(getattr(rows[-1], name)) if more else None}
