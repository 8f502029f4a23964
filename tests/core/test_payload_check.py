"""One payload at a time against a kept contract (`PayloadCheck`, the pytest plugin's
check): exactly the per-payload findings `compare_fixtures` gives, in the same order, for
payload after payload on one check, whose path table is built once."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.compare import changes
from driftcheck.core.fixture_check import (
    PER_PAYLOAD_RULES,
    Contract,
    Table,
    compare_fixtures,
    contract_of,
)
from driftcheck.core.model import Finding, Fixture, StatusShape
from driftcheck.core.payload_check import PayloadCheck
from driftcheck.core.shape import infer_all
from driftcheck.core.signature import descriptor
from tests.core.drifted import bodies, fixtures_of
from tests.helpers import json_values

USERS: list[dict[str, Any]] = [
    {"id": 1, "name": "a", "profile": {"bio": "x"}, "email": "a@x", "tags": ["x"]},
    {"id": 2, "name": "b", "profile": {"bio": None}, "email": None, "tags": []},
    {"id": 3, "name": "c", "email": "c@x"},
]


def _contract(recorded: list[Any], maps: bool) -> Contract | None:
    shape = infer_all(recorded) if maps else infer_all(recorded, maps=None)
    if shape is None:
        return None
    if not maps:
        return Contract("user", 200, shape.count, shape)
    return contract_of("user", {200: StatusShape(len(recorded), {"application/json": 1}, shape)})


def _unindexed(contract: Contract, payload: Any, label: str) -> list[Finding]:
    """What the plugin asked before: every finding of the payload as the only fixture,
    coverage included, then the per-payload ones kept."""
    found = compare_fixtures(contract, [Fixture(payload, label, 0, label)])
    return [f for f in found if f.rule in PER_PAYLOAD_RULES]


def _tagged(kind: str, keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    optional = dict.fromkeys(keys[1:], json_values)
    return st.fixed_dictionaries({"type": st.just(kind), keys[0]: json_values}, optional=optional)


# Objects told apart by a tag: a key's parent count is its variants' objects.
TAGGED = st.lists(
    _tagged("user", ["id", "name", "email"]) | _tagged("org", ["id", "members", "a"]),
    min_size=2,
    max_size=6,
).map(lambda items: [{"owner": item, "a": [item]} for item in items])


@settings(max_examples=200, deadline=None)
@given(bodies | TAGGED, st.data(), st.booleans())
def test_the_kept_check_finds_what_the_whole_comparison_finds(
    recorded: list[Any], data: st.DataObject, maps: bool
) -> None:
    contract = _contract(recorded, maps)
    if contract is None:
        return
    check = PayloadCheck(contract)
    payloads = [f.value for f in data.draw(fixtures_of(recorded))]
    payloads += [f.value for f in data.draw(fixtures_of(recorded))]
    for payload in payloads:
        assert check.findings(payload, "payload") == _unindexed(contract, payload, "payload")
    whole = Table.of(contract.shape)
    assert check.table.fields == {p: whole.fields[p] for p in check.table.fields}
    assert check.table.flat == {p: whole.flat[p] for p in check.table.flat}


def test_a_drifted_payload_then_a_good_one_on_one_check() -> None:
    """The table a first payload built holds nothing of that payload for the next."""
    contract = _contract(USERS, maps=False)
    assert contract is not None
    check = PayloadCheck(contract)
    drifted = {"id": "1", "name": "a", "nick": 1, "profile": {"bio": 3}, "tags": [None]}
    found = check.findings(drifted)
    assert [(f.rule, f.path) for f in found] == [
        ("mock-field-unknown", "$.nick"),
        ("mock-field-missing", "$.email"),
        ("mock-type-mismatch", "$.id"),
        ("mock-type-mismatch", "$.profile.bio"),
        ("mock-null-unseen", "$.tags[*]"),
    ]
    assert found == _unindexed(contract, drifted, "payload")
    assert check.findings({"id": 1, "name": "a", "email": None}) == []
    assert [(f.rule, f.path) for f in check.findings({"name": "a", "email": "e"})] == [
        ("mock-field-missing", "$.id")
    ]
    assert check.table.fields.keys() <= Table.of(contract.shape).fields.keys()


def test_the_table_holds_what_payloads_reached_not_the_whole_contract() -> None:
    """A payload of two keys against a contract of 2,000 paths below them indexes the
    root and its children; one reaching into `a` adds `a`'s keys, once."""
    wide = {f"k{n}": n for n in range(1000)}
    contract = _contract([{"id": 1, "a": wide, "b": wide}] * 2, maps=False)
    assert contract is not None
    check = PayloadCheck(contract)
    found = check.findings({"id": "x"})
    assert {(f.rule, f.path) for f in found} == {
        ("mock-type-mismatch", "$.id"),
        ("mock-field-missing", "$.a"),
        ("mock-field-missing", "$.b"),
    }
    assert check.indexed == 4  # $, $.id, $.a, $.b
    check.findings({"id": 2, "a": {"k1": 1}, "b": {"k2": "x"}})
    assert check.indexed == 4 + 2000
    check.findings({"id": 2, "a": {"k1": 1}})
    assert check.indexed == 4 + 2000


KINDS = st.frozensets(st.sampled_from(["integer", "string", "null", "object"]), max_size=3)
FLATS = st.dictionaries(
    st.sampled_from(["$", "$.a", "$.b", "$.c", "$.a.x", "$.a[*]"]),
    st.builds(descriptor, KINDS, st.sampled_from([True, False, None])),
)


@given(FLATS, FLATS)
def test_a_path_the_payload_lacks_that_is_optional_changes_nothing_else(
    recorded: dict[str, Any], mine: dict[str, Any]
) -> None:
    """Why the comparison leaves out the contract's optional paths the payload never has:
    DeepDiff can only say they were removed, which no rule reports, and says the same of
    every other path with or without them."""
    kept = {p: d for p, d in recorded.items() if p in mine or d["required"]}
    whole, part = changes(recorded, mine), changes(kept, mine)
    assert (part.added, part.changed, part.new_types) == (
        whole.added,
        whole.changed,
        whole.new_types,
    )
    assert part.removed == {p for p in whole.removed if recorded[p]["required"]}


def test_an_untagged_object_with_a_key_of_some_variants_only_is_checked_not_a_crash() -> None:
    """Recorded owners are users (with `name`) and orgs, told apart by `type`; a mock's
    owner with no `type` is held to the keys every variant has, and its `name`, a user's
    key, is compared there (it was a KeyError in the CLI's mock check and the plugin)."""
    owners = [
        {"type": "user", "id": 1, "name": "a"},
        {"type": "org", "id": 2, "members": 3},
        {"type": "user", "id": 3, "name": "b"},
    ]
    contract = _contract([{"owner": owner} for owner in owners], maps=False)
    assert contract is not None
    payload = {"owner": {"id": 4, "name": 5}}
    found = PayloadCheck(contract).findings(payload)
    assert [(f.rule, f.path) for f in found] == [
        ("mock-field-missing", "$.owner.type"),
        ("mock-type-mismatch", "$.owner.name"),
    ]
    assert found == _unindexed(contract, payload, "payload")
