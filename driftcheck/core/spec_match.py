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
Which routes a spec describes at all (its servers' hosts and base paths) is
`core/spec_scope.py`'s.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from typing import Final

from driftcheck.core.endpoints import is_id_segment
from driftcheck.core.spec_model import Operation, Response, Route, SchemaNode, Spec
from driftcheck.core.spec_scope import host_of, in_scope, segments, server_hosts, servers_of, under

__all__ = [
    "AMBIGUOUS",
    "Ambiguous",
    "any_schema",
    "base_paths",
    "in_scope",
    "match_operation",
    "match_response",
    "media_parts",
    "media_type",
    "schema_for",
    "server_hosts",
]

_PARAM = re.compile(r"\{[^{}/]*\}\Z")  # a whole segment that is one parameter
_PIECE = re.compile(r"\{[^{}/]*\}")

# How literally a spec segment fits a route's: a literal beats `{id}.json`, which beats
# `{id}`; compared segment by segment from the left. A route parameter fits a spec
# parameter, else (`_GUESS`) a partial template or an id-like literal.
_LITERAL, _PARTIAL, _PARAMETER, _GUESS = 4, 3, 2, 1


class Ambiguous(enum.Enum):
    """A route that fits several operations equally, only by guesses: say nothing."""

    AMBIGUOUS = "ambiguous"


AMBIGUOUS: Final = Ambiguous.AMBIGUOUS


def base_paths(spec: Spec, route: Route) -> list[str]:
    """The base paths a route's path may start with: those of the servers on its host,
    and of the relative ones; `[""]` when the spec names no server."""
    servers = servers_of(spec)
    if not servers:
        return [""]
    host = host_of(route.host)
    bases = [s.path for s in servers if s.host is None or s.host.fullmatch(host)]
    return list(dict.fromkeys(bases))


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
    route_segments = segments(route.path)
    best: tuple[int, ...] | None = None
    tied: dict[int, Operation] = {}  # the operations with the best score, by identity
    for base in base_paths(spec, route):
        length = len(segments(base))
        if not under(segments(base), route_segments):
            continue
        # the route's own segments before the rest: a base `{variable}` says nothing
        prefix, rest = route_segments[:length], route_segments[length:]
        for op in operations:
            score = _score(prefix, segments(op.path), rest)
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


def media_parts(header: str) -> tuple[str, dict[str, str]]:
    """A media type's essence (lower case) and parameters (names lower case, values
    unquoted), `charset` left out: it says nothing of a JSON body's schema."""
    essence, _, rest = header.partition(";")
    parameters: dict[str, str] = {}
    for piece in rest.split(";"):
        name, equals, value = piece.partition("=")
        name = name.strip().lower()
        if equals and name and name != "charset":
            parameters[name] = value.strip().strip('"')
    return essence.strip().lower(), parameters


def media_type(header: str) -> str:
    """A media type as a spec's schemas are keyed: `application/json`, or with the
    parameters that tell versions apart, `application/json; version=2`."""
    essence, parameters = media_parts(header)
    return "; ".join([essence, *(f"{name}={value}" for name, value in parameters.items())])


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


def _schema_of(response: Response, essence: str, parameters: dict[str, str]) -> SchemaNode | None:
    """The schema a recorded JSON media type is held to: its own entry (by parameters
    when several), else a range naming it, else `application/json`'s; None when the
    spec lists none of them or its parameters cannot tell which."""
    keyed = [(*media_parts(key), schema) for key, schema in response.schemas.items()]
    own = [(named, schema) for key, named, schema in keyed if key == essence]
    if own:
        return _by_parameters(own, parameters)
    covering = [schema for key, _, schema in keyed if _covers(key, essence)]
    if covering:
        return covering[0]
    plain = [(named, schema) for key, named, schema in keyed if key == "application/json"]
    return _by_parameters(plain, parameters) if plain else None


def _by_parameters(
    entries: list[tuple[dict[str, str], SchemaNode]], parameters: dict[str, str]
) -> SchemaNode | None:
    """Of one media type's entries, the schema of the one the recorded parameters name
    most fully (`version=2` over none); None when they name none, or tie."""
    if len(_distinct(schema for _, schema in entries)) == 1:
        return entries[0][1]
    fitting = [
        (len(named), schema) for named, schema in entries if named.items() <= parameters.items()
    ]
    if not fitting:
        return None
    most = max(count for count, _ in fitting)
    chosen = _distinct(schema for count, schema in fitting if count == most)
    return chosen[0] if len(chosen) == 1 else None


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
    recorded = {media_type(header): media_parts(header) for header in content_types}
    found = [_schema_of(response, *parts) for parts in recorded.values() if _is_json(parts[0])]
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
