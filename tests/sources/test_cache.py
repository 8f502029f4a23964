"""The shape cache trusts nothing it reads: damaged, re-sealed, misplaced or non-regular
entries are misses (read again, rewritten), never a crash or a changed result; and the
cache is pruned by age and size."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.shape import ShapeBuilder, from_rows
from driftcheck.sources import cache_prune
from driftcheck.sources.cache import (
    MAX_ENTRY_BYTES,
    TOUCH_AFTER,
    cached,
    content_key,
    decode_run,
    entry_path,
    run_entry,
    seal,
    store,
    unseal,
)
from driftcheck.sources.cache_prune import MARKER, prune
from driftcheck.sources.scan import Scanned, Settings, scan
from tests.helpers import OKTA, REPORTS, TEAMS, json_values

SOURCES = [REPORTS, OKTA, TEAMS]
DAY = 86400.0


def _scan(paths: list[Path], cache: Path | None) -> Scanned:
    return scan(paths, Settings(workers=1, cache=cache))


@pytest.fixture
def dated(tmp_path: Path) -> list[Path]:
    """The real cassettes, one of them dated (Ruby VCR's `recorded_at`), so that a day
    is part of its pools' keys."""
    folder = tmp_path / "cassettes"
    folder.mkdir()
    paths = [folder / source.name for source in SOURCES]
    for source, path in zip(SOURCES, paths, strict=True):
        shutil.copyfile(source, path)
    text = TEAMS.read_text().replace(
        "- request:", "- recorded_at: '2024-03-05T10:00:00Z'\n  request:"
    )
    paths[2].write_text(text)
    return paths


def _entries(cache: Path) -> dict[Path, bytes]:
    return {entry: entry.read_bytes() for entry in sorted(cache.rglob("*.json"))}


def _body(entry: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(unseal(entry.stem, entry.read_bytes()))
    return data


def _is_run(entry: Path) -> bool:
    return "files" in _body(entry)


def test_entries_are_sealed_with_their_key(dated: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    _scan(dated, cache)
    for entry, data in _entries(cache).items():
        assert json.loads(data)["key"] == entry.stem
        body = unseal(entry.stem, data)
        assert seal(entry.stem, body) == data
        with pytest.raises(ValueError, match="not sealed"):
            unseal("0" * 64, data)  # an entry copied under another key


@settings(max_examples=60, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=5), st.sampled_from(["", "2024-03-05"]))
def test_what_the_cache_writes_it_reads_back(values: list[Any], day: str) -> None:
    """The checks refuse nothing a scan writes (else every run would miss): shapes of any
    JSON, in a batch's entry."""
    stamp = 1709632800.0 if day else None
    interactions = [
        Interaction("GET", "https://x.io/a/b", 200, "application/json", BodyKind.JSON,
                    index=n, line=n and 10 * n, recorded_at=stamp, echoed=(0, 1))
        for n in range(len(values))
    ]  # fmt: skip
    builder = ShapeBuilder()
    builder.add_values(values)
    pool_key = ("GET x.io/a/b", 200, day)
    read = [replace(i, source="a.yaml") for i in interactions]
    files = [("a.yaml", None, read), ("b.yaml", "not a cassette", [])]
    run = decode_run(run_entry(files, {pool_key: builder.rows()}), ["a.yaml", "b.yaml"])
    assert run.files == files
    assert {key: from_rows(rows) for key, rows in run.rows.items()} == {pool_key: builder.build()}


def test_an_entry_of_emptied_lists_is_rebuilt(dated: list[Path], tmp_path: Path) -> None:
    """The issue's attack: entries rewritten as empty lists (valid JSON) made a report of
    drift into "no drift"."""
    cache = tmp_path / "cache"
    first = _scan(dated, cache)
    assert first.interactions
    written = _entries(cache)
    for entry in written:
        data = json.loads(entry.read_bytes())
        if not _is_run(entry):
            continue  # an alias, naming a batch's entry by its files' stat
        data["files"] = [[path, error, []] for path, error, _ in data["files"]]
        data["shapes"] = []
        entry.write_text(json.dumps(data))
    assert _scan(dated, cache) == first
    assert _entries(cache) == written


def _file_damage(change: Callable[[dict[str, Any]], object]) -> Callable[[dict[str, Any]], None]:
    """A damage to each file of a batch entry's body."""

    def damage(body: dict[str, Any]) -> None:
        for listed in body["files"]:
            view = {"error": listed[1], "interactions": listed[2], "pools": body["shapes"]}
            change(view)
            listed[1] = view["error"]

    return damage


def _each_interaction(change: Callable[[list[Any]], object]) -> Callable[[dict[str, Any]], None]:
    return _file_damage(lambda body: [change(row) for row in body["interactions"]])


def _each_root(change: Callable[[list[Any]], object]) -> Callable[[dict[str, Any]], None]:
    return _file_damage(lambda body: [change(pool[3][0]) for pool in body["pools"]])


def _set(position: int, value: Any) -> Callable[[list[Any]], None]:
    return lambda row: row.__setitem__(position, value)


def _second_row(row: list[Any]) -> Callable[[dict[str, Any]], None]:
    return _file_damage(lambda body: [pool[3].insert(1, row) for pool in body["pools"]])


# What a writer to the cache could put in an entry, re-sealed under the right key: each
# is refused by the checks, so the files are read again.
RESEALED: dict[str, Callable[[dict[str, Any]], object]] = {
    "interactions gone, pools kept": _file_damage(lambda body: body["interactions"].clear()),
    "pools gone, interactions kept": _file_damage(lambda body: body["pools"].clear()),
    "a path position past the URL": _each_interaction(_set(10, [40])),
    "a negative path position": _each_interaction(_set(10, [-1])),
    "interactions renumbered": _each_interaction(_set(6, 7)),
    "a negative line": _each_interaction(_set(7, -3)),
    "a status that is a boolean": _each_interaction(_set(2, True)),
    "a status other than the pool's": _each_interaction(_set(2, 599)),
    "a recording time past any date": _each_interaction(_set(8, 1e300)),
    "a recording time of another day": _each_interaction(_set(8, 86400 * 400)),
    "no method": _each_interaction(_set(0, "")),
    "a root counting other bodies": _each_root(_set(2, {"object": 9})),
    "a root counting nothing": _each_root(_set(2, {"object": 0})),
    "a type that is no JSON type": _each_root(_set(2, {"tuple": 1})),
    "a negative count of empty arrays": _each_root(_set(3, -1)),
    "elements under no array": _second_row([0, None, {"string": 1}, 0, None]),
    "a parent after its child": _second_row([5, "a", {"string": 1}, 0, None]),
    "a pool listed twice": _file_damage(lambda body: body["pools"].extend(body["pools"][:1])),
    "an error beside interactions": _file_damage(lambda body: body.update(error="x")),
    "a field too many": lambda body: body.update(extra=1),
    "another run's files, or an error of no text": lambda body: (
        body["files"].reverse() if len(body["files"]) > 1 else body["files"][0].__setitem__(1, 3)
    ),
}


@pytest.mark.parametrize("damage", RESEALED.values(), ids=list(RESEALED))
def test_a_resealed_entry_that_disagrees_with_itself_is_rebuilt(
    dated: list[Path], tmp_path: Path, damage: Callable[[dict[str, Any]], object]
) -> None:
    cache = tmp_path / "cache"
    first = _scan(dated, cache)
    written = _entries(cache)
    changed = 0
    for entry in written:
        if not _is_run(entry):
            continue
        body = _body(entry)
        damage(body)
        store(cache, entry.stem, json.dumps(body).encode())
        changed += entry.read_bytes() != written[entry]
    assert changed
    assert _scan(dated, cache) == first
    assert _entries(cache) == written


def test_an_entry_json_cannot_hold_is_not_stored(tmp_path: Path) -> None:
    """A status past 64 bits (which the cassette reader once let through) cannot be
    written as JSON: it crashed every run with a cache ("Integer exceeds 64-bit range");
    such an entry is now simply not written."""
    huge = Interaction("GET", "https://x.io/a", 10**23, "application/json", BodyKind.EMPTY)
    assert run_entry([("a.yaml", None, [huge])], {}) == b""
    store(tmp_path / "cache", "ab" * 32, b"")
    assert not (tmp_path / "cache").exists()


def _entry_of(dated: list[Path], cache: Path) -> tuple[Scanned, Path, bytes]:
    """A scan of one file with the cache, its entry and the entry's bytes."""
    first = _scan(dated[:1], cache)
    [entry] = list(cache.rglob("*.json"))
    return first, entry, entry.read_bytes()


def _a_directory(entry: Path) -> None:
    entry.unlink()
    (entry / "inside").mkdir(parents=True)


def _a_symlink_to_a_valid_entry(entry: Path) -> None:
    moved = entry.with_name("elsewhere")
    entry.rename(moved)
    entry.symlink_to(moved)


def _a_huge_file(entry: Path) -> None:
    with entry.open("r+b") as stream:
        stream.truncate(MAX_ENTRY_BYTES + 1)  # sparse: costs no disk


def _shard_a_symlink(entry: Path) -> None:
    moved = entry.parent.with_name("moved")
    entry.parent.rename(moved)
    entry.parent.symlink_to(moved, target_is_directory=True)


def _shard_a_file(entry: Path) -> None:
    shutil.rmtree(entry.parent)
    entry.parent.write_text("not a folder")


IN_THE_WAY: dict[str, Callable[[Path], object]] = {
    "a directory where the entry goes": _a_directory,
    "a symlink to a valid entry": _a_symlink_to_a_valid_entry,
    "a file past the size cap": _a_huge_file,
    "a truncated entry": lambda entry: entry.write_bytes(entry.read_bytes()[:-40]),
    "an entry ending in a flipped bit": lambda entry: entry.write_bytes(
        entry.read_bytes().replace(b'"}', b'"]')
    ),
    "its folder a symlink": _shard_a_symlink,
    "its folder a file": _shard_a_file,
}


@pytest.mark.parametrize("damage", IN_THE_WAY.values(), ids=list(IN_THE_WAY))
def test_what_is_no_sealed_regular_entry_is_a_miss_and_replaced(
    dated: list[Path], tmp_path: Path, damage: Callable[[Path], object]
) -> None:
    cache = tmp_path / "cache"
    first, entry, data = _entry_of(dated, cache)
    damage(entry)
    assert cached(cache, entry.stem, lambda body: body) is None
    assert _scan(dated[:1], cache) == first
    assert entry.parent.is_dir()
    assert not entry.parent.is_symlink()
    assert not entry.is_symlink()
    assert entry.read_bytes() == data


def test_a_used_entry_is_touched_so_that_pruning_keeps_it(
    dated: list[Path], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first, entry, data = _entry_of(dated, cache)
    recent = time.time_ns() - int(TOUCH_AFTER / 2 * 1e9)
    os.utime(entry, ns=(recent, recent))
    assert _scan(dated[:1], cache) == first
    assert entry.stat().st_mtime_ns == recent  # used within the hour: not written again
    old = time.time_ns() - int(40 * DAY * 1e9)
    os.utime(entry, ns=(old, old))
    assert _scan(dated[:1], cache) == first
    assert entry.stat().st_mtime_ns > recent
    prune(cache)
    assert entry.read_bytes() == data


def _fill(cache: Path, count: int, age_days: float, size: int = 100) -> list[Path]:
    """`count` entries of `size` bytes, last used `age_days` ago."""
    made = []
    for n in range(count):
        path = entry_path(cache, content_key(f"{age_days} {n}".encode()))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * size)
        stamp = time.time() - age_days * DAY - n
        os.utime(path, (stamp, stamp))
        made.append(path)
    return made


def test_pruning_removes_entries_unused_for_the_age_limit(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    old, recent = _fill(cache, 5, 31), _fill(cache, 5, 2)
    prune(cache)
    assert [path.exists() for path in old] == [False] * 5
    assert [path.exists() for path in recent] == [True] * 5


def test_pruning_keeps_the_folder_under_its_budget_least_recently_used_first(
    tmp_path: Path,
) -> None:
    cache = tmp_path / "cache"
    newer, older = _fill(cache, 3, 1, size=1000), _fill(cache, 3, 5, size=1000)
    prune(cache, max_bytes=4500)
    assert [path.exists() for path in newer + older] == [True] * 4 + [False] * 2


def test_pruning_touches_only_what_the_cache_writes(tmp_path: Path) -> None:
    """A cache folder set to a wrong place loses nothing else, however old."""
    cache = tmp_path / "cache"
    [entry] = _fill(cache, 1, 90)
    others = [cache / "notes.json", entry.parent / "notes.txt", cache / "zz" / (entry.name)]
    stale = entry.with_name(f".{entry.name}.123.0badcafe.tmp")
    fresh = entry.with_name(f".{entry.name}.124.0badcafe.tmp")
    for path in [*others, stale, fresh]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("kept")
    for path in [*others, stale, entry]:
        os.utime(path, (time.time() - 90 * DAY, time.time() - 90 * DAY))
    prune(cache, max_bytes=0)
    assert [path.exists() for path in [*others, fresh]] == [True] * 4
    assert not entry.exists()
    assert not stale.exists()  # left by a writer killed mid-write


def test_pruning_removes_entries_that_can_never_be_read(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    [fifo, link, huge] = _fill(cache, 3, 0)
    fifo.unlink()
    os.mkfifo(fifo)
    link.unlink()
    link.symlink_to(huge)
    os.truncate(huge, MAX_ENTRY_BYTES + 1)
    prune(cache)
    assert [path.exists() or path.is_symlink() for path in (fifo, link, huge)] == [False] * 3


def test_a_folder_is_pruned_at_most_once_in_a_while(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    prune(cache)  # no folder yet: nothing to do, nothing raised
    assert not cache.exists()
    _fill(cache, 1, 0)
    prune(cache)
    assert (cache / MARKER).is_file()
    old = _fill(cache, 2, 60)
    prune(cache)
    assert [path.exists() for path in old] == [True, True]  # pruned a moment ago
    pruned = time.time() - cache_prune.EVERY - 1
    os.utime(cache / MARKER, (pruned, pruned))
    prune(cache)
    assert [path.exists() for path in old] == [False, False]


def test_an_entry_pruned_under_a_run_is_a_miss(dated: list[Path], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _scan(dated, cache)
    written = _entries(cache)
    prune(cache, max_bytes=0, every=0)  # another run's prune, between two of this one's
    assert list(cache.rglob("*.json")) == []
    assert _scan(dated, cache) == first
    assert _entries(cache) == written


def _in_subprocess(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=False
    )


def test_a_fifo_entry_is_a_miss_not_a_hang(dated: list[Path], tmp_path: Path) -> None:
    """Opened without blocking and without following symlinks; the child process has a
    timeout, so a hang fails the test rather than hanging it."""
    cache = tmp_path / "cache"
    first, entry, data = _entry_of(dated, cache)
    entry.unlink()
    os.mkfifo(tmp_path / "fifo")
    entry.symlink_to(tmp_path / "fifo")
    same = (
        "from pathlib import Path\n"
        "from driftcheck.sources.scan import Settings, scan\n"
        f"paths = [Path({str(dated[0])!r})]\n"
        f"print(scan(paths, Settings(workers=1, cache=Path({str(cache)!r}))) == "
        "scan(paths, Settings(workers=1)))\n"
    )
    assert _in_subprocess(same).stdout == "True\n"
    assert entry.read_bytes() == data
    entry.unlink()
    os.mkfifo(entry)
    assert _in_subprocess(same).stdout == "True\n"
    assert entry.read_bytes() == data
    assert _scan(dated[:1], cache) == first


def test_a_fifo_among_the_cassettes_does_not_hang_a_cached_scan(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    code = (
        "from pathlib import Path\n"
        "from driftcheck.sources.scan import Settings, scan\n"
        f"paths = [Path({str(TEAMS)!r}), Path({str(tmp_path / 'pipe.yaml')!r})]\n"
        f"read = scan(paths, Settings(workers=1, cache=Path({str(tmp_path / 'cache')!r})))\n"
        "print([error.message[:40] for error in read.errors])\n"
    )
    assert _in_subprocess(code).stdout == "['a FIFO (named pipe), not a regular file:']\n"


def test_a_file_name_that_is_not_utf8_is_read_with_the_cache_as_without(tmp_path: Path) -> None:
    """`x\\xff.yaml` reaches Python as `x\\udcff.yaml`: the run key hashes the name's bytes."""
    source = Path(__file__).parent.parent.parent / "cassettes" / "users.yaml"
    folder = tmp_path / "c"
    folder.mkdir()
    paths = [folder / "ok.yaml", folder / os.fsdecode(b"x\xff.yaml")]
    for path in paths:
        shutil.copyfile(source, path)
    cache = tmp_path / "cache"
    plain = scan(paths, Settings(workers=1))
    assert scan(paths, Settings(workers=1, cache=cache)) == plain
    assert scan(paths, Settings(workers=1, cache=cache)) == plain  # warm
    assert not plain.errors
