"""Read many cassettes fast: runs of files on a process pool, shapes cached by content.

A worker reads one file at a time, parses it and infers the shape of each endpoint's JSON
bodies as one column, then drops the bodies: only interactions and pooled shapes cross
back, so memory is bounded by the largest file, not the corpus, and the main process
merges a few shapes per endpoint rather than one per body. Results keep the input order,
so output is deterministic.

The cache holds one JSON entry per file content (SHA-256 of the bytes, keyed with the
driftcheck version) and one per run of files (their paths and content keys). Entries
are written to a temporary file and renamed, so runs may share a cache; an entry that
does not load is ignored and rebuilt. JSON, not pickle: reading the cache can never run
code.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from driftcheck import __version__, jsonio
from driftcheck.core.endpoints import endpoint_key
from driftcheck.core.model import BodyKind, FileError, Interaction, Node
from driftcheck.core.shape import Rows, ShapeBuilder, from_rows, infer
from driftcheck.errors import CassetteError, ShapeDepthError
from driftcheck.files import write_atomic
from driftcheck.sources.cassettes import parse_cassette

CACHE_FORMAT = 2
T = TypeVar("T")
SMALL = 8  # files: below this, a pool costs more than it saves
CHUNKS = 4  # runs of files per worker: few enough to pool shapes, enough to balance


@dataclass(frozen=True, slots=True)
class Settings:
    """How to scan: worker processes (0: one per core) and the cache folder (None: off)."""

    workers: int = 0
    cache: Path | None = None


@dataclass(frozen=True, slots=True)
class FileScan:
    """One file's interactions with shapes and no bodies, or why it could not be read.

    Bodies of one endpoint and status are inferred together: the first such interaction
    holds their merged shape and the others an empty one, so merging the shapes of any
    whole endpoint gives the same result as inferring each body on its own.
    """

    path: str
    interactions: tuple[Interaction, ...] = ()
    error: str | None = None


@dataclass(slots=True)
class _Pool:
    """The JSON interactions of one endpoint and status in a file, and their shape."""

    endpoint: str
    status: int
    positions: list[int]
    shape: ShapeBuilder | Rows  # rows when read back from the cache


@dataclass(slots=True)
class _Read:
    path: str
    interactions: list[Interaction]
    pools: list[_Pool]
    error: str | None = None


def _pools(interactions: list[Interaction]) -> list[_Pool]:
    """Infer each group's bodies as one column; a body nested too deep is left out alone."""
    groups: dict[tuple[str, int], list[int]] = {}
    for position, interaction in enumerate(interactions):
        if interaction.kind is BodyKind.JSON:
            key = (endpoint_key(interaction.method, interaction.uri), interaction.status)
            groups.setdefault(key, []).append(position)
    pools = []
    for (endpoint, status), positions in groups.items():
        builder = ShapeBuilder()
        try:
            builder.add_values([interactions[p].body for p in positions])
        except ShapeDepthError:
            builder, positions = _one_by_one(interactions, positions)
        if positions:
            pools.append(_Pool(endpoint, status, positions, builder))
    return pools


def _one_by_one(
    interactions: list[Interaction], positions: list[int]
) -> tuple[ShapeBuilder, list[int]]:
    merged, kept = ShapeBuilder(), []
    for position in positions:
        try:
            merged.add(infer(interactions[position].body))
            kept.append(position)
        except ShapeDepthError as error:
            interactions[position] = dataclasses.replace(
                interactions[position], kind=BodyKind.UNREADABLE, note=f"{error}; body left out"
            )
    return merged, kept


def _key(data: bytes) -> str:
    digest = hashlib.sha256(data)  # SHA-NI makes it twice as fast as BLAKE2 on x86
    digest.update(f"\0driftcheck {__version__} cache {CACHE_FORMAT}".encode())
    return digest.hexdigest()


def _metadata(interactions: list[Interaction]) -> list[list[Any]]:
    return [
        [i.method, i.uri, i.status, i.content_type, i.kind.value, i.note, i.index, i.line,
         i.recorded_at]
        for i in interactions
    ]  # fmt: skip


def _interactions(rows: list[list[Any]], path: str) -> list[Interaction]:
    return [
        Interaction(
            method=m, uri=u, status=s, content_type=c, kind=BodyKind(k), note=n, source=path,
            index=x, line=line, recorded_at=r,
        )
        for m, u, s, c, k, n, x, line, r in rows
    ]  # fmt: skip


def _rows(shape: ShapeBuilder | Node | Rows) -> Rows:
    """A shape as cache rows, whichever form it is held in."""
    if isinstance(shape, Node):
        builder = ShapeBuilder()
        builder.add(shape)
        shape = builder
    return shape.rows() if isinstance(shape, ShapeBuilder) else shape


def _file_entry(read: _Read) -> bytes:
    pools = [[p.endpoint, p.status, p.positions, _rows(p.shape)] for p in read.pools]
    entry = {"error": read.error, "interactions": _metadata(read.interactions), "pools": pools}
    return jsonio.dumps(entry)


def _read_entry(data: bytes, path: str) -> _Read:
    entry = jsonio.loads(data)
    pools = [_Pool(e, s, positions, rows) for e, s, positions, rows in entry["pools"]]
    return _Read(path, _interactions(entry["interactions"], path), pools, entry["error"])


def _cached(folder: Path, key: str, decode: Callable[[bytes], T]) -> T | None:
    try:
        return decode((folder / key[:2] / f"{key}.json").read_bytes())
    except (OSError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        return None  # missing or corrupt: rebuilt and rewritten


def _store(folder: Path, key: str, entry: bytes) -> None:
    """Write an entry whole (readers see whole entries only); a read-only or full disk
    only costs speed, and leaves nothing behind."""
    with contextlib.suppress(OSError):
        write_atomic(folder / key[:2] / f"{key}.json", entry)


def _read(path: str, cache: Path | None) -> _Read:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _Read(path, [], [], f"cannot read: {error.strerror or error}")
    key = _key(data) if cache is not None else ""
    hit = None if cache is None else _cached(cache, key, lambda entry: _read_entry(entry, path))
    if hit is not None:
        return hit
    try:
        interactions = parse_cassette(data, path)
        pools = _pools(interactions)
        read = _Read(path, [dataclasses.replace(i, body=None) for i in interactions], pools)
    except CassetteError as error:
        read = _Read(path, [], [], error.reason)
    del data
    if cache is not None:
        _store(cache, key, _file_entry(read))
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


@dataclass(slots=True)
class _Run:
    """A run of files read and pooled: what a worker returns, and what the cache keeps."""

    reads: list[_Read]
    leaders: list[tuple[int, int, ShapeBuilder | Node]]  # (file, interaction, pooled shape)
    followers: list[tuple[int, int]]  # interactions counted in a leader's shape

    def entry(self) -> bytes:
        files = [[r.path, r.error, _metadata(r.interactions)] for r in self.reads]
        leaders = [(number, position, _rows(shape)) for number, position, shape in self.leaders]
        return jsonio.dumps({"files": files, "leaders": leaders, "followers": self.followers})

    @classmethod
    def from_entry(cls, data: bytes) -> _Run:
        run = jsonio.loads(data)
        reads = [_Read(p, _interactions(rows, p), [], error) for p, error, rows in run["files"]]
        leaders: list[tuple[int, int, ShapeBuilder | Node]] = [
            (number, position, from_rows(rows)) for number, position, rows in run["leaders"]
        ]  # built here, so that an entry that does not describe shapes fails to load
        return cls(reads, leaders, run["followers"])

    def scans(self) -> list[FileScan]:
        empty = Node(types={})
        for number, position in self.followers:
            interactions = self.reads[number].interactions
            interactions[position] = dataclasses.replace(interactions[position], shape=empty)
        for number, position, shape in self.leaders:
            interactions = self.reads[number].interactions
            built = shape.build() if isinstance(shape, ShapeBuilder) else shape
            interactions[position] = dataclasses.replace(interactions[position], shape=built)
        return [FileScan(r.path, tuple(r.interactions), r.error) for r in self.reads]


def _pool_run(reads: Iterable[_Read], across: bool) -> _Run:
    """One shape per endpoint and status: per file, or with `across` per run of files.

    Files are pooled as they are read, and each file's own shapes dropped once counted,
    so a run holds one shape per endpoint, not one per file.
    """
    leaders: dict[tuple[Any, ...], tuple[int, int, ShapeBuilder]] = {}
    followers: list[tuple[int, int]] = []
    done: list[_Read] = []
    for number, read in enumerate(reads):
        for pool in read.pools:
            group = (pool.endpoint, pool.status) if across else (number, pool.endpoint, pool.status)
            if group in leaders:
                followers.extend((number, position) for position in pool.positions)
                _add(leaders[group][2], pool.shape)
                continue
            followers.extend((number, position) for position in pool.positions[1:])
            leaders[group] = (number, pool.positions[0], _builder(pool.shape))
        read.pools = []
        done.append(read)
    pooled: list[tuple[int, int, ShapeBuilder | Node]] = [*leaders.values()]
    return _Run(done, pooled, followers)


def _add(builder: ShapeBuilder, shape: ShapeBuilder | Rows) -> None:
    if isinstance(shape, ShapeBuilder):
        builder.add_builder(shape)
    else:
        builder.add_rows(shape)


def _builder(shape: ShapeBuilder | Rows) -> ShapeBuilder:
    if isinstance(shape, ShapeBuilder):
        return shape
    builder = ShapeBuilder()
    builder.add_rows(shape)
    return builder


def _run_key(paths: list[str], across: bool) -> str | None:
    """A run's key: its files' paths and content keys (None when one cannot be read)."""
    digest = hashlib.sha256(f"run {across}".encode())
    for path in paths:
        try:
            digest.update(f"\0{path}\0{_key(Path(path).read_bytes())}".encode())
        except OSError:
            return None
    return _key(digest.digest())


def _scan_chunk(job: tuple[list[str], Path | None, bool]) -> list[FileScan]:
    """Read a run of files; with `across`, pool each endpoint's shape over all of them.

    With a cache, the whole run is cached too: an unchanged run costs hashing its files
    and reading one entry, however many files and shapes it holds.
    """
    paths, cache, across = job
    with _no_cycle_collector():
        key = _run_key(paths, across) if cache is not None and len(paths) > 1 else None
        run = None if key is None or cache is None else _cached(cache, key, _Run.from_entry)
        if run is None:  # each file is read and hashed again: entries key the bytes parsed
            run = _pool_run((_read(path, cache) for path in paths), across)
            if key is not None and cache is not None:
                _store(cache, key, run.entry())
    return run.scans()


def scan_file(path: str, cache: Path | None = None) -> FileScan:
    """Read and infer one cassette (from the cache when its content was seen before)."""
    (result,) = _scan_chunk(([path], cache, False))
    return result


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


def scan_sides(
    sides: Sequence[Sequence[Path]], settings: Settings = Settings(), across: bool = False
) -> list[list[FileScan]]:
    """Every file's scan, side by side in the order given, on one pool of processes.

    Sides (say BASELINE and CURRENT) share the pool, so neither waits for the other's
    last file; shapes are never pooled across sides. With `across`, shapes are pooled per
    endpoint across a side's files, not only within each: for callers that group by
    endpoint (METHOD host/path), never by file.
    """
    names = [[str(path) for path in side] for side in sides]
    workers = settings.workers or os.cpu_count() or 1
    if workers == 1 or sum(map(len, names)) < SMALL:
        return [_scan_chunk((side, settings.cache, across)) for side in names]
    jobs, owners = [], []
    for owner, side in enumerate(names):
        for chunk in _chunks(side, workers * CHUNKS) if side else []:
            jobs.append((chunk, settings.cache, across))
            owners.append(owner)
    results: list[list[FileScan]] = [[] for _ in names]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        for owner, scans in zip(owners, pool.map(_scan_chunk, jobs), strict=True):
            results[owner].extend(scans)
    return results


def scan(paths: Sequence[Path], settings: Settings = Settings()) -> list[FileScan]:
    """Every file's scan, in the order given, on `settings.workers` processes."""
    (results,) = scan_sides([paths], settings)
    return results


Loaded = tuple[list[Interaction], list[FileError]]


def load_sides(
    sides: Sequence[Sequence[Path]], settings: Settings = Settings(), across: bool = False
) -> list[Loaded]:
    """Like `cassettes.load_all` per side, but bodies are replaced by their shapes."""
    loaded: list[Loaded] = []
    for scans in scan_sides(sides, settings, across):
        interactions: list[Interaction] = []
        errors: list[FileError] = []
        for result in scans:
            if result.error is not None:
                errors.append(FileError(result.path, result.error))
            else:
                interactions.extend(result.interactions)
        loaded.append((interactions, errors))
    return loaded


def load(paths: Sequence[Path], settings: Settings = Settings(), across: bool = False) -> Loaded:
    """`load_sides` for one side."""
    (loaded,) = load_sides([paths], settings, across)
    return loaded
