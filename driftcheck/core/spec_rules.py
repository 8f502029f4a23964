"""What was recorded against what a provider's OpenAPI description promises (pure): the
seven `spec-*` rules, for every recorded endpoint the spec describes.

Each endpoint is matched to an operation (`core/spec_match.py`), each recorded status to a
documented response, and each status's recorded shape walked against the response's JSON
schema (`core/spec_fields.py`). Only disagreements the recordings prove are reported: a
key the spec requires but some responses lack, a null or type it does not allow, a key or
an enum value it does not document; what was never recorded says nothing about the spec.
Each status is held to the schema of its recorded JSON content type (`schema_for`);
a route that fits several operations only by a guess at its `{id}` gives nothing. Routes
on hosts the spec's servers do not name are another API's, left alone and counted in a
note (`scope_note`): a spec naming only `localhost` must not pass as "no drift".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from driftcheck.core.model import EndpointSet, Finding, Location, Severity, StatusShape
from driftcheck.core.paths import ROOT
from driftcheck.core.rules import RuleId, finding
from driftcheck.core.spec_fields import field_findings
from driftcheck.core.spec_match import (
    AMBIGUOUS,
    in_scope,
    match_operation,
    match_response,
    schema_for,
    server_hosts,
)
from driftcheck.core.spec_model import Operation, Route, Spec

__all__ = ["scope_note", "spec_findings"]

SOURCE = "spec"
MAX_HOSTS = 3  # hosts named in the scope note; the rest are counted


def spec_findings(spec: Spec, routes: Mapping[str, Route], endpoints: EndpointSet) -> list[Finding]:
    """Every `spec-*` finding of these recordings: per endpoint (in `endpoints`' order) and
    status (ascending), each disagreement once."""
    found: list[Finding] = []
    for name, statuses in endpoints.endpoints.items():
        route = routes.get(name) or Route.of_key(name)
        if in_scope(spec, route):
            found.extend(_endpoint(spec, name, route, statuses))
    return _once(found)


def _once(found: Iterable[Finding]) -> list[Finding]:
    seen: set[tuple[str, int | None, str, RuleId]] = set()
    kept = []
    for item in found:
        key = (item.endpoint, item.status, item.path, item.rule)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def _first_location(statuses: Mapping[int, StatusShape]) -> Location | None:
    return next((s.location for _, s in sorted(statuses.items()) if s.location), None)


def _endpoint(
    spec: Spec, name: str, route: Route, statuses: Mapping[int, StatusShape]
) -> list[Finding]:
    operation = match_operation(spec, route)
    if operation is AMBIGUOUS:
        return []  # it fits several operations only by guesses: nothing can be said
    if operation is None:
        text = f"{route.method} {route.host}{route.path}"
        return [
            finding(
                RuleId.SPEC_ENDPOINT_UNDOCUMENTED, endpoint=name, status=None, path=ROOT,
                source=SOURCE, baseline="no operation", current=text,
                location=_first_location(statuses), spec_location=spec.location,
                route=text, spec=str(spec.location),
            )
        ]  # fmt: skip
    found: list[Finding] = []
    for status, shape in sorted(statuses.items()):
        found.extend(_status(name, operation, status, shape))
    return found


def _status(name: str, operation: Operation, status: int, shape: StatusShape) -> list[Finding]:
    response = match_response(operation, status)
    if response is None:
        declared = ", ".join(operation.responses) or "none"
        return [
            finding(
                RuleId.SPEC_STATUS_UNDOCUMENTED, endpoint=name, status=status, path=ROOT,
                source=SOURCE, baseline=declared, current=str(status),
                location=shape.location, spec_location=operation.location,
                samples=shape.samples, operation=f"{operation.method} {operation.path}",
                declared=declared, spec=str(operation.location),
            )
        ]  # fmt: skip
    schema = schema_for(response, shape.content_types)
    if schema is None or shape.shape is None:
        return []  # no JSON on one side, or no telling which of its schemas: nothing to say

    def report(
        rule: RuleId,
        path: str,
        site: Location,
        baseline: str,
        current: str,
        severity: Severity | None = None,
        **facts: Any,
    ) -> Finding:
        return finding(
            rule, endpoint=name, status=status, path=path, source=SOURCE, baseline=baseline,
            current=current, location=shape.location, spec_location=site, severity=severity,
            spec=str(site), **facts,
        )  # fmt: skip

    return field_findings(report, shape.shape, schema)


def _hosts(hosts: Iterable[str]) -> str:
    names = sorted({host or "no host" for host in hosts})
    shown = ", ".join(names[:MAX_HOSTS])
    return shown + (f" and {len(names) - MAX_HOSTS} more" if len(names) > MAX_HOSTS else "")


def scope_note(spec: Spec, routes: Mapping[str, Route]) -> str | None:
    """What the spec left unchecked because its servers name other hosts (a springdoc
    spec's `http://localhost:8080`, say): a run that checked nothing must say so."""
    named = server_hosts(spec)
    if named is None:
        return None
    outside = [route.host for route in routes.values() if not in_scope(spec, route)]
    if not outside:
        return None
    total, count = len(routes), len(outside)
    hosts = f"on {_hosts(outside)}; the spec's servers name {_hosts(named)}"
    fix = (
        "if they are the API the spec describes, add a relative server (`url: /`) or one "
        "on their host to its `servers`"
    )
    if count == total:
        which = (
            "the one recorded endpoint is on a host"
            if total == 1
            else (f"all {total} recorded endpoints are on hosts")
        )
        return (
            f"nothing was checked against the spec {spec.file}: {which} its servers do not "
            f"name ({hosts}); {fix}"
        )
    noun = "endpoint is" if count == 1 else "endpoints are"
    return (
        f"{count} of {total} recorded {noun} on hosts the spec's servers do not name "
        f"({hosts}): not held to the spec {spec.file}; {fix}"
    )
