"""A temporary project for real-library tests: a tiny client, a test file that serves it
mocks with the real library, a real pytest run, then driftcheck's static reading of the
same file. Imported by tests, never a test itself."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from driftcheck.core.mocks import MocksFound
from driftcheck.sources.mocks import read_mocks

CLIENTS = {
    "requests": """
        import requests

        def fetch(method, url):
            response = requests.request(method, url)
            return response.status_code, response.json()

        def get_user(user_id):
            response = requests.get(f"https://api.example.com/users/{user_id}")
            return response.status_code, response.json()
    """,
    "httpx": """
        import httpx

        def fetch(method, url):
            response = httpx.request(method, url)
            return response.status_code, response.json()

        def get_user(user_id):
            response = httpx.get(f"https://api.example.com/users/{user_id}")
            return response.status_code, response.json()
    """,
    "aiohttp": """
        import asyncio

        import aiohttp

        async def _fetch(method, url):
            async with aiohttp.ClientSession() as session:
                async with session.request(method, url) as response:
                    return response.status, await response.json()

        def fetch(method, url):
            return asyncio.run(_fetch(method, url))
    """,
}


def run_real(
    pytester: pytest.Pytester,
    tests: str,
    *,
    client: str,
    passed: int,
    files: dict[str, str] | None = None,
    test_file: str = "tests/test_mocks.py",
) -> MocksFound:
    """Write the project, run its tests with the real libraries (all must pass), and
    read the test file statically."""
    root = pytester.path
    written = {"client.py": CLIENTS[client], test_file: tests, **(files or {})}
    for name, text in written.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    (root / "pytest.ini").write_text("[pytest]\npythonpath = .\n")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=passed)
    return read_mocks(root / test_file, root)


def stated(found: MocksFound) -> list[tuple[Any, ...]]:
    """Each mock as (library, method, URL, status, payload), in source order."""
    return [(m.library, m.method, m.url, m.status, m.fixture.value) for m in found.mocks]
