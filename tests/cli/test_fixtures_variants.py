"""`driftcheck fixtures ENDPOINT --variants`: what it writes and prints, and that the
files, listed as the endpoint's fixtures, leave no finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import run

API = "https://api.x.io"
USERS: list[dict[str, Any]] = [
    {"id": 1, "name": "Ada", "profile": {"bio": "x", "avatar": "a"}, "contact": {"email": "a@x"}},
    {"id": 2, "name": "Bob", "profile": {"bio": None}, "contact": {"email": "b@x"}},
    {"id": 3, "name": "Cy", "contact": {"email": None}},
]
CONFIG = f"""\
cassettes = "cassettes"
[[endpoints]]
name = "user"
url = "{API}/users/{{id}}"
fixtures = ["tests/fixtures/user/user.*.json"]
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config and a vcrpy cassette (JSON serializer) of the users, as the working
    directory, so the command prints paths relative to it."""
    interactions = [
        {
            "request": {"method": "GET", "uri": f"{API}/users/{user['id']}", "headers": {}},
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {"Content-Type": ["application/json"]},
                "body": {"string": json.dumps(user)},
            },
        }
        for user in USERS
    ]
    (tmp_path / "cassettes").mkdir()
    cassette = {"interactions": interactions, "version": 1}
    (tmp_path / "cassettes" / "users.json").write_text(json.dumps(cassette))
    (tmp_path / "driftcheck.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_prints_each_file_and_what_the_files_cover(project: Path) -> None:
    result = run("fixtures", "user", "--variants")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "wrote tests/fixtures/user/user.1.json  (recorded body 2 of 3; $.contact.email set to "
        "null)  shows: $.profile.bio null, $.profile.avatar absent, $.contact.email null",
        "wrote tests/fixtures/user/user.2.json  (recorded body 2 of 3; $.profile removed)  "
        "shows: $.profile absent",
        "2 files from 1 recorded body cover 4 of 4 targets "
        "(2 optional keys, 2 nullable paths, 0 variants)",
        'use them with: fixtures = ["tests/fixtures/user/user.*.json"]',
    ]
    folder = project / "tests" / "fixtures" / "user"
    assert json.loads((folder / "user.2.json").read_text()) == {
        "id": 2,
        "name": "Bob",
        "contact": {"email": "b@x"},
    }
    report = json.loads(run("diff", "--format", "json", "--fail-on", "info").output)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == []
    assert len(report["fixtures_checked"]) == 2


def test_files_the_glob_would_also_pick_up_are_named(project: Path) -> None:
    old = project / "out" / "user.without.profile.json"
    old.parent.mkdir()
    old.write_text("{}")
    result = run("fixtures", "user", "--variants", "--out", "out")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-2:] == [
        "also matched by the glob, not written now (old variants? remove them): "
        "out/user.without.profile.json",
        'use them with: fixtures = ["out/user.*.json"]',
    ]
    assert sorted(path.name for path in old.parent.iterdir()) == [
        "user.1.json",
        "user.2.json",
        "user.without.profile.json",
    ]


def test_without_variants_it_says_what_to_ask_for(project: Path) -> None:
    result = run("fixtures", "user")
    assert result.exit_code == 2
    assert "Error: say what to write: --variants" in result.output
    assert not (project / "tests").exists()
