"""Recorded endpoints as an OpenAPI 3.1 document: accepted by openapi-spec-validator, and
every recorded JSON body valid against its operation's response schema (jsonschema)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from driftcheck import jsonio
from driftcheck.core.endpoints import endpoint_key, group
from driftcheck.core.model import BodyKind, EndpointSet, Interaction, StatusShape
from driftcheck.core.openapi_export import media_type, openapi, operation_id, path_template
from driftcheck.core.schema_export import EXTENSION
from driftcheck.core.shape import infer
from driftcheck.core.spec_model import Route

FORMATS = Draft202012Validator.FORMAT_CHECKER


def call(
    method: str, uri: str, body: Any, status: int = 200, media: str = "application/json"
) -> Interaction:
    kind = BodyKind.EMPTY if body is None else BodyKind.JSON
    return Interaction(method, uri, status, media, kind, body, source="t.yaml")


def exported(
    interactions: Sequence[Interaction], routes: Mapping[str, Route] | None = None
) -> tuple[EndpointSet, dict[str, Any]]:
    endpoints = group(interactions)
    found = dict(routes or {})
    for name in endpoints.endpoints:
        found.setdefault(name, Route.of_key(name))
    document = openapi(endpoints, found)
    validate(jsonio.loads(jsonio.dumps(document)))
    return endpoints, document


def schema_at(document: dict[str, Any], path: str, method: str, status: int) -> dict[str, Any]:
    content = document["paths"][path][method]["responses"][str(status)]["content"]
    (media,) = content.values()
    schema: dict[str, Any] = media["schema"]
    return schema


def assert_valid(schema: dict[str, Any], bodies: Sequence[Any]) -> None:
    for validator in (
        Draft202012Validator(schema),
        Draft202012Validator(schema, format_checker=FORMATS),
    ):
        for body in bodies:
            validator.validate(body)


def test_a_document_with_paths_operations_and_responses() -> None:
    users = [{"id": n, "email": None if n == 2 else f"u{n}@x.io"} for n in range(1, 4)]
    interactions = [call("GET", f"https://api.x.io/users/{u['id']}", u) for u in users]
    interactions.append(call("GET", "https://api.x.io/users/9", {"error": "no"}, 404))
    interactions.append(call("DELETE", "https://api.x.io/users/9", None, 204, ""))
    _, document = exported(interactions)
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "https://api.x.io"}]
    item = document["paths"]["/users/{id}"]
    assert item["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
    ]
    get = item["get"]
    assert get["operationId"] == "GET_api_x_io_users_id"
    assert set(get["responses"]) == {"200", "404"}
    assert get["responses"]["200"]["description"] == "200: 3 recorded responses"
    assert get[EXTENSION] == {"endpoints": ["GET api.x.io/users/{id}"], "samples": 4}
    assert "content" not in item["delete"]["responses"]["204"]
    schema = schema_at(document, "/users/{id}", "get", 200)
    assert schema["properties"]["email"]["type"] == ["string", "null"]
    assert_valid(schema, users)


def test_a_parameter_named_twice_is_renamed_and_declared() -> None:
    assert path_template("/users/{id}/posts/{id}") == ("/users/{id}/posts/{id2}", ["id", "id2"])
    assert path_template("/a/{id}/{id2}/{id}") == ("/a/{id}/{id2}/{id3}", ["id", "id2", "id3"])
    assert path_template("a/{}/b{") == ("/a/{param}/b%7B", ["param"])
    # an unfilled template sent as is: a parameter, as the spec matcher reads it decoded
    assert path_template("/a/%7Bname%7D/b") == ("/a/{name}/b", ["name"])
    route = Route("GET", "api.x.io", "/users/{id}/posts/{id}")
    _, document = exported(
        [call("GET", "https://api.x.io/users/1/posts/2", {"a": 1})],
        {"GET api.x.io/users/{id}/posts/{id}": route},
    )
    item = document["paths"]["/users/{id}/posts/{id2}"]
    assert [p["name"] for p in item["parameters"]] == ["id", "id2"]


def test_graphql_operations_on_one_url_are_one_operation_every_body_valid() -> None:
    viewer = {"data": {"viewer": {"login": "ann"}}}
    repo = {"data": {"repository": {"stars": 3, "topics": []}}}
    endpoints = EndpointSet(
        {
            "graphql_viewer": {200: StatusShape(1, {"application/json": 1}, infer(viewer))},
            "graphql_repo": {200: StatusShape(1, {"application/json": 1}, infer(repo))},
        }
    )
    route = Route("POST", "api.github.com", "/graphql")
    document = openapi(endpoints, {"graphql_viewer": route, "graphql_repo": route})
    validate(document)
    post = document["paths"]["/graphql"]["post"]
    assert post[EXTENSION]["endpoints"] == ["graphql_repo", "graphql_viewer"]
    assert post["operationId"] == "graphql_repo"
    schema = schema_at(document, "/graphql", "post", 200)
    assert "required" not in schema["properties"]["data"]  # each key in one body of two
    assert_valid(schema, [viewer, repo])


def test_templates_differing_in_parameter_names_are_one_path() -> None:
    endpoints = EndpointSet(
        {
            "user": {200: StatusShape(1, {}, infer({"id": 1}))},
            "delete_user": {204: StatusShape(1, {}, None)},
        }
    )
    routes = {
        "user": Route("GET", "api.x.io", "/users/{user_id}"),
        "delete_user": Route("DELETE", "api.x.io", "/users/{id}"),
    }
    document = openapi(endpoints, routes)
    validate(document)
    assert list(document["paths"]) == ["/users/{id}"]  # the first endpoint by name's
    assert set(document["paths"]["/users/{id}"]) == {"parameters", "get", "delete"}


def test_servers_per_host_loopback_over_http_and_paths_served_by_some() -> None:
    endpoints = EndpointSet(
        {
            "eu": {200: StatusShape(1, {}, infer({"a": 1}))},
            "us": {200: StatusShape(1, {}, infer({"a": 2.5}))},
            "local": {200: StatusShape(1, {}, infer([1]))},
        }
    )
    routes = {
        "eu": Route("GET", "eu.api.x.io", "/items"),
        "us": Route("GET", "us.api.x.io", "/items"),
        "local": Route("GET", "127.0.0.1:8000", "/health"),
    }
    document = openapi(endpoints, routes)
    validate(document)
    assert document["servers"] == [
        {"url": "http://127.0.0.1:8000"},
        {"url": "https://eu.api.x.io"},
        {"url": "https://us.api.x.io"},
    ]
    items = document["paths"]["/items"]
    assert items["servers"] == [{"url": "https://eu.api.x.io"}, {"url": "https://us.api.x.io"}]
    assert items["get"][EXTENSION]["endpoints"] == ["eu", "us"]
    assert schema_at(document, "/items", "get", 200)["properties"]["a"]["type"] == "number"
    assert document["paths"]["/health"]["servers"] == [{"url": "http://127.0.0.1:8000"}]


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("localhost:5000", "http://localhost:5000"),
        ("[::1]:80", "http://[::1]:80"),
        ("10.0.0.1", "https://10.0.0.1"),
    ],
)
def test_the_scheme_of_a_host(host: str, url: str) -> None:
    endpoints = EndpointSet({"e": {200: StatusShape(1, {}, None)}})
    document = openapi(endpoints, {"e": Route("GET", host, "/")})
    assert document["servers"] == [{"url": url}]


def test_operation_ids_are_identifiers_and_unique() -> None:
    assert operation_id("GET api.x.io/users/{id}") == "GET_api_x_io_users_id"
    assert operation_id("2fa check") == "op_2fa_check"
    assert operation_id("///") == "operation"
    endpoints = EndpointSet(
        {"a.b": {200: StatusShape(1, {}, None)}, "a_b": {200: StatusShape(1, {}, None)}}
    )
    routes = {"a.b": Route("GET", "", "/one"), "a_b": Route("GET", "", "/two")}
    document = openapi(endpoints, routes)
    validate(document)
    ids = [document["paths"][p]["get"]["operationId"] for p in ("/one", "/two")]
    assert ids == ["a_b", "a_b_2"]
    assert "servers" not in document  # no host recorded


def test_a_method_openapi_cannot_hold_is_listed_apart() -> None:
    endpoints = EndpointSet(
        {
            "PROPFIND dav.x.io/files": {207: StatusShape(1, {}, None)},
            "GET dav.x.io/files": {200: StatusShape(1, {}, None)},
        }
    )
    routes = {name: Route.of_key(name) for name in endpoints.endpoints}
    document = openapi(endpoints, routes)
    validate(document)
    assert set(document["paths"]["/files"]) == {"get"}
    assert document[EXTENSION]["unlisted"] == [
        {"endpoint": "PROPFIND dav.x.io/files", "reason": "OpenAPI 3.1 has no PROPFIND"}
    ]


def test_the_media_type_is_the_json_one_recorded_most() -> None:
    assert (
        media_type({"application/vnd.api+json; charset=utf-8": 3, "application/json": 1})
        == "application/vnd.api+json"
    )
    assert media_type({"text/html": 2}) == "application/json"
    assert media_type({}) == "application/json"


def test_variants_and_maps_in_a_validated_document() -> None:
    owners = [
        {
            "type": "User",
            "login": "a",
            "assets": {f"k{n}": {"href": "https://x.io"} for n in range(8)},
        },
        {"type": "Org", "members": 3, "assets": {}},
        None,
    ]
    interactions = [call("GET", "https://api.x.io/owner", {"owner": owner}) for owner in owners]
    _, document = exported(interactions)
    schema = schema_at(document, "/owner", "get", 200)
    owner = schema["properties"]["owner"]
    assert owner["discriminator"] == {"propertyName": "type"}
    assert "additionalProperties" in owner["properties"]["assets"]
    assert_valid(schema, [{"owner": owner} for owner in owners])


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["active", "User", "", "2024-01-31", "a@b.co", "x1"])
    | st.text(max_size=3),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["type", "id", "a", "b"]), children, max_size=4)
    ),
    max_leaves=15,
)
CALLS = st.tuples(
    st.sampled_from(["GET", "POST", "PATCH"]),
    st.sampled_from(
        [
            "https://a.io/users/1",
            "https://a.io/users/2/posts/3",
            "https://b.io/users/7",
            "http://127.0.0.1:9/x",
        ]
    ),
    st.sampled_from([200, 201, 404]),
    JSON,
)


@settings(max_examples=40, deadline=None)
@given(st.lists(CALLS, min_size=1, max_size=10))
def test_random_recordings_give_a_valid_document_every_body_valid(
    calls: list[tuple[str, str, int, Any]],
) -> None:
    interactions = [
        call(method, uri, body, status, "application/json") for method, uri, status, body in calls
    ]
    interactions = [i for i in interactions if i.kind is BodyKind.JSON]
    if not interactions:
        return
    endpoints, document = exported(interactions)
    by_name = {
        name: (path, method)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method not in ("parameters", "servers")
        for name in operation[EXTENSION]["endpoints"]
    }
    assert set(by_name) == set(endpoints.endpoints)
    for interaction in interactions:
        path, method = by_name[endpoint_key(interaction.method, interaction.uri)]
        assert_valid(schema_at(document, path, method, interaction.status), [interaction.body])


ROUND_TRIP_CALLS = st.tuples(
    st.sampled_from(["GET", "POST"]),
    st.sampled_from(
        ["https://a.io/users/1", "https://a.io/users/2/posts/3", "https://b.io/users/7"]
    ),
    st.sampled_from([200, 404]),
    JSON
    | st.lists(
        st.fixed_dictionaries(
            {"status": st.sampled_from(["active", "inactive"]) | st.none()},
            optional={
                "owner": st.fixed_dictionaries(
                    {"type": st.sampled_from(["User", "Org"])},
                    optional={"login": JSON, "members": st.integers() | st.none()},
                ),
                "at": st.sampled_from(["2024-01-31T12:00:00Z", ""]),
            },
        ),
        max_size=25,
    ),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(ROUND_TRIP_CALLS, min_size=1, max_size=8))
def test_the_document_given_back_as_a_spec_finds_nothing(
    calls: list[tuple[str, str, int, Any]],
) -> None:
    """Issue 18's round trip: the export read by `diff --spec`'s reader and rules."""
    from driftcheck.run.spec import load, routes_of, spec_report

    endpoints = group([call(method, uri, body, status) for method, uri, status, body in calls])
    document = openapi(endpoints, routes_of(endpoints.endpoints))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "openapi.json")
        path.write_text(jsonio.dumps_indented(document))
        report = spec_report(load(path), endpoints)
    assert [finding.message for finding in report.findings] == []
