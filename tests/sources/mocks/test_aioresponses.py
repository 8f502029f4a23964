"""aioresponses: a context, a decorator, a conftest fixture, `add` with a method, served
for real to an aiohttp client and read statically."""

from __future__ import annotations

import pytest

from tests.sources.mocks.project import run_real, stated

CONFTEST = """
    import pytest
    from aioresponses import aioresponses


    @pytest.fixture
    def mocked():
        with aioresponses() as m:
            yield m
"""

TESTS = """
    import json
    import unittest

    from aioresponses import aioresponses

    import client

    API = "https://api.example.com"


    def test_context():
        with aioresponses() as m:
            m.get(f"{API}/users/1", payload={"id": 1}, status=200)
            m.post(f"{API}/users", body=json.dumps({"id": 2}), status=201)
            assert client.fetch("GET", f"{API}/users/1") == (200, {"id": 1})
            assert client.fetch("POST", f"{API}/users") == (201, {"id": 2})


    class TestDecorator(unittest.TestCase):
        @aioresponses()
        def test_decorator(self, m):
            m.add(f"{API}/users/3", "DELETE", payload={"error": "gone"}, status=410)
            assert client.fetch("DELETE", f"{API}/users/3") == (410, {"error": "gone"})


    def test_fixture(mocked):
        mocked.add(f"{API}/users/4", payload=[4])
        assert client.fetch("GET", f"{API}/users/4") == (200, [4])
"""


def test_every_spelling_is_served_and_read(pytester: pytest.Pytester) -> None:
    found = run_real(
        pytester, TESTS, client="aiohttp", passed=3, files={"tests/conftest.py": CONFTEST}
    )
    assert found.skipped == ()
    base = "https://api.example.com"
    assert stated(found) == [
        ("aioresponses", "GET", f"{base}/users/1", 200, {"id": 1}),
        ("aioresponses", "POST", f"{base}/users", 201, {"id": 2}),
        ("aioresponses", "DELETE", f"{base}/users/3", 410, {"error": "gone"}),
        ("aioresponses", "GET", f"{base}/users/4", 200, [4]),
    ]
