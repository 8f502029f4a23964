"""Recorded shapes as JSON Schema 2020-12: what the schema promises, and that every body
the shape was inferred from validates against it (jsonschema, formats asserted too)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from driftcheck import jsonio
from driftcheck.core.model import EndpointSet, Node, StatusShape
from driftcheck.core.schema_export import (
    DIALECT,
    EXTENSION,
    MAX_SCHEMA_DEPTH,
    json_schema,
    json_schemas,
)
from driftcheck.core.shape import ShapeBuilder, infer, infer_all, merge

FORMATS = Draft202012Validator.FORMAT_CHECKER


def shape_of(bodies: list[Any]) -> Node:
    shape = infer_all(bodies)
    assert shape is not None
    return shape


def schema_of(bodies: list[Any]) -> dict[str, Any]:
    schema = json_schema(shape_of(bodies), samples=len(bodies))
    Draft202012Validator.check_schema(schema)
    return schema


def assert_all_valid(schema: dict[str, Any], bodies: list[Any]) -> None:
    """Every body validates, with formats ignored and with them asserted."""
    for validator in (
        Draft202012Validator(schema),
        Draft202012Validator(schema, format_checker=FORMATS),
    ):
        for body in bodies:
            validator.validate(body)


def is_valid(schema: dict[str, Any], body: Any) -> bool:
    return Draft202012Validator(schema, format_checker=FORMATS).is_valid(body)


def test_required_is_always_present_and_presence_is_counted() -> None:
    bodies = [{"id": n, "name": "x"} if n < 7 else {"id": n} for n in range(8)]
    schema = schema_of(bodies)
    assert schema["type"] == "object"
    assert schema["required"] == ["id"]
    assert schema["properties"]["name"][EXTENSION] == {"presence": 87.5, "samples": 7, "of": 8}
    assert schema["properties"]["id"][EXTENSION]["presence"] == 100.0
    assert schema[EXTENSION] == {"responses": 8, "samples": 8}
    assert "additionalProperties" not in schema  # an API adds fields
    assert_all_valid(schema, bodies)
    assert not is_valid(schema, {"name": "x"})  # `id` is required


def test_presence_rounds_down_so_that_100_means_always() -> None:
    bodies = [{"a": 1, "b": 2}] * 999 + [{"a": 1}]
    schema = schema_of(bodies)
    assert schema["properties"]["b"][EXTENSION]["presence"] == 99.9
    assert schema["required"] == ["a"]


def test_nullable_is_a_type_union_with_the_nulls_counted() -> None:
    bodies = [{"email": "a@b.co"}, {"email": None}, {"email": "c@d.co"}]
    schema = schema_of(bodies)
    email = schema["properties"]["email"]
    assert email["type"] == ["string", "null"]
    assert email[EXTENSION]["nulls"] == 1
    assert email[EXTENSION]["types"] == {"string": 2, "null": 1}
    assert_all_valid(schema, bodies)
    assert not is_valid(schema, {"email": 3})


def test_integers_and_numbers_seen_together_are_number() -> None:
    schema = schema_of([{"n": 1, "i": 1}, {"n": 2.5, "i": 2}])
    assert schema["properties"]["n"]["type"] == "number"
    assert schema["properties"]["i"]["type"] == "integer"
    assert schema["properties"]["n"][EXTENSION]["types"] == {"integer": 1, "number": 1}
    assert not is_valid(schema, {"n": 1, "i": 2.5})


def test_a_map_is_additional_properties_without_properties() -> None:
    bodies = [
        {"assets": {f"a{n}{m}": {"href": "https://x.io/a", "size": m} for m in range(6)}}
        for n in range(3)
    ]
    schema = schema_of(bodies)
    assets = schema["properties"]["assets"]
    assert "properties" not in assets
    values = assets["additionalProperties"]
    assert values["type"] == "object"
    assert values["required"] == ["href", "size"]
    assert_all_valid(schema, bodies)
    assert not is_valid(schema, {"assets": {"new": {"href": 1, "size": 1}}})


VARIANTS = [
    {"type": "User", "login": "ann", "email": "a@b.co"},
    {"type": "Organization", "login": "acme", "members": 3},
    {"type": "User", "login": "bob", "email": None},
    {"type": "Organization", "login": "corp", "members": 9},
]


def test_variants_are_one_of_with_a_discriminator() -> None:
    bodies = [{"owner": owner} for owner in VARIANTS]
    owner = schema_of(bodies)["properties"]["owner"]
    assert owner["required"] == ["type", "login"]
    assert owner["discriminator"] == {"propertyName": "type"}
    branches = {b["properties"]["type"]["const"]: b for b in owner["oneOf"]}
    assert branches["User"]["required"] == ["type", "login", "email"]
    assert branches["Organization"]["required"] == ["type", "login", "members"]
    assert branches["User"][EXTENSION] == {"samples": 2}
    assert owner["properties"]["email"][EXTENSION]["of"] == 2  # the Users only
    schema = schema_of(bodies)
    assert_all_valid(schema, bodies)
    assert not is_valid(schema, {"owner": {"type": "Organization", "login": "x"}})
    assert not is_valid(schema, {"owner": {"type": "User", "login": "x"}})


def test_nullable_variants_have_a_branch_for_null() -> None:
    bodies = [{"owner": owner} for owner in [*VARIANTS, None]]
    schema = schema_of(bodies)
    owner = schema["properties"]["owner"]
    assert owner["type"] == ["object", "null"]
    assert {"type": "null"} in owner["oneOf"]
    assert_all_valid(schema, bodies)


def test_untagged_objects_have_a_branch_and_no_discriminator() -> None:
    owners = [*VARIANTS, {"login": "x", "members": 1}, {"type": 7, "login": "y"}, {"type": ""}]
    bodies = [{"owner": owner} for owner in owners]
    schema = schema_of(bodies)
    owner = schema["properties"]["owner"]
    assert "discriminator" not in owner  # some objects have no tag to discriminate by
    untagged = [b for b in owner["oneOf"] if b[EXTENSION].get("untagged")]
    assert len(untagged) == 1
    assert untagged[0][EXTENSION]["samples"] == 3
    assert_all_valid(schema, bodies)


def test_arrays_only_ever_empty_constrain_no_items() -> None:
    bodies = [{"tags": [], "ids": [1, 2]}, {"tags": [], "ids": []}]
    schema = schema_of(bodies)
    tags, ids = schema["properties"]["tags"], schema["properties"]["ids"]
    assert tags == {
        "type": "array",
        EXTENSION: {"presence": 100.0, "samples": 2, "of": 2, "empty": 2},
    }
    assert ids["items"]["type"] == "integer"
    assert ids[EXTENSION]["empty"] == 1
    assert "minItems" not in ids
    assert_all_valid(schema, bodies)
    assert is_valid(schema, {"tags": ["anything"], "ids": []})


def test_a_place_seen_only_as_null_accepts_anything() -> None:
    schema = schema_of([{"gone": None}, {"gone": None}])
    gone = schema["properties"]["gone"]
    assert "type" not in gone
    assert gone[EXTENSION]["nullOnly"] is True
    assert is_valid(schema, {"gone": {"now": "an object"}})


def test_enum_like_values_are_an_enum_with_null_when_seen() -> None:
    statuses = ["active", "inactive", "banned"] * 5
    bodies = [{"status": status} for status in statuses] + [{"status": None}]
    schema = schema_of(bodies)
    status = schema["properties"]["status"]
    assert status["type"] == ["string", "null"]
    assert status["enum"] == ["active", "banned", "inactive", None]
    assert_all_valid(schema, bodies)
    assert not is_valid(schema, {"status": "deleted"})


def test_too_few_values_make_no_enum() -> None:
    schema = schema_of([{"status": "active"}, {"status": "inactive"}])
    assert "enum" not in schema["properties"]["status"]


@pytest.mark.parametrize(
    ("values", "keyword", "extension"),
    [
        (["2024-01-31T12:00:00Z", "2024-02-29T00:00:00.5+05:30"], "date-time", None),
        (["2024-01-31", "2023-12-01"], "date", None),
        (["123e4567-e89b-12d3-a456-426614174000"], "uuid", None),
        (["10.0.0.1", "192.168.1.20"], "ipv4", None),
        (["::1", "2001:db8::ff00:42:8329"], "ipv6", None),
        (["12:00:00", "23:59:59"], None, "time"),  # JSON Schema's time needs an offset
        (["a..b@x.co", "ann@example.com"], None, "email"),
        (["https://x.io/a|b", "urn:isbn:1"], None, "uri"),
        (["0123", "42"], None, "integer-as-string"),
        (["1.5", "2e3"], None, "decimal-as-string"),
    ],
)
def test_formats_are_standard_only_where_the_definitions_agree(
    values: list[str], keyword: str | None, extension: str | None
) -> None:
    bodies = [{"v": value} for value in values]
    schema = schema_of(bodies)
    v = schema["properties"]["v"]
    assert v.get("format") == keyword
    assert v[EXTENSION].get("format") == extension
    assert_all_valid(schema, bodies)


def test_a_placeholder_keeps_a_standard_format_out_of_the_keyword() -> None:
    bodies = [{"at": "2024-01-31T12:00:00Z"}, {"at": ""}, {"at": "REDACTED"}]
    schema = schema_of(bodies)
    at = schema["properties"]["at"]
    assert "format" not in at
    assert at[EXTENSION]["format"] == "date-time"
    assert at[EXTENSION]["placeholders"] == 2
    assert_all_valid(schema, bodies)


def test_a_standard_format_is_asserted() -> None:
    schema = schema_of([{"at": "2024-01-31T12:00:00Z"}])
    assert not is_valid(schema, {"at": "yesterday"})


def test_deep_nesting_stops_at_the_depth_limit_and_still_validates() -> None:
    body: Any = {"leaf": 1}
    for _ in range(MAX_SCHEMA_DEPTH + 40):
        body = {"next": body}
    schema = schema_of([body])
    jsonio.dumps(schema)  # orjson refuses nesting past 255 levels
    node, depth = schema, 0
    while "properties" in node:
        node, depth = node["properties"]["next"], depth + 1
    assert depth == MAX_SCHEMA_DEPTH
    assert node[EXTENSION]["truncated"] is True
    assert "type" not in node
    assert_all_valid(schema, [body])


def test_no_json_body_is_an_empty_schema_with_the_count() -> None:
    assert json_schema(None, samples=3) == {EXTENSION: {"responses": 3, "samples": 0}}


def test_the_document_holds_each_endpoint_and_status() -> None:
    ok, missing = infer({"id": 1}), infer({"error": "not found"})
    endpoints = EndpointSet(
        {
            "GET api.x.io/users/{id}": {
                404: StatusShape(1, {"application/json": 1}, missing),
                200: StatusShape(1, {"application/json": 1}, ok),
            },
            "DELETE api.x.io/users/{id}": {204: StatusShape(2, {"(none)": 2}, None)},
        }
    )
    document = json_schemas(endpoints)
    Draft202012Validator.check_schema(document)
    assert document["$schema"] == DIALECT
    assert list(document["endpoints"]) == ["DELETE api.x.io/users/{id}", "GET api.x.io/users/{id}"]
    user = document["endpoints"]["GET api.x.io/users/{id}"]
    assert list(user) == ["200", "404"]
    assert "$schema" not in user["200"]
    Draft202012Validator(user["200"]).validate({"id": 7})
    with pytest.raises(ValidationError):
        Draft202012Validator(user["404"]).validate({"id": 7})


# Random bodies: keys drawn from a few (tags and id-like keys among them, so variants and
# maps form), strings from every format, placeholders and enum-like tokens.
STRINGS = st.sampled_from(
    [
        "active",
        "inactive",
        "User",
        "Org",
        "",
        "REDACTED",
        "2024-01-31T12:00:00Z",
        "2024-02-29",
        "12:00:00",
        "123e4567-e89b-12d3-a456-426614174000",
        "a@b.co",
        "https://x.io/p",
        "10.0.0.1",
        "::1",
        "0042",
        "1.5",
    ]
) | st.text(max_size=4)
KEYS = st.sampled_from(["type", "kind", "status", "id", "name", "a", "b", "u1", "u2", "u3"])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63)
    | st.floats(allow_nan=False, allow_infinity=False)
    | STRINGS
)
BODIES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(BODIES, min_size=1, max_size=8))
def test_every_body_validates_against_the_schema_of_its_shape(bodies: list[Any]) -> None:
    schema = schema_of(bodies)
    assert_all_valid(schema, bodies)
    jsonio.dumps(schema)


@settings(max_examples=80, deadline=None)
@given(st.lists(BODIES, min_size=2, max_size=8), st.integers(min_value=1, max_value=7))
def test_shapes_merged_from_parts_validate_every_body(bodies: list[Any], cut: int) -> None:
    """Shapes built as a scan builds them: parts merged, and a builder fed in pieces."""
    cut = min(cut, len(bodies) - 1)
    merged = merge(infer_all(bodies[:cut]) or infer(None), infer_all(bodies[cut:]) or infer(None))
    builder = ShapeBuilder()
    for body in bodies:
        builder.add_values([body])
    for shape in (merged, builder.build()):
        schema = json_schema(shape, samples=len(bodies))
        Draft202012Validator.check_schema(schema)
        assert_all_valid(schema, bodies)


# Lists of records: enum-like columns, tagged objects, maps keyed by ids, formats.
RECORDS = st.lists(
    st.fixed_dictionaries(
        {"status": st.sampled_from(["active", "inactive", "banned"]) | st.none()},
        optional={
            "owner": st.fixed_dictionaries(
                {"type": st.sampled_from(["User", "Org", "Bot"])},
                optional={"login": STRINGS, "members": SCALARS, "email": STRINGS | st.none()},
            )
            | st.none(),
            "assets": st.dictionaries(
                st.from_regex(r"a[0-9]{3}", fullmatch=True),
                st.fixed_dictionaries({"href": STRINGS}, optional={"size": SCALARS}),
                max_size=8,
            ),
            "at": st.sampled_from(["2024-01-31T12:00:00Z", "2023-05-01T00:00:00+02:00", ""]),
            "n": st.integers() | st.floats(allow_nan=False, allow_infinity=False),
        },
    ),
    min_size=1,
    max_size=30,
).map(lambda items: {"items": items})


@settings(max_examples=80, deadline=None)
@given(st.lists(RECORDS, min_size=1, max_size=4))
def test_every_record_list_validates(bodies: list[Any]) -> None:
    assert_all_valid(schema_of(bodies), bodies)
