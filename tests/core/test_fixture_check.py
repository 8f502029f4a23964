"""Mock fixtures against recorded shapes (pure): the mock-* rules and what covers them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.fixture_check import Contract, bodies_of, compare_fixtures, contract_of
from driftcheck.core.model import (
    Field,
    Finding,
    Fixture,
    Location,
    Node,
    Opaque,
    Severity,
    StatusShape,
    Tagged,
)
from driftcheck.core.paths import child_path
from driftcheck.core.rules import RuleId, finding
from driftcheck.core.shape import fits, flatten, format_types, infer_all, json_type
from tests.core import walk_oracle
from tests.core.drifted import bodies, fixtures_of

USERS: list[dict[str, Any]] = [
    {"id": 1, "name": "a", "profile": {"bio": "x"}, "email": "a@x"},
    {"id": 2, "name": "b", "profile": {"bio": None}, "email": None},
    {"id": 3, "name": "c", "email": "c@x"},
    {"id": 4, "name": "d", "profile": {"bio": "y"}, "email": "d@x"},
]


def contract(bodies: list[Any], name: str = "user") -> Contract:
    shape = infer_all(bodies)
    assert shape is not None
    found = contract_of(name, {200: StatusShape(len(bodies), {"application/json": 1}, shape)})
    assert found is not None
    return found


def records(bodies: list[Any]) -> Contract:
    """The contract of `bodies` read without maps (`contract_of` would detect them)."""
    shape = infer_all(bodies, maps=None)
    assert shape is not None
    return Contract("user", 200, shape.count, shape)


def fixture(value: Any, line: int = 10, lines: dict[str, int] | None = None) -> Fixture:
    return Fixture(value, "tests/test_user.py", line, "tests/test_user.py::MOCK", lines or {})


def rules(findings: list[Any]) -> list[tuple[str, str]]:
    return [(f.rule, f.path) for f in findings]


def test_happy_path_mock_misses_the_variants() -> None:
    mock = {"id": 1, "name": "a", "profile": {"bio": "x"}, "email": "a@x"}
    findings = compare_fixtures(contract(USERS), [fixture(mock, lines={"$.profile": 12})])
    assert rules(findings) == [
        ("mock-uncovered-optional", "$.profile"),
        ("mock-uncovered-null", "$.profile.bio"),
        ("mock-uncovered-null", "$.email"),
    ]
    first = findings[0]
    assert first.message == (
        "`$.profile` is missing in 1 of 4 recorded responses (25 %); "
        "no fixture for endpoint `user` covers its absence"
    )
    assert first.severity is Severity.WARNING
    assert first.source == "fixture"
    assert first.status == 200
    assert first.location == Location("tests/test_user.py", 10)
    assert findings[1].location == Location("tests/test_user.py", 12)
    assert findings[1].message == (
        "`$.profile.bio` is null in 1 of 3 recorded values (33 %); "
        "no fixture for endpoint `user` has null there"
    )


def test_fixtures_covering_every_variant_give_no_finding() -> None:
    fixtures = [
        fixture({"id": 1, "name": "a", "profile": {"bio": "x"}, "email": "a@x"}),
        fixture({"id": 2, "name": "b", "profile": {"bio": None}, "email": None}),
        fixture({"id": 3, "name": "c", "email": "c@x"}),
    ]
    assert compare_fixtures(contract(USERS), fixtures) == []


def test_invented_key_wrong_type_and_missing_key() -> None:
    mock = {"id": "1", "profile": {"bio": "x", "avatar": "/a.png"}, "email": "a@x"}
    lines = {"$.id": 11, "$.profile.avatar": 13}
    findings = compare_fixtures(contract(USERS), [fixture(mock, lines=lines)])
    by_rule = {f.rule: f for f in findings}
    assert rules(findings)[:3] == [
        ("mock-field-missing", "$.name"),
        ("mock-type-mismatch", "$.id"),
        ("mock-field-unknown", "$.profile.avatar"),
    ]
    assert by_rule["mock-type-mismatch"].severity is Severity.BREAKING
    assert by_rule["mock-type-mismatch"].location == Location("tests/test_user.py", 11)
    assert by_rule["mock-type-mismatch"].message == (
        "`$.id` is string in fixture tests/test_user.py:11; endpoint `user` returned only "
        "integer there (4 recorded values)"
    )
    assert by_rule["mock-field-unknown"].location == Location("tests/test_user.py", 13)
    assert by_rule["mock-field-unknown"].message == (
        "`$.profile.avatar` is in fixture tests/test_user.py:13 but endpoint `user` never "
        "returned it (3 recorded `$.profile` objects)"
    )
    assert by_rule["mock-field-missing"].message == (
        "`$.name` is in all 4 recorded responses of endpoint `user` but missing from "
        "fixture tests/test_user.py:10"
    )


def test_integer_fits_where_the_api_sends_numbers_but_not_the_reverse() -> None:
    prices = contract([{"price": 1.5}, {"price": 2.25}])
    assert compare_fixtures(prices, [fixture({"price": 3})]) == []
    counts = contract([{"count": 1}, {"count": 2}])
    assert rules(compare_fixtures(counts, [fixture({"count": 1.0})])) == [
        ("mock-type-mismatch", "$.count")
    ]


NOTES = [{"id": 1, "note": None}, {"id": 2, "note": None}]


@pytest.mark.parametrize("value", ["x", {"a": 1}, 2.5, [1], None])
def test_a_path_only_ever_null_takes_any_value(value: Any) -> None:
    """Null-only recordings say nothing of the type: no mismatch, and no null asked for."""
    assert compare_fixtures(contract(NOTES), [fixture({"id": 1, "note": value})]) == []


def test_a_type_disjoint_from_the_recorded_non_null_types_is_a_mismatch() -> None:
    recorded = contract([{"n": 1}, {"n": None}])
    findings = compare_fixtures(recorded, [fixture({"n": "x"}, lines={"$.n": 11})])
    assert rules(findings) == [
        ("mock-type-mismatch", "$.n"),
        ("mock-uncovered-null", "$.n"),  # the fixture has `n`, never null: a second cause
    ]
    assert findings[0].severity is Severity.BREAKING
    assert findings[0].message == (
        "`$.n` is string in fixture tests/test_user.py:11; endpoint `user` returned only "
        "integer|null there (2 recorded values)"
    )


def test_an_integer_fits_recorded_numbers_even_with_nulls() -> None:
    recorded = contract([{"n": 1.5}, {"n": None}])
    assert compare_fixtures(recorded, [fixture({"n": 3}), fixture({"n": None})]) == []


def test_a_null_the_api_never_sent_is_a_warning_of_its_own() -> None:
    recorded = contract([{"n": 1}, {"n": 2}])
    [found] = compare_fixtures(recorded, [fixture({"n": None}, lines={"$.n": 12})])
    assert (found.rule, found.path, found.severity) == ("mock-null-unseen", "$.n", Severity.WARNING)
    assert (found.baseline, found.current) == ("integer in 2 samples", "null in fixture")
    assert found.location == Location("tests/test_user.py", 12)
    assert found.message == (
        "`$.n` is null in fixture tests/test_user.py:12; endpoint `user` never returned null "
        "there (integer in 2 recorded values): the mock tests a case the API does not produce"
    )


def test_null_and_a_wrong_type_at_one_path_are_two_findings() -> None:
    recorded = contract([[{"n": 1}]], "items")
    findings = compare_fixtures(recorded, [fixture([{"n": None}, {"n": "x"}])])
    assert rules(findings) == [("mock-null-unseen", "$[*].n"), ("mock-type-mismatch", "$[*].n")]


@pytest.mark.parametrize(
    ("recorded", "mock", "expected"),
    [
        (["a", "b"], ["a", None], [("mock-null-unseen", "$.tags[*]")]),
        ([None, None], ["x", 1, {"a": 1}], []),  # elements only ever null: any type fits
        (["a", None], ["x"], [("mock-uncovered-null", "$.tags[*]")]),
        (["a", None], [], []),  # no element: nothing to ask of elements
        (["a", None], ["x", None], []),
    ],
)
def test_nulls_among_array_elements(recorded: list[Any], mock: list[Any], expected: Any) -> None:
    tags = contract([{"tags": recorded}])
    assert rules(compare_fixtures(tags, [fixture({"tags": mock})])) == expected


def test_a_key_no_fixture_has_asks_for_no_null() -> None:
    """Its absence is `mock-field-missing` (or an absent optional key), not "never null"."""
    required = compare_fixtures(contract(USERS), [fixture({"id": 1, "name": "a"})])
    assert rules(required) == [("mock-field-missing", "$.email")]
    notes = contract([{"id": 1, "note": "a"}, {"id": 2, "note": None}, {"id": 3}])
    assert compare_fixtures(notes, [fixture({"id": 1}), fixture({"id": 2})]) == []
    with_note = [fixture({"id": 1}), fixture({"id": 2, "note": "b"})]
    assert rules(compare_fixtures(notes, with_note)) == [("mock-uncovered-null", "$.note")]


def test_a_placeholder_among_records_is_one_finding() -> None:
    listing = contract([USERS], "users")
    mock = [dict(USERS[0]), {"foo": "bar"}, dict(USERS[1]), dict(USERS[2])]
    lines = {"$[*]": 14, "$[*].foo": 15}
    [found] = compare_fixtures(listing, [fixture(mock, lines=lines)])
    assert (found.rule, found.path, found.severity) == (
        "mock-unlike-endpoint",
        "$[*]",
        Severity.WARNING,
    )
    assert found.location == Location("tests/test_user.py", 14)
    assert found.message == (
        "fixture tests/test_user.py:14 at `$[*]` does not look like endpoint `users`'s "
        "responses: 1 of its 1 keys were never returned and 3 of 3 always-returned keys "
        "are missing"
    )
    assert (found.baseline, found.current) == (
        "object, 3 keys always returned",
        "1/1 keys never returned, 3/3 missing",
    )


def test_a_body_for_another_endpoint_is_one_finding_at_any_depth() -> None:
    users = contract(USERS)
    other = {"order": 7, "total": 2.5, "currency": "EUR"}
    assert rules(compare_fixtures(users, [fixture(other)])) == [("mock-unlike-endpoint", "$")]
    bodies = [dict(USERS[1]), other]  # a list of bodies: the second is a fixture of its own
    found = compare_fixtures(users, [fixture(bodies, lines={"$[*]": 13})])
    assert rules(found) == [("mock-unlike-endpoint", "$"), ("mock-uncovered-optional", "$.profile")]
    assert found[0].location == Location("tests/test_user.py", 13)


def test_an_unlike_nested_object_counts_for_no_coverage() -> None:
    """The placeholder profile lacks `site` and has no `bio`: it covers neither case."""
    recorded = contract(
        [
            {"id": 1, "profile": {"bio": "x", "site": "a"}},
            {"id": 2, "profile": {"bio": None, "site": "b"}},
            {"id": 3, "profile": {"bio": "y"}},
        ]
    )
    mock = [{"id": 1, "profile": {"bio": "x", "site": "s"}}, {"id": 2, "profile": {"foo": 1}}]
    assert rules(compare_fixtures(recorded, [fixture(mock)])) == [
        ("mock-unlike-endpoint", "$.profile"),
        ("mock-uncovered-null", "$.profile.bio"),
        ("mock-uncovered-optional", "$.profile.site"),
    ]


def test_a_record_with_one_unknown_and_one_missing_key_keeps_both_findings() -> None:
    mock = {"id": 1, "name": "a", "nickname": "x"}
    assert rules(compare_fixtures(contract(USERS), [fixture(mock)])) == [
        ("mock-field-unknown", "$.nickname"),
        ("mock-field-missing", "$.email"),
    ]
    typo = compare_fixtures(contract([{"id": 1, "name": "a"}]), [fixture({"id": 1, "nme": "a"})])
    assert rules(typo) == [("mock-field-unknown", "$.nme"), ("mock-field-missing", "$.name")]


def test_an_empty_object_is_not_unlike_its_missing_keys_are_reported() -> None:
    assert rules(compare_fixtures(contract([{"id": 1, "name": "a"}]), [fixture({})])) == [
        ("mock-field-missing", "$.id"),
        ("mock-field-missing", "$.name"),
    ]


def test_unlike_is_judged_against_the_variant_the_fixture_names() -> None:
    """Merged, only `type` and `id` are always returned (1 of 2 missing); a User always has
    `login` too, so 2 of 3 are missing."""
    keys = {
        "type": Node({"string": 3}),
        "id": Node({"integer": 3}),
        "login": Node({"string": 2}),
        "seats": Node({"integer": 1}),
    }
    variants = {
        "User": Tagged(2, {"type": 2, "id": 2, "login": 2}),
        "Org": Tagged(1, {"type": 1, "id": 1, "seats": 1}),
    }
    tagged = Contract("owner", 200, 3, Node({"object": 3}, keys, tag="type", variants=variants))
    findings = compare_fixtures(tagged, [fixture({"type": "User", "foo": 1, "bar": 2})])
    assert rules(findings) == [("mock-unlike-endpoint", "$")]
    assert "2 of its 3 keys were never returned and 2 of 3 always-returned" in findings[0].message


def test_a_map_object_is_never_unlike() -> None:
    """A map's keys are data: none is "unknown", and it has no always-returned key."""
    shape = Node({"object": 2}, {"assets": Node({"object": 2}, values=Node({"string": 5}))})
    found = compare_fixtures(Contract("files", 200, 2, shape), [fixture({"assets": {"x": "y"}})])
    assert "mock-unlike-endpoint" not in [f.rule for f in found]


def test_list_of_bodies_and_single_element_fixtures() -> None:
    users = contract(USERS)
    bodies = [dict(u) for u in USERS[:3]]
    assert compare_fixtures(users, [fixture(bodies)]) == []
    listing = contract([[{"id": 1, "tags": ["a"]}, {"id": 2, "tags": []}]], "users")
    assert compare_fixtures(listing, [fixture({"id": 9, "tags": ["b"]})]) == []
    [finding] = compare_fixtures(listing, [fixture({"id": 9, "tags": ["b"], "x": 1})])
    assert (finding.rule, finding.path) == ("mock-field-unknown", "$[*].x")
    assert compare_fixtures(listing, [fixture([{"id": 9, "tags": []}])]) == []


def test_opaque_parts_are_not_checked() -> None:
    mock = {"id": Opaque("a call to `uuid4()`", 3), "name": "a", "email": None, "profile": None}
    findings = compare_fixtures(contract(USERS), [fixture(mock)])
    assert rules(findings) == [
        ("mock-null-unseen", "$.profile"),  # the API omits profile, never sends it null
        ("mock-uncovered-optional", "$.profile"),  # a null profile is not an absent one
    ]


def test_an_opaque_value_asks_for_no_null() -> None:
    """An `Opaque` part may be null or not: no fixture has a known value, nothing to say."""
    mock = {"id": 1, "name": "a", "email": Opaque("a call to `fake_email()`", 3)}
    assert compare_fixtures(contract(USERS), [fixture(mock)]) == []


def test_unreached_parts_need_no_coverage() -> None:
    """A fixture without `profile` covers its absence, and nothing below it is judged."""
    mock = {"id": 3, "name": "c", "email": None}
    assert compare_fixtures(contract(USERS), [fixture(mock)]) == []


def test_one_finding_per_rule_and_path_per_fixture() -> None:
    bodies = [{"id": 1, "x": 1}, {"id": 2, "x": 2}]
    listing = contract([bodies], "things")
    findings = compare_fixtures(listing, [fixture([{"id": "1"}, {"id": "2"}])])
    assert rules(findings) == [("mock-field-missing", "$[*].x"), ("mock-type-mismatch", "$[*].id")]


def test_findings_keep_the_order_the_fixture_is_written_in() -> None:
    """Across the bodies of a list, in the order a reader meets them, not path by path."""
    recorded = contract([{"a": {"x": 1}, "b": 1}])
    mock = [{"a": {"x": "s"}, "b": 1}, {"b": "t", "a": {"x": 1, "z": 1}}]
    assert rules(compare_fixtures(recorded, [fixture(mock)])) == [
        ("mock-type-mismatch", "$.a.x"),
        ("mock-type-mismatch", "$.b"),
        ("mock-field-unknown", "$.a.z"),
    ]


def test_contract_uses_success_statuses_only() -> None:
    ok = infer_all([{"id": 1}])
    error = infer_all([{"error": "nope"}])
    assert ok is not None
    assert error is not None
    found = contract_of(
        "user",
        {
            200: StatusShape(1, {"application/json": 1}, ok),
            404: StatusShape(5, {"application/json": 5}, error),
        },
    )
    assert found is not None
    assert (found.status, found.samples, set(found.shape.keys)) == (200, 1, {"id"})
    assert contract_of("user", {404: StatusShape(5, {"application/json": 5}, error)}) is None


@pytest.mark.parametrize("override", [Severity.INFO, Severity.BREAKING])
def test_severity_overrides_apply(override: Severity) -> None:
    findings = compare_fixtures(
        contract(USERS),
        [fixture({"id": 1, "name": "a", "email": "e", "extra": 1})],
        {"mock-field-unknown": override},
    )
    assert [f.severity for f in findings if f.rule == "mock-field-unknown"] == [override]


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_deepdiff_over_signatures_finds_what_the_walk_found(data: st.DataObject) -> None:
    """The walk fixture checks used before is the oracle, with issue 14's rules applied to
    what it finds (`oracle`): same findings, order, messages and lines, per fixture and for
    coverage."""
    recorded = data.draw(bodies)
    fixtures = data.draw(fixtures_of(recorded))
    endpoint = records(recorded)  # the oracle knows no maps
    assert compare_fixtures(endpoint, fixtures) == oracle(endpoint, fixtures)


def oracle(endpoint: Contract, fixtures: list[Fixture]) -> list[Finding]:
    """The walk oracle under issue 14: each fixture's objects unlike the endpoint first, one
    finding per path, and set aside (`Opaque`) before the oracle walks it; no mismatch where
    only null was recorded; a null the API never sent is `mock-null-unseen`; no uncovered
    null where only null was recorded or no fixture has a known non-null value."""
    fields = {item.path: item for item in flatten(endpoint.shape)}
    findings: list[Finding] = []
    aside: list[Fixture] = []
    for each in fixtures:
        kept, unlike = _set_aside(endpoint, each)
        aside.append(kept)
        findings.extend(unlike.values())
        emitted: set[tuple[str, str]] = set()
        for body in bodies_of(kept, endpoint.shape):
            for walked in walk_oracle._fixture_walk(endpoint, body, walk_oracle._Seen(), None):
                found = _issue_14(walked, fields.get(walked.path))
                if found is not None and (found.rule, found.path) not in emitted:
                    emitted.add((found.rule, found.path))
                    findings.append(found)
    valued = {path for each in aside for path in _valued(each, endpoint.shape)}
    for found in walk_oracle.compare_fixtures(endpoint, aside):
        item = fields.get(found.path)
        null_asked = item is not None and item.types - {"null"} and found.path in valued
        if found.rule == "mock-uncovered-optional" or (
            found.rule == "mock-uncovered-null" and null_asked
        ):
            findings.append(found)
    return findings


def _issue_14(found: Finding, item: Field | None) -> Finding | None:
    if found.rule != "mock-type-mismatch" or item is None:
        return found
    if not item.types - {"null"}:
        return None
    if found.current != "null in fixture":
        return found
    return finding(RuleId.MOCK_NULL_UNSEEN, endpoint=found.endpoint, status=found.status,
                   path=found.path, source="fixture", baseline=found.baseline,
                   current=found.current, location=found.location, where=found.location,
                   recorded=format_types(item.types), count=item.present)  # fmt: skip


def _set_aside(endpoint: Contract, each: Fixture) -> tuple[Fixture, dict[str, Finding]]:
    """`each` with its unlike objects `Opaque`, and their findings by path."""
    unlike: dict[str, Finding] = {}
    parts = bodies_of(each, endpoint.shape)
    values = [_strip(endpoint, body, body.value, endpoint.shape, "$", unlike) for body in parts]
    if len(parts) == 1 and parts[0].value is each.value:
        value = values[0]  # a whole body
    elif len(parts) == 1 and parts[0].prefix != "$":
        value = values[0][0]  # one element of a list endpoint
    else:
        value = values  # a list of bodies
    return Fixture(value, each.file, each.line, each.name, each.lines), unlike


def _strip(endpoint: Contract, body: Any, value: Any, node: Node, path: str,
           unlike: dict[str, Finding]) -> Any:  # fmt: skip
    if isinstance(value, Opaque) or not fits(json_type(value), node.types):
        return value
    if isinstance(value, list) and node.items is not None:
        return [_strip(endpoint, body, v, node.items, path + "[*]", unlike) for v in value]
    if not isinstance(value, dict):
        return value
    keys, unknown = len(value), len([key for key in value if key not in node.keys])
    objects = node.types.get("object", 0)
    always = [key for key, child in node.keys.items() if child.count >= objects]
    required, missing = len(always), len([key for key in always if key not in value])
    if 2 * unknown > keys and 2 * missing > required:
        where = body.where(path)
        unlike.setdefault(path, finding(
            RuleId.MOCK_UNLIKE_ENDPOINT, endpoint=endpoint.endpoint, status=endpoint.status,
            path=path, source="fixture", baseline=f"object, {required} keys always returned",
            current=f"{unknown}/{keys} keys never returned, {missing}/{required} missing",
            location=where, where=where, unknown=unknown, keys=keys, missing=missing,
            required=required))  # fmt: skip
        return Opaque("set aside", 0)
    return {key: _strip(endpoint, body, v, node.keys[key], child_path(path, key), unlike)
            if key in node.keys else v for key, v in value.items()}  # fmt: skip


def _valued(each: Fixture, root: Node) -> Iterator[str]:
    """The contract paths where the fixture has a known non-null value."""
    stack = [(body.value, root, "$") for body in bodies_of(each, root)]
    while stack:
        value, node, path = stack.pop()
        if isinstance(value, Opaque):
            continue
        kind = json_type(value)
        if kind != "null":
            yield path
        if kind == "object" and fits(kind, node.types):
            stack.extend((v, node.keys[k], child_path(path, k)) for k, v in value.items()
                         if k in node.keys)  # fmt: skip
        elif kind == "array" and fits(kind, node.types) and node.items is not None:
            stack.extend((v, node.items, path + "[*]") for v in value)
