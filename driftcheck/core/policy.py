"""Policy: severity overrides and reviewed ignores, from config and flags.

An ignored finding is kept (marked, with its reason) so reports still show it; only
the exit code leaves it out. An ignore past its `until` date hides nothing and says so.
"""

from __future__ import annotations

import dataclasses
import datetime
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from driftcheck.core.model import Finding, Report, Severity
from driftcheck.core.rules import RULES
from driftcheck.errors import ConfigError

CLI_REASON = "given with --ignore on the command line"


@dataclass(frozen=True, slots=True)
class Ignore:
    """A reviewed exception to a rule, with its reason and optional expiry date."""

    reason: str
    endpoint: str = "*"
    path: str = "*"
    rule: str = "*"
    until: str | None = None
    label: str = "[[ignore]]"  # where it was written, for messages


@dataclass(frozen=True, slots=True)
class Policy:
    """What to change in a report before it is rendered and judged."""

    severity: Mapping[str, Severity] = dataclasses.field(default_factory=dict)
    ignores: tuple[Ignore, ...] = ()


def _rule_id(rule: str, where: str) -> str:
    if rule in RULES or ("*" in rule or "?" in rule):
        return rule
    close = difflib.get_close_matches(rule, list(RULES), n=1)
    hint = f"; did you mean `{close[0]}`?" if close else f"; valid: {', '.join(RULES)}"
    raise ConfigError(f"{where}: unknown rule `{rule}`{hint}")


def severities(levels: Mapping[str, str], where: str) -> dict[str, Severity]:
    """`{"field-added": "warning"}` checked against the catalogue."""
    result: dict[str, Severity] = {}
    for rule, level in levels.items():
        _rule_id(rule, where)
        if rule not in RULES:
            raise ConfigError(f"{where}: [severity] takes rule ids, not patterns: `{rule}`")
        if level not in ("breaking", "warning", "info"):
            raise ConfigError(
                f"{where}: severity of `{rule}` is {level!r}; valid: breaking, warning, info"
            )
        result[rule] = Severity.parse(level)
    return result


def parse_severity_flags(flags: Iterable[str]) -> dict[str, str]:
    """`--severity field-added=warning` (repeatable)."""
    levels: dict[str, str] = {}
    for flag in flags:
        rule, sep, level = flag.partition("=")
        if not sep:
            raise ConfigError(f"--severity {flag!r}: write RULE=LEVEL, e.g. field-added=warning")
        levels[rule.strip()] = level.strip().lower()
    return levels


def parse_ignore_flag(flag: str) -> Ignore:
    """`--ignore RULE` or `--ignore rule=…,endpoint=…,path=…,reason=…` for a one-off run."""
    if "=" not in flag:
        return Ignore(reason=CLI_REASON, rule=_rule_id(flag.strip(), "--ignore"), label="--ignore")
    fields: dict[str, str] = {}
    for part in flag.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in ("rule", "endpoint", "path", "reason", "until"):
            raise ConfigError(
                f"--ignore {flag!r}: write RULE, or key=value pairs of rule, endpoint, path, "
                "reason, until separated by commas"
            )
        fields[key] = value.strip()
    return Ignore(
        reason=fields.get("reason") or CLI_REASON,
        endpoint=fields.get("endpoint", "*"),
        path=fields.get("path", "*"),
        rule=_rule_id(fields.get("rule", "*"), "--ignore"),
        until=fields.get("until"),
        label="--ignore",
    )


def checked_ignores(ignores: Sequence[Ignore], where: str) -> tuple[Ignore, ...]:
    """Config ignores with their rule ids checked against the catalogue."""
    for ignore in ignores:
        _rule_id(ignore.rule, f"{where}: {ignore.label}")
    return tuple(ignores)


def _glob(pattern: str) -> re.Pattern[str]:
    """`*` and `?` are wildcards; everything else, brackets included, is literal."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def matches(ignore: Ignore, finding: Finding) -> bool:
    return all(
        _glob(pattern).match(value)
        for pattern, value in (
            (ignore.rule, finding.rule),
            (ignore.endpoint, finding.endpoint),
            (ignore.path, finding.path),
        )
    )


def _expired(ignore: Ignore, today: datetime.date) -> bool:
    return ignore.until is not None and datetime.date.fromisoformat(ignore.until) < today


def apply(report: Report, policy: Policy, today: datetime.date) -> Report:
    """Severities overridden, findings under a live ignore marked, expired ignores reported."""
    live = [i for i in policy.ignores if not _expired(i, today)]
    expired = [i for i in policy.ignores if _expired(i, today)]
    findings = []
    for finding in report.findings:
        severity = policy.severity.get(finding.rule, finding.severity)
        hiding = next((i for i in live if matches(i, finding)), None)
        findings.append(
            dataclasses.replace(
                finding,
                severity=severity,
                ignored=hiding.reason if hiding else finding.ignored,
            )
        )
    warnings = [
        f"{i.label} (rule `{i.rule}`, endpoint `{i.endpoint}`, path `{i.path}`: {i.reason}) "
        f"expired on {i.until}; the {_count(i, report.findings)} it matched count again"
        for i in expired
    ]
    return dataclasses.replace(
        report, findings=tuple(findings), warnings=(*report.warnings, *warnings)
    )


def _count(ignore: Ignore, findings: Sequence[Finding]) -> str:
    n = sum(1 for f in findings if matches(ignore, f))
    return f"{n} finding{'s' if n != 1 else ''}"
