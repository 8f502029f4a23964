"""Write cassettes in vcrpy's own format: the only module that imports `vcr`."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Exchange:
    """One live request and its response, as the recorder hands it over for writing."""

    method: str
    uri: str
    request_headers: Mapping[str, list[str]]
    request_body: bytes | None
    status: int
    reason: str
    response_headers: Mapping[str, list[str]]
    body: bytes


_importing = threading.Lock()
_imported = threading.Event()


def prepare() -> None:
    """Import vcrpy (~0.3 s alone, several times that among busy threads), once: a run
    starts it before its requests rather than at its first cassette. Saving threads
    import it one at a time: two importing the package at once fail (KeyError: 'vcr')."""
    if _imported.is_set():
        return
    with _importing:
        import vcr.request
        import vcr.serialize
        import vcr.serializers.yamlserializer  # noqa: F401

        _imported.set()


def serialize(exchanges: Iterable[Exchange]) -> str:
    """A cassette in vcrpy's own YAML format, bodies stored decoded (readable text)."""
    prepare()  # vcrpy takes ~0.3 s to import: only the writing path pays for it
    from vcr.request import Request
    from vcr.serialize import serialize as vcr_serialize
    from vcr.serializers import yamlserializer

    requests: list[Request] = []
    responses: list[dict[str, Any]] = []
    for exchange in exchanges:
        requests.append(
            Request(
                exchange.method,
                exchange.uri,
                exchange.request_body,
                {k: ", ".join(v) for k, v in exchange.request_headers.items()},
            )
        )
        responses.append(
            {
                "status": {"code": exchange.status, "message": exchange.reason},
                "headers": {k: list(v) for k, v in exchange.response_headers.items()},
                "body": {"string": exchange.body},
            }
        )
    text: str = vcr_serialize({"requests": requests, "responses": responses}, yamlserializer)
    return text


def reload(text: str) -> Any:
    """A cassette's text read back as vcrpy reads it (our own output: no tags but
    `!!binary`): what anyone who opens the file gets, for the last leak scan."""
    prepare()
    from vcr.serializers import yamlserializer

    return yamlserializer.deserialize(text)
