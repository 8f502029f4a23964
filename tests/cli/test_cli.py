"""The CLI through CliRunner (exact messages and exit codes) and as a subprocess."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

import driftcheck.cli
from driftcheck.cli.common import (
    FAIL_ON_OPTION,
    FORMAT,
    FailOn,
    Format,
    exit_code,
    threshold,
)
from driftcheck.core.model import FileError, Finding, Outcome, Report, Severity
from driftcheck.errors import ExitCode
from driftcheck.reporting import FORMATS
from tests.helpers import (
    CASSETTES,
    DRIFTS,
    ELEMENT,
    ENDPOINT,
    OKTA,
    REPORTS,
    TEAMS,
    each_attributes,
    folders,
    reordered,
    rewrite_cassette,
    run,
    values_only,
)


@pytest.mark.parametrize("name", list(DRIFTS))
def test_each_structural_change_is_reported_with_its_rule_and_path(
    tmp_path: Path, name: str
) -> None:
    mutate, expected = DRIFTS[name]
    baseline, current = folders(tmp_path)
    rewrite_cassette(REPORTS, current / REPORTS.name, mutate)
    result = run("diff", str(baseline), str(current), "--format", "json")
    report = json.loads(result.output)
    assert [(f["rule"], f["path"], f["severity"]) for f in report["findings"]] == expected
    assert {f["endpoint"] for f in report["findings"]} == {ENDPOINT}
    assert result.exit_code == (1 if expected[0][2] == "breaking" else 0)


@pytest.mark.parametrize(
    ("mutate", "flow_style"),
    [(values_only, False), (reordered, False), (lambda body: body, True)],
    ids=["values", "key order", "yaml layout"],
)
def test_values_order_and_layout_give_no_finding(
    tmp_path: Path, mutate: Callable[[Any], Any], flow_style: bool
) -> None:
    baseline, current = folders(tmp_path)
    for source in (REPORTS, OKTA, TEAMS):
        rewrite_cassette(source, current / source.name, mutate, flow_style=flow_style)
    result = run("diff", str(baseline), str(current), "--format", "json")
    assert json.loads(result.output)["findings"] == []
    assert result.exit_code == 0


def test_json_report_contract(tmp_path: Path) -> None:
    baseline, current = folders(tmp_path)
    rewrite_cassette(REPORTS, current / REPORTS.name, DRIFTS["key removed from some elements"][0])
    report = json.loads(run("diff", str(baseline), str(current), "--format", "json").output)
    lines = (current / REPORTS.name).read_text().splitlines()
    uri_line = next(n for n, line in enumerate(lines, 1) if "uri: https://api.datadoghq" in line)
    assert report["driftcheck_report"] == 1
    assert report["summary"] == {
        "breaking": 1,
        "warning": 0,
        "info": 0,
        "endpoints": 7,
        "ignored": 0,
    }
    assert report["errors"] == []
    assert report["findings"] == [
        {
            "endpoint": ENDPOINT,
            "status": 200,
            "path": f"{ELEMENT}.end_date",
            "rule": "field-became-optional",
            "severity": "breaking",
            "source": "cassette",
            "baseline": "string, present in 13/13",
            "current": "string, present in 10/13",
            "message": f"`{ELEMENT}.end_date` is now missing in 3 of 13 current samples (23 %); "
            "it was always present before",
            "location": f"{current / REPORTS.name}:{uri_line}",
            "ignored": False,
            "ignore_reason": None,
        }
    ]


def test_rich_report_plain_when_not_a_terminal(tmp_path: Path) -> None:
    baseline, current = folders(tmp_path)
    rewrite_cassette(REPORTS, current / REPORTS.name, DRIFTS["type changed"][0])
    result = run("diff", str(baseline), str(current))
    assert result.exit_code == 1
    assert "\x1b[" not in result.output
    assert "driftcheck: drift found" in result.output
    assert f"type-changed [200] {ELEMENT}.size" in result.output
    assert "integer, present in 13/13 → string, present in 13/13" in result.output


def test_fail_on_thresholds(tmp_path: Path) -> None:
    baseline, current = folders(tmp_path)
    rewrite_cassette(REPORTS, current / REPORTS.name, DRIFTS["key added"][0])
    args = ("diff", str(baseline), str(current), "--format", "json", "--fail-on")
    assert run(*args, "breaking").exit_code == 0
    assert run(*args, "warning").exit_code == 0
    assert run(*args, "info").exit_code == 1
    assert run(*args, "never").exit_code == 0


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "out" / "report.json"
    result = run("diff", str(REPORTS), str(REPORTS), "--format", "json", "--output", str(target))
    assert (result.exit_code, result.output) == (0, "")
    assert json.loads(target.read_text())["findings"] == []


def test_two_files(tmp_path: Path) -> None:
    drifted = tmp_path / "new.yaml"
    rewrite_cassette(REPORTS, drifted, DRIFTS["type changed"][0])
    result = run("diff", str(REPORTS), str(drifted), "--format", "json")
    assert [f["rule"] for f in json.loads(result.output)["findings"]] == ["type-changed"]
    assert result.exit_code == 1


def test_unreadable_file_in_file_mode_is_one_line(tmp_path: Path) -> None:
    result = run("diff", str(CASSETTES / "vcrpy_old_format.json"), str(REPORTS))
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {CASSETTES / 'vcrpy_old_format.json'}: pre-1.0 vcrpy cassette format "
        "(a top-level list, no `uri`); re-record it\n"
    )


def test_folder_mode_lists_unreadable_files_and_exits_2(tmp_path: Path) -> None:
    baseline, current = folders(tmp_path)
    (current / "broken.yaml").write_text("interactions: [\n")
    result = run("diff", str(baseline), str(current), "--format", "json")
    report = json.loads(result.output)
    assert report["errors"] == [
        {
            "file": str(current / "broken.yaml"),
            "message": "invalid YAML at line 2, column 1: did not find expected node content",
        }
    ]
    assert report["findings"] == []
    assert result.exit_code == 2
    allowed = run("diff", str(baseline), str(current), "--format", "json", "--allow-unreadable")
    assert allowed.exit_code == 0


def test_diff_needs_both_sides() -> None:
    result = run("diff", str(REPORTS))
    assert result.exit_code == 2
    assert (
        "Error: give CURRENT too (a cassette file or folder), or no argument to use the config"
        in result.output
    )


def test_missing_path() -> None:
    result = run("diff", "nope.yaml", str(REPORTS))
    assert result.exit_code == 2
    assert (
        "Error: Invalid value for '[BASELINE]': Path 'nope.yaml' does not exist." in result.output
    )


def test_unknown_format() -> None:
    result = run("diff", str(REPORTS), str(REPORTS), "--format", "xml")
    assert result.exit_code == 2
    assert (
        "'xml' is not one of 'github', 'json', 'junit', 'markdown', 'rich', 'sarif'"
        in result.output
    )


def test_shape_rich_tree() -> None:
    result = run("shape", str(REPORTS))
    assert result.exit_code == 0
    assert result.output.splitlines()[:3] == [
        f"{ENDPOINT}  200  1 sample  application/json",
        "└── $  object",
        "    ├── meta  object  present in 1/1 (100 %)",
    ]
    assert "        └── [*]  object  13 elements" in result.output


def test_shape_shows_optional_and_nullable(tmp_path: Path) -> None:
    drifted = tmp_path / "reports.yaml"
    rewrite_cassette(
        REPORTS,
        drifted,
        each_attributes(lambda i, a: a.update(size=None) if i < 3 else a.pop("end_date")),
    )
    result = run("shape", str(drifted))
    assert "end_date  string, date  present in 3/13 (23 %)" in result.output
    assert "size  integer|null  present in 13/13 (100 %)  nullable (3)" in result.output


def test_shape_json_and_errors() -> None:
    result = run(
        "shape", str(REPORTS), str(CASSETTES / "vcrpy_not_cassette.txt"), "--format", "json"
    )
    data = json.loads(result.output)
    assert result.exit_code == 2
    (entry,) = data["endpoints"]
    assert (entry["endpoint"], entry["status"], entry["samples"]) == (ENDPOINT, 200, 1)
    size = next(f for f in entry["fields"] if f["path"] == f"{ELEMENT}.size")
    assert size == {
        "path": f"{ELEMENT}.size",
        "types": ["integer"],
        "present": 13,
        "of": 13,
        "required": True,
        "nullable": False,
        "empty_arrays": 0,
        "format": None,
        "enum": None,
    }
    computed = next(f for f in entry["fields"] if f["path"] == f"{ELEMENT}.computed_on")
    assert (computed["format"], computed["enum"]) == ("date-time", None)
    assert data["errors"][0]["message"].startswith("not a cassette")


def test_help_lists_commands() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("check", "demo", "diff", "record", "shape"):
        assert f"\n  {command} " in result.output


def test_subprocess_module_entry_point(tmp_path: Path) -> None:
    drifted = tmp_path / "new.yaml"
    rewrite_cassette(REPORTS, drifted, DRIFTS["key removed from every element"][0])
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "driftcheck",
            "diff",
            str(REPORTS),
            str(drifted),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 1
    assert json.loads(completed.stdout)["summary"]["breaking"] == 1
    assert completed.stderr == ""


def test_subprocess_error_has_no_traceback(tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("interactions: !!python/object/apply:os.system ['echo hi']\n")
    completed = subprocess.run(
        [sys.executable, "-m", "driftcheck", "shape", str(evil)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert "refused YAML tag !!python/object/apply:os.system" in completed.stdout


def test_format_and_fail_on_come_from_the_registry_and_the_severities() -> None:
    assert [f.value for f in Format] == sorted(FORMATS)
    assert [f.value for f in FailOn] == [
        *(level.label for level in sorted(Severity, reverse=True)),
        "never",
    ]
    assert [threshold(f) for f in FailOn] == [
        Severity.BREAKING,
        Severity.WARNING,
        Severity.INFO,
        None,
    ]


def test_commands_receive_enum_members() -> None:
    seen: list[tuple[object, object]] = []

    @click.command()
    @FORMAT
    @FAIL_ON_OPTION
    def probe(fmt: Format, fail_on: FailOn) -> None:
        seen.append((fmt, fail_on))

    assert CliRunner().invoke(probe, ["--format", "json", "--fail-on", "never"]).exit_code == 0
    assert CliRunner().invoke(probe, []).exit_code == 0
    assert seen == [(Format("json"), FailOn("never")), (Format("rich"), FailOn("breaking"))]
    assert all(type(f) is Format and type(o) is FailOn for f, o in seen)


def test_fail_on_help_lists_the_severities() -> None:
    result = run("diff", "--help")
    assert "--fail-on [breaking|warning|info|never]" in result.output


def _report(**parts: Any) -> Report:
    drift = Finding(
        endpoint=ENDPOINT,
        status=200,
        path="$.a",
        rule="field-added",
        severity=Severity.WARNING,
        source="cassette",
        baseline="-",
        current="string",
        message="new",
    )
    return Report(findings=(drift,), endpoints=1, **parts)


@pytest.mark.parametrize(
    ("report", "limit", "allow_unreadable", "expected"),
    [
        (_report(), Severity.BREAKING, False, ExitCode.OK),
        (_report(), Severity.WARNING, False, ExitCode.DRIFT),
        (_report(), None, False, ExitCode.OK),
        (_report(errors=(FileError("a.yaml", "bad"),)), None, False, ExitCode.INPUT),
        (_report(errors=(FileError("a.yaml", "bad"),)), Severity.WARNING, True, ExitCode.DRIFT),
        (
            _report(errors=(FileError("a.yaml", "bad"),), failed=(Outcome("u", 0, error="x"),)),
            Severity.WARNING,
            True,
            ExitCode.RECORDING,
        ),
    ],
    ids=["below", "at", "never", "unreadable", "allowed", "recording"],
)
def test_exit_code_is_chosen_in_one_place(
    report: Report, limit: Severity | None, allow_unreadable: bool, expected: ExitCode
) -> None:
    assert exit_code(report, limit, allow_unreadable) is expected


def _bare_exit_codes(path: Path) -> list[int]:
    """Lines of `path` that exit or fail with a number instead of an ExitCode member."""
    calls = (node for node in ast.walk(ast.parse(path.read_text())) if isinstance(node, ast.Call))
    return [
        call.lineno
        for call in calls
        if (getattr(call.func, "attr", None) or getattr(call.func, "id", None))
        in {"exit", "fail", "Exit"}
        and any(
            isinstance(arg, ast.Constant) and isinstance(arg.value, int)
            for arg in (*call.args, *(k.value for k in call.keywords))
        )
    ]


def test_bare_exit_codes_are_found(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("ctx.exit(ExitCode.OK)\nfail('x', 2)\nctx.exit(\n    1\n)\n")
    assert _bare_exit_codes(module) == [2, 3]


def test_cli_exits_only_with_exit_code_members() -> None:
    folder = Path(driftcheck.cli.__file__).parent
    assert {path.name: _bare_exit_codes(path) for path in folder.glob("*.py")} == {
        path.name: [] for path in folder.glob("*.py")
    }
