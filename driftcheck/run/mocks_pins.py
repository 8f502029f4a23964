"""The config's `fixtures` references as pins: each payload they name is held to its
endpoint (`matched_by` "config"), whatever URL a mock of it states.

A reference to a payload (`tests/test_users.py::MOCK_USER`, `tests/fixtures/user.json`)
pins that payload: the mocks of the repository that serve it, or, when no test serves it
(a module the test walk does not read, a file no test loads), the payload itself as a
mock of its own. A reference to a whole module pins only its mocks that state no URL:
a mock that states its method and URL is matched by them, so one endpoint named for a
module no longer takes every mock in it.
"""

from __future__ import annotations

import glob
from dataclasses import dataclass, field, replace
from pathlib import Path

from driftcheck.config import Config, Endpoint
from driftcheck.core.mocks import Mock, MocksFound
from driftcheck.core.model import FileError, Fixture, Location
from driftcheck.sources.fixtures import DATA_SUFFIXES, load_fixtures, split_reference
from driftcheck.sources.mocks import read_mocks

CONFIG_PAYLOAD = "config"  # the `library` of a payload only the config names
ROOT_PATH = "$"


@dataclass(frozen=True, slots=True)
class Pinned:
    """The repository's mocks with the payloads only the config names added, the pins
    (a payload's file and line, 0 for a whole module, -> endpoint), and what failed."""

    found: MocksFound
    pins: dict[Location, str] = field(default_factory=dict)
    errors: tuple[FileError, ...] = ()
    notes: tuple[str, ...] = ()
    naming: frozenset[str] = frozenset()  # endpoints whose `fixtures` named something


def config_pins(config: Config, found: MocksFound, names: set[str] | None = None) -> Pinned:
    """Every endpoint's `fixtures` as pins over `found`. All references are read, so a
    pin holds in every shard; only those of endpoints in `names` report their errors."""
    pinning = _Pinning(config.root, found)
    for endpoint in config.endpoints:
        errors = len(pinning.errors)
        for reference in endpoint.fixtures:
            pinning.reference(endpoint, reference)
        if names is not None and endpoint.name not in names:
            del pinning.errors[errors:]
    return Pinned(
        pinning.found,
        pinning.pins,
        tuple(pinning.errors),
        tuple(pinning.notes),
        frozenset(pinning.naming),
    )


class _Pinning:
    """The pins gathered so far, and the mocks read for them."""

    def __init__(self, root: Path, found: MocksFound) -> None:
        self.root = root
        self.found = found
        self.pins: dict[Location, str] = {}
        self.errors: list[FileError] = []
        self.notes: list[str] = []
        self.naming: set[str] = set()

    def reference(self, endpoint: Endpoint, reference: str) -> None:
        pattern, name = split_reference(reference, self.root)
        paths = [] if name else _paths(pattern, self.root)
        modules = [path for path in paths if path.suffix == ".py"]
        for path in modules:
            self._module(endpoint, path)
        if name or not paths:
            self._payloads(endpoint, [reference])
        else:
            self._payloads(endpoint, [self._label(p) for p in paths if p.suffix != ".py"])

    def _module(self, endpoint: Endpoint, path: Path) -> None:
        """A whole module: its mocks stating no URL are pinned; read here when the test
        walk did not (a helper module, `tests/mocks.py`)."""
        label = self._label(path)
        if label not in self._read_files():
            self.found += read_mocks(path, self.root)
        if label not in self._read_files():
            self.errors.append(
                FileError(label, "no mocks found in it; name a payload with `FILE.py::NAME`")
            )
            return
        self._pin(Location(label), endpoint.name, f"{label} (its mocks stating no URL)")

    def _payloads(self, endpoint: Endpoint, references: list[str]) -> None:
        if not references:
            return
        loaded = load_fixtures(references, self.root)
        self.errors.extend(loaded.errors)
        self.notes.extend(loaded.notes)
        for fixture in loaded.fixtures:
            mocks = self.found.mocks
            if not any(_serves(mock.fixture, fixture) for mock in mocks):
                mocks = (*mocks, Mock(fixture, CONFIG_PAYLOAD, fixture.where()))
            # a call serving the named literal takes the literal as written: its findings
            # point where the payload is written, not at the call
            mocks = tuple(
                replace(mock, fixture=fixture) if _serves(mock.fixture, fixture) else mock
                for mock in mocks
            )
            self.found = replace(self.found, mocks=mocks)
            self._pin(Location(fixture.file, fixture.line), endpoint.name, fixture.name)

    def _pin(self, where: Location, endpoint: str, what: str) -> None:
        self.naming.add(endpoint)
        held = self.pins.setdefault(where, endpoint)
        if held != endpoint:
            self.notes.append(
                f"{what} is in the `fixtures` of `{held}` and of `{endpoint}`: held to `{held}`"
            )

    def _read_files(self) -> set[str]:
        found = self.found
        return {
            *(mock.call.file for mock in found.mocks),
            *(skipped.location.file for skipped in found.skipped),
            *(error.file for error in found.errors),
        }

    def _label(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(path)


def _paths(pattern: str, root: Path) -> list[Path]:
    """The files a reference names (a glob: its data files and modules); none when the
    file does not exist, which `load_fixtures` then reports."""
    if not glob.has_magic(pattern):
        path = root / pattern
        return [path] if path.is_file() else []
    matches = (Path(found) for found in glob.glob(str(root / pattern), recursive=True))
    return sorted(p for p in matches if p.is_file() and p.suffix in {*DATA_SUFFIXES, ".py"})


def _serves(served: Fixture, named: Fixture) -> bool:
    """Whether a mock's payload is the one a reference names: the same value written at
    the same lines of the same file (a mock call's own `$` is the call's line)."""
    if served.file != named.file or served.value != named.value:
        return False
    if served.line == named.line:
        return True
    return _inner_lines(served) == _inner_lines(named) and bool(_inner_lines(named))


def _inner_lines(fixture: Fixture) -> dict[str, int]:
    return {path: line for path, line in fixture.lines.items() if path != ROOT_PATH}
