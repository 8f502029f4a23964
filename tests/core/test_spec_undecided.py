"""What a spec describes and what it cannot decide (red team 6: #1, #6 to #11): the
recordings' one host binds a server-less spec, servers scope by base path, server
variables without `enum` take any value, media type parameters name their own schema,
and redirect hops, operations without responses and methods OpenAPI cannot hold give
no finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from driftcheck.core.model import EndpointSet, Location, StatusShape
from driftcheck.core.shape import infer_all
from driftcheck.core.spec_match import match_operation, media_type, schema_for
from driftcheck.core.spec_model import Operation, Response, Route, SchemaNode, Spec
from driftcheck.core.spec_rules import scope_note, spec_findings
from driftcheck.core.spec_scope import in_scope, server_hosts
from driftcheck.sources.openapi import load_spec

FILE = "openapi.yaml"
RT6 = Path(__file__).parent.parent / "data" / "specs" / "rt6"


def node(line: int, *required: str) -> SchemaNode:
    properties = {
        key: SchemaNode(Location(FILE, line + 1), frozenset({"string"})) for key in required
    }
    return SchemaNode(Location(FILE, line), frozenset({"object"}), properties, frozenset(required))


USER = node(10, "email")
USERS = Operation(
    "GET",
    "/users/{id}",
    {"200": Response("200", USER, ("application/json",), Location(FILE, 5))},
    Location(FILE, 4),
)


def spec(*servers: str, operation: Operation = USERS) -> Spec:
    return Spec(FILE, "3.1.0", servers, (operation,), Location(FILE, 3))


def get(host: str, path: str = "/users/{id}", method: str = "GET") -> Route:
    return Route(method, host, path)


def recorded(*bodies: Any, kinds: tuple[str, ...] = ("application/json",)) -> StatusShape:
    node_ = infer_all(list(bodies)) if bodies else None
    types = dict.fromkeys(kinds, max(len(bodies), 1))
    return StatusShape(max(len(bodies), 1), types, node_, location=Location("c.yaml", 1))


def rules(s: Spec, routes: dict[str, Route], statuses: dict[int, StatusShape]) -> list[str]:
    endpoints = EndpointSet(dict.fromkeys(routes, statuses))
    return [f"{f.rule.value} {f.endpoint} {f.path}" for f in spec_findings(s, routes, endpoints)]


# --- #10: a spec naming no absolute server describes one API -----------------------


def test_a_server_less_spec_is_bound_to_the_recordings_one_host() -> None:
    for s in (spec(), spec("/"), spec("/v1", "//")):
        assert in_scope(s, get("127.0.0.1:8000"), {"127.0.0.1:8000"})
        assert in_scope(s, get("API.example.com:443"), {"api.example.com"})
        assert not in_scope(s, get("api.github.com"), {"127.0.0.1:8000"})
        # several hosts, or none known: which one the spec is would be a guess
        assert not in_scope(s, get("127.0.0.1:8000"), {"127.0.0.1:8000", "api.github.com"})
        assert not in_scope(s, get("127.0.0.1:8000"), set())
        assert in_scope(s, get("anything.test"))  # hosts not given: any host, as before


def test_a_server_less_spec_checks_nothing_when_recordings_span_hosts() -> None:
    routes = {host: get(host) for host in ("127.0.0.1:8000", "api.github.com")}
    assert rules(spec(), routes, {200: recorded({"login": "x"})}) == []
    assert scope_note(spec(), routes) == (
        "nothing was checked against the spec openapi.yaml: it names no absolute server and "
        "the recordings are on 2 hosts (127.0.0.1:8000, api.github.com); add the API's URL "
        "to its `servers` (`servers: [{url: https://api.example.com}]`)"
    )
    many = {host: get(host) for host in ("a.test", "b.test", "c.test", "d.test", "e.test")}
    note = scope_note(spec("/v1"), many)
    assert note is not None
    assert "the recordings are on 5 hosts (a.test, b.test, c.test and 2 more)" in note
    # one host: checked as before, and no note
    one = {"e": get("127.0.0.1:8000")}
    assert rules(spec(), one, {200: recorded({})}) == ["spec-required-missing e $.email"]
    assert scope_note(spec(), one) is None


def test_a_relative_server_beside_absolute_ones_still_leaves_every_host_in_scope() -> None:
    s = spec("https://api.example.com", "/")
    assert in_scope(s, get("elsewhere.test"), {"elsewhere.test", "api.example.com"})
    assert scope_note(s, {"a": get("elsewhere.test"), "b": get("x.test")}) is None


# --- #11: a server's base path scopes too -------------------------------------------


def test_routes_outside_a_servers_base_path_are_out_of_scope() -> None:
    drive = spec("https://www.googleapis.com/drive/v3")
    assert in_scope(drive, get("www.googleapis.com", "/drive/v3/files/{id}"))
    assert in_scope(drive, get("www.googleapis.com", "/drive/v3"))
    assert not in_scope(drive, get("www.googleapis.com", "/calendar/v3/events"))
    assert not in_scope(drive, get("www.googleapis.com", "/drive/v3x/files"))  # segment-wise
    assert not in_scope(drive, get("www.googleapis.com", "/drive"))
    routes = {
        "files": get("www.googleapis.com", "/drive/v3/users/{id}"),
        "calendar": get("www.googleapis.com", "/calendar/v3/users/{id}"),
        "youtube": get("www.googleapis.com", "/youtube/v3/users/{id}"),
    }
    assert rules(drive, routes, {200: recorded({})}) == ["spec-required-missing files $.email"]
    assert scope_note(drive, routes) == (
        "2 of 3 recorded endpoints are outside the URLs the spec's servers name (on "
        "www.googleapis.com/calendar/v3/users/{id}, www.googleapis.com/youtube/v3/users/{id}; "
        "the spec's servers name www.googleapis.com/drive/v3): not held to the spec "
        "openapi.yaml; if they are the API the spec describes, add a server with their host "
        "and base path (or a relative one, `url: /`) to its `servers`"
    )
    del routes["files"]
    note = scope_note(drive, routes)
    assert note is not None
    assert note.startswith(
        "nothing was checked against the spec openapi.yaml: all 2 recorded endpoints are "
        "outside the URLs its servers name (on www.googleapis.com/calendar"
    )


# --- #6: a server variable without `enum` takes any value ---------------------------


def test_server_variables_without_enum_match_any_label_or_segment() -> None:
    shop = spec("https://{store}.myshopify.com/admin/api/{version}")
    assert server_hosts(shop) == frozenset({"{store}.myshopify.com"})
    route = get("acme-shop.myshopify.com", "/admin/api/2024-04/users/{id}")
    assert in_scope(shop, route)
    assert match_operation(shop, route) is USERS
    assert not in_scope(shop, get("a.b.myshopify.com", "/admin/api/2024-04/users/{id}"))
    assert not in_scope(shop, get("acme.myshopify.com", "/admin/2024-04/users/{id}"))
    assert match_operation(shop, get("acme.myshopify.com", "/admin/2024-04/users/1")) is None
    # a host that is one variable (`{endpoint}`, Azure OpenAI) names no host
    azure = spec("https://{endpoint}/openai")
    assert server_hosts(azure) is None
    assert match_operation(azure, get("me.openai.azure.com", "/openai/users/1")) is USERS


def test_the_loader_leaves_variables_without_enum_as_written() -> None:
    assert load_spec(RT6 / "shopify.yaml").servers == (
        "https://{store_name}.myshopify.com/admin/api/{api_version}",
    )


# --- #1: media types that differ only in parameters ---------------------------------

V1, V2, PLAIN = node(20, "total_cents"), node(30, "total"), node(40, "title")


def test_media_types_normalise_their_parameters_but_charset() -> None:
    assert media_type('Application/JSON; Version="2"; charset=UTF-8') == (
        "application/json; version=2"
    )
    assert media_type("application/json;charset=utf-8") == "application/json"


def test_the_recorded_parameters_pick_the_schema_or_nothing_is_said() -> None:
    both = Response(
        "200",
        V1,
        ("application/json; version=1", "application/json; version=2"),
        Location(FILE, 5),
        {"application/json; version=1": V1, "application/json; version=2": V2},
    )
    assert schema_for(both, {"application/json; version=2": 1}) is V2
    assert schema_for(both, {'Application/JSON; Version="1"; charset=utf-8': 1}) is V1
    assert schema_for(both, {"application/json": 1}) is None  # which version: a guess
    assert schema_for(both, {"application/json; version=3": 1}) is None
    assert (
        schema_for(both, {"application/json; version=1": 1, "application/json;version=2": 1})
        is None
    )
    plain = Response(
        "200",
        PLAIN,
        ("application/json", "application/json; version=2"),
        Location(FILE, 5),
        {"application/json": PLAIN, "application/json; version=2": V2},
    )
    assert schema_for(plain, {"application/json; version=2": 1}) is V2  # the fuller name
    assert schema_for(plain, {"application/json": 1}) is PLAIN


def test_the_loader_keeps_one_schema_per_parameterised_media_type() -> None:
    (operation,) = load_spec(RT6 / "media_params.yaml").operations
    response = operation.responses["200"]
    assert list(response.schemas) == ["application/json; version=1", "application/json; version=2"]
    first, second = response.schemas.values()
    assert first.required == {"total_cents"}
    assert second.required == {"total"}


# --- #7, #8, #9: statuses and methods the spec cannot decide ------------------------


def with_responses(**responses: SchemaNode | None) -> Spec:
    documented = {
        status: Response(status, body, ("application/json",), Location(FILE, 20))
        for status, body in responses.items()
    }
    return spec(operation=Operation("GET", "/users/{id}/", documented, Location(FILE, 4)))


def test_redirect_hops_are_not_statuses_of_the_operation() -> None:
    routes = {"e": get("api.example.com")}
    hops = {code: recorded(kinds=("text/html",)) for code in (301, 302, 303, 307, 308)}
    assert rules(with_responses(**{"200": USER}), routes, hops) == []
    # not even held to `default`, which documents the operation's own errors
    assert rules(with_responses(**{"200": USER, "default": node(50, "code")}), routes, hops) == []
    # a redirect the operation lists is its own, and other undocumented statuses still count
    listed = with_responses(**{"200": USER, "3XX": None})
    assert rules(listed, routes, {301: recorded(), 404: recorded()}) == [
        "spec-status-undocumented e $"
    ]


def test_an_operation_without_responses_documents_no_status() -> None:
    routes = {"e": get("api.example.com")}
    assert rules(with_responses(), routes, {202: recorded({"queued": "yes"})}) == []


def test_methods_openapi_has_no_field_for_are_never_undocumented() -> None:
    for method in ("PROPFIND", "PURGE", "QUERY", "MKCOL"):
        routes = {"e": get("api.example.com", "/remote.php/dav", method)}
        assert rules(spec(), routes, {207: recorded({"ok": "1"})}) == []
    # a method OpenAPI can hold but the spec does not list is still undocumented
    routes = {"e": get("api.example.com", "/users/{id}", "DELETE")}
    assert rules(spec(), routes, {204: recorded()}) == ["spec-endpoint-undocumented e $"]
