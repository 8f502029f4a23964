"""pytest-recording for real, end to end: a generated project whose tests call a live local
API through `requests` (its base URL from an environment variable) under `@pytest.mark.vcr`,
so the plugin itself writes `tests/cassettes/<module>/<test>.yaml`, several endpoints to a
file; the same tests replay with the server gone. Beside them, unit tests mock that API with
`responses` (one right, one with a planted wrong type) and with `unittest.mock` patching
`project.client.requests.get` (a payload without a required key). Then the real CLI, as
subprocesses in the project: `driftcheck init`, then `driftcheck diff --format json`, whose
report must put each planted defect at its mock and nothing at the right one."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli_process, validate
from tests.servers import Handler, LiveServer, json_response

pytestmark = pytest.mark.slow

ENV = "SHOP_API_URL"

USERS = {
    1: {"id": 1, "name": "Ada", "email": "ada@example.org", "profile": {"bio": "maths"}},
    2: {"id": 2, "name": "Bob", "email": "bob@example.org", "profile": {"bio": "cars"}},
    3: {"id": 3, "name": "Cy", "email": "cy@example.org"},  # no `profile`: it is optional
}

CLIENT = """
    import os

    import requests

    BASE_URL = os.environ.get("{env}", "{url}")


    def get_user(user_id):
        response = requests.get(f"{{BASE_URL}}/users/{{user_id}}", timeout=5)
        response.raise_for_status()
        return response.json()


    def get_orders(user_id):
        response = requests.get(f"{{BASE_URL}}/users/{{user_id}}/orders", timeout=5)
        response.raise_for_status()
        return response.json()
"""

RECORDED = """
    import pytest
    import requests

    from project import client


    @pytest.mark.vcr
    def test_users_and_their_orders():
        assert client.get_user(1)["profile"] == {"bio": "maths"}
        assert client.get_orders(1)["orders"][0]["total"] == 9.5
        assert client.get_user(2)["name"] == "Bob"
        assert client.get_orders(2)["orders"] == []


    @pytest.mark.vcr
    def test_user_without_profile_and_unknown_user():
        assert "profile" not in client.get_user(3)
        assert client.get_orders(3)["user_id"] == 3
        with pytest.raises(requests.HTTPError):
            client.get_user(99)
"""

# The line above each mock says what driftcheck must report there: `# right` (nothing), or
# `# RULE PATH` for a planted defect.
MOCKED = """
    import responses

    from project import client


    @responses.activate
    def test_user():
        # right
        responses.get(f"{client.BASE_URL}/users/3", json={"id": 3, "name": "Cy", "email": "c"})
        assert client.get_user(3)["name"] == "Cy"


    @responses.activate
    def test_user_with_text_id():
        # mock-type-mismatch $.id
        responses.get(f"{client.BASE_URL}/users/1", json={"id": "1", "name": "A", "email": "a"})
        assert client.get_user(1)["name"] == "A"
"""

PATCHED = """
    from unittest import mock

    from project import client


    @mock.patch("project.client.requests.get")
    def test_user_patched(get):
        # mock-field-missing $.email
        get.return_value.json.return_value = {"id": 2, "name": "Bob", "profile": {"bio": "b"}}
        assert client.get_user(2)["name"] == "Bob"
"""

MOCK_MODULES = {"tests/test_mocked.py": MOCKED, "tests/test_patched.py": PATCHED}

PYPROJECT = """
    [tool.pytest.ini_options]
    pythonpath = ["."]
"""


def _serve(body: object, status: int = 200) -> Handler:
    text = json.dumps(body)
    return lambda _: json_response(text, status)


def _routes(server: LiveServer) -> None:
    for user_id, user in USERS.items():
        server.routes[f"/users/{user_id}"] = _serve(user)
        orders = [{"id": 10 * user_id, "total": 9.5}] if user_id == 1 else []
        server.routes[f"/users/{user_id}/orders"] = _serve({"user_id": user_id, "orders": orders})
    server.routes["/users/99"] = _serve({"error": "no such user"}, 404)


def _verdicts(text: str) -> list[tuple[int, str]]:
    """(line, verdict) of each marked mock: the line after its `# verdict` comment."""
    lines = textwrap.dedent(text).strip("\n").splitlines()
    return [
        (number + 1, line.strip().removeprefix("# "))
        for number, line in enumerate(lines, 1)
        if line.strip().startswith("# ")
    ]


def _project(pytester: pytest.Pytester, url: str) -> Path:
    root = pytester.path
    files = {
        "pyproject.toml": PYPROJECT,
        "project/__init__.py": "",
        "project/client.py": CLIENT.format(env=ENV, url=url),
        "tests/__init__.py": "",
        "tests/test_api.py": RECORDED,
        **MOCK_MODULES,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).strip("\n") + "\n")
    return root


def _record(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, default: str | None = None
) -> LiveServer:
    """The project written in `pytester.path`, its client's fallback URL `default` (else
    the server's), its API tests recorded by pytest-recording against the live server that
    the environment names; the server is stopped on return."""
    with LiveServer() as server:
        _routes(server)
        _project(pytester, default or server.url)
        monkeypatch.setenv(ENV, server.url)
        result = pytester.runpytest_subprocess("--record-mode=once", "-p", "recording")
        result.assert_outcomes(passed=5)
        assert server.hits["/users/99"] == 1  # recorded live, not replayed from anywhere
    return server


def test_pytest_recording_writes_one_cassette_per_test_that_replays(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = _record(pytester, monkeypatch, "http://unset.invalid")  # only $SHOP_API_URL works
    folder = pytester.path / "tests" / "cassettes" / "test_api"
    assert sorted(p.name for p in folder.iterdir()) == [
        "test_user_without_profile_and_unknown_user.yaml",
        "test_users_and_their_orders.yaml",
    ]
    both = (folder / "test_users_and_their_orders.yaml").read_text()
    for path in ("/users/1", "/users/1/orders", "/users/2", "/users/2/orders"):
        assert f"uri: {server.url}{path}\n" in both
    assert "code: 404" in (folder / "test_user_without_profile_and_unknown_user.yaml").read_text()
    replayed = pytester.runpytest_subprocess("--record-mode=none", "-p", "recording")
    replayed.assert_outcomes(passed=5)
    assert server.hits.total() == 7  # the server is stopped: every answer is the cassette's


def test_init_then_diff_reports_each_planted_defect_at_its_mock(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    _record(pytester, monkeypatch)  # the mocks' URLs, `client.BASE_URL`, read as recorded
    root = pytester.path
    initialised = cli_process(root, "init")
    assert initialised.returncode == 0, initialised.stdout + initialised.stderr
    assert (root / "driftcheck.toml").is_file()
    diffed = cli_process(root, "diff", "--format", "json", "--no-cache")
    assert diffed.returncode == 1, diffed.stderr  # a type mismatch is breaking
    report: dict[str, Any] = json.loads(diffed.stdout)
    validate(report)
    planted = {
        (*verdict.split(), f"{name}:{line}")
        for name, text in MOCK_MODULES.items()
        for line, verdict in _verdicts(text)
        if verdict.startswith("mock-")
    }
    found = {(f["rule"], f["path"], f["location"]) for f in report["findings"]}
    assert found == planted  # and nothing else: the right mock has no finding
    assert {f["endpoint"] for f in report["findings"]} == {"user"}
    (right,) = [line for line, verdict in _verdicts(MOCKED) if verdict == "right"]
    checked = {
        m["location"]: (m["endpoint"], m["status"], m["matched_by"], m["library"])
        for m in report["fixtures_checked"]
    }
    (wrong,) = [line for line, verdict in _verdicts(MOCKED) if verdict.startswith("mock-")]
    (patched,) = [line for line, _ in _verdicts(PATCHED)]
    assert checked == {
        f"tests/test_mocked.py:{right}": ("user", 200, "url", "responses"),
        f"tests/test_mocked.py:{wrong}": ("user", 200, "url", "responses"),
        f"tests/test_patched.py:{patched}": ("user", 200, "shape", "unittest.mock"),
    }
    assert report["fixtures_unmatched"] == []
    assert report["errors"] == []
