"""Mock payloads against a spec's response schema, for endpoints never recorded (pure)."""

from __future__ import annotations

from typing import Any

import pytest

from driftcheck.core.model import Finding, Fixture, Location, Opaque, Severity, Unknown
from driftcheck.core.rules import RuleId
from driftcheck.core.spec_mocks import MAX_DEPTH, spec_mock_findings
from driftcheck.core.spec_model import Response, SchemaNode

SPEC = "specs/openapi.yaml"
MOCK = "tests/test_user.py"
ENDPOINT = "GET api.example.com/users/{id}"


def at(line: int) -> Location:
    return Location(SPEC, line)


def schema(line: int, types: str | None = None, **constraints: Any) -> SchemaNode:
    """A schema node written at `line` of the spec; `types` as `integer|null`."""
    kinds = None if types is None else frozenset(types.split("|"))
    return SchemaNode(at(line), kinds, **constraints)


def fixture(value: Any, line: int = 10, lines: dict[str, int] | None = None) -> Fixture:
    return Fixture(value, MOCK, line, f"{MOCK}::MOCK", lines or {})


def check(node: SchemaNode | None, *fixtures: Fixture, status: int | None = 200) -> list[Finding]:
    response = Response("200", node, ("application/json",), at(1))
    return spec_mock_findings(ENDPOINT, status, response, list(fixtures))


def rules(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(each.rule.value, each.path) for each in findings]


USER = schema(
    20,
    "object",
    properties={
        "id": schema(21, "integer"),
        "name": schema(22, "string"),
        "email": schema(23, "string|null", format="email"),
        "status": schema(24, "string", enum=("active", "disabled")),
        "created": schema(25, "string", format="date-time"),
        "score": schema(26, "number"),
        "tags": schema(27, "array", items=schema(28, "string")),
        "extra": schema(29),  # any type
    },
    required=frozenset({"id", "name", "status"}),
)
GOOD: dict[str, Any] = {
    "id": 1,
    "name": "Ada",
    "email": None,
    "status": "active",
    "created": "2024-01-02T03:04:05Z",
    "score": 3,  # an integer fits a number
    "tags": ["a", "b"],
    "extra": {"anything": [1, None]},
}


def test_a_mock_that_fits_its_schema_has_no_finding() -> None:
    assert check(USER, fixture(GOOD)) == []
    assert check(USER, fixture({**GOOD, "extra": None, "email": "not checked"})) == []


def test_no_json_schema_no_finding() -> None:
    assert check(None, fixture({"anything": 1})) == []


def test_an_undocumented_key_is_reported_with_both_lines() -> None:
    mock = {**GOOD, "nickname": "a"}
    [found] = check(USER, fixture(mock, lines={"$.nickname": 14}))
    assert (found.rule, found.path) == (RuleId.MOCK_FIELD_UNKNOWN, "$.nickname")
    assert found.message == (
        "`$.nickname` is in fixture tests/test_user.py:14 but the spec's response for endpoint "
        "`GET api.example.com/users/{id}` does not document it (specs/openapi.yaml:20); no "
        "recordings to compare with"
    )
    assert found.severity is Severity.WARNING
    assert found.source == "fixture"
    assert found.status == 200
    assert found.location == Location(MOCK, 14)
    assert found.spec_location == at(20)
    assert (found.baseline, found.current) == ("not documented", "string in fixture")


def test_undocumented_keys_of_open_and_closed_objects() -> None:
    closed = schema(30, "object", additional=False)
    assert rules(check(closed, fixture({"a": 1}))) == [("mock-field-unknown", "$.a")]
    free = schema(31, "object")  # no properties, other keys open: a free-form object
    assert check(free, fixture({"a": 1})) == []
    open_documented = schema(32, "object", properties={"b": schema(33)}, additional=True)
    assert rules(check(open_documented, fixture({"a": 1}))) == [("mock-field-unknown", "$.a")]


def test_other_keys_are_checked_against_the_additional_schema() -> None:
    tally = schema(40, "object", additional=schema(41, "integer"))
    assert check(tally, fixture({"a": 1, "b": 2})) == []
    mock = {"a": 1, "b": "two", "c": "three"}
    [found] = check(tally, fixture(mock, lines={"$.b": 12, "$.c": 13}))
    assert (found.rule, found.path) == (RuleId.MOCK_TYPE_MISMATCH, "${*}")
    assert found.location == Location(MOCK, 12)
    assert found.spec_location == at(41)


def test_a_required_key_the_mock_lacks() -> None:
    mock = {key: value for key, value in GOOD.items() if key != "status"}
    [found] = check(USER, fixture(mock, line=7))
    assert (found.rule, found.path) == (RuleId.MOCK_FIELD_MISSING, "$.status")
    assert found.message == (
        "`$.status` is required by the spec's response for endpoint "
        "`GET api.example.com/users/{id}` (specs/openapi.yaml:24) but missing from fixture "
        "tests/test_user.py:7; no recordings to compare with"
    )
    assert found.location == Location(MOCK, 7)
    assert found.spec_location == at(24)
    assert found.severity is Severity.WARNING
    assert found.baseline == "string, required by the spec"
    assert found.current == "absent from fixture"


def test_a_required_key_without_a_property_and_an_opaque_value_that_is_present() -> None:
    node = schema(50, "object", properties={"id": schema(51, "integer")},
                  required=frozenset({"id", "zone"}))  # fmt: skip
    [found] = check(node, fixture({"id": Opaque("a call to `new_id()`", 3)}))
    assert (found.rule, found.path) == (RuleId.MOCK_FIELD_MISSING, "$.zone")
    assert found.spec_location == at(50)
    assert found.baseline == "any type, required by the spec"


def test_a_type_the_schema_does_not_allow() -> None:
    mock = {**GOOD, "id": "1"}
    [found] = check(USER, fixture(mock, lines={"$.id": 11}))
    assert (found.rule, found.path) == (RuleId.MOCK_TYPE_MISMATCH, "$.id")
    assert found.message == (
        "`$.id` is string in fixture tests/test_user.py:11; the spec's response for endpoint "
        "`GET api.example.com/users/{id}` says integer there (specs/openapi.yaml:21); no "
        "recordings to compare with"
    )
    assert found.severity is Severity.BREAKING
    assert found.spec_location == at(21)


def test_a_number_is_not_an_integer_and_a_mismatched_value_is_not_looked_into() -> None:
    assert rules(check(USER, fixture({**GOOD, "id": 1.5}))) == [("mock-type-mismatch", "$.id")]
    mock = {**GOOD, "tags": {"nested": {"deep": 1}}}
    assert rules(check(USER, fixture(mock))) == [("mock-type-mismatch", "$.tags")]


def test_a_null_the_schema_does_not_allow() -> None:
    mock = {**GOOD, "name": None}
    [found] = check(USER, fixture(mock, lines={"$.name": 12}))
    assert (found.rule, found.path) == (RuleId.MOCK_NULL_UNSEEN, "$.name")
    assert found.message == (
        "`$.name` is null in fixture tests/test_user.py:12; the spec's response for endpoint "
        "`GET api.example.com/users/{id}` does not allow null there (string, "
        "specs/openapi.yaml:22); no recordings to compare with"
    )
    assert found.location == Location(MOCK, 12)
    assert found.spec_location == at(22)
    assert found.severity is Severity.WARNING


def test_a_string_outside_the_enum() -> None:
    mock = {**GOOD, "status": "ACTIVE"}
    [found] = check(USER, fixture(mock, lines={"$.status": 13}))
    assert (found.rule, found.path) == (RuleId.MOCK_ENUM_UNKNOWN, "$.status")
    assert found.message == (
        "`$.status` is `ACTIVE` in fixture tests/test_user.py:13; the spec's response for "
        "endpoint `GET api.example.com/users/{id}` allows only active|disabled there "
        "(specs/openapi.yaml:24); no recordings to compare with"
    )
    assert found.spec_location == at(24)
    assert found.severity is Severity.WARNING


def test_unknown_strings_are_type_checked_never_value_checked() -> None:
    mock = {**GOOD, "status": Unknown("{prefix}-x"), "created": Unknown("{when}")}
    assert check(USER, fixture(mock)) == []
    mistyped = {**GOOD, "id": Unknown("{user_id}")}
    assert rules(check(USER, fixture(mistyped))) == [("mock-type-mismatch", "$.id")]


def test_enum_values_that_are_not_strings_are_listed_as_json_writes_them() -> None:
    node = schema(60, "string|null", enum=("on", None))
    [found] = check(node, fixture("off"))
    assert "allows only on|null there" in found.message


def test_a_string_of_another_format() -> None:
    mock = {**GOOD, "created": "2024-01-02"}
    [found] = check(USER, fixture(mock, lines={"$.created": 15}))
    assert (found.rule, found.path) == (RuleId.MOCK_FORMAT_MISMATCH, "$.created")
    assert found.message == (
        "`$.created` is a date string in fixture tests/test_user.py:15; the spec's response "
        "for endpoint `GET api.example.com/users/{id}` says format date-time there "
        "(specs/openapi.yaml:25); no recordings to compare with"
    )
    none = check(USER, fixture({**GOOD, "created": "yesterday"}))
    assert "is a string of no known format in fixture" in none[0].message


def test_placeholders_and_loosely_recognised_formats_are_not_checked() -> None:
    assert check(USER, fixture({**GOOD, "created": ""})) == []
    assert check(USER, fixture({**GOOD, "email": "someone"})) == []


def test_opaque_parts_are_never_checked() -> None:
    assert check(USER, fixture(Opaque("a call to `make_user()`", 3))) == []
    mock = {**GOOD, "id": Opaque("a call to `uuid4()`", 3), "tags": [Opaque("x", 4)]}
    assert check(USER, fixture(mock)) == []


def test_an_undocumented_key_is_reported_whatever_its_value() -> None:
    [found] = check(USER, fixture({**GOOD, "made": Opaque("a call to `now()`", 5)}))
    assert (found.rule, found.path, found.current) == (
        RuleId.MOCK_FIELD_UNKNOWN,
        "$.made",
        "unknown in fixture",
    )


def test_array_items_are_checked_each_finding_once_per_fixture_and_path() -> None:
    page = schema(70, "object", properties={"users": schema(71, "array", items=USER)})
    mock = {"users": [{**GOOD, "x": 1}, {**GOOD, "x": 2, "id": "2"}, {**GOOD, "id": "3"}]}
    lines = {"$.users[*]": 21, "$.users[*].x": 22, "$.users[*].id": 23}
    found = check(page, fixture(mock, lines=lines), fixture(mock))
    assert (
        rules(found)
        == [
            ("mock-field-unknown", "$.users[*].x"),
            ("mock-type-mismatch", "$.users[*].id"),
        ]
        * 2
    )
    assert [each.location for each in found[:2]] == [Location(MOCK, 22), Location(MOCK, 23)]
    assert found[2].location == Location(MOCK, 10)  # no lines known: the fixture's own


def test_a_list_of_bodies_and_one_element_of_a_list_endpoint() -> None:
    bodies = fixture([GOOD, {**GOOD, "id": "2"}], lines={"$[*].id": 31})
    [found] = check(USER, bodies)
    assert (found.path, found.location) == ("$.id", Location(MOCK, 31))
    listing = schema(80, "array", items=USER)
    [element] = check(listing, fixture({**GOOD, "id": "2"}, lines={"$.id": 32}))
    assert (element.path, element.location) == ("$[*].id", Location(MOCK, 32))


USER_OR_ORG = schema(
    90,
    properties={"id": schema(91, "integer")},
    required=frozenset({"id"}),
    alternatives=(
        schema(92, "object", properties={"type": schema(93, "string"), "name": schema(94)},
               required=frozenset({"type", "name"}), additional=False),
        schema(95, "object", properties={"type": schema(96, "string"), "members": schema(97)},
               required=frozenset({"type", "members"}), additional=False),
    ),
    discriminator="type",
    mapping={"user": 0, "org": 1},
)  # fmt: skip


def test_a_value_fits_when_it_fits_one_alternative() -> None:
    assert check(USER_OR_ORG, fixture({"id": 1, "type": "user", "name": "a"})) == []
    assert check(USER_OR_ORG, fixture({"id": 1, "type": "bot", "members": []})) == []
    assert check(USER_OR_ORG, fixture({"id": 1, "type": Unknown("{kind}"), "name": "a"})) == []


def test_the_discriminator_picks_the_alternative_reported_against() -> None:
    [found] = check(USER_OR_ORG, fixture({"id": 1, "type": "org", "name": "a", "members": []}))
    assert (found.rule, found.path, found.spec_location) == (
        RuleId.MOCK_FIELD_UNKNOWN,
        "$.name",
        at(95),
    )
    missing = check(USER_OR_ORG, fixture({"id": 1, "type": "org"}))
    assert rules(missing) == [("mock-field-missing", "$.members")]


def test_without_a_pick_only_what_no_alternative_allows_is_reported() -> None:
    found = check(USER_OR_ORG, fixture({"type": "bot", "nick": "x"}))
    assert rules(found) == [("mock-field-unknown", "$.nick"), ("mock-field-missing", "$.id")]
    assert found[0].spec_location == at(92)  # the first alternative's words


def test_a_type_or_null_no_alternative_allows() -> None:
    either = schema(100, alternatives=(schema(101, "string"), schema(102, "integer")))
    assert check(either, fixture(3)) == []
    [found] = check(either, fixture(True))
    assert (found.rule, found.path, found.spec_location) == (
        RuleId.MOCK_TYPE_MISMATCH,
        "$",
        at(100),
    )
    assert "says string|integer there" in found.message
    assert rules(check(either, fixture(None))) == [("mock-null-unseen", "$")]
    nullable = schema(103, alternatives=(schema(104, "string"), schema(105, "null")))
    assert check(nullable, fixture(None)) == []
    untyped = schema(106, alternatives=(schema(107, "string"), schema(108)))
    assert check(untyped, fixture(None)) == []
    assert check(untyped, fixture(True)) == []


def test_alternatives_of_other_types_do_not_hide_the_one_that_fits() -> None:
    value = schema(110, alternatives=(schema(111, "string"), schema(112, "object",
                   properties={"a": schema(113)}, additional=False)))  # fmt: skip
    assert rules(check(value, fixture({"b": 1}))) == [("mock-field-unknown", "$.b")]


def test_a_recursive_schema_and_a_deep_mock_end_without_overflowing() -> None:
    children: dict[str, SchemaNode] = {}
    tree = schema(120, "object", properties=children)
    children["child"] = tree
    children["size"] = schema(121, "integer")
    mock: dict[str, Any] = {"size": "big"}
    for _ in range(3 * MAX_DEPTH):
        mock = {"child": mock}
    shallow = {"child": {"child": {"size": "big"}}}
    assert rules(check(tree, fixture(shallow))) == [("mock-type-mismatch", "$.child.child.size")]
    assert check(tree, fixture(mock)) == []  # too deep to be checked: nothing said


@pytest.mark.parametrize(
    "mock",
    [
        {**GOOD, "nickname": "a"},
        {"id": "1", "name": None, "status": "gone", "created": "2024"},
        [GOOD, {**GOOD, "tags": [1]}],
    ],
)
def test_messages_name_the_spec_and_never_claim_what_the_api_returned(mock: Any) -> None:
    found = check(USER, fixture(mock))
    assert found
    for each in found:
        assert "returned" not in each.message
        assert each.message.endswith("no recordings to compare with")
        assert "the spec's response for endpoint" in each.message
        assert each.spec_location is not None
        assert each.spec_location.file == SPEC


def test_nullable_beside_alternatives_allows_null_and_leaves_the_type_to_them() -> None:
    """3.0's `nullable: true` beside a `oneOf` is read as `types == {"null"}` on the node."""
    branches = (schema(131, "object", properties={"a": schema(132, "integer")}),
                schema(133, "string"))  # fmt: skip
    nullable = schema(130, "null", alternatives=branches)
    assert check(nullable, fixture(None)) == []
    assert check(nullable, fixture({"a": 1})) == []
    assert check(nullable, fixture("x")) == []
    assert rules(check(nullable, fixture({"a": "1"}))) == [("mock-type-mismatch", "$.a")]
    [found] = check(nullable, fixture(True))
    assert "says object|string|null there" in found.message
    typed = schema(134, "object|null", alternatives=branches)
    assert check(typed, fixture(None)) == []
    assert rules(check(typed, fixture("x"))) == [("mock-type-mismatch", "$")]


def test_a_null_in_the_enum_allows_null() -> None:
    assert check(schema(140, "string", enum=("a", None)), fixture(None)) == []


def test_alternatives_nested_in_alternatives_are_tried_only_so_deep() -> None:
    """A recursive `oneOf` whose every alternative fits would be tried 2**depth times."""
    children: dict[str, SchemaNode] = {}
    branches: dict[str, SchemaNode] = {}
    tree = schema(150, alternatives=(schema(151, "object", properties=children),
                                     schema(152, "object", properties=branches)))  # fmt: skip
    children.update({"kids": schema(153, "array", items=tree), "a": schema(154, "integer")})
    branches.update({"kids": schema(155, "array", items=tree), "b": schema(156, "integer")})
    deep: dict[str, Any] = {"kids": "not a list"}
    for _ in range(60):
        deep = {"kids": [deep]}
    assert check(tree, fixture(deep)) == []  # too deep among alternatives: nothing said
    shallow = {"kids": [{"kids": "not a list"}]}
    assert rules(check(tree, fixture(shallow))) == [("mock-type-mismatch", "$.kids[*].kids")]


def test_an_integral_float_fits_an_integer() -> None:
    """`3.0` and `1e3` are integers to JSON Schema (red team 04); `1.5` is not."""
    assert check(USER, fixture({**GOOD, "id": 3.0}), fixture({**GOOD, "id": 1e3})) == []
    either = schema(60, alternatives=(schema(61, "integer"), schema(62, "boolean")))
    assert check(either, fixture(2.0)) == []
    assert rules(check(either, fixture(2.5))) == [("mock-type-mismatch", "$")]


def test_a_mock_is_held_to_any_of_several_media_types_schemas() -> None:
    """A mock has no content type: a v2 body fits the v2 schema (red team 02)."""
    v1 = schema(70, "object", properties={"a": schema(71, "integer")}, required=frozenset("a"))
    v2 = schema(72, "object", properties={"b": schema(73, "string")}, required=frozenset("b"))
    types = ("application/vnd.x.v1+json", "application/vnd.x.v2+json")
    response = Response("200", v1, types, at(1), schemas=dict(zip(types, (v1, v2), strict=True)))
    assert spec_mock_findings(ENDPOINT, 200, response, [fixture({"b": "x"})]) == []
    found = spec_mock_findings(ENDPOINT, 200, response, [fixture({"c": 1})])
    assert rules(found) == [("mock-field-unknown", "$.c")]  # what neither schema allows
