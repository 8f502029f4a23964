"""Issue 13 end to end: a generated project whose cassettes real vcrpy recorded in
pytest-recording's layout (several endpoints per file), and whose tests mock the same API
in several styles (responses, `responses.RequestsMock`, requests-mock, unittest.mock
patching a client function with a static URL, a pytest fixture payload, a JSON file a
test loads), some right, some with planted defects, some for error statuses. The whole
set-up is `driftcheck init`, then `driftcheck diff --format json`: each defect is
reported at its mock's file and path with its rule, no right mock gets a finding, and
the report lists every mock."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run, validate
from tests.mock_api import API, CASSETTES, record, write

CLIENT = f"""
    import requests

    API = "{API}"


    def get_user(user_id):
        return requests.get(f"{{API}}/users/{{user_id}}", timeout=5).json()
"""

TEAMS = f"""
    import requests

    BASE = "{API}/teams"


    def get_team(team_id):
        return requests.get(f"{{BASE}}/{{team_id}}", timeout=5).json()
"""

# The line above each mock says what it is: `# right`, `# RULE PATH` for a planted defect
# reported on the mock's line, `# unmatched`, or `# served` (its payload is written
# elsewhere: a pytest fixture, a JSON file).
USERS = f"""
    import responses

    from shop import client

    API = "{API}"
    T = {{"id": 7, "name": "core"}}


    @responses.activate
    def test_get_user():
        # right
        responses.get(f"{{API}}/users/1", json={{"id": 1, "name": "Ada", "email": "a", "team": T}})
        assert client.get_user(1)["id"] == 1


    @responses.activate
    def test_user_without_email():
        # mock-type-mismatch $.id
        responses.get(f"{{API}}/users/2", json={{"id": "2", "name": "G", "email": None, "team": T}})


    @responses.activate
    def test_missing_user():
        # right
        responses.get(f"{{API}}/users/999", json={{"error": "no", "code": 404}}, status=404)


    def test_create_user():
        with responses.RequestsMock() as rsps:
            # right
            rsps.post(f"{{API}}/users", json={{"id": 3, "created": True}}, status=201)


    def make_user():
        return {{}}


    @responses.activate
    def test_factory():
        # unmatched
        responses.get(f"{{API}}/users/5", json=make_user())


    @responses.activate
    def test_admin():
        # unmatched
        responses.get(f"{{API}}/admin/stats", json={{"users": 2}})
"""

LISTS = f"""
    import requests_mock

    API = "{API}"
    T = {{"id": 7, "name": "core"}}


    def test_list_users():
        with requests_mock.Mocker() as m:
            # right
            m.get(f"{{API}}/users", json=[{{"id": 1, "name": "A", "email": None, "team": T}}])


    def test_user_without_team():
        with requests_mock.Mocker() as m:
            # mock-field-missing $.team
            m.get(f"{{API}}/users/3", json={{"id": 3, "name": "Lin", "email": "l@x.org"}})


    def test_gone_user(requests_mock):
        # mock-type-mismatch $.code
        requests_mock.get(f"{{API}}/users/4", status_code=404, json={{"error": "x", "code": "4"}})
"""

PATCHED = """
    from unittest import mock

    from shop import teams


    @mock.patch("shop.teams.requests.get")
    def test_team(mock_get):
        # right
        mock_get.return_value.json.return_value = {"id": 7, "name": "core", "size": 2}
        assert teams.get_team(7)["size"] == 2
"""

CONFTEST = """
    import pytest


    @pytest.fixture
    def order_payload():
        # mock-type-mismatch $.total
        return {"id": 5, "total": "9.50"}


    @pytest.fixture
    # right: a fixture's value is listed at its `def`
    def health_payload():
        return {"ok": True, "version": "1.2", "uptime": 5}
"""

FIXTURES = f"""
    import json
    from pathlib import Path

    import responses

    API = "{API}"
    TEAM = json.loads((Path(__file__).parent / "data" / "team.json").read_text())


    @responses.activate
    def test_order(order_payload):
        # served
        responses.get(f"{{API}}/orders/5", json=order_payload)


    @responses.activate
    def test_team_from_file():
        # served
        responses.get(f"{{API}}/teams/8", json=TEAM)


    def test_health(health_payload):
        assert health_payload["ok"]
"""

TEAM_FILE = """{
  "id": 8,
  "name": "web",
  "size": 1,
  "lead": "kim"
}
"""

MODULES = {
    "tests/test_users.py": USERS,
    "tests/test_lists.py": LISTS,
    "tests/test_patched.py": PATCHED,
    "tests/conftest.py": CONFTEST,
    "tests/test_fixtures.py": FIXTURES,
}


def _verdicts(text: str) -> list[tuple[int, str]]:
    """(line, verdict) of each marked mock: the line after its `# verdict` comment, in
    the module as written."""
    lines = textwrap.dedent(text).strip("\n").splitlines()
    return [
        (number + 1, line.strip().removeprefix("# "))
        for number, line in enumerate(lines, 1)
        if line.strip().startswith("# ")
    ]


def _marked(text: str, mark: str) -> list[int]:
    """The lines of the mocks whose verdict starts with `mark`."""
    return [line for line, verdict in _verdicts(text) if verdict.startswith(mark)]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("shop")
    record(root / "tests" / "cassettes", CASSETTES)
    write(
        root,
        {
            "shop/__init__.py": "",
            "shop/client.py": CLIENT,
            "shop/teams.py": TEAMS,
            "tests/__init__.py": "",
            "tests/data/team.json": TEAM_FILE,
            **MODULES,
        },
    )
    return root


def _in(folder: Path, *args: str) -> Any:
    """The CLI run in `folder`, as a user runs it there."""
    here = Path.cwd()
    os.chdir(folder)
    try:
        return run(*args)
    finally:
        os.chdir(here)


@pytest.fixture(scope="module")
def report(project: Path) -> dict[str, Any]:
    """`driftcheck init`, then `driftcheck diff --format json`, in the project."""
    initialised = _in(project, "init")
    assert initialised.exit_code == 0, initialised.output
    result = _in(project, "diff", "--format", "json", "--no-cache")
    assert result.exit_code == 1, result.output  # the planted type mismatches are breaking
    document: dict[str, Any] = json.loads(result.output)
    validate(document)
    return document


def _planted() -> set[tuple[str, str, str]]:
    """(rule, path, file:line) of every defect planted in the generated modules."""
    found = {("mock-field-unknown", "$.lead", "tests/data/team.json:5")}
    for name, text in MODULES.items():
        for line, verdict in _verdicts(text):
            if verdict.startswith("mock-"):
                rule, path = verdict.split()
                found.add((rule, path, f"{name}:{line}"))
    return found


def test_each_planted_defect_is_reported_at_its_mock(report: dict[str, Any]) -> None:
    found = {(f["rule"], f["path"], f["location"]) for f in report["findings"]}
    assert found == _planted()  # and nothing else: no right mock has a finding
    by_place = {(f["rule"], f["path"]): (f["endpoint"], f["status"]) for f in report["findings"]}
    assert by_place[("mock-type-mismatch", "$.code")] == ("user", 404)
    assert by_place[("mock-type-mismatch", "$.id")] == ("user", 200)
    assert by_place[("mock-field-unknown", "$.lead")][1] == 200
    assert report["errors"] == []


def test_every_mock_is_listed_checked_or_unmatched(report: dict[str, Any]) -> None:
    checked = {m["location"] for m in report["fixtures_checked"]}
    unmatched = {m["location"]: m["reason"] for m in report["fixtures_unmatched"]}
    listed = {
        f"{name}:{line}"
        for name, text in MODULES.items()
        for line, verdict in _verdicts(text)
        if verdict.startswith(("right", "served", "mock-"))
    }
    (order,) = _marked(CONFTEST, "mock-type-mismatch $.total")
    listed.remove(f"tests/conftest.py:{order}")  # served by test_order's call, listed there
    assert checked == listed
    assert set(unmatched) == {f"tests/test_users.py:{line}" for line in _marked(USERS, "unmatched")}
    factory, admin = _marked(USERS, "unmatched")
    assert unmatched[f"tests/test_users.py:{admin}"] == (
        f"GET {API}/admin/stats fits no recorded endpoint"
    )
    assert unmatched[f"tests/test_users.py:{factory}"] == (
        "a call to `make_user()` is not data; not checked against user"
    )
    assert report["mocked_not_recorded"] == [f"GET {API}/admin/stats"]


def test_each_style_is_matched_by_its_evidence(report: dict[str, Any]) -> None:
    how = {
        m["location"]: (m["endpoint"], m["status"], m["matched_by"], m["library"])
        for m in report["fixtures_checked"]
    }
    (patched,) = _marked(PATCHED, "right")
    (health,) = _marked(CONFTEST, "right")
    order = _marked(FIXTURES, "served")[0]
    created = _marked(USERS, "right")[2]  # the POST
    assert how[f"tests/test_patched.py:{patched}"][2:] == ("patch-target", "unittest.mock")
    assert how[f"tests/conftest.py:{health}"][2:] == ("shape", "pytest-fixture")
    assert how[f"tests/test_fixtures.py:{order}"][1:] == (200, "url", "responses")
    assert how[f"tests/test_users.py:{created}"][1:] == (201, "url", "responses")
    gone = _marked(LISTS, "mock-type-mismatch $.code")[0]
    assert how[f"tests/test_lists.py:{gone}"][1:] == (404, "url", "requests-mock")


def test_diff_without_a_config_says_init_sets_it_up(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # the repository root: the config search stops here
    result = _in(tmp_path, "diff")
    assert result.exit_code == 2
    assert result.output == (
        "Error: no driftcheck.toml found: `driftcheck init` writes one from this "
        "repository's cassettes and mocks; or give BASELINE and CURRENT\n"
    )
