"""`cassette-stale`: ages as typed values, and the findings for cassettes past their age.

Pure: when each cassette was recorded is found by `sources.staleness`; this module only
judges it.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from driftcheck.core.model import Finding, Location
from driftcheck.core.paths import ROOT
from driftcheck.core.rules import RuleId, finding
from driftcheck.errors import ConfigError

_AGE = re.compile(r"[ \t]*([0-9]+)[ \t]*([hdw])[ \t]*\Z")  # ASCII digits only
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
# 1000 years: longer is a typo, not an age (and `now - MAX_AGE` is still a date)
MAX_AGE = datetime.timedelta(days=365_000)
_LONGEST = "write at most 365000d, 8760000h or 52142w"
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


@dataclass(frozen=True, slots=True)
class Age:
    """A maximum age such as `30d`: its length, and its spelling for messages."""

    delta: datetime.timedelta
    text: str

    @classmethod
    def parse(cls, text: str, where: str = "--max-age") -> Age:
        """`30d`, `12h` or `2w`; ConfigError naming `where` otherwise."""
        match = _AGE.match(text)
        shown = repr(text) if len(text) < 40 else repr(text[:30] + "...")
        if match is None or not match.group(1).strip("0"):
            raise ConfigError(f"{where}: {shown} is not an age; write it like 30d, 12h or 2w")
        digits, unit = match.group(1).lstrip("0"), _UNITS[match.group(2)]
        delta = MAX_AGE * 2 if len(digits) > 9 else datetime.timedelta(**{unit: int(digits)})
        if delta > MAX_AGE:  # a timedelta overflows at 999999999 days; no age is that long
            raise ConfigError(f"{where}: {shown} is longer than 1000 years; {_LONGEST}")
        return cls(delta, text.strip())


def moment(stamp: float) -> datetime.datetime | None:
    """A POSIX time as a UTC datetime; None when it is outside the years 1 to 9999 (a
    date in a cassette that no calendar arithmetic can hold)."""
    try:
        return _EPOCH + datetime.timedelta(seconds=stamp)
    except (OverflowError, ValueError):  # past either end of the calendar, inf, nan
        return None


@dataclass(frozen=True, slots=True)
class Recorded:
    """When one cassette was recorded, how that is known, and the endpoints it holds."""

    file: str
    stamp: float
    how: str
    endpoints: tuple[str, ...]


def stale_findings(
    cassettes: Iterable[Recorded], max_age: Age, now: datetime.datetime
) -> list[Finding]:
    """One `cassette-stale` finding per endpoint of every cassette older than `max_age`."""
    findings: list[Finding] = []
    for cassette in sorted(cassettes, key=lambda c: c.file):
        when = moment(cassette.stamp)
        if when is None:
            continue
        age = now - when
        if age <= max_age.delta:
            continue
        day = when.date().isoformat()
        findings.extend(
            finding(
                RuleId.CASSETTE_STALE,
                endpoint=name,
                status=None,
                path=ROOT,
                source="cassette",
                baseline=f"recorded {day} ({age.days} days ago; {cassette.how})",
                current=f"max age {max_age.text}",
                location=Location(cassette.file),
                file=cassette.file,
                days=age.days,
                day=day,
                how=cassette.how,
                max_age=max_age.text,
            )
            for name in cassette.endpoints
        )
    return findings
