"""vcrpy cassettes written as text, byte for byte what `yaml.dump(CSafeDumper)` writes.

`yaml.dump` costs about a millisecond per small cassette, which is most of the time
of writing 200,000 of them, and it needs the whole body in memory, which a 1 GB body
should not. Here each interaction is a template filled with its values, and JSON
bodies are folded at 80 columns the way libyaml folds single-quoted scalars, in
pieces, so a huge body can be streamed. Only what the generators write is supported
(ASCII JSON without `'` or runs of spaces); `check` compares a cassette with what
`yaml.dump` writes for the same document, and the generators call it on a sample.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

WIDTH = 80  # libyaml's best_width
DATE = "Sat, 21 Nov 2026 03:00:00 GMT"
REASONS = {200: "OK", 201: "Created", 404: "Not Found", 422: "Unprocessable Entity"}


@dataclass(frozen=True)
class Exchange:
    """One recorded request and its response, as the generators describe it."""

    method: str
    uri: str
    status: int
    request_id: str  # `req-...`: never read as a number
    request_body: str | None = None  # JSON text of a POST, short
    headers: dict[str, str] = field(default_factory=dict)  # extra request headers


class Fold:
    """Folds a single-quoted scalar's text in pieces, as libyaml does: a space becomes a
    line break and the indent when the column is past WIDTH."""

    def __init__(self, column: int, indent: int) -> None:
        self.column = column
        self.pad = "\n" + " " * indent
        self.indent = indent

    def __call__(self, text: str) -> str:
        if "'" in text or "  " in text or not text.isascii():
            raise ValueError("only ASCII text without quotes or double spaces is folded here")
        pieces: list[str] = []
        start, column = 0, self.column
        find, pad, step = text.find, self.pad, WIDTH + 1 - self.indent
        space = find(" ", max(0, WIDTH + 1 - column))
        while space >= 0:
            pieces += (text[start:space], pad)
            start, column = space + 1, self.indent
            space = find(" ", start + step)
        pieces.append(text[start:])
        self.column = column + len(text) - start
        return "".join(pieces)


def _quoted(text: str, column: int, indent: int) -> str:
    return "'" + Fold(column + 1, indent)(text) + "'"


def _request_headers(exchange: Exchange) -> dict[str, str]:
    headers = {
        "Accept": "application/json",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "keep-alive",
        "User-Agent": "python-requests/2.32.3",
        **exchange.headers,
    }
    if exchange.request_body is not None:
        headers["Content-Length"] = str(len(exchange.request_body))
        headers["Content-Type"] = "application/json"
    return headers


def _response_headers(exchange: Exchange, length: int) -> dict[str, str]:
    return {
        "Content-Length": str(length),
        "Content-Type": "application/json; charset=utf-8",
        "Date": DATE,
        "Server": "uvicorn",
        "X-Request-Id": exchange.request_id,
    }


def _request(exchange: Exchange) -> str:
    body = "null"
    if exchange.request_body is not None:
        body = _quoted(exchange.request_body, len("    body: "), 6)
    headers = _request_headers(exchange)
    lines = ["- request:", f"    body: {body}", "    headers:"]
    for name in sorted(headers):
        lines += (f"      {name}:", f"      - {_plain(headers[name])}")
    lines += (f"    method: {exchange.method}", f"    uri: {exchange.uri}", "  response:")
    return "\n".join(lines) + "\n    body:\n      string: '"


def _plain(value: str) -> str:
    return f"'{value}'" if value.isdigit() else value


def _response_tail(exchange: Exchange, length: int) -> str:
    headers = _response_headers(exchange, length)
    lines = ["'", "    headers:"]
    for name in sorted(headers):
        lines += (f"      {name}:", f"      - {_plain(headers[name])}")
    lines += ("    status:", f"      code: {exchange.status}")
    lines.append(f"      message: {REASONS[exchange.status]}")
    return "\n".join(lines) + "\n"


def stream(exchanges: Iterable[tuple[Exchange, Iterable[str]]]) -> Iterator[str]:
    """The cassette's text in pieces; each response body comes in pieces too."""
    yield "interactions:\n"
    for exchange, body in exchanges:
        yield _request(exchange)
        fold, length = Fold(len("      string: '"), 8), 0
        for piece in body:
            length += len(piece)
            yield fold(piece)
        yield _response_tail(exchange, length)
    yield "version: 1\n"


def render(exchanges: Iterable[tuple[Exchange, str]]) -> str:
    return "".join(stream((exchange, (body,)) for exchange, body in exchanges))


def document(exchanges: Iterable[tuple[Exchange, str]]) -> dict[str, Any]:
    """The document `render` writes, as vcrpy holds it before `yaml.dump`."""
    interactions = [
        {
            "request": {
                "body": exchange.request_body,
                "headers": {k: [v] for k, v in _request_headers(exchange).items()},
                "method": exchange.method,
                "uri": exchange.uri,
            },
            "response": {
                "body": {"string": body},
                "headers": {k: [v] for k, v in _response_headers(exchange, len(body)).items()},
                "status": {"code": exchange.status, "message": REASONS[exchange.status]},
            },
        }
        for exchange, body in exchanges
    ]
    return {"interactions": interactions, "version": 1}


def check(exchanges: list[tuple[Exchange, str]]) -> None:
    """Raise unless `render` writes exactly what `yaml.dump` does for the same document."""
    text = render(exchanges)
    expected = yaml.dump(document(exchanges), Dumper=yaml.CSafeDumper)
    if text != expected:
        at = next(n for n, (a, b) in enumerate(zip(text, expected, strict=False)) if a != b)
        raise AssertionError(f"fast cassette text differs from yaml.dump at {at}: {text[at:80]!r}")
