"""URL-regex mocks against endpoints recorded under more distinct URLs than a scan keeps
(`core/census.py` `URIS`): the regex is tested on every recorded URL, read again, so it
matches as it would if all were kept — no false finding, none lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from driftcheck.core.census import URIS
from tests.helpers import run

API = "https://api.x.com"
MOCK = """import re
import responses


@responses.activate
def test_account():
    responses.add(responses.GET, re.compile(r"{pattern}"), json={body}, status=200)
"""


def _cassette(path: Path, uri: str, body: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    interaction = {
        "request": {"method": "GET", "uri": f"{API}{uri}", "body": None, "headers": {}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": json.dumps(body)},
        },
    }
    path.write_text(json.dumps({"interactions": [interaction], "version": 1}))


def _project(root: Path, pattern: str, body: dict[str, Any]) -> None:
    _cassette(root / "cassettes" / "000_users.json", "/users/1", {"id": 1, "name": "n"})
    for n in range(URIS + 44):  # the last ones are past what a scan keeps
        _cassette(root / "cassettes" / f"acct{n:03d}.json", f"/accounts/{n}", {"id": f"a{n}"})
    (root / "tests").mkdir()
    (root / "tests" / "test_api.py").write_text(MOCK.format(pattern=pattern, body=body))
    (root / "driftcheck.toml").write_text('cassettes = "cassettes"\n')


@pytest.mark.parametrize(
    ("pattern", "body", "code", "matched"),
    [  # a URL of each endpoint: a tie, never compared (a guess gave a false breaking)
        (r"https://api\.x\.com/(users/1|accounts/299)$", {"id": "a299"}, 0, []),
        # only the last accounts URL: compared with accounts, its drift found
        (r"https://api\.x\.com/accounts/299$", {"id": 299}, 1, ["GET api.x.com/accounts/{id}"]),
    ],
    ids=["tie", "a URL past the kept ones"],
)
def test_a_url_regex_is_tested_on_every_recorded_url(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    pattern: str,
    body: dict[str, Any],
    code: int,
    matched: list[str],
) -> None:
    _project(tmp_path, pattern, body)
    monkeypatch.chdir(tmp_path)
    result = run("diff", "--no-cache", "--format", "json")
    assert result.exit_code == code, result.output
    report = json.loads(result.output)
    assert sorted({f["endpoint"] for f in report["findings"]}) == matched
    if code:
        assert [f["rule"] for f in report["findings"]] == ["mock-type-mismatch"]
