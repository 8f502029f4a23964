"""responses: real runs serve each spelling's mock to a requests client, and the static
reading of the same file finds the same payload, method, URL and status."""

from __future__ import annotations

import pytest

from tests.sources.mocks.project import run_real, stated

TESTS = """
    import json
    import re

    import pytest
    import responses

    import client
    from tests.consts import API, USERS

    USER = {"id": 1, "name": "Ada", "tags": ["a"]}
    NOT_FOUND = {"error": "not found"}


    @pytest.fixture
    def mocked_responses():
        with responses.RequestsMock() as rsps:
            yield rsps


    @responses.activate
    def test_add_positional():
        responses.add(responses.GET, f"{API}/users/1", json=USER, status=200)
        assert client.fetch("GET", "https://api.example.com/users/1") == (200, USER)


    @responses.activate
    def test_add_keywords_with_a_dumped_body():
        responses.add(method="POST", url=API + "/users", body=json.dumps(NOT_FOUND), status=404)
        assert client.fetch("POST", "https://api.example.com/users") == (404, NOT_FOUND)


    @responses.activate
    def test_shortcuts_mixed_with_add():
        responses.get(USERS + "/2", json={"id": 2})
        responses.add(responses.DELETE, "{}/users/{}".format(API, 3), json={}, status=202)
        responses.patch("%s/users/%d" % (API, 4), json={"id": 4}, status=201)
        assert client.fetch("GET", "https://api.example.com/users/2") == (200, {"id": 2})
        assert client.fetch("DELETE", "https://api.example.com/users/3") == (202, {})
        assert client.fetch("PATCH", "https://api.example.com/users/4") == (201, {"id": 4})


    def test_requests_mock_context():
        with responses.RequestsMock() as rsps:
            rsps.add(responses.PUT, f"{API}/users/5", json={"id": 5})
            assert client.fetch("PUT", "https://api.example.com/users/5") == (200, {"id": 5})


    def test_fixture(mocked_responses):
        mocked_responses.get(re.compile(r"https://api\\.example\\.com/teams/\\d+"), json=[1, 2])
        assert client.fetch("GET", "https://api.example.com/teams/7") == (200, [1, 2])


    @responses.activate
    def test_response_object():
        made = responses.Response(responses.GET, f"{API}/users/6", json={"id": 6}, status=410)
        responses.add(made)
        assert client.fetch("GET", "https://api.example.com/users/6") == (410, {"id": 6})


    @responses.activate
    def test_upsert_replaces():
        responses.get(f"{API}/users/8", json={"id": 0})
        responses.upsert(responses.GET, f"{API}/users/8", json={"id": 8})
        assert client.fetch("GET", "https://api.example.com/users/8") == (200, {"id": 8})
"""

CONSTS = """
    API = "https://api.example.com"
    USERS = f"{API}/users"
"""


def test_every_spelling_is_served_and_read(pytester: pytest.Pytester) -> None:
    found = run_real(
        pytester, TESTS, client="requests", passed=7, files={"tests/consts.py": CONSTS}
    )
    assert found.skipped == ()
    user = {"id": 1, "name": "Ada", "tags": ["a"]}
    base = "https://api.example.com"
    assert stated(found) == [
        ("responses", "GET", f"{base}/users/1", 200, user),
        ("responses", "POST", f"{base}/users", 404, {"error": "not found"}),
        ("responses", "GET", f"{base}/users/2", 200, {"id": 2}),
        ("responses", "DELETE", f"{base}/users/3", 202, {}),
        ("responses", "PATCH", f"{base}/users/4", 201, {"id": 4}),
        ("responses", "PUT", f"{base}/users/5", 200, {"id": 5}),
        ("responses", "GET", r"https://api\.example\.com/teams/\d+", 200, [1, 2]),
        ("responses", "GET", f"{base}/users/6", 410, {"id": 6}),
        ("responses", "GET", f"{base}/users/8", 200, {"id": 0}),
        ("responses", "GET", f"{base}/users/8", 200, {"id": 8}),
    ]
    assert [m.url_regex for m in found.mocks].count(True) == 1
    assert found.mocks[6].url_regex
    assert [m.call.line for m in found.mocks][:2] == [22, 28]
    assert found.mocks[0].fixture.where("$.tags[*]").line == 10
    assert found.mocks[0].test == "test_add_positional"
