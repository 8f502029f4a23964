"""What each CLI command does, as plain functions the CLI (and tests) call once."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from pathlib import Path

from driftcheck.cassettes import discover, load_all, read_cassette
from driftcheck.compare import Overrides, compare
from driftcheck.endpoints import group
from driftcheck.model import EndpointSet, FileError, Interaction, Report

PathLike = str | os.PathLike[str]


def _load_side(path: PathLike) -> tuple[list[Interaction], list[FileError]]:
    """A file must load (its error is fatal); a folder lists its unreadable files and goes on."""
    if Path(path).is_dir():
        return load_all(discover([path]))
    return list(read_cassette(path).interactions), []


def diff_paths(baseline: PathLike, current: PathLike, overrides: Overrides | None = None) -> Report:
    """Compare the shapes of two cassette files or folders."""
    old, old_errors = _load_side(baseline)
    new, new_errors = _load_side(current)
    report = compare(group(old), group(new), overrides)
    notes = _notes(old) + _notes(new)
    return dataclasses.replace(report, errors=(*old_errors, *new_errors), notes=tuple(notes))


def _notes(interactions: Sequence[Interaction]) -> list[str]:
    return [f"{i.source}#{i.index}: {i.note}" for i in interactions if i.note]


def shape_paths(paths: Sequence[PathLike]) -> tuple[EndpointSet, list[FileError]]:
    """Infer shapes per endpoint from cassette files and folders."""
    interactions, errors = load_all(discover(paths))
    return group(interactions), errors
