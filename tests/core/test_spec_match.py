"""Recorded routes matched to a spec's operations, and statuses to documented responses."""

from __future__ import annotations

import pytest

from driftcheck.core.model import Location
from driftcheck.core.spec_match import (
    AMBIGUOUS,
    base_paths,
    in_scope,
    match_operation,
    match_response,
    server_hosts,
)
from driftcheck.core.spec_model import Operation, Response, Route, Spec

FILE = "openapi.yaml"


def operation(method: str, path: str, *statuses: str, line: int = 1) -> Operation:
    responses = {s: Response(s, None, (), Location(FILE, line + 1)) for s in statuses or ("200",)}
    return Operation(method, path, responses, Location(FILE, line))


def spec(*operations: Operation, servers: tuple[str, ...] = ()) -> Spec:
    return Spec(FILE, "3.1.0", servers, operations, Location(FILE, 1))


USERS = operation("GET", "/users/{userId}", line=10)
ME = operation("GET", "/users/me", line=20)
ORDERS = operation("GET", "/users/{userId}/orders/{orderId}", line=30)
CREATE = operation("POST", "/users", line=40)


def matched(route: Route, *operations: Operation, servers: tuple[str, ...] = ()) -> str | None:
    found = match_operation(spec(*operations, servers=servers), route)
    if found is None or found is AMBIGUOUS:
        return None if found is None else "ambiguous"
    return f"{found.method} {found.path}"


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/users/{id}", "GET /users/{userId}"),  # driftcheck's {id} fits a spec parameter
        ("/users/42", "GET /users/{userId}"),  # a literal fits a spec parameter
        ("/users/me", "GET /users/me"),  # the most literal template wins
        ("/users/me/", "GET /users/me"),  # trailing slash ignored
        ("/users/{id}/orders/{order}", "GET /users/{userId}/orders/{orderId}"),
        ("/users", None),  # fewer segments
        ("/users/{id}/orders", None),  # fewer segments
        ("/accounts/{id}", None),  # another literal
    ],
)
def test_paths_match_segment_by_segment(path: str, expected: str | None) -> None:
    assert matched(Route("GET", "api.example.com", path), USERS, ME, ORDERS, CREATE) == expected


def test_the_most_literal_template_wins_whatever_the_spec_order() -> None:
    route = Route("GET", "h", "/users/me")
    assert matched(route, ME, USERS) == "GET /users/me"
    assert matched(route, USERS, ME) == "GET /users/me"


def test_a_route_placeholder_matches_only_a_spec_parameter() -> None:
    """`/users/{id}` stands for many users: it is not the literal `/users/me`."""
    assert matched(Route("GET", "h", "/users/{id}"), ME) is None


def test_methods_must_agree() -> None:
    assert matched(Route("POST", "h", "/users"), CREATE, USERS) == "POST /users"
    assert matched(Route("GET", "h", "/users"), CREATE) is None
    assert matched(Route("post", "h", "/users"), CREATE) == "POST /users"


def test_a_segment_with_a_parameter_inside_matches_like_a_pattern() -> None:
    files = operation("GET", "/files/{name}.json")
    assert matched(Route("GET", "h", "/files/report.json"), files) == "GET /files/{name}.json"
    assert matched(Route("GET", "h", "/files/report.xml"), files) is None
    assert matched(Route("GET", "h", "/files/{id}"), files) == "GET /files/{name}.json"
    literal = operation("GET", "/files/index.json")
    assert matched(Route("GET", "h", "/files/index.json"), files, literal) == (
        "GET /files/index.json"
    )


def test_percent_encoded_literals_compare_decoded() -> None:
    assert matched(Route("GET", "h", "/a%20b"), operation("GET", "/a b")) == "GET /a b"


def test_the_root_path_matches_the_root_operation() -> None:
    root = operation("GET", "/")
    assert matched(Route("GET", "h", "/"), root, USERS) == "GET /"
    assert matched(Route("GET", "h", "/users"), root) is None


def test_a_servers_base_path_is_taken_off_the_route() -> None:
    servers = ("https://api.example.com/v1",)
    route = Route("GET", "api.example.com", "/v1/users/7")
    assert matched(route, USERS, servers=servers) == "GET /users/{userId}"
    # without the base path the route is not under that server
    assert matched(Route("GET", "api.example.com", "/users/7"), USERS, servers=servers) is None


def test_a_relative_server_gives_a_base_path_for_every_host() -> None:
    route = Route("GET", "anything.test", "/api/v2/users/7")
    assert matched(route, USERS, servers=("/api/v2",)) == "GET /users/{userId}"
    assert base_paths(spec(servers=("/",)), route) == [""]
    assert base_paths(spec(), route) == [""]


def test_each_server_on_the_routes_host_is_tried() -> None:
    servers = ("https://api.example.com/v1", "https://api.example.com/v2", "https://o.test/v3")
    s = spec(USERS, servers=servers)
    assert base_paths(s, Route("GET", "api.example.com", "/")) == ["/v1", "/v2"]
    assert matched(Route("GET", "api.example.com", "/v2/users/1"), USERS, servers=servers)
    assert not matched(Route("GET", "api.example.com", "/v3/users/1"), USERS, servers=servers)


def test_absolute_servers_limit_the_spec_to_their_hosts() -> None:
    s = spec(USERS, servers=("https://API.example.com:443/v1", "http://other.test:8080"))
    assert server_hosts(s) == frozenset({"api.example.com", "other.test:8080"})
    assert in_scope(s, Route("GET", "api.example.com", "/v1/users/1"))
    assert in_scope(s, Route("GET", "api.example.com:443", "/v1/users/1"))
    assert in_scope(s, Route("GET", "other.test:8080", "/users/1"))
    assert not in_scope(s, Route("GET", "other.test", "/users/1"))
    assert not in_scope(s, Route("GET", "payments.example.com", "/v1/users/1"))
    assert not in_scope(s, Route("GET", "", "/v1/users/1"))


def test_relative_or_no_servers_leave_every_host_in_scope() -> None:
    for servers in ((), ("/v1",), ("https://api.example.com", "/")):
        s = spec(USERS, servers=servers)
        assert server_hosts(s) is None
        assert in_scope(s, Route("GET", "elsewhere.test", "/v1/users/1"))


def test_an_automatic_key_gives_its_route() -> None:
    route = Route.of_key("GET 127.0.0.1:8000/users/{id}")
    assert route == Route("GET", "127.0.0.1:8000", "/users/{id}")
    s = spec(USERS, servers=("http://127.0.0.1:8000",))
    assert in_scope(s, route)
    assert match_operation(s, route) is USERS


@pytest.mark.parametrize(
    ("status", "documented", "expected"),
    [
        (200, ("200", "2XX", "default"), "200"),
        (201, ("200", "2XX", "default"), "2XX"),
        (204, ("200", "2xx"), "2xx"),
        (404, ("200", "2XX", "default"), "default"),
        (500, ("200", "4XX"), None),
        (404, ("200", "4XX", "404"), "404"),
    ],
)
def test_statuses_match_exactly_then_by_range_then_default(
    status: int, documented: tuple[str, ...], expected: str | None
) -> None:
    found = match_response(operation("GET", "/", *documented), status)
    assert (None if found is None else found.status) == expected


def test_a_route_id_prefers_a_plain_parameter_to_a_partial_one() -> None:
    """`versions/1` is keyed `versions/{id}`: `{v}` fits it, `{v}:access` only might."""
    plain = operation("GET", "/versions/{versionsId}", line=10)
    access = operation("GET", "/versions/{versionsId}:access", line=20)
    route = Route("GET", "h", "/versions/{id}")
    assert matched(route, access, plain) == "GET /versions/{versionsId}"
    assert matched(route, plain, access) == "GET /versions/{versionsId}"
    json = operation("GET", "/versions/{versionsId}.json", line=30)
    assert matched(route, json, plain) == "GET /versions/{versionsId}"
    # a literal recorded segment still prefers the literal, then the partial template
    assert matched(Route("GET", "h", "/versions/7:access"), plain, access) == (
        "GET /versions/{versionsId}:access"
    )


def test_a_route_id_fitting_several_partial_templates_alike_is_ambiguous() -> None:
    """`1700000000123:cancel` was keyed `{id}` whole: `:wait` or `:cancel`, nobody knows."""
    wait = operation("POST", "/operations/{operationsId}:wait", line=10)
    cancel = operation("POST", "/operations/{operationsId}:cancel", line=20)
    s = spec(wait, cancel)
    assert match_operation(s, Route("POST", "h", "/operations/{id}")) is AMBIGUOUS
    assert match_operation(s, Route("POST", "h", "/operations/17:cancel")) is cancel
    # one partial candidate alone is used
    assert match_operation(spec(cancel), Route("POST", "h", "/operations/{id}")) is cancel
    # a later literal segment still tells two candidates apart
    done = operation("POST", "/operations/{operationsId}:wait/done", line=30)
    other = operation("POST", "/operations/{operationsId}:cancel/{x}", line=40)
    found = match_operation(spec(other, done), Route("POST", "h", "/operations/{id}/done"))
    assert found is done


def test_a_route_id_fits_a_literal_driftcheck_would_have_templated() -> None:
    """Twilio's `/2010-04-01/…`: the key made the date `{id}`; below a spec parameter."""
    dated = operation("GET", "/2010-04-01/Accounts/{AccountSid}/Messages.json", line=10)
    route = Route("GET", "api.twilio.com", "/{id}/Accounts/{id}/Messages.json")
    assert matched(route, dated) == "GET /2010-04-01/Accounts/{AccountSid}/Messages.json"
    versioned = operation("GET", "/{version}/Accounts/{AccountSid}/Messages.json", line=20)
    assert matched(route, dated, versioned) == (
        "GET /{version}/Accounts/{AccountSid}/Messages.json"
    )
    # `me` is no id: `/users/{id}` still never fits `/users/me`
    assert matched(Route("GET", "h", "/users/{id}"), ME) is None
    # behind a server's base path, the segment before counts as the key's would
    nested = operation("GET", "/reports/20240101/summary", line=30)
    assert matched(Route("GET", "h", "/reports/{id}/summary"), nested) == (
        "GET /reports/20240101/summary"
    )
