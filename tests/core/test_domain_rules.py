"""The rules on values between two sides (`core/domain_rules.py` through `compare`):
enums, formats, empty arrays; what a shape node's domain reads as; `values=False`."""

from __future__ import annotations

from typing import Any

import pytest

from driftcheck.core.compare import compare
from driftcheck.core.domain_rules import (
    MIN_SAMPLES,
    clear_enums,
    cleared,
    enum_values,
    signature,
)
from driftcheck.core.model import EndpointSet, Node, StatusShape
from driftcheck.core.shape import describe_values, flatten, infer_all

ENDPOINT = "GET api.example.com/users/{id}"
STATUSES = ["active"] * 8 + ["inactive"] * 4


def shape_of(bodies: list[Any]) -> Node:
    found = infer_all(bodies)
    assert found is not None
    return found


def describe(node: Node) -> str:
    """What `shape` prints after a path's types: `date`, `one of active|inactive`."""
    return describe_values(next(flatten(node))).removeprefix(", ")


def side(bodies: list[Any]) -> EndpointSet:
    node = shape_of(bodies)
    return EndpointSet({ENDPOINT: {200: StatusShape(len(bodies), {"application/json": 1}, node)}})


def found(before: list[Any], after: list[Any], values: bool = True) -> list[tuple[str, str]]:
    report = compare(side(before), side(after), values=values)
    return [(f.rule.value, f.path) for f in report.findings]


def users(statuses: list[str], **extra: Any) -> list[dict[str, Any]]:
    return [{"id": n, "status": status, **extra} for n, status in enumerate(statuses)]


def test_a_new_value_at_an_enum_like_path_is_reported_with_its_value() -> None:
    after = users([*STATUSES[:-2], "suspended", "suspended"])
    report = compare(side(users(STATUSES)), side(after))
    (finding,) = report.findings
    assert (finding.rule.value, finding.path, finding.severity.label) == (
        "enum-value-added",
        "$.status",
        "warning",
    )
    assert "`suspended` (2)" in finding.message
    assert finding.baseline == "one of active|inactive"


def test_a_value_gone_is_reported_only_when_enough_samples_would_have_shown_it() -> None:
    before = users(STATUSES)  # inactive: a third of the values
    assert found(before, users(["active"] * 12)) == [("enum-value-removed", "$.status")]
    assert found(before, users(["active"] * 3)) == []  # 3 samples: could miss it by chance


@pytest.mark.parametrize(
    "statuses",
    [
        ["active", "inactive", "pending", "done", "x1", "y2", "z3", "w4", "v5", "u6"],  # all once
        ["active", "inactive"] * 4,  # fewer than 10 samples
        ["active"] * 12,  # one value: a constant, not an enum
    ],
    ids=["all distinct", "too few", "one value"],
)
def test_no_enum_without_the_evidence_for_one(statuses: list[str]) -> None:
    before = users(statuses)
    assert enum_values(shape_of(before).keys["status"]) is None
    assert found(before, users([*statuses[:-1], "brand_new"])) == []


@pytest.mark.parametrize("key", ["name", "login", "user_id", "title", "token"])
def test_keys_that_name_ids_names_text_or_secrets_are_never_enums(key: str) -> None:
    before = [{key: value} for value in STATUSES]
    assert enum_values(shape_of(before).keys[key]) is None
    assert found(before, [{key: "someone_else"}] * 12) == []


def test_a_date_where_date_times_were_is_a_breaking_format_change() -> None:
    before = [{"created_at": f"2024-01-{day:02}T10:00:00Z"} for day in range(1, 11)]
    after = [{"created_at": f"2024-01-{day:02}"} for day in range(1, 11)]
    report = compare(side(before), side(after))
    (finding,) = report.findings
    assert (finding.rule.value, finding.severity.label) == ("format-changed", "breaking")
    assert (finding.baseline, finding.current) == ("string, date-time", "string, date")
    assert "2024" not in finding.message  # formats are shown, never values


def test_some_values_in_another_format_are_counted_in_the_message() -> None:
    before = [{"at": f"2024-01-{day:02}T10:00:00Z"} for day in range(1, 11)]
    after = [*before[:7], {"at": "2024-01-09"}, {"at": "2024-01-10"}, {"at": "13:00:00"}]
    (finding,) = compare(side(before), side(after)).findings
    assert finding.current == "string, date-time 7, date 2, time 1"
    texts = [*before[:9], {"at": "yesterday"}]
    (finding,) = compare(side(before), side(texts)).findings
    assert finding.current == "string, not all date-time (some have no format)"
    assert "10 current values are not all date-time" in finding.message


def test_a_format_needs_enough_values_to_be_a_contract() -> None:
    before = [{"at": "2024-01-01T10:00:00Z"}] * (MIN_SAMPLES - 1)
    assert found(before, [{"at": "2024-01-01"}] * 10) == []


def test_integers_where_decimals_were_is_no_change_but_decimals_where_integers_were_is() -> None:
    decimals = [{"amount": f"{n}.50"} for n in range(10)]
    integers = [{"amount": str(n)} for n in range(10)]
    assert found(decimals, integers) == []
    (finding,) = compare(side(integers), side(decimals)).findings
    assert (finding.rule.value, finding.path) == ("format-changed", "$.amount")
    assert finding.severity.label == "warning"  # numbers as text follow the data recorded


def test_an_array_never_empty_before_that_comes_back_empty() -> None:
    before = [{"tags": ["a", "b"]} for _ in range(MIN_SAMPLES)]
    after = [{"tags": ["a"]}, {"tags": []}, {"tags": []}]
    report = compare(side(before), side(after))
    (finding,) = report.findings
    assert (finding.rule.value, finding.path, finding.severity.label) == (
        "became-empty",
        "$.tags",
        "warning",
    )
    assert "2 of 3" in finding.message
    assert found(before[: MIN_SAMPLES - 1], after) == []  # too few arrays before
    assert found([*before, {"tags": []}], after) == []  # it was empty before too


def test_values_false_leaves_structure_rules_alone() -> None:
    before = users(STATUSES)
    after = [{"status": "suspended"} for _ in range(12)]
    assert found(before, after, values=False) == [("field-removed", "$.id")]
    assert ("enum-value-added", "$.status") in found(before, after)


def test_free_text_ids_and_timestamps_that_differ_give_nothing() -> None:
    def bodies(seed: int) -> list[dict[str, Any]]:
        return [
            {
                "id": f"{seed}{n:08x}-1111-2222-3333-444444444444"[-36:],
                "name": f"Person {seed * 100 + n}",
                "bio": f"likes the number {seed + n} a lot",
                "created_at": f"202{seed}-0{1 + n % 9}-1{n % 10}T0{n % 10}:00:00Z",
                "status": STATUSES[n],
            }
            for n in range(12)
        ]

    assert found(bodies(1), bodies(2)) == []


def test_describe_and_signature_read_the_domain() -> None:
    node = shape_of(users(STATUSES)).keys["status"]
    assert describe(node) == "one of active|inactive"
    dated = shape_of([{"at": "2024-01-01"}] * 3).keys["at"]
    assert describe(dated) == "date"
    assert signature(dated) == ("date", None, False)
    assert signature(shape_of([{"n": 1}]).keys["n"]) is None  # nothing to read


def test_cleared_and_redacted_values_change_no_format() -> None:
    before = [{"blog": f"https://u{n}.example.com"} for n in range(10)]
    cleared = [*before[:8], {"blog": ""}, {"blog": "REDACTED"}]
    assert found(before, cleared) == []
    assert found(before, [{"blog": "***"}] * 10) == []  # nothing left to tell a format by
    assert describe(shape_of(cleared).keys["blog"]) == "uri"


def test_no_enum_below_a_key_that_names_a_secret_nor_at_a_maps_name_values() -> None:
    tokens = [f"tok_{word}" for word in ("alpha", "beta", "gamma")]
    before = [{"credentials": {"stripe": tokens[n % 3]}} for n in range(12)]
    node = shape_of(before).keys["credentials"].keys["stripe"]
    assert enum_values(node) is None
    assert found(before, [{"credentials": {"stripe": "tok_delta"}}] * 12) == []
    plans = [{"plan": ("free", "pro")[n % 2]} for n in range(12)]  # beside no secret: an enum
    assert enum_values(shape_of(plans).keys["plan"]) == ("free", "pro")


def test_a_format_added_beside_the_old_one_is_a_warning_not_a_break() -> None:
    """A new kind of record whose `created` is a date, beside records still sending
    date-times: values were added (as a type widened), the old ones parse as before."""
    before = [{"created": f"2024-01-{day:02}T10:00:00Z"} for day in range(1, 11)]
    after = [*before, *({"created": f"2024-02-{day:02}"} for day in range(1, 6))]
    (finding,) = compare(side(before), side(after)).findings
    assert (finding.rule.value, finding.severity.label) == ("format-changed", "warning")
    every = [{"created": f"2024-02-{day:02}"} for day in range(1, 11)]
    (gone,) = compare(side(before), side(every)).findings
    assert gone.severity.label == "breaking"  # the date-times are gone: parsers fail


@pytest.mark.parametrize(
    "mask", ["xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "***REDACTED***", "[MASKED]", "REDACTED-UUID"]
)
def test_masked_values_change_no_format(mask: str) -> None:
    before = [{"id": f"123e4567-e89b-12d3-a456-4266141740{n:02}"} for n in range(10)]
    assert found(before, [*before[:5], *([{"id": mask}] * 5)]) == []


@pytest.mark.parametrize("key", ["passcode", "access_code", "bearer", "seed_phrase", "gender"])
def test_more_keys_that_hold_secrets_or_people_are_never_enums(key: str) -> None:
    before = [{key: value} for value in STATUSES]
    assert enum_values(shape_of(before).keys[key]) is None


def test_the_value_of_a_name_value_pair_is_never_an_enum() -> None:
    pairs = [{"env": [{"name": "DB_PASSWORD", "value": v}]} for v in STATUSES]
    assert enum_values(shape_of(pairs).keys["env"].items.keys["value"]) is None  # type: ignore[union-attr]


def test_a_map_of_field_names_holding_a_secret_has_no_enum_values() -> None:
    """Records whose keys vary fold into a map (`settings{*}`): one key that may hold no
    enum (`db_password`) and the merged values are no enum either, never shown."""
    secrets = ("hunter2", "letmein", "opensesame")
    bodies = [
        {"settings": {f"opt{n}": "on", "db_password": secrets[n % 3], "mode": "fast"}}
        for n in range(12)
    ]
    node = shape_of(bodies).keys["settings"]
    assert node.values is not None  # a map
    assert enum_values(node.values) is None


def test_enums_under_a_scrubbed_key_are_cleared_whatever_the_case_and_depth() -> None:
    plans = [
        {"account": {"Plan": ("free", "pro")[n % 2], "tier": ("a", "b")[n % 2]}} for n in range(12)
    ]
    node = shape_of(plans)
    assert enum_values(node.keys["account"].keys["Plan"]) == ("free", "pro")
    assert cleared(node, frozenset({"nothing"})) is node  # no scrubbed key: the same shape
    for keys in ({"plan"}, {"account"}):
        account = cleared(node, frozenset(keys)).keys["account"]
        assert enum_values(account.keys["Plan"]) is None
        assert (enum_values(account.keys["tier"]) is None) == (keys == {"account"})
    enterprise = [{**body, "account": {**body["account"], "Plan": "enterprise"}} for body in plans]
    before, after = side(plans), side(enterprise)
    report = compare(clear_enums(before, ["PLAN"]), clear_enums(after, ["PLAN"]))
    assert [f.path for f in report.findings] == []
    assert [f.path for f in compare(before, after).findings] == ["$.account.Plan"] * 2
