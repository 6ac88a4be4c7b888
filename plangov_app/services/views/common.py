"""Small shapes several read models share."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Choice:
    """A value and its label, for selects and pick lists."""

    value: str = ""
    label: str = ""
