"""Batches: the cache's unit. Boundaries that stay put, and stat keys that are exact."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from driftcheck.core.endpoints import PoolKey
from driftcheck.core.maps import Declared
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.shape import ShapeBuilder
from driftcheck.errors import CassetteError
from driftcheck.sources import batches as batching
from driftcheck.sources import scan as scanning
from driftcheck.sources.batches import BATCH_BYTES, BATCH_FILES, LARGE, batches
from driftcheck.sources.cassettes import parse_cassette
from driftcheck.sources.file_shapes import infer_bodies, infer_files
from driftcheck.sources.scan import Settings, scan
from tests.helpers import OKTA, REPORTS, TEAMS, json_values

names = st.lists(st.text("abcdefgh/_", min_size=1, max_size=12), min_size=0, max_size=300)


def _spans(paths: list[str], sizes: list[int]) -> list[tuple[int, int]]:
    return list(batches(paths, sizes))


@settings(max_examples=80, deadline=None)
@given(names, st.data())
def test_batches_cover_every_file_once_in_order(paths: list[str], data: st.DataObject) -> None:
    sizes = data.draw(st.lists(st.sampled_from([0, 10, 5000, LARGE - 1, LARGE, 3 * LARGE]),
                               min_size=len(paths), max_size=len(paths)))  # fmt: skip
    spans = _spans(paths, sizes)
    assert [position for start, end in spans for position in range(start, end)] == list(
        range(len(paths))
    )
    for start, end in spans:
        assert 0 < end - start <= BATCH_FILES
        assert sum(sizes[start : end - 1]) < BATCH_BYTES
        if any(size >= LARGE for size in sizes[start:end]):
            assert end - start == 1  # a large file is a batch of its own


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.text("abcdefghij", min_size=3, max_size=10), min_size=2, max_size=200, unique=True),
    st.data(),
)
def test_one_file_more_or_less_changes_one_batch_or_two(
    paths: list[str], data: st.DataObject
) -> None:
    """Boundaries follow the files' names, not their count: the other batches keep their
    files, so their cache entries still hit."""
    paths.sort()
    gone = data.draw(st.integers(0, len(paths) - 1))
    fewer = paths[:gone] + paths[gone + 1 :]
    before = {tuple(paths[a:b]) for a, b in _spans(paths, [100] * len(paths))}
    after = {tuple(fewer[a:b]) for a, b in _spans(fewer, [100] * len(fewer))}
    assert len(before - after) <= 2  # the batch that held it (and one merged into it)


def _corpus(folder: Path) -> list[Path]:
    folder.mkdir()
    paths = []
    for source in (REPORTS, OKTA, TEAMS):
        paths.append(folder / source.name)
        shutil.copyfile(source, paths[-1])
    return paths


class _Reads:
    """Counts the cassettes read (through the one function that reads them)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[str] = []
        original = batching.read_regular
        monkeypatch.setattr(
            batching, "read_regular", lambda path: self.paths.append(str(path)) or original(path)
        )


def test_a_settled_batch_is_found_by_stat_without_reading_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(batching, "SETTLED", -3600.0)  # as if written an hour ago
    paths, cache = _corpus(tmp_path / "c"), tmp_path / "cache"
    reads = _Reads(monkeypatch)
    cold = scan(paths, Settings(workers=1, cache=cache))
    assert sorted(reads.paths) == sorted(map(str, paths))
    kinds = sorted(sorted(json.loads(e.read_bytes())) for e in cache.rglob("*.json"))
    assert ["entry", "key", "sum"] in kinds  # an alias naming the batch's entry by stat
    reads.paths.clear()
    assert scan(paths, Settings(workers=1, cache=cache)) == cold
    assert reads.paths == []


def test_a_file_changed_in_place_with_its_size_and_mtime_kept_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its change time moves on whatever is done to its modification time: a new stat."""
    monkeypatch.setattr(batching, "SETTLED", -3600.0)
    paths, cache = _corpus(tmp_path / "c"), tmp_path / "cache"
    target = tmp_path / "c" / "mine.yaml"
    target.write_text(_CASSETTE % "alpha")
    paths.append(target)
    before = scan(paths, Settings(workers=1, cache=cache))
    status = target.stat()
    target.write_text(_CASSETTE % "omega")  # the same size
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert target.stat().st_size == status.st_size
    after = scan(paths, Settings(workers=1, cache=cache))
    assert after == scan(paths, Settings(workers=1))  # what reading it afresh gives
    assert after != before


_CASSETTE = """interactions:
- request: {body: null, headers: {}, method: GET, uri: 'https://api.example.com/things'}
  response:
    body: {string: '{"%s": 1}'}
    headers: {Content-Type: [application/json]}
    status: {code: 200, message: OK}
version: 1
"""


def test_a_file_changed_a_moment_ago_is_not_keyed_by_its_stat(tmp_path: Path) -> None:
    """Within the same clock tick it could change again unseen: its content is hashed."""
    paths, cache = _corpus(tmp_path / "c"), tmp_path / "cache"
    scan(paths, Settings(workers=1, cache=cache))
    bodies = [json.loads(entry.read_bytes()) for entry in cache.rglob("*.json")]
    assert bodies
    assert all(sorted(body) == ["census", "key", "shapes", "sum"] for body in bodies)  # no alias


NO_MAPS = Declared(not_maps=("$.**",))  # maps are decided per column: here there are none


def _pooled_file_by_file(
    files: list[list[Interaction]], maps: Declared | None = None
) -> tuple[list[list[Interaction]], dict[PoolKey, list[Any]]]:
    """What reading file by file gives: each file's shapes, pooled in order."""
    pooled: dict[PoolKey, ShapeBuilder] = {}
    bare = []
    for interactions in files:
        kept, pools = infer_bodies(interactions, maps=maps)
        bare.append(kept)
        for key, builder in pools.items():
            if key in pooled:
                pooled[key].add_builder(builder)
            else:
                pooled[key] = builder
    return bare, {key: builder.rows() for key, builder in pooled.items()}


def _together(
    files: list[list[Interaction]], maps: Declared | None = None
) -> tuple[list[list[Interaction]], dict[PoolKey, Any]]:
    bare, pools = infer_files(files, maps=maps)
    return bare, {key: builder.rows() for key, builder in pools.items()}


def test_a_batch_inferred_together_equals_its_files_one_by_one() -> None:
    cassettes = sorted((Path(__file__).parent.parent / "data" / "cassettes").glob("*.yaml"))
    files = []
    for path in cassettes:
        try:
            files.append(parse_cassette(path.read_bytes(), str(path)))
        except CassetteError:
            continue
    assert len(files) > 5
    assert _together(files) == _pooled_file_by_file(files)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(
                st.sampled_from(["/a", "/b/1", "/b/2"]), st.sampled_from([200, 404]), json_values
            ),
            max_size=4,
        ),
        min_size=1,
        max_size=5,
    ),
    st.lists(st.sampled_from([None, 1709632800.0, 1434326400.0]), min_size=5, max_size=5),
)
def test_any_bodies_inferred_together_equal_them_file_by_file(
    files: list[list[tuple[str, int, Any]]], stamps: list[float | None]
) -> None:
    """Counts, key order, days (each file's own) and echoed segments alike. (Whether an
    object is a map is decided over the column: over a batch's files, not each file's.)"""
    read = [
        [
            Interaction("GET", f"https://x.io{path}", status, "application/json", BodyKind.JSON,
                        body=body, source=f"f{n}.yaml", index=i, recorded_at=stamps[n])
            for i, (path, status, body) in enumerate(interactions)
        ]
        for n, interactions in enumerate(files)
    ]  # fmt: skip
    assert _together(read, NO_MAPS) == _pooled_file_by_file(read, NO_MAPS)


def test_a_settled_run_is_one_entry_and_a_change_in_it_is_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm run reads its whole run's entry: no batch is looked up, no file read."""
    monkeypatch.setattr(batching, "SETTLED", -3600.0)
    monkeypatch.setattr(batching, "BOUNDARY", 1)  # every file a batch of its own
    paths, cache = _corpus(tmp_path / "c"), tmp_path / "cache"
    target = tmp_path / "c" / "mine.yaml"
    target.write_text(_CASSETTE % "alpha")
    paths.append(target)
    cold = scan(paths, Settings(workers=1, cache=cache))
    looked_up: list[int] = []
    original = scanning.read_batch
    monkeypatch.setattr(
        scanning, "read_batch", lambda *args: looked_up.append(1) or original(*args)
    )
    assert scan(paths, Settings(workers=1, cache=cache)) == cold
    assert looked_up == []
    status = target.stat()
    target.write_text(_CASSETTE % "omega")
    os.utime(target, ns=(status.st_atime_ns, status.st_mtime_ns))
    after = scan(paths, Settings(workers=1, cache=cache))
    assert len(looked_up) == len(paths)  # the run's entry missed: each batch looked up
    assert after == scan(paths, Settings(workers=1))
    assert after != cold


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text("abcdefgh_", min_size=1, max_size=10), min_size=1, max_size=300))
def test_a_corpus_batches_alike_wherever_it_is_checked_out(names: list[str]) -> None:
    """Batches decide which files are inferred together: never the checkout's folder."""
    sizes = [100] * len(names)
    here = [f"/home/dev/repo/tests/cassettes/{name}.yaml" for name in names]
    there = [f"/builds/ci/x/tests/cassettes/{name}.yaml" for name in names]
    assert _spans(here, sizes) == _spans(there, sizes)


def test_a_file_that_could_not_be_read_is_read_again_next_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether a file can be read may depend on who reads it, or when (permissions, a
    lease): a run with such an error is never cached whole, so the next run reads it."""
    monkeypatch.setattr(batching, "SETTLED", -3600.0)
    monkeypatch.setattr(batching, "BOUNDARY", 1)  # a run of several batches
    paths, cache = _corpus(tmp_path / "c"), tmp_path / "cache"
    original = batching.read_regular
    refused = str(paths[1])

    def locked(path: str) -> bytes:
        if str(path) == refused:
            raise CassetteError(refused, "cannot read: Resource temporarily unavailable")
        return original(path)

    monkeypatch.setattr(batching, "read_regular", locked)
    first = scan(paths, Settings(workers=1, cache=cache))
    assert [error.file for error in first.errors] == [refused]
    monkeypatch.setattr(batching, "read_regular", original)
    again = scan(paths, Settings(workers=1, cache=cache))
    assert again.errors == []
    assert again == scan(paths, Settings(workers=1))
