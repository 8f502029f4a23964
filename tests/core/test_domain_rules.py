"""The rules on values between two sides (`core/domain_rules.py` through `compare`):
enums, formats, empty arrays; what a shape node's domain reads as; `values=False`."""

from __future__ import annotations

from typing import Any

import pytest

from driftcheck.core.compare import compare
from driftcheck.core.domain_rules import (
    MIN_RESPONSES,
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
    assert (
        finding.severity.label == "warning"
    )  # one odd value: whether the rest still parse is unknown


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


def format_change(before: list[str], after: list[str], key: str = "at") -> tuple[str, str, str]:
    """The one finding between two columns: rule, severity, what the current side says."""
    report = compare(side([{key: v} for v in before]), side([{key: v} for v in after]))
    (finding,) = report.findings
    return finding.rule.value, finding.severity.label, finding.current


OFFSETS = ["01:00:00", "05:30:00", "09:00:00", "00:00:00", "10:00:00", "01:00:00"]


@pytest.mark.parametrize(
    "odd",
    ["-05:00:00", "1.02:00:00", "26:00:00", "24:00:00"],
    ids=["negative offset", "TimeSpan of a day and more", "interval past 24 h", "midnight"],
)
def test_durations_and_offsets_read_as_times_change_their_format_only_as_a_warning(
    odd: str,
) -> None:
    """.NET TimeSpans, Postgres intervals and UTC offsets below a day read as `time`; a
    negative or day-long one is the same type, sent for another user or job: no break."""
    rule, severity, _ = format_change(OFFSETS, [*OFFSETS[:5], odd], key="baseUtcOffset")
    assert (rule, severity) == ("format-changed", "warning")


def test_a_times_format_replaced_in_full_is_still_only_a_warning() -> None:
    assert format_change(OFFSETS, ["-05:00:00"] * 6)[:2] == ("format-changed", "warning")
    dates = [f"2024-01-{day:02}" for day in range(1, 7)]  # a format, but not a time's
    assert format_change(OFFSETS, dates)[:2] == ("format-changed", "warning")


DATES = [f"2024-03-{day:02}" for day in range(1, 8)]


@pytest.mark.parametrize(
    ("odd", "current"),
    [
        ("2024-03-20T09:00:00", "not all date (some have no format)"),  # Todoist's floating time
        ("2024-03-20T09:00:00Z", "date 7, date-time 1"),
        ("1974-12", "not all date (some have no format)"),  # FHIR's partial date
        ("0001-01-01T00:00:00", "not all date (some have no format)"),  # .NET's default
    ],
)
def test_one_odd_value_beside_the_old_format_is_a_warning_with_or_without_a_format(
    odd: str, current: str
) -> None:
    assert format_change(DATES, [*DATES, odd]) == (
        "format-changed",
        "warning",
        "string, " + current,
    )


def test_a_parsed_format_is_breaking_only_when_other_formats_replaced_it_in_full() -> None:
    """Breaking needs proof the old format is gone: every current string has a format,
    none the old one. Where some string has none, counting stopped, so say less."""
    stamps = [f"2024-01-{day:02}T10:00:00Z" for day in range(1, 11)]
    dates = [f"2024-01-{day:02}" for day in range(1, 11)]
    uuids = [f"123e4567-e89b-12d3-a456-4266141740{n:02}" for n in range(10)]
    assert format_change(stamps, dates) == ("format-changed", "breaking", "string, date")
    assert format_change(uuids, [str(n) for n in range(10)])[1] == "breaking"
    spaced = [f"2024-01-{day:02} 10:00:00" for day in range(1, 11)]
    assert format_change(stamps, spaced)[1] == "warning"  # no format at all: not known
    odd_id = [*uuids[:3], "create_account"]  # Datadog's `data.id` (corpus split)
    assert format_change(uuids, odd_id, key="id") == (
        "format-changed",
        "warning",
        "string, not all uuid (some have no format)",
    )


TEST_USERS = [
    ("alice", "Alice", "Smith", "fluffy"),
    ("bob", "Bob", "Jones", "rover"),
    ("carol", "Carol", "Brown", "tiger"),
]


def incidents(users: list[tuple[str, str, str, str]]) -> list[dict[str, Any]]:
    """ServiceNow-like incidents of a few re-recorded test users (red team 03)."""
    return [
        {
            "state": ("new", "closed")[n % 2],
            "sys_created_by": login,
            "assigned_to": login,
            "caller": {"first": first, "last": last},
            "patient": {"name": [{"family": last, "given": [first], "use": "official"}]},
            "legal_name": {"preferred": first},
            "security_answer": answer,
        }
        for n, (login, first, last, answer) in enumerate(users * 4)
    ]


def test_people_names_and_secret_answers_of_re_recorded_test_users_are_never_enums() -> None:
    node = shape_of(incidents(TEST_USERS))
    assert enum_values(node.keys["state"]) == ("closed", "new")  # a real enum stays one
    patient = node.keys["patient"].keys["name"].items
    assert patient is not None
    given = patient.keys["given"].items
    assert given is not None
    people = [
        node.keys["sys_created_by"],
        node.keys["assigned_to"],
        node.keys["caller"].keys["first"],
        node.keys["caller"].keys["last"],
        patient.keys["family"],
        given,
        patient.keys["use"],  # anything below a name: FHIR's `use` too, at that cost
        node.keys["legal_name"].keys["preferred"],
        node.keys["security_answer"],
    ]
    assert [enum_values(person) for person in people] == [None] * len(people)
    assert [person.enum for person in people] == [None] * len(people)  # nor kept to cache
    newcomer = incidents([*TEST_USERS[:2], ("zebulon", "Zebulon", "Quartermain", "marmalade")])
    assert found(incidents(TEST_USERS), newcomer) == []


def test_enums_below_a_person_object_stay_enums() -> None:
    """`user.role`, `customer.status`: below a key naming a person or account, not a name."""
    bodies = [{"user": {"role": ("admin", "member")[n % 2]}} for n in range(12)]
    assert enum_values(shape_of(bodies).keys["user"].keys["role"]) == ("admin", "member")


@pytest.mark.parametrize("key", ["id", "user_id", "orderId", "uuid"])
def test_ids_changing_format_are_a_warning_never_breaking(key: str) -> None:
    """A JSON:API feed of several record types holds each type's kind of id (red team 7,
    `data[*].id`: users by UUID yesterday, invoices by number today): ids are opaque."""
    uuids = [f"123e4567-e89b-12d3-a456-4266141740{n:02}" for n in range(10)]
    numbers = [str(4821 + n) for n in range(10)]
    assert format_change(uuids, numbers, key=key) == (
        "format-changed",
        "warning",
        "string, integer-as-string",
    )
    feed = [{"data": [{"type": "users", "id": value} for value in uuids]}] * 3
    later = [{"data": [{"type": "invoices", "id": value} for value in numbers]}] * 3
    (finding,) = compare(side(feed), side(later)).findings
    assert (finding.path, finding.severity.label) == ("$.data[*].id", "warning")
    assert format_change(uuids, numbers, key="reference")[1] == "breaking"  # not an id


def test_one_response_s_elements_make_no_value_contract() -> None:
    """A forecast's 48 hours, one query's pages: one moment of one data set (red team 7).
    Values become a contract from MIN_RESPONSES baseline responses on."""
    symbols = ["clearsky_day", "cloudy", "rain", "partlycloudy_day"] * 12
    forecast = {"timeseries": [{"symbol_code": symbol} for symbol in symbols]}
    tomorrow = {"timeseries": [{"symbol_code": s} for s in [*symbols[:-1], "heavysnow"]]}
    assert found([forecast], [tomorrow]) == []
    assert found([forecast] * (MIN_RESPONSES - 1), [tomorrow]) == []
    assert found([forecast] * MIN_RESPONSES, [tomorrow]) == [
        ("enum-value-added", "$.timeseries[*].symbol_code")
    ]
