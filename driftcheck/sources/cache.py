"""The shape cache: what a scan read, stored as JSON under the SHA-256 of the content.

One entry per file content (keyed with the driftcheck version and `CACHE_FORMAT`) and
one per run of files (their paths and content keys). Entries are written to a temporary
file and renamed, so runs may share a cache. JSON, not pickle: reading the cache can
never run code. An entry is checked as it is decoded, so one that is missing, damaged or
of another layout is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from driftcheck import __version__, jsonio
from driftcheck.core.endpoints import PoolKey
from driftcheck.core.model import BodyKind, Interaction, Node
from driftcheck.core.rows import check_rows
from driftcheck.core.shape import Rows, ShapeBuilder, from_rows
from driftcheck.files import write_atomic

# 4: interactions carry their GraphQL operation and the path segments their body names;
# pools are named by the configured matchers
# 6: pools are keyed by their files' recording day too (endpoint, status, day); shape rows
# carry maps (their values under `{*}`) and per-variant key counts of tagged objects
CACHE_FORMAT = 6
T = TypeVar("T")
Files = list[tuple[str, str | None, list[Interaction]]]  # path, error, interactions


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One file as read: interactions without bodies, or an error; shapes per pool."""

    interactions: list[Interaction]
    error: str | None
    pools: dict[PoolKey, ShapeBuilder]


@dataclass(frozen=True, slots=True)
class RunEntry:
    """A run of files as read: each file's path, error and interactions; pooled shapes."""

    files: Files
    shapes: dict[PoolKey, Node]


def content_key(data: bytes, naming: str = "") -> str:
    """An entry's key: the SHA-256 of `data`, the driftcheck version and the format, and
    `naming` (the configured matchers, which name the pools: shapes pooled under other
    names are never reused)."""
    digest = hashlib.sha256(data)  # SHA-NI makes it twice as fast as BLAKE2 on x86
    digest.update(f"\0driftcheck {__version__} cache {CACHE_FORMAT}\0{naming}".encode())
    return digest.hexdigest()


def entry_path(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.json"


def run_key(paths: Sequence[str], naming: str = "") -> str | None:
    """A run's key: its files' paths and content keys (None when one cannot be read)."""
    digest = hashlib.sha256(b"run")
    for path in paths:
        try:
            digest.update(f"\0{path}\0{content_key(Path(path).read_bytes())}".encode())
        except OSError:
            return None
    return content_key(digest.digest(), naming)


def cached(folder: Path, key: str, decode: Callable[[bytes], T]) -> T | None:
    """The entry under `key`, decoded; None when it is missing or does not decode."""
    try:
        return decode(entry_path(folder, key).read_bytes())
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None  # missing or corrupt: rebuilt and rewritten


def store(folder: Path, key: str, entry: bytes) -> None:
    """Write an entry whole (readers see whole entries only); a read-only or full disk
    only costs speed, and leaves nothing behind."""
    with contextlib.suppress(OSError):
        write_atomic(entry_path(folder, key), entry)


def file_entry(entry: FileEntry) -> bytes:
    pools = [[e, s, day, builder.rows()] for (e, s, day), builder in entry.pools.items()]
    return jsonio.dumps(
        {"error": entry.error, "interactions": _metadata(entry.interactions), "pools": pools}
    )


def decode_file(data: bytes, path: str) -> FileEntry:
    """A file entry read back; ValueError (or another decoding error) unless it is one."""
    entry = jsonio.loads(data)
    pools: dict[PoolKey, ShapeBuilder] = {}
    for endpoint, status, day, rows in entry["pools"]:
        builder = pools[_pool_key(endpoint, status, day)] = ShapeBuilder()
        builder.add_rows(_checked(rows))
    return FileEntry(_interactions(entry["interactions"], path), _error(entry["error"]), pools)


def run_entry(files: Files, shapes: Mapping[PoolKey, Rows]) -> bytes:
    listed = [[path, error, _metadata(interactions)] for path, error, interactions in files]
    pooled = [[endpoint, status, day, rows] for (endpoint, status, day), rows in shapes.items()]
    return jsonio.dumps({"files": listed, "shapes": pooled})


def decode_run(data: bytes, paths: Sequence[str]) -> RunEntry:
    """A run entry of exactly `paths`, read back; ValueError unless it is one."""
    run = jsonio.loads(data)
    files = [(p, _error(error), _interactions(rows, p)) for p, error, rows in run["files"]]
    if [path for path, _, _ in files] != list(paths):
        raise ValueError("a run entry of other files")
    shapes = {_pool_key(e, s, d): from_rows(_checked(rows)) for e, s, d, rows in run["shapes"]}
    return RunEntry(files, shapes)


def _metadata(interactions: Sequence[Interaction]) -> list[list[Any]]:
    return [
        [i.method, i.uri, i.status, i.content_type, i.kind.value, i.note, i.index, i.line,
         i.recorded_at, i.operation, list(i.echoed)]
        for i in interactions
    ]  # fmt: skip  # a record's fields on few lines, not one per line


_NONE = type(None)
_FIELDS: tuple[type | tuple[type, ...], ...] = (  # the types of `_metadata`'s fields
    str, str, int, str, str, (str, _NONE), int, int, (float, int, _NONE), (str, _NONE), list,
)  # fmt: skip  # a record's fields on few lines, not one per line


def _interactions(rows: list[list[Any]], path: str) -> list[Interaction]:
    for row in rows:
        if not all(isinstance(value, kind) for value, kind in zip(row, _FIELDS, strict=True)):
            raise ValueError("not an interaction")
    return [
        Interaction(
            method=m, uri=u, status=s, content_type=c, kind=BodyKind(k), note=n, source=path,
            index=x, line=line, recorded_at=r, operation=o, echoed=_positions(e),
        )
        for m, u, s, c, k, n, x, line, r, o, e in rows
    ]  # fmt: skip  # a record's fields on few lines, not one per line


def _positions(positions: list[Any]) -> tuple[int, ...]:
    if not all(type(position) is int for position in positions):
        raise ValueError("not path positions")
    return tuple(positions)


def _error(error: Any) -> str | None:
    if error is not None and not isinstance(error, str):
        raise ValueError("not an error message")
    return error


def _pool_key(endpoint: Any, status: Any, day: Any) -> PoolKey:
    if not isinstance(endpoint, str) or not isinstance(status, int):
        raise ValueError("not an endpoint and status")
    if not isinstance(day, str) or (day and datetime.date.fromisoformat(day).isoformat() != day):
        raise ValueError("not a recording day as `day_of` writes it")
    return endpoint, status, day


def _checked(rows: Any) -> Rows:
    """`rows` when they describe a shape (see `ShapeBuilder.rows`); else ValueError."""
    return check_rows(rows)
