"""`driftcheck fixtures ENDPOINT --variants` on cassettes recorded by real vcrpy from a
real local server: one file per enum value and per string format the API returned, each
value as recorded, and the files, used as fixtures, leave no finding."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import vcr

from tests.helpers import run
from tests.servers import LiveServer, json_response

STATUSES = ["active"] * 5 + ["inactive"] * 4 + ["suspended"] * 3
NAMES = ["Ada", "Bob", "Cy", "Dee", "Eve", "Fay", "Gus", "Hal", "Ivy", "Jon", "Kim", "Lu"]
DATED = {10, 11}  # suspended accounts: `created_at` a plain date, elsewhere a date-time


def account(number: int) -> dict[str, Any]:
    day = f"2024-01-{number + 1:02d}"
    return {
        "id": number + 1,
        "name": NAMES[number],
        "bio": f"{NAMES[number]} keeps {number} cats and a blog",
        "status": STATUSES[number],
        "created_at": day if number in DATED else f"{day}T10:{number:02d}:00Z",
        "updated_at": f"2024-02-{number + 1:02d}T08:30:00Z",
    }


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cassette of 12 accounts, recorded by vcrpy from a live local server."""
    folder = tmp_path_factory.mktemp("recorded")
    with LiveServer() as server:
        for number in range(len(STATUSES)):
            body = json.dumps(account(number))
            server.routes[f"/accounts/{number + 1}"] = lambda _, body=body: json_response(body)
        with vcr.VCR(record_mode="all").use_cassette(str(folder / "cassettes" / "accounts.yaml")):
            for number in range(len(STATUSES)):
                response = requests.get(f"{server.url}/accounts/{number + 1}", timeout=5)
                assert response.status_code == 200
        (folder / "url").write_text(server.url)
    return folder


def project(recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str) -> Path:
    """The recording, with a config naming the endpoint, as the working directory."""
    (tmp_path / "cassettes").mkdir()
    cassette = (recorded / "cassettes" / "accounts.yaml").read_text()
    (tmp_path / "cassettes" / "accounts.yaml").write_text(cassette)
    url = (recorded / "url").read_text()
    (tmp_path / "driftcheck.toml").write_text(
        f'cassettes = "cassettes"\n{extra}\n[[endpoints]]\nname = "account"\n'
        f'url = "{url}/accounts/{{id}}"\nfixtures = ["tests/fixtures/account/account.*.json"]\n'
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path / "tests" / "fixtures" / "account"


def written(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(folder.glob("account.*.json"))]


@pytest.mark.parametrize("extra", ["", "values = false"])
def test_a_file_per_enum_value_and_format_each_as_recorded(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str
) -> None:
    folder = project(recorded, tmp_path, monkeypatch, extra)
    result = run("fixtures", "account", "--variants")
    assert result.exit_code == 0, result.output
    bodies = written(folder)
    assert sorted(body["status"] for body in bodies) == ["active", "inactive", "suspended"]
    recorded_bodies = [account(number) for number in range(len(STATUSES))]
    assert all(body in recorded_bodies for body in bodies)  # copies, nothing written anew
    dated = [body for body in bodies if "T" not in body["created_at"]]
    assert [body["status"] for body in dated] == ["suspended"]  # one file shows both
    lines = result.output.splitlines()
    shows = [line.split("  shows: ")[1] for line in lines if line.startswith("wrote ")]
    assert sorted(shows) == [
        '$.status = "active", $.created_at date-time',
        '$.status = "inactive"',
        '$.status = "suspended", $.created_at date',
    ]
    assert (
        "3 files from 3 recorded bodies cover 5 of 5 targets (0 optional keys, 0 nullable "
        "paths, 0 variants, 3 enum values, 2 formats)" in result.output
    )


def test_the_files_as_fixtures_leave_no_finding(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(recorded, tmp_path, monkeypatch, "")
    assert run("fixtures", "account", "--variants").exit_code == 0
    report = json.loads(run("diff", "--format", "json", "--fail-on", "info").output)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == []
    assert len(report["fixtures_checked"]) == 3


def test_a_mock_with_an_unknown_value_beside_them_is_still_found(
    recorded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check the files pass is a real one: a hand-written `ACTIVE` fails it."""
    folder = project(recorded, tmp_path, monkeypatch, "")
    assert run("fixtures", "account", "--variants").exit_code == 0
    wrong = {**account(0), "status": "ACTIVE"}
    (folder / "account.by-hand.json").write_text(json.dumps(wrong))
    report = json.loads(run("diff", "--format", "json", "--fail-on", "info").output)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [
        ("mock-enum-unknown", "$.status")
    ]
