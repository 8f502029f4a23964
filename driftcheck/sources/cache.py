"""The shape cache: what a scan read, stored as JSON under the SHA-256 of the content.

One entry per batch of files (`sources/batches.py`), keyed by their paths and contents
with the driftcheck version and `CACHE_FORMAT`, and a small one naming it by the files'
`stat`. Entries are written to a temporary
file and renamed, so runs may share a cache. JSON, not pickle: reading the cache can
never run code.

CI restores caches from shared storage, so an entry is never trusted: only a regular
file of bounded size is opened (never a symlink, so never a FIFO, which would hang); it
must end with its own key and the SHA-256 of that key and its body (a truncated,
bit-flipped, hand-edited or misplaced entry fails that); and it is checked whole as it is
decoded, so that even a re-sealed entry cannot crash a run or hold counts that disagree
with its interactions. Any failure is a miss: the files are read again and the entry
rewritten. What checks cannot catch is an entry forged consistently by someone who can
write the cache: the cache folder must be trusted like the code. `cache_prune.py` keeps
the folder small.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import os
import stat
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from driftcheck import __version__, jsonio
from driftcheck.core.census import Census
from driftcheck.core.endpoints import PoolKey
from driftcheck.core.rows import check_rows
from driftcheck.core.shape import Rows
from driftcheck.files import write_atomic
from driftcheck.sources import census_codec

# 4: interactions carry their GraphQL operation and the path segments their body names;
# pools are named by the configured matchers
# 6: pools are keyed by their files' recording day too (endpoint, status, day); shape rows
# carry maps (their values under `{*}`) and per-variant key counts of tagged objects
# 7: entries end with their key and a SHA-256 of key and body (`seal`), and are checked
# whole: indexes in range, counts agreeing with the interactions
# 8: entries per batch of files, no entry per file, stat keys naming a batch's entry
# 9: a census of the files (counts per endpoint and status), not their interactions
# 10: shape rows count strings per format and the values of enum-like ones
# 11: formats counted only while every string has one; header names and notices checked
# 12: which keys may hold an enum (enum_keys) and what a placeholder is changed: recount
# 13: more keys hold no enum (people, name parts, answers, codes), nor anything below a
# name: recount
# 14: censuses keep URLs with secret query values redacted; scrubbed keys hold no enum
# 15: an id with a custom method keeps the method in endpoint keys (`{id}:cancel`)
# 16: a prefixed random id without a digit (`cus_PqmsTLkxHwEbRa`) is `{id}` in keys
# 17: personal attributes, places and redeemable codes hold no enum: recount
CACHE_FORMAT = 17
MAX_ENTRY_BYTES = 256 * 2**20  # an entry larger is neither written nor read
TOUCH_AFTER = 3600.0  # seconds: a used entry older than this is touched, for pruning by age
T = TypeVar("T")
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_DIRECTORY = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NOFOLLOW | _CLOEXEC
_REGULAR = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | _NOFOLLOW | _CLOEXEC
_TAIL = b',"key":"%s","sum":"%s"}'  # what `seal` puts where the body's last `}` was


@dataclass(frozen=True, slots=True)
class RunEntry:
    """A run of files as read: their census (`core/census.py`) and pooled shapes (their
    rows), checked against each other."""

    census: Census
    rows: dict[PoolKey, Rows]


def content_key(data: bytes, naming: str = "") -> str:
    """An entry's key: the SHA-256 of `data`, the driftcheck version and the format, and
    `naming` (the configured matchers, which name the pools: shapes pooled under other
    names are never reused)."""
    digest = hashlib.sha256(data)  # SHA-NI makes it twice as fast as BLAKE2 on x86
    digest.update(f"\0driftcheck {__version__} cache {CACHE_FORMAT}\0{naming}".encode())
    return digest.hexdigest()


def entry_path(folder: Path, key: str) -> Path:
    return folder / key[:2] / f"{key}.json"


def cached(folder: Path, key: str, decode: Callable[[bytes], T]) -> T | None:
    """The entry under `key`, decoded; None when it is missing, is no regular file of at
    most `MAX_ENTRY_BYTES`, is not sealed with `key`, or does not decode."""
    data = read_entry(folder, key)
    if data is None:
        return None
    try:
        return decode(unseal(key, data))
    except Exception:  # an untrusted entry: whatever fails in it is a miss, never a crash
        return None


def store(folder: Path, key: str, entry: bytes) -> None:
    """Write an entry whole, sealed (readers see whole entries only); whatever is in the
    way (a directory, a symlink, a FIFO) is replaced. A read-only or full disk only costs
    speed, and leaves nothing behind; an empty or oversized entry is not written."""
    whole = entry[:1] == b"{" and entry[-1:] == b"}" and len(entry) > 2  # a JSON object
    if not whole or len(entry) + len(_TAIL) + 128 > MAX_ENTRY_BYTES:
        return
    path = entry_path(folder, key)
    with contextlib.suppress(OSError):
        _clear_way(path)
        write_atomic(path, seal(key, entry))


def seal(key: str, body: bytes) -> bytes:
    """`body` (a JSON object) with `key` and the SHA-256 of both as its last fields."""
    digest = hashlib.sha256(f"{key}\0".encode() + body).hexdigest()
    return body[:-1] + _TAIL % (key.encode(), digest.encode())


def unseal(key: str, data: bytes) -> bytes:
    """The body `seal(key, body)` wrote; ValueError when `data` is not that."""
    size = len(_TAIL % (key.encode(), b"0" * 64))
    body = data[:-size] + b"}"
    if len(data) <= size or seal(key, body) != data:
        raise ValueError("an entry not sealed with its key")
    return body


def read_entry(folder: Path, key: str) -> bytes | None:
    """The bytes of the entry under `key` if it is a regular file (its folder a real one)
    of at most `MAX_ENTRY_BYTES`; else None. Opened without following symlinks and
    without blocking, so a FIFO planted in the cache is a miss, not a hang."""
    path = entry_path(folder, key)
    try:
        shard = os.open(path.parent, _DIRECTORY)
    except OSError:
        return None
    try:
        fd = os.open(path.name, _REGULAR, dir_fd=shard)
    except OSError:
        return None
    finally:
        os.close(shard)
    try:
        return _regular_bytes(fd, MAX_ENTRY_BYTES, touch=True)
    finally:
        os.close(fd)


def _regular_bytes(fd: int, limit: int | None, touch: bool = False) -> bytes | None:
    """All of `fd` if it is a regular file of at most `limit` bytes; else None. With
    `touch`, a file not used for `TOUCH_AFTER` gets its modification time renewed."""
    try:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode) or (limit is not None and status.st_size > limit):
            return None
        chunks, left = [], status.st_size + 1  # one more: a file growing meanwhile shows
        while left > 0 and (chunk := os.read(fd, min(left, 1 << 24))):
            chunks.append(chunk)
            left -= len(chunk)
        if left <= 0 and limit is not None:
            return None
    except OSError:
        return None
    if touch and time.time() - status.st_mtime > TOUCH_AFTER:
        with contextlib.suppress(OSError):  # a read-only cache is still read
            os.utime(fd)
    return b"".join(chunks)


def _clear_way(path: Path) -> None:
    """Remove what an entry cannot be renamed over: a non-folder where its folder goes,
    a folder where it goes."""
    with contextlib.suppress(FileNotFoundError):
        if not stat.S_ISDIR(os.lstat(path.parent).st_mode):
            os.unlink(path.parent)
    with contextlib.suppress(FileNotFoundError):
        if stat.S_ISDIR(os.lstat(path).st_mode):
            import shutil  # bz2, lzma: only to clear a folder in the way

            shutil.rmtree(path)


def alias_entry(key: str) -> bytes:
    """An entry that names another entry (a batch's, by its files' `stat`)."""
    return _dumps({"entry": key})


def decode_alias(data: bytes) -> str:
    """The key an alias entry names; ValueError unless it is one."""
    key = _object(data, {"entry"})["entry"]
    if type(key) is not str or len(key) != 64 or key.strip("0123456789abcdef"):
        raise ValueError("not an entry key")
    return key


def run_entry(census: Census, shapes: Mapping[PoolKey, Rows]) -> bytes:
    """The entry as JSON; empty (nothing to store) when JSON cannot hold it."""
    pooled = [[endpoint, status, day, rows] for (endpoint, status, day), rows in shapes.items()]
    return _dumps({"census": census_codec.encode(census), "shapes": pooled})


def cached_run(folder: Path, key: str, paths: Sequence[str]) -> RunEntry | None:
    """The run entry of exactly `paths` under `key` (`cached`, `decode_run`)."""
    return cached(folder, key, lambda entry: decode_run(entry, paths))


def decode_run(data: bytes, paths: Sequence[str]) -> RunEntry:
    """A run entry of exactly `paths`, read back; ValueError unless it is one."""
    run = _object(data, {"census", "shapes"})
    census = census_codec.decode(run["census"], paths)
    pooled = _pools(run["shapes"])
    _agree(census, pooled)
    return RunEntry(census, dict(pooled))


def _dumps(value: Any) -> bytes:
    try:
        return jsonio.dumps(value)
    except (TypeError, ValueError):  # orjson's JSONEncodeError is a TypeError
        return b""


def _object(data: bytes, keys: set[str]) -> dict[str, Any]:
    value = jsonio.loads(data)
    if type(value) is not dict or set(value) != keys:
        raise ValueError("not an entry of this kind")
    return value


def _pools(value: Any) -> list[tuple[PoolKey, Rows]]:
    """Pooled shapes as [endpoint, status, day, rows] rows, each pool once."""
    if type(value) is not list:
        raise ValueError("not pooled shapes")
    pools: dict[PoolKey, Rows] = {}
    for pool in value:
        if type(pool) is not list or len(pool) != 4:
            raise ValueError("not a pooled shape")
        pool_key = _pool_key(*pool[:3])
        if pool_key in pools:
            raise ValueError("a pool listed twice")
        pools[pool_key] = check_rows(pool[3])
    return list(pools.items())


def _agree(census: Census, pools: list[tuple[PoolKey, Rows]]) -> None:
    """ValueError unless the pools count exactly the JSON bodies the census counts, per
    endpoint, status and recording day."""
    bodies = {
        (name, status, day): count
        for name, tally in census.endpoints.items()
        for status, day, count in tally.json_bodies()
    }
    shapes = {pool_key: sum(rows[0][2].values()) for pool_key, rows in pools}
    if bodies != shapes:
        raise ValueError("pooled shapes that do not count the census's bodies")


def _pool_key(endpoint: Any, status: Any, day: Any) -> PoolKey:
    if (
        type(endpoint) is not str
        or not endpoint
        or type(status) is not int
        or not 100 <= status <= 999
    ):
        raise ValueError("not an endpoint and status")
    if type(day) is not str or (day and datetime.date.fromisoformat(day).isoformat() != day):
        raise ValueError("not a recording day as `day_of` writes it")
    return endpoint, status, day
