"""What was recorded against what a provider's OpenAPI description promises (pure): the
seven `spec-*` rules, for every recorded endpoint the spec describes.

Each endpoint is matched to an operation (`core/spec_match.py`), each recorded status to a
documented response, and each status's recorded shape walked against the response's JSON
schema (`core/spec_fields.py`). Only disagreements the recordings prove are reported: a
key the spec requires but some responses lack, a null or type it does not allow, a key or
an enum value it does not document; what was never recorded says nothing about the spec.
Each status is held to the schema of its recorded JSON content type (`schema_for`);
a route that fits several operations only by a guess at its `{id}` gives nothing. Routes
outside the spec's servers (`core/spec_scope.py`) are another API's, left alone and
counted in a note (`scope_note`): a spec naming only `localhost` must not pass as "no
drift". What the spec cannot decide gives nothing: a method OpenAPI has no field for
(PROPFIND), a redirect hop (301 of `http://` or a missing trailing slash) the operation
does not list, a status of an operation that lists no responses (3.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from driftcheck.core.model import EndpointSet, Finding, Location, Severity, StatusShape
from driftcheck.core.openapi_export import METHODS
from driftcheck.core.paths import ROOT
from driftcheck.core.rules import RuleId, finding
from driftcheck.core.spec_fields import field_findings
from driftcheck.core.spec_match import AMBIGUOUS, match_operation, match_response, schema_for
from driftcheck.core.spec_model import Operation, Route, Spec
from driftcheck.core.spec_scope import in_scope, scope_note

__all__ = ["scope_note", "spec_findings"]

SOURCE = "spec"
# statuses a client's redirect-following records as a hop: the endpoint key merges the
# URLs (scheme, trailing slash) the spec tells apart, so the hop is not the operation's
REDIRECTS = frozenset({301, 302, 303, 307, 308})


def spec_findings(spec: Spec, routes: Mapping[str, Route], endpoints: EndpointSet) -> list[Finding]:
    """Every `spec-*` finding of these recordings: per endpoint (in `endpoints`' order) and
    status (ascending), each disagreement once."""
    every = {name: routes.get(name) or Route.of_key(name) for name in endpoints.endpoints}
    hosts = {route.host for route in every.values()}
    found: list[Finding] = []
    for name, statuses in endpoints.endpoints.items():
        if in_scope(spec, every[name], hosts):
            found.extend(_endpoint(spec, name, every[name], statuses))
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
    if route.method.lower() not in METHODS:
        return []  # PROPFIND, PURGE: no OpenAPI document can describe them
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


def _lists(operation: Operation, status: int) -> bool:
    """Whether the operation documents `status` by its code or its range (`3XX`)."""
    return any(key.upper() in (str(status), f"{status // 100}XX") for key in operation.responses)


def _status(name: str, operation: Operation, status: int, shape: StatusShape) -> list[Finding]:
    if not operation.responses or (status in REDIRECTS and not _lists(operation, status)):
        return []  # no responses (3.1): nothing documented; a redirect hop: not the operation's
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
