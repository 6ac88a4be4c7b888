"""The one CSV writer of the product: cells neutralised against formula injection.

OWASP's rule: a text cell starting with `=`, `+`, `-`, `@`, TAB or CR is read as a formula
by spreadsheets, so it gets a leading single quote. A cell that is just a decimal number
(`-2.5`, `+3`) cannot run anything and is written unchanged, as is every other cell; the
CSV is otherwise exactly what `csv.writer` writes.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def neutralise(value: Any) -> Any:
    """`value`, with a leading `'` when it is text a spreadsheet would run as a formula."""
    if (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and not _NUMBER.fullmatch(value)):
        return "'" + value
    return value


class SafeWriter:
    """`csv.writer` whose every cell goes through `neutralise`."""

    def __init__(self, file: Any, **fmtparams: Any) -> None:
        self._writer = csv.writer(file, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row."""
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows."""
        for row in rows:
            self.writerow(row)


def writer(file: Any, **fmtparams: Any) -> SafeWriter:
    """A safe CSV writer on `file` (same parameters as `csv.writer`)."""
    return SafeWriter(file, **fmtparams)
