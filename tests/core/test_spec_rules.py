"""Recorded shapes against a spec's response schemas: the seven `spec-*` rules, on shapes
inferred from real JSON bodies and `SchemaNode`s written by hand."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any

import pytest

from driftcheck.core.model import EndpointSet, Finding, Location, Node, Severity, StatusShape
from driftcheck.core.rules import VALUE_RULES, RuleId
from driftcheck.core.shape import infer, infer_all
from driftcheck.core.spec_model import Operation, Response, Route, SchemaNode, Spec
from driftcheck.core.spec_rules import spec_findings

FILE = "openapi.yaml"
CASSETTE = Location("cassettes/user.yaml", 3)
ENDPOINT = "user"
ROUTE = Route("GET", "api.example.com", "/users/{id}")
_lines = itertools.count(100)


def schema(*types: str, line: int | None = None, **more: Any) -> SchemaNode:
    """A schema node at its own line of the spec file (`types` empty: any type)."""
    where = Location(FILE, line if line is not None else next(_lines))
    return SchemaNode(where, frozenset(types) if types else None, **more)


def obj(properties: Mapping[str, SchemaNode], *required: str, **more: Any) -> SchemaNode:
    return schema("object", properties=dict(properties), required=frozenset(required), **more)


def shape(*bodies: Any) -> Node:
    found = infer_all(list(bodies))
    assert found is not None
    return found


def make_spec(
    responses: Mapping[str, SchemaNode | None], path: str = "/users/{userId}", **more: Any
) -> Spec:
    documented = {
        status: Response(status, body, ("application/json",), Location(FILE, 20 + n))
        for n, (status, body) in enumerate(responses.items())
    }
    operation = Operation("GET", path, documented, Location(FILE, 10), "getUser")
    return Spec(FILE, "3.1.0", more.get("servers", ()), (operation,), Location(FILE, 5))


def status_shape(bodies: list[Any]) -> StatusShape:
    node = shape(*bodies) if bodies else None
    return StatusShape(len(bodies), {"application/json": len(bodies)}, node, location=CASSETTE)


def check(body_schema: SchemaNode | None, *bodies: Any, status: int = 200) -> list[Finding]:
    """The findings of `bodies`, recorded with `status`, against a 200 response."""
    spec = make_spec({"200": body_schema})
    endpoints = EndpointSet({ENDPOINT: {status: status_shape(list(bodies))}})
    return spec_findings(spec, {ENDPOINT: ROUTE}, endpoints)


def check_node(body_schema: SchemaNode, node: Node) -> list[Finding]:
    spec = make_spec({"200": body_schema})
    recorded = StatusShape(node.count, {"application/json": 1}, node, location=CASSETTE)
    return spec_findings(spec, {ENDPOINT: ROUTE}, EndpointSet({ENDPOINT: {200: recorded}}))


def rules(found: list[Finding]) -> list[tuple[str, str]]:
    return [(f.rule.value, f.path) for f in found]


USER = obj(
    {
        "id": schema("integer"),
        "name": schema("string"),
        "email": schema("string", "null"),
        "status": schema("string", enum=("active", "inactive")),
        "tags": schema("array", items=schema("string")),
        "profile": obj({"bio": schema("string")}, "bio"),
    },
    "id",
    "name",
)


def users(n: int = 10, **extra: Any) -> list[dict[str, Any]]:
    statuses = ["active", "inactive"]
    return [
        {"id": i, "name": f"u{i}", "email": None if i % 3 else "a@b.c",
         "status": statuses[i % 2], "tags": ["x"], "profile": {"bio": "hi"}, **extra}
        for i in range(n)
    ]  # fmt: skip


def test_recordings_that_keep_the_spec_give_no_finding() -> None:
    assert check(USER, *users()) == []


# --- spec-field-undocumented ---------------------------------------------------------


def test_a_key_the_spec_does_not_document_is_info_where_others_are_allowed() -> None:
    bodies = users(4, nickname="n")
    bodies[0].pop("nickname")
    (found,) = check(USER, *bodies)
    assert (found.rule, found.path, found.severity) == (
        RuleId.SPEC_FIELD_UNDOCUMENTED,
        "$.nickname",
        Severity.INFO,
    )
    assert found.source == "spec"
    assert found.status == 200
    assert (found.baseline, found.current) == ("undocumented", "present in 3/4")
    assert found.location == CASSETTE
    assert found.spec_location == USER.location
    assert found.message == (
        f"`$.nickname` is returned in 3 of 4 recorded samples but the spec does not document "
        f"it ({FILE}:{USER.location.line})"
    )


def test_an_undocumented_key_is_a_warning_where_the_object_forbids_others() -> None:
    closed = obj({"id": schema("integer")}, "id", additional=False)
    (found,) = check(closed, {"id": 1, "debug": {"trace": 1}})
    assert (found.path, found.severity, found.baseline) == (
        "$.debug",
        Severity.WARNING,
        "not allowed",
    )
    # reported once at the key, nothing about what is below it


def test_keys_of_a_documented_map_are_data_and_its_values_are_checked() -> None:
    link = obj({"href": schema("string")}, "href")
    links = obj({"links": schema("object", additional=link)})
    bodies = [{"links": {"self": {"href": "/a"}, "next": {"href": "/b", "rel": "x"}}}]
    assert rules(check(links, *bodies)) == [
        ("spec-field-undocumented", "$.links.next.rel"),
    ]
    many: list[dict[str, Any]] = [
        {"links": {f"k{i}-{j}": {"href": "/a"} for j in range(8)}} for i in range(6)
    ]
    many[0]["links"]["k0-0"] = {"href": None}
    assert rules(check(links, *many)) == [("spec-null-undeclared", "$.links{*}.href")]


def test_a_recorded_map_is_held_to_additional_properties_only() -> None:
    scores = obj({"scores": schema("object", additional=schema("integer"))})
    bodies = [{"scores": {f"player{i}{j}": "1.5" for j in range(8)}} for i in range(6)]
    node = shape(*bodies)
    assert node.keys["scores"].values is not None  # a map: its keys are data
    assert rules(check(scores, *bodies)) == [("spec-type-mismatch", "$.scores{*}")]
    # the spec documents keys (not a map): the recorded map's keys say nothing
    named = obj({"scores": obj({"a": schema("string")}, "a")})
    assert check(named, *bodies) == []


def test_a_recorded_maps_values_may_be_documented_properties_too() -> None:
    """`total` is documented beside `additionalProperties`; folded into the map's values,
    an integer value may be its."""
    entry = obj({"n": schema("integer")}, "n")
    counts = obj({"counts": obj({"total": schema("integer")}, "total", additional=entry)})
    bodies = [{"counts": {"total": 8, "a1": {"n": 1}, "b2": {"n": 2}}}]
    declared = infer(bodies[0], maps=lambda path: path == ("counts",) or None)  # config `maps`
    assert declared.keys["counts"].values is not None
    assert check_node(counts, declared) == []
    bodies[0]["counts"]["total"] = "8"
    declared = infer(bodies[0], maps=lambda path: path == ("counts",) or None)
    assert rules(check_node(counts, declared)) == [("spec-type-mismatch", "$.counts{*}")]


def test_a_free_form_object_takes_any_key() -> None:
    free = obj({"meta": schema("object"), "extra": schema()})
    assert check(free, {"meta": {"a": 1, "b": [1]}, "extra": {"c": None}}) == []


# --- spec-required-missing ---------------------------------------------------------------


def test_a_required_key_missing_from_some_responses() -> None:
    bodies = users(7)
    for body in bodies[:2]:
        del body["name"]
    for body in bodies[:4]:
        del body["profile"]["bio"]
    found = check(USER, *bodies)
    assert rules(found) == [  # in the recording's key order: `name` first seen third
        ("spec-required-missing", "$.profile.bio"),
        ("spec-required-missing", "$.name"),
    ]
    name = found[1]
    assert (name.severity, name.baseline, name.current) == (
        Severity.BREAKING,
        "required",
        "missing in 2/7",
    )
    where = USER.properties["name"].location  # the property the object requires
    assert name.spec_location == where
    assert name.message == (
        f"`$.name` is required by the spec ({FILE}:{where.line}) but missing in 2 of "
        "7 recorded samples (29 %)"
    )
    assert found[0].current == "missing in 4/7"


def test_a_required_key_never_returned_is_missing_everywhere() -> None:
    body_schema = obj({"id": schema("integer")}, "id", "kind")
    (found,) = check(body_schema, {"id": 1}, {"id": 2})
    assert (found.path, found.current) == ("$.kind", "missing in 2/2")
    assert found.spec_location == body_schema.location  # no property: the object's line


def test_required_keys_of_array_elements_count_elements() -> None:
    item = obj({"id": schema("integer")}, "id")
    body_schema = obj({"items": schema("array", items=item)})
    (found,) = check(body_schema, {"items": [{"id": 1}, {}, {"id": 3}]}, {"items": []})
    assert (found.path, found.current) == ("$.items[*].id", "missing in 1/3")


# --- spec-null-undeclared ----------------------------------------------------------------


def test_null_where_the_spec_does_not_allow_it() -> None:
    bodies = users(6)
    bodies[1]["name"] = None
    (found,) = check(USER, *bodies)
    assert (found.rule, found.path, found.severity) == (
        RuleId.SPEC_NULL_UNDECLARED,
        "$.name",
        Severity.BREAKING,
    )
    name_schema = USER.properties["name"]
    assert found.spec_location == name_schema.location
    assert (found.baseline, found.current) == ("not null", "null in 1/6")
    assert found.message == (
        f"`$.name` is null in 1 of 6 recorded values; the spec ({FILE}:"
        f"{name_schema.location.line}) does not allow null there"
    )


@pytest.mark.parametrize(
    "declared",
    [
        schema("string", "null"),
        schema("string", enum=("a", None)),  # the enum lists null
        schema(),  # no type said
    ],
)
def test_null_is_allowed_by_a_nullable_type_an_enum_with_null_or_no_type(
    declared: SchemaNode,
) -> None:
    assert check(obj({"v": declared}), {"v": None}, {"v": "a"}) == []


def test_a_path_recorded_only_as_null_is_the_null_rule_alone() -> None:
    assert rules(check(obj({"v": schema("integer")}), {"v": None})) == [
        ("spec-null-undeclared", "$.v")
    ]


# --- spec-type-mismatch ------------------------------------------------------------------


def test_a_type_the_spec_does_not_allow() -> None:
    bodies = [{"id": "7"}, {"id": "8"}, {"id": 9}, {"id": None}]
    found = check(obj({"id": schema("integer")}, "id"), *bodies)
    assert rules(found) == [("spec-null-undeclared", "$.id"), ("spec-type-mismatch", "$.id")]
    mismatch = found[1]
    assert (mismatch.baseline, mismatch.current) == ("integer", "string")
    assert mismatch.message == (
        f"`$.id` is string in recordings (2 of the recorded values); the spec ({FILE}:"
        f"{mismatch.spec_location.line if mismatch.spec_location else 0}) says integer"
    )


def test_integers_are_numbers_and_a_recorded_number_may_be_an_integer() -> None:
    """A shape's `number` may have been `3.0` or `1e3`, integers to JSON Schema: where
    the spec says `integer`, the recordings cannot decide (red team 04)."""
    assert check(obj({"n": schema("number")}), {"n": 1}, {"n": 2.5}) == []
    assert check(obj({"n": schema("integer")}), {"n": 3.0}, {"n": 1e3}) == []
    assert check(obj({"n": schema("integer")}), {"n": 1}, {"n": 2.5}) == []
    (found,) = check(obj({"n": schema("integer")}), {"n": 1}, {"n": "2"})
    assert (found.rule, found.current) == (RuleId.SPEC_TYPE_MISMATCH, "string")
    assert "is string in recordings (1 of the recorded values)" in found.message


def test_the_declared_types_are_named_as_the_spec_says() -> None:
    (found,) = check(obj({"n": schema("number", "null")}), {"n": "x"})
    assert found.baseline == "number|null"


def test_elements_are_checked_against_items() -> None:
    found = check(USER, *users(3), {**users(1)[0], "tags": ["a", 3, None]})
    assert rules(found) == [
        ("spec-null-undeclared", "$.tags[*]"),
        ("spec-type-mismatch", "$.tags[*]"),
    ]
    assert check(obj({"tags": schema("array")}), {"tags": [1, "a", None, {"x": 1}]}) == []


def test_a_body_of_the_wrong_type_stops_the_walk_there() -> None:
    assert rules(check(USER, [1, 2])) == [("spec-type-mismatch", "$")]


# --- spec-enum-undeclared ----------------------------------------------------------------


def test_a_value_outside_the_spec_enum() -> None:
    bodies = users(6)
    bodies[0]["status"] = bodies[1]["status"] = "suspended"
    bodies[2]["status"] = "banned"
    (found,) = check(USER, *bodies)
    assert (found.rule, found.path, found.severity) == (
        RuleId.SPEC_ENUM_UNDECLARED,
        "$.status",
        Severity.WARNING,
    )
    assert found.rule in VALUE_RULES  # `values = false` turns it off
    assert (found.baseline, found.current) == ("one of active|inactive", "also suspended|banned")
    status_schema = USER.properties["status"]
    assert found.message == (
        "`$.status` returned `suspended` (2), `banned` (1), not among the spec's values "
        f"active|inactive ({FILE}:{status_schema.location.line})"
    )


def test_at_most_five_values_are_named() -> None:
    colours = obj({"c": schema("string", enum=("red",))})
    bodies = [{"c": f"c{n}"} for n in range(8) for _ in range(n + 1)]
    (found,) = check(colours, *bodies)
    assert "`c7` (8), `c6` (7), `c5` (6), `c4` (5), `c3` (4) and 3 more" in found.message
    assert found.current == "also c7|c6|c5|c4|c3|…"


def test_values_that_are_not_recorded_say_nothing() -> None:
    """Strings under a key that names text are not counted (`Node.enum` is None)."""
    named = obj({"name": schema("string", enum=("a", "b"))})
    assert check(named, {"name": "Zoe Smith"}, {"name": "x y"}) == []
    numbers = obj({"n": schema("integer", enum=(1, 2))})
    assert check(numbers, {"n": 3}) == []  # only strings' values are counted


def test_a_deep_recursive_schema_is_walked_without_recursion() -> None:
    properties: dict[str, SchemaNode] = {}
    tree = schema("object", properties=properties)
    properties["child"] = tree  # a `$ref` to itself
    body: dict[str, Any] = {"child": None}
    for _ in range(900):
        body = {"child": body}
    (found,) = check(tree, body)
    assert found.rule is RuleId.SPEC_NULL_UNDECLARED
    assert found.path == "$" + ".child" * 901


def test_a_place_that_allows_no_value_says_so() -> None:
    """`items: false` allows no element: the message must not read "says nothing"."""
    (found,) = check(
        obj({"pair": schema("array", items=SchemaNode(Location(FILE, 9), frozenset()))}),
        {"pair": [1]},
    )
    assert (found.rule, found.path) == (RuleId.SPEC_TYPE_MISMATCH, "$.pair[*]")
    assert found.message.endswith(f"the spec ({FILE}:9) says no value at all")
