"""`driftcheck merge` given reports an attacker wrote: mistyped fields are one line naming
the file and the field (exit 2), rules of a newer version render, hostile text reaches a
real terminal only as visible text."""

from __future__ import annotations

import copy
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from driftcheck.errors import InputError
from driftcheck.reporting import FORMATS, RenderOptions
from driftcheck.sources.reports import load_report
from tests.helpers import json_values, on_pty, run

FINDING = {
    "endpoint": "GET api.example.com/users",
    "status": 200,
    "path": "$.age",
    "rule": "type-changed",
    "severity": "breaking",
    "source": "cassette",
    "baseline": "string",
    "current": "integer",
    "message": "`$.age` changed type from string to integer",
    "location": "cassettes/users.yaml:3",
    "ignored": False,
    "ignore_reason": None,
}
REPORT: dict[str, Any] = {
    "driftcheck_report": 1,
    "summary": {"breaking": 1, "warning": 0, "info": 0, "endpoints": 1, "ignored": 0},
    "findings": [FINDING],
    "errors": [{"file": "cassettes/bad.yaml", "message": "invalid YAML"}],
    "notes": [],
    "warnings": [],
    "checked": [{"endpoint": "GET api.example.com/users", "status": 200}],
    "fixtures_checked": [
        {
            "location": "tests/test_users.py:12",
            "endpoint": "GET api.example.com/users",
            "status": 200,
            "matched_by": "url",
            "library": "responses",
            "name": "",
        }
    ],
    "fixtures_unmatched": [{"location": "tests/t.py:4", "reason": "no URL", "library": ""}],
    "mocked_not_recorded": [],
    "recorded_not_mocked": [],
}


def changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """REPORT with the value at `path` replaced (a `...` value: the key removed)."""
    report = copy.deepcopy(REPORT)
    *parents, last = path
    target: Any = report
    for step in parents:
        target = target[step]
    if value is ...:
        del target[last]
    else:
        target[last] = value
    return report


MISTYPED = [
    (("findings", 0, "severity"), 3, "findings[0].severity: a string expected, found an integer"),
    (("findings", 0, "severity"), "fatal", "findings[0].severity: one of "),
    (("findings", 0, "path"), ["$", "a"], "findings[0].path: a string expected, found a list"),
    (("findings",), {"a": 1}, "findings: a list expected, found an object"),
    (("findings",), ..., "findings: missing (a list expected)"),
    (("findings", 0), "x", "findings[0]: an object expected, found a string"),
    (("findings", 0, "message"), ..., "findings[0].message: missing (a string expected)"),
    (("findings", 0, "status"), "200", "findings[0].status: an HTTP status or null expected"),
    (("findings", 0, "status"), True, "findings[0].status: an HTTP status or null expected"),
    (("findings", 0, "location"), 7, "findings[0].location: a location (`file:line`) expected"),
    (("findings", 0, "ignored"), "yes", "findings[0].ignored: a boolean or null expected"),
    (("findings", 0, "ignored"), True, "findings[0].ignore_reason: the reason of an ignored"),
    (("findings", 0, "rule"), "No Such\x1b[2J", "findings[0].rule: a rule id expected"),
    (("summary",), [], "summary: an object expected, found a list"),
    (("summary", "endpoints"), "7", "summary.endpoints: an integer expected, found a string"),
    (("summary", "endpoints"), -1, "summary.endpoints: a count (0 or more) expected"),
    (("errors", 0, "file"), None, "errors[0].file: a string expected, found null"),
    (("errors",), "x", "errors: a list expected, found a string"),
    (("notes",), "a note", "notes: a list of strings expected, found a string"),
    (("warnings",), [1], "warnings[0]: a string expected, found an integer"),
    (("checked", 0, "endpoint"), 5, "checked[0].endpoint: a string expected, found an integer"),
    (("fixtures_checked", 0, "matched_by"), "guess", "fixtures_checked[0].matched_by: one of"),
    (("fixtures_unmatched", 0, "reason"), {}, "fixtures_unmatched[0].reason: a string expected"),
    (("recorded_not_mocked",), [None], "recorded_not_mocked[0]: a string expected, found null"),
]


@pytest.mark.parametrize(("path", "value", "message"), MISTYPED)
def test_a_mistyped_field_is_one_line_naming_file_and_field(
    tmp_path: Path, path: tuple[str | int, ...], value: Any, message: str
) -> None:
    shard = tmp_path / "shard.json"
    shard.write_text(json.dumps(changed(path, value)))
    result = run("merge", str(shard), "--format", "sarif")
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"Error: {shard}: malformed driftcheck report: {message}")
    assert result.output.count("\n") == 1
    assert "\x1b" not in result.output


def test_the_unchanged_report_merges(tmp_path: Path) -> None:
    """The base every mistyped case changes one field of is itself a valid report."""
    shard = tmp_path / "shard.json"
    shard.write_text(json.dumps(REPORT))
    result = run("merge", str(shard), "--format", "json", "--allow-unreadable")
    assert result.exit_code == 1, result.output
    assert json.loads(result.output)["findings"] == [FINDING]


def test_a_rule_of_a_newer_version_renders_in_every_format(tmp_path: Path) -> None:
    shard = tmp_path / "shard.json"
    shard.write_text(json.dumps(changed(("findings", 0, "rule"), "field-renamed")))
    for fmt in FORMATS:
        result = run("merge", str(shard), "--format", fmt, "--allow-unreadable")
        assert result.exit_code == 1, (fmt, result.output)
        assert "field-renamed" in result.output
    log = json.loads(run("merge", str(shard), "--format", "sarif").output)
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    [result_] = log["runs"][0]["results"]
    assert rules[result_["ruleIndex"]]["id"] == "field-renamed"


def mutations() -> st.SearchStrategy[dict[str, Any]]:
    """REPORT with one field anywhere replaced by any JSON value, or removed."""
    paths = []

    def walk(value: Any, path: tuple[str | int, ...]) -> None:
        if path:
            paths.append(path)
        if isinstance(value, dict):
            for key, child in value.items():
                walk(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                walk(child, (*path, index))

    walk(REPORT, ())
    replacement = json_values | st.just(...)
    return st.builds(changed, st.sampled_from(paths), replacement)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations())
def test_any_one_bad_field_is_an_input_error_or_a_report_every_format_renders(
    data: dict[str, Any],
) -> None:
    try:
        report = load_report(json.dumps(data), "shard.json")
    except InputError as error:
        message = str(error)
    else:
        for fmt in FORMATS:
            FORMATS[fmt](report, RenderOptions(color=True)).encode("utf-8")
        return
    assert message.startswith("shard.json: ")
    assert "\n" not in message


def test_merge_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    """A FIFO would block the read forever (no writer), a device would never end."""
    fifo = tmp_path / "shard.json"
    os.mkfifo(fifo)
    result = run("merge", str(fifo))
    assert result.exit_code == 2
    assert result.output == f"Error: {fifo}: not a regular file (a JSON report file expected)\n"


HOSTILE = {
    **FINDING,
    "endpoint": "GET x/\x1b[2J\x1b]8;;https://evil.example/\x1b\\y",
    "path": "$.[bold]a[/x]\x07",
    "message": "`$.[bold]a[/x]\x07` changed \x9b2J \u202eevil",
}


def test_hostile_text_reaches_a_terminal_only_as_visible_text(tmp_path: Path) -> None:
    shard = tmp_path / "shard.json"
    report = changed(("findings", 0), HOSTILE)
    report["errors"] = [{"file": "cassettes/\x1b[31mred\n.yaml", "message": "bad\r\x1b[2K"}]
    report["checked"] = []
    shard.write_text(json.dumps(report))
    code, shown = on_pty([sys.executable, "-m", "driftcheck", "merge", str(shard)], cwd=tmp_path)
    assert code == 2, shown
    sequences = set(re.findall(r"\x1b[^a-zA-Z]*[a-zA-Z]?", shown))
    assert sequences, "colour is on: rich styles the report"
    assert all(re.fullmatch(r"\x1b\[[0-9;]*m", s) for s in sequences), sequences
    plain = re.sub(r"\x1b\[[0-9;]*m", "", shown)
    assert not re.search("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u202e]", plain)
    assert "$.[bold]a[/x]\\x07" in plain  # rich markup shown as written, not eaten
    assert "GET x/\\x1b[2J\\x1b]8;;https://evil.example/\\x1b\\y" in plain
    assert "cassettes/\\x1b[31mred\\n.yaml: bad\\r\\x1b[2K" in plain
