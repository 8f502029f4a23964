"""Recency (core/recency.py): a file's recording day, the days a contract keeps, an
endpoint's statuses restricted to them, and findings that rest only on old recordings."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

import pytest

from driftcheck.core.endpoints import group
from driftcheck.core.model import (
    BodyKind,
    Finding,
    Interaction,
    Location,
    Severity,
    StatusShape,
)
from driftcheck.core.recency import (
    OLD_NOTE,
    OLD_REASON,
    UNDATED,
    Recency,
    chosen_days,
    day_of,
    days_of,
    only_old,
    recent,
    select,
)
from driftcheck.core.rules import RuleId
from driftcheck.core.shape import flatten, infer_all

NAME = "GET api.example.com/users"


def stamp(day: str) -> float:
    moment = datetime.datetime.fromisoformat(f"{day}T12:00:00+00:00")
    return moment.timestamp()


def recorded(*files: tuple[str, str | None, list[Any]], status: int = 200) -> list[Interaction]:
    """Interactions of one endpoint with their bodies: (file, day or None, bodies)."""
    return [
        Interaction(
            "GET", "https://api.example.com/users", status, "application/json", BodyKind.JSON,
            body, source=source, index=n, recorded_at=None if day is None else stamp(day),
        )
        for source, day, bodies in files
        for n, body in enumerate(bodies)
    ]  # fmt: skip


def statuses_of(*interactions: Interaction) -> Mapping[int, StatusShape]:
    (found,) = group(interactions).endpoints.values()
    return found


def paths(shape: StatusShape) -> dict[str, bool]:
    """Each path of a status's shape, and whether it is required."""
    assert shape.shape is not None
    return {field.path: field.required for field in flatten(shape.shape)}


OLD = ("old.yaml", "2015-06-15", [{"id": 1}, {"id": 2, "beta": True}])
MIDDLE = ("middle.yaml", "2023-03-01", [{"id": 3, "email": "a"}])
NEW = ("new.yaml", "2024-02-01", [{"id": 4, "email": "b"}, {"id": 5, "email": "c"}])
UNKNOWN = ("unknown.yaml", None, [{"id": 6, "email": None}])


def test_a_file_is_dated_by_its_newest_stamp_as_a_utc_day() -> None:
    late = datetime.datetime(
        2024, 2, 1, 23, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-5))
    )
    assert day_of([stamp("2015-06-15"), None, late.timestamp()]) == "2024-02-02"
    assert day_of([None, None]) == UNDATED == ""
    assert day_of([]) == UNDATED


def test_a_status_keeps_its_bodies_per_recording_day_and_their_merge() -> None:
    statuses = statuses_of(*recorded(NEW, OLD, UNKNOWN, MIDDLE))
    shape = statuses[200]
    assert [day for day, _ in shape.eras] == ["", "2015-06-15", "2023-03-01", "2024-02-01"]
    eras = dict(shape.eras)
    assert eras["2015-06-15"] == infer_all(OLD[2])
    assert sum(node.count for node in eras.values()) == shape.samples == 6
    assert paths(shape) == {"$": True, "$.id": True, "$.email": False, "$.beta": False}
    assert days_of(statuses) == ["2015-06-15", "2023-03-01", "2024-02-01"]


def test_nothing_dated_keeps_no_eras() -> None:
    (shape,) = statuses_of(*recorded(UNKNOWN, ("b.yaml", None, [{"id": 1}]))).values()
    assert shape.eras == ()
    assert shape.shape == infer_all([{"id": 6, "email": None}, {"id": 1}])


@pytest.mark.parametrize(
    ("recency", "days"),
    [
        (Recency(), {"2015-06-15", "2023-03-01", "2024-02-01"}),
        (Recency(since=datetime.date(2023, 3, 1)), {"2023-03-01", "2024-02-01"}),
        (Recency(since=datetime.date(2025, 1, 1)), set()),
        (Recency(newest=1), {"2024-02-01"}),
        (Recency(newest=5), {"2015-06-15", "2023-03-01", "2024-02-01"}),
        (Recency(since=datetime.date(2016, 1, 1), newest=1), {"2024-02-01"}),
        (Recency(since=datetime.date(2024, 6, 1), newest=2), set()),
    ],
)
def test_chosen_days(recency: Recency, days: set[str]) -> None:
    given = ["2024-02-01", "", "2015-06-15", "2023-03-01", "2024-02-01"]
    assert chosen_days(given, recency) == days


def test_select_keeps_the_chosen_days_and_the_undated_ones() -> None:
    statuses = statuses_of(*recorded(OLD, NEW, UNKNOWN))
    assert select(statuses, Recency()) is statuses
    (kept,) = select(statuses, Recency(since=datetime.date(2020, 1, 1))).values()
    assert [day for day, _ in kept.eras] == ["", "2024-02-01"]
    assert kept.samples == 3  # the two 2015 bodies left out
    assert paths(kept) == {"$": True, "$.id": True, "$.email": True}  # `beta` was 2015's
    assert select(statuses, Recency(newest=1)) == select(
        statuses, Recency(since=datetime.date(2024, 2, 1))
    )


def test_a_status_whose_every_body_is_left_out_goes() -> None:
    interactions = [*recorded(OLD), *recorded(NEW, status=201)]
    interactions.append(
        Interaction("GET", "https://api.example.com/users", 204, "", BodyKind.EMPTY, source="x")
    )
    statuses = statuses_of(*interactions)
    kept = select(statuses, Recency(since=datetime.date(2020, 1, 1)))
    assert sorted(kept) == [201, 204]  # no body, no date: a 204 stays
    assert kept[201] is statuses[201]


def test_recent_recordings_are_told_apart_only_past_a_year() -> None:
    assert recent(statuses_of(*recorded(MIDDLE, NEW))) is None  # 337 days apart
    assert recent(statuses_of(*recorded(NEW, UNKNOWN))) is None
    assert recent(statuses_of(*recorded(UNKNOWN))) is None
    found = recent(statuses_of(*recorded(OLD, MIDDLE, NEW, UNKNOWN)))
    assert found is not None
    assert found.before == "2015-07"
    assert [day for day, _ in found.statuses[200].eras] == ["", "2023-03-01", "2024-02-01"]
    december = ("dec.yaml", "2019-12-31", [{"id": 1}])
    later = recent(statuses_of(*recorded(december, NEW)))
    assert later is not None
    assert later.before == "2020-01"


def finding(rule: RuleId, path: str, severity: Severity, line: int = 3) -> Finding:
    return Finding(
        NAME, 200, path, rule, severity, "fixture", "b", "c", f"about {path}",
        Location("tests/t.py", line),
    )  # fmt: skip


def test_findings_only_old_recordings_give_say_so_and_fail_no_build() -> None:
    shared = finding(RuleId.MOCK_TYPE_MISMATCH, "$.id", Severity.BREAKING)
    old_type = finding(RuleId.MOCK_TYPE_MISMATCH, "$.age", Severity.BREAKING)
    old_optional = finding(RuleId.MOCK_UNCOVERED_OPTIONAL, "$.email", Severity.WARNING)
    old_info = finding(RuleId.MOCK_UNCOVERED_NULL, "$.name", Severity.INFO)
    elsewhere = finding(RuleId.MOCK_TYPE_MISMATCH, "$.id", Severity.BREAKING, line=9)
    recent_ones = [shared, finding(RuleId.MOCK_FIELD_UNKNOWN, "$.x", Severity.WARNING)]
    found = only_old([shared, old_type, old_optional, old_info, elsewhere], recent_ones, "2015-07")
    assert found[0] is shared
    note = OLD_NOTE.format(month="2015-07")
    assert note == (
        "; seen only in recordings before 2015-07 (the recent ones do not show it; "
        "set `contract_since` to drop them)"
    )
    assert [(f.path, f.severity, f.message) for f in found[1:]] == [
        ("$.age", Severity.WARNING, f"about $.age{note}"),
        ("$.email", Severity.WARNING, f"about $.email{note}"),
        ("$.name", Severity.INFO, f"about $.name{note}"),
        ("$.id", Severity.WARNING, f"about $.id{note}"),  # another place: another finding
    ]
    assert found[0].ignored is None
    assert {f.ignored for f in found[1:]} == {OLD_REASON.format(month="2015-07")}


def test_a_recency_says_how_it_is_configured() -> None:
    assert not Recency()
    assert Recency(newest=2)
    both = Recency(datetime.date(2020, 1, 1), 2)
    assert both.setting == "`contract_since = 2020-01-01` and `contract_newest = 2`"
