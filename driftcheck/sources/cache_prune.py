"""Pruning the shape cache, so it does not grow with every cassette ever read.

After a scan that used the cache (at most once per `EVERY` for a folder, noted by the
modification time of its `.pruned` file), entries not used for `MAX_AGE_DAYS` go, then the
least recently used ones until the folder holds at most `MAX_BYTES`. An entry's
modification time is its last use: `cache.read_entry` renews it when it is older than
`cache.TOUCH_AFTER`, so that costs a call per entry and hour, not per read. Temporary
files older than `STALE_TEMPORARY` (a writer killed mid-write) go too.

Only names the cache writes are touched (`ab/<64 hex digits>.json` and their temporary
files), so a cache folder set to a wrong place loses nothing else. Runs may share the
folder: an entry removed under another run is a miss there (read again and rewritten),
and a file already gone here is skipped.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from pathlib import Path

from driftcheck.sources.cache import MAX_ENTRY_BYTES

MAX_AGE_DAYS = 30.0  # entries not used for this long are removed
MAX_BYTES = 2**30  # then the least recently used go until the entries take at most this
EVERY = 3600.0  # seconds: a folder is pruned at most this often
STALE_TEMPORARY = 3600.0  # seconds: an older temporary file is left from a killed writer
MARKER = ".pruned"  # its modification time: when the folder was last pruned

_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_TEMPORARY = re.compile(r"\.[0-9a-f]{64}\.json\.[0-9]+\.[0-9a-f]{8}\.tmp")
_MARKER_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_CLOEXEC", 0)
)  # fmt: skip

Entry = tuple[float, int, str]  # modification time, size, path


def prune(
    folder: Path,
    *,
    max_age_days: float = MAX_AGE_DAYS,
    max_bytes: int = MAX_BYTES,
    every: float = EVERY,
    now: float | None = None,
) -> None:
    """Remove entries of `folder` not used for `max_age_days`, then the least recently
    used until they take at most `max_bytes`; unless it was pruned less than `every`
    seconds ago. Never raises: a cache that cannot be pruned only takes room."""
    now = time.time() if now is None else now
    if not _due(folder, every, now):
        return
    kept = []
    for mtime, size, path in _entries(folder, now):
        if mtime < now - max_age_days * 86400:
            _remove(path)
        else:
            kept.append((mtime, size, path))
    total = sum(size for _, size, _ in kept)
    for _, size, path in sorted(kept):  # least recently used first
        if total <= max_bytes:
            break
        _remove(path)
        total -= size


def _due(folder: Path, every: float, now: float) -> bool:
    """Whether `folder` was not pruned for `every` seconds; if so, note that it is now."""
    marker = folder / MARKER
    try:
        status = os.lstat(marker)
    except FileNotFoundError:
        status = None
    except OSError:
        return False  # no cache folder, or one that cannot be read
    if status is not None and stat.S_ISREG(status.st_mode) and now - status.st_mtime < every:
        return False
    with contextlib.suppress(OSError):
        if status is not None and not stat.S_ISDIR(status.st_mode):
            os.unlink(marker)
        fd = os.open(marker, _MARKER_FLAGS, 0o644)
        try:
            os.utime(fd, (now, now))
        finally:
            os.close(fd)
    return True


def _entries(folder: Path, now: float) -> list[Entry]:
    """The cache's entries (not following symlinks); stale temporary files removed."""
    found: list[Entry] = []
    with contextlib.suppress(OSError), os.scandir(folder) as shards:
        for shard in shards:
            if _SHARD.fullmatch(shard.name) and shard.is_dir(follow_symlinks=False):
                found.extend(_shard_entries(shard.path, now))
    return found


def _shard_entries(shard: str, now: float) -> list[Entry]:
    found: list[Entry] = []
    with contextlib.suppress(OSError), os.scandir(shard) as names:
        for name in names:
            entry, temporary = _ENTRY.fullmatch(name.name), _TEMPORARY.fullmatch(name.name)
            if not (entry or temporary):
                continue
            try:
                status = name.stat(follow_symlinks=False)
            except OSError:
                continue  # removed meanwhile, by another run
            if stat.S_ISDIR(status.st_mode):
                continue  # not written by the cache: `store` replaces it when it must
            if entry and stat.S_ISREG(status.st_mode) and status.st_size <= MAX_ENTRY_BYTES:
                found.append((status.st_mtime, status.st_size, name.path))
            elif entry or now - status.st_mtime > STALE_TEMPORARY:
                _remove(name.path)  # never read: a symlink, a FIFO, an oversized entry
    return found


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):  # already gone: another run pruned it
        os.unlink(path)
