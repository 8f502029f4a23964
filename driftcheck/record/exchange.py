"""What a received response becomes before it is written: checked, scrubbed, serialized.

The HTTP side (`record/recorder.py`) hands over a `Received` — plain bytes and
headers, never a `requests` object — so everything that decides what reaches disk or
a message lives here, beside the scrubbing it relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from driftcheck.record.leaks import (
    INFLATE_CAP,
    Secrets,
    Unscannable,
    document_leaks,
    found_in,
    secrets_of,
)
from driftcheck.record.scrub import Scrubbing, scrub_body, scrub_headers, scrub_url, shown
from driftcheck.record.writer import Exchange, reload, serialize

DROPPED_HEADERS = frozenset({"content-encoding", "transfer-encoding"})

BodyCheck = Callable[[bytes, Mapping[str, list[str]]], str | None]


class SampleError(Exception):
    """One sample failed; the message is the one-line reason shown to the user."""


class LeakError(Exception):
    """A serialized cassette still holds the value of a `${VAR}`; it must not be written."""


@dataclass(frozen=True, slots=True)
class Received:
    """A live response as the HTTP side read it: the body decoded from its transfer and
    content encodings, the request as it was sent."""

    url: str  # the URL requested
    status: int
    reason: str
    headers: Mapping[str, str]  # response headers
    body: bytes
    request_headers: Mapping[str, str]
    request_body: bytes | None


def check_response(
    url: str,
    expected: tuple[int, ...],
    received: Received,
    check_body: BodyCheck | None = None,
    scrubbing: Scrubbing | None = None,
) -> None:
    """Refuse responses a cassette must not hold: unexpected status, broken JSON. The
    message is made safe to show (`scrub.shown`): the URL carries the config's secrets."""
    status = received.status
    safe = scrubbing or Scrubbing()
    if (expected and status not in expected) or (not expected and status >= 400):
        wanted = ", ".join(map(str, expected)) if expected else "below 400"
        raise SampleError(shown(f"unexpected status {status} (expected {wanted}) from {url}", safe))
    if check_body is None:
        return
    headers = {k.lower(): [v] for k, v in received.headers.items()}
    headers.pop("content-encoding", None)  # the body is decoded already
    problem = check_body(received.body, headers)
    if problem is not None:
        raise SampleError(shown(f"{problem} (from {url})", safe))


def to_exchange(method: str, received: Received, scrubbing: Scrubbing) -> Exchange:
    """The recorded exchange, with every configured and built-in secret scrubbed."""
    request_headers = {k: [str(v)] for k, v in received.request_headers.items()}
    response_headers = {
        k: [v] for k, v in received.headers.items() if k.lower() not in DROPPED_HEADERS
    }
    body = scrub_body(received.body, received.headers.get("Content-Type", ""), scrubbing.body)
    for name in list(response_headers):
        if name.lower() == "content-length":
            response_headers[name] = [str(len(body))]
    request_body = None
    if received.request_body:
        content_type = received.request_headers.get("Content-Type", "")
        request_body = scrub_body(received.request_body, content_type, scrubbing.body)
    return Exchange(
        method=method,
        uri=scrub_url(received.url, scrubbing.query, scrubbing.secrets.values()),
        request_headers=scrub_headers(request_headers, scrubbing.headers),
        request_body=request_body,
        status=received.status,
        reason=received.reason,
        response_headers=scrub_headers(response_headers, scrubbing.headers),
        body=body,
    )


def _parts(exchange: Exchange) -> Iterator[tuple[str, str | bytes]]:
    """Everything an exchange writes, each with where it is, for the leak message."""
    yield "the URL", exchange.uri
    yield "the method", exchange.method
    yield "the response reason", exchange.reason
    for side, headers in (
        ("request", exchange.request_headers),
        ("response", exchange.response_headers),
    ):
        for name, values in headers.items():
            yield f"a {side} header's name", name
            for value in values:
                yield f"{side} header {name}", value
    if exchange.request_body:
        yield "the request body", exchange.request_body
    yield "the response body", exchange.body


def leaks(
    exchanges: list[Exchange], known: Secrets, scanned: set[str | bytes] | None = None
) -> dict[str, list[str]]:
    """Where each variable's value is in `exchanges` (decoded: any spelling or encoding);
    each value scanned is added to `scanned`, and its UTF-8 text as YAML stores it."""
    found: dict[str, list[str]] = {}
    scanned = set() if scanned is None else scanned
    for exchange in exchanges:
        for place, value in _parts(exchange):
            scanned.add(value)
            if isinstance(value, bytes):
                scanned.add(value.decode("utf-8", "replace"))
            label = "a header" if known.names_in(place) else place  # a name may echo one
            for name in found_in(known, value):
                if label not in found.setdefault(name, []):
                    found[name].append(label)
    return found


def cassette_text(exchanges: list[Exchange], scrubbing: Scrubbing) -> str:
    """The cassette's text; LeakError when what it holds, read back, or its text in any
    spelling would show a secret's value."""
    known = secrets_of(scrubbing.secrets)
    text = serialize(exchanges)
    if not known:  # no value long enough to look for: every scan below would find nothing
        return text
    scanned: set[str | bytes] = set()
    try:
        found = leaks(exchanges, known, scanned)
        leaked = known.spelled_in(text) | document_leaks(known, reload(text), scanned)
    except Unscannable:
        raise LeakError(
            f"refused to write: a compressed body inflates past {INFLATE_CAP // 2**20} MiB, "
            "too much to scan for the values of the config's ${VAR} secrets; have the "
            "server send a smaller body (or record with no secrets in the config)"
        ) from None
    for name in leaked:
        found.setdefault(name, ["the cassette text"])
    if found:
        variables = ", ".join(f"${{{name}}}" for name in sorted(found))
        places = sorted({place for where in found.values() for place in where})
        message = (
            f"refused to write: the recording contains the value of {variables}; "
            "add the header, query parameter or body key that carries it to "
            f"scrub_headers, scrub_query or scrub_body (found in {', '.join(places)})"
        )
        raise LeakError(shown(message, scrubbing))  # a secret may spell "body"
    return text
