"""requests-mock: the plugin's fixture, the Mocker as a context and as a decorator,
register_uri, and response lists, served for real and read statically."""

from __future__ import annotations

import pytest

from tests.sources.mocks.project import run_real, stated

TESTS = """
    import json
    import unittest

    import requests_mock as rm

    import client

    BASE = "https://api.example.com"


    def test_fixture(requests_mock):
        requests_mock.get(f"{BASE}/users/1", json={"id": 1}, status_code=200)
        requests_mock.register_uri(
            "POST", BASE + "/users", text=json.dumps({"id": 2}), status_code=201
        )
        assert client.fetch("GET", f"{BASE}/users/1") == (200, {"id": 1})
        assert client.fetch("POST", f"{BASE}/users") == (201, {"id": 2})


    def test_context():
        with rm.Mocker() as m:
            m.delete(f"{BASE}/users/3", json={"error": "gone"}, status_code=410)
            assert client.fetch("DELETE", f"{BASE}/users/3") == (410, {"error": "gone"})


    class TestDecorator(unittest.TestCase):
        @rm.Mocker()
        def test_decorator(self, m):
            m.request("PUT", f"{BASE}/users/4", json={"id": 4})
            assert client.fetch("PUT", f"{BASE}/users/4") == (200, {"id": 4})


    def test_response_list(requests_mock):
        requests_mock.get(
            f"{BASE}/jobs/5",
            [{"json": {"state": "running"}, "status_code": 202}, {"json": {"state": "done"}}],
        )
        assert client.fetch("GET", f"{BASE}/jobs/5") == (202, {"state": "running"})
        assert client.fetch("GET", f"{BASE}/jobs/5") == (200, {"state": "done"})
"""


def test_every_spelling_is_served_and_read(pytester: pytest.Pytester) -> None:
    found = run_real(pytester, TESTS, client="requests", passed=4)
    assert found.skipped == ()
    base = "https://api.example.com"
    library = "requests-mock"
    assert stated(found) == [
        (library, "GET", f"{base}/users/1", 200, {"id": 1}),
        (library, "POST", f"{base}/users", 201, {"id": 2}),
        (library, "DELETE", f"{base}/users/3", 410, {"error": "gone"}),
        (library, "PUT", f"{base}/users/4", 200, {"id": 4}),
        (library, "GET", f"{base}/jobs/5", 202, {"state": "running"}),
        (library, "GET", f"{base}/jobs/5", 200, {"state": "done"}),
    ]
    assert found.mocks[4].fixture.name != found.mocks[5].fixture.name
