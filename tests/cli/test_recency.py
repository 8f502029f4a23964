"""Recency end to end: a project whose committed cassettes are a Ruby VCR cassette of 2015
(the API's beta era: no `email`, a `nickname` that was null) and vcrpy cassettes of 2024,
and whose test mocks the 2024 API. Without configuration, what only the 2015 recordings
show says so and fails no build; `contract_since` / `contract_newest` leave them out."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from tests.helpers import run, validate

API = "https://api.example.com"
OLD = "Wed, 03 Jun 2015 10:00:00 GMT"  # Ruby VCR's `recorded_at`
JANUARY = "Tue, 16 Jan 2024 10:00:00 GMT"
MARCH = "Fri, 01 Mar 2024 10:00:00 GMT"
NOTE = (
    "seen only in recordings before 2015-07 (the recent ones do not show it; "
    "set `contract_since` to drop them)"
)

ENDPOINT = f"""
[[endpoints]]
name = "user"
url = "{API}/users/{{id}}"
"""
CONFIG = 'cassettes = "tests/cassettes"\ncache = ""\nworkers = 1\n'

MOCKS = f"""
    import responses

    API = "{API}"


    @responses.activate
    def test_user():
        ada = {{"id": 1, "name": "Ada", "email": "a@x.io", "age": "36"}}
        responses.get(f"{{API}}/users/1", json=ada)
"""


def user(n: int, *, old: bool = False) -> dict[str, Any]:
    if old:
        return {"id": n, "name": f"user{n}", "nickname": None, "age": 30 + n}
    return {"id": n, "name": f"user{n}", "email": f"u{n}@x.io", "age": 30 + n}


def write_vcrpy(path: Path, date: str, numbers: range) -> None:
    """A cassette as vcrpy writes it, through vcrpy's own serializer."""
    requests = [Request("GET", f"{API}/users/{n}", None, {}) for n in numbers]
    responses = [
        {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"], "Date": [date]},
            "body": {"string": json.dumps(user(n))},
        }
        for n in numbers
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(serialize({"requests": requests, "responses": responses}, yamlserializer))


def write_ruby_vcr(path: Path, numbers: range) -> None:
    """A cassette as Ruby VCR 2 writes it: `http_interactions`, each `recorded_at`."""
    interactions = [
        {
            "request": {"method": "get", "uri": f"{API}/users/{n}", "headers": {}},
            "response": {
                "status": {"code": 200, "message": "OK"},
                "headers": {"Content-Type": ["application/json"]},
                "body": {"encoding": "UTF-8", "string": json.dumps(user(n, old=True))},
            },
            "recorded_at": OLD,
        }
        for n in numbers
    ]
    document = {"http_interactions": interactions, "recorded_with": "VCR 2.9.3"}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + yaml.safe_dump(document, sort_keys=False))


def project(root: Path, config: str) -> Path:
    (root / ".git").mkdir(parents=True)  # the repository root: the config search stops here
    cassettes = root / "tests" / "cassettes"
    write_ruby_vcr(cassettes / "legacy" / "users_2015.yml", range(20, 24))
    write_vcrpy(cassettes / "test_users" / "test_get.yaml", JANUARY, range(1, 4))
    write_vcrpy(cassettes / "test_users" / "test_again.yaml", MARCH, range(4, 6))
    (root / "driftcheck.toml").write_text(config)
    (root / "tests" / "test_users.py").write_text(textwrap.dedent(MOCKS).lstrip())
    return root


def diff(root: Path, *flags: str) -> tuple[int, dict[str, Any]]:
    here = Path.cwd()
    os.chdir(root)
    try:
        result = run("diff", "--format", "json", *flags)
    finally:
        os.chdir(here)
    assert result.exit_code in (0, 1), result.output
    report: dict[str, Any] = json.loads(result.output)
    validate(report)
    return result.exit_code, report


def findings_of(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [(f["rule"], f["path"], f["severity"]) for f in report["findings"]]


MISMATCH = ("mock-type-mismatch", "$.age", "breaking")  # the mock's own defect, in every era


def test_findings_only_the_2015_cassette_gives_say_so_as_warnings(tmp_path: Path) -> None:
    code, report = diff(project(tmp_path, CONFIG + ENDPOINT))
    assert findings_of(report) == [MISMATCH, ("mock-uncovered-optional", "$.email", "warning")]
    mismatch, email = report["findings"]
    assert "seen only" not in mismatch["message"]
    assert email["message"] == (
        "`$.email` is missing in 4 of 9 recorded responses (44 %); no fixture for endpoint "
        f"`user` covers its absence; {NOTE}"
    )
    assert email["ignored"] is True
    assert email["ignore_reason"].startswith("rests only on recordings before 2015-07")
    assert mismatch["ignored"] is False
    assert code == 1  # the mismatch alone


@pytest.mark.parametrize(
    "recency",
    [
        "contract_since = 2020-01-01\n",
        'contract_since = "2024-01-01"\n',
        "contract_newest = 2\n",
        f"contract_since = 2010-01-01\n{ENDPOINT}contract_since = 2016-01-01\n",
    ],
    ids=["since", "since as text", "newest days", "an endpoint's own"],
)
def test_configured_recency_leaves_the_old_recordings_out(tmp_path: Path, recency: str) -> None:
    config = CONFIG + recency + ("" if "[[endpoints]]" in recency else ENDPOINT)
    code, report = diff(project(tmp_path, config))
    assert findings_of(report) == [MISMATCH]
    assert code == 1


def test_the_newest_day_alone(tmp_path: Path) -> None:
    """`contract_newest = 1`: the March cassette only, which holds two users."""
    root = project(tmp_path, CONFIG + "contract_newest = 1\n" + ENDPOINT)
    _, report = diff(root)
    assert findings_of(report) == [MISMATCH]
    assert "(2 recorded values)" in report["findings"][0]["message"]


def test_nothing_recent_enough_leaves_the_mock_unmatched_and_says_why(tmp_path: Path) -> None:
    code, report = diff(project(tmp_path, CONFIG + ENDPOINT + "contract_since = 2025-01-01\n"))
    assert report["findings"] == []
    (unmatched,) = report["fixtures_unmatched"]
    assert unmatched["reason"] == (
        "`user` was never recorded answering 200 (recorded: nothing); older recordings are "
        "left out by `contract_since = 2025-01-01`"
    )
    assert code == 0


def test_fresh_recordings_are_compared_with_the_committed_ones_recency_keeps(
    tmp_path: Path,
) -> None:
    """`nickname` is in the 2015 cassette only: against everything committed, the fresh
    recording lost it, which only the old recordings say (shown, ignored); against the
    recordings since 2020, nothing changed."""
    root = project(tmp_path, CONFIG + ENDPOINT)
    write_vcrpy(root / ".driftcheck" / "fresh" / "user.yaml", MARCH, range(1, 3))
    _, report = diff(root)
    cassette = [f for f in report["findings"] if not f["rule"].startswith("mock-")]
    removed = [f for f in cassette if (f["rule"], f["path"]) == ("field-removed", "$.nickname")]
    assert len(removed) == 1
    assert removed[0]["ignored"] is True
    assert removed[0]["ignore_reason"].startswith("rests only on recordings before 2015-07")
    assert all(f["ignored"] for f in cassette)
    since = CONFIG + ENDPOINT + "contract_since = 2020-01-01\n"
    (root / "driftcheck.toml").write_text(since)
    _, recent = diff(root)
    assert [f for f in findings_of(recent) if not f[0].startswith("mock-")] == []
    (root / "driftcheck.toml").write_text(since.replace("2020-01-01", "2025-01-01"))
    _, none_kept = diff(root)
    assert [f for f in findings_of(none_kept) if not f[0].startswith("mock-")] == []
    assert (
        "`user`: no committed recording within `contract_since = 2025-01-01`; its fresh "
        "recordings were not compared"
    ) in none_kept["notes"]
