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

_AGE = re.compile(r"\s*(\d+)\s*([hdw])\s*\Z")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}
MAX_AGE_DAYS = 999_999  # timedelta's own limit; past it an age means "never stale"


@dataclass(frozen=True, slots=True)
class Age:
    """A maximum age such as `30d`: its length, and its spelling for messages."""

    delta: datetime.timedelta
    text: str

    @classmethod
    def parse(cls, text: str, where: str = "--max-age") -> Age:
        """`30d`, `12h` or `2w`; ConfigError naming `where` otherwise."""
        match = _AGE.match(text)
        if match is None or int(match.group(1)) == 0:
            raise ConfigError(f"{where}: {text!r} is not an age; write it like 30d, 12h or 2w")
        amount, unit = int(match.group(1)), _UNITS[match.group(2)]
        try:
            delta = datetime.timedelta(**{unit: amount})
        except OverflowError:
            delta = datetime.timedelta(days=MAX_AGE_DAYS)
        return cls(delta, text.strip())


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
        moment = datetime.datetime.fromtimestamp(cassette.stamp, datetime.timezone.utc)
        age = now - moment
        if age <= max_age.delta:
            continue
        day = moment.date().isoformat()
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
