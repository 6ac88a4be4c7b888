"""Free text people type (comments, rationales, notes, names): one rule before storing it.

NUL is refused (PostgreSQL cannot store it in text; neither can we show it) and so is
text that is not valid Unicode (lone surrogates). Bidirectional embedding, override and
isolate controls (U+202A–U+202E, U+2066–U+2069) are removed: they are invisible, and
their only effect is to make what is shown differ from what was typed ("Trojan Source").
Removing them on input keeps every visible character exactly as typed, and makes every
place the text later reaches (API, pages, notifications, CSV) safe without each having to
remember an escape.
"""

from __future__ import annotations

from plangov_app.services.errors import InvalidInput

BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_WITHOUT_BIDI = str.maketrans(dict.fromkeys(BIDI_CONTROLS))


def refuse_unstorable(value: str | None, field: str) -> None:
    """Raise InvalidInput (422) when `value` holds NUL or is not valid Unicode."""
    if not value:
        return
    if "\x00" in value:
        raise InvalidInput(f"{field}: must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{field}: is not valid Unicode text.") from None


def strip_bidi(value: str) -> str:
    """`value` without bidirectional override/embedding/isolate controls."""
    return value.translate(_WITHOUT_BIDI)


def clean_text(value: str, field: str) -> str:
    """Free text as it is stored: unstorable text refused (422), bidi controls removed."""
    refuse_unstorable(value, field)
    return strip_bidi(value)


def validate_text(value: str) -> str:
    """`clean_text` for pydantic models: `Annotated[str, AfterValidator(validate_text)]`.

    Raises ValueError, so pydantic names the field (e.g. `weeks.0.sessions.1.notes`).
    """
    try:
        return clean_text(value, "text")
    except InvalidInput as error:
        raise ValueError(error.detail.removeprefix("text: ")) from None
