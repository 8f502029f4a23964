"""Maps (objects whose keys are data) and discriminated variants, in shapes and compares."""

from __future__ import annotations

import pickle
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.compare import compare
from driftcheck.core.maps import Declared, is_map, looks_like_id
from driftcheck.core.model import EndpointSet, Node, StatusShape
from driftcheck.core.rows import check_rows
from driftcheck.core.shape import ShapeBuilder, flatten, from_rows, infer_all, merge, settled
from driftcheck.core.tags import key_parents, partitioned
from tests.helpers import json_values


def shape(*bodies: Any) -> Node:
    found = infer_all(list(bodies))
    assert found is not None
    return found


def paths(node: Node) -> dict[str, tuple[int, int]]:
    return {f.path: (f.present, f.parent) for f in flatten(node)}


def endpoint(node: Node) -> EndpointSet:
    return EndpointSet({"GET x.test/things": {200: StatusShape(node.count, {}, node)}})


@pytest.mark.parametrize(
    "key", ["123", "443 / tcp", "2019-05", "report.csv", "user_123456", "deadbeefcafe1234",
            "550e8400-e29b-41d4-a716-446655440000", "a@b.c", "12ab", "cus_NffrFeUfNV2Hib"],
)  # fmt: skip
def test_keys_that_read_as_data(key: str) -> None:
    assert looks_like_id(key)


@pytest.mark.parametrize(
    "key",
    ["login", "avatarUrl", "B01", "first-name", "address2", "+1", "_links", "sha256", "x86_64",
     "ephemeral_5m_input_tokens"],
)  # fmt: skip
def test_keys_that_read_as_field_names(key: str) -> None:
    assert not looks_like_id(key)


def test_values_must_agree_for_a_map() -> None:
    agreeing = {"1": Node({"string": 1}), "2": Node({"string": 1})}
    assert is_map(1, agreeing)
    assert not is_map(1, {"1": Node({"string": 1}), "2": Node({"integer": 1})})
    assert is_map(1, {"1": Node({"integer": 1}), "2": Node({"number": 1}), "3": Node({"null": 1})})


def test_ports_keyed_by_name_are_one_place() -> None:
    node = shape(
        {"ports": {"443 / tcp": [{"port": 443}]}},
        {"ports": {"80 / tcp": [{"port": 80}], "22 / tcp": [{"port": 22}]}},
    )
    assert "$.ports{*}[*].port" in paths(node)
    assert not any("tcp" in path for path in paths(node))


def test_a_varying_key_set_with_agreeing_values_is_a_map() -> None:
    bodies = [{"summaries": {name: {"count": 1}}} for name in ["alpha", "beta", "gamma", "delta"]]
    assert "$.summaries{*}.count" in paths(shape(*bodies))


def test_objects_of_one_structure_under_names_are_a_map() -> None:
    """STAC assets: named by the data provider, each an asset of the same structure."""
    asset = {"href": "https://x", "type": "image/tiff", "roles": ["data"]}
    body = {"assets": {"thumbnail": asset, "B01": asset, "original-data-ak": dict(asset)}}
    found = paths(shape(body))
    assert "$.assets{*}.href" in found
    assert "$.assets.thumbnail" not in found


@pytest.mark.parametrize(
    "bodies",
    [
        [{"permissions": {"admin": True, "push": False, "pull": True}}],
        [{"billing": {"street": "a", "city": "b"}, "shipping": {"street": "c", "city": "d"}}],
        [{"id": 1, "name": "a", "bio": None}, {"id": 2, "name": "b"}],
        [{"url": "x", "total_count": 1, "+1": 0, "-1": 0, "laugh": 0}],
        [  # a response of three sections that share an id and little else
            {
                "private_location": {"id": "a", "name": "n", "tags": [], "description": "d"},
                "config": {"id": "a", "site": "s", "accessKey": {"secret": "x"}},
                "result_encryption": {"id": "a", "key": "k"},
            }
        ],
    ],
)
def test_records_stay_records(bodies: list[Any]) -> None:
    assert not any("{*}" in path for path in paths(shape(*bodies)))


def test_ids_that_differ_between_sides_give_no_finding() -> None:
    def side(ids: range) -> Node:
        return shape(*[{"assets": {f"id-{n:06d}": {"href": "x", "size": n}}} for n in ids])

    report = compare(endpoint(side(range(0, 50))), endpoint(side(range(100, 150))))
    assert report.findings == ()


def test_a_change_inside_map_values_is_still_found() -> None:
    before = shape({"files": {"a.csv": {"size": 1}, "b.csv": {"size": 2}}})
    after = shape({"files": {"c.csv": {"size": "1 kB"}, "d.csv": {"size": "2 kB"}}})
    report = compare(endpoint(before), endpoint(after))
    assert [(f.path, f.rule.value) for f in report.findings] == [
        ("$.files{*}.size", "type-changed")
    ]


def test_a_map_on_one_side_only_is_aligned() -> None:
    """One side saw a single port (no evidence of a map): its key is not `field-removed`."""
    before = shape(*[{"ports": {f"{n} / tcp": {"open": True}}} for n in (22, 80, 443)])
    after = infer_all([{"ports": {"8080 / tcp": {"open": True}}}], maps=None)
    assert after is not None
    assert compare(endpoint(before), endpoint(after)).findings == ()


def test_shapes_do_not_grow_with_the_number_of_ids() -> None:
    def size(count: int) -> int:
        body = {"users": {str(1000 + n): {"name": "x", "tags": ["a"]} for n in range(count)}}
        return len(list(flatten(shape(body))))

    assert size(10) == size(10_000)


def test_declared_maps_and_records_win_over_the_heuristics() -> None:
    body = {"permissions": {"admin": True, "push": False}, "ports": {"443 / tcp": 1, "80 / tcp": 2}}
    builder = ShapeBuilder(lambda path: {("permissions",): True, ("ports",): False}.get(path))
    builder.add_values([body])
    found = paths(builder.build())
    assert "$.permissions{*}" in found
    assert "$.ports['443 / tcp']" in found


files = st.lists(st.lists(json_values | st.dictionaries(st.sampled_from(["1", "2", "x y"]),
                                                        json_values, max_size=3),
                          min_size=1, max_size=3), min_size=1, max_size=6)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(files, st.integers(1, 4))
def test_how_files_are_grouped_into_runs_never_changes_the_shape(
    contents: list[list[Any]], runs: int
) -> None:
    """Maps are decided per file and over the whole side, never per run of files, so the
    number of workers a machine has cannot change a report."""

    def per_file() -> list[ShapeBuilder]:
        built = []
        for values in contents:
            builder = ShapeBuilder()
            builder.add_values(values)
            built.append(builder)
        return built

    one = ShapeBuilder()
    for builder in per_file():
        one.add_builder(builder)
    parts: list[Node] = []
    builders = per_file()
    for start in range(runs):
        run = ShapeBuilder()
        for builder in builders[start::runs]:
            run.add_builder(builder)
        if builders[start::runs]:
            parts.append(from_rows(check_rows(run.rows())))
    assert paths(settled(merge(*parts))) == paths(one.build())


def owner(kind: str, **extra: Any) -> dict[str, Any]:
    return {"owner": {"type": kind, "login": "x", **extra}}


USER = {"site_admin": False, "gravatar_id": ""}
ORG = {"description": "d", "is_verified": True}


def test_a_tag_that_tells_key_sets_apart_makes_variants() -> None:
    node = shape(*[owner("User", **USER)] * 3, *[owner("Organization", **ORG)] * 2)
    owner_node = node.keys["owner"]
    assert partitioned(owner_node)
    assert key_parents(owner_node) == {
        "type": 5, "login": 5, "site_admin": 3, "gravatar_id": 3, "description": 2,
        "is_verified": 2,
    }  # fmt: skip
    assert all(present == parent for present, parent in paths(node).values())


def test_a_new_variant_does_not_make_keys_optional() -> None:
    before = shape(*[owner("User", **USER)] * 3, owner("Organization", **ORG))
    after = shape(owner("User", **USER), *[owner("Organization", **ORG)] * 5)
    assert compare(endpoint(before), endpoint(after)).findings == ()


def test_a_key_missing_within_its_variant_is_still_found() -> None:
    before = shape(*[owner("User", **USER)] * 3, owner("Organization", **ORG))
    after = shape(
        owner("User", gravatar_id=""), owner("User", **USER), owner("Organization", **ORG)
    )
    rules = [(f.path, f.rule.value) for f in compare(endpoint(before), endpoint(after)).findings]
    assert rules == [("$.owner.site_admin", "field-became-optional")]


def test_a_tag_with_many_values_is_no_discriminator() -> None:
    bodies = [{"file": {"type": f"image/x-{n}", "size": n}} for n in range(20)]
    bodies.append({"file": {"type": "text/plain", "size": 1, "lines": 3}})
    node = shape(*bodies)
    assert not partitioned(node.keys["file"])


def test_variants_survive_rows() -> None:
    builder = ShapeBuilder()
    builder.add_values([owner("User", **USER), owner("Organization", **ORG)])
    rows = check_rows(builder.rows())
    again = from_rows(rows)
    assert again.keys["owner"].variants == builder.build().keys["owner"].variants
    with pytest.raises(ValueError, match="variants"):
        check_rows([[-1, None, {"object": 1}, 0, ["type", {"User": "x"}], {}, {}]])


def test_config_declares_maps_and_records_by_path_pattern() -> None:
    declared = Declared(maps=("$.data[*].translations",), not_maps=("$.**.ports",))
    body = {"data": [{"translations": {"en": "a", "de": "b"}, "ports": {"443 / tcp": 1}}]}
    found = paths(infer_all([body], maps=declared) or Node({}))
    assert "$.data[*].translations{*}" in found
    assert "$.data[*].ports['443 / tcp']" in found
    assert pickle.loads(pickle.dumps(declared)) == declared
