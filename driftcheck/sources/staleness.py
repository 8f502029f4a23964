"""When a cassette was recorded: the newest date recorded in it (Ruby VCR's
`recorded_at`, else the responses' Date headers), else its last git commit, else its
modification time. `core.staleness` judges the age."""

from __future__ import annotations

import subprocess
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from driftcheck.core.model import Interaction
from driftcheck.core.staleness import Recorded, moment


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
    # A date past the years 1 to 9999 in UTC (9999-12-31T23:59-14:00 is one) says
    # nothing: the next source is asked.
    stamps = [s for s in (i.recorded_at for i in interactions) if s is not None and moment(s)]
    if stamps:
        return max(stamps), "date recorded in the cassette"
    committed = _git_time(Path(path))
    if committed is not None:
        return committed, "last git commit"
    try:
        return Path(path).stat().st_mtime, "file modification time"
    except OSError:
        return None


def recorded(
    files: Iterable[str],
    interactions: Sequence[Interaction],
    name_of: Callable[[Interaction], str],
) -> list[Recorded]:
    """Each file's recording time and endpoints (files whose time is unknown left out)."""
    by_file: dict[str, list[Interaction]] = defaultdict(list)
    for interaction in interactions:
        by_file[interaction.source].append(interaction)
    result = []
    for path in sorted(set(files)):
        found = recorded_time(path, by_file.get(path, []))
        if found is not None:
            names = sorted({name_of(i) for i in by_file.get(path, [])}) or [Path(path).stem]
            result.append(Recorded(path, found[0], found[1], tuple(names)))
    return result
