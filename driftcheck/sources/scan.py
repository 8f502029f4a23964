"""Read many cassettes fast: runs of files on a process pool, shapes pooled per endpoint.

A worker reads one file at a time, parses it and infers the shape of each endpoint's JSON
bodies as one column, then drops the bodies: only interactions and pooled shapes cross
back, so memory is bounded by the largest file, not the corpus, and the main process
merges a few shapes per endpoint rather than one per body. Results keep the input order,
so output is deterministic. `sources/cache.py` keeps what was read, keyed by content.

Pools are keyed by endpoint name: the configured matcher that fits an interaction, else
its automatic key. So the matchers go to the workers, and into the cache keys. They are
keyed by status and by recording day too: a file is dated by the newest date in it, here
where its interactions are at hand, so a contract can leave old recordings out
(`core/recency.py`); pools multiply only by the distinct days of a corpus.

Inside a run a shape is a `ShapeBuilder`; it is rows in the cache and a `Node` once it
leaves the worker.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.core.endpoints import Names, Pooled, PoolKey, pool
from driftcheck.core.maps import Declared
from driftcheck.core.matchers import Matcher
from driftcheck.core.model import FileError, Interaction
from driftcheck.core.shape import ShapeBuilder, from_rows
from driftcheck.errors import CassetteError
from driftcheck.sources.cache import (
    FileEntry,
    Files,
    cached,
    content_key,
    decode_file,
    decode_run,
    file_entry,
    run_entry,
    run_key,
    store,
)
from driftcheck.sources.cache_prune import prune
from driftcheck.sources.cassettes import parse_cassette, read_regular
from driftcheck.sources.file_shapes import infer_bodies
from driftcheck.sources.workers import mark, read_all

SMALL = 8  # files: below this, a pool costs more than it saves
CHUNKS = 4  # runs of files per worker: few enough to pool shapes, enough to balance


@dataclass(frozen=True, slots=True)
class Settings:
    """How to scan: worker processes (0: one per core) and the cache folder (None: off)."""

    workers: int = 0
    cache: Path | None = None


@dataclass(frozen=True, slots=True)
class FileScan:
    """One file's interactions, bodies dropped, or why it could not be read."""

    path: str
    interactions: tuple[Interaction, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Scanned:
    """What a scan hands over: each file's interactions, and apart from them the shapes
    of their JSON bodies pooled per endpoint name, status and recording day, for `group`."""

    files: tuple[FileScan, ...] = ()
    shapes: Pooled = field(default_factory=dict)

    @property
    def interactions(self) -> list[Interaction]:
        return [i for scanned in self.files for i in scanned.interactions]

    @property
    def errors(self) -> list[FileError]:
        return [FileError(f.path, f.error) for f in self.files if f.error is not None]


@dataclass(frozen=True)
class _Naming:
    """How a worker names pools: the matchers, and their spelling in cache keys."""

    names: Names
    key: str
    maps: Declared | None = None

    @classmethod
    def of(cls, matchers: Sequence[Matcher], maps: Declared | None = None) -> _Naming:
        key = repr(tuple(matchers)) if matchers else ""
        return cls(Names(matchers), key + (repr(maps) if maps else ""), maps)


def _read(path: str, cache: Path | None, naming: _Naming) -> FileEntry:
    try:
        data = read_regular(path)  # a FIFO swapped in after discovery is refused, not read
    except CassetteError as error:
        return FileEntry([], error.reason, {})
    key = content_key(data, naming.key) if cache is not None else ""
    hit = None if cache is None else cached(cache, key, lambda entry: decode_file(entry, path))
    if hit is not None:
        return hit
    try:
        interactions, pools = infer_bodies(parse_cassette(data, path), naming.names, naming.maps)
        read = FileEntry(interactions, None, pools)
    except CassetteError as error:
        read = FileEntry([], error.reason, {})
    del data
    if cache is not None:
        store(cache, key, file_entry(read))
    return read


@contextlib.contextmanager
def _no_cycle_collector() -> Iterator[None]:
    """Parsed JSON is a tree: it cannot form reference cycles, and reference counting frees
    it. Left on, the cycle collector re-walks every live body while a large one is built,
    which cost a third of the reading time on the synthetic corpus."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _pool_run(
    paths: list[str], cache: Path | None, naming: _Naming
) -> tuple[Files, dict[PoolKey, ShapeBuilder]]:
    """One shape per endpoint name, status and day over a run of files.

    Files are pooled as they are read, and each file's own shapes dropped once counted,
    so a run holds one shape per endpoint and recording day, not one per file.
    """
    files: Files = []
    pooled: dict[PoolKey, ShapeBuilder] = {}
    for position, path in enumerate(paths):
        mark(position)  # on a pool: which file crashed it, should one
        read = _read(path, cache, naming)
        for key, builder in read.pools.items():
            if key in pooled:
                pooled[key].add_builder(builder)
            else:
                pooled[key] = builder
        files.append((path, read.error, read.interactions))
    return files, pooled


Shared = tuple[Path | None, tuple[Matcher, ...], Declared | None]  # cache, matchers, maps
Job = tuple[list[str], Path | None, tuple[Matcher, ...], Declared | None]  # files + Shared


def _scan_run(job: Job) -> Scanned:
    """Read a run of files and pool their shapes.

    With a cache, the whole run is cached too: an unchanged run costs hashing its files
    and reading one entry, however many files and shapes it holds.
    """
    paths, cache, matchers, maps = job
    mark(0)  # on a pool: the run has started (its cache entry is read before any file)
    naming = _Naming.of(matchers, maps)
    with _no_cycle_collector():
        key = run_key(paths, naming.key) if cache is not None and len(paths) > 1 else None
        hit = None
        if key is not None and cache is not None:
            hit = cached(cache, key, lambda entry: decode_run(entry, paths))
        if hit is not None:
            files, shapes = hit.files, hit.shapes
        else:  # each file is read and hashed again: entries key the bytes parsed
            files, builders = _pool_run(paths, cache, naming)
            rows = {pool_key: builder.rows() for pool_key, builder in builders.items()}
            del builders  # their counts live on in the rows; the rest goes before the nodes
            if key is not None and cache is not None:
                store(cache, key, run_entry(files, rows))
            shapes = {pool_key: from_rows(shape) for pool_key, shape in rows.items()}
    return Scanned(tuple(FileScan(p, tuple(i), error) for p, error, i in files), shapes)


def _read_run(paths: list[str], shared: Shared) -> Scanned:
    """`_scan_run` as a pool worker calls it."""
    return _scan_run((paths, *shared))


def _crashed(path: str, reason: str) -> Scanned:
    """A file whose reader died: listed as unreadable, with the signal."""
    return Scanned((FileScan(path, error=reason),))


def scan_file(path: str, cache: Path | None = None, matchers: Sequence[Matcher] = ()) -> Scanned:
    """Read and infer one cassette (from the cache when its content was seen before)."""
    return _scan_run(([path], cache, tuple(matchers), None))


def _chunks(paths: list[str], count: int) -> list[list[str]]:
    """`count` runs of consecutive files of about equal bytes (input order kept)."""
    sizes = []
    for path in paths:
        try:
            sizes.append(os.stat(path).st_size)
        except OSError:
            sizes.append(0)
    share = sum(sizes) / count
    chunks: list[list[str]] = [[]]
    filled = 0
    for path, size in zip(paths, sizes, strict=True):
        if chunks[-1] and filled + size / 2 > share * len(chunks) and len(chunks) < count:
            chunks.append([])
        chunks[-1].append(path)
        filled += size
    return chunks


def _joined(parts: Sequence[Scanned]) -> Scanned:
    """Runs of one side as one scan: files in order, shapes of each pool merged."""
    files = tuple(scanned for part in parts for scanned in part.files)
    return Scanned(files, pool(pair for part in parts for pair in part.shapes.items()))


def scan_sides(
    sides: Sequence[Sequence[Path]],
    settings: Settings = Settings(),
    matchers: Sequence[Matcher] = (),
    maps: Declared | None = None,
) -> list[Scanned]:
    """Each side's scan, in the order given, on one pool of processes; pools named by the
    configured `matchers`, else by automatic key; maps as the config declares (`maps`).

    Sides (say BASELINE and CURRENT) share the pool, so neither waits for the other's
    last file; shapes are pooled across the files of a side, never across sides.
    """
    files = [[str(path) for path in side] for side in sides]
    workers = settings.workers or os.cpu_count() or 1
    configured = tuple(matchers)
    if workers == 1 or sum(map(len, files)) < SMALL:
        scanned = [_scan_run((side, settings.cache, configured, maps)) for side in files]
    else:
        scanned = _on_pool(files, workers, (settings.cache, configured, maps))
    if settings.cache is not None:
        prune(settings.cache)  # at most once an hour per folder; never raises
    return scanned


def _on_pool(files: list[list[str]], workers: int, shared: Shared) -> list[Scanned]:
    """Each side's runs of files read on the pool, joined back per side in order."""
    runs: list[list[str]] = []
    owners = []
    for owner, side in enumerate(files):
        for chunk in _chunks(side, workers * CHUNKS) if side else []:
            runs.append(chunk)
            owners.append(owner)
    parts: list[list[Scanned]] = [[] for _ in files]
    read = read_all(_read_run, runs, shared, workers, _crashed)
    for owner, results in zip(owners, read, strict=True):
        parts[owner].extend(results)
    return [_joined(side) for side in parts]


def scan(
    paths: Sequence[Path], settings: Settings = Settings(), matchers: Sequence[Matcher] = ()
) -> Scanned:
    """`scan_sides` for one side."""
    (scanned,) = scan_sides([paths], settings, matchers)
    return scanned
