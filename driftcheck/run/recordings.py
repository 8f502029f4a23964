"""Config mode's recordings: where each configured endpoint's cassette is, loaded once
per run, and the recorded contract its mocks are checked against.

Recorded shapes for an endpoint come from its fresh recording when there is one, else
its committed cassette (`<name>.yaml` in either folder).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from driftcheck.config import Config
from driftcheck.core.endpoints import Pooled, group, pool
from driftcheck.core.fixture_check import Contract, contract_of
from driftcheck.core.model import BodyKind, EndpointSet, FileError, Interaction
from driftcheck.core.suggest import unknown_name
from driftcheck.errors import ConfigError, InputError
from driftcheck.sources.cassettes import load_all
from driftcheck.sources.scan import Scanned, Settings, scan_sides


@dataclass(frozen=True, slots=True)
class Loaded:
    """Cassettes as config mode reads them: interactions without bodies, unreadable files,
    and the bodies' shapes pooled per endpoint as `by_name` names it, and status."""

    interactions: list[Interaction]
    errors: list[FileError]
    shapes: Pooled

    def endpoints(self) -> EndpointSet:
        return group(self.interactions, self.shapes, name_of=by_name)


class Recordings:
    """Loads each cassette once per run, labelled by file name like configured endpoints."""

    def __init__(self, reading: Settings | None = None) -> None:
        self._reading = reading or Settings()
        self._scanned: dict[Path, Scanned] = {}

    def load_sides(self, sides: Sequence[Iterable[Path]]) -> list[Loaded]:
        """Each side's cassettes; those not read yet are read together, on one pool."""
        wanted = [list(paths) for paths in sides]
        every = dict.fromkeys(path for paths in wanted for path in paths)
        missing = [path for path in every if path not in self._scanned]
        # A side per file: a file is one endpoint here, so its shapes pool on their own.
        scanned = scan_sides([[path] for path in missing], self._reading)
        self._scanned.update(zip(missing, scanned, strict=True))
        return [self._loaded(paths) for paths in wanted]

    def load(self, paths: Iterable[Path]) -> Loaded:
        (loaded,) = self.load_sides([paths])
        return loaded

    def _loaded(self, paths: list[Path]) -> Loaded:
        parts = [(_name(path), self._scanned[path]) for path in paths]
        return Loaded(
            [i for _, part in parts for i in part.interactions],
            [error for _, part in parts for error in part.errors],
            pool(
                ((name, status), shape)
                for name, part in parts
                for (_, status), shape in part.shapes.items()
            ),
        )


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
    return _name(interaction.source)


def _name(path: str | Path) -> str:
    return Path(path).stem


def notes_of(interactions: Iterable[Interaction]) -> tuple[str, ...]:
    """`file#index: note` for every body left out of shape inference."""
    return tuple(f"{i.source}#{i.index}: {i.note}" for i in interactions if i.note)


def contract(config: Config, name: str, recordings: Recordings | None = None) -> Contract:
    """The recorded contract of one endpoint; InputError when there is nothing to go by."""
    path = _recording(config, name)
    loaded = (recordings or Recordings()).load([path])
    return _contract_of(name, path, loaded.errors, loaded.endpoints())


def _recording(config: Config, name: str) -> Path:
    path = recording_of(config, name)
    if path is None:
        raise InputError(
            f"endpoint `{name}` has no recording: neither {config.fresh / name}.yaml nor "
            f"{config.cassettes / name}.yaml exists; run `driftcheck record`"
        )
    return path


def _contract_of(
    name: str, path: Path, errors: list[FileError], endpoints: EndpointSet
) -> Contract:
    if errors:
        raise InputError(f"{errors[0].file}: {errors[0].message}")
    found = contract_of(name, endpoints.endpoints.get(name, {}))
    if found is None:
        raise InputError(f"{path}: no successful (2xx) JSON response recorded for `{name}`")
    return found


def recorded_bodies(config: Config, name: str) -> tuple[Contract, list[Any]]:
    """An endpoint's contract and its successful JSON bodies, for generating fixtures."""
    path = _recording(config, name)
    interactions, errors = load_all([path])  # with bodies: variants are made of them
    recorded = _contract_of(name, path, errors, group(interactions, name_of=by_name))
    bodies = [i.body for i in interactions if 200 <= i.status < 300 and i.kind is BodyKind.JSON]
    return recorded, bodies
