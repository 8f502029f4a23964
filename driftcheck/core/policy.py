"""Policy: severity overrides and reviewed ignores, from config and flags.

An ignored finding is kept (marked, with its reason) so reports still show it; only
the exit code leaves it out. An ignore past its `until` date hides nothing and says so.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from driftcheck.core import pathglob
from driftcheck.core.model import Finding, Report, Severity
from driftcheck.core.paths import ROOT
from driftcheck.core.rules import RULES, VALUE_RULES
from driftcheck.core.suggest import did_you_mean
from driftcheck.errors import ConfigError

CLI_REASON = "given with --ignore on the command line"
LEVELS = tuple(level.label for level in sorted(Severity, reverse=True))  # most severe first
_IGNORE_KEYS = ("rule", "endpoint", "path", "reason", "until")


@dataclass(frozen=True, slots=True)
class Ignore:
    """A reviewed exception to a rule, with its reason and optional expiry date."""

    reason: str
    endpoint: str = "*"
    path: str = "*"
    rule: str = "*"
    until: datetime.date | None = None
    label: str = "[[ignore]]"  # where it was written, for messages


@dataclass(frozen=True, slots=True)
class Policy:
    """What to change in a report before it is rendered and judged."""

    severity: Mapping[str, Severity] = dataclasses.field(default_factory=dict)
    ignores: tuple[Ignore, ...] = ()
    values: bool = True  # False (`values = false`): the rules on values are off


def _is_pattern(rule: str) -> bool:
    return "*" in rule or "?" in rule


def check_rule(rule: str, where: str, patterns: bool = True) -> str:
    """A rule id of the catalogue, or a glob where `patterns` are allowed; else a
    ConfigError naming `where` and the nearest valid id."""
    if rule in RULES or (patterns and _is_pattern(rule)):
        return rule
    shown = rule if rule.isprintable() and len(rule) <= 60 else repr(rule)[:60]  # one line
    if _is_pattern(rule):
        raise ConfigError(f"{where} takes rule ids, not patterns: `{shown}`")
    hint = did_you_mean(rule, RULES) or f"; valid: {', '.join(RULES)}"
    raise ConfigError(f"{where}: unknown rule `{shown}`{hint}")


def check_path(pattern: str, where: str) -> str:
    """An ignore's `path`: a `$…` pattern must read as steps (see `pathglob`); any other
    text is a plain glob, as before path patterns (`*`, the default, matches all)."""
    if pattern.startswith(ROOT):
        try:
            pathglob.compile_pattern(pattern)
        except ValueError as error:
            raise ConfigError(
                f"{where}: `path` = {pattern!r} is not a path pattern ({error}); {pathglob.HINT}"
            ) from None
    return pattern


def parse_level(text: object) -> Severity | None:
    """`warning` -> Severity.WARNING; None when `text` names no severity."""
    return {level.label: level for level in Severity}.get(text) if isinstance(text, str) else None


def severities(levels: Mapping[str, object], where: str) -> dict[str, Severity]:
    """`[severity]`: rule ids of the catalogue (not patterns), each with a valid level."""
    result: dict[str, Severity] = {}
    for rule, text in levels.items():
        check_rule(rule, where, patterns=False)
        level = parse_level(text)
        if level is None:
            raise ConfigError(f"{where} `{rule}` = {text!r}; valid: {', '.join(LEVELS)}")
        result[rule] = level
    return result


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def until_date(value: object, where: str) -> datetime.date:
    """An ignore's expiry: a TOML date (a date-time's day), or text starting with an ISO
    date. Not a number or a time: `str(20270131)` would read as a date on Python 3.11."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and _ISO_DAY.match(value):
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            pass
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:48] + "..."
    raise ConfigError(f"{where}: `until` = {shown} is not a date; write it like 2027-01-31")


def parse_severity_flags(flags: Iterable[str]) -> dict[str, Severity]:
    """`--severity field-added=warning` (repeatable): rule ids and levels checked."""
    levels: dict[str, Severity] = {}
    for flag in flags:
        rule, sep, text = (part.strip() for part in flag.partition("="))
        where = f"--severity {flag!r}"
        if not sep:
            raise ConfigError(f"{where}: write RULE=LEVEL, e.g. field-added=warning")
        check_rule(rule, where, patterns=False)
        level = parse_level(text.lower())
        if level is None:
            raise ConfigError(f"{where}: {text!r} is not a severity; valid: {', '.join(LEVELS)}")
        levels[rule] = level
    return levels


def parse_ignore_flag(flag: str) -> Ignore:
    """`--ignore RULE` or `--ignore rule=…,endpoint=…,path=…,reason=…` for a one-off run."""
    where = f"--ignore {flag!r}"
    if "=" not in flag:
        return Ignore(reason=CLI_REASON, rule=check_rule(flag.strip(), where), label="--ignore")
    fields: dict[str, str] = {}
    for part in flag.split(","):
        key, sep, value = (piece.strip() for piece in part.partition("="))
        if not sep or key not in _IGNORE_KEYS:
            raise ConfigError(
                f"{where}: write RULE, or key=value pairs of {', '.join(_IGNORE_KEYS)} "
                "separated by commas"
            )
        fields[key] = value
    until = fields.get("until")
    return Ignore(
        reason=fields.get("reason") or CLI_REASON,
        endpoint=fields.get("endpoint", "*"),
        path=check_path(fields.get("path", "*"), where),
        rule=check_rule(fields.get("rule", "*"), where),
        until=None if until is None else until_date(until, where),
        label="--ignore",
    )


@functools.lru_cache(maxsize=1024)
def glob(pattern: str) -> re.Pattern[str]:
    """An ignore's glob on a rule or an endpoint (or a path not starting with `$`): `*`
    and `?` are wildcards; everything else, brackets included, is literal. Compiled once:
    `apply` matches every ignore against every finding."""
    parts = (".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def path_matches(pattern: str, path: str) -> bool:
    """A `$…` pattern matched step by step (any spelling of a key, `*` one step, `**`
    any depth); any other pattern as a glob on the text."""
    if pattern[:7].lower() == "header:":  # header names are case-insensitive
        return glob(pattern.lower()).match(path.lower()) is not None
    if not pattern.startswith(ROOT):
        return glob(pattern).match(path) is not None
    try:
        return pathglob.compile_pattern(pattern).matches(path)
    except ValueError:  # config and flags refuse it; an Ignore built in code hides nothing
        return False


def matches(ignore: Ignore, finding: Finding) -> bool:
    return (
        glob(ignore.rule).match(finding.rule) is not None
        and glob(ignore.endpoint).match(finding.endpoint) is not None
        and path_matches(ignore.path, finding.path)
    )


def _expired(ignore: Ignore, today: datetime.date) -> bool:
    return ignore.until is not None and ignore.until < today


def apply(report: Report, policy: Policy, today: datetime.date) -> Report:
    """Severities overridden, findings under a live ignore marked, expired ignores reported."""
    live = [i for i in policy.ignores if not _expired(i, today)]
    expired = [i for i in policy.ignores if _expired(i, today)]
    findings = []
    for finding in report.findings:
        if not policy.values and finding.rule in VALUE_RULES:
            continue
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
