"""Every non-mock rule, on literal JSON; value-only changes give no finding."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings

from driftcheck.core.compare import changes, compare
from driftcheck.core.endpoints import group
from driftcheck.core.model import BodyKind, EndpointSet, Interaction, Node, Severity, StatusShape
from driftcheck.core.rules import CATALOGUE, RULES
from driftcheck.core.shape import infer_all
from driftcheck.core.signature import Signatures, descriptor
from tests.core import walk_oracle
from tests.core.drifted import related_samples
from tests.helpers import REPORTS, rewrite_cassette

URI = "https://api.example.com/users/1"
ENDPOINT = "GET api.example.com/users/{id}"


def side(*bodies: Any, status: int = 200, content_type: str = "application/json") -> EndpointSet:
    kind = BodyKind.JSON if content_type == "application/json" else BodyKind.HTML
    return group(
        Interaction("GET", URI, status, content_type, kind, body if kind is BodyKind.JSON else None)
        for body in bodies
    )


def findings(before: EndpointSet, after: EndpointSet) -> list[tuple[str, str, str]]:
    return [(f.rule, f.path, f.severity.label) for f in compare(before, after).findings]


def test_field_removed_reports_only_the_top_path() -> None:
    before = side({"id": 1, "profile": {"name": "a", "age": 3}})
    after = side({"id": 1})
    assert findings(before, after) == [("field-removed", "$.profile", "breaking")]
    (finding,) = compare(before, after).findings
    assert finding.baseline == "object, present in 1/1"
    assert finding.current == "absent, 0/1"
    assert finding.message == (
        "`$.profile` is no longer returned: absent from all 1 current samples that have its "
        "parent (baseline: object, present in 1/1)"
    )


def test_field_became_optional() -> None:
    before = side(*[{"profile": {"a": 1}}] * 4)
    after = side({"profile": {"a": 1}}, {"profile": {"a": 2}}, {"profile": {"a": 3}}, {})
    (finding,) = compare(before, after).findings
    assert (finding.rule, finding.path, finding.severity) == (
        "field-became-optional",
        "$.profile",
        Severity.BREAKING,
    )
    assert finding.baseline == "object, present in 4/4"
    assert finding.current == "object, present in 3/4"
    assert finding.message == (
        "`$.profile` is now missing in 1 of 4 current samples (25 %); it was always present before"
    )


def test_a_body_rewritten_almost_entirely_still_reports_every_path() -> None:
    """A regression: DeepDiff (>= 8) folds dicts sharing under a third of their keys into one
    replaced value unless told `threshold_to_diff_deeper=0`, and their paths went unreported."""
    before = side({"id": 1, "name": "a", "email": "e", "age": 3})
    after = side({"id": "1", "handle": "a", "mail": "e", "years": 3, "tags": []})
    assert findings(before, after) == [
        ("type-changed", "$.id", "breaking"),
        ("field-removed", "$.name", "breaking"),
        ("field-removed", "$.email", "breaking"),
        ("field-removed", "$.age", "breaking"),
        ("field-added", "$.handle", "info"),
        ("field-added", "$.mail", "info"),
        ("field-added", "$.years", "info"),
        ("field-added", "$.tags", "info"),
    ]


def test_type_changed() -> None:
    assert findings(side({"age": 3}), side({"age": "3"})) == [("type-changed", "$.age", "breaking")]


def test_became_nullable() -> None:
    assert findings(
        side({"email": "a"}, {"email": "b"}), side({"email": "a"}, {"email": None})
    ) == [("became-nullable", "$.email", "breaking")]


def test_nullable_and_changed_at_once() -> None:
    assert findings(side({"age": 3}), side({"age": "3"}, {"age": None})) == [
        ("became-nullable", "$.age", "breaking"),
        ("type-changed", "$.age", "breaking"),
    ]


@pytest.mark.parametrize(
    ("old", "new"),
    [([3], [3, "x"]), ([3], [3.5]), ([3], [3, 4.5]), ([None], ["x"])],
)
def test_type_widened(old: list[Any], new: list[Any]) -> None:
    before = side(*({"v": v} for v in old))
    after = side(*({"v": v} for v in new))
    assert findings(before, after) == [("type-widened", "$.v", "warning")]


@pytest.mark.parametrize(("old", "new"), [([3, "x"], [3]), (["x", None], ["x"]), ([3.5], [3])])
def test_type_narrowed(old: list[Any], new: list[Any]) -> None:
    before = side(*({"v": v} for v in old))
    after = side(*({"v": v} for v in new))
    assert findings(before, after) == [("type-narrowed", "$.v", "info")]


def test_field_added_and_became_required() -> None:
    before = side({"a": 1}, {"a": 2, "b": 1})
    after = side({"a": 1, "b": 1, "c": {"d": 1}}, {"a": 2, "b": 2, "c": {"d": 2}})
    assert findings(before, after) == [
        ("field-became-required", "$.b", "info"),
        ("field-added", "$.c", "info"),
    ]


def test_changes_inside_array_elements() -> None:
    before = side({"items": [{"id": 1, "tag": "a"}, {"id": 2, "tag": "b"}]})
    after = side({"items": [{"id": 1, "tag": "a"}, {"id": "2"}]})
    assert findings(before, after) == [
        ("type-widened", "$.items[*].id", "warning"),
        ("field-became-optional", "$.items[*].tag", "breaking"),
    ]


def test_parent_type_change_hides_its_children() -> None:
    before = side({"profile": {"name": "a"}})
    after = side({"profile": "a"})
    assert findings(before, after) == [("type-changed", "$.profile", "breaking")]


def test_status_changed() -> None:
    before = EndpointSet({**side({"a": 1}).endpoints})
    after = side({"error": "x"}, status=500)
    assert findings(before, after) == [
        ("status-changed", "$", "breaking"),
        ("status-changed", "$", "breaking"),
    ]
    statuses = [f.status for f in compare(before, after).findings]
    assert statuses == [200, 500]


def test_new_success_status_is_not_drift() -> None:
    before = side({"a": 1})
    after = EndpointSet(
        {
            ENDPOINT: {
                **side({"a": 1}).endpoints[ENDPOINT],
                **side({"a": 1}, status=201).endpoints[ENDPOINT],
            }
        }
    )
    assert findings(before, after) == []


def test_content_type_changed() -> None:
    assert findings(side({"a": 1}), side("<html>", content_type="text/html")) == [
        ("content-type-changed", "$", "breaking")
    ]


def test_endpoint_missing_and_added() -> None:
    before = side({"a": 1})
    after = group(
        [
            Interaction(
                "GET", "https://api.example.com/teams", 200, "application/json", BodyKind.JSON, {}
            )
        ]
    )
    assert findings(before, after) == [
        ("endpoint-added", "$", "info"),
        ("endpoint-missing", "$", "breaking"),
    ]
    assert compare(before, after).endpoints == 2


@pytest.mark.parametrize(
    "after",
    [
        [{"id": 2, "name": "zz", "tags": ["q", "r", "s"], "profile": {"age": 99}}],
        [{"profile": {"age": 1}, "tags": ["x"], "name": "b", "id": 7}],  # key order
        [
            {"id": 1, "name": "a", "tags": [], "profile": {"age": 1}}
        ],  # an array that happens to be empty
        [{"id": 1, "name": "a", "tags": ["x"], "profile": {"age": 1}}] * 5,  # more samples
    ],
)
def test_values_order_and_sample_counts_give_no_finding(after: list[Any]) -> None:
    before = side({"id": 1, "name": "a", "tags": ["x"], "profile": {"age": 1}})
    assert findings(before, side(*after)) == []


def test_optional_frequency_change_is_not_drift() -> None:
    before = side({"a": 1}, {"a": 1}, {})
    after = side({"a": 1}, {}, {}, {})
    assert findings(before, after) == []


def test_severity_override() -> None:
    report = compare(side({"a": 1}), side({"a": 1, "b": 2}), {"field-added": Severity.BREAKING})
    assert [f.severity for f in report.findings] == [Severity.BREAKING]


def test_catalogue_matches_design() -> None:
    assert {rule.id: rule.severity.label for rule in CATALOGUE} == {
        "field-removed": "breaking",
        "field-became-optional": "breaking",
        "type-changed": "breaking",
        "became-nullable": "breaking",
        "type-widened": "warning",
        "status-changed": "breaking",
        "content-type-changed": "breaking",
        "endpoint-missing": "breaking",
        "field-added": "info",
        "field-became-required": "info",
        "type-narrowed": "info",
        "endpoint-added": "info",
        "cassette-stale": "warning",
        "mock-field-unknown": "warning",
        "mock-field-missing": "warning",
        "mock-type-mismatch": "breaking",
        "mock-uncovered-optional": "warning",
        "mock-uncovered-null": "warning",
        "mock-null-unseen": "warning",
        "mock-unlike-endpoint": "warning",
        "mock-uncovered-variant": "warning",
        "enum-value-added": "warning",
        "enum-value-removed": "info",
        "format-changed": "breaking",
        "became-empty": "warning",
        "mock-enum-unknown": "warning",
        "mock-format-mismatch": "warning",
        "header-removed": "warning",
        "header-added": "info",
        "endpoint-deprecated": "warning",
        "spec-field-undocumented": "info",
        "spec-required-missing": "breaking",
        "spec-null-undeclared": "breaking",
        "spec-type-mismatch": "breaking",
        "spec-enum-undeclared": "warning",
        "spec-status-undocumented": "warning",
        "spec-endpoint-undocumented": "info",
    }
    assert len(RULES) == len(CATALOGUE)


def endpoint_set(shape: Node) -> EndpointSet:
    return EndpointSet({ENDPOINT: {200: StatusShape(shape.count, {"application/json": 1}, shape)}})


@settings(max_examples=200, deadline=None)
@given(related_samples())
def test_deepdiff_over_signatures_finds_what_the_walk_found(
    pair: tuple[list[Any], list[Any]],
) -> None:
    """The walk compare used before is the oracle: same findings, order and messages (on
    records: the oracle knows no maps, nor the rules on values)."""
    old, new = (infer_all(side, maps=None) for side in pair)
    assert old is not None
    assert new is not None
    expected = walk_oracle.compare_fields(walk_oracle.Where(ENDPOINT, 200), old, new)
    assert list(compare(endpoint_set(old), endpoint_set(new), values=False).findings) == expected
    assert list(compare(endpoint_set(new), endpoint_set(old), values=False).findings) == (
        walk_oracle.compare_fields(walk_oracle.Where(ENDPOINT, 200), new, old)
    )


@settings(max_examples=100, deadline=None)
@given(related_samples())
def test_signatures_are_equal_exactly_when_the_walk_finds_no_difference(
    pair: tuple[list[Any], list[Any]],
) -> None:
    old, new = (infer_all(side, maps=None) for side in pair)
    assert old is not None
    assert new is not None
    signature = Signatures()
    differing = list(walk_oracle.walk(old, new, differing=True))
    only_new = list(walk_oracle.walk(new, old, differing=False))
    assert (signature(old) == signature(new)) == (differing == only_new == [])


def shape(*bodies: Any) -> Node:
    found = infer_all(bodies)
    assert found is not None
    return found


def test_signatures_ignore_key_order_and_counts_but_not_presence_or_null() -> None:
    signature = Signatures()
    one = shape({"a": 1, "b": {"c": "x"}})
    assert signature(one) == signature(shape(*[{"b": {"c": "y"}, "a": 2}] * 3))
    assert signature(one) != signature(shape({"a": 1, "b": {"c": "x"}}, {"a": 1}))
    assert signature(one) != signature(shape({"a": 1, "b": {"c": None}}))


def test_bodies_nested_a_thousand_levels_deep() -> None:
    """Signatures are ints, so equal deep shapes compare without recursing; a difference at
    the bottom is found without recursion too."""

    def nested(leaf: Any) -> Any:
        body: Any = {"v": leaf}
        for _ in range(1000):
            body = {"a": body}
        return body

    same = compare(side(nested(1), nested(2)), side(nested(3)))
    assert same.findings == ()
    (found,) = compare(side(nested(1)), side(nested("1"))).findings
    assert (found.rule, found.path) == ("type-changed", "$" + ".a" * 1000 + ".v")


def test_changes_reads_deepdiff_by_path() -> None:
    old = {
        "$": descriptor({"object"}, True),
        "$.a": descriptor({"integer"}, True),
        "$.b": descriptor({"string"}, True),
    }
    new = {
        "$": descriptor({"object"}, True),
        "$.a": descriptor({"string", "number", "null"}, False),
        "$['c d']": descriptor({"null"}, None),
    }
    found = changes(old, new)
    assert (found.added, found.removed) == ({"$['c d']"}, {"$.b"})
    assert found.changed == {"$.a": {"types", "nullable", "required"}}
    assert found.new_types == {"$.a": {"string", "number"}}


def test_a_diff_without_drift_does_not_import_deepdiff(tmp_path: Path) -> None:
    """DeepDiff (tens of milliseconds to import) runs only where signatures differ."""
    drifted = tmp_path / "drifted.yaml"
    rewrite_cassette(REPORTS, drifted, lambda body: {**body, "added": 1})
    assert not _imports_deepdiff(tmp_path, REPORTS, REPORTS)
    assert _imports_deepdiff(tmp_path, REPORTS, drifted)


def _imports_deepdiff(tmp_path: Path, baseline: Path, current: Path) -> bool:
    """`-X importtime` lists on stderr every module the run imports."""
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "driftcheck", "diff", str(baseline),
         str(current), "--format", "json", "--no-cache", "--fail-on", "never"],
        capture_output=True, text=True, cwd=tmp_path, check=True,
    )  # fmt: skip
    assert '"driftcheck_report"' in run.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    assert "driftcheck.core.compare" in imported
    return "deepdiff" in imported


def test_a_freed_node_never_lends_its_id_and_signature_to_a_new_one() -> None:
    """Signatures knows nodes by id(); a temporary shape freed after signing must not pass
    its signature on to the next node CPython puts at the same address."""
    signature = Signatures()
    for _ in range(50):
        assert signature(shape({"a": 1})) != signature(shape({"a": None}))
