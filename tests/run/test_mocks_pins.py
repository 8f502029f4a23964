"""The config's `fixtures` as pins (run/mocks_pins.py): each payload they name held to
its endpoint, through the mocks that serve it or as a payload of its own, a whole module
pinning only its mocks that state no URL; on cassettes recorded by real vcrpy."""

from __future__ import annotations

import json
from pathlib import Path

from driftcheck.run.mocks import mock_report
from driftcheck.run.mocks_pins import CONFIG_PAYLOAD
from tests.mock_api import (
    ADA,
    API,
    CONFIG,
    GRACE,
    RIGHT,
    checked_of,
    findings_of,
    project,
    unmatched_of,
)

TEAMS = "GET api.example.com/teams/{id}"


def test_config_references_pin_payloads_no_test_serves(tmp_path: Path, cassettes: Path) -> None:
    config = (
        CONFIG
        + 'fixtures = ["tests/payloads/user.json", "mocks.py::GRACE", "tests/missing.json"]\n'
        + f'\n[[endpoints]]\nname = "teams"\nurl = "{API}/teams/{{id}}"\n'
        + 'fixtures = ["tests/payloads/*.yaml"]\n'
    )
    files = {
        "tests/payloads/user.json": json.dumps({**ADA, "nickname": "ada"}, indent=1),
        "tests/payloads/team.yaml": "id: 7\nname: core\nsize: '2'\n",
        "mocks.py": f"GRACE = {GRACE!r}\n",
    }
    report = mock_report(project(tmp_path, cassettes, files, config))
    assert checked_of(report) == [
        ("mocks.py:1", "user", 200, "config", CONFIG_PAYLOAD),
        ("tests/payloads/team.yaml:1", "teams", 200, "config", CONFIG_PAYLOAD),
        ("tests/payloads/user.json:1", "user", 200, "config", CONFIG_PAYLOAD),
    ]
    assert findings_of(report) == [
        ("user", 200, "mock-field-unknown", "$.nickname", "tests/payloads/user.json:9"),
        ("teams", 200, "mock-type-mismatch", "$.size", "tests/payloads/team.yaml:3"),
    ]
    assert [(e.file, e.message) for e in report.errors] == [
        ("tests/missing.json", "no such fixture file")
    ]


def test_a_module_reference_pins_only_its_mocks_that_state_no_url(
    tmp_path: Path, cassettes: Path
) -> None:
    """The whole-module pin of issue 13: a mock stating its URL is matched by it."""
    config = CONFIG + 'fixtures = ["tests/helpers/user_mocks.py"]\n'
    mocks = f"""
        from unittest import mock

        import responses

        @mock.patch("client.fetch")
        def check_user(fetch):
            fetch.return_value.json.return_value = {ADA!r}

        @responses.activate
        def check_team():
            responses.get("{API}/teams/7", json={{"id": 7, "name": "core", "size": 2}})
    """
    files = {"tests/helpers/user_mocks.py": mocks, "client.py": "def fetch(): ...\n"}
    report = mock_report(project(tmp_path, cassettes, files, config))
    assert checked_of(report) == [
        ("tests/helpers/user_mocks.py:7", "user", 200, "config", "unittest.mock"),
        ("tests/helpers/user_mocks.py:11", TEAMS, 200, "url", "responses"),
    ]
    assert report.errors == ()


def test_a_payload_served_by_a_mock_is_pinned_through_it(tmp_path: Path, cassettes: Path) -> None:
    """`::ADA` names the literal a responses call serves: one mock, held to the pin."""
    config = CONFIG.replace('"user"', '"someone"') + 'fixtures = ["tests/test_users.py::ADA"]\n'
    report = mock_report(project(tmp_path, cassettes, {"tests/test_users.py": RIGHT}, config))
    assert checked_of(report) == [("tests/test_users.py:11", "someone", 200, "config", "responses")]


def test_two_endpoints_pinning_one_payload_is_a_note(tmp_path: Path, cassettes: Path) -> None:
    config = (
        CONFIG
        + 'fixtures = ["user.json"]\n'
        + f'[[endpoints]]\nname = "again"\nurl = "{API}/again/{{id}}"\nfixtures = ["user.json"]\n'
    )
    report = mock_report(project(tmp_path, cassettes, {"user.json": json.dumps(ADA)}, config))
    assert "user.json is in the `fixtures` of `user` and of `again`: held to `user`" in report.notes
    assert checked_of(report) == [("user.json:1", "user", 200, "config", CONFIG_PAYLOAD)]
    assert [e.file for e in report.errors] == ["again"]  # it lists fixtures, never recorded


def test_a_named_literal_served_by_a_call_points_at_where_it_is_written(
    tmp_path: Path, cassettes: Path
) -> None:
    config = CONFIG + 'fixtures = ["tests/test_users.py::NO_TEAM"]\n'
    tests = f"""
        import responses

        NO_TEAM = {{
            "id": 1, "name": "Ada", "email": None,
        }}

        @responses.activate
        def test_user():
            responses.get("{API}/users/1", json=NO_TEAM)
    """
    report = mock_report(project(tmp_path, cassettes, {"tests/test_users.py": tests}, config))
    assert checked_of(report) == [("tests/test_users.py:9", "user", 200, "config", "responses")]
    assert findings_of(report) == [
        ("user", 200, "mock-field-missing", "$.team", "tests/test_users.py:3")
    ]  # the literal's line, not the call's


def test_an_endpoint_listing_fixtures_that_nothing_recorded_is_an_error(
    tmp_path: Path, cassettes: Path
) -> None:
    config = (
        CONFIG
        + f'[[endpoints]]\nname = "me"\nurl = "{API}/me"\nfixtures = ["me.json"]\n'
        + f'[[endpoints]]\nname = "quiet"\nurl = "{API}/quiet"\n'
    )
    report = mock_report(project(tmp_path, cassettes, {"me.json": '{"id": 1}'}, config))
    assert [(e.file, e.message) for e in report.errors] == [
        (
            "me",
            f"fixtures not checked: endpoint `me` (GET {API}/me) has no recording: no "
            f"interaction in {tmp_path}/.driftcheck/fresh or {tmp_path}/tests/cassettes "
            "matches it; run `driftcheck record`",
        )
    ]
    assert unmatched_of(report) == [("me.json:1", "the config names it for `me`, never recorded")]
    assert mock_report(project(tmp_path, cassettes, {}, config), names={"user"}).errors == ()
