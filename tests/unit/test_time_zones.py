"""Times in the reader's zone (issue 11): `describing.moment` and the zone finder.

Stored times are UTC; each reader sees them in their IANA zone with the zone named, by its
abbreviation where the tz database has one ("CET", "EDT"), else by its offset ("UTC+03").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from plangov_app.services import describing, time_zones
from plangov_app.services.rbac import Actor, Role

WINTER = datetime(2027, 3, 28, 0, 30)  # stored naive: UTC; Oslo is on CET (UTC+01)
SUMMER = datetime(2027, 3, 28, 1, 30)  # an hour later Oslo has moved to CEST (UTC+02)


@pytest.mark.parametrize(("when", "zone", "text"), [
    (WINTER, "Europe/Oslo", "28 Mar 2027, 01:30 CET"),
    (SUMMER, "Europe/Oslo", "28 Mar 2027, 03:30 CEST"),  # 02:xx never happens that night
    (datetime(2027, 2, 2, 14, 5), "America/New_York", "02 Feb 2027, 09:05 EST"),
    (datetime(2027, 7, 2, 14, 5), "America/New_York", "02 Jul 2027, 10:05 EDT"),
    (datetime(2027, 2, 2, 23, 30), "Asia/Tokyo", "03 Feb 2027, 08:30 JST"),  # the next day
    (datetime(2027, 2, 2, 14, 5), "Europe/Istanbul", "02 Feb 2027, 17:05 UTC+03"),
    (datetime(2027, 2, 2, 14, 5), "America/Sao_Paulo", "02 Feb 2027, 11:05 UTC-03"),
    (datetime(2027, 2, 2, 14, 5), "Asia/Kathmandu", "02 Feb 2027, 19:50 UTC+05:45"),
    (datetime(2027, 2, 2, 14, 5), "UTC", "02 Feb 2027, 14:05 UTC"),
])
def test_a_stored_time_reads_in_the_readers_zone_with_the_zone_named(when, zone, text):
    assert describing.moment(when, zone) == text


def test_naive_aware_and_other_offsets_are_the_same_instant():
    naive = datetime(2027, 2, 2, 14, 5)
    for when in (naive, naive.replace(tzinfo=UTC),
                 datetime(2027, 2, 2, 16, 5, tzinfo=timezone(timedelta(hours=2)))):
        assert describing.moment(when, "Europe/Oslo") == "02 Feb 2027, 15:05 CET"


@pytest.mark.parametrize("zone", ["", "Mars/Olympus_Mons", "Europe", "../etc/passwd",
                                  "/etc/localtime", "Europe/Oslo\x00", " "])
def test_an_empty_or_unknown_zone_reads_as_utc(zone):
    assert describing.moment(datetime(2027, 2, 2, 14, 5), zone) == "02 Feb 2027, 14:05 UTC"
    assert describing.zone_label(zone) == "UTC"


def test_an_actor_has_no_zone_until_one_is_chosen():
    assert Actor(user_id="u-1", role=Role.ATHLETE).time_zone == ""


def test_the_short_form_for_tight_places():
    when = datetime(2027, 2, 2, 14, 5)
    assert describing.moment(when, "Europe/Oslo", short=True) == "02 Feb 15:05 CET"
    assert describing.moment(when, short=True) == "02 Feb 14:05 UTC"
    assert describing.moment(when, "Asia/Kolkata", short=True) == "02 Feb 19:35 IST"


def test_a_page_names_the_zone_it_shows():
    assert describing.zone_label("Europe/Oslo") == "Europe/Oslo"
    assert describing.zone_label("") == "UTC"


def test_a_time_zone_change_reads_as_words_in_the_audit():
    assert describing.event_lines({"kind": "time_zone", "old": "", "new": "America/New_York",
                                   "source": "browser"}) == [
        "Time zone: not chosen (UTC) → America/New_York",
        "Set by: the browser's zone (first visit)"]
    assert describing.event_lines({"kind": "time_zone", "old": "America/New_York",
                                   "new": "Asia/Tokyo", "source": "user"}) == [
        "Time zone: America/New_York → Asia/Tokyo", "Set by: the user"]
    assert describing.action_label("user.time_zone") == "Time zone set"


NOW = datetime(2027, 2, 2, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("typed", "first"), [
    ("Oslo", "Europe/Oslo"), ("oslo", "Europe/Oslo"), ("new york", "America/New_York"),
    ("Tokyo", "Asia/Tokyo"), ("utc", "UTC"), ("  Kolkata ", "Asia/Kolkata")])
def test_typing_a_place_finds_its_zone(typed, first):
    found, total = time_zones.search(typed, now=NOW)
    assert found[0].name == first and total >= 1


def test_a_place_that_starts_with_the_text_comes_before_one_that_contains_it():
    found, _ = time_zones.search("york", now=NOW)
    assert found[0].name == "America/New_York"
    names = [c.name for c in time_zones.search("an", now=NOW, limit=600)[0]]
    starts = [n for n in names if n.rsplit("/", 1)[-1].lower().startswith("an")]
    assert names[:len(starts)] == starts


def test_the_list_says_how_times_read_there_and_how_many_match():
    found, total = time_zones.search("Oslo", now=NOW)
    assert [c.label for c in found] == ["Europe/Oslo · CET (UTC+01)"]
    summer, _ = time_zones.search("Oslo", now=NOW.replace(month=7))
    assert summer[0].label == "Europe/Oslo · CEST (UTC+02)"
    assert time_zones.search("Europe/Istanbul", now=NOW)[0][0].label == \
        "Europe/Istanbul · UTC+03"
    assert time_zones.search("UTC", now=NOW)[0][0].label == "UTC"
    shown, total = time_zones.search("", now=NOW, current="Asia/Tokyo", limit=5)
    assert shown[0].name == "Asia/Tokyo" and len(shown) == 5 and total > 400
    assert time_zones.search("no such place", now=NOW) == ([], 0)


def test_only_real_zone_names_are_known():
    assert time_zones.canonical("Europe/Oslo") == "Europe/Oslo"
    assert time_zones.canonical(" europe/OSLO ") == "Europe/Oslo"
    assert time_zones.canonical("Asia/Calcutta") == "Asia/Calcutta"  # what Chrome reports
    for name in ("", "Mars/Olympus_Mons", "Europe", "localtime", "Factory", "x" * 65,
                 "Europe/Oslo\x00"):
        assert time_zones.canonical(name) is None, name
