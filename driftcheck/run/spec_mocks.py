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
from driftcheck.core.spec_model import Operation, Response, Route, Spec
from driftcheck.core.spec_scope import in_scope
from driftcheck.run.spec import routes_of, url_route

OK = 200  # the status of a status-less mock when the spec documents no success


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
    hosts = {route.host for route in routes_of(recorded, config).values()}
    for outcome in unmatched:
        found = _target(outcome, configured, recorded)
        if found is not None and names is not None and found[1] not in names:
            found = None
        expected = () if found is None else _expected(configured.get(found[1]))
        checked = None if found is None else _check(spec, hosts, expected, *found)
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


def _expected(endpoint: Endpoint | None) -> tuple[int, ...]:
    """The success statuses a configured endpoint says it returns (`expect_status`)."""
    return () if endpoint is None else tuple(s for s in endpoint.expect_status if s // 100 == 2)


def _check(
    spec: Spec,
    hosts: Set[str],
    expected: tuple[int, ...],
    mock: Mock,
    name: str,
    route: Route,
    by: MatchedBy,
) -> tuple[list[Finding], Matched] | None:
    if not in_scope(spec, route, hosts):
        return None  # another API's, or the spec's host cannot be told: left unmatched
    operation = match_operation(spec, route)
    if operation is None or operation is AMBIGUOUS:
        return None  # no operation, or several it may be: left unmatched
    chosen = _response(operation, mock.status, expected)
    if chosen is None:
        return None
    status, response = chosen
    findings = spec_mock_findings(name, status, response, [mock.fixture])
    return findings, Matched(mock, name, status, by)


def _response(
    operation: Operation, status: int | None, expected: tuple[int, ...]
) -> tuple[int, Response] | None:
    """The status and documented response a mock is held to. A mock that states no
    status means success (`responses.add(POST, url, json=...)` of a create answering
    201): the endpoint's expected 2xx statuses, else the operation's documented 2xx
    codes, then `2XX`, never `default` (an error's schema); when those documented
    successes have different schemas, which one is meant would be a guess: None. A
    200 only `default` documents, where the operation documents another success, is
    taken as no status: the mocking libraries answer 200 when the test states none."""
    codes = expected or _successes(operation)
    if status is not None and not (status == OK and codes and _by_default(operation, OK)):
        response = match_response(operation, status)
        return None if response is None or any_schema(response) is None else (status, response)
    found = [(code, match_response(operation, code)) for code in codes]
    held = [(code, r) for code, r in found if r is not None and any_schema(r) is not None]
    if not held or any(any_schema(r) != any_schema(held[0][1]) for _, r in held):
        return None
    return held[0]


def _successes(operation: Operation) -> tuple[int, ...]:
    """The operation's documented 2xx codes in order, else 200 when it has a `2XX`."""
    codes = [int(key) for key in operation.responses if key.isdigit() and key[0] == "2"]
    has_range = any(key.upper() == "2XX" for key in operation.responses)
    return tuple(codes) or ((OK,) if has_range else ())


def _by_default(operation: Operation, status: int) -> bool:
    """Whether `status` falls to the operation's `default` response alone."""
    keys = {key.upper() for key in operation.responses}
    return str(status) not in keys and f"{status // 100}XX" not in keys
