"""pytest fixtures returning literals: each is a payload named for the tests that take
it, and a mock call whose body is such a fixture reads the fixture's literal."""

from __future__ import annotations

import pytest

from driftcheck.core.mocks import PYTEST_FIXTURE
from driftcheck.core.model import Location
from driftcheck.sources.mocks import repository_mocks
from tests.sources.mocks.project import run_real

CONFTEST = """
    import pytest


    @pytest.fixture
    def team_payload():
        return {"id": 10, "members": [1, 2]}
"""

TESTS = """
    import pytest
    import responses

    import client

    API = "https://api.example.com"


    @pytest.fixture
    def user_payload():
        return {"id": 1, "name": "Ada"}


    @pytest.fixture(name="error_payload")
    def _error():
        yield {"error": "not found"}


    @responses.activate
    def test_body_is_a_fixture(user_payload):
        responses.get(f"{API}/users/1", json=user_payload)
        assert client.fetch("GET", f"{API}/users/1") == (200, {"id": 1, "name": "Ada"})


    @responses.activate
    def test_conftest_fixture(team_payload, error_payload):
        responses.get(f"{API}/teams/10", json=team_payload)
        responses.get(f"{API}/teams/11", json=error_payload, status=404)
        assert client.fetch("GET", f"{API}/teams/10") == (200, {"id": 10, "members": [1, 2]})
        assert client.fetch("GET", f"{API}/teams/11") == (404, {"error": "not found"})


    def test_only_takes_it(user_payload):
        assert user_payload["id"] == 1
"""


def test_fixtures_are_read_and_linked(pytester: pytest.Pytester) -> None:
    found = run_real(
        pytester, TESTS, client="requests", passed=3, files={"tests/conftest.py": CONFTEST}
    )
    assert found.skipped == ()
    calls = [m for m in found.mocks if m.library == "responses"]
    assert [(m.url, m.status, m.fixture.value, m.via_fixture, m.fixture.file) for m in calls] == [
        ("https://api.example.com/users/1", 200, {"id": 1, "name": "Ada"}, "user_payload",
         "tests/test_mocks.py"),
        ("https://api.example.com/teams/10", 200, {"id": 10, "members": [1, 2]}, "team_payload",
         "tests/conftest.py"),
        ("https://api.example.com/teams/11", 404, {"error": "not found"}, "error_payload",
         "tests/test_mocks.py"),
    ]  # fmt: skip
    fixtures = {m.fixture_name: m for m in found.mocks if m.library == PYTEST_FIXTURE}
    assert set(fixtures) == {"user_payload", "error_payload"}
    user = fixtures["user_payload"]
    assert user.fixture.value == {"id": 1, "name": "Ada"}
    assert user.used_by == (
        "tests/test_mocks.py::test_body_is_a_fixture",
        "tests/test_mocks.py::test_only_takes_it",
    )
    assert user.feeds == (Location("tests/test_mocks.py", 21),)
    assert fixtures["error_payload"].feeds == (Location("tests/test_mocks.py", 28),)

    # The whole repository: a conftest fixture lists the tests below it that take it.
    everything = repository_mocks(pytester.path)
    [team] = [m for m in everything.mocks if m.fixture_name == "team_payload"]
    assert team.call == Location("tests/conftest.py", 5)
    assert team.used_by == ("tests/test_mocks.py::test_conftest_fixture",)
    assert team.feeds == (Location("tests/test_mocks.py", 27),)
