"""What a received response becomes before it is written: checked, scrubbed, serialized.

The HTTP side (`record/recorder.py`) hands over a `Received` — plain bytes and
headers, never a `requests` object — so everything that decides what reaches disk or
a message lives here, beside the scrubbing it relies on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from driftcheck.record.scrub import Scrubbing, leaked, scrub_body, scrub_headers, scrub_url
from driftcheck.record.writer import Exchange, serialize

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
) -> None:
    """Refuse responses a cassette must not hold: unexpected status, broken JSON."""
    status = received.status
    if (expected and status not in expected) or (not expected and status >= 400):
        wanted = ", ".join(map(str, expected)) if expected else "below 400"
        raise SampleError(f"unexpected status {status} (expected {wanted}) from {url}")
    if check_body is None:
        return
    headers = {k.lower(): [v] for k, v in received.headers.items()}
    headers.pop("content-encoding", None)  # the body is decoded already
    problem = check_body(received.body, headers)
    if problem is not None:
        raise SampleError(f"{problem} (from {url})")


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
        uri=scrub_url(received.url, scrubbing.query),
        request_headers=scrub_headers(request_headers, scrubbing.headers),
        request_body=request_body,
        status=received.status,
        reason=received.reason,
        response_headers=scrub_headers(response_headers, scrubbing.headers),
        body=body,
    )


def cassette_text(exchanges: list[Exchange], scrubbing: Scrubbing) -> str:
    """The cassette's text; LeakError when it would hold a secret's value."""
    text = serialize(exchanges)
    names = leaked(text, scrubbing.secrets)
    if names:
        variables = ", ".join(f"${{{name}}}" for name in names)
        raise LeakError(
            f"refused to write: the recording contains the value of {variables}; "
            "add the header, query parameter or body key that carries it to "
            "scrub_headers, scrub_query or scrub_body"
        )
    return text
