"""Config mode names files under the config's folder relative to it (`run/diff.relative`):
locations, spec locations, errors, and file names in messages and notes."""

from __future__ import annotations

from pathlib import Path

from driftcheck.core.model import FileError, Finding, Location, Report, Severity
from driftcheck.core.rules import RuleId
from driftcheck.run.diff import relative


def _report(root: Path, message: str) -> Report:
    finding = Finding(
        endpoint="GET api.example.com/users/{id}",
        status=200,
        path="$.id",
        rule=RuleId.SPEC_TYPE_MISMATCH,
        severity=Severity.BREAKING,
        source="spec",
        baseline="",
        current="",
        message=message,
        location=Location(str(root / "cassettes" / "users.yaml"), 4),
        spec_location=Location(str(root / "openapi.yaml"), 12),
    )
    errors = (FileError("/elsewhere/old.yaml", "unreadable"),)
    return Report((finding,), 1, errors, notes=(f"no fresh recordings in {root}/fresh",))


def test_files_inside_the_config_folder_are_named_relative_to_it(tmp_path: Path) -> None:
    message = f"the spec ({tmp_path}/openapi.yaml:12) says integer; application/json"
    moved = relative(_report(tmp_path, message), tmp_path)
    (finding,) = moved.findings
    assert str(finding.location) == "cassettes/users.yaml:4"
    assert str(finding.spec_location) == "openapi.yaml:12"
    assert finding.message == "the spec (openapi.yaml:12) says integer; application/json"
    assert moved.notes == ("no fresh recordings in fresh",)
    assert moved.errors[0].file == "/elsewhere/old.yaml"  # outside: as it was


def test_a_config_at_the_root_leaves_messages_whole() -> None:
    message = "the spec (/openapi.yaml:12) says integer; application/json"
    (finding,) = relative(_report(Path("/"), message), Path("/")).findings
    assert finding.message == message
    assert str(finding.location) == "cassettes/users.yaml:4"
