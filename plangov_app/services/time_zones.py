"""Time zones people read times in: which names are known, and finding one by typing.

Times are stored in UTC; each user reads them in the IANA zone they chose (`users.time_zone`,
"" until chosen: UTC), formatted by `describing.moment`. The names are those of the
standard library's `zoneinfo` (the system's tz database, else the `tzdata` package).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import available_timezones

from plangov_app.services.describing import (
    DEFAULT_ZONE,
    zone_abbreviation,
    zone_info,
    zone_offset,
)

MAX_NAME = 64  # users.time_zone's width
#: names the database holds that are not places: the server's own setting, a placeholder
NOT_CHOOSABLE = frozenset({"localtime", "Factory"})
#: the areas the dialog offers (plus UTC); older aliases ("US/Eastern", "Japan") stay valid
REGIONS = ("Africa/", "America/", "Antarctica/", "Arctic/", "Asia/", "Atlantic/",
           "Australia/", "Europe/", "Indian/", "Pacific/")
SHOWN = 40  # matches the dialog lists at once


@dataclass
class ZoneChoice:
    """A zone as the dialog lists it: its name and how times read there now."""

    name: str = ""
    label: str = ""


@lru_cache(maxsize=1)
def known_zones() -> dict[str, str]:
    """Every zone name a user may store, by its case-folded form."""
    return {z.casefold(): z for z in available_timezones() - NOT_CHOOSABLE}


def canonical(name: str) -> str | None:
    """`name` as the tz database spells it ("europe/oslo" → "Europe/Oslo"), or None."""
    return known_zones().get(name.strip().casefold()) if len(name) <= MAX_NAME else None


@lru_cache(maxsize=1)
def offered() -> tuple[str, ...]:
    """The zones the dialog offers, in order: UTC, then places by name."""
    places = sorted(z for z in known_zones().values() if z.startswith(REGIONS))
    return (DEFAULT_ZONE, *places)


def search(text: str, *, now: datetime, current: str = "",
           limit: int = SHOWN) -> tuple[list[ZoneChoice], int]:
    """The offered zones matching `text`, best first, and how many match in all.

    "oslo" finds Europe/Oslo, "new york" America/New_York; a zone whose place name starts
    with the text comes before one that only contains it. With no text, the reader's
    `current` zone comes first.
    """
    needle = text.strip().casefold().replace(" ", "_")
    if not needle:
        names = [current, *(z for z in offered() if z != current)] if current else offered()
        return [choice(z, now) for z in names[:limit]], len(names)
    found = [z for z in offered() if needle in z.casefold()]
    found.sort(key=lambda z: (not z.rsplit("/", 1)[-1].casefold().startswith(needle),
                              not z.casefold().startswith(needle)))
    return [choice(z, now) for z in found[:limit]], len(found)


def choice(zone: str, now: datetime) -> ZoneChoice:
    """`zone` with how times read there at `now`: "Europe/Oslo · CET (UTC+01)"."""
    local = now.astimezone(zone_info(zone))
    named, offset = zone_abbreviation(local), zone_offset(local)
    if named == zone:
        return ZoneChoice(zone, zone)
    return ZoneChoice(zone, f"{zone} · {named}" if named == offset
                      else f"{zone} · {named} ({offset})")
