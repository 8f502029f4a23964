"""Read many cassettes fast: one file per task on a process pool, shapes cached by content.

A worker reads a file, parses it and infers the shape of each JSON body, then drops the
bodies: only interactions with their shapes cross back, so memory is bounded by the
largest file, not the corpus. Results keep the input order, so output is deterministic.

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
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from driftcheck import __version__
from driftcheck.cassettes import parse_cassette
from driftcheck.errors import CassetteError, ShapeDepthError
from driftcheck.model import BodyKind, FileError, Interaction, Node
from driftcheck.shape import infer

CACHE_FORMAT = 1
SMALL = 8  # files: below this, a pool costs more than it saves


@dataclass(frozen=True, slots=True)
class Settings:
    """How to scan: worker processes (0: one per core) and the cache folder (None: off)."""

    workers: int = 0
    cache: Path | None = None


@dataclass(frozen=True, slots=True)
class FileScan:
    """One file's interactions with shapes and no bodies, or why it could not be read."""

    path: str
    interactions: tuple[Interaction, ...] = ()
    error: str | None = None


def _without_body(interaction: Interaction) -> Interaction:
    if interaction.kind is not BodyKind.JSON:
        return dataclasses.replace(interaction, body=None)
    try:
        shape = infer(interaction.body)
    except ShapeDepthError as error:
        return dataclasses.replace(
            interaction,
            kind=BodyKind.UNREADABLE,
            body=None,
            note=f"{error}; body left out",
        )
    return dataclasses.replace(interaction, body=None, shape=shape)


def _key(data: bytes) -> str:
    digest = hashlib.blake2b(data, digest_size=20)
    digest.update(f"\0driftcheck {__version__} cache {CACHE_FORMAT}".encode())
    return digest.hexdigest()


def _node_data(node: Node) -> dict[str, Any]:
    data: dict[str, Any] = {"t": dict(node.types)}
    if node.keys:
        data["k"] = {key: _node_data(child) for key, child in node.keys.items()}
    if node.items is not None:
        data["i"] = _node_data(node.items)
    if node.empty:
        data["e"] = node.empty
    return data


def _node(data: Mapping[str, Any]) -> Node:
    return Node(
        types=data["t"],
        keys={key: _node(child) for key, child in data.get("k", {}).items()},
        items=_node(data["i"]) if "i" in data else None,
        empty=data.get("e", 0),
    )


def _entry(scan: FileScan) -> bytes:
    rows = [
        {
            "m": i.method,
            "u": i.uri,
            "s": i.status,
            "c": i.content_type,
            "k": i.kind.value,
            "n": i.note,
            "x": i.index,
            "l": i.line,
            "r": i.recorded_at,
            "h": None if i.shape is None else _node_data(i.shape),
        }
        for i in scan.interactions
    ]
    return orjson.dumps({"error": scan.error, "interactions": rows})


def _from_entry(data: bytes, path: str) -> FileScan:
    entry = orjson.loads(data)
    return FileScan(
        path,
        tuple(
            Interaction(
                method=row["m"],
                uri=row["u"],
                status=row["s"],
                content_type=row["c"],
                kind=BodyKind(row["k"]),
                note=row["n"],
                source=path,
                index=row["x"],
                line=row["l"],
                recorded_at=row["r"],
                shape=None if row["h"] is None else _node(row["h"]),
            )
            for row in entry["interactions"]
        ),
        entry["error"],
    )


def _cached(folder: Path, key: str, path: str) -> FileScan | None:
    try:
        return _from_entry((folder / key[:2] / f"{key}.json").read_bytes(), path)
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or corrupt: rebuilt and rewritten


def _store(folder: Path, key: str, scan: FileScan) -> None:
    target = folder / key[:2] / f"{key}.json"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(_entry(scan))
        os.replace(temporary, target)
    except OSError:
        pass  # a read-only or full disk only costs speed


def scan_file(path: str, cache: Path | None = None) -> FileScan:
    """Read and infer one cassette (from the cache when its content was seen before)."""
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        return FileScan(path, error=f"cannot read: {error.strerror or error}")
    key = _key(data) if cache is not None else ""
    if cache is not None:
        hit = _cached(cache, key, path)
        if hit is not None:
            return hit
    try:
        interactions = tuple(_without_body(i) for i in parse_cassette(data, path))
        scan = FileScan(path, interactions)
    except CassetteError as error:
        scan = FileScan(path, error=error.reason)
    if cache is not None:
        _store(cache, key, scan)
    return scan


def _scan_one(job: tuple[str, Path | None]) -> FileScan:
    return scan_file(*job)


def scan(paths: Sequence[Path], settings: Settings = Settings()) -> Iterator[FileScan]:
    """Every file's scan, in the order given, on `settings.workers` processes."""
    jobs = [(str(path), settings.cache) for path in paths]
    workers = settings.workers or os.cpu_count() or 1
    if workers == 1 or len(jobs) < SMALL:
        yield from map(_scan_one, jobs)
        return
    chunk = max(1, min(16, len(jobs) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs))) as pool:
        yield from pool.map(_scan_one, jobs, chunksize=chunk)


def load(
    paths: Sequence[Path], settings: Settings = Settings()
) -> tuple[list[Interaction], list[FileError]]:
    """Like `cassettes.load_all`, but bodies are replaced by their shapes."""
    interactions: list[Interaction] = []
    errors: list[FileError] = []
    for result in scan(paths, settings):
        if result.error is not None:
            errors.append(FileError(result.path, result.error))
        else:
            interactions.extend(result.interactions)
    return interactions, errors
