"""pytest-httpx: `httpx_mock.add_response` with and without URL and method, served for
real and read statically."""

from __future__ import annotations

import pytest

from tests.sources.mocks.project import run_real, stated

TESTS = """
    import json
    import re

    import client

    API = "https://api.example.com"


    def test_url_method_status(httpx_mock):
        httpx_mock.add_response(url=f"{API}/users/1", method="GET", json={"id": 1}, status_code=404)
        assert client.fetch("GET", f"{API}/users/1") == (404, {"id": 1})


    def test_any_request(httpx_mock):
        httpx_mock.add_response(json=[{"id": 2}])
        assert client.fetch("POST", f"{API}/anything") == (200, [{"id": 2}])


    def test_text_and_regex(httpx_mock):
        httpx_mock.add_response(url=re.compile(r".*/users/\\d+"), text=json.dumps({"id": 3}))
        assert client.fetch("GET", f"{API}/users/3") == (200, {"id": 3})
"""


def test_every_spelling_is_served_and_read(pytester: pytest.Pytester) -> None:
    found = run_real(pytester, TESTS, client="httpx", passed=3)
    assert found.skipped == ()
    assert stated(found) == [
        ("pytest-httpx", "GET", "https://api.example.com/users/1", 404, {"id": 1}),
        ("pytest-httpx", None, None, 200, [{"id": 2}]),
        ("pytest-httpx", None, r".*/users/\d+", 200, {"id": 3}),
    ]
    assert [m.url_regex for m in found.mocks] == [False, False, True]
