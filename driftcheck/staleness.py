"""`cassette-stale`: cassettes recorded longer ago than `max_age`.

A cassette's age comes from the newest date recorded in it (Ruby VCR's `recorded_at`,
else the responses' Date headers), else its last git commit, else its modification time.
"""

from __future__ import annotations

import datetime
import re
import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from driftcheck.errors import ConfigError
from driftcheck.model import Finding, Interaction
from driftcheck.rules import severity_of
from driftcheck.shape import ROOT

_AGE = re.compile(r"\s*(\d+)\s*([hdw])\s*\Z")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_age(text: str, where: str = "--max-age") -> datetime.timedelta:
    """`30d`, `12h` or `2w`."""
    match = _AGE.match(text)
    if match is None or int(match.group(1)) == 0:
        raise ConfigError(f"{where}: {text!r} is not an age; write it like 30d, 12h or 2w")
    return datetime.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _git_time(path: Path) -> float | None:
    try:
        done = subprocess.run(
            ["git", "log", "-1", "--format=%ct", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    stamp = done.stdout.strip()
    return float(stamp) if done.returncode == 0 and stamp.isdigit() else None


def recorded_time(path: str, interactions: Sequence[Interaction]) -> tuple[float, str] | None:
    """When a cassette was recorded, and how that is known."""
    stamps = [i.recorded_at for i in interactions if i.recorded_at is not None]
    if stamps:
        return max(stamps), "date recorded in the cassette"
    committed = _git_time(Path(path))
    if committed is not None:
        return committed, "last git commit"
    try:
        return Path(path).stat().st_mtime, "file modification time"
    except OSError:
        return None


def stale_findings(
    files: Iterable[str],
    interactions: Sequence[Interaction],
    max_age: str,
    now: datetime.datetime,
    name_of: Callable[[Interaction], str],
) -> list[Finding]:
    """One `cassette-stale` finding per endpoint of every cassette older than `max_age`."""
    limit = parse_age(max_age)
    by_file: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in interactions:
        by_file[interaction.source].append(interaction)
    findings: list[Finding] = []
    for path in sorted(set(files)):
        found = recorded_time(path, by_file.get(path, []))
        if found is None:
            continue
        stamp, how = found
        age = now - datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc)
        if age <= limit:
            continue
        day = datetime.datetime.fromtimestamp(stamp, datetime.timezone.utc).date().isoformat()
        names = sorted({name_of(i) for i in by_file.get(path, [])}) or [Path(path).stem]
        findings.extend(
            Finding(
                endpoint=name,
                status=None,
                path=ROOT,
                rule="cassette-stale",
                severity=severity_of("cassette-stale"),
                source="cassette",
                baseline=f"recorded {day} ({age.days} days ago; {how})",
                current=f"max age {max_age.strip()}",
                message=f"cassette {path} was recorded {age.days} days ago ({day}, {how}); "
                f"older than the max age of {max_age.strip()}: re-record it",
                location=path,
            )
            for name in names
        )
    return findings
