"""Mock fixtures against a real local REST server's recordings, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from werkzeug.wrappers import Request, Response

from driftcheck.cli import cli
from tests.servers import LiveServer, json_response

USERS: dict[int, dict[str, Any]] = {
    1: {"id": 1, "name": "Ada", "profile": {"bio": "x"}, "contact": {"email": "a@x"}},
    2: {"id": 2, "name": "Bob", "profile": {"bio": None}, "contact": {"email": "b@x"}},
    3: {"id": 3, "name": "Cy", "contact": {"email": None}},
    4: {"id": 4, "name": "Di", "profile": {"bio": "y"}, "contact": {"email": "d@x"}},
}

HAPPY = """\
from unittest.mock import patch

MOCK_USER = {
    "id": 1,
    "name": "Ada",
    "profile": {"bio": "writes code"},
    "contact": {"email": "ada@example.com"},
}


@patch("app.requests.get")
def test_user(mock_get):
    mock_get.return_value.json.return_value = MOCK_USER
"""

INVENTED = """\
def test_user(mock_get):
    mock_get.return_value.json.return_value = {
        "id": 1,
        "name": "Ada",
        "nickname": "ada",
        "contact": {"email": "ada@example.com"},
    }
"""

WRONG_TYPE = """\
USER = {
    "id": "1",
    "name": "Ada",
    "contact": {"email": None},
}
"""


def users_api(server: LiveServer) -> None:
    def user(request: Request) -> Response:
        user_id = int(request.path.rsplit("/", 1)[1])
        return json_response(json.dumps(USERS[user_id]))

    for user_id in USERS:
        server.routes[f"/users/{user_id}"] = user


@pytest.fixture
def api() -> Iterator[LiveServer]:
    with LiveServer() as server:
        users_api(server)
        yield server


def project(folder: Path, base: str, fixtures: list[str]) -> Path:
    (folder / "tests").mkdir(exist_ok=True)
    modules = {
        "test_happy.py": HAPPY,
        "test_invented.py": INVENTED,
        "test_wrong_type.py": WRONG_TYPE,
    }
    for name, text in modules.items():  # `diff` checks every mock: only the ones named
        path = folder / "tests" / name
        if any(ref.startswith(f"tests/{name}") for ref in fixtures):
            path.write_text(text)
        else:
            path.unlink(missing_ok=True)
    config = folder / "driftcheck.toml"
    config.write_text(
        'cassettes = "cassettes"\nfresh = ".driftcheck/fresh"\ntimeout = 5\nretries = 0\n'
        f'[[endpoints]]\nname = "user"\nurl = "{base}/users/{{id}}"\n'
        "params = { id = [1, 2, 3, 4] }\n"
        f"fixtures = {json.dumps(fixtures)}\n"
    )
    return config


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})


def findings(config: Path, *extra: str) -> tuple[int, list[tuple[str, str, str | None]]]:
    result = run("diff", "--config", str(config), "--format", "json", *extra)
    report = json.loads(result.output)
    return result.exit_code, [(f["rule"], f["path"], f["location"]) for f in report["findings"]]


def recorded(config: Path) -> Path:
    result = run("record", "--update", "--config", str(config))
    assert result.exit_code == 0, result.output
    return config


def test_happy_path_mock_is_told_what_reality_varies(api: LiveServer, tmp_path: Path) -> None:
    config = recorded(project(tmp_path, api.url, ["tests/test_happy.py::MOCK_USER"]))
    code, found = findings(config, "--fail-on", "warning")
    assert code == 1
    assert found == [
        ("mock-uncovered-optional", "$.profile", "tests/test_happy.py:3"),
        ("mock-uncovered-null", "$.profile.bio", "tests/test_happy.py:6"),
        ("mock-uncovered-null", "$.contact.email", "tests/test_happy.py:7"),
    ]
    report = json.loads(run("diff", "--config", str(config), "--format", "json").output)
    assert report["findings"][0]["message"] == (
        "`$.profile` is missing in 1 of 4 recorded responses (25 %); "
        "no fixture for endpoint `user` covers its absence"
    )
    assert report["notes"] == [
        "no fresh recordings in .driftcheck/fresh: only fixtures were compared"  # as configured
    ]


def test_invented_key_and_wrong_type_point_at_their_lines(api: LiveServer, tmp_path: Path) -> None:
    config = recorded(project(tmp_path, api.url, ["tests/test_invented.py"]))
    _, found = findings(config)
    assert ("mock-field-unknown", "$.nickname", "tests/test_invented.py:5") in found
    config = project(tmp_path, api.url, ["tests/test_wrong_type.py::USER"])
    code, found = findings(config)
    assert code == 1  # mock-type-mismatch is breaking
    assert found[0] == ("mock-type-mismatch", "$.id", "tests/test_wrong_type.py:2")


def test_generated_variants_cover_reality(api: LiveServer, tmp_path: Path) -> None:
    config = recorded(project(tmp_path, api.url, ["tests/test_happy.py::MOCK_USER"]))
    result = run("fixtures", "user", "--variants", "--config", str(config))
    assert result.exit_code == 0, result.output
    out = tmp_path / "tests" / "fixtures" / "user"
    written = sorted(p.name for p in out.iterdir())
    assert written == ["user.1.json", "user.2.json"]
    assert json.loads((out / "user.1.json").read_text()) == USERS[3]  # no profile, email null
    assert json.loads((out / "user.2.json").read_text()) == USERS[2]  # bio null
    assert "2 files from 2 recorded bodies cover 3 of 3 targets" in result.output
    config = project(
        tmp_path, api.url, ["tests/test_happy.py::MOCK_USER", "tests/fixtures/user/*.json"]
    )
    assert findings(config, "--fail-on", "info") == (0, [])


def test_both_comparisons_in_one_report(api: LiveServer, tmp_path: Path) -> None:
    config = recorded(project(tmp_path, api.url, ["tests/test_wrong_type.py::USER"]))
    before = dict(USERS)
    try:
        USERS[1] = {**USERS[1], "name": 7}  # the API drifts: a name comes back as a number
        assert run("record", "--config", str(config)).exit_code == 0
    finally:
        USERS.update(before)
    report = json.loads(run("diff", "--config", str(config), "--format", "json").output)
    sources = {(f["source"], f["rule"], f["path"]) for f in report["findings"]}
    assert ("cassette", "type-widened", "$.name") in sources
    assert ("fixture", "mock-type-mismatch", "$.id") in sources
    assert report["notes"] == []


def test_problems_are_one_line_each(api: LiveServer, tmp_path: Path) -> None:
    config = project(tmp_path, api.url, ["tests/missing.json", "tests/test_happy.py::MOCK_USR"])
    result = run("diff", "--config", str(config), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.output)["errors"] == [
        {"file": "tests/missing.json", "message": "no such fixture file"},
        {
            "file": "tests/test_happy.py",
            "message": "no assignment named `MOCK_USR`; did you mean `MOCK_USER`?",
        },
    ]
    config = project(tmp_path, api.url, ["tests/test_happy.py::MOCK_USER"])
    result = run("diff", "--config", str(config), "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.output)["errors"] == [
        {
            "file": "user",
            "message": f"fixtures not checked: endpoint `user` (GET {api.url}/users/{{id}}) "
            f"has no recording: no interaction in {tmp_path}/.driftcheck/fresh or "
            f"{tmp_path}/cassettes matches it; run `driftcheck record`",
        }
    ]


def test_nothing_to_compare_is_a_usage_error(tmp_path: Path) -> None:
    config = tmp_path / "driftcheck.toml"
    config.write_text('[[endpoints]]\nname = "user"\nurl = "http://127.0.0.1:9/u"\n')
    result = run("diff", "--config", str(config))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {config}: nothing to compare: no fresh recordings in "
        f"{tmp_path / '.driftcheck' / 'fresh'} and no mocks found in the tests under "
        f"{tmp_path}; run `driftcheck record`, or give BASELINE and CURRENT\n"
    )


def test_fixtures_command_errors(api: LiveServer, tmp_path: Path) -> None:
    config = recorded(project(tmp_path, api.url, []))
    result = run("fixtures", "usr", "--variants", "--config", str(config))
    assert result.exit_code == 2
    assert result.output == "Error: unknown endpoint `usr`; did you mean `user`? (known: user)\n"
    result = run("fixtures", "user", "--config", str(config))
    assert result.exit_code == 2
    assert "Error: say what to write: --variants" in result.output


def test_config_mode_as_a_subprocess(api: LiveServer, tmp_path: Path) -> None:
    recorded(project(tmp_path, api.url, ["tests/test_wrong_type.py::USER"]))
    done = subprocess.run(
        [sys.executable, "-m", "driftcheck", "diff"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin", "COLUMNS": "100"},
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "mock-type-mismatch [200] $.id" in done.stdout
    assert "at tests/test_wrong_type.py:2" in done.stdout
    assert done.stderr == ""


def test_check_compares_fixtures_with_the_fresh_recording(api: LiveServer, tmp_path: Path) -> None:
    config = recorded(project(tmp_path, api.url, ["tests/test_wrong_type.py::USER"]))
    result = run("check", "--config", str(config), "--format", "json")
    report = json.loads(result.stdout)
    assert result.exit_code == 1
    assert [(f["source"], f["rule"], f["path"]) for f in report["findings"]][:1] == [
        ("fixture", "mock-type-mismatch", "$.id")
    ]
    assert not (tmp_path / ".driftcheck" / "fresh").exists()  # check records into a temp folder
