"""Numbers and search words from a URL's query or a form's list, read so that nothing a
client sends can reach the database as an error: anything else is the default."""

from decimal import Decimal

from django.core.exceptions import ValidationError

from .numbers import NumberField
from .validators import single_line

# The largest value a bigint primary key, OFFSET or LIMIT takes in PostgreSQL.
BIGINT_MAX = 2**63 - 1


def int_param(value, *, default: int | None = None, minimum: int = 0, maximum: int = BIGINT_MAX) -> int | None:
    """A whole number within [minimum, maximum], or `default` (not a number, out of range)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if minimum <= number <= maximum else default


def number_param(value, field: NumberField) -> Decimal | None:
    """A number as `field` reads it (what people type in either language, within the field's
    limits), or None (missing, not a number, out of range)."""
    if value is None or not str(value).strip():
        return None
    try:
        return field.clean(value)
    except ValidationError:
        return None


def ids_param(values) -> list[int]:
    """The valid primary keys of a list of parameters (`carry=3&carry=7`); the rest dropped."""
    return [pk for pk in (int_param(value, minimum=1) for value in values) if pk is not None]


def text_param(value, *, max_length: int = 100) -> str:
    """Search words: one line, no control characters, at most `max_length` characters."""
    return single_line(value or "")[:max_length]
