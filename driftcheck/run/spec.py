"""`diff --spec`: what was recorded against what a provider's OpenAPI description promises.

Each recorded endpoint is matched to the spec's operations by method and path template
(`core/spec_match.py`) and its shapes compared with the documented response schemas
(`core/spec_rules.py`). A configured endpoint's route is its URL; any other endpoint's
is its automatic key (`GET host/users/{id}`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from driftcheck.core.endpoints import split_slowly
from driftcheck.core.model import EndpointSet, Report, StatusShape
from driftcheck.core.spec_model import Route, Spec

if TYPE_CHECKING:
    from driftcheck.config import Config, Endpoint
    from driftcheck.run.recordings import Recordings

PathLike = str | os.PathLike[str]


def url_route(method: str, url: str) -> Route:
    """A configured endpoint's route: its URL's host and path, placeholders kept as
    `{name}` segments (they are the spec's parameters)."""
    host, path = split_slowly(url)
    return Route(method.upper(), host, path or "/")


def routes_of(names: Iterable[str], config: Config | None = None) -> dict[str, Route]:
    """Each endpoint name's route: its configured URL, else its automatic key's."""
    configured: Mapping[str, Endpoint] = {e.name: e for e in config.endpoints} if config else {}
    routes = {}
    for name in names:
        endpoint = configured.get(name)
        routes[name] = url_route(endpoint.method, endpoint.url) if endpoint else Route.of_key(name)
    return routes


def load(path: PathLike) -> Spec:
    """The spec file, read and its `$ref`s resolved (InputError, one line, if it cannot be)."""
    from driftcheck.sources.openapi import load_spec

    return load_spec(path)


def spec_report(spec: Spec, endpoints: EndpointSet, config: Config | None = None) -> Report:
    """The `spec-*` findings of these recordings against the spec, and a note of the
    endpoints it left unchecked for being on hosts its servers do not name."""
    from driftcheck.core.spec_rules import scope_note, spec_findings

    routes = routes_of(endpoints.endpoints, config)
    findings = spec_findings(spec, routes, endpoints)
    note = scope_note(spec, routes)
    return Report(tuple(findings), len(endpoints.endpoints), notes=() if note is None else (note,))


def recorded(recordings: Recordings) -> EndpointSet:
    """Every endpoint's recorded shapes: from the fresh recordings where they hold it,
    else from the committed ones (as contracts come)."""
    committed, fresh = recordings.sides()
    merged: dict[str, Mapping[int, StatusShape]] = dict(committed.endpoints.endpoints)
    merged.update(fresh.endpoints.endpoints)
    return EndpointSet(merged)
