"""IANA time zone names, checked against the zone database the process runs with."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones


@cache
def zones() -> frozenset[str]:
    # Membership rather than ZoneInfo(name): ZoneInfo also opens "localtime", "posixrules"
    # and whatever file a crafted relative name reaches, which are not zones a site is in.
    return frozenset(available_timezones())


def iana_zone(name: str) -> str:
    if name not in zones():
        raise ValueError(f"{name!r} is not an IANA time zone (e.g. Asia/Shanghai)")
    return name
