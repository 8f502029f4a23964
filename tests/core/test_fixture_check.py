"""Mock fixtures against recorded shapes (pure): the five mock-* rules and what covers them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.fixture_check import Contract, compare_fixtures, contract_of
from driftcheck.core.model import Fixture, Location, Opaque, Severity, StatusShape
from driftcheck.core.shape import infer_all
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
        ("mock-type-mismatch", "$.profile"),
        ("mock-uncovered-optional", "$.profile"),  # a null profile is not an absent one
    ]


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
    """The walk fixture checks used before is the oracle: same findings, order, messages
    and lines, per fixture and for coverage."""
    recorded = data.draw(bodies)
    fixtures = data.draw(fixtures_of(recorded))
    endpoint = contract(recorded)
    assert compare_fixtures(endpoint, fixtures) == walk_oracle.compare_fixtures(endpoint, fixtures)
