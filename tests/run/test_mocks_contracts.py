"""Contracts and payloads: what a mock of one status is held to (run/mocks.py), a payload
served by several mocks wrong once, and the single-payload check behind the pytest plugin
(run/mocks_payload.py): endpoints named by method and URL, ties, the policy applied and
judged. The plugin's own pytest runs are in tests/test_pytest_plugin.py."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from driftcheck.core.mock_match import Matched
from driftcheck.core.mocks import Mock
from driftcheck.core.model import Fixture, Location, Severity, StatusShape
from driftcheck.core.shape import infer
from driftcheck.errors import InputError
from driftcheck.run.mocks import compare_group, status_contract
from driftcheck.run.mocks_payload import Contracts
from tests.mock_api import API, CONFIG, project


def test_the_plugins_contracts_resolve_urls_and_judge_the_policy(
    tmp_path: Path, cassettes: Path
) -> None:
    """What `assert_matches_contract` asks of run/mocks_payload.py, beside its pytest runs."""
    policy = (
        '\n[[ignore]]\nendpoint = "user"\nreason = "old"\nuntil = 2020-01-31\n'
        '\n[[ignore]]\nendpoint = "usr"\nreason = "typo"\n'
    )
    config = project(tmp_path, cassettes, {}, CONFIG + policy)
    contracts = Contracts(config, today=datetime.date(2026, 1, 1))
    assert contracts.endpoint(f"GET {API}/users/9") == "user"
    assert contracts.endpoint(f"POST {API}/users/") == "POST api.example.com/users"
    with pytest.raises(InputError) as tie:
        contracts.endpoint(f"GET {API}/{{what}}/7")
    assert str(tie.value) == (
        f"`GET {API}/{{what}}/7` fits 4 recorded endpoints equally: "
        "GET api.example.com/legacy/{id}, GET api.example.com/orders/{id}, "
        "GET api.example.com/teams/{id}, user; name one of them"
    )
    checked = contracts.check({"id": 1, "name": "A", "email": None}, "user", 200, Severity.WARNING)
    assert [(f.rule, f.path, f.ignored) for f in checked.findings] == [
        ("mock-field-missing", "$.team", None)  # the expired ignore hides nothing
    ]
    assert checked.failing == checked.findings
    label = f"in {tmp_path / 'driftcheck.toml'}"
    assert contracts.policy_warnings() == [
        f"[[ignore]] #1 {label} (endpoint `user`, rule `*`, path `*`: old) expired on "
        "2020-01-31; it hides nothing any more",
        f"[[ignore]] #2 {label} (endpoint `usr`, rule `*`, path `*`: typo) matches no "
        "endpoint, so it hides nothing (endpoints: GET api.example.com/health, "
        "GET api.example.com/legacy/{id}, GET api.example.com/orders/{id}, "
        "GET api.example.com/teams/{id}, GET api.example.com/users, POST api.example.com/users, "
        "user)",
    ]


def test_status_contract_says_why_there_is_none() -> None:
    shape = infer({"a": 1})
    statuses = {
        200: StatusShape(3, {"application/json": 3}, shape),
        204: StatusShape(1, {"(none)": 1}, None),
    }
    assert (
        status_contract("e", statuses, 404)
        == "`e` was never recorded answering 404 (recorded: 200, 204)"
    )
    assert status_contract("e", statuses, 204) == (
        "`e` recorded no JSON body for 204 ((none)): nothing to compare"
    )
    assert (
        status_contract("e", {}, None)
        == "`e` has no 2xx JSON response recorded: nothing to compare"
    )
    found = status_contract("e", statuses, 200)
    assert not isinstance(found, str)
    assert (found.endpoint, found.status, found.samples) == ("e", 200, 1)


def test_a_payload_served_by_several_mocks_is_wrong_once() -> None:
    contract = status_contract("e", {200: StatusShape(1, {}, infer({"a": 1}))}, 200)
    assert not isinstance(contract, str)
    fixture = Fixture({"a": "x"}, "t.py", 3, "t.py::P", {"$": 3, "$.a": 4})
    mocks = [
        Matched(Mock(fixture, "responses", Location("t.py", line)), "e", 200, "url")
        for line in (10, 20)
    ]
    found = compare_group(contract, mocks)
    assert [(f.rule, str(f.location)) for f in found] == [("mock-type-mismatch", "t.py:4")]
