"""Untrusted text (keys, endpoint names, file names, reasons) in every output format, each
read back by a real consumer: an XML parser and junitparser, json.loads and the shipped
schema, a CommonMark renderer with GFM tables, a terminal (a real pty) and the GitHub
workflow-command grammar."""

from __future__ import annotations

import json
import re
import sys
import textwrap
from typing import Any, cast
from xml.etree import ElementTree

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from junitparser import JUnitXml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from driftcheck.core.model import (
    CheckedMock,
    FileError,
    Finding,
    Location,
    MockCoverage,
    Report,
    Severity,
    UnmatchedMock,
)
from driftcheck.core.rules import RuleId
from driftcheck.reporting import FORMATS, RenderOptions, markdown
from driftcheck.reporting.safe_text import clean, code_span, visible, without_surrogates
from tests.helpers import COMMAND, on_pty, validate

PIECES = [
    "`",
    "``",
    "|",
    "\\",
    "<img src=x onerror=alert(1)>",
    "<details>",
    "</details>",
    "@octocat",
    "\x1b[2J",
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\x1b]0;pwned\x07",
    "\r",
    "\n",
    "\t",
    "\x00",
    "\x7f",
    "\x9b2J",
    "\u202e",
    "\u2066",
    "\u2028",
    "\ud800",
    "\udcff",
    "\ufffe",
    "](https://evil.example/)",
    "![t](https://evil.example/t.png)",
    "[bold red]x[/]",
    "[/x]",
    "&#64;admin",
    "%0A::error::forged",
    " ",
]
hostile = st.lists(
    st.sampled_from(PIECES) | st.text(st.characters(exclude_categories=()), min_size=1, max_size=4),
    min_size=1,
    max_size=6,
).map("".join)
OPTIONS = RenderOptions(color=True, width=120, fail_on=Severity.INFO)
SGR = re.compile(r"\x1b\[[0-9;]*m")  # rich's own styling: colours and bold
CONTROLS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
MENTION = re.compile(r"(?<!\w)@\w")
OUR_HTML = re.compile(r"</?(details|summary|b)>")


@st.composite
def reports(draw: st.DrawFn) -> Report:
    """A report whose every string an attacker can write is hostile."""
    findings = []
    for _ in range(draw(st.integers(1, 3))):
        endpoint, path, file = f"GET {draw(hostile)}", f"$.{draw(hostile)}", draw(hostile)
        message = f"`{path}` is in fixture {file} but endpoint `{endpoint}` never returned it"
        findings.append(
            Finding(
                endpoint,
                draw(st.none() | st.integers(100, 599)),
                path,
                draw(st.sampled_from(list(RuleId))),
                draw(st.sampled_from(list(Severity))),
                "fixture",
                draw(hostile),
                draw(hostile),
                message,
                Location(file, draw(st.integers(0, 9))),
                draw(st.none() | hostile),
            )
        )
    coverage = MockCoverage(
        checked=(CheckedMock(Location(draw(hostile), 3), f"GET {draw(hostile)}", 200, "url"),),
        unmatched=(UnmatchedMock(Location(draw(hostile), 4), draw(hostile), "responses"),),
        mocked_not_recorded=(draw(hostile),),
        recorded_not_mocked=(draw(hostile),),
    )
    return Report(
        findings=tuple(sorted(findings, key=lambda f: f.endpoint)),
        endpoints=len(findings),
        errors=(FileError(draw(hostile), draw(hostile)),),
        notes=(draw(hostile),),
        warnings=(draw(hostile),),
        checked=tuple((f.endpoint, f.status) for f in findings),
        coverage=coverage,
    )


def _tokens(tokens: list[Token]) -> list[Token]:
    """Every token, inline children included."""
    return [t for token in tokens for t in [token, *_tokens(token.children or [])]]


def markdown_tokens(text: str) -> list[Token]:
    return _tokens(MarkdownIt("commonmark", {"html": True}).enable("table").parse(text))


def check_markdown(report: Report, text: str) -> None:
    """No HTML, link, image or mention from the data; each key whole in its code span and
    each finding on its own table row."""
    assert not CONTROLS.search(text)
    tokens = markdown_tokens(text)
    assert {t.content for t in tokens if t.type == "html_inline"} <= {"<br>"}
    for block in (t for t in tokens if t.type == "html_block"):
        assert "<" not in OUR_HTML.sub("", block.content), block.content
        assert not MENTION.search(block.content)
    assert not [t for t in tokens if t.type in {"image", "link_open"}]
    assert not [t for t in tokens if t.type == "text" and MENTION.search(t.content)]
    code = {t.content for t in tokens if t.type == "code_inline"}
    assert {clean(e.file) for e in report.errors} <= code  # in a list item, not a table
    for finding in report.findings:
        assert clean(finding.path) in code, finding.path
        assert clean(finding.rule) in code
    rows = [t for t in tokens if t.type == "tr_open"]
    sections = len({f.endpoint for f in report.findings})
    assert len(rows) == len(report.findings) + sections + 2 + 2  # + each table's header row


def check_junit(report: Report, text: str) -> None:
    root = ElementTree.fromstring(text.encode("utf-8"))
    suites = JUnitXml.fromstring(text)
    assert sum(s.tests for s in suites) == int(root.get("tests", "-1"))
    failures = list(root.iter("failure"))
    assert len(failures) == len(report.active)
    assert not CONTROLS.search(text.replace("\t", " "))


def check_json(report: Report, text: str) -> None:
    data = json.loads(text.encode("utf-8"))
    validate(data)
    assert [f["path"] for f in data["findings"]] == [
        without_surrogates(f.path) for f in report.findings
    ]  # faithful: JSON escapes control characters itself


def check_sarif(report: Report, text: str) -> None:
    run = json.loads(text.encode("utf-8"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result, finding in zip(run["results"], report.findings, strict=True):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == str(finding.rule)
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert not re.search(r"[^\w/:@!$&'()*+,;=.~%-]", uri, re.ASCII)


def check_terminal(report: Report, text: str) -> None:
    """Only rich's own colour sequences reach the terminal."""
    text.encode("utf-8")
    assert not CONTROLS.search(SGR.sub("", text))


def check_github(report: Report, text: str) -> None:
    text.encode("utf-8")
    lines = text.splitlines()
    assert all(COMMAND.match(line) for line in lines), lines
    assert not CONTROLS.search(text)
    assert len(lines) == len(report.active) + 1 + 1 + 1 + 1 + 1  # + error, mock, 2 notes, warning


CHECKS = {
    "markdown": check_markdown,
    "junit": check_junit,
    "json": check_json,
    "sarif": check_sarif,
    "rich": check_terminal,
    "github": check_github,
}


@pytest.mark.parametrize("fmt", sorted(CHECKS))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report=reports())
def test_every_format_renders_hostile_text_safely(fmt: str, report: Report) -> None:
    CHECKS[fmt](report, FORMATS[fmt](report, OPTIONS))


def finding(path: str = "$.a", **changes: Any) -> Finding:
    fields: dict[str, Any] = {
        "endpoint": "GET api.example.com/x",
        "status": 200,
        "path": path,
        "rule": RuleId.FIELD_ADDED,
        "severity": Severity.BREAKING,
        "source": "cassette",
        "baseline": "absent",
        "current": "string",
        "message": f"`{path}` is new: present in 1 of 1 current samples",
        "location": Location("cassettes/x.yaml", 3),
    }
    return Finding(**{**fields, **changes})


def report_of(*findings: Finding, **changes: Any) -> Report:
    return Report(tuple(findings), 1, checked=(("GET api.example.com/x", 200),), **changes)


def test_an_escape_in_a_key_keeps_junit_well_formed() -> None:
    text = FORMATS["junit"](report_of(finding("$.a\x1bb")), OPTIONS)
    failure = ElementTree.fromstring(text).find(".//failure")
    assert failure is not None
    assert failure.get("message") == "breaking field-added $.a\\x1bb"


def test_a_backtick_key_stays_in_its_code_span() -> None:
    path = "$.`<img src=x onerror=alert(1)>` @admin"
    text = FORMATS["markdown"](report_of(finding(path)), OPTIONS)
    tokens = markdown_tokens(text)
    assert not [t for t in tokens if t.type == "html_inline" and "img" in t.content]
    assert not [t for t in tokens if t.type == "text" and MENTION.search(t.content)]
    code = [t.content for t in tokens if t.type == "code_inline"]
    assert code.count(path) == 2  # the path column, and the path quoted in the message


def test_a_carriage_return_or_newline_does_not_break_the_table() -> None:
    text = markdown.render(
        report_of(finding("$.a\rb"), finding("$.c\nd | e"), finding("$.f")), OPTIONS
    )
    tokens = markdown_tokens(text)
    assert sum(t.type == "tr_open" for t in tokens) == 3 + 1 + 2  # rows, header, summary
    code = {t.content for t in tokens if t.type == "code_inline"}
    assert {"$.a\\rb", "$.c\\nd | e", "$.f"} <= code


def test_code_spans_hold_any_run_of_backticks() -> None:
    for text in ["`", "``", "a`", "`a", "a ``` b", " a ", "`` ` ``", "x|`y`|z", "   "]:
        tokens = markdown_tokens(
            f"| h |\n|---|\n| {code_span(text)} |\n- {code_span(text, table=False)}\n"
        )
        assert [t.content for t in tokens if t.type == "code_inline"] == [text, text], text


@given(st.text(st.characters(exclude_categories=()), min_size=1, max_size=30))
def test_a_code_span_shows_its_text_whatever_it_is(text: str) -> None:
    tokens = markdown_tokens(f"| h |\n|---|\n| {code_span(text)} |\n")
    spans = [t.content for t in tokens if t.type == "code_inline"]
    assert spans == [clean(text)]


def test_one_huge_key_hides_no_other_finding() -> None:
    huge = "$." + "k" * 100_000
    others = [finding(f"$.f{n}") for n in range(60)]
    everywhere = finding(
        huge, baseline=huge, current=huge, location=Location(huge, 1), ignored=huge
    )
    endpoint = finding(endpoint="GET " + "e" * 100_000, message="m" * 100_000)
    errors = tuple(FileError(huge, huge) for _ in range(3))
    report = report_of(everywhere, *others, endpoint, errors=errors, warnings=(huge,))
    text = markdown.render(report, OPTIONS)
    assert len(text) < 40_000
    assert "not shown" not in text
    assert all(f"`$.f{n}`" in text for n in range(60))
    assert "k" * 150 + "…" in text


def test_terminal_escape_sequences_are_shown_not_run() -> None:
    link = "\x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\"
    bad = finding("$.a\x1b[2J", endpoint=f"GET x{link}", message="`$.a\x1b[2J` \x07 \u202e")
    error = FileError("cassettes/\x1b[31mred\n.yaml", "bad \x9b2J")
    text = FORMATS["rich"](report_of(bad, errors=(error,), notes=("n\x1b[2J",)), OPTIONS)
    assert "\x1b[2J" not in text
    assert "\x1b]" not in text
    assert "\x07" not in text
    assert not CONTROLS.search(SGR.sub("", text))
    assert "$.a\\x1b[2J" in text
    assert "cassettes/\\x1b[31mred\\n.yaml: bad \\x9b2J" in SGR.sub("", text)
    assert "\\x1b]8;;https://evil.example/" in SGR.sub("", text)


def test_lone_surrogates_render_in_every_format() -> None:
    report = report_of(
        finding("$.\ud800"), errors=(FileError("caf\udce9.yaml", "not UTF-8 \udcff"),)
    )
    for fmt in FORMATS:
        FORMATS[fmt](report, OPTIONS).encode("utf-8")
    data = json.loads(FORMATS["json"](report, OPTIONS))
    assert data["findings"][0]["path"] == "$.\\ud800"
    assert data["errors"][0]["file"] == "caf\\udce9.yaml"
    sarif = json.loads(FORMATS["sarif"](report, OPTIONS))
    assert (
        sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"][
            "uri"
        ]
        == "cassettes/x.yaml"
    )


def test_sarif_gives_a_rule_it_does_not_know_a_generic_entry() -> None:
    newer = finding(rule=cast(RuleId, "field-renamed"))
    log = json.loads(FORMATS["sarif"](report_of(newer, finding()), OPTIONS))
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules][-1] == "field-renamed"
    assert "does not know" in rules[-1]["shortDescription"]["text"]
    [first, second] = run["results"]
    assert rules[first["ruleIndex"]]["id"] == "field-renamed"
    assert rules[second["ruleIndex"]]["id"] == "field-added"


def test_visible_spells_what_it_replaces() -> None:
    assert (
        visible("a\x1b[2J\n\t\x00\x9b\u202e\ud800é") == "a\\x1b[2J\\n\\t\\x00\\x9b\\u202e\\ud800é"
    )
    assert visible("plain $.a[*].b{*}") == "plain $.a[*].b{*}"


PROGRESS = textwrap.dedent(
    """
    import sys
    from driftcheck.core.model import Outcome
    from driftcheck.reporting.progress import progress

    with progress(3, sys.stderr, True) as done:
        done(Outcome("GET /a", 0, error="server said [/x] at ?filter[status]=active"))
        done(Outcome("GET /b\\x1b[2J", 0, error="\\x1b]8;;https://evil.example/\\x1b\\\\x"))
        done(Outcome("GET /items?filter[status]=active", 1, path="c.yaml"))
    print("finished", file=sys.stderr)
    """
)


def test_progress_on_a_terminal_shows_markup_and_escapes_literally() -> None:
    code, shown = on_pty([sys.executable, "-c", PROGRESS], columns=160)
    assert code == 0, shown
    assert "finished" in shown
    assert "GET /a: server said [/x] at ?filter[status]=active" in shown
    assert "GET /items?filter[status]=active" in shown  # the bar's description
    assert "\x1b[2J" not in shown
    assert "\x1b]8" not in shown
    assert "GET /b\\x1b[2J: \\x1b]8;;https://evil.example/" in SGR.sub("", shown)


def test_progress_lines_off_a_terminal_are_visible_too() -> None:
    from driftcheck.core.model import Outcome
    from driftcheck.reporting.progress import summary

    text = summary([Outcome("GET /b\x1b[2J", 0, error="[/x]\r\nforged")], "out\n")
    assert text == (
        "recorded 0 of 1 endpoints into out\\n\n"
        "1 failed; their existing cassettes were left untouched:\n"
        "  GET /b\\x1b[2J: [/x]\\r\\nforged\n"
    )
