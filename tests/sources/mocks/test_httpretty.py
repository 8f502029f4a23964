"""httpretty: `register_uri` with a dumped body, a JSON string, and a list of responses,
served for real (at the socket) to a requests client and read statically."""

from __future__ import annotations

import pytest

from tests.sources.mocks.project import run_real, stated

TESTS = """
    import json

    import httpretty
    from httpretty import HTTPretty

    import client

    API = "https://api.example.com"


    @httpretty.activate(allow_net_connect=False)
    def test_register_uri():
        httpretty.register_uri(
            httpretty.GET, f"{API}/users/1", body=json.dumps({"id": 1}), status=404
        )
        HTTPretty.register_uri(HTTPretty.POST, API + "/users", '{"id": 2}', status=201)
        assert client.fetch("GET", f"{API}/users/1") == (404, {"id": 1})
        assert client.fetch("POST", f"{API}/users") == (201, {"id": 2})


    @httpretty.activate(allow_net_connect=False)
    def test_responses_list():
        httpretty.register_uri(
            httpretty.GET,
            f"{API}/jobs",
            responses=[
                httpretty.Response(body=json.dumps({"state": "queued"}), status=202),
                httpretty.Response(body=json.dumps({"state": "done"})),
            ],
        )
        assert client.fetch("GET", f"{API}/jobs") == (202, {"state": "queued"})
        assert client.fetch("GET", f"{API}/jobs") == (200, {"state": "done"})
"""


def test_every_spelling_is_served_and_read(pytester: pytest.Pytester) -> None:
    found = run_real(pytester, TESTS, client="requests", passed=2)
    assert found.skipped == ()
    base = "https://api.example.com"
    assert stated(found) == [
        ("httpretty", "GET", f"{base}/users/1", 404, {"id": 1}),
        ("httpretty", "POST", f"{base}/users", 201, {"id": 2}),
        ("httpretty", "GET", f"{base}/jobs", 202, {"state": "queued"}),
        ("httpretty", "GET", f"{base}/jobs", 200, {"state": "done"}),
    ]
