"""Which schema and which operation a recording is held to, and when none can be told:
a response's several JSON media types, routes that fit several operations only by a
guess, and endpoints on hosts the spec's servers do not name (red team 02, 10, 12)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from driftcheck.core.model import EndpointSet, Finding, Location, StatusShape
from driftcheck.core.shape import infer_all
from driftcheck.core.spec_match import any_schema, schema_for
from driftcheck.core.spec_model import Operation, Response, Route, SchemaNode, Spec
from driftcheck.core.spec_rules import scope_note, spec_findings
from driftcheck.run.spec import spec_report

FILE = "openapi.yaml"
V1 = "application/vnd.acme.report.v1+json"
V2 = "application/vnd.acme.report.v2+json"


def obj(line: int, *required: str) -> SchemaNode:
    """An object at `line` documenting and requiring `required`, strings each."""
    properties = {
        key: SchemaNode(Location(FILE, line + 1), frozenset({"string"})) for key in required
    }
    return SchemaNode(Location(FILE, line), frozenset({"object"}), properties, frozenset(required))


REPORT_V1, REPORT_V2, PROBLEM = (
    obj(10, "title", "total_cents"),
    obj(20, "title", "total"),
    obj(30, "type"),
)


def response(schemas: Mapping[str, SchemaNode]) -> Response:
    first = next(iter(schemas.values()), None)
    return Response("200", first, tuple(schemas), Location(FILE, 5), schemas=dict(schemas))


def spec(*operations: Operation, servers: tuple[str, ...] = ()) -> Spec:
    return Spec(FILE, "3.0.3", servers, operations, Location(FILE, 3))


def recorded(content_types: Mapping[str, int], *bodies: Any) -> StatusShape:
    node = infer_all(list(bodies))
    return StatusShape(len(bodies), dict(content_types), node, location=Location("c.yaml", 1))


def findings(s: Spec, route: Route, shape: StatusShape) -> list[tuple[str, str]]:
    found: list[Finding] = spec_findings(s, {"e": route}, EndpointSet({"e": {200: shape}}))
    return [(f.rule.value, f.path) for f in found]


REPORTS = response({V1: REPORT_V1, V2: REPORT_V2})
V2_BODY = {"title": "Q1", "total": "12.00"}


def test_a_status_is_held_to_the_schema_of_its_own_content_type() -> None:
    assert schema_for(REPORTS, {V2: 2}) is REPORT_V2
    assert schema_for(REPORTS, {f"{V1}; charset=utf-8": 1}) is REPORT_V1
    s = spec(Operation("GET", "/reports/{id}", {"200": REPORTS}, Location(FILE, 4)))
    route = Route("GET", "api.example.com", "/reports/{id}")
    assert findings(s, route, recorded({V2: 2}, V2_BODY, V2_BODY)) == []
    assert findings(s, route, recorded({V1: 1}, V2_BODY)) == [
        ("spec-field-undocumented", "$.total"),
        ("spec-required-missing", "$.total_cents"),
    ]


def test_several_content_types_naming_different_schemas_say_nothing() -> None:
    assert schema_for(REPORTS, {V1: 1, V2: 1}) is None
    s = spec(Operation("GET", "/reports/{id}", {"200": REPORTS}, Location(FILE, 4)))
    shape = recorded({V1: 1, V2: 1}, V2_BODY, {"title": "Q2", "total_cents": "5"})
    assert findings(s, Route("GET", "h", "/reports/{id}"), shape) == []


def test_a_content_type_the_spec_does_not_list_falls_back_or_says_nothing() -> None:
    errors = response({"application/json": REPORT_V1, "application/problem+json": PROBLEM})
    assert schema_for(errors, {"application/problem+json": 1}) is PROBLEM
    assert schema_for(errors, {"application/vnd.other+json": 1}) is REPORT_V1  # json's
    assert schema_for(REPORTS, {"application/json": 1}) is None  # v1 or v2: a guess
    assert schema_for(REPORTS, {"text/plain": 1}) is None
    ranged = response({"application/*+json": REPORT_V2, "application/json": REPORT_V1})
    assert schema_for(ranged, {V2: 1}) is REPORT_V2
    # one schema (or the loader's single one) is used whatever the recorded type
    assert schema_for(response({V1: REPORT_V1}), {"text/plain": 1}) is REPORT_V1
    single = Response("200", REPORT_V1, ("application/json",), Location(FILE, 5))
    assert schema_for(single, {}) is REPORT_V1
    assert any_schema(single) is REPORT_V1
    either = any_schema(REPORTS)
    assert either is not None
    assert either.alternatives == (REPORT_V1, REPORT_V2)


def test_a_route_that_fits_several_operations_by_a_guess_gives_no_finding() -> None:
    """`…/1700000000123:cancel` keyed `{id}`: `:wait` or `:cancel` cannot be told, so
    neither field findings nor `spec-endpoint-undocumented` (red team 10)."""
    wait = Operation(
        "POST",
        "/ops/{o}:wait",
        {"200": response({"application/json": obj(40, "done")})},
        Location(FILE, 4),
    )
    cancel = Operation(
        "POST",
        "/ops/{o}:cancel",
        {"200": response({"application/json": obj(50, "cancelled")})},
        Location(FILE, 6),
    )
    shape = recorded({"application/json": 1}, {"cancelled": "yes"})
    assert findings(spec(wait, cancel), Route("POST", "h", "/ops/{id}"), shape) == []
    assert findings(spec(wait), Route("POST", "h", "/ops/{id}"), shape) == [
        ("spec-field-undocumented", "$.cancelled"),
        ("spec-required-missing", "$.done"),
    ]


USERS = Operation(
    "GET", "/users/{id}", {"200": response({"application/json": obj(60, "id")})}, Location(FILE, 4)
)


def endpoints(*hosts: str) -> EndpointSet:
    shape = recorded({"application/json": 1}, {"name": "x"})
    return EndpointSet({f"GET {host}/users/{{id}}": {200: shape} for host in hosts})


def test_a_spec_whose_servers_name_no_recorded_host_says_it_checked_nothing() -> None:
    s = spec(USERS, servers=("http://localhost:8080",))
    report = spec_report(s, endpoints("api.example.com", "eu.example.com"))
    assert report.findings == ()
    assert report.notes == (
        "nothing was checked against the spec openapi.yaml: all 2 recorded endpoints are on "
        "hosts its servers do not name (on api.example.com, eu.example.com; the spec's "
        "servers name localhost:8080); if they are the API the spec describes, add a "
        "relative server (`url: /`) or one on their host to its `servers`",
    )
    (one,) = spec_report(s, endpoints("api.example.com")).notes
    assert "the one recorded endpoint is on a host its servers do not name" in one


def test_endpoints_outside_the_servers_are_counted_in_a_note() -> None:
    s = spec(USERS, servers=("https://api.example.com",))
    report = spec_report(s, endpoints("api.example.com", "a.test", "b.test", "c.test", "d.test"))
    assert [f.rule.value for f in report.findings] == [
        "spec-field-undocumented",
        "spec-required-missing",
    ]
    (note,) = report.notes
    assert note.startswith(
        "4 of 5 recorded endpoints are on hosts the spec's servers do not name (on a.test, "
        "b.test, c.test and 1 more; the spec's servers name api.example.com): not held to "
        "the spec openapi.yaml; if they are"
    )


def test_no_note_when_every_endpoint_is_in_scope_or_the_servers_name_no_host() -> None:
    routes = {"e": Route("GET", "api.example.com", "/users/{id}")}
    assert scope_note(spec(USERS, servers=("https://api.example.com",)), routes) is None
    assert scope_note(spec(USERS, servers=("/v1",)), routes) is None
    assert scope_note(spec(USERS), routes) is None
    assert spec_report(spec(USERS), endpoints("x.test")).notes == ()
