"""Batches: the cache's unit, a few dozen small files (or one large one) read together.

Per-test cassettes are small and many: one cache entry per file cost more to write and
read than the file itself. A batch is consecutive files in discovery order, ended after
a file whose path hashes to a boundary (so adding or removing a file changes one batch,
not every batch after it), at `BATCH_FILES` files or `BATCH_BYTES` bytes; a file over
`LARGE` bytes is a batch of its own.

Each batch's entry is keyed by its files' paths and contents. A second, small entry keys
it by the files' `stat` (size, modification and change times, inode, device), so an
unchanged batch is found without reading its files: that key is written only when every
file was last changed more than `SETTLED` seconds before it was hashed (git's "racily
clean" rule), and any write to a file changes its change time, which no one can set
back; so a stat key names the exact bytes its content entry was built from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import stat
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from driftcheck.core.census import Census
from driftcheck.core.endpoints import PoolKey
from driftcheck.core.model import Interaction
from driftcheck.core.shape import ShapeBuilder
from driftcheck.errors import CassetteError
from driftcheck.sources.cache import (
    RunEntry,
    alias_entry,
    cached,
    cached_run,
    content_key,
    decode_alias,
    run_entry,
    store,
)
from driftcheck.sources.cassettes import read_regular

BATCH_FILES = 512  # files in a batch at most
BOUNDARY = 128  # a batch ends after a file whose name hashes to 0 modulo this: 128 on average
BATCH_BYTES = 8 << 20  # bytes in a batch at most (its bodies are parsed together: ~4x that)
LARGE = 1 << 20  # bytes: a file this large is a batch of its own
SETTLED = 2.0  # seconds: a file changed more recently is not keyed by its stat

Stat = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
Pools = dict[PoolKey, ShapeBuilder]
Parsed = tuple[list[Interaction], dict[PoolKey, ShapeBuilder]]
Mark = Callable[[int], None]


class Parse(Protocol):
    """How a batch's files become interactions and shapes (the scan's naming inside)."""

    def whole(self, box: list[bytes], path: str) -> Parsed:
        """One file, read and inferred on its own (a large file: its own way)."""

    def read(self, box: list[bytes], path: str) -> list[Interaction]:
        """One file's interactions with their bodies, to be inferred with others'."""

    def infer(self, files: list[list[Interaction]]) -> tuple[list[list[Interaction]], Pools]:
        """Files' bodies inferred together: one column per endpoint across them."""

    def name(self, interaction: Interaction) -> str:
        """The endpoint name a pool of the interaction's body is keyed by."""


@dataclass(frozen=True, slots=True)
class Batch:
    """What a batch holds once read: its files' census, and their shapes pooled (as
    builders when read now, as rows when read from the cache)."""

    census: Census
    builders: dict[PoolKey, ShapeBuilder]
    unread: bool = False  # a file could not be read (who or when reads may matter): uncached


def stat_of(path: str) -> Stat | None:
    """The fingerprint of a regular file (None for anything else, or when it is gone)."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)


def batches(paths: Sequence[str], sizes: Sequence[int]) -> Iterator[tuple[int, int]]:
    """The batches of `paths` (with their sizes) as (start, end) positions, in order."""
    start, filled = 0, 0
    for position, (path, size) in enumerate(zip(paths, sizes, strict=True)):
        if size >= LARGE and position > start:  # a large file starts a batch of its own
            yield start, position
            start, filled = position, 0
        filled += size
        count = position + 1 - start
        if size >= LARGE or count >= BATCH_FILES or filled >= BATCH_BYTES or _boundary(path):
            yield start, position + 1
            start, filled = position + 1, 0
    if start < len(paths):
        yield start, len(paths)


def _boundary(path: str) -> bool:
    """Decided by the file's name alone, not its folder: a corpus batches alike wherever
    it is checked out (a batch's files are inferred together, maps decided over them)."""
    return zlib.crc32(os.fsencode(os.path.basename(path))) % BOUNDARY == 0


def read_batch(
    paths: Sequence[str],
    stats: Sequence[Stat | None],
    began: int,
    cache: Path | None,
    naming: str,
    parse: Parse,
    mark: Mark,
) -> Batch | RunEntry:
    """A batch read: from the cache by stat, else by content, else parsed (`parse` takes
    a file's bytes in a one-item list it may empty, to release them early). `stats` were
    taken just after `began` (`time.time_ns()`)."""
    skey = _stat_key(paths, stats, naming) if cache is not None else None
    if skey is not None and cache is not None:
        content = cached(cache, skey, decode_alias)
        hit = None if content is None else cached_run(cache, content, paths)
        if hit is not None:
            return hit
    datas: list[list[bytes]] = []
    digest = hashlib.sha256(b"batch")
    errors: list[str | None] = []
    for path in paths:
        try:
            data = read_regular(path)  # a FIFO swapped in after discovery is refused
        except CassetteError as error:
            datas.append([])
            errors.append(error.reason)
            continue
        datas.append([data])
        errors.append(None)
        if cache is not None:
            digest.update(b"\0" + os.fsencode(path) + b"\0" + hashlib.sha256(data).digest())
        del data  # held by its box alone, which the parse empties: a large file held once
    key = content_key(digest.digest(), naming)
    cacheable = cache is not None and all(error is None for error in errors)
    if cacheable and cache is not None:
        hit = cached_run(cache, key, paths)
        if hit is not None:
            _note_stat(cache, settled_key(paths, stats, naming, began), key)
            return hit
    batch = _parse_all(paths, datas, errors, parse, mark)
    if not cacheable:
        return dataclasses.replace(batch, unread=any(error is not None for error in errors))
    if cache is not None:
        rows = {pool_key: builder.rows() for pool_key, builder in batch.builders.items()}
        store(cache, key, run_entry(batch.census, rows))
        _note_stat(cache, settled_key(paths, stats, naming, began), key)
    return batch


def _parse_all(
    paths: Sequence[str],
    datas: list[list[bytes]],
    errors: list[str | None],
    parse: Parse,
    mark: Mark,
) -> Batch:
    """Each file parsed in turn, its bytes released as soon as it is; the bodies of a
    batch of several files inferred together, a file alone its own way; then counted
    into the batch's census and dropped."""
    if len(paths) == 1 and errors[0] is None:
        return _parse_one(paths[0], datas[0], parse, mark)
    read: list[list[Interaction]] = []
    failed = list(errors)  # read errors, then parse errors
    for position, (path, box, error) in enumerate(zip(paths, datas, errors, strict=True)):
        mark(position)
        if error is None:
            try:
                read.append(parse.read(box, path))
            except CassetteError as failure:
                failed[position] = failure.reason
            finally:
                box.clear()
    inferred, pools = parse.infer(read)
    census = Census()
    files = iter(inferred)
    for path, error in zip(paths, failed, strict=True):
        census.add_file(path, [] if error is not None else next(files), parse.name, error)
    return Batch(census, pools)


def _parse_one(path: str, box: list[bytes], parse: Parse, mark: Mark) -> Batch:
    mark(0)
    census = Census()
    try:
        interactions, pools = parse.whole(box, path)
    except CassetteError as failure:
        census.add_file(path, [], parse.name, failure.reason)
        return Batch(census, {})
    finally:
        box.clear()
    census.add_file(path, interactions, parse.name)
    return Batch(census, pools)


def settled_key(
    paths: Sequence[str], stats: Sequence[Stat | None], naming: str, began: int
) -> str | None:
    """The key of files by their `stat`, if every one had settled when stat'ed (after
    `began`); else None (any of them could change again unseen within its clock tick)."""
    settled = began - int(SETTLED * 1e9)
    if not all(status is not None and max(status[1], status[2]) < settled for status in stats):
        return None
    return _stat_key(paths, stats, naming)


def _stat_key(paths: Sequence[str], stats: Sequence[Stat | None], naming: str) -> str | None:
    if any(status is None for status in stats):
        return None
    digest = hashlib.sha256(b"stat")
    for path, status in zip(paths, stats, strict=True):
        digest.update(b"\0" + os.fsencode(path) + b"\0" + repr(status).encode())
    return content_key(digest.digest(), naming)


def _note_stat(cache: Path, skey: str | None, key: str) -> None:
    """Name the entry under `key` by its files' settled `stat` too (`settled_key`)."""
    if skey is not None:
        store(cache, skey, alias_entry(key))
