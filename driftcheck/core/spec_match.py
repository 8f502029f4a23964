"""Which operation of a spec a recorded endpoint calls, and which documented response a
recorded status falls under (pure).

A route matches an operation when the methods agree and the route's path, once a
server's base path is taken off, fits the operation's template segment by segment: a
spec `{param}` takes any one segment, literals are equal (trailing slash ignored). The
most literal template wins (`/users/me` over `/users/{id}`), as OpenAPI says concrete
paths match first. A route's own `{param}` (an id driftcheck or the config made a
placeholder) fits a spec parameter best; it may also stand for a whole `1.json` or
`17:cancel` segment, or a literal such as `2010-04-01` the key templated, so it fits a
partial template (`{x}.json`) or such a literal only as a guess: when the best fit rests
on guesses that tie between operations, the route is `AMBIGUOUS` and nothing is said.
A spec whose servers are all absolute URLs describes those hosts only: a repository
records several APIs, and routes on other hosts are out of its scope.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Final
from urllib.parse import unquote, urlsplit

from driftcheck.core.endpoints import is_id_segment
from driftcheck.core.spec_model import Operation, Response, Route, SchemaNode, Spec

__all__ = [
    "AMBIGUOUS",
    "Ambiguous",
    "any_schema",
    "base_paths",
    "in_scope",
    "match_operation",
    "match_response",
    "schema_for",
    "server_hosts",
]

_PARAM = re.compile(r"\{[^{}/]*\}\Z")  # a whole segment that is one parameter
_PIECE = re.compile(r"\{[^{}/]*\}")
_DEFAULT_PORTS = (":443", ":80")

# How literally a spec segment fits a route's: a literal beats `{id}.json`, which beats
# `{id}`; compared segment by segment from the left. A route parameter fits a spec
# parameter, else (`_GUESS`) a partial template or an id-like literal.
_LITERAL, _PARTIAL, _PARAMETER, _GUESS = 4, 3, 2, 1


class Ambiguous(enum.Enum):
    """A route that fits several operations equally, only by guesses: say nothing."""

    AMBIGUOUS = "ambiguous"


AMBIGUOUS: Final = Ambiguous.AMBIGUOUS


def _host(netloc: str) -> str:
    """A host as routes spell it: lower case, no user info, no default port."""
    host = netloc.rpartition("@")[2].lower()
    for port in _DEFAULT_PORTS:
        if host.endswith(port):
            return host[: -len(port)]
    return host


def _servers(spec: Spec) -> list[tuple[str | None, str]]:
    """Each server's host (None: a relative URL, any host) and base path ("" for `/`)."""
    found: list[tuple[str | None, str]] = []
    for url in spec.servers:
        try:
            parts = urlsplit(url)
        except ValueError:
            continue  # a server URL Python cannot read restricts nothing
        host = _host(parts.netloc) if parts.netloc else None
        found.append((host, parts.path.rstrip("/")))
    return found


def server_hosts(spec: Spec) -> frozenset[str] | None:
    """The hosts the spec is limited to; None when some server (or none at all) leaves
    the host open."""
    servers = _servers(spec)
    if not servers or any(host is None for host, _ in servers):
        return None
    return frozenset(host for host, _ in servers if host is not None)


def in_scope(spec: Spec, route: Route) -> bool:
    """Whether the spec describes the API `route` calls (its host, when the spec says)."""
    hosts = server_hosts(spec)
    return hosts is None or _host(route.host) in hosts


def base_paths(spec: Spec, route: Route) -> list[str]:
    """The base paths a route's path may start with: those of the servers on its host,
    and of the relative ones; `[""]` when the spec names no server."""
    servers = _servers(spec)
    if not servers:
        return [""]
    host = _host(route.host)
    bases = [path for server, path in servers if server is None or server == host]
    return list(dict.fromkeys(bases))


def _segments(path: str) -> list[str]:
    return [unquote(part) for part in path.strip("/").split("/")] if path.strip("/") else []


def _fit(template: str, segment: str, previous: str | None) -> int | None:
    """How literally one spec segment fits one route segment (None: it does not);
    `previous` is the spec's segment before `template` (None: the first)."""
    route_param = bool(_PARAM.match(segment))
    if _PARAM.match(template):
        return _PARAMETER
    if route_param:
        # a placeholder's value may be `42.json`, or a literal the key made `{id}`
        if "{" in template or is_id_segment(template, previous):
            return _GUESS
        return None
    if "{" in template:
        return _PARTIAL if re.fullmatch(_pattern(template), segment) else None
    return _LITERAL if template == segment else None


def _pattern(template: str) -> str:
    """A segment such as `{name}.json` as a regular expression: each parameter one or
    more characters, the rest literal."""
    pieces, position = [], 0
    for found in _PIECE.finditer(template):
        pieces.append(re.escape(template[position : found.start()]) + ".+")
        position = found.end()
    pieces.append(re.escape(template[position:]))
    return "".join(pieces)


def _score(prefix: list[str], template: list[str], route: list[str]) -> tuple[int, ...] | None:
    if len(template) != len(route):
        return None
    before = [None, *prefix, *template][len(prefix) :]  # each spec segment's previous
    fits = tuple(
        _fit(spec, seg, previous)
        for spec, seg, previous in zip(template, route, before, strict=False)
    )
    if any(fit is None for fit in fits):
        return None
    return fits  # type: ignore[return-value]  # no None left


def _candidates(operations: Iterable[Operation], method: str) -> list[Operation]:
    return [op for op in operations if op.method.upper() == method]


def match_operation(spec: Spec, route: Route) -> Operation | Ambiguous | None:
    """The operation a route calls: the most literal match, first in the spec on a tie;
    `AMBIGUOUS` when operations tie on a fit that guesses at a route parameter."""
    operations = _candidates(spec.operations, route.method.upper())
    route_segments = _segments(route.path)
    best: tuple[int, ...] | None = None
    tied: dict[int, Operation] = {}  # the operations with the best score, by identity
    for base in base_paths(spec, route):
        prefix = _segments(base)
        if route_segments[: len(prefix)] != prefix:
            continue
        rest = route_segments[len(prefix) :]
        for op in operations:
            score = _score(prefix, _segments(op.path), rest)
            if score is None or (best is not None and score < best):
                continue
            if best is None or score > best:
                best, tied = score, {}
            tied.setdefault(id(op), op)
    if best is None:
        return None
    if len(tied) > 1 and _GUESS in best:
        return AMBIGUOUS
    return next(iter(tied.values()))


def match_response(operation: Operation, status: int) -> Response | None:
    """The documented response of a recorded status: the exact code, else its range
    (`2XX`, any case), else `default`; None when the spec lists none of them."""
    responses = {key.upper(): response for key, response in operation.responses.items()}
    for key in (str(status), f"{status // 100}XX", "DEFAULT"):
        if key in responses:
            return responses[key]
    return None


def _essence(header: str) -> str:
    """A media type without parameters, lower case: `application/json`."""
    return header.partition(";")[0].strip().lower()


def _is_json(media: str) -> bool:
    kind, _, subtype = media.partition("/")
    return bool(kind) and (subtype == "json" or subtype.endswith("+json"))


def _covers(media_range: str, media: str) -> bool:
    """Whether a spec key such as `application/*+json`, `application/*` or `*/*` names a
    recorded media type."""
    if "*" not in media_range:
        return False
    kind, _, subtype = media_range.partition("/")
    their_kind, _, theirs = media.partition("/")
    if kind not in ("*", their_kind):
        return False
    return subtype == "*" or (subtype.startswith("*+") and theirs.endswith(subtype[1:]))


def _schema_of(response: Response, media: str) -> SchemaNode | None:
    """The schema a recorded JSON media type is held to: its own entry, else a range
    naming it, else `application/json`'s; None when the spec lists none of them."""
    schemas = response.schemas
    if media in schemas:
        return schemas[media]
    covering = [schema for key, schema in schemas.items() if _covers(key, media)]
    if covering:
        return covering[0]
    return schemas.get("application/json")


def _distinct(schemas: Iterable[SchemaNode]) -> list[SchemaNode]:
    """Schemas once each: the loader builds a shared schema once, so identity says it."""
    return list({id(schema): schema for schema in schemas}.values())


def schema_for(response: Response, content_types: Mapping[str, int]) -> SchemaNode | None:
    """The schema a recorded status's bodies are held to, by the JSON content types they
    came with; None when it cannot be told (they name different schemas, or none of the
    spec's several different ones) or the response has no JSON schema."""
    everyone = _distinct(response.schemas.values())
    if len(everyone) <= 1:
        return response.schema  # one schema (or no per-type entries): nothing to choose
    recorded = [media for media in map(_essence, content_types) if _is_json(media)]
    found = [_schema_of(response, media) for media in dict.fromkeys(recorded)]
    if not found or None in found:
        return None  # a body whose type the spec does not list: which schema is a guess
    chosen = _distinct(schema for schema in found if schema is not None)
    return chosen[0] if len(chosen) == 1 else None


def any_schema(response: Response) -> SchemaNode | None:
    """What a body of unknown content type is held to: the one schema, or one of the
    spec's several (a `oneOf` of them)."""
    everyone = _distinct(response.schemas.values())
    if len(everyone) <= 1:
        return response.schema
    return SchemaNode(response.location, alternatives=tuple(everyone))
