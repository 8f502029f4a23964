"""`driftcheck diff` over a folder holding one bad cassette (issue 15, defects 6 and 12).

The bad file is listed by name with its reason and the good one is compared: with
`--allow-unreadable` the exit code is the drift's (0 here), without it 2; a bad file
named directly is one `Error:` line. A FIFO is never opened: runs that would block on
one are subprocesses with a timeout, so a hang fails the test.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import cli_process, run

URI = "http://api.example.com/users/1"


def cassette(request: dict[str, Any] | None = None, response: dict[str, Any] | None = None) -> str:
    entry = {
        "request": {"method": "GET", "uri": URI, "body": None, **(request or {})},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": '{"id": 1, "name": "Ada"}'},
            **(response or {}),
        },
    }
    return json.dumps({"interactions": [entry], "version": 1})


ROT13 = cassette(
    response={
        "headers": {"Content-Type": ["application/json; charset=rot13"]},
        "body": {"base64_string": base64.b64encode(b'{"id": 2, "name": "Bob"}').decode()},
    }
)
SURROGATE_KEY = cassette(response={"body": {"string": '{"id": 1, "name": "Ada", "\\ud800": 1}'}})
INF_STATUS = (
    f"interactions:\n- request: {{method: GET, uri: '{URI}'}}\n"
    "  response: {status: {code: .inf}, body: {string: '{\"id\": 1}'}}\n"
)

# The attacks that fail the file: its text, and the reason listed for it.
LISTED = {
    "IPv6 host": (
        cassette({"uri": "http://[::1/x"}),
        "interaction 0: request URI 'http://[::1/x' is not a valid URL (Invalid IPv6 URL)",
    ),
    "port 99999999": (
        cassette({"uri": "http://api.example.com:99999999/x"}),
        "interaction 0: request URI 'http://api.example.com:99999999/x' is not a valid URL "
        "(Port out of range 0-65535)",
    ),
    "status .inf": (
        INF_STATUS,
        "interaction 0: response status inf is not an HTTP status code "
        "(a whole number from 100 to 999)",
    ),
}


def folders(tmp_path: Path, bad: str) -> tuple[Path, Path, Path]:
    """BASELINE with a good cassette; CURRENT with the same one and the bad file."""
    baseline, current = tmp_path / "baseline", tmp_path / "current"
    for folder in (baseline, current):
        folder.mkdir()
        (folder / "users.json").write_text(cassette())
    (current / "zz_bad.yaml").write_text(bad)
    return baseline, current, current / "zz_bad.yaml"


@pytest.mark.parametrize(("text", "reason"), LISTED.values(), ids=LISTED.keys())
def test_a_bad_file_is_listed_and_the_run_goes_on(tmp_path: Path, text: str, reason: str) -> None:
    baseline, current, bad = folders(tmp_path, text)
    allowed = run("diff", str(baseline), str(current), "--allow-unreadable", "--format", "json")
    report = json.loads(allowed.output)
    assert report["errors"] == [{"file": str(bad), "message": reason}]
    assert report["findings"] == []
    assert report["summary"]["endpoints"] == 1  # the good files were compared
    assert allowed.exit_code == 0
    strict = run("diff", str(baseline), str(current), "--format", "json")
    assert json.loads(strict.output)["errors"] == report["errors"]
    assert strict.exit_code == 2


@pytest.mark.parametrize(("text", "reason"), LISTED.values(), ids=LISTED.keys())
def test_a_bad_file_named_directly_is_one_error_line(
    tmp_path: Path, text: str, reason: str
) -> None:
    baseline, _, bad = folders(tmp_path, text)
    result = run("diff", str(baseline / "users.json"), str(bad))
    assert result.output == f"Error: {bad}: {reason}\n"
    assert result.exit_code == 2


def test_a_body_in_charset_rot13_is_read_as_utf8(tmp_path: Path) -> None:
    baseline, current, _ = folders(tmp_path, ROT13)
    result = run("diff", str(baseline), str(current), "--format", "json")
    report = json.loads(result.output)
    assert (report["errors"], report["findings"]) == ([], [])
    assert result.exit_code == 0


def test_a_lone_surrogate_key_leaves_its_body_out_with_a_note(tmp_path: Path) -> None:
    baseline, current, bad = folders(tmp_path, SURROGATE_KEY)
    result = run("diff", str(baseline), str(current), "--format", "json")
    report = json.loads(result.output)
    assert report["errors"] == []
    assert (
        f"{bad}#0: not valid JSON: a string holds a lone surrogate (such as \\ud800): not Unicode"
        in (report["notes"])
    )
    assert result.exit_code == 0


def test_a_bad_file_in_a_subprocess(tmp_path: Path) -> None:
    baseline, current, bad = folders(tmp_path, INF_STATUS)
    completed = cli_process(
        tmp_path, "diff", str(baseline), str(current), "--allow-unreadable", "--format", "json"
    )
    assert completed.stderr == ""
    assert json.loads(completed.stdout)["errors"] == [
        {"file": str(bad), "message": LISTED["status .inf"][1]}
    ]
    assert completed.returncode == 0


def test_a_fifo_in_a_folder_is_skipped(tmp_path: Path) -> None:
    baseline, current, _ = folders(tmp_path, cassette())
    os.mkfifo(current / "pipe.yaml")
    completed = cli_process(tmp_path, "diff", str(baseline), str(current), "--format", "json")
    report = json.loads(completed.stdout)
    assert (report["errors"], report["findings"]) == ([], [])
    assert completed.returncode == 0


def test_a_fifo_named_to_shape_is_an_input_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    completed = cli_process(tmp_path, "shape", str(tmp_path / "pipe.yaml"), timeout=60)
    assert completed.stderr == (
        f"Error: {tmp_path / 'pipe.yaml'}: a FIFO (named pipe), not a cassette file or a folder\n"
    )
    assert completed.returncode == 2


def test_a_fifo_named_to_diff_is_an_input_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    (tmp_path / "users.json").write_text(cassette())
    completed = subprocess.run(
        [sys.executable, "-m", "driftcheck", "diff", "pipe.yaml", "users.json"],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
        cwd=tmp_path,
    )
    assert completed.stderr == (
        "Error: pipe.yaml: a FIFO (named pipe), not a cassette file or a folder\n"
    )
    assert completed.returncode == 2
