"""respx: routes answered by `.mock`, `.respond`, `%`, `return_value`, on the module,
the plugin's fixture and base-URL routers, served for real and read statically."""

from __future__ import annotations

import pytest

from tests.sources.mocks.project import run_real, stated

TESTS = """
    import httpx
    import pytest
    import respx
    from httpx import Response

    import client

    API = "https://api.example.com"


    @respx.mock
    def test_mock_return_value():
        respx.get(f"{API}/users/1").mock(return_value=httpx.Response(200, json={"id": 1}))
        assert client.fetch("GET", f"{API}/users/1") == (200, {"id": 1})


    def test_fixture_respond(respx_mock):
        respx_mock.post(f"{API}/users").respond(201, json={"id": 2})
        assert client.fetch("POST", f"{API}/users") == (201, {"id": 2})


    @respx.mock
    def test_route_and_modulo():
        respx.route(method="DELETE", url=f"{API}/users/3") % Response(404, json={"error": "x"})
        respx.get(f"{API}/users/4") % dict(json={"id": 4})
        assert client.fetch("DELETE", f"{API}/users/3") == (404, {"error": "x"})
        assert client.fetch("GET", f"{API}/users/4") == (200, {"id": 4})


    @respx.mock
    def test_return_value_and_side_effect():
        route = respx.get(f"{API}/users/5")
        route.return_value = httpx.Response(200, json={"id": 5})
        respx.get(f"{API}/jobs").mock(
            side_effect=[
                httpx.Response(202, json={"state": "queued"}),
                httpx.Response(200, json=[]),
            ]
        )
        assert client.fetch("GET", f"{API}/users/5") == (200, {"id": 5})
        assert client.fetch("GET", f"{API}/jobs") == (202, {"state": "queued"})
        assert client.fetch("GET", f"{API}/jobs") == (200, [])


    def test_base_url_router():
        with respx.mock(base_url=API) as router:
            router.get("/teams/6").respond(json={"id": 6})
            assert client.fetch("GET", f"{API}/teams/6") == (200, {"id": 6})


    @pytest.mark.respx(base_url=API)
    def test_marker(respx_mock):
        respx_mock.get("/teams/7").mock(return_value=Response(200, json={"id": 7}))
        assert client.fetch("GET", f"{API}/teams/7") == (200, {"id": 7})


    @respx.mock
    def test_regex():
        respx.get(url__regex=r"https://api\\.example\\.com/orgs/\\d+").respond(json={"org": 1})
        assert client.fetch("GET", f"{API}/orgs/8") == (200, {"org": 1})
"""


def test_every_spelling_is_served_and_read(pytester: pytest.Pytester) -> None:
    found = run_real(pytester, TESTS, client="httpx", passed=7)
    assert found.skipped == ()
    base = "https://api.example.com"
    assert stated(found) == [
        ("respx", "GET", f"{base}/users/1", 200, {"id": 1}),
        ("respx", "POST", f"{base}/users", 201, {"id": 2}),
        ("respx", "DELETE", f"{base}/users/3", 404, {"error": "x"}),
        ("respx", "GET", f"{base}/users/4", 200, {"id": 4}),
        ("respx", "GET", f"{base}/users/5", 200, {"id": 5}),
        ("respx", "GET", f"{base}/jobs", 202, {"state": "queued"}),
        ("respx", "GET", f"{base}/jobs", 200, []),
        ("respx", "GET", f"{base}/teams/6", 200, {"id": 6}),
        ("respx", "GET", f"{base}/teams/7", 200, {"id": 7}),
        ("respx", "GET", r"https://api\.example\.com/orgs/\d+", 200, {"org": 1}),
    ]
    assert [m.url_regex for m in found.mocks] == [False] * 9 + [True]
