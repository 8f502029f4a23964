"""One drifted pair of cassette folders rendered in every format, each read back for real."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest
from junitparser import Error, Failure, JUnitXml

from driftcheck.core.model import Finding, Location, Report, Severity
from driftcheck.core.rules import CATALOGUE, RuleId
from driftcheck.reporting import FORMATS, RenderOptions, markdown
from tests.canonical import big_report
from tests.helpers import (
    CASSETTES,
    COMMAND,
    DRIFTS,
    OKTA,
    REPORTS,
    SCHEMA,
    folders,
    rewrite_cassette,
    run,
    validate,
)


@pytest.fixture
def drifted(tmp_path: Path) -> tuple[Path, Path]:
    """Baseline and current folders: a type change, new keys, and a file that is not readable."""
    baseline, current = folders(tmp_path)
    rewrite_cassette(REPORTS, current / REPORTS.name, DRIFTS["type changed"][0])
    rewrite_cassette(OKTA, current / OKTA.name, lambda body: {**body, "owner": "team-a"})
    shutil.copyfile(CASSETTES / "vcrpy_old_format.json", current / "old.json")
    return baseline, current


def render(drifted: tuple[Path, Path], fmt: str, *extra: str) -> tuple[int, str]:
    baseline, current = drifted
    result = run("diff", str(baseline), str(current), "--format", fmt, *extra)
    return result.exit_code, result.stdout


def test_every_format_is_in_the_registry_and_the_cli() -> None:
    assert sorted(FORMATS) == ["github", "json", "junit", "markdown", "rich", "sarif"]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_renders_the_drifted_pair(drifted: tuple[Path, Path], fmt: str) -> None:
    code, text = render(drifted, fmt)
    assert code == 2  # an unreadable file in a folder
    assert text.strip()
    code, _ = render(drifted, fmt, "--allow-unreadable")
    assert code == 1


def test_json_validates_against_the_shipped_schema(drifted: tuple[Path, Path]) -> None:
    _, text = render(drifted, "json")
    report = json.loads(text)
    validate(report)
    assert [(f["rule"], f["path"], f["severity"]) for f in report["findings"]] == [
        ("type-changed", "$.data[*].attributes.size", "breaking"),
        ("field-added", "$.owner", "info"),
        ("field-added", "$.owner", "info"),
    ]
    assert report["summary"]["endpoints"] == 7
    assert len(report["checked"]) == 7
    assert report["errors"][0]["file"].endswith("old.json")


def test_schema_knows_every_rule() -> None:
    rules = SCHEMA["$defs"]["finding"]["properties"]["rule"]["enum"]
    assert sorted(rules) == sorted(rule.id for rule in CATALOGUE)


def test_junit_reads_back_with_the_right_counts(drifted: tuple[Path, Path], tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    render(drifted, "junit", "--output", str(out))
    suites = JUnitXml.fromfile(str(out))
    [suite] = list(suites)
    cases = list(suite)
    assert suite.tests == len(cases) == 8  # seven endpoint/status pairs, one unreadable file
    assert suite.failures == 1  # the breaking finding; field-added is info
    assert suite.errors == 1
    failed = {
        (case.classname, case.name): [r.type for r in case.result if isinstance(r, Failure)]
        for case in cases
    }
    assert failed[("GET api.datadoghq.com/api/v1/monthly_custom_reports", "status 200")] == [
        "type-changed"
    ]
    okta = next(
        case for case in cases if case.classname.startswith("POST") and "okta" in case.classname
    )
    assert okta.is_passed
    assert "field-added" in (okta.system_out or "")
    errors = [r for case in cases for r in case.result if isinstance(r, Error)]
    assert "pre-1.0 vcrpy cassette format" in (errors[0].message or "")


def test_junit_fail_on_info_fails_the_info_finding_too(
    drifted: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "junit.xml"
    render(drifted, "junit", "--output", str(out), "--fail-on", "info")
    [suite] = list(JUnitXml.fromfile(str(out)))
    assert suite.failures == 3


def test_github_lines_are_workflow_commands(drifted: tuple[Path, Path]) -> None:
    _, text = render(drifted, "github")
    lines = text.splitlines()
    assert all(COMMAND.match(line) for line in lines), lines
    first = lines[0]
    assert first.startswith("::error file=")
    assert re.search(r"datadog_monthly_reports\.yaml,line=\d+,title=type-changed ", first)
    assert (
        lines[-1]
        == "::notice title=driftcheck::driftcheck: 1 breaking, 0 warning, 2 info in 7 endpoints"
    )


def test_github_escapes_what_would_break_a_command() -> None:
    finding = Finding(
        "GET a.example/x", 200, "$.a", RuleId.FIELD_ADDED, Severity.INFO, "cassette",
        "absent", "string", "line one\nline, two: 100%", Location("dir:x/c.yaml", 7),
    )  # fmt: skip
    [line, _] = FORMATS["github"](Report((finding,), 1), RenderOptions()).splitlines()
    assert line == (
        "::notice file=dir%3Ax/c.yaml,line=7,title=field-added $.a (GET a.example/x)::"
        "line one\\nline, two: 100%25%0Aabsent → string"
    )  # a newline in a value is shown, never a line of its own


def test_sarif_has_the_required_fields(drifted: tuple[Path, Path]) -> None:
    _, text = render(drifted, "sarif")
    log = json.loads(text)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-2.1.0.json")
    [run_] = log["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "driftcheck"
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in CATALOGUE]
    assert all(rule["shortDescription"]["text"] for rule in driver["rules"])
    assert len(run_["results"]) == 3
    for result in run_["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        assert result["message"]["text"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"].endswith(".yaml")
        assert physical["region"]["startLine"] >= 1
        assert result["partialFingerprints"]
    assert run_["invocations"][0]["executionSuccessful"] is False


def test_markdown_fits_a_pull_request_comment(drifted: tuple[Path, Path]) -> None:
    _, text = render(drifted, "markdown")
    assert text.startswith("### ❌ driftcheck: 1 finding(s) at or above breaking")
    assert "| endpoints | breaking | warning | info | ignored |" in text
    assert text.count("<details>") == 3
    big = markdown.render(big_report(5000), RenderOptions())
    assert len(big) <= markdown.LIMIT
    assert re.search(r"… \d+ more finding\(s\) in \d+ endpoint\(s\) not shown", big)
    assert big.count("<details>") == big.count("</details>")
    small = markdown.render(big_report(20), RenderOptions())
    assert "not shown" not in small
    assert small.count("<details>") == 2


def test_markdown_escapes_table_breakers() -> None:
    finding = Finding(
        "GET a.example/x", 200, "$['a|b']", "field-added", Severity.INFO, "cassette",
        "absent", "string", "a | b <script>", None,
    )  # fmt: skip
    text = markdown.render(Report((finding,), 1), RenderOptions(fail_on=Severity.INFO))
    assert "a \\| b &lt;script&gt;" in text
    assert "`$['a\\|b']`" in text


def test_junit_carries_the_run_warnings_without_counting_them(tmp_path: Path) -> None:
    """An expired ignore must not be silent in the format CI servers show."""
    report = Report((), 1, warnings=("[[ignore]] #1 expired on 2024-01-31",), checked=(("E", 200),))
    out = tmp_path / "junit.xml"
    out.write_text(FORMATS["junit"](report, RenderOptions()))
    [suite] = list(JUnitXml.fromfile(str(out)))
    assert suite.tests == 1
    xml_suite = ElementTree.parse(out).getroot().find("testsuite")
    assert xml_suite is not None
    assert xml_suite.findtext("system-err") == "warning: [[ignore]] #1 expired on 2024-01-31"
