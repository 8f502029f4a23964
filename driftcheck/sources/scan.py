"""Read many cassettes fast: runs of files on a process pool, shapes pooled per endpoint.

A worker reads one file at a time, parses it and infers the shape of each endpoint's JSON
bodies as one column, then drops the bodies: only interactions and pooled shapes cross
back, so memory is bounded by the largest file, not the corpus, and the main process
merges a few shapes per endpoint rather than one per body. Results keep the input order,
so output is deterministic. A run is read batch by batch (`sources/batches.py`), and
`sources/cache.py` keeps each batch's reading, keyed by its files' contents (and stat).

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
import functools
import gc
import os
import sys
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.core.census import Census
from driftcheck.core.endpoints import Names, Pooled, PoolKey
from driftcheck.core.file_names import FileNames, Stretch
from driftcheck.core.maps import Declared
from driftcheck.core.matchers import Matcher
from driftcheck.core.model import FileError, Interaction, Node
from driftcheck.core.shape import Rows, ShapeBuilder, from_rows
from driftcheck.sources.batches import (
    Batch,
    Parsed,
    Pools,
    Stat,
    batches,
    read_batch,
    settled_key,
    stat_of,
)
from driftcheck.sources.cache import RunEntry, cached_run, run_entry, store
from driftcheck.sources.cache_prune import prune
from driftcheck.sources.cassettes import parse_cassette
from driftcheck.sources.file_shapes import infer_files
from driftcheck.sources.file_stream import read_shapes

SMALL = 8  # files: below this, a pool costs more than it saves...
SMALL_BYTES = 32 << 20  # ...unless they are this large together (two huge cassettes)
CHUNKS = 2  # runs of files per worker: few enough to pool shapes, enough to balance
# A run holding a file this large is read while no other such run is: a huge cassette
# takes 2-4x its size while read, and two at once would take twice that.
HEAVY_BYTES = 32 << 20


@dataclass(frozen=True, slots=True)
class Settings:
    """How to scan: worker processes (0: one per core), the cache folder (None: off), and
    the body keys whose values are never enums (the config's `scrub_body`)."""

    workers: int = 0
    cache: Path | None = None
    scrub: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scanned:
    """What a scan hands over: its files' census (counts per endpoint and status, never a
    record per interaction), and the shapes of their JSON bodies pooled per endpoint
    name, status and recording day, for `grouped`."""

    census: Census = field(default_factory=Census)
    shapes: Pooled = field(default_factory=dict)

    @property
    def paths(self) -> Sequence[str]:
        return self.census.paths

    @property
    def errors(self) -> list[FileError]:
        return [FileError(self.census.paths[p], e) for p, e in self.census.errors.items()]


@dataclass(frozen=True)
class _Naming:
    """How a worker names pools and counts their shapes (the matchers, the declared maps,
    the scrubbed keys), and its spelling in cache keys."""

    names: Names
    key: str
    maps: Declared | None = None
    scrub: frozenset[str] = frozenset()

    @classmethod
    def of(
        cls, matchers: Sequence[Matcher], maps: Declared | None = None, scrub: Iterable[str] = ()
    ) -> _Naming:
        key = repr(tuple(matchers)) if matchers else ""
        keys = frozenset(name.lower() for name in scrub)
        spelt = key + (repr(maps) if maps else "") + (repr(sorted(keys)) if keys else "")
        return cls(Names(matchers), spelt, maps, keys)


@dataclass(frozen=True)
class _Parse:
    """How a worker reads a batch's files (`batches.Parse`), pools named by `naming`."""

    naming: _Naming

    def whole(self, box: list[bytes], path: str) -> Parsed:
        interactions, pools = read_shapes(box, path, self.naming.names, self.naming.maps)
        return interactions, self._scrubbed(pools)

    def read(self, box: list[bytes], path: str) -> list[Interaction]:
        return parse_cassette(box.pop(), path)

    def infer(self, files: list[list[Interaction]]) -> tuple[list[list[Interaction]], Pools]:
        interactions, pools = infer_files(files, self.naming.names, self.naming.maps)
        return interactions, self._scrubbed(pools)

    def _scrubbed(self, pools: Pools) -> Pools:
        for builder in pools.values():
            builder.forget_enums(self.naming.scrub)
        return pools

    def name(self, interaction: Interaction) -> str:
        return self.naming.names(interaction)


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


Shared = tuple[Path | None, tuple[Matcher, ...], Declared | None, tuple[str, ...]]
Job = tuple[Sequence[str], Path | None, tuple[Matcher, ...], Declared | None, tuple[str, ...]]


def _scan_run(job: Job) -> Scanned:
    """`_scan_rows`, its shapes frozen."""
    read = _scan_rows(job)
    return Scanned(read.census, _frozen(read.rows))


def _frozen(rows: dict[PoolKey, Rows]) -> dict[PoolKey, Node]:
    return {pool_key: from_rows(shape) for pool_key, shape in rows.items()}


def _scan_rows(job: Job) -> RunEntry:
    """Read a run of files batch by batch (each from the cache when it can be) and pool
    their shapes: one shape per endpoint name, status and day, whatever the files.

    With a cache, a run whose files have all settled is stored whole too, under their
    `stat`: an unchanged run costs a `stat` per file and one entry, however many files,
    batches and shapes it holds.
    """
    paths, cache, matchers, maps, scrub = job
    _mark(0)  # on a pool: the run has started (its first batch is looked up before parsed)
    naming = _Naming.of(matchers, maps, scrub)
    began = time.time_ns()
    stats = [stat_of(path) for path in paths]
    spans = list(batches(paths, [status[0] if status else 0 for status in stats]))
    whole = None  # the run's own entry: keyed apart from its batches' (`\0run`)
    if cache is not None and len(spans) > 1:
        whole = settled_key(paths, stats, f"{naming.key}\0run", began)
    with _no_cycle_collector():
        hit = None if whole is None or cache is None else cached_run(cache, whole, paths)
        if hit is not None:
            census, rows = hit.census, hit.rows
        else:
            census, rows, unread = _read_batches(paths, stats, spans, began, cache, naming)
            if whole is not None and cache is not None and not unread:
                store(cache, whole, run_entry(census, rows))
    return RunEntry(census, rows)


def _read_batches(
    paths: Sequence[str],
    stats: list[Stat | None],
    spans: list[tuple[int, int]],
    began: int,
    cache: Path | None,
    naming: _Naming,
) -> tuple[Census, dict[PoolKey, Rows], bool]:
    """Each batch read (from the cache, or parsed), its shapes pooled; and whether a file
    could not be read (a permission, a lease: the run is then not cached whole)."""
    parse = _Parse(naming)
    unread = False
    census = Census()
    pooled: dict[PoolKey, ShapeBuilder] = {}
    for start, end in spans:
        read = read_batch(
            paths[start:end], stats[start:end], began, cache, naming.key, parse,
            functools.partial(_mark_from, start),
        )  # fmt: skip
        census.extend(read.census)
        unread = unread or (isinstance(read, Batch) and read.unread)
        _pool_into(pooled, read)
    return census, {pool_key: builder.rows() for pool_key, builder in pooled.items()}, unread


def _pool_into(pooled: dict[PoolKey, ShapeBuilder], read: Batch | RunEntry) -> None:
    """A batch's shapes added to the run's pools (as builders, or as rows from a cache)."""
    if isinstance(read, RunEntry):
        for pool_key, rows in read.rows.items():
            pooled.setdefault(pool_key, ShapeBuilder()).add_rows(rows)
        return
    for pool_key, builder in read.builders.items():
        if pool_key in pooled:
            pooled[pool_key].add_builder(builder)
        else:
            pooled[pool_key] = builder


def _mark(position: int) -> None:
    """On a pool worker, note which file of its run it reads (`workers.mark`); the pool's
    module (and `multiprocessing`) is imported only when a pool is used."""
    workers = sys.modules.get("driftcheck.sources.workers")
    if workers is not None:
        workers.mark(position)


def _mark_from(start: int, position: int) -> None:
    _mark(start + position)


def _read_run(paths: Sequence[str], shared: Shared) -> RunEntry:
    """`_scan_rows` as a pool worker calls it. Its census goes back without the files'
    names, which the parent holds (a copy of each, unpickled and dropped, was most of
    what the parent's memory grew by per file); its shapes as rows, which are flat: a
    shape nested a thousand deep pickles without recursing, a tree of nodes does not."""
    read = _scan_rows((paths, *shared))
    read.census.paths = FileNames()
    return read


def _crashed(path: str, reason: str) -> RunEntry:
    """A file whose reader died: listed as unreadable, with the signal."""
    census = Census()
    census.add_file(path, [], str, reason)
    return RunEntry(census, {})


def scan_file(path: str, cache: Path | None = None, matchers: Sequence[Matcher] = ()) -> Scanned:
    """Read and infer one cassette (from the cache when its content was seen before)."""
    return _scan_run(([path], cache, tuple(matchers), None, ()))


def _chunks(
    paths: Sequence[str], count: int, largest: list[int] | None = None
) -> list[Sequence[str]]:
    """`count` runs of consecutive whole batches of about equal bytes (input order kept):
    a run starts where a batch does, so its worker finds the same batches, and the same
    cache entries, as one worker reading the whole side. A run of compact names
    (`FileNames`) is a `Stretch` of them, named in full only while sent to its worker;
    of a list of names, a slice of it (the same `str` objects). `largest` gets each
    run's largest file size."""
    sizes = array("q", (status[0] if (status := stat_of(path)) else 0 for path in paths))
    share = sum(sizes) / count
    chunks: list[list[int]] = [[0, 0]]  # start, end
    filled = 0
    for start, end in batches(paths, sizes):
        size = sum(sizes[start:end])
        begun = chunks[-1][1] > chunks[-1][0]
        if begun and filled + size / 2 > share * len(chunks) and len(chunks) < count:
            chunks.append([start, start])
        chunks[-1][1] = end
        filled += size
    chunks = [chunk for chunk in chunks if chunk[1] > chunk[0]]
    if largest is not None:
        largest.extend(max(sizes[start:end]) for start, end in chunks)
    if isinstance(paths, FileNames):
        return [Stretch(paths, start, end) for start, end in chunks]
    return [paths[start:end] for start, end in chunks]


class _Joined:
    """Runs of one side joined into one scan as they come, in order, each let go once
    joined: files in order, each pool's rows pooled as a run pools its batches'."""

    def __init__(self, names: FileNames | list[str]) -> None:
        self.census = Census.named(names)  # a worker's census comes back unnamed
        self._pooled: dict[PoolKey, ShapeBuilder] = {}

    def add(self, part: RunEntry) -> None:
        self.census.extend(part.census)
        _pool_into(self._pooled, part)

    def scanned(self) -> Scanned:
        """The side's scan."""
        if self.census.count != len(self.census.paths):
            raise ValueError("a side's runs did not cover its files")
        return Scanned(self.census, _frozen({k: b.rows() for k, b in self._pooled.items()}))


def scan_sides(
    sides: Sequence[Sequence[Path | str]],
    settings: Settings = Settings(),
    matchers: Sequence[Matcher] = (),
    maps: Declared | None = None,
) -> list[Scanned]:
    """Each side's scan, in the order given, on one pool of processes; pools named by the
    configured `matchers`, else by automatic key; maps as the config declares (`maps`).

    Sides (say BASELINE and CURRENT) share the pool, so neither waits for the other's
    last file; shapes are pooled across the files of a side, never across sides.
    """
    files = [
        side if isinstance(side, FileNames) else [str(path) for path in side] for side in sides
    ]
    workers = settings.workers or os.cpu_count() or 1
    configured = tuple(matchers)
    if workers == 1 or _few(files):
        scanned = [
            _scan_run((list(side), settings.cache, configured, maps, settings.scrub))
            for side in files
        ]
    else:
        scanned = _on_pool(files, workers, (settings.cache, configured, maps, settings.scrub))
    if settings.cache is not None:
        prune(settings.cache)  # at most once an hour per folder; never raises
    return scanned


def _few(files: list[FileNames | list[str]]) -> bool:
    """Too few files, and too small, to be worth a pool of processes."""
    if sum(map(len, files)) >= SMALL:
        return False
    sizes = (status[0] if (status := stat_of(path)) else 0 for side in files for path in side)
    return sum(sizes) < SMALL_BYTES


def _on_pool(files: list[FileNames | list[str]], workers: int, shared: Shared) -> list[Scanned]:
    """Each side's runs of files read on the pool, joined back per side in order; each
    side's census named by its own table or list (no name copied)."""
    runs: list[Sequence[str]] = []
    owners = []
    largest: list[int] = []
    for owner, side in enumerate(files):
        for chunk in _chunks(side, workers * CHUNKS, largest) if side else []:
            runs.append(chunk)
            owners.append(owner)
    heavy = [run for run, size in enumerate(largest) if size >= HEAVY_BYTES]
    from driftcheck.sources.workers import read_all  # multiprocessing: on use

    joined = [_Joined(side) for side in files]

    def take(run: int, results: list[RunEntry]) -> None:
        for result in results:  # in order: the run's files, then the next run's
            joined[owners[run]].add(result)

    # A Stretch is named in full only while it is pickled for its worker.
    read_all(_read_run, runs, shared, workers, _crashed, take, heavy)
    return [side.scanned() for side in joined]


def scan(
    paths: Sequence[Path], settings: Settings = Settings(), matchers: Sequence[Matcher] = ()
) -> Scanned:
    """`scan_sides` for one side."""
    (scanned,) = scan_sides([paths], settings, matchers)
    return scanned
