"""Read many cassettes fast: runs of files on a process pool, shapes cached by content.

A worker reads one file at a time, parses it and infers the shape of each endpoint's JSON
bodies as one column, then drops the bodies: only interactions and pooled shapes cross
back, so memory is bounded by the largest file, not the corpus, and the main process
merges a few shapes per endpoint rather than one per body. Results keep the input order,
so output is deterministic.

The cache holds one JSON entry per file content (BLAKE2 of the bytes, keyed with the
driftcheck version). Entries are written to a temporary file and renamed, so runs may
share a cache; an entry that does not load is ignored and rebuilt. JSON, not pickle:
reading the cache can never run code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from driftcheck import __version__
from driftcheck.cassettes import parse_cassette
from driftcheck.endpoints import endpoint_key
from driftcheck.errors import CassetteError, ShapeDepthError
from driftcheck.model import BodyKind, FileError, Interaction, Node
from driftcheck.shape import Rows, ShapeBuilder, infer

CACHE_FORMAT = 2
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
    rows: Rows


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
            pools.append(_Pool(endpoint, status, positions, builder.rows()))
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
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(f"\0driftcheck {__version__} cache {CACHE_FORMAT}".encode())
    return digest.hexdigest()


def _entry(read: _Read) -> bytes:
    rows = [
        [i.method, i.uri, i.status, i.content_type, i.kind.value, i.note, i.index, i.line,
         i.recorded_at]
        for i in read.interactions
    ]  # fmt: skip
    pools = [[p.endpoint, p.status, p.positions, p.rows] for p in read.pools]
    return orjson.dumps({"error": read.error, "interactions": rows, "pools": pools})


def _from_entry(data: bytes, path: str) -> _Read:
    entry = orjson.loads(data)
    interactions = [
        Interaction(
            method=m, uri=u, status=s, content_type=c, kind=BodyKind(k), note=n, source=path,
            index=x, line=line, recorded_at=r,
        )
        for m, u, s, c, k, n, x, line, r in entry["interactions"]
    ]  # fmt: skip
    pools = [_Pool(e, s, positions, rows) for e, s, positions, rows in entry["pools"]]
    return _Read(path, interactions, pools, entry["error"])


def _cached(folder: Path, key: str, path: str) -> _Read | None:
    try:
        return _from_entry((folder / key[:2] / f"{key}.json").read_bytes(), path)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or corrupt: rebuilt and rewritten


def _store(folder: Path, key: str, read: _Read) -> None:
    target = folder / key[:2] / f"{key}.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(_entry(read))
        os.replace(temporary, target)
    except OSError:
        pass  # a read-only or full disk only costs speed


def _read(path: str, cache: Path | None) -> _Read:
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return _Read(path, [], [], f"cannot read: {error.strerror or error}")
    key = _key(data) if cache is not None else ""
    if cache is not None:
        hit = _cached(cache, key, path)
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
        _store(cache, key, read)
    return read


def _scan_chunk(job: tuple[list[str], Path | None, bool]) -> list[FileScan]:
    """Read a run of files; with `across`, pool each endpoint's shape over all of them."""
    paths, cache, across = job
    reads = [_read(path, cache) for path in paths]
    leaders: dict[tuple[Any, ...], tuple[int, int, ShapeBuilder]] = {}
    empty = Node(types={})
    for number, read in enumerate(reads):
        for pool in read.pools:
            group = (pool.endpoint, pool.status) if across else (number, pool.endpoint, pool.status)
            if group not in leaders:
                leaders[group] = (number, pool.positions[0], ShapeBuilder())
            leader = leaders[group]
            leader[2].add_rows(pool.rows)
            for position in pool.positions:
                if (number, position) != leader[:2]:
                    read.interactions[position] = dataclasses.replace(
                        read.interactions[position], shape=empty
                    )
    for number, position, builder in leaders.values():
        interactions = reads[number].interactions
        interactions[position] = dataclasses.replace(interactions[position], shape=builder.build())
    return [FileScan(r.path, tuple(r.interactions), r.error) for r in reads]


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


def scan(
    paths: Sequence[Path], settings: Settings = Settings(), across: bool = False
) -> Iterator[FileScan]:
    """Every file's scan, in the order given, on `settings.workers` processes.

    With `across`, shapes are pooled per endpoint across files, not only within each:
    for callers that group by endpoint (METHOD host/path), never by file.
    """
    names = [str(path) for path in paths]
    workers = settings.workers or os.cpu_count() or 1
    if workers == 1 or len(names) < SMALL:
        yield from _scan_chunk((names, settings.cache, across))
        return
    jobs = [(chunk, settings.cache, across) for chunk in _chunks(names, workers * CHUNKS)]
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        for results in pool.map(_scan_chunk, jobs):
            yield from results


def load(
    paths: Sequence[Path], settings: Settings = Settings(), across: bool = False
) -> tuple[list[Interaction], list[FileError]]:
    """Like `cassettes.load_all`, but bodies are replaced by their shapes."""
    interactions: list[Interaction] = []
    errors: list[FileError] = []
    for result in scan(paths, settings, across):
        if result.error is not None:
            errors.append(FileError(result.path, result.error))
        else:
            interactions.extend(result.interactions)
    return interactions, errors
