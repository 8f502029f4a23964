"""Mocks of endpoints never recorded, held to the spec's documented response instead.

A mock no recording could check (its URL fits no recorded endpoint, or the config names
it for an endpoint nothing recorded) is matched to the spec's operations by its method
and URL, or by its configured endpoint's URL, and its payload checked against the
response schema of its status (`core/spec_mocks.py`): the findings say the evidence is
the spec, not recordings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field

from driftcheck.config import Config, Endpoint
from driftcheck.core.endpoints import endpoint_key
from driftcheck.core.mock_match import Matched, Unmatched
from driftcheck.core.mocks import Mock
from driftcheck.core.model import Finding, MatchedBy
from driftcheck.core.spec_match import AMBIGUOUS, any_schema, match_operation, match_response
from driftcheck.core.spec_mocks import spec_mock_findings
from driftcheck.core.spec_model import Route, Spec
from driftcheck.run.spec import url_route

OK = 200  # the status of a mock that states none


@dataclass
class SpecHeld:
    """What the spec checked: findings, the mocks now matched (to the spec's operation),
    the mocks still unmatched, and the configured endpoints their mocks were held to."""

    findings: list[Finding] = field(default_factory=list)
    matched: list[Matched] = field(default_factory=list)
    left: list[Unmatched] = field(default_factory=list)
    configured: set[str] = field(default_factory=set)


def held_to_spec(
    spec: Spec,
    unmatched: Iterable[Unmatched],
    config: Config,
    recorded: Set[str],
    names: Set[str] | None = None,
) -> SpecHeld:
    """The unmatched mocks a spec operation describes, checked against it; the rest left.
    `names`: the endpoints this run covers (a shard); None: all."""
    configured = {endpoint.name: endpoint for endpoint in config.endpoints}
    held = SpecHeld()
    for outcome in unmatched:
        found = _target(outcome, configured, recorded)
        if found is not None and names is not None and found[1] not in names:
            found = None
        checked = None if found is None else _check(spec, *found)
        if checked is None:
            held.left.append(outcome)
            continue
        findings, matched = checked
        held.findings.extend(findings)
        held.matched.append(matched)
        if matched.matched_by == "config":
            held.configured.add(matched.endpoint)
    return held


def _target(
    outcome: Unmatched, configured: Mapping[str, Endpoint], recorded: Set[str]
) -> tuple[Mock, str, Route, MatchedBy] | None:
    """The endpoint name, route and evidence of a mock never recorded; None for a mock
    unmatched for another reason (ties, a status not recorded, a URL regex)."""
    mock = outcome.mock
    if not isinstance(mock, Mock):
        return None
    if len(outcome.endpoints) == 1:
        name = outcome.endpoints[0]
        endpoint = configured.get(name)
        if endpoint is None or name in recorded:
            return None
        return mock, name, url_route(endpoint.method, endpoint.url), "config"
    if outcome.endpoints or mock.url is None or mock.url_regex:
        return None
    key = endpoint_key(mock.method or "GET", mock.url)
    return mock, key, Route.of_key(key), "url"


def _check(
    spec: Spec, mock: Mock, name: str, route: Route, by: MatchedBy
) -> tuple[list[Finding], Matched] | None:
    operation = match_operation(spec, route)
    if operation is None or operation is AMBIGUOUS:
        return None  # no operation, or several it may be: left unmatched
    status = mock.status or OK
    response = match_response(operation, status)
    if response is None or any_schema(response) is None:
        return None
    findings = spec_mock_findings(name, status, response, [mock.fixture])
    return findings, Matched(mock, name, status, by)
