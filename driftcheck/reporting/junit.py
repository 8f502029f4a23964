"""JUnit XML: one testcase per endpoint and status, one failure per finding that fails.

Findings below `--fail-on` and ignored ones are listed in the testcase's system-out, so
CI test views show them without failing the build. Unreadable files and endpoints whose
recording failed are errors, a testcase each, so CI says why the run exited 2 or 3. When the
run looked at mocks, a second suite, `driftcheck.mocks`, has a passing testcase per mock
checked and a skipped one per mock it could not match, so CI shows what is verified.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from driftcheck.core.model import Finding, MockCoverage, Report
from driftcheck.reporting import RenderOptions
from driftcheck.reporting.mock_coverage import endpoint_lists, failed, sentence
from driftcheck.reporting.safe_text import for_xml, visible


def _case_name(status: int | None) -> str:
    return "endpoint" if status is None else f"status {status}"


def _fails(finding: Finding, options: RenderOptions) -> bool:
    limit = options.fail_on
    return finding.ignored is None and limit is not None and finding.severity >= limit


def render(report: Report, options: RenderOptions) -> str:
    """The report as a JUnit XML document."""
    root = ET.Element("testsuites", name="driftcheck")
    root.append(_findings_suite(report, options))
    keys = ["tests", "failures", "errors"]
    if report.coverage is not None:
        root.append(_mocks_suite(report.coverage))
        keys.append("skipped")
    for key in keys:
        root.set(key, str(sum(int(suite.get(key, "0")) for suite in root)))
    _legal(root)
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _legal(root: ET.Element) -> None:
    """Every text and attribute made legal XML 1.0: the last guard, after each untrusted
    value was made visible (ElementTree writes illegal characters as they are)."""
    for element in root.iter():
        if element.text:
            element.text = for_xml(element.text)
        for key, value in element.attrib.items():
            element.set(key, for_xml(value))


def _findings_suite(report: Report, options: RenderOptions) -> ET.Element:
    """A testcase per endpoint and status, one per endpoint whose recording failed, and one
    per unreadable file."""
    cases: dict[tuple[str, int | None], list[Finding]] = defaultdict(list)
    for endpoint, status in report.checked:
        cases[(endpoint, status)]
    for finding in report.findings:
        cases[(finding.endpoint, finding.status)].append(finding)
    suite = ET.Element("testsuite", name="driftcheck")
    failures = 0
    for (endpoint, status), findings in cases.items():
        case = ET.SubElement(
            suite, "testcase", classname=visible(endpoint), name=_case_name(status)
        )
        quiet = []
        for finding in findings:
            if _fails(finding, options):
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    type=visible(finding.rule),
                    message=visible(f"{finding.severity.label} {finding.rule} {finding.path}"),
                )
                failure.text = _detail(finding)
            else:
                quiet.append(_detail(finding))
        if quiet:
            ET.SubElement(case, "system-out").text = "\n\n".join(quiet)
    for outcome in report.failed:
        _error(suite, "driftcheck.recording", outcome.endpoint, "recording", failed(outcome))
    for error in report.errors:
        _error(suite, "driftcheck.input", error.file, "unreadable", error.message)
    tests = len(suite)
    if report.warnings:  # about the run itself, e.g. an expired ignore: never silent
        ET.SubElement(suite, "system-err").text = "\n".join(
            f"warning: {visible(warning)}" for warning in report.warnings
        )
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(len(report.errors) + len(report.failed)))
    return suite


def _error(suite: ET.Element, classname: str, name: str, kind: str, message: str) -> None:
    """A testcase in error: `name` (a file, an endpoint) could not be checked, and why."""
    case = ET.SubElement(suite, "testcase", classname=classname, name=visible(name))
    shown = visible(message)
    ET.SubElement(case, "error", type=kind, message=shown).text = shown


def _detail(finding: Finding) -> str:
    """The finding on a few lines, each value on its own line: a newline in a key is shown
    as `\\n`, never a line of its own."""
    lines = [
        f"{finding.severity.label}: {finding.rule} at {finding.path}",
        finding.message,
        f"{finding.baseline} -> {finding.current}",
    ]
    if finding.location:
        lines.append(f"at {finding.location}")
    if finding.ignored:
        lines.append(f"ignored: {finding.ignored}")
    return "\n".join(visible(line) for line in lines)


def _mocks_suite(coverage: MockCoverage) -> ET.Element:
    """A testcase per mock, named by its location: checked ones pass (system-out says
    against what), unmatched ones are skipped with the reason."""
    suite = ET.Element("testsuite", name="driftcheck.mocks")
    for checked in coverage.checked:
        name = visible(str(checked.location))
        case = ET.SubElement(suite, "testcase", classname="mocks", name=name)
        status = "" if checked.status is None else f", status {checked.status}"
        ET.SubElement(case, "system-out").text = visible(
            f"checked against {checked.endpoint}{status} (matched by {checked.matched_by})"
        )
    for unmatched in coverage.unmatched:
        name = visible(str(unmatched.location))
        case = ET.SubElement(suite, "testcase", classname="mocks", name=name)
        ET.SubElement(case, "skipped", message=visible(unmatched.reason))
    tests = len(suite)
    lines = [sentence(coverage)]
    lines += [f"{title}: {visible(', '.join(names))}" for title, names in endpoint_lists(coverage)]
    ET.SubElement(suite, "system-out").text = "\n".join(lines)
    suite.set("tests", str(tests))
    suite.set("failures", "0")
    suite.set("errors", "0")
    suite.set("skipped", str(len(coverage.unmatched)))
    return suite
