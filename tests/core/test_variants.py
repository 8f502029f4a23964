"""Edge-case fixtures from recordings: few files, copied from recorded bodies with only
removals and nulls, that together show every variation the recordings have."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.fixture_check import PER_PAYLOAD_RULES, compare_fixtures, contract_of
from driftcheck.core.model import Fixture, Node, StatusShape
from driftcheck.core.paths import Step, child_path, parse_path
from driftcheck.core.shape import flatten, infer_all
from driftcheck.core.variants import Cover, base_body, cover, spelled, targets

USERS: list[dict[str, Any]] = [
    {"id": 1, "profile": {"bio": "x", "avatar": "a"}, "tags": ["a"], "email": "a@x"},
    {"id": 2, "profile": {"bio": None}, "tags": [None], "email": "b@x"},
    {"id": 3, "tags": [], "email": None},
]


def shape_of(bodies: list[Any]) -> Node:
    shape = infer_all(bodies)
    assert shape is not None
    return shape


def shown(made: Cover) -> list[str]:
    return [str(target) for variant in made.variants for target in variant.covers]


def test_base_is_the_richest_recorded_body() -> None:
    assert base_body(USERS) is USERS[0]


def test_targets_are_optional_keys_nullable_paths_and_nothing_null_only() -> None:
    bodies = [*USERS, {"id": 4, "tags": ["b"], "email": "d@x", "gone": None}]
    found = [str(target) for target in targets(shape_of(bodies))]
    assert found == [
        "$.profile absent",
        "$.profile.bio null",
        "$.profile.avatar absent",
        "$.tags[*] null",
        "$.email null",
        "$.gone absent",  # absent in 3 of 4; never anything but null: not a null target
    ]


def test_one_body_edited_in_several_places_covers_most() -> None:
    made = cover(USERS, shape_of(USERS))
    assert [(v.name, v.body, [str(e) for e in v.edits]) for v in made.variants] == [
        ("1", 1, ["$.email set to null"]),
        ("2", 1, ["$.profile removed"]),
    ]
    assert made.variants[0].value == {
        "id": 2,
        "profile": {"bio": None},
        "tags": [None],
        "email": None,
    }
    assert made.variants[1].value == {"id": 2, "tags": [None], "email": "b@x"}
    assert sorted(shown(made)) == sorted(str(t) for t in made.targets)
    assert (made.bodies, made.uncovered) == (1, ())
    assert USERS[1] == {"id": 2, "profile": {"bio": None}, "tags": [None], "email": "b@x"}


def test_keys_only_in_a_body_that_is_not_the_richest_are_covered() -> None:
    rich = {"id": 1, "a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "email": "x"}
    bodies = [
        rich,
        {"id": 2, "email": None, "extra": {"x": 1}},
        {"id": 3, "email": "y", "extra": {"x": None, "y": "z"}},
    ]
    made = cover(bodies, shape_of(bodies))
    assert base_body(bodies) is rich
    assert [(v.body, [str(e) for e in v.edits]) for v in made.variants] == [
        (1, ["$.extra.x set to null"]),  # shows $.extra.y absent and $.email null as it is
        (1, ["$.extra removed"]),
    ]
    assert made.variants[0].value == {"id": 2, "email": None, "extra": {"x": None}}
    assert sorted(shown(made)) == sorted(str(t) for t in made.targets)
    assert "$.extra.y absent" in shown(made)
    assert made.uncovered == ()


def test_a_path_nothing_recorded_can_show_is_reported_uncovered() -> None:
    shape = shape_of([{"id": 1, "email": "a"}, {"id": 2, "email": None}])
    made = cover([{"id": 1}], shape)  # bodies that are not those the shape came from
    assert [str(target) for target in made.uncovered] == ["$.email null"]
    assert [(v.body, v.edits, v.covers) for v in made.variants] == [(0, (), ())]


def test_with_nothing_to_vary_the_richest_body_is_the_one_file() -> None:
    bodies = [{"id": 1}, {"id": 2, "name": "b"}, {"id": 3, "name": "c"}]
    made = cover(bodies[1:], shape_of(bodies[1:]))
    assert (made.targets, [v.value for v in made.variants]) == ((), [bodies[1]])


def assets(size: int) -> dict[str, Any]:
    """A body whose `assets` is a map keyed by ids: 50 of them, sizes varying per id."""
    sizes: dict[int, Any] = {0: None, 1: 7}
    found: dict[str, Any] = {}
    for number in range(50):
        value: dict[str, Any] = {"href": f"https://x/{number}"}
        if (number + size) % 3:
            value["size"] = sizes.get((number + size) % 4, 3)
        found[f"a{number:04x}-{size}"] = value
    return {"id": size, "assets": found}


def test_a_map_keyed_by_ids_gives_a_file_or_two_not_one_per_key() -> None:
    bodies = [assets(size) for size in range(3)]
    made = cover(bodies, shape_of(bodies))
    assert [str(target) for target in made.targets] == [
        "$.assets{*}.size absent",
        "$.assets{*}.size null",
    ]
    assert [(v.body, v.edits, len(v.covers)) for v in made.variants] == [(0, (), 2)]


def test_many_edits_at_distinct_places_share_one_file() -> None:
    fields = [f"field_{letter}{digit}" for letter in "abcde" for digit in range(10)]
    full = {name: index for index, name in enumerate(fields)}
    shape = shape_of([full, dict.fromkeys(fields), {}])  # 50 optional, nullable
    made = cover([full, {}], shape)  # no body is null as it is: nulls are edits
    assert len(made.targets) == 100
    assert [(v.body, len(v.edits), len(v.covers)) for v in made.variants] == [
        (1, 0, 50),  # `{}` shows every key absent
        (0, 50, 50),  # every key set to null in one copy: 50 places, none inside another
    ]
    assert made.variants[1].value == dict.fromkeys(fields)
    assert full == {name: index for index, name in enumerate(fields)}


def map_shape() -> Node:
    value = Node(
        {"object": 6}, {"href": Node({"string": 6}), "size": Node({"integer": 3, "null": 1})}
    )
    return Node(
        {"object": 2}, {"id": Node({"integer": 2}), "assets": Node({"object": 2}, values=value)}
    )


def test_under_a_map_every_value_is_one_place() -> None:
    bodies = [
        {"id": 1, "assets": {"a1": {"href": "h", "size": 1}, "b2": {"href": "h", "size": 2}}},
        {"id": 2, "assets": {"c3": {"href": "h", "size": None}, "d4": {"href": "h"}}},
    ]
    made = cover(bodies, map_shape())
    assert [str(target) for target in made.targets] == [
        "$.assets{*}.size absent",
        "$.assets{*}.size null",
    ]
    assert [(v.body, v.edits) for v in made.variants] == [(1, ())]


OWNERS = [
    {"id": 1, "owner": {"type": "User", "login": "a", "email": "a@x"}},
    {"id": 2, "owner": {"type": "User", "login": "b", "email": "b@x"}},
    {"id": 3, "owner": {"type": "User", "login": "c"}},
    {"id": 4, "owner": {"type": "Organization", "name": "o", "members": 3}},
    {"id": 5, "owner": {"type": "Bot", "login": "d"}},
    {"id": 6, "owner": {"type": "Bot"}},
]


def test_each_discriminated_type_gets_a_body_and_keys_stay_as_their_variant_had_them() -> None:
    shape = shape_of(OWNERS)
    assert shape.keys["owner"].tag == "type"
    made = cover(OWNERS, shape)
    assert [str(target) for target in made.targets] == [
        '$.owner type="User"',
        '$.owner type="Bot"',
        '$.owner type="Organization"',
        "$.owner.login absent",  # a Bot lacked it once; no User, and Organizations never have it
        "$.owner.email absent",  # Users lack it sometimes; name: every Organization had it
    ]
    types = {v.value["owner"]["type"] for v in made.variants}
    assert types == {"User", "Organization", "Bot"}
    assert made.uncovered == ()
    for variant in made.variants:  # no User loses its login, no Organization its name
        assert variant.value == OWNERS[variant.body]
    assert 5 in {variant.body for variant in made.variants}  # the Bot without a login


def test_a_tag_that_changes_no_key_set_asks_for_no_body_per_value() -> None:
    bodies = [{"file": {"type": kind, "href": "h"}} for kind in ("image/png", "image/jpeg")]
    bodies.append({"file": {"href": "h", "bytes": 3}})  # untagged, with keys of its own
    shape = shape_of(bodies)
    assert [str(target) for target in targets(shape)] == [
        "$.file no type",  # as many of each: by name
        '$.file type="image/jpeg"',
        '$.file type="image/png"',
    ]
    assert [str(target) for target in targets(shape_of(bodies[:2]))] == []


def test_spelled_names_the_concrete_place() -> None:
    assert spelled(("items", 2, "a b")) == "$.items[2]['a b']"
    assert spelled(()) == "$"


def test_parse_path_inverts_child_path() -> None:
    path = child_path(child_path("$", "a b") + "[*]", "it's")
    assert path == "$['a b'][*]['it\\'s']"
    assert parse_path(path) == ("a b", Step.ITEMS, "it's")
    assert parse_path("$.items[*].id") == ("items", Step.ITEMS, "id")


keys = st.sampled_from(["id", "name", "profile", "bio", "tags", "email"])
ids = st.sampled_from(["1001", "1002", "1003", "1004", "1005"])
leaves = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.booleans())
values = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(keys, children, max_size=4),
        st.dictionaries(ids, st.dictionaries(keys, children, max_size=3), max_size=4),  # a map
    ),
    max_leaves=12,
)
tagged = st.fixed_dictionaries(
    {"type": st.sampled_from(["User", "Organization"])},
    optional={"login": st.text(max_size=2), "name": st.none() | st.text(max_size=2)},
)
bodies = st.lists(
    st.dictionaries(keys, values, min_size=1, max_size=5)
    | st.fixed_dictionaries({"owner": tagged}, optional={"id": st.integers()}),
    min_size=1,
    max_size=6,
)


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


NULL = ("leaf", "NoneType", None)


def only_removed_or_nulled(recorded: Any, written: Any) -> bool:
    """True when `written` is `recorded` with some values removed or set to null."""
    before, after = concrete(recorded), concrete(written)
    for place, what in after.items():
        if place not in before or (what != before[place] and what != NULL):
            return False
    changed = [p for p in after if after[p] != before[p]] + [p for p in before if p not in after]
    cut = {p for p in changed if p not in after or after[p] == NULL}
    return all(any(place[:depth] in cut for depth in range(len(place) + 1)) for place in changed)


@settings(max_examples=150, deadline=None)
@given(bodies)
def test_written_variants_leave_no_uncovered_finding(recorded: list[Any]) -> None:
    shape = infer_all(recorded)
    assert shape is not None
    made = cover(recorded, shape)
    assert made.uncovered == ()
    assert sorted(map(str, made.targets)) == sorted(shown(made))  # each shown once, by one file
    assert 1 <= len(made.variants) <= max(len(made.targets), 1)
    for variant in made.variants:
        assert only_removed_or_nulled(recorded[variant.body], variant.value), variant.name
    status = StatusShape(len(recorded), {"application/json": len(recorded)}, shape)
    contract = contract_of("thing", {200: status})
    assert contract is not None
    fixtures = [Fixture(v.value, f"{v.name}.json", 1, v.name) for v in made.variants]
    findings = compare_fixtures(contract, fixtures)
    assert [(f.rule, f.path) for f in findings if f.rule.startswith("mock-uncovered")] == []
    assert [(f.rule, f.path) for f in findings if f.rule in PER_PAYLOAD_RULES] == []


STATUSES = ["active"] * 5 + ["inactive"] * 4 + ["suspended"] * 3
NAMES = ["Ada", "Bob", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kim", "Lu"]


def account(number: int, status: str, created: str) -> dict[str, Any]:
    return {
        "id": f"acc_{number:04d}x{number * 7919 % 1000:03d}",
        "name": NAMES[number],
        "bio": f"{NAMES[number]} likes tea and {number} cats",
        "status": status,
        "created_at": created,
        "updated_at": f"2024-02-{number + 1:02d}T08:30:00Z",
    }


def accounts(dated: set[int]) -> list[dict[str, Any]]:
    """12 accounts: an enum-like `status`; `created_at` a date in the `dated` ones, else a
    date-time; `updated_at` always a date-time; ids, names and text all distinct."""
    return [
        account(
            n, status, f"2024-01-{n + 1:02d}" if n in dated else f"2024-01-{n + 1:02d}T10:00:00Z"
        )
        for n, status in enumerate(STATUSES)
    ]


def test_enum_values_and_formats_are_targets_and_text_ids_and_one_format_are_not() -> None:
    bodies = accounts({10, 11})
    assert [str(target) for target in targets(shape_of(bodies))] == [
        '$.status = "active"',  # most frequent first
        '$.status = "inactive"',
        '$.status = "suspended"',
        "$.created_at date-time",
        "$.created_at date",
    ]  # nothing for id, name, bio, nor updated_at (one format: every body shows it)


def test_each_value_and_format_gets_a_body_and_one_body_counts_for_both() -> None:
    bodies = accounts({10, 11})  # only suspended accounts have a plain date
    made = cover(bodies, shape_of(bodies))
    assert made.uncovered == ()
    assert len(made.variants) == 3  # one per status: the suspended one shows the date too
    assert sorted(shown(made)) == sorted(str(t) for t in made.targets)
    both = [v for v in made.variants if len(v.covers) == 2 and v.value["status"] == "suspended"]
    assert [str(t) for t in both[0].covers] == ['$.status = "suspended"', "$.created_at date"]
    assert {v.value["status"] for v in made.variants} == {"active", "inactive", "suspended"}
    for variant in made.variants:  # shown as recorded, never edited into place
        assert (variant.edits, variant.value) == ((), bodies[variant.body])


def test_a_format_seen_beside_other_statuses_still_costs_no_extra_file() -> None:
    bodies = accounts({8, 11})  # a date on an inactive and on a suspended account
    made = cover(bodies, shape_of(bodies))
    assert (len(made.variants), made.uncovered) == (3, ())
    assert "$.created_at date" in shown(made)


def test_values_under_items_are_one_place_any_element_shows() -> None:
    orders = [
        {
            "items": [
                {"sku": f"s{n}-{state}", "state": state} for state in ("open", "shipped", "void")
            ]
        }
        for n in range(4)
    ]
    shape = shape_of(orders)
    assert [str(target) for target in targets(shape)] == [
        '$.items[*].state = "open"',
        '$.items[*].state = "shipped"',
        '$.items[*].state = "void"',
    ]
    made = cover(orders, shape)
    assert [(v.body, v.edits, len(v.covers)) for v in made.variants] == [(0, (), 3)]


def test_edits_never_take_away_a_value_a_file_is_kept_for() -> None:
    bodies: list[dict[str, Any]] = [
        {"status": status, "plan": {"tier": "x"}} for status in ["active"] * 6 + ["paused"] * 5
    ]
    bodies.append({"status": "paused"})  # `plan` optional: the edit removes it elsewhere
    bodies[0]["status"] = None  # and `status` nullable
    made = cover(bodies, shape_of(bodies))
    assert made.uncovered == ()
    for variant in made.variants:
        for target in variant.covers:
            if target.kind == "value":
                assert variant.value["status"] == target.value == bodies[variant.body]["status"]


def test_a_mostly_text_path_with_some_numbers_gives_no_format_target() -> None:
    bodies = [{"content": f"answer {n} is here"} for n in range(10)]
    bodies += [{"content": "42"}, {"content": "4.5"}]
    assert targets(shape_of(bodies)) == ()


def test_a_tag_with_variant_targets_gives_no_value_targets_besides() -> None:
    owners = [OWNERS[n % 6] for n in range(18)]  # User 9, Bot 6, Organization 3
    shape = shape_of(owners)
    found = [str(target) for target in targets(shape)]
    assert '$.owner type="Organization"' in found
    assert [text for text in found if " = " in text] == []


def test_the_body_itself_can_be_the_value_with_a_format() -> None:
    bodies = ["2024-01-31T10:00:00Z", "2024-01-30T10:00:00Z", "2024-01-31"]
    made = cover(bodies, shape_of(bodies))
    assert [str(target) for target in made.targets] == ["$ date-time", "$ date"]
    assert [(v.body, str(v.covers[0])) for v in made.variants] == [
        (0, "$ date-time"),
        (2, "$ date"),
    ]


status_bodies = st.lists(
    st.fixed_dictionaries(
        {
            "status": st.sampled_from(["active", "inactive", "paused"]),
            "at": st.sampled_from(["2024-01-31", "2024-01-31T10:00:00Z", "10:00:00"]),
        },
        optional={"note": st.none() | st.just("n")},
    ),
    min_size=12,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(status_bodies)
def test_every_enum_value_and_format_is_written_as_recorded(recorded: list[Any]) -> None:
    shape = infer_all(recorded)
    assert shape is not None
    made = cover(recorded, shape)
    assert made.uncovered == ()
    wanted = {(t.kind, t.value) for t in made.targets if t.kind in ("value", "format")}
    enum = {item.path: item.enum for item in flatten(shape)}["$.status"]
    if enum is not None:  # enum-like: a target, and so a file, per value recorded
        assert {v for k, v in wanted if k == "value"} == {b["status"] for b in recorded}
    written = {("value", v.value["status"]) for v in made.variants}
    assert {w for w in wanted if w[0] == "value"} <= written
    for variant in made.variants:
        assert only_removed_or_nulled(recorded[variant.body], variant.value)
        assert variant.value["status"] == recorded[variant.body]["status"]
        assert variant.value["at"] == recorded[variant.body]["at"]
    status = StatusShape(len(recorded), {"application/json": len(recorded)}, shape)
    contract = contract_of("thing", {200: status})
    assert contract is not None
    fixtures = [Fixture(v.value, f"{v.name}.json", 1, v.name) for v in made.variants]
    assert [
        f.rule for f in compare_fixtures(contract, fixtures) if f.rule in PER_PAYLOAD_RULES
    ] == []
