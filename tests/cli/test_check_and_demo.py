"""`check` against a real server that drifts, and the bundled demo end to end."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from driftcheck.cli import cli
from driftcheck.demo.app import DemoAPI, serving


def _config(folder: Path, base: str) -> Path:
    path = folder / "driftcheck.toml"
    path.write_text(
        'cassettes = "cassettes"\ntimeout = 2\nretries = 0\n'
        f'[[endpoints]]\nname = "user"\nurl = "{base}/users/{{id}}"\n'
        "params = { id = [1, 2, 3, 4, 5, 6] }\n"
        f'[[endpoints]]\nname = "orders"\nurl = "{base}/users/{{id}}/orders"\n'
        "params = { id = [1, 2] }\n"
    )
    return path


def invoke(*args: str) -> object:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1"})


def test_check_finds_drift_against_committed_cassettes(tmp_path: Path) -> None:
    api = DemoAPI(version=1)
    with serving(api) as base:
        config = _config(tmp_path, base)
        assert invoke("record", "--update", "--config", str(config)).exit_code == 0
        clean = invoke("check", "--config", str(config), "--format", "json")
        assert clean.exit_code == 0, clean.output
        api.version = 2
        drifted = invoke("check", "--config", str(config), "--format", "json")
    report = json.loads(drifted.stdout)
    assert drifted.exit_code == 1
    assert sorted((f["endpoint"], f["rule"], f["path"]) for f in report["findings"]) == [
        ("user", "became-nullable", "$.created_at"),
        ("user", "field-added", "$.preferences"),
        ("user", "field-removed", "$.nickname"),
        ("user", "type-changed", "$.age"),
    ]
    assert not list(tmp_path.glob("driftcheck-check-*"))


def test_check_exits_3_when_recording_fails(tmp_path: Path) -> None:
    with serving(DemoAPI(version=1)) as base:
        config = _config(tmp_path, base)
        assert invoke("record", "--update", "--config", str(config)).exit_code == 0
    # the server is gone now: every request is refused
    result = invoke("check", "--config", str(config), "--format", "json")
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert report["errors"] == [
        {"file": "user", "message": "recording failed: connection refused", "kind": "recording"},
        {"file": "orders", "message": "recording failed: connection refused", "kind": "recording"},
    ]
    assert report["findings"] == []


def test_demo_end_to_end() -> None:
    result = invoke("demo")
    assert result.exit_code == 0, result.output
    for expected in (
        "field-removed [200] $.nickname",
        "type-changed [200] $.age",
        "became-nullable [200] $.created_at",
        "field-added [200] $.preferences",
        "mock-type-mismatch [200] $.age",
        "mock-field-unknown [200] $.nickname",
        "at driftcheck/demo/mocks.py:10",
        "Demo API v1 serving at http://127.0.0.1:",
    ):
        assert expected in result.output


def test_demo_as_a_subprocess_needs_no_config(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "driftcheck", "demo"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
        check=False,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert "driftcheck: drift found" in completed.stdout
    assert list(tmp_path.iterdir()) == []
