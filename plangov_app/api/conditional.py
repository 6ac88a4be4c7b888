"""Conditional GET (RFC 9110 §8.8.3, §13.1.2): entity tags and `If-None-Match`."""

from __future__ import annotations

import re
from collections.abc import Iterable

# An entity-tag, optionally weak (W/"…"), or "*"; etagc excludes DQUOTE, so this splits a
# list correctly even when a tag holds a comma.
_TAG = re.compile(r'[\s,]*(\*|(?:W/)?"[\x21\x23-\x7e\x80-\xff]*")\s*(?:,|$)')
MAX_HEADER = 8192  # longer If-None-Match values are not parsed (treated as no match)


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag


def none_match(header_values: Iterable[str], etag: str) -> bool:
    """Whether `If-None-Match` (all its header lines) matches `etag` — answer 304 then.

    Weak comparison, as §13.1.2 requires for If-None-Match: `W/"x"` matches `"x"`; `*`
    matches any current representation. A malformed member ends the parse (no match).
    """
    wanted = _opaque(etag)
    for value in header_values:
        if len(value) > MAX_HEADER:
            return False
        position = 0
        while position < len(value):
            found = _TAG.match(value, position)
            if found is None or found.end() == position:
                break
            tag = found.group(1)
            if tag == "*" or _opaque(tag) == wanted:
                return True
            position = found.end()
    return False
