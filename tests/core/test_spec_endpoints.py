"""The endpoint and status rules of a spec: `spec-endpoint-undocumented` (a recorded
endpoint no operation matches), `spec-status-undocumented` (a recorded status no
response, range or default documents), and which endpoints a spec is about at all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from driftcheck.core.model import EndpointSet, Finding, Location, Severity, StatusShape
from driftcheck.core.rules import RuleId
from driftcheck.core.shape import infer_all
from driftcheck.core.spec_model import Operation, Response, Route, SchemaNode, Spec
from driftcheck.core.spec_rules import spec_findings

FILE = "openapi.yaml"
CASSETTE = Location("cassettes/user.yaml", 3)
ENDPOINT = "user"
ROUTE = Route("GET", "api.example.com", "/users/{id}")


def obj(line: int, **properties: str) -> SchemaNode:
    """An object schema whose properties (of the types given) are all required."""
    return SchemaNode(
        Location(FILE, line),
        frozenset({"object"}),
        properties={
            key: SchemaNode(Location(FILE, line + n + 1), frozenset({kind}))
            for n, (key, kind) in enumerate(properties.items())
        },
        required=frozenset(properties),
    )


USER = obj(30, id="integer", name="string")


def make_spec(responses: Mapping[str, SchemaNode | None], **more: Any) -> Spec:
    documented = {
        status: Response(status, body, ("application/json",), Location(FILE, 20 + n))
        for n, (status, body) in enumerate(responses.items())
    }
    operation = Operation("GET", "/users/{userId}", documented, Location(FILE, 10), "getUser")
    return Spec(FILE, "3.1.0", more.get("servers", ()), (operation,), Location(FILE, 5))


def status_shape(bodies: list[Any]) -> StatusShape:
    node = infer_all(bodies) if bodies else None
    return StatusShape(len(bodies), {"application/json": len(bodies)}, node, location=CASSETTE)


def check(body_schema: SchemaNode | None, *bodies: Any, status: int = 200) -> list[Finding]:
    spec = make_spec({"200": body_schema})
    endpoints = EndpointSet({ENDPOINT: {status: status_shape(list(bodies))}})
    return spec_findings(spec, {ENDPOINT: ROUTE}, endpoints)


def rules(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule.value, f.path) for f in found]


def test_a_status_the_operation_does_not_list() -> None:
    (found,) = check(USER, {"error": "x"}, status=404)
    assert (found.rule, found.status, found.path, found.severity) == (
        RuleId.SPEC_STATUS_UNDOCUMENTED,
        404,
        "$",
        Severity.WARNING,
    )
    assert found.spec_location == Location(FILE, 10)
    assert found.location == CASSETTE
    assert found.message == (
        "status 404 (1 recorded) is not among the responses the spec lists for "
        f"GET /users/{{userId}}: 200 ({FILE}:10)"
    )


@pytest.mark.parametrize("documented", ["4XX", "4xx", "default", "404"])
def test_a_range_or_a_default_documents_a_status(documented: str) -> None:
    spec = make_spec({"200": USER, documented: obj(60, error="integer")})
    endpoints = EndpointSet({ENDPOINT: {404: status_shape([{"error": "x"}])}})
    assert rules(spec_findings(spec, {ENDPOINT: ROUTE}, endpoints)) == [
        ("spec-type-mismatch", "$.error")
    ]


def test_no_json_schema_or_no_json_body_says_nothing_more() -> None:
    assert check(None, {"anything": 1}) == []
    assert check(USER) == []  # recorded without a JSON body


def test_an_endpoint_no_operation_matches() -> None:
    spec = make_spec({"200": USER})
    endpoints = EndpointSet({"orders": {200: status_shape([{"id": 1}])}})
    route = Route("GET", "api.example.com", "/orders/{id}")
    (found,) = spec_findings(spec, {"orders": route}, endpoints)
    assert (found.rule, found.status, found.path, found.severity) == (
        RuleId.SPEC_ENDPOINT_UNDOCUMENTED,
        None,
        "$",
        Severity.INFO,
    )
    assert (found.location, found.spec_location) == (CASSETTE, Location(FILE, 5))
    assert found.message == (
        "endpoint `orders` (GET api.example.com/orders/{id}) matches no operation of the "
        f"spec ({FILE}:5)"
    )


def test_routes_on_hosts_the_spec_does_not_serve_are_left_alone() -> None:
    spec = make_spec({"200": USER}, servers=("https://api.example.com/v1",))
    endpoints = EndpointSet(
        {
            "GET payments.test/charges/{id}": {200: status_shape([{"id": 1}])},
            "GET api.example.com/v1/users/{id}": {200: status_shape([{"id": "x", "name": "n"}])},
            "GET api.example.com/v1/orders": {200: status_shape([{"id": 1}])},
        }
    )
    assert rules(spec_findings(spec, {}, endpoints)) == [  # routes from automatic keys
        ("spec-type-mismatch", "$.id"),
        ("spec-endpoint-undocumented", "$"),
    ]


def test_each_status_is_checked_and_each_disagreement_reported_once() -> None:
    spec = make_spec({"200": USER, "201": USER})
    bad = [{"id": "x", "name": "n"}]
    endpoints = EndpointSet({ENDPOINT: {201: status_shape(bad), 200: status_shape(bad)}})
    found = spec_findings(spec, {ENDPOINT: ROUTE}, endpoints)
    assert [(f.status, f.path, f.rule.value) for f in found] == [
        (200, "$.id", "spec-type-mismatch"),
        (201, "$.id", "spec-type-mismatch"),
    ]
