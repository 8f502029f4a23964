"""Which operation of a spec a recorded endpoint calls, and which documented response a
recorded status falls under (pure).

A route matches an operation when the methods agree and the route's path, once a
server's base path is taken off, fits the operation's template segment by segment: a
spec `{param}` takes any one segment, a route's own `{param}` (an id driftcheck or the
config made a placeholder) fits only a spec parameter, literals are equal (trailing
slash ignored). The most literal template wins (`/users/me` over `/users/{id}`), as
OpenAPI says concrete paths match first. A spec whose servers are all absolute URLs
describes those hosts only: a repository records several APIs, and routes on other hosts
are out of its scope.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from driftcheck.core.spec_model import Operation, Response, Route, Spec

__all__ = ["base_paths", "in_scope", "match_operation", "match_response", "server_hosts"]

_PARAM = re.compile(r"\{[^{}/]*\}\Z")  # a whole segment that is one parameter
_PIECE = re.compile(r"\{[^{}/]*\}")
_DEFAULT_PORTS = (":443", ":80")

# How literally a spec segment fits a route's: a literal beats `{id}.json`, which beats
# `{id}`; compared segment by segment from the left.
_LITERAL, _PARTIAL, _PARAMETER = 2, 1, 0


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


def _fit(template: str, segment: str) -> int | None:
    """How literally one spec segment fits one route segment (None: it does not)."""
    route_param = bool(_PARAM.match(segment))
    if _PARAM.match(template):
        return _PARAMETER
    if "{" in template:
        if route_param:
            return _PARTIAL  # a placeholder's value may well be `42.json`
        return _PARTIAL if re.fullmatch(_pattern(template), segment) else None
    if route_param:
        return None
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


def _score(template: list[str], route: list[str]) -> tuple[int, ...] | None:
    if len(template) != len(route):
        return None
    fits = tuple(_fit(spec, seg) for spec, seg in zip(template, route, strict=True))
    if any(fit is None for fit in fits):
        return None
    return fits  # type: ignore[return-value]  # no None left


def _candidates(operations: Iterable[Operation], method: str) -> list[Operation]:
    return [op for op in operations if op.method.upper() == method]


def match_operation(spec: Spec, route: Route) -> Operation | None:
    """The operation a route calls: the most literal match, first in the spec on a tie."""
    operations = _candidates(spec.operations, route.method.upper())
    route_segments = _segments(route.path)
    best: tuple[tuple[int, ...], Operation] | None = None
    for base in base_paths(spec, route):
        prefix = _segments(base)
        if route_segments[: len(prefix)] != prefix:
            continue
        rest = route_segments[len(prefix) :]
        for op in operations:
            score = _score(_segments(op.path), rest)
            if score is not None and (best is None or score > best[0]):
                best = (score, op)
    return None if best is None else best[1]


def match_response(operation: Operation, status: int) -> Response | None:
    """The documented response of a recorded status: the exact code, else its range
    (`2XX`, any case), else `default`; None when the spec lists none of them."""
    responses = {key.upper(): response for key, response in operation.responses.items()}
    for key in (str(status), f"{status // 100}XX", "DEFAULT"):
        if key in responses:
            return responses[key]
    return None
