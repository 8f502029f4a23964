"""Read back a JSON report (`driftcheck merge` of sharded runs) into a `Report`.

The field names are the JSON report's contract, written by `reporting.json_report`; a
round-trip test keeps the two in step.
"""

from __future__ import annotations

import os
import re
from typing import Any, TypeVar, cast

from driftcheck import jsonio
from driftcheck.core.model import (
    MATCHED_BY,
    CheckedMock,
    FileError,
    Finding,
    Location,
    MatchedBy,
    MockCoverage,
    Outcome,
    Report,
    Severity,
    UnmatchedMock,
)
from driftcheck.core.rules import RuleId
from driftcheck.errors import InputError
from driftcheck.sources.regular import NotReadable, read_regular

REPORT_VERSION = 1
REPORT_BYTES = 512 << 20  # a report of a million findings is about 500 MB
RECORDING_FAILED = "recording failed: "  # how a failed endpoint is spelled in `errors`
COVERAGE_KEYS = (
    "fixtures_checked",
    "fixtures_unmatched",
    "mocked_not_recorded",
    "recorded_not_mocked",
)
_MATCHED_BY: dict[str, MatchedBy] = {kind: kind for kind in MATCHED_BY}
# A rule id another version of driftcheck may write: lowercase words joined by `-`.
_RULE_ID = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_RULE_ID_LENGTH = 64
T = TypeVar("T")


class _Malformed(Exception):
    """A field of the report that is missing or not what the contract says, by its place."""


_KINDS = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}


def _kind(value: object) -> str:
    """What a JSON value is, in words (never the value: it may be anything)."""
    if value is None:
        return "null"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return _KINDS.get(type(value), type(value).__name__)


def read_report(path: str | os.PathLike[str]) -> Report:
    """A JSON report file as a Report; InputError when it cannot be read or is not one.

    Only a regular file is read, and at most REPORT_BYTES of it: `/dev/zero` or a FIFO
    given by mistake would never end."""
    try:
        text = read_regular(path, REPORT_BYTES + 1)
    except NotReadable as error:
        if error.special:
            raise InputError(f"{path}: not a regular file (a JSON report file expected)") from None
        raise InputError(f"{path}: {error}") from None
    if len(text) > REPORT_BYTES:
        raise InputError(f"{path}: larger than {REPORT_BYTES >> 20} MiB: not a report to merge")
    return load_report(text, str(path))


def load_report(text: str | bytes, name: str) -> Report:
    """A JSON report's text as a Report; InputError, naming the file and the field, when
    it is not one."""
    try:
        data = jsonio.loads(text)
    except jsonio.JSONDecodeError as error:
        raise InputError(f"{name}: not JSON: {error}") from None
    if not isinstance(data, dict) or data.get("driftcheck_report") != REPORT_VERSION:
        raise InputError(
            f"{name}: not a driftcheck JSON report (`driftcheck_report`: {REPORT_VERSION} "
            "expected; write one with --format json)"
        )
    try:
        return _report(data)
    except _Malformed as error:
        raise InputError(f"{name}: malformed driftcheck report: {error}") from None


def _report(data: dict[str, Any]) -> Report:
    errors = _objects(data, "errors", "", required=False)
    summary = _get(data, "summary", "", dict, "an object")
    endpoints = _get(summary, "endpoints", "summary", int, "an integer")
    if endpoints < 0:
        raise _Malformed("summary.endpoints: a count (0 or more) expected")
    return Report(
        findings=tuple(_finding(item, where) for where, item in _objects(data, "findings", "")),
        endpoints=endpoints,
        errors=tuple(_file_error(item, where) for where, item in errors if not _failed(item)),
        notes=_strings(data, "notes", ""),
        warnings=_strings(data, "warnings", ""),
        checked=tuple(
            (_get(c, "endpoint", where, str, "a string"), _status(c, where))
            for where, c in _objects(data, "checked", "", required=False)
        ),
        failed=tuple(_outcome(item, where) for where, item in errors if _failed(item)),
        coverage=_coverage(data),
    )


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _get(item: dict[str, Any], key: str, where: str, kind: type[T], what: str) -> T:
    """`item[key]` when it is a `kind` (a boolean is never an integer), else _Malformed."""
    if key not in item:
        raise _Malformed(f"{_at(where, key)}: missing ({what} expected)")
    value = item[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _Malformed(f"{_at(where, key)}: {what} expected, found {_kind(value)}")
    return value


def _optional(item: dict[str, Any], key: str, where: str, kind: type[T], what: str) -> T | None:
    """`item[key]` when it is a `kind`, None when it is null or absent, else _Malformed."""
    if item.get(key) is None:
        return None
    return _get(item, key, where, kind, f"{what} or null")


def _objects(
    data: dict[str, Any], key: str, where: str, required: bool = True
) -> list[tuple[str, dict[str, Any]]]:
    """The objects of the list `data[key]`, each with its place (`findings[3]`)."""
    if key not in data and not required:
        return []
    items = _get(data, key, where, list, "a list")
    place = _at(where, key)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise _Malformed(f"{place}[{index}]: an object expected, found {_kind(item)}")
    return [(f"{place}[{index}]", item) for index, item in enumerate(items)]


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    """The strings of the list `data[key]` (absent: none)."""
    if key not in data:
        return ()
    items = _get(data, key, where, list, "a list of strings")
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise _Malformed(f"{_at(where, key)}[{index}]: a string expected, found {_kind(item)}")
    return tuple(items)


def _status(item: dict[str, Any], where: str) -> int | None:
    return _optional(item, "status", where, int, "an HTTP status")


def _location(item: dict[str, Any], where: str, key: str = "location") -> Location:
    return Location.parse(_get(item, key, where, str, "a location (`file:line`)"))


def _failed(error: dict[str, Any]) -> bool:
    return error.get("kind") == "recording"


def _file_error(item: dict[str, Any], where: str) -> FileError:
    return FileError(
        _get(item, "file", where, str, "a string"), _get(item, "message", where, str, "a string")
    )


def _outcome(item: dict[str, Any], where: str) -> Outcome:
    message = _get(item, "message", where, str, "a string")
    return Outcome(
        _get(item, "file", where, str, "a string"), 0, error=message.removeprefix(RECORDING_FAILED)
    )


def _coverage(data: dict[str, Any]) -> MockCoverage | None:
    """The mocks a run checked, when its report lists them (None: it looked at none)."""
    if not any(key in data for key in COVERAGE_KEYS):
        return None
    return MockCoverage(
        checked=tuple(
            _checked(item, where)
            for where, item in _objects(data, "fixtures_checked", "", required=False)
        ),
        unmatched=tuple(
            UnmatchedMock(
                location=_location(item, where),
                reason=_get(item, "reason", where, str, "a string"),
                library=_optional(item, "library", where, str, "a string") or "",
                name=_optional(item, "name", where, str, "a string") or "",
            )
            for where, item in _objects(data, "fixtures_unmatched", "", required=False)
        ),
        mocked_not_recorded=_strings(data, "mocked_not_recorded", ""),
        recorded_not_mocked=_strings(data, "recorded_not_mocked", ""),
    )


def _one_of(item: dict[str, Any], key: str, where: str, choices: dict[str, T]) -> T:
    """`item[key]`, one of `choices`' names."""
    value = _get(item, key, where, str, "a string")
    if value not in choices:
        raise _Malformed(f"{_at(where, key)}: one of {', '.join(choices)} expected")
    return choices[value]


def _checked(item: dict[str, Any], where: str) -> CheckedMock:
    return CheckedMock(
        location=_location(item, where),
        endpoint=_get(item, "endpoint", where, str, "a string"),
        status=_status(item, where),
        matched_by=_one_of(item, "matched_by", where, _MATCHED_BY),
        library=_optional(item, "library", where, str, "a string") or "",
        name=_optional(item, "name", where, str, "a string") or "",
    )


_SEVERITIES = {severity.label: severity for severity in Severity}
_RULES = {rule.value: rule for rule in RuleId}


def _rule(item: dict[str, Any], where: str) -> RuleId:
    """A catalogue rule, or the id of one a newer version knows: kept as its text, so the
    finding is shown (SARIF gives it a generic rule entry) rather than the merge refused."""
    text = _get(item, "rule", where, str, "a rule id")
    if text in _RULES:
        return _RULES[text]
    if len(text) > _RULE_ID_LENGTH or not _RULE_ID.fullmatch(text):
        raise _Malformed(
            f"{_at(where, 'rule')}: a rule id expected (lowercase words joined by `-`, "
            f"at most {_RULE_ID_LENGTH} characters)"
        )
    return cast(RuleId, text)  # not in this version's catalogue: the id is all there is


def _finding(item: dict[str, Any], where: str) -> Finding:
    def text(key: str) -> str:
        return _get(item, key, where, str, "a string")

    ignored = _optional(item, "ignored", where, bool, "a boolean")
    reason = _optional(item, "ignore_reason", where, str, "a string")
    if ignored and reason is None:
        raise _Malformed(
            f"{_at(where, 'ignore_reason')}: the reason of an ignored finding expected"
        )
    return Finding(
        endpoint=text("endpoint"),
        status=_status(item, where),
        path=text("path"),
        rule=_rule(item, where),
        severity=_one_of(item, "severity", where, _SEVERITIES),
        source=text("source"),
        baseline=text("baseline"),
        current=text("current"),
        message=text("message"),
        location=None if item.get("location") is None else _location(item, where),
        ignored=reason if ignored else None,
        spec_location=(
            None if item.get("spec_location") is None else _location(item, where, "spec_location")
        ),
    )
