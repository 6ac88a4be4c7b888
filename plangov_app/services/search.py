"""Search and list filters: literal LIKE patterns and validated filter values.

`%` and `_` a person types are searched for, not used as wildcards:
`column.like(contains_pattern(text), escape=LIKE_ESCAPE)`. Date bounds without a time
zone are taken as UTC, everywhere a date filter is accepted.
"""

from __future__ import annotations

from datetime import UTC, datetime

from plangov_app.services.errors import InvalidInput
from plangov_app.services.text import refuse_unstorable

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` with LIKE's wildcards (and the escape character) escaped."""
    return (text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
            .replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_"))


def contains_pattern(text: str) -> str:
    """A LIKE pattern matching values that contain `text` literally (use LIKE_ESCAPE)."""
    return f"%{escape_like(text)}%"


def filter_text(value: str | None, field: str) -> str | None:
    """A text filter as given, or None when empty; NUL and invalid Unicode are a 422."""
    refuse_unstorable(value, field)
    return value or None


def utc_bound(value: datetime | None, field: str) -> datetime | None:
    """A date filter bound in UTC; a naive value is taken as UTC already."""
    if value is None:
        return None
    if value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise InvalidInput(f"{field}: out of range once converted to UTC.") from None
