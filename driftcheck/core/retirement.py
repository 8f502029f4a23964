"""What an endpoint's `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and `Link` (RFC 8288)
response headers announce: the dates, and the links a client needs to move on (pure).

The only header values driftcheck reads: a report shows these dates and links, nothing
else of any header. Nothing here raises on what a server sends: a date that cannot be
read is kept as `(unparsed)`, a link that does not parse is skipped.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit, urlunsplit

Headers = Mapping[str, Sequence[str]]

RELATIONS = ("deprecation", "sunset", "successor-version", "latest-version")
"""The `Link` relations a retirement notice shows (RFC 9745, RFC 8594, RFC 5829)."""

UNPARSED = "(unparsed)"


@dataclass(frozen=True, slots=True)
class Notice:
    """What an endpoint's `Deprecation` and `Sunset` headers say.

    `deprecation` / `sunset` are POSIX times (None: no date, or a date that could not be
    read); `deprecation_text` / `sunset_text` are what a report shows: `YYYY-MM-DD`,
    `yes` for `Deprecation: true` (deprecated, no date), `(unparsed)`, or "" when the
    header is absent. `links` are (relation, URL) pairs of the relations in `RELATIONS`.
    """

    deprecation: float | None = None
    deprecation_text: str = ""
    sunset: float | None = None
    sunset_text: str = ""
    links: tuple[tuple[str, str], ...] = ()

    def link(self, relation: str) -> str | None:
        """The first URL given for a relation, if any."""
        return next((url for rel, url in self.links if rel == relation), None)

    def sunset_passed(self, now: float) -> bool:
        """Whether the Sunset date is in the past: the endpoint may be gone any day."""
        return self.sunset is not None and self.sunset <= now

    def describe(self) -> str:
        """`Deprecation: 2023-06-30; Sunset: 2024-01-01; successor-version: https://…`."""
        parts = [f"Deprecation: {self.deprecation_text}"] if self.deprecation_text else []
        if self.sunset_text:
            parts.append(f"Sunset: {self.sunset_text}")
        parts.extend(f"{rel}: {url}" for rel, url in self.links)
        return "; ".join(parts)

    def order(self) -> tuple[float, str, float, str, tuple[tuple[str, str], ...]]:
        """A total order, so the newest notice of a tally is chosen the same way in any merge."""
        return (
            -math.inf if self.deprecation is None else self.deprecation,
            self.deprecation_text,
            -math.inf if self.sunset is None else self.sunset,
            self.sunset_text,
            self.links,
        )


def values(headers: Headers, name: str) -> list[str]:
    """Every value of a header, its name in any case, in order (a header may repeat; a
    lone string is one value, as some cassette formats store it)."""
    lowered = name.lower()
    found = (vs for key, vs in headers.items() if str(key).lower() == lowered)
    return [str(v) for vs in found for v in ([vs] if isinstance(vs, str) else vs)]


def notice(headers: Headers) -> Notice | None:
    """The retirement notice of one response; None when it sends neither `Deprecation`
    (other than `false`) nor `Sunset`. A date that cannot be read is `(unparsed)`."""
    deprecation = [v.strip() for v in values(headers, "deprecation")]
    deprecation = [v for v in deprecation if v.lower() not in ("false", "?0", "")]
    sunset = [v.strip() for v in values(headers, "sunset") if v.strip()]
    if not deprecation and not sunset:
        return None
    when, text = _deprecation(deprecation[0]) if deprecation else (None, "")
    sunset_when, sunset_text = _http_date(sunset[0]) if sunset else (None, "")
    wanted = [(rel, url) for rel, url in links(values(headers, "link")) if rel in RELATIONS]
    return Notice(when, text, sunset_when, sunset_text, tuple(dict.fromkeys(wanted)))


def _deprecation(value: str) -> tuple[float | None, str]:
    """RFC 9745's `@1688169599` (a structured-field date); `true` or `?1` of the drafts
    and many APIs (deprecated, no date); or an HTTP-date of the early drafts."""
    if value.lower() in ("true", "?1"):
        return None, "yes"
    if re.fullmatch(r"@-?\d{1,12}", value):
        return _dated(float(value[1:]))
    return _http_date(value)


def _http_date(value: str) -> tuple[float | None, str]:
    """An HTTP-date (RFC 9110: IMF-fixdate, RFC 850, asctime), or an ISO 8601 date some
    APIs send; anything else is kept as `(unparsed)`."""
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None, UNPARSED
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # HTTP-dates are GMT
    return _dated(float(calendar.timegm(moment.utctimetuple())))


def _dated(when: float) -> tuple[float | None, str]:
    try:
        return when, datetime.fromtimestamp(when, timezone.utc).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return None, UNPARSED


_LINK = re.compile(r"\s*<([^>]*)>\s*")
_PARAM = re.compile(r'\s*;\s*([^\s;,=]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|[^;,]*))?')


def links(header_values: Iterable[str]) -> list[tuple[str, str]]:
    """`Link` headers (RFC 8288) as (relation, URL) pairs, relations lower-case: several
    links in a value, several values, `rel` quoted or not, several relations in one.
    What does not parse is skipped up to the next link; URLs are shown without their
    credentials, query and fragment (they may carry tokens)."""
    found: list[tuple[str, str]] = []
    for value in header_values:
        position = 0
        while (start := value.find("<", position)) >= 0:
            match = _LINK.match(value, start)
            if match is None:  # a `<` never closed: nothing more to read in this value
                break
            position = match.end()
            relations: list[str] = []
            while (param := _PARAM.match(value, position)) is not None:
                position = param.end()
                if param.group(1).lower() == "rel" and param.group(2) is not None:
                    relations.extend(param.group(2).strip().strip('"').lower().split())
            found.extend((rel, _shown(match.group(1).strip())) for rel in relations)
    return found


def _shown(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host  # IPv6
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return UNPARSED
    return urlunsplit((parts.scheme, host + port, parts.path, "", ""))
