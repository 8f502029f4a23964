"""run/mocks.py on small projects: cassettes recorded by real vcrpy from a real local
server in pytest-recording's layout (several endpoints per file), test modules mocking
the same API, and the report `diff` gets from them (the recorded API is tests/mock_api.py)."""

from __future__ import annotations

import json
from pathlib import Path

from driftcheck.core.model import Location, MockCoverage
from driftcheck.run.mocks import mock_report
from driftcheck.run.recordings import Recordings
from driftcheck.sources.scan import Settings
from tests.mock_api import (
    ADA,
    API,
    GRACE,
    RIGHT,
    checked_of,
    findings_of,
    project,
    unmatched_of,
)

RESPONSES_TESTS = (
    RIGHT
    + """

    @responses.activate
    def test_wrong_type():
        responses.get(
            f"{API}/users/2",
            json={
                "id": "2",
                "name": "Grace",
                "email": None,
                "team": {"id": 7, "name": "core"},
            },
        )


    @responses.activate
    def test_not_found():
        responses.get(f"{API}/users/999", json={"error": "gone", "code": 404}, status=404)


    @responses.activate
    def test_not_found_wrong():
        responses.get(f"{API}/users/998", json={"error": "gone"}, status=404)
"""
)


def test_mocks_are_compared_with_the_status_they_state(tmp_path: Path, cassettes: Path) -> None:
    config = project(tmp_path, cassettes, {"tests/test_users.py": RESPONSES_TESTS})
    report = mock_report(config)
    assert findings_of(report) == [
        ("user", 200, "mock-type-mismatch", "$.id", "tests/test_users.py:19"),
        ("user", 404, "mock-field-missing", "$.code", "tests/test_users.py:34"),
    ]
    assert report.findings[0].message == (
        "`$.id` is string in fixture tests/test_users.py:19; endpoint `user` returned only "
        "integer there (2 recorded values)"
    )
    assert checked_of(report) == [
        ("tests/test_users.py:11", "user", 200, "url", "responses"),
        ("tests/test_users.py:16", "user", 200, "url", "responses"),
        ("tests/test_users.py:29", "user", 404, "url", "responses"),
        ("tests/test_users.py:34", "user", 404, "url", "responses"),
    ]
    assert report.checked == (("user", 200), ("user", 404))
    assert report.endpoints == 1
    assert unmatched_of(report) == []
    assert report.errors == ()


def test_coverage_rules_see_every_mock_of_an_endpoint_and_status(
    tmp_path: Path, cassettes: Path
) -> None:
    """GRACE's null e-mail is covered by a mock in another module: no uncovered-null."""
    only_ada = {"tests/test_users.py": RIGHT}
    alone = mock_report(project(tmp_path / "alone", cassettes, only_ada))
    assert findings_of(alone) == [
        ("user", 200, "mock-uncovered-null", "$.email", "tests/test_users.py:11")
    ]
    assert alone.findings[0].message == (
        "`$.email` is null in 1 of 2 recorded values (50 %); no fixture for endpoint `user` "
        "has null there"
    )
    grace = f"""
        import requests_mock

        def test_grace():
            with requests_mock.Mocker() as m:
                m.get("{API}/users/2", json={json.dumps(GRACE).replace("null", "None")})
    """
    together = mock_report(
        project(tmp_path / "together", cassettes, {**only_ada, "tests/test_grace.py": grace})
    )
    assert findings_of(together) == []
    assert [c[0] for c in checked_of(together)] == [
        "tests/test_grace.py:5",
        "tests/test_users.py:11",
    ]


def test_an_error_status_without_a_json_body_or_never_recorded_is_unmatched_with_why(
    tmp_path: Path, cassettes: Path
) -> None:
    tests = f"""
        import responses

        @responses.activate
        def test_gone():
            responses.get("{API}/legacy/1", json={{"error": "gone"}}, status=404)
            responses.get("{API}/users/1", json={{"error": "teapot"}}, status=418)
            responses.get("{API}/nowhere", json={{"x": 1}})
    """
    report = mock_report(project(tmp_path, cassettes, {"tests/test_gone.py": tests}))
    assert findings_of(report) == []
    assert checked_of(report) == []
    assert unmatched_of(report) == [
        ("tests/test_gone.py:5", "`GET api.example.com/legacy/{id}` recorded no JSON body "
         "for 404 (text/html): nothing to compare"),
        ("tests/test_gone.py:6", "user was never recorded answering 418 (recorded: 200, 404)"),
        ("tests/test_gone.py:7", f"GET {API}/nowhere fits no recorded endpoint"),
    ]  # fmt: skip
    assert report.coverage is not None
    assert report.coverage.mocked_not_recorded == (f"GET {API}/nowhere",)


def test_a_finding_of_a_mock_matched_by_shape_says_so(tmp_path: Path, cassettes: Path) -> None:
    tests = """
        from unittest import mock

        import status

        @mock.patch("status.fetch")
        def test_health(fetch):
            fetch.return_value.json.return_value = {"ok": "yes", "version": "1.3", "uptime": 9}
    """
    report = mock_report(
        project(
            tmp_path, cassettes, {"tests/test_health.py": tests, "status.py": "def fetch(): ...\n"}
        )
    )
    assert checked_of(report) == [
        ("tests/test_health.py:7", "GET api.example.com/health", 200, "shape", "unittest.mock")
    ]
    assert findings_of(report) == [
        ("GET api.example.com/health", 200, "mock-type-mismatch", "$.ok", "tests/test_health.py:7")
    ]
    assert report.findings[0].message == (
        "`$.ok` is string in fixture tests/test_health.py:7; endpoint `GET api.example.com/health` "
        "returned only boolean there (1 recorded values) (matched by shape similarity: 3 of 3 "
        "keys known to GET api.example.com/health, 3 of its 3 required keys present; next best "
        "0 of 3 keys known to GET api.example.com/orders/{id}, 0 of its 2 required keys present)"
    )


def test_mocks_of_endpoints_outside_the_run_are_noted_not_compared(
    tmp_path: Path, cassettes: Path
) -> None:
    config = project(tmp_path, cassettes, {"tests/test_users.py": RESPONSES_TESTS})
    report = mock_report(config, names={"GET api.example.com/health"})
    assert report.findings == ()
    assert report.checked == ()
    assert report.coverage is not None
    assert report.coverage.checked == ()
    assert report.notes == (
        "4 mocks held to endpoints this run does not cover (`user`) not compared: "
        "tests/test_users.py:11, tests/test_users.py:16, tests/test_users.py:29 and 1 more",
    )


def test_a_run_without_mocks_has_empty_coverage(tmp_path: Path, cassettes: Path) -> None:
    report = mock_report(project(tmp_path, cassettes, {"tests/test_nothing.py": "X = 1\n"}))
    assert report.coverage == MockCoverage(
        recorded_not_mocked=(
            "GET api.example.com/health",
            "GET api.example.com/legacy/{id}",
            "GET api.example.com/orders/{id}",
            "GET api.example.com/teams/{id}",
            "GET api.example.com/users",
            "POST api.example.com/users",
            "user",
        )
    )
    assert (report.findings, report.checked, report.errors) == ((), (), ())


def test_a_test_module_that_does_not_parse_is_a_note(tmp_path: Path, cassettes: Path) -> None:
    report = mock_report(project(tmp_path, cassettes, {"tests/test_py2.py": "print 'hi'\n"}))
    assert report.errors == ()
    assert report.notes == (
        "tests/test_py2.py: invalid Python: cannot be parsed; its mocks were not read",
    )


def test_a_mock_stating_no_status_is_held_to_every_2xx_recorded(
    tmp_path: Path, cassettes: Path
) -> None:
    """/orders answered 200 and 201 with different keys: a mock stating no status is
    held to both (`queued` is known, only sometimes present); one stating 200 (the
    default of responses) is held to the 200 responses alone."""
    tests = f"""
        from unittest import mock

        import responses

        @mock.patch("orders.requests.get")
        def test_queued(get):
            get.return_value.json.return_value = {{"id": 6, "total": 1.0, "queued": False}}

        @responses.activate
        def test_stated():
            responses.get("{API}/orders/5", json={{"id": 6, "total": 1.0, "queued": False}})
    """
    client = f'import requests\n\ndef order(n):\n    return requests.get(f"{API}/orders/{{n}}")\n'
    files = {"tests/test_orders.py": tests, "orders.py": client}
    report = mock_report(project(tmp_path, cassettes, files))
    orders = "GET api.example.com/orders/{id}"
    assert checked_of(report) == [
        ("tests/test_orders.py:7", orders, 200, "patch-target", "unittest.mock"),
        ("tests/test_orders.py:11", orders, 200, "url", "responses"),
    ]
    assert findings_of(report) == [
        (orders, 200, "mock-uncovered-optional", "$.queued", "tests/test_orders.py:7"),
        (orders, 200, "mock-field-unknown", "$.queued", "tests/test_orders.py:11"),
    ]


def test_every_mock_is_checked_orunmatched_of(tmp_path: Path, cassettes: Path) -> None:
    tests = f"""
        import responses

        def make():
            return {{}}

        @responses.activate
        def test_all():
            responses.get("{API}/users/1", json={ADA!r})
            responses.get("{API}/users/1", json=make())
            responses.get("{API}/zzz", json={{}})
    """
    report = mock_report(project(tmp_path, cassettes, {"tests/test_all.py": tests}))
    assert report.coverage is not None
    checked = [c.location for c in report.coverage.checked]
    unmatched = [u.location for u in report.coverage.unmatched]
    assert sorted([*checked, *unmatched]) == [Location("tests/test_all.py", n) for n in (8, 9, 10)]


def test_recordings_are_read_once_for_the_whole_check(tmp_path: Path, cassettes: Path) -> None:
    config = project(tmp_path, cassettes, {"tests/test_users.py": RESPONSES_TESTS})
    recordings = Recordings(config, Settings(workers=1))
    first = mock_report(config, recordings)
    for cassette in (tmp_path / "tests" / "cassettes").rglob("*.yaml"):
        cassette.unlink()
    assert mock_report(config, recordings) == first


def test_coverage_resting_only_on_shape_matches_says_so(tmp_path: Path, cassettes: Path) -> None:
    tests = """
        from unittest import mock

        @mock.patch("status.fetch")
        def test_order(fetch):
            fetch.return_value.json.return_value = {"id": 6, "total": 1.0, "queued": True}
    """
    report = mock_report(project(tmp_path, cassettes, {"tests/test_order.py": tests}))
    orders = "GET api.example.com/orders/{id}"
    assert checked_of(report) == [("tests/test_order.py:5", orders, 200, "shape", "unittest.mock")]
    assert [f.message for f in report.findings] == [
        f"`$.queued` is missing in 1 of 2 recorded responses (50 %); no fixture for endpoint "
        f"`{orders}` covers its absence (mocks matched to `{orders}` by shape similarity only)"
    ]
