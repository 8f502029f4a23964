"""Config mode's recordings: where each configured endpoint's cassette is, loaded once
per run, and the recorded contract its mocks are checked against.

Recorded shapes for an endpoint come from its fresh recording when there is one, else
its committed cassette (`<name>.yaml` in either folder).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from driftcheck.config import Config
from driftcheck.core.endpoints import group
from driftcheck.core.fixture_check import Contract, contract_of
from driftcheck.core.model import BodyKind, FileError, Interaction
from driftcheck.core.suggest import unknown_name
from driftcheck.errors import ConfigError, InputError
from driftcheck.sources.cassettes import load_all
from driftcheck.sources.scan import FileScan, Settings, scan


class Recordings:
    """Loads each cassette once per run, labelled by file name like configured endpoints."""

    def __init__(self, reading: Settings | None = None) -> None:
        self._reading = reading or Settings()
        self._loaded: dict[Path, FileScan] = {}

    def load(self, paths: Iterable[Path]) -> tuple[list[Interaction], list[FileError]]:
        wanted = list(paths)
        missing = [path for path in dict.fromkeys(wanted) if path not in self._loaded]
        for path, result in zip(missing, scan(missing, self._reading), strict=True):
            self._loaded[path] = result
        interactions: list[Interaction] = []
        errors: list[FileError] = []
        for path in wanted:
            result = self._loaded[path]
            if result.error is not None:
                errors.append(FileError(result.path, result.error))
            interactions.extend(result.interactions)
        return interactions, errors


def recording_of(config: Config, name: str) -> Path | None:
    """The fresh recording of an endpoint if there is one, else its committed cassette."""
    for folder in (config.fresh, config.cassettes):
        path = folder / f"{name}.yaml"
        if path.is_file():
            return path
    return None


def known_endpoint(config: Config, name: str) -> str:
    """`name` if it is configured or recorded; else an error listing the nearest names."""
    names = {e.name for e in config.endpoints}
    if name in names or recording_of(config, name) is not None:
        return name
    recorded = {
        p.stem for folder in (config.fresh, config.cassettes) for p in folder.glob("*.yaml")
    }
    valid = sorted(names | recorded)
    listing = ", ".join(valid) or "none: add [[endpoints]] to the config or record first"
    raise ConfigError(f"{unknown_name('endpoint', name, valid)} (known: {listing})")


def by_name(interaction: Interaction) -> str:
    """Configured endpoints are labelled by their cassette's file name."""
    return Path(interaction.source).stem


def notes_of(interactions: Iterable[Interaction]) -> tuple[str, ...]:
    """`file#index: note` for every body left out of shape inference."""
    return tuple(f"{i.source}#{i.index}: {i.note}" for i in interactions if i.note)


def contract(config: Config, name: str, recordings: Recordings | None = None) -> Contract:
    """The recorded contract of one endpoint; InputError when there is nothing to go by."""
    path = _recording(config, name)
    interactions, errors = (recordings or Recordings()).load([path])
    return _contract_of(name, path, interactions, errors)


def _recording(config: Config, name: str) -> Path:
    path = recording_of(config, name)
    if path is None:
        raise InputError(
            f"endpoint `{name}` has no recording: neither {config.fresh / name}.yaml nor "
            f"{config.cassettes / name}.yaml exists; run `driftcheck record`"
        )
    return path


def _contract_of(
    name: str, path: Path, interactions: list[Interaction], errors: list[FileError]
) -> Contract:
    if errors:
        raise InputError(f"{errors[0].file}: {errors[0].message}")
    found = contract_of(name, group(interactions, by_name).endpoints.get(name, {}))
    if found is None:
        raise InputError(f"{path}: no successful (2xx) JSON response recorded for `{name}`")
    return found


def recorded_bodies(config: Config, name: str) -> tuple[Contract, list[Any]]:
    """An endpoint's contract and its successful JSON bodies, for generating fixtures."""
    path = _recording(config, name)
    interactions, errors = load_all([path])  # with bodies: variants are made of them
    recorded = _contract_of(name, path, interactions, errors)
    bodies = [i.body for i in interactions if 200 <= i.status < 300 and i.kind is BodyKind.JSON]
    return recorded, bodies
