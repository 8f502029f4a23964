"""What a mock is held to as recency decides (run/mocks.py `held_to`, `Held`): the
configured days only, and without configuration the recent recordings beside all of them."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from driftcheck.core.endpoints import group
from driftcheck.core.fixture_check import Contract
from driftcheck.core.model import BodyKind, Finding, Interaction, Location, Severity, StatusShape
from driftcheck.core.recency import Recency
from driftcheck.core.rules import RuleId
from driftcheck.run.mocks import Held, held_to

URL = "https://api.example.com/users"


def statuses(*files: tuple[str, int, list[Any]]) -> Mapping[int, StatusShape]:
    """One endpoint's statuses from (day, status, bodies), a file per entry."""
    interactions = [
        Interaction(
            "GET", URL, status, "application/json", BodyKind.JSON, body, source=f"{day}-{status}",
            recorded_at=datetime.datetime.fromisoformat(f"{day}T08:00:00+00:00").timestamp(),
        )
        for day, status, bodies in files
        for body in bodies
    ]  # fmt: skip
    (found,) = group(interactions).endpoints.values()
    return found


OLD = ("2015-06-15", 200, [{"id": 1}])
NEW = ("2024-02-01", 200, [{"id": 2, "email": "x"}, {"id": 3, "email": "y"}])
CREATED = ("2024-02-01", 201, [{"id": 4, "email": "z"}])


def held(recorded: Mapping[int, StatusShape], status: int | None, recency: Recency) -> Held:
    found = held_to("user", recorded, status, recency)
    assert isinstance(found, Held), found
    return found


def test_a_configured_recency_builds_the_contract_and_tells_nothing_apart() -> None:
    recorded = statuses(OLD, NEW)
    found = held(recorded, 200, Recency(since=datetime.date(2020, 1, 1)))
    assert (found.contract.samples, found.recent, found.before) == (2, None, "")
    assert held(recorded, 200, Recency()).contract.samples == 3


def test_a_recency_that_keeps_nothing_says_which_setting() -> None:
    found = held_to("user", statuses(OLD, CREATED), 200, Recency(newest=1))
    assert found == (
        "`user` was never recorded answering 200 (recorded: 201); older recordings are left "
        "out by `contract_newest = 1`"
    )
    assert held_to("user", statuses(NEW), 404, Recency(newest=1)) == (
        "`user` was never recorded answering 404 (recorded: 200)"  # not for want of recency
    )


def test_recordings_over_a_year_give_the_recent_contract_too() -> None:
    found = held(statuses(OLD, NEW, CREATED), None, Recency())
    assert found.before == "2015-07"
    assert found.recent is not None
    assert (found.contract.samples, found.recent.samples) == (4, 3)  # 2xx merged
    only_old = held(statuses(OLD, CREATED), 200, Recency())
    assert (only_old.recent, only_old.before) == (None, "2015-07")


def test_findings_of_the_old_recordings_alone_are_annotated() -> None:
    def check(contract: Contract) -> list[Finding]:
        """A finding per key the contract's shape has beyond `id`."""
        return [
            Finding("user", 200, f"$.{key}", RuleId.MOCK_FIELD_MISSING, Severity.BREAKING,
                    "fixture", "", "", key, Location("t.py", 1))
            for key in contract.shape.keys
            if key != "id"
        ]  # fmt: skip

    beta = ("2015-06-15", 200, [{"id": 1, "beta": True}])
    found = held(statuses(beta, NEW), 200, Recency()).findings(check)
    assert [(f.path, f.severity, f.message.partition(";")[0]) for f in found] == [
        ("$.beta", Severity.WARNING, "beta"),
        ("$.email", Severity.BREAKING, "email"),
    ]
    assert "seen only in recordings before 2015-07" in found[0].message
    assert held(statuses(NEW), 200, Recency()).findings(check)[0].message == "email"
