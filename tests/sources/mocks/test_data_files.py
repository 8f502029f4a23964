"""Payloads loaded from JSON and YAML files through a literal path: served for real by a
mocking library, and read statically from the same files."""

from __future__ import annotations

import pytest

from driftcheck.core.mocks import DATA_FILE
from tests.sources.mocks.project import run_real, stated

HELPERS = """
    import json
    import os


    def load_fixture(name):
        with open(os.path.join(os.path.dirname(__file__), "data", name)) as handle:
            return json.load(handle)
"""

TESTS = """
    import json
    import os
    from pathlib import Path

    import responses
    import yaml

    import client
    from tests.helpers import load_fixture

    HERE = os.path.dirname(os.path.abspath(__file__))
    FIXTURES = Path(__file__).parent / "data"
    API = "https://api.example.com"


    @responses.activate
    def test_spellings():
        responses.get(f"{API}/1", json=json.loads(Path("tests/data/user.json").read_text()))
        responses.get(f"{API}/2", json=json.load(open(os.path.join(HERE, "data", "user.json"))))
        responses.get(f"{API}/3", json=json.loads((FIXTURES / "team").read_text()))
        with open(FIXTURES / "error.yaml") as handle:
            error = yaml.safe_load(handle)
        responses.get(f"{API}/4", json=error, status=404)
        responses.get(f"{API}/5", json=load_fixture("team"))
        assert client.fetch("GET", f"{API}/1") == (200, {"id": 1, "name": "Ada"})
        assert client.fetch("GET", f"{API}/2") == (200, {"id": 1, "name": "Ada"})
        assert client.fetch("GET", f"{API}/3") == (200, [{"id": 7}])
        assert client.fetch("GET", f"{API}/4") == (404, {"error": "gone", "code": 4})
        assert client.fetch("GET", f"{API}/5") == (200, [{"id": 7}])


    def test_loaded_for_the_code():
        user = json.loads((FIXTURES / "user.json").read_text())
        assert user["name"] == "Ada"
"""

DATA = {
    "tests/data/user.json": '{\n  "id": 1,\n  "name": "Ada"\n}\n',
    "tests/data/team": '[{"id": 7}]\n',
    "tests/data/error.yaml": "error: gone\ncode: 4\n",
    "tests/helpers.py": HELPERS,
}


def test_files_are_read_as_the_test_reads_them(pytester: pytest.Pytester) -> None:
    found = run_real(pytester, TESTS, client="requests", passed=2, files=DATA)
    assert found.skipped == ()
    api = "https://api.example.com"
    user = {"id": 1, "name": "Ada"}
    assert stated(found) == [
        ("responses", "GET", f"{api}/1", 200, user),
        ("responses", "GET", f"{api}/2", 200, user),
        ("responses", "GET", f"{api}/3", 200, [{"id": 7}]),
        ("responses", "GET", f"{api}/4", 404, {"error": "gone", "code": 4}),
        ("responses", "GET", f"{api}/5", 200, [{"id": 7}]),
        (DATA_FILE, None, None, None, user),
    ]
    assert [m.fixture.file for m in found.mocks] == [
        "tests/data/user.json",
        "tests/data/user.json",
        "tests/data/team",
        "tests/data/error.yaml",
        "tests/data/team",
        "tests/data/user.json",
    ]
    assert found.mocks[0].fixture.where("$.name").line == 3
    assert found.mocks[3].fixture.where("$.code").line == 2
    assert found.mocks[-1].used_by == ("tests/test_mocks.py::test_loaded_for_the_code",)
