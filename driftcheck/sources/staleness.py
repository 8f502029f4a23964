"""When a cassette was recorded: the newest date recorded in it (Ruby VCR's
`recorded_at`, else the responses' Date headers), else its last git commit, else its
modification time. `core.staleness` judges the age."""

from __future__ import annotations

import subprocess
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

from driftcheck.core.census import Census
from driftcheck.core.staleness import Recorded


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


def recorded_time(path: str, stamp: float | None = None) -> tuple[float, str] | None:
    """When a cassette was recorded, and how that is known: `stamp`, the newest date
    recorded in it that a calendar holds (`Census.stamp`), else git, else the file."""
    if stamp is not None:
        return stamp, "date recorded in the cassette"
    committed = _git_time(Path(path))
    if committed is not None:
        return committed, "last git commit"
    try:
        return Path(path).stat().st_mtime, "file modification time"
    except OSError:
        return None


def recorded(censuses: Iterable[Census]) -> list[Recorded]:
    """The recording time and endpoints of each file that holds an endpoint of the
    `censuses` (files whose time is unknown left out)."""
    names: dict[str, set[str]] = defaultdict(set)
    stamps: dict[str, float | None] = {}
    for census in censuses:
        for name, tally in census.endpoints.items():
            for position in tally.files:
                path = census.paths[position]
                names[path].add(name)
                stamps[path] = census.stamp(position)
    result = []
    for path in sorted(names):
        found = recorded_time(path, stamps[path])
        if found is not None:
            result.append(Recorded(path, found[0], found[1], tuple(sorted(names[path]))))
    return result
