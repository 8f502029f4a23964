"""Edge-case fixtures from recordings: each variant changes exactly what it names."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.fixture_check import compare_fixtures, contract_of
from driftcheck.core.model import Fixture, StatusShape
from driftcheck.core.paths import Segment, Step, child_path, parse_path
from driftcheck.core.shape import infer_all
from driftcheck.core.variants import base_body, variants

USERS: list[dict[str, Any]] = [
    {"id": 1, "profile": {"bio": "x", "avatar": "a"}, "tags": ["a"], "email": "a@x"},
    {"id": 2, "profile": {"bio": None}, "tags": [None], "email": "b@x"},
    {"id": 3, "tags": [], "email": None},
]


def test_base_is_the_richest_recorded_body() -> None:
    assert base_body(USERS) is USERS[0]


def test_one_variant_per_optional_key_and_nullable_path() -> None:
    shape = infer_all(USERS)
    assert shape is not None
    found = {v.name: v for v in variants(USERS, shape)}
    assert list(found) == [
        "base",
        "without.profile",
        "null.profile.bio",
        "without.profile.avatar",
        "null.tags",
        "null.email",
    ]
    assert found["base"].value == USERS[0]
    assert found["without.profile"].value == {"id": 1, "tags": ["a"], "email": "a@x"}
    assert found["null.profile.bio"].value["profile"] == {"bio": None, "avatar": "a"}
    assert found["null.tags"].value["tags"] == [None]
    assert USERS[0]["profile"] == {"bio": "x", "avatar": "a"}  # the base is never changed


def test_parse_path_inverts_child_path() -> None:
    path = child_path(child_path("$", "a b") + "[*]", "it's")
    assert path == "$['a b'][*]['it\\'s']"
    assert parse_path(path) == ("a b", Step.ITEMS, "it's")
    assert parse_path("$.items[*].id") == ("items", Step.ITEMS, "id")


keys = st.sampled_from(["id", "name", "profile", "bio", "tags", "email"])
leaves = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.booleans())
values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=12,
)
bodies = st.lists(st.dictionaries(keys, values, min_size=1, max_size=5), min_size=1, max_size=6)


def concrete(value: Any, prefix: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], Any]:
    """Every place in a value (ints index lists), containers marked by their type."""
    if isinstance(value, dict):
        found: dict[tuple[Any, ...], Any] = {prefix: "{}"}
        for key, child in value.items():
            found.update(concrete(child, (*prefix, key)))
        return found
    if isinstance(value, list):
        found = {prefix: "[]"}
        for index, child in enumerate(value):
            found.update(concrete(child, (*prefix, index)))
        return found
    return {prefix: ("leaf", type(value).__name__, value)}


def differs_only_at(base: Any, variant: Any, segments: tuple[Segment, ...]) -> bool:
    """True when every difference lies at or below one place that the path names."""
    before, after = concrete(base), concrete(variant)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    roots = {p[: len(segments)] for p in changed}
    if len(roots) != 1:
        return False
    [root] = roots
    abstract = tuple(Step.ITEMS if isinstance(part, int) else part for part in root)
    return abstract == segments


@settings(max_examples=60, deadline=None)
@given(bodies)
def test_variants_change_one_thing_and_cover_every_variation(recorded: list[Any]) -> None:
    shape = infer_all(recorded)
    assert shape is not None
    made = variants(recorded, shape)
    base = made[0].value
    for variant in made[1:]:
        assert variant.path is not None
        assert differs_only_at(base, variant.value, parse_path(variant.path)), variant.name
    status = StatusShape(len(recorded), {"application/json": len(recorded)}, shape)
    contract = contract_of("thing", {200: status})
    assert contract is not None
    fixtures = [Fixture(v.value, f"{v.name}.json", 1, v.name) for v in made]
    findings = compare_fixtures(contract, fixtures)
    assert [f for f in findings if f.rule.startswith("mock-uncovered")] == []
