"""A provider's OpenAPI description, as the spec rules read it (pure values).

`sources/openapi.py` reads a spec file (YAML or JSON, OpenAPI 3.0 or 3.1), resolves its
`$ref`s and normalises every response schema into `SchemaNode`s: 3.0's `nullable` and
3.1's type lists read the same, `allOf` is merged, `oneOf`/`anyOf` are `alternatives`.
Each node keeps the file and line it was written at, for findings to point there.

A recorded endpoint is described by its `Route` (method, host, path template) for
matching against the spec's operations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from driftcheck.core.model import Location

ANY = None  # `SchemaNode.types` when the schema does not constrain the type


@dataclass(frozen=True, slots=True)
class SchemaNode:
    """One place of a response schema, normalised.

    `types` are JSON type names (`"integer"` is also allowed where `"number"` is; `"null"`
    where null is allowed); None when any type is. `additional` says what other keys an
    object may have: a schema, True (anything: the default) or False (none).
    `alternatives` are the branches of a `oneOf`/`anyOf` (a value matches one of them);
    the node's own constraints hold beside them.
    """

    location: Location
    types: frozenset[str] | None = ANY
    properties: Mapping[str, SchemaNode] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    additional: SchemaNode | bool = True
    items: SchemaNode | None = None  # None: any items
    enum: tuple[Any, ...] | None = None
    format: str | None = None
    alternatives: tuple[SchemaNode, ...] = ()
    discriminator: str | None = None  # the property naming an alternative, if declared
    # `discriminator.mapping`: a value of `discriminator` -> the index of its alternative
    mapping: Mapping[str, int] = field(default_factory=dict)
    write_only: bool = False  # `writeOnly`: sent by clients, never in a response


@dataclass(frozen=True, slots=True)
class Response:
    """One documented response of an operation: `status` as the spec writes it ("200",
    "2XX", "default"), and the schema of its JSON body (None: no JSON content).
    `media_types` lists every media type of its `content`."""

    status: str
    schema: SchemaNode | None
    media_types: tuple[str, ...]
    location: Location
    # every JSON media type's schema, in the spec's order (`schema` is the first's): a
    # recorded body is held to the one of its own content type when the spec has it
    schemas: Mapping[str, SchemaNode] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Operation:
    """One method of one path of the spec."""

    method: str  # upper case
    path: str  # the template as written: "/users/{userId}"
    responses: Mapping[str, Response]
    location: Location
    operation_id: str | None = None


@dataclass(frozen=True, slots=True)
class Spec:
    """A whole spec: its file, version, the base URLs of its `servers` (as written, with
    their variables' defaults filled in) and every operation."""

    file: str
    version: str  # "3.0.3", "3.1.0"
    servers: tuple[str, ...]
    operations: tuple[Operation, ...]
    location: Location  # the `paths` key


@dataclass(frozen=True, slots=True)
class Route:
    """What a recorded endpoint calls: method, host (may be "") and path template, whose
    parameters are written `{name}` (driftcheck's own `{id}`, or a config's placeholders)."""

    method: str
    host: str
    path: str

    @classmethod
    def of_key(cls, key: str) -> Route:
        """An automatic endpoint key's route: `GET api.example.com/users/{id}`."""
        method, _, rest = key.partition(" ")
        slash = rest.find("/")
        host, path = (rest, "/") if slash < 0 else (rest[:slash], rest[slash:])
        return cls(method.upper(), host, path)
