"""Endpoints whose recording failed (`Report.failed`, exit code 3) in every format, the way
each format shows unreadable files: a CI reading any of them is told why the run failed.

Each rendering is read back by a real consumer (an XML parser and junitparser, json.loads
and the shipped schema, a CommonMark parser, the workflow-command grammar), compared with
golden files, and produced end to end by `driftcheck check` against a real local server
and by `driftcheck merge` of the JSON report it wrote.

After an intended change to a renderer, rewrite the golden files and read the diff:

    DRIFTCHECK_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/reporting/test_failed_recordings.py
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from junitparser import Error, JUnitXml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from driftcheck import __version__
from driftcheck.cli import cli
from driftcheck.core.model import FileError, Finding, Location, Outcome, Report, Severity
from driftcheck.core.rules import RuleId
from driftcheck.reporting import FORMATS, RenderOptions, markdown
from driftcheck.reporting.safe_text import clean, visible
from driftcheck.sources.reports import load_report
from tests.helpers import COMMAND, validate
from tests.servers import LiveServer, json_response

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("DRIFTCHECK_UPDATE_GOLDEN") == "1"
OPTIONS = RenderOptions(color=False, width=100)
SGR = re.compile(r"\x1b\[[0-9;]*m")
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MENTION = re.compile(r"(?<!\w)@\w")

USERS = "GET api.example.com/users/{id}"
ORDERS = "GET api.example.com/orders"
STATUS_500 = "unexpected status 500 (expected below 400) from https://api.example.com/users/1"
REFUSED = "connection refused"


def failed_report(**changes: Any) -> Report:
    """Two endpoints whose recording failed beside one that was compared and is clean."""
    fields: dict[str, Any] = {
        "findings": (),
        "endpoints": 1,
        "checked": (("GET api.example.com/teams", 200),),
        "failed": (Outcome(USERS, 0, error=STATUS_500), Outcome(ORDERS, 2, error=REFUSED)),
    }
    return Report(**{**fields, **changes})


def drift() -> Finding:
    return Finding(
        "GET api.example.com/teams", 200, "$.name", RuleId.TYPE_CHANGED, Severity.BREAKING,
        "cassette", "string", "integer", "`$.name` changed type from string to integer",
        Location("cassettes/teams.yaml", 4),
    )  # fmt: skip


def render(fmt: str, report: Report, options: RenderOptions = OPTIONS) -> str:
    return FORMATS[fmt](report, options)


def markdown_tokens(text: str) -> list[Token]:
    def every(tokens: list[Token]) -> Iterator[Token]:
        for token in tokens:
            yield token
            yield from every(token.children or [])

    return list(every(MarkdownIt("commonmark", {"html": True}).enable("table").parse(text)))


# --- each format, on a report built by hand ---------------------------------------------


def test_junit_has_an_error_testcase_per_failed_endpoint(tmp_path: Path) -> None:
    text = render("junit", failed_report())
    root = ElementTree.fromstring(text)
    assert root.get("errors") == "2"
    assert root.get("failures") == "0"
    assert root.get("tests") == "3"  # the clean endpoint, and one per failed endpoint
    cases = {
        case.get("name"): case
        for case in root.iter("testcase")
        if case.get("classname") == "driftcheck.recording"
    }
    assert sorted(cases) == sorted([USERS, ORDERS])
    error = cases[USERS].find("error")
    assert error is not None
    assert error.get("type") == "recording"
    assert error.get("message") == f"recording failed: {STATUS_500}"
    assert error.text == f"recording failed: {STATUS_500}"
    out = tmp_path / "junit.xml"
    out.write_text(text, encoding="utf-8")
    [suite] = list(JUnitXml.fromfile(str(out)))
    assert (suite.tests, suite.errors, suite.failures) == (3, 2, 0)  # golden: with files too
    errors = {
        case.name: [r for r in case.result if isinstance(r, Error)]
        for case in suite
        if case.classname == "driftcheck.recording"
    }
    assert [(r.type, r.message) for r in errors[ORDERS]] == [
        ("recording", f"recording failed: {REFUSED}")
    ]


def test_markdown_lists_failed_endpoints_and_never_says_no_drift() -> None:
    text = markdown.render(failed_report(), OPTIONS)
    assert "no drift" not in text
    assert text.startswith("### ❌ driftcheck: recording failed for 2 endpoint(s)\n")
    assert "**Recording failed for 2 endpoint(s):**" in text
    tokens = markdown_tokens(text)
    code = [t.content for t in tokens if t.type == "code_inline"]
    assert {USERS, ORDERS} <= set(code)
    items = [t.content for t in tokens if t.type == "inline" and REFUSED in t.content]
    assert items == [f"`{ORDERS}`: {REFUSED}"]
    assert STATUS_500 in text


def test_markdown_verdict_names_failed_recordings_beside_drift() -> None:
    text = markdown.render(failed_report(findings=(drift(),)), OPTIONS)
    first = text.splitlines()[0]
    assert first == (
        "### ❌ driftcheck: recording failed for 2 endpoint(s); 1 finding(s) at or above breaking"
    )
    below = markdown.render(failed_report(findings=(drift(),)), RenderOptions(fail_on=None))
    assert below.splitlines()[0] == (
        "### ❌ driftcheck: recording failed for 2 endpoint(s); drift below the failure threshold"
    )


def test_markdown_stays_within_a_comment_with_many_huge_failures() -> None:
    huge = "x" * 100_000
    failed = tuple(Outcome(f"GET api.example.com/e{n}", 0, error=huge) for n in range(400))
    errors = tuple(FileError(f"cassettes/{n}.yaml", huge) for n in range(60))
    text = markdown.render(failed_report(failed=failed, errors=errors), OPTIONS)
    assert len(text) <= markdown.LIMIT
    assert "`GET api.example.com/e0`" in text
    assert re.search(r"… and \d+ more endpoint\(s\): the JSON report has them all", text)
    assert "**60 file(s) could not be used:**" in text  # never crowded out by the failures


def test_github_has_an_error_annotation_per_failed_endpoint() -> None:
    lines = render("github", failed_report()).splitlines()
    assert all(COMMAND.match(line) for line in lines), lines
    errors = [line for line in lines if "recording failed" in line and line.startswith("::error")]
    assert errors == [
        f"::error title=driftcheck%3A recording failed::{USERS}: {STATUS_500}",
        f"::error title=driftcheck%3A recording failed::{ORDERS}: {REFUSED}",
    ]
    assert lines[-1] == (
        "::notice title=driftcheck::driftcheck: 0 breaking, 0 warning, 0 info in 1 endpoints; "
        "recording failed for 2 endpoint(s)"
    )


def test_sarif_notifies_each_failed_endpoint_and_an_unsuccessful_run() -> None:
    report = failed_report(errors=(FileError("cassettes/bad.yaml", "invalid YAML"),))
    [run] = json.loads(render("sarif", report))["runs"]
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": "cassettes/bad.yaml: invalid YAML"}},
        {
            "level": "error",
            "message": {"text": f"{USERS}: recording failed: {STATUS_500}"},
            "properties": {"endpoint": USERS, "kind": "recording"},
        },
        {
            "level": "error",
            "message": {"text": f"{ORDERS}: recording failed: {REFUSED}"},
            "properties": {"endpoint": ORDERS, "kind": "recording"},
        },
    ]
    assert run["results"] == []


def test_sarif_failed_recordings_alone_make_the_run_unsuccessful() -> None:
    [run] = json.loads(render("sarif", failed_report()))["runs"]
    assert run["invocations"][0]["executionSuccessful"] is False
    [clean_run] = json.loads(render("sarif", failed_report(failed=())))["runs"]
    assert clean_run["invocations"][0]["executionSuccessful"] is True


def test_json_lists_failed_endpoints_as_recording_errors() -> None:
    data = json.loads(render("json", failed_report()))
    validate(data)
    assert data["errors"] == [
        {"file": USERS, "message": f"recording failed: {STATUS_500}", "kind": "recording"},
        {"file": ORDERS, "message": f"recording failed: {REFUSED}", "kind": "recording"},
    ]


def test_rich_has_a_recording_failed_block_and_never_says_no_drift() -> None:
    text = render("rich", failed_report())
    assert "no drift" not in text
    assert text.splitlines()[0].strip() == "driftcheck: recording failed for 2 endpoint(s)"
    assert "\nrecording failed for 2 endpoint(s):\n" in text
    assert f"\n  {USERS}: {STATUS_500}\n" in text
    assert f"\n  {ORDERS}: {REFUSED}\n" in text
    both = render("rich", failed_report(findings=(drift(),)))
    assert both.splitlines()[0].strip() == (
        "driftcheck: drift found; recording failed for 2 endpoint(s)"
    )


def test_rich_colours_the_failed_block_only_when_asked() -> None:
    coloured = render("rich", failed_report(), RenderOptions(color=True))
    assert "\x1b[1;31mrecording failed for 2 endpoint(s):" in coloured
    assert "\x1b[" not in render("rich", failed_report())


# --- untrusted text, and reports without failures ---------------------------------------

HOSTILE_ENDPOINT = "GET x\x1b[2J`<img src=x>`|@octocat\u202e\ud800"
HOSTILE_ERROR = "boom \x1b]0;pwned\x07\r\n::error::forged %0A `a|b` <b>@admin</b> ](https://e.x)"


def hostile_report() -> Report:
    return failed_report(failed=(Outcome(HOSTILE_ENDPOINT, 0, error=HOSTILE_ERROR),))


def test_hostile_failures_are_shown_never_run_on_a_terminal() -> None:
    text = render("rich", hostile_report(), RenderOptions(color=True, width=120))
    plain = SGR.sub("", text)
    assert not CONTROLS.search(plain)
    assert f"  {clean(HOSTILE_ENDPOINT)}: {visible(HOSTILE_ERROR)}" in plain


def test_hostile_failures_stay_one_github_command() -> None:
    lines = render("github", hostile_report()).splitlines()
    assert all(COMMAND.match(line) for line in lines), lines
    assert not CONTROLS.search("\n".join(lines))
    [forged] = [line for line in lines if "forged" in line]
    assert forged.startswith("::error title=driftcheck%3A recording failed::")
    assert "%250A" in forged  # the attacker's `%0A` is shown, never a line break


def test_hostile_failures_keep_junit_well_formed() -> None:
    text = render("junit", hostile_report())
    root = ElementTree.fromstring(text.encode("utf-8"))
    [case] = [c for c in root.iter("testcase") if c.get("classname") == "driftcheck.recording"]
    assert case.get("name") == visible(HOSTILE_ENDPOINT)
    error = case.find("error")
    assert error is not None
    assert error.get("message") == visible(f"recording failed: {HOSTILE_ERROR}")
    assert not CONTROLS.search(text.replace("\t", " "))
    assert len(list(JUnitXml.fromstring(text))) == 1


def test_hostile_failures_add_no_markup_to_markdown() -> None:
    text = markdown.render(hostile_report(), OPTIONS)
    assert not CONTROLS.search(text)
    tokens = markdown_tokens(text)
    assert not [t for t in tokens if t.type in {"html_inline", "html_block"}]
    assert not [t for t in tokens if t.type in {"image", "link_open"}]
    assert not [t for t in tokens if t.type == "text" and MENTION.search(t.content)]
    assert clean(HOSTILE_ENDPOINT) in {t.content for t in tokens if t.type == "code_inline"}


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_hostile_failures_encode_in_json_formats(fmt: str) -> None:
    text = render(fmt, hostile_report())
    data = json.loads(text.encode("utf-8"))
    if fmt == "json":
        validate(data)
        assert data["errors"][0]["file"] == HOSTILE_ENDPOINT.replace("\ud800", "\\ud800")
    else:
        [note] = data["runs"][0]["invocations"][0]["toolExecutionNotifications"]
        assert note["properties"]["endpoint"] == HOSTILE_ENDPOINT.replace("\ud800", "\\ud800")


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_report_without_failures_says_nothing_of_recording(fmt: str) -> None:
    text = render(fmt, failed_report(failed=()))
    assert "recording" not in text.lower()


GOLDEN_FILES = [
    ("rich", "failed.txt"),
    ("markdown", "failed.md"),
    ("json", "failed.json"),
    ("junit", "failed.junit.xml"),
    ("github", "failed.github.txt"),
    ("sarif", "failed.sarif.json"),
]


@pytest.mark.parametrize(("fmt", "name"), GOLDEN_FILES)
def test_failed_recordings_match_their_golden_file(fmt: str, name: str) -> None:
    report = failed_report(
        findings=(drift(),), errors=(FileError("cassettes/bad.yaml", "invalid YAML"),)
    )
    text = render(fmt, report).replace(f'"{__version__}"', '"VERSION"')
    golden = GOLDEN / name
    if UPDATE:
        golden.write_text(text, encoding="utf-8", newline="")
        pytest.skip(f"rewrote tests/reporting/golden/{name}: review its diff")
    if not golden.exists():
        pytest.fail(f"{golden} is missing: create it with DRIFTCHECK_UPDATE_GOLDEN=1")
    assert text == golden.read_bytes().decode("utf-8")


def test_failed_recordings_round_trip_through_the_json_report() -> None:
    report = failed_report(findings=(drift(),))
    text = render("json", report)
    back = load_report(text, "report.json")
    assert back.failed == tuple(Outcome(o.endpoint, 0, error=o.error) for o in report.failed)
    assert back.errors == ()
    assert render("json", back) == text
    for fmt in FORMATS:
        assert render(fmt, back) == render(fmt, report)  # samples are not shown anywhere


# --- end to end: `check` against a real server, then `merge` of its JSON report --------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"NO_COLOR": "1", "COLUMNS": "200"})


def expected_in(fmt: str, text: str) -> None:
    """The failed endpoint and its reason, as each format spells them."""
    reason = "unexpected status 500 (expected below 400)"
    if fmt in {"json", "sarif"}:
        text = json.dumps(json.loads(text))  # one spelling whatever the indentation
    assert "user" in text
    assert reason in text, text
    if fmt == "junit":
        root = ElementTree.fromstring(text)
        assert root.get("errors") == "1"
        [case] = [c for c in root.iter("testcase") if c.get("classname") == "driftcheck.recording"]
        assert case.get("name") == "user"
        assert reason in (case.findtext("error") or "")
    elif fmt == "markdown":
        assert "no drift" not in text
        assert "- `user`: unexpected status 500" in text
    elif fmt == "github":
        assert "::error title=driftcheck%3A recording failed::user: unexpected status 500" in text
    elif fmt == "sarif":
        invocation = json.loads(text)["runs"][0]["invocations"][0]
        assert invocation["executionSuccessful"] is False
    elif fmt == "rich":
        assert "no drift" not in text
        assert "recording failed for 1 endpoint(s):\n  user: unexpected status 500" in text
    else:
        data = json.loads(text)
        validate(data)
        assert [(e["file"], e["kind"]) for e in data["errors"]] == [("user", "recording")]


@pytest.fixture(scope="module")
def failing_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A config whose `orders` answers 200 JSON as recorded, and whose `user` now
    answers 500."""
    folder = tmp_path_factory.mktemp("check")
    with LiveServer() as server:
        server.routes["/users/1"] = lambda _: json_response('{"id": 1, "name": "a"}')
        server.routes["/orders"] = lambda _: json_response('[{"id": 7, "total": 3}]')
        config = folder / "driftcheck.toml"
        config.write_text(
            'cassettes = "cassettes"\ntimeout = 2\nretries = 0\n'
            f'[[endpoints]]\nname = "user"\nurl = "{server.url}/users/1"\n'
            f'[[endpoints]]\nname = "orders"\nurl = "{server.url}/orders"\n'
        )
        recorded = invoke("record", "--update", "--config", str(config))
        assert recorded.exit_code == 0, recorded.output
        server.routes["/users/1"] = lambda _: json_response('{"error": "boom"}', 500)
        yield config


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_check_shows_the_failed_endpoint_in_every_format(failing_api: Path, fmt: str) -> None:
    result = invoke("check", "--config", str(failing_api), "--format", fmt)
    assert result.exit_code == 3, result.output
    expected_in(fmt, result.stdout)


def test_merge_of_a_failed_check_keeps_the_failures(failing_api: Path, tmp_path: Path) -> None:
    shard = tmp_path / "shard.json"
    result = invoke("check", "--config", str(failing_api), "--format", "json", "-o", str(shard))
    assert result.exit_code == 3, result.output
    for fmt in sorted(FORMATS):
        merged = invoke("merge", str(shard), "--format", fmt)
        assert merged.exit_code == 3, (fmt, merged.output)
        expected_in(fmt, merged.stdout)
