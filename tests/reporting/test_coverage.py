"""Mock coverage in every format: the canonical report with coverage rendered and read
back for real (JSON against the schema and through `driftcheck merge`, JUnit with
junitparser, SARIF's structure, GitHub's command grammar), and the limits that keep it
compact. The exact rich and Markdown texts are golden files (test_golden.py)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from junitparser import JUnitXml, Skipped

from driftcheck.core.model import Location, MockCoverage, Report, UnmatchedMock
from driftcheck.errors import InputError
from driftcheck.reporting import FORMATS, RenderOptions, markdown
from driftcheck.sources.reports import COVERAGE_KEYS, load_report
from tests.canonical import (
    OPTIONS,
    ORDERS,
    USERS,
    big_report,
    canonical_coverage,
    canonical_report,
    canonical_report_with_coverage,
)
from tests.helpers import COMMAND, SCHEMA, run, validate

REPORT = canonical_report_with_coverage()
COVERAGE = canonical_coverage()


def _json(report: Report) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FORMATS["json"](report, OPTIONS))
    return data


def _with(coverage: MockCoverage, report: Report | None = None) -> Report:
    return dataclasses.replace(report or canonical_report(), coverage=coverage)


def test_json_lists_the_mocks_last_and_validates() -> None:
    data = _json(REPORT)
    validate(data)
    assert list(data)[-4:] == list(COVERAGE_KEYS)
    assert data["fixtures_checked"][0] == {
        "location": "tests/test_users.py:12",
        "endpoint": USERS,
        "status": 200,
        "matched_by": "url",
        "library": "responses",
        "name": "tests/test_users.py::t.add@12",
    }
    assert [m["matched_by"] for m in data["fixtures_checked"]] == [
        "url",
        "url",
        "config",
        "patch-target",
        "shape",
    ]
    assert data["fixtures_checked"][-1]["location"] == "tests/data/order.json"
    assert data["fixtures_checked"][-1]["status"] is None
    assert data["fixtures_unmatched"][1] == {
        "location": "tests/test_orders.py:55",
        "reason": "body is not data: a call to make_order() | <factory>",
        "library": "respx",
        "name": "",
    }
    assert data["mocked_not_recorded"] == ["GET api.example.com/health"]
    assert len(data["recorded_not_mocked"]) == 6


def test_json_without_coverage_has_none_of_its_fields() -> None:
    data = _json(canonical_report())
    assert not set(COVERAGE_KEYS) & set(data)
    assert list(data)[-1] == "checked"


def test_a_run_that_found_no_mocks_says_so_with_empty_lists() -> None:
    data = _json(_with(MockCoverage()))
    validate(data)
    assert {key: data[key] for key in COVERAGE_KEYS} == {key: [] for key in COVERAGE_KEYS}


def test_the_schema_is_valid_and_knows_every_matched_by() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    kinds = SCHEMA["$defs"]["checked_mock"]["properties"]["matched_by"]["enum"]
    assert kinds == ["url", "config", "patch-target", "shape"]


@pytest.mark.parametrize(
    "spoil",
    [
        lambda d: d["fixtures_checked"][0].update(matched_by="guess"),
        lambda d: d["fixtures_checked"][0].pop("endpoint"),
        lambda d: d["fixtures_unmatched"][0].pop("reason"),
        lambda d: d["fixtures_unmatched"][0].update(location=""),
        lambda d: d.pop("recorded_not_mocked"),  # coverage is all four lists or none
        lambda d: d.pop("fixtures_checked"),
    ],
)
def test_the_schema_refuses_malformed_coverage(spoil: Any) -> None:
    data = _json(REPORT)
    spoil(data)
    with pytest.raises(jsonschema.ValidationError):
        validate(data)


def test_json_reads_back_as_the_same_report() -> None:
    assert load_report(FORMATS["json"](REPORT, OPTIONS), "r.json") == REPORT
    empty = _with(MockCoverage())
    assert load_report(FORMATS["json"](empty, OPTIONS), "r.json").coverage == MockCoverage()
    plain = load_report(FORMATS["json"](canonical_report(), OPTIONS), "r.json")
    assert plain.coverage is None
    assert plain == canonical_report()


def test_reading_refuses_an_unknown_matched_by() -> None:
    data = _json(REPORT)
    data["fixtures_checked"][0]["matched_by"] = "guess"
    with pytest.raises(InputError, match="malformed driftcheck report"):
        load_report(json.dumps(data), "r.json")


def test_merge_of_shards_keeps_the_coverage_once(tmp_path: Path) -> None:
    """Two shards' reports share a checked mock, an unmatched one and an endpoint list
    entry; one shard could not match a mock the other checked."""
    first = dataclasses.replace(
        COVERAGE,
        unmatched=(*COVERAGE.unmatched, UnmatchedMock(COVERAGE.checked[4].location, "no match")),
    )
    second = MockCoverage(
        checked=COVERAGE.checked[:1],
        unmatched=COVERAGE.unmatched[1:],
        mocked_not_recorded=("GET api.example.com/health", "GET api.example.com/ping"),
        recorded_not_mocked=("GET api.example.com/reports/a",),
    )
    paths = []
    for n, coverage in enumerate([first, second]):
        path = tmp_path / f"shard{n}.json"
        path.write_text(FORMATS["json"](_with(coverage, Report((), 1)), OPTIONS))
        paths.append(str(path))
    result = run("merge", *paths, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    validate(data)
    assert [m["location"] for m in data["fixtures_checked"]] == [
        str(m.location) for m in COVERAGE.checked
    ]
    assert [m["location"] for m in data["fixtures_unmatched"]] == [
        "tests/test_users.py:40",
        "tests/test_orders.py:55",
    ]
    assert data["mocked_not_recorded"] == ["GET api.example.com/health", "GET api.example.com/ping"]
    assert data["recorded_not_mocked"] == list(COVERAGE.recorded_not_mocked)


def test_junit_has_a_mocks_suite_of_passing_and_skipped_cases(tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    out.write_text(FORMATS["junit"](REPORT, OPTIONS))
    xml = JUnitXml.fromfile(str(out))
    findings, mocks = list(xml)
    assert findings.name == "driftcheck"
    assert mocks.name == "driftcheck.mocks"
    cases = list(mocks)
    assert mocks.tests == len(cases) == 7
    assert (mocks.failures, mocks.errors, mocks.skipped) == (0, 0, 2)
    assert {case.classname for case in cases} == {"mocks"}
    assert [case.name for case in cases if case.is_passed] == [
        str(m.location) for m in COVERAGE.checked
    ]
    skipped = [(case.name, case.result[0]) for case in cases if case.is_skipped]
    assert [(name, type(r), r.message) for name, r in skipped] == [
        (str(m.location), Skipped, m.reason) for m in COVERAGE.unmatched
    ]
    assert cases[0].system_out == (f"checked against {USERS}, status 200 (matched by url)")
    assert cases[4].system_out == f"checked against {ORDERS} (matched by shape)"
    assert (xml.tests, xml.failures, xml.errors, xml.skipped) == (
        findings.tests + 7,
        findings.failures,
        findings.errors,
        2,
    )


def test_junit_without_coverage_has_one_suite(tmp_path: Path) -> None:
    out = tmp_path / "junit.xml"
    out.write_text(FORMATS["junit"](canonical_report(), OPTIONS))
    assert [suite.name for suite in JUnitXml.fromfile(str(out))] == ["driftcheck"]
    assert "skipped" not in out.read_text()


def test_github_notes_each_unmatched_mock_on_its_line() -> None:
    lines = FORMATS["github"](REPORT, OPTIONS).splitlines()
    assert all(COMMAND.match(line) for line in lines), lines
    notices = [line for line in lines if "mock not checked" in line]
    assert notices == [
        "::notice file=tests/test_users.py,line=40,title=driftcheck%3A mock not checked::"
        "no recorded endpoint matches GET https://api.example.com/health",
        "::notice file=tests/test_orders.py,line=55,title=driftcheck%3A mock not checked::"
        "body is not data: a call to make_order() | <factory>",
    ]
    assert lines[-2] == (
        "::notice title=driftcheck mocks::5 mocks checked (2 by url, 1 by config, 1 by "
        "patch-target, 1 by shape), 2 not matched; endpoints: 1 mocked but never recorded, "
        "6 recorded but never mocked"
    )
    without = FORMATS["github"](canonical_report(), OPTIONS).splitlines()
    ours = ("title=driftcheck%3A mock not checked::", "title=driftcheck mocks::")
    assert [line for line in lines if not any(title in line for title in ours)] == without


def test_sarif_notes_unmatched_mocks_and_counts_coverage() -> None:
    log = json.loads(FORMATS["sarif"](REPORT, OPTIONS))
    [run_] = log["runs"]
    notifications = run_["invocations"][0]["toolExecutionNotifications"]
    notes = [n for n in notifications if n["level"] == "note"]
    assert [n["message"]["text"] for n in notes] == [
        f"mock not checked: {m.reason}" for m in COVERAGE.unmatched
    ]
    [location] = notes[0]["locations"]
    assert location["physicalLocation"] == {
        "artifactLocation": {"uri": "tests/test_users.py"},
        "region": {"startLine": 40},
    }
    assert run_["properties"] == {
        "mockCoverage": {
            "checked": 5,
            "checkedBy": {"url": 2, "config": 1, "patch-target": 1, "shape": 1},
            "notMatched": 2,
            "mockedNotRecorded": 1,
            "recordedNotMocked": 6,
        }
    }
    plain = json.loads(FORMATS["sarif"](canonical_report(), OPTIONS))["runs"][0]
    assert "properties" not in plain
    assert len(plain["invocations"][0]["toolExecutionNotifications"]) == 2


def test_rich_cuts_long_lists_short() -> None:
    unmatched = tuple(
        UnmatchedMock(Location("tests/test_x.py", n), f"reason {n}") for n in range(1, 13)
    )
    coverage = MockCoverage(
        checked=COVERAGE.checked[:1],
        unmatched=unmatched,
        mocked_not_recorded=tuple(f"GET h/{n}" for n in range(7)),
    )
    text = FORMATS["rich"](_with(coverage, Report((), 1)), OPTIONS)
    section = text[text.index("1 mock checked") :].splitlines()
    assert section == [
        "1 mock checked (1 by url), 12 not matched:",
        *(f"  tests/test_x.py:{n}: reason {n}" for n in range(1, 11)),
        "  … and 2 more",
        "mocked but never recorded (7): GET h/0, GET h/1, GET h/2, GET h/3, GET h/4, … and 2 more",
    ]


def test_rich_says_when_no_mock_was_found() -> None:
    text = FORMATS["rich"](_with(MockCoverage(), Report((), 1)), OPTIONS)
    assert text.endswith("\n0 mocks checked, 0 not matched\n")
    assert "mock" not in FORMATS["rich"](Report((), 1), OPTIONS)


def _many_unmatched(count: int) -> MockCoverage:
    return MockCoverage(
        unmatched=tuple(
            UnmatchedMock(Location(f"tests/test_{n}.py", n), "no recorded endpoint matches " * 3)
            for n in range(count)
        ),
        recorded_not_mocked=tuple(f"GET api.example.com/r/{n}" for n in range(count)),
    )


def test_markdown_cuts_the_coverage_lists_to_the_comment_limit() -> None:
    report = _with(_many_unmatched(3000))
    text = markdown.render(report, RenderOptions())
    assert len(text) <= markdown.LIMIT
    assert text.startswith(markdown.render(canonical_report(), RenderOptions()))
    assert text.count("<details>") == text.count("</details>")
    shown = re.findall(r"… and (\d+) more: the JSON report has them all", text)
    assert len(shown) == 2
    assert "**Mocks:** 0 mocks checked, 3000 not matched" in text


@pytest.mark.parametrize(("findings", "lists"), [(5000, False), (180, False), (100, True)])
def test_markdown_coverage_never_pushes_findings_out(findings: int, lists: bool) -> None:
    """With the comment full of findings, coverage shrinks to what is left (the counts
    line alone); the findings shown are exactly those shown without it."""
    big = big_report(findings)
    without = markdown.render(big, RenderOptions())
    text = markdown.render(dataclasses.replace(big, coverage=_many_unmatched(500)), RenderOptions())
    assert len(text) <= markdown.LIMIT
    assert text.startswith(without)
    assert text.count("<details>") == text.count("</details>")
    added = text[len(without) :]
    assert added.startswith("\n**Mocks:** 0 mocks checked, 500 not matched; endpoints: ")
    assert ("<details>" in added) is lists
