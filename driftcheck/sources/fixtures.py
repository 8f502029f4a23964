"""Read the mock payloads tests feed their code: JSON and YAML files, Python literals.

References come from config: `tests/fixtures/user.json`, `tests/test_users.py::MOCK_USER`
(a variable, or `test_function.NAME`), a whole test module (its mock set-ups, such as
`mock_get.return_value.json.return_value = …`), or globs of these. Python is read with
`ast`, never imported or executed; a part of a literal that is not data (a call, an
unknown name) is kept as `Opaque`, noted with its line, and never checked.
"""

from __future__ import annotations

import datetime
import fnmatch
import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from driftcheck import jsonio
from driftcheck.core.limits import MAX_FIXTURE_DEPTH
from driftcheck.core.model import FileError, Fixture, Opaque
from driftcheck.errors import FixtureError
from driftcheck.sources import yamlsafe
from driftcheck.sources.mocks import json_key, python_fixtures
from driftcheck.sources.mocks.literals import encodable
from driftcheck.sources.mocks.reader import TOO_DEEP
from driftcheck.sources.regular import NotReadable, is_regular, read_regular

DATA_SUFFIXES = frozenset({".json", ".yaml", ".yml"})
MAX_VALUES = 1_000_000
MAX_GLOB_FILES = 10_000


@dataclass(frozen=True, slots=True)
class Loaded:
    """The fixtures of one endpoint, the references that failed, and notes on opaque parts."""

    fixtures: tuple[Fixture, ...] = ()
    errors: tuple[FileError, ...] = ()
    notes: tuple[str, ...] = ()


def load_fixtures(refs: Sequence[str], root: Path) -> Loaded:
    """Every fixture the references name, relative to `root`; failures are listed, not raised."""
    fixtures: list[Fixture] = []
    errors: list[FileError] = []
    notes: list[str] = []
    for ref in refs:
        try:
            found, found_notes = _load_ref(ref, root)
        except FixtureError as error:
            errors.append(FileError(error.file, error.reason))
            continue
        fixtures.extend(found)
        notes.extend(found_notes)
    return Loaded(tuple(fixtures), tuple(errors), tuple(notes))


def split_reference(ref: str, root: Path) -> tuple[str, str]:
    """`tests/mocks.py::USER` -> (`tests/mocks.py`, `USER`); a file whose own name holds
    `::` (`tests/a::b.json`, which a glob may return) is a file, not a variable."""
    pattern, separator, name = ref.rpartition("::")
    if not separator or not name.isidentifier() or _exists(root / ref):
        return ref, ""
    return pattern, name


def _exists(path: Path) -> bool:
    """Whether anything is at `path`; False for a name too long or a symlink loop."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _load_ref(ref: str, root: Path) -> tuple[list[Fixture], list[str]]:
    pattern, name = split_reference(ref, root)
    is_glob = glob.has_magic(pattern)
    paths = _paths(pattern, root, is_glob)
    fixtures: list[Fixture] = []
    notes: list[str] = []
    for path in paths:
        label = _label(path, root)
        if path.suffix == ".py":
            found, found_notes = _python(_read(path, label), label, name or None)
            if not found and not is_glob:
                raise FixtureError(label, _nothing_found(name))
            fixtures.extend(found)
            notes.extend(found_notes)
        elif name:
            raise FixtureError(label, f"`::{name}` names a variable, only in a Python module")
        else:
            fixtures.append(data_fixture(_read(path, label), label))
    return fixtures, notes


def _python(source: bytes, label: str, name: str | None) -> tuple[list[Fixture], list[str]]:
    """A module's payloads; one too deep for a recursive walk (`ast.unparse` of a
    1,000-term sum) is a FixtureError like any unreadable module."""
    try:
        return python_fixtures(source, label, name)
    except RecursionError:
        raise FixtureError(label, TOO_DEEP) from None


def _paths(pattern: str, root: Path, is_glob: bool) -> list[Path]:
    if is_glob:
        matches: list[Path] = []
        for path in _glob(root, pattern):
            if is_regular(path) and _fixture_file(path):
                matches.append(path)
            if len(matches) > MAX_GLOB_FILES:
                raise FixtureError(
                    pattern, f"matches more than {MAX_GLOB_FILES:,} files; name fewer"
                )
        if not matches:
            raise FixtureError(pattern, "matches no .json, .yaml, .yml or .py file")
        return sorted(matches)
    path = root / pattern
    if not is_regular(path):
        raise FixtureError(pattern, "no such fixture file")
    if path.suffix not in DATA_SUFFIXES and path.suffix not in {".py", ""}:
        raise FixtureError(
            pattern,
            "a fixture is a .json, .yaml or .yml file, a .py module, or JSON without extension",
        )
    return [path]


def _glob(root: Path, pattern: str) -> Iterator[Path]:
    """What `glob.glob(pattern, recursive=True)` matches, each path once, without going
    into a symlinked folder under `**`: `glob` follows `self -> .` and `up -> ..`, and its
    paths grow without end. A state is a path that matched the pattern's first parts."""
    pure = PurePath(pattern)
    parts = pure.parts[1:] if pure.is_absolute() else pure.parts
    pending = [(Path(pure.anchor) if pure.is_absolute() else root, 0)]
    seen: set[tuple[Path, int]] = set()
    while pending:
        state = pending.pop()
        if state in seen:
            continue
        seen.add(state)
        path, index = state
        if index == len(parts):
            yield path
        else:
            pending.extend(_steps(path, parts, index))


def _steps(path: Path, parts: tuple[str, ...], index: int) -> list[tuple[Path, int]]:
    """The states `parts[index]` leads to from `path`."""
    part = parts[index]
    if part == "**":  # zero folders, or one more real (not symlinked) folder
        last = index + 1 == len(parts)
        steps = [(path, index + 1)]
        for child, real_folder in _children(path, hidden=False):
            if real_folder or last:
                steps.append((child, index if real_folder else index + 1))
        return steps
    if glob.has_magic(part):
        return [
            (child, index + 1)
            for child, _ in _children(path, hidden=part.startswith("."))
            if fnmatch.fnmatchcase(child.name, part)
        ]
    return [(path / part, index + 1)]


def _children(folder: Path, hidden: bool) -> list[tuple[Path, bool]]:
    """A folder's entries (hidden ones only when asked, as glob does), each with whether
    it is a real folder, not a symlink to one; none when it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            return [
                (Path(entry.path), entry.is_dir(follow_symlinks=False))
                for entry in entries
                if hidden or not entry.name.startswith(".")
            ]
    except (OSError, ValueError):
        return []


def _fixture_file(path: Path) -> bool:
    """What a glob picks: data files, modules, and files without extension holding JSON."""
    if path.suffix in DATA_SUFFIXES or path.suffix == ".py":
        return True
    return path.suffix == "" and _starts_like_json(_head(path))


def _head(path: Path) -> bytes:
    try:
        return read_regular(path, 256)
    except NotReadable:
        return b""


def _starts_like_json(text: bytes) -> bool:
    return text.lstrip()[:1] in (b"{", b"[")


def _label(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _read(path: Path, label: str) -> bytes:
    try:
        return read_regular(path)  # a FIFO is refused, never opened blocking
    except NotReadable as error:
        raise FixtureError(label, str(error)) from None


def _nothing_found(name: str) -> str:
    if name:
        return f"no data literal named `{name}`"
    return (
        "no mock response payloads found (`….json.return_value = …`, "
        '`Mock(**{"json.return_value": …})`, `responses.add(…, json=…)`); '
        "name a variable with `FILE.py::NAME`"
    )


def data_fixture(text: bytes, label: str) -> Fixture:
    """A JSON or YAML file holding one body (or a list of bodies); a file without extension
    is read as JSON (it must start with `{` or `[`)."""
    if not Path(label).suffix and not _starts_like_json(text):
        raise FixtureError(
            label, "a fixture without extension is read as JSON; it does not start with { or ["
        )
    if label.endswith(".json") or not Path(label).suffix:
        try:
            value = jsonio.loads(text)
        except jsonio.JSONDecodeError as error:
            raise FixtureError(
                label, f"invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
            ) from None
    else:
        try:
            value = yamlsafe.load(text)
        except yamlsafe.YamlProblem as error:
            raise FixtureError(label, str(error)) from None
    lines = yamlsafe.line_map(text) if len(text) < 1_000_000 else {}
    return Fixture(jsonable(value, label), label, lines.get("$", 1), label, lines)


def jsonable(value: Any, label: str) -> Any:
    """The value as JSON would carry it: YAML dates as strings, text JSON can encode,
    anything else opaque.

    Walked with a stack, not recursion; bounded in depth and in values, because YAML
    aliases (or shared Python lists) can make a small value expand to billions.
    """
    holder: list[Any] = [value]
    pending: list[tuple[Any, int]] = [(holder, -1)]  # copies whose children are not converted
    budget = MAX_VALUES
    while pending:
        container, depth = pending.pop()
        budget -= len(container)
        if budget < 0:
            raise FixtureError(label, f"holds more than {MAX_VALUES:,} values (YAML aliases?)")
        if depth >= MAX_FIXTURE_DEPTH and container:
            raise FixtureError(
                label,
                f"nested deeper than {MAX_FIXTURE_DEPTH} levels; "
                f"driftcheck reads fixtures nested at most {MAX_FIXTURE_DEPTH} levels",
            )
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in keys:
            item = container[key]
            if isinstance(item, (dict, list, tuple)):
                item = (
                    {json_key(k): v for k, v in item.items()}
                    if isinstance(item, dict)
                    else list(item)
                )
                pending.append((item, depth + 1))
            container[key] = _scalar(item)
    return holder[0]


def _scalar(item: Any) -> Any:
    """A value JSON can carry as it is (containers are copied by the caller)."""
    if isinstance(item, str):
        return encodable(item)
    if item is None or isinstance(item, (bool, int, float, Opaque, dict, list)):
        return item
    if isinstance(item, (datetime.date, datetime.datetime)):
        return item.isoformat()
    return Opaque(f"a {type(item).__name__} value", 0)
