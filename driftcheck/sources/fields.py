"""One interaction's fields read and checked: URL, method, status, recording time.

A cassette is untrusted input. Each value is checked where it is read, so that nothing
computed from it later (endpoint keys, matchers, slugs, cache entries, reports) meets a
URL Python cannot take apart, a status no JSON can hold, or a date no clock can: the file
is refused with a `CassetteError` naming the value, and a run lists it and goes on.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from driftcheck.errors import CassetteError

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_METHOD = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}\Z")  # an RFC 9110 token, not too long
_STATUS = re.compile(r"\s*([0-9]{3})(?:\s|\Z)")  # `200`, `200 OK`
_EXAMPLE = "https://api.example.com/users"
LATEST = 2**37  # seconds: the year 6325; a recording date from 1970 to before it is kept


def uri(request: Mapping[str, Any], name: str, where: str) -> str:
    """The request's URL, checked here so that nothing computed from it later (endpoint
    keys, matchers, slugs) meets a URL Python cannot take apart."""
    value = request.get("uri", request.get("url"))  # go-vcr says `url`
    if not isinstance(value, str):
        if "host" in request or "path" in request:
            raise CassetteError(
                name, "pre-1.0 vcrpy cassette format (requests without `uri`); re-record it"
            )
        if value is None:
            raise CassetteError(name, f"{where}: request has no `uri`")
        raise CassetteError(
            name, f"{where}: request `uri` is {_kind(value)}, not text (a URL such as {_EXAMPLE})"
        )
    if _CONTROL.search(value):
        raise CassetteError(
            name, f"{where}: request URI {shown(value)} holds a control character; a URL has none"
        )
    try:
        urlsplit(value).port  # noqa: B018 - raises ValueError for a bad IPv6 host or port
    except ValueError as error:
        raise CassetteError(
            name, f"{where}: request URI {shown(value)} is not a valid URL ({error})"
        ) from None
    return value


def method(value: Any, name: str, where: str) -> str:
    """The request's method, upper-cased (GET when none is recorded)."""
    if value is None or value == "":
        return "GET"
    if not isinstance(value, str) or not _METHOD.match(value):
        raise CassetteError(
            name,
            f"{where}: request method {shown(value)} is not an HTTP method "
            "(a token such as GET or POST)",
        )
    return value.upper()


def _kind(value: Any) -> str:
    return {bytes: "bytes", list: "a list", dict: "a mapping", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def printable(text: str) -> str:
    """Text from a cassette fit for a one-line message: control characters (a terminal's
    escape sequences) and lone surrogates escaped."""
    return "".join(c if c.isprintable() else ascii(c)[1:-1] for c in text)


def shown(value: Any, limit: int = 80) -> str:
    """A value from a cassette as it may be printed in one line: escaped (control
    characters, lone surrogates), shortened, a structure only named."""
    if isinstance(value, (list, dict, tuple, set)):
        return _kind(value)
    if isinstance(value, int) and value.bit_length() > 128:
        return "(a number of more than 38 digits)"
    if isinstance(value, (str, bytes)):
        value = value[:limit]
    text = ascii(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def recorded_at(stamp: Any, headers: Mapping[str, list[str]]) -> float | None:
    """When an interaction was recorded: Ruby VCR's `recorded_at`, else the Date header."""
    candidates = [stamp] + [
        v for k, values in headers.items() if k.lower() == "date" for v in values
    ]
    for candidate in candidates:
        if isinstance(candidate, datetime.datetime):
            moment: datetime.datetime | None = candidate
        elif isinstance(candidate, str):
            moment = _parse_date(candidate.strip())
        else:
            continue
        if moment is not None:
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=datetime.timezone.utc)
            try:  # a date that is no instant in UTC (year 1 or 9999 past a time zone) is none
                seconds = moment.astimezone(datetime.timezone.utc).timestamp()
            except (ValueError, OverflowError, OSError):
                continue
            if 0 <= seconds < LATEST:  # any clock converts it, in any time zone
                return seconds
    return None


def _parse_date(text: str) -> datetime.datetime | None:
    """ISO 8601 (vcrpy's), else RFC 1123 (an HTTP `Date`); None for neither."""
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        pass
    import email.utils  # socket, random: imported only for an RFC 1123 date

    try:
        return email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def status(response: Mapping[str, Any], name: str, where: str) -> int:
    """vcrpy `status: {code}`, httpx `status_code`, go-vcr `code` and `status: "200 OK"`:
    a whole number from 100 to 999 (a huge, negative, fractional, infinite or boolean
    status is refused with the value it has)."""
    stated = response.get("status")
    if isinstance(stated, dict):
        stated = stated.get("code")
    found = [
        c for c in (stated, response.get("status_code"), response.get("code")) if c is not None
    ]
    for candidate in found:
        code = _code(candidate)
        if code is not None:
            return code
    if not found:
        raise CassetteError(name, f"{where}: response has no numeric status code")
    raise CassetteError(
        name,
        f"{where}: response status {shown(found[0])} is not an HTTP status code "
        "(a whole number from 100 to 999)",
    )


def _code(value: Any) -> int | None:
    if isinstance(value, str):
        found = _STATUS.match(value[:16])
        value = int(found.group(1)) if found else None
    elif isinstance(value, float) and value.is_integer():
        value = int(value)  # YAML read `200.0`
    if isinstance(value, int) and not isinstance(value, bool) and 100 <= value <= 999:
        return value
    return None
