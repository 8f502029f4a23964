"""What an endpoint's `Deprecation` (RFC 9745), `Sunset` (RFC 8594) and `Link` (RFC 8288)
response headers announce: the dates, and the links a client needs to move on (pure).

The only header values driftcheck reads: a report shows these dates and links, nothing
else of any header. Nothing here raises on what a server sends: a date that cannot be
read is kept as `(unparsed)`, a link that does not parse is skipped.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import unquote, urlsplit, urlunsplit

from driftcheck.core.domains import SECRET_SHAPE

Headers = Mapping[str, Sequence[str]]

RELATIONS = ("deprecation", "sunset", "successor-version", "latest-version")
"""The `Link` relations a retirement notice shows (RFC 9745, RFC 8594, RFC 5829)."""

UNPARSED = "(unparsed)"

ABSENT = frozenset(
    {"false", "?0", "0", "no", "off", "", '""', '"false"', "undefined", "null", "none", "nil"}
)
"""`Deprecation` values (lower-case) that say the endpoint is not deprecated: as if the header
were absent. A middleware that sets the header from an unset flag sends `undefined`
(JavaScript), `None` (Python), `null` or `nil`."""

SHOWN_MAX = 200
"""The longest link URL a report shows: a report line stays readable whatever a server sends."""

LINKS_PER_RELATION = 4
LINKS_IN_ALL = 8
"""At most this many distinct links a notice keeps (per relation, in all): a report line
stays readable whatever a server (or a cache file) sends."""

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


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
    (other than `false`, `?0`, `0`, `no`, `undefined`, `null`... : `ABSENT`) nor `Sunset`.
    A date that cannot be read is `(unparsed)`."""
    deprecation = [v.strip() for v in values(headers, "deprecation")]
    deprecation = [v for v in deprecation if v.lower() not in ABSENT]
    sunset = [v.strip() for v in values(headers, "sunset") if v.strip()]
    if not deprecation and not sunset:
        return None
    when, text = _deprecation(deprecation[0]) if deprecation else (None, "")
    sunset_when, sunset_text = _http_date(sunset[0]) if sunset else (None, "")
    wanted = [(rel, url) for rel, url in links(values(headers, "link")) if rel in RELATIONS]
    return Notice(when, text, sunset_when, sunset_text, capped(wanted))


def capped(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Distinct (relation, URL) pairs in order, at most `LINKS_PER_RELATION` of a relation
    and `LINKS_IN_ALL` in all."""
    kept: list[tuple[str, str]] = []
    for pair in dict.fromkeys(pairs):
        if len(kept) == LINKS_IN_ALL:
            break
        if sum(rel == pair[0] for rel, _ in kept) < LINKS_PER_RELATION:
            kept.append(pair)
    return tuple(kept)


def malformed(told: Notice) -> str | None:
    """What shows that a notice is not one `notice` could have made (a hostile or damaged
    cache entry), or None: its texts must be what its dates read as, its links shown and
    capped as `notice` keeps them."""
    if not told.deprecation_text and not told.sunset_text:
        return "a retirement notice with neither Deprecation nor Sunset"
    for when, text, undated in (
        (told.deprecation, told.deprecation_text, ("", "yes", UNPARSED)),
        (told.sunset, told.sunset_text, ("", UNPARSED)),
    ):
        fits = text in undated if when is None else (when, text) == dated(when)
        if not fits:
            return f"a retirement date and text that do not match: {when!r}, {text!r}"
    if any(rel not in RELATIONS or shown(url) != url for rel, url in told.links):
        return "a retirement link that is not a shown http(s) URL of a notice's relations"
    if capped(told.links) != told.links:
        return "retirement links repeated or more than the cap"
    return None


def _deprecation(value: str) -> tuple[float | None, str]:
    """RFC 9745's `@1688169599` (a structured-field date); `true` or `?1` of the drafts
    and many APIs (deprecated, no date); or an HTTP-date of the early drafts."""
    if value.lower() in ("true", "?1"):
        return None, "yes"
    if re.fullmatch(r"@-?\d{1,12}", value):
        return dated(float(value[1:]))
    return _http_date(value)


_SMALL_YEAR = re.compile(r"(?:(?<![\d:+-])|(?<=[A-Za-z]-))00\d\d(?![\d:])")
"""A 4-digit year below 100 (`0001`): `email.utils` would read it as 2001."""

_UNREADABLE = (TypeError, ValueError, IndexError, OverflowError, OSError)


def _http_date(value: str) -> tuple[float | None, str]:
    """An HTTP-date (RFC 9110: IMF-fixdate, RFC 850, asctime), or an ISO 8601 date some
    APIs send; anything else, or a date outside years 1-9999, is kept as `(unparsed)`."""
    from email.utils import parsedate_to_datetime  # on use: 7 ms of a tiny diff's start-up

    try:
        moment = parsedate_to_datetime(value)
    except _UNREADABLE:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except _UNREADABLE:
            return None, UNPARSED
    else:
        if _SMALL_YEAR.search(value):
            return None, UNPARSED
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # HTTP-dates are GMT
    try:
        return dated((moment - _EPOCH).total_seconds())
    except _UNREADABLE:
        return None, UNPARSED


def dated(when: float) -> tuple[float | None, str]:
    """A POSIX time and the `YYYY-MM-DD` a report shows for it; `(None, "(unparsed)")` when
    it is not a day of years 1-9999."""
    try:
        day = datetime.fromtimestamp(when, timezone.utc)
    except _UNREADABLE:
        return None, UNPARSED
    return when, f"{day.year:04d}-{day.month:02d}-{day.day:02d}"  # strftime: `100-01-01`


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
            found.extend((rel, shown(match.group(1).strip())) for rel in relations)
    return found


_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")
_PRINTABLE = re.compile(r"[!-~]*")


def shown(url: str) -> str:
    """A link's URL as a report shows it: an http(s) URL with a host, without credentials,
    query, fragment or `;parameters` in its path (any of them may carry a token, e.g.
    `;jsessionid=`); anything else, a path holding an `@` or a credential's shape (also
    once percent-decoded: `%40`, `%65yJ`), or a URL longer than SHOWN_MAX, is
    `(unparsed)`."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host  # IPv6
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return UNPARSED
    scheme = parts.scheme.lower()
    path = "/".join(segment.split(";", 1)[0] for segment in parts.path.split("/"))
    if scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return UNPARSED
    if len(path) > SHOWN_MAX or not _PRINTABLE.fullmatch(path) or _hides_secret(path):
        return UNPARSED
    url = urlunsplit((scheme, host + port, path, "", ""))
    return url if len(url) <= SHOWN_MAX else UNPARSED


def _hides_secret(path: str) -> bool:
    """An `@` (an e-mail) or a credential-shaped segment in `path`, as given or decoded
    (as often as it decodes: `%2540` is `%40`, then `@`)."""
    while True:
        if "@" in path or _secret_segment(path):
            return True
        decoded = unquote(path)
        if decoded == path:
            return False
        path = decoded


def _secret_segment(path: str) -> bool:
    """A path segment shaped like a vendor credential (`ghp_…`, a JWT): not shown."""
    return any(SECRET_SHAPE.match(segment) for segment in path.split("/"))
