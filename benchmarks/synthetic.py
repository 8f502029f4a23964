"""A deterministic synthetic cassette corpus: a BASE recording and a drifted CURRENT one.

Each endpoint gets a random schema (nested objects, arrays of records, optional keys,
nullable and mixed-type fields); bodies are single records, pages of records or bare
lists, from a few KB to several MB. CURRENT is recorded from the same endpoints with
fresh values, and about one endpoint in ten drifts (a field removed, retyped, made
nullable or added). Cassettes are written the way vcrpy writes them (`yaml.dump`).

The `-maps` presets hold maps keyed by data instead (`{"assets": {"<uuid>": {...}}}`,
`{"ports": {"443 / tcp": [...]}}`, file names, months, ids, package names), with fresh
keys in every body; BASE and CURRENT are then the same bodies with other keys, so a
`diff` that tells a map from an object reports nothing on them.

    .venv/bin/python benchmarks/synthetic.py --preset small --out /tmp/driftcheck-bench
    .venv/bin/python benchmarks/synthetic.py --preset medium-maps

The scale presets are written by their own modules: `many-small` and `many-small-100k`
(20,000 or 100,000 per-test cassettes a side, `synthetic_small.py`) and `big-body`, three
corpora of one huge cassette each (`synthetic_big.py`).

The same preset and seed always give byte-identical files; a finished corpus is marked
complete and reused by later runs.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import random
import shutil
import string
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

GENERATOR = 1  # bump when the output changes, so stale corpora are rebuilt
KB = 1024
MB = 1024 * KB
MAX_CASSETTE = 8 * MB


@dataclass(frozen=True)
class Preset:
    size: int  # bytes of cassettes per corpus, roughly
    endpoints: int
    maps: bool = False  # bodies hold maps keyed by ids and names; sides differ in keys only


PRESETS = {
    "tiny": Preset(4 * MB, 12),
    "small": Preset(29 * MB, 40),
    "medium": Preset(290 * MB, 120),
    "large": Preset(1180 * MB, 300),
}
PRESETS.update(
    {f"{name}-maps": Preset(p.size, p.endpoints, maps=True) for name, p in list(PRESETS.items())}
)

Schema = dict[str, Any]  # {"kind": ..., ...}; see _schema


def _schema(rng: random.Random, depth: int = 0) -> Schema:
    """A field: its kind, how often it is present, how often null, and its children."""
    kinds = ["string", "integer", "number", "boolean", "string", "integer", "timestamp"]
    if depth < 4:
        kinds += ["object", "object", "array", "records"]
    kind = rng.choice(kinds)
    field: Schema = {
        "kind": kind,
        "present": 1.0 if rng.random() < 0.75 else rng.uniform(0.6, 0.98),
        "null": 0.0 if rng.random() < 0.8 else rng.uniform(0.02, 0.3),
        "mixed": rng.random() < 0.03,  # sometimes a string where a number is expected
    }
    if kind in ("object", "records"):
        field["fields"] = _fields(rng, depth + 1, rng.randint(2, 9 if depth else 14))
    if kind == "array":
        field["item"] = rng.choice(["string", "integer", "number"])
    return field


def _fields(rng: random.Random, depth: int, count: int) -> dict[str, Schema]:
    names = [
        "id", "name", "email", "status", "type", "created_at", "updated_at", "url", "count",
        "total", "price", "label", "owner", "tags", "items", "meta", "attributes", "score",
        "enabled", "region", "kind", "slug", "description", "parent", "version",
    ]  # fmt: skip
    chosen = rng.sample(names, min(count, len(names)))
    return {name: _schema(rng, depth) for name in chosen}


def _word(rng: random.Random) -> str:
    length = rng.randint(3, 14)
    word = "".join(rng.choices(string.ascii_lowercase, k=length))
    return word if rng.random() > 0.01 else word + " é✓"  # a little non-ASCII


def _value(rng: random.Random, field: Schema) -> Any:
    if field["null"] and rng.random() < field["null"]:
        return None
    kind = field["kind"]
    if field["mixed"] and rng.random() < 0.2:
        return str(rng.randint(0, 10**6))
    if kind == "string":
        return " ".join(_word(rng) for _ in range(rng.randint(1, 6)))
    if kind == "timestamp":
        return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T12:00:00Z"
    if kind == "integer":
        return rng.randint(0, 10**9)
    if kind == "number":
        return round(rng.uniform(-1000, 1000), 4)
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "object":
        return _record(rng, field["fields"])
    if kind == "records":
        return [_record(rng, field["fields"]) for _ in range(rng.randint(0, 4))]
    item = {"kind": field["item"], "null": 0.0, "mixed": False}
    return [_value(rng, item) for _ in range(rng.randint(0, 6))]


def _record(rng: random.Random, fields: dict[str, Schema]) -> dict[str, Any]:
    return {
        name: _value(rng, field)
        for name, field in fields.items()
        if field["present"] >= 1.0 or rng.random() < field["present"]
    }


def _drift(rng: random.Random, fields: dict[str, Schema]) -> dict[str, Schema]:
    """The same schema with one change a real API might make."""
    drifted: dict[str, Schema] = json.loads(json.dumps(fields))
    name = rng.choice(sorted(drifted))
    change = rng.choice(["remove", "retype", "nullable", "add"])
    if change == "remove" and len(drifted) > 1:
        del drifted[name]
    elif change == "retype":
        drifted[name] = {"kind": "string", "present": 1.0, "null": 0.0, "mixed": False}
    elif change == "nullable":
        drifted[name]["null"] = 0.5
    else:
        drifted["added_field"] = {"kind": "integer", "present": 1.0, "null": 0.0, "mixed": False}
    return drifted


def _body_size(rng: random.Random) -> int:
    roll = rng.random()
    if roll < 0.80:
        return int(rng.uniform(2 * KB, 30 * KB))
    if roll < 0.97:
        return int(rng.uniform(30 * KB, 600 * KB))
    return int(rng.uniform(1 * MB, 4 * MB))


def _body(rng: random.Random, style: str, pool: list[dict[str, Any]], size: int) -> Any:
    if style == "record":
        return rng.choice(pool)
    per_record = max(1, len(json.dumps(pool[:8])) // 8)
    records = [rng.choice(pool) for _ in range(max(1, size // per_record))]
    if style == "list":
        return records
    return {"data": records, "meta": {"page": 1, "per_page": len(records), "next": None}}


def _interaction(uri: str, body: Any) -> dict[str, Any]:
    text = json.dumps(body)
    return {
        "request": {
            "body": None,
            "headers": {"Accept": ["application/json"], "User-Agent": ["python-requests/2.32"]},
            "method": "GET",
            "uri": uri,
        },
        "response": {
            "body": {"string": text},
            "headers": {
                "Content-Type": ["application/json; charset=utf-8"],
                "Content-Length": [str(len(text))],
                "Date": ["Sat, 21 Nov 2026 03:00:00 GMT"],
            },
            "status": {"code": 200, "message": "OK"},
        },
    }


def _write_corpus(folder: Path, preset: Preset, seed: int, drifted: bool) -> None:
    """Cassettes until `preset.size`; BASE and CURRENT share file names and body sizes."""
    plan = random.Random(seed)
    values = random.Random(seed * 7919 + drifted)
    endpoints: list[Planned] = []
    for number in range(preset.endpoints):
        fields = _fields(plan, 0, plan.randint(5, 18))
        if drifted and number % 10 == 3:
            fields = _drift(random.Random(seed + number), fields)
        pool = [_record(values, fields) for _ in range(64)]  # fresh values per recording
        style = plan.choice(["record", "page", "page", "list"])
        endpoints.append((number, "resource", style, functools.partial(_body, values, style, pool)))
    _write_cassettes(folder, preset, plan, endpoints)


Planned = tuple[int, str, str, Callable[[int], Any]]  # number, file stem, style, body(size)


def _write_cassettes(
    folder: Path, preset: Preset, plan: random.Random, endpoints: Sequence[Planned]
) -> None:
    """Cassettes of one to five interactions, one endpoint after another, until
    `preset.size` bytes of bodies are written."""
    written = cassette = 0
    while written < preset.size:
        number, stem, style, body_of = endpoints[cassette % len(endpoints)]
        uri = f"https://api{number % 7}.example.com/v1/{stem}{number}"
        interactions: list[dict[str, Any]] = []
        total = 0
        for index in range(plan.randint(1, 5)):
            size = _body_size(plan)
            total += size
            if interactions and total > MAX_CASSETTE // 2:
                break
            interactions.append(
                _interaction(f"{uri}/{1000 + index}" if style == "record" else uri, body_of(size))
            )
        text = yaml.dump({"interactions": interactions, "version": 1}, Dumper=yaml.CSafeDumper)
        path = folder / f"svc{number % 7}" / f"{stem}{number:03d}-{cassette:05d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written += total
        cassette += 1


# ---------------------------------------------------------------- maps keyed by data

KeyMaker = Callable[[random.Random, int], list[str]]  # (rng, how many) -> distinct keys


def _files(rng: random.Random, count: int) -> list[str]:
    numbers = rng.sample(range(1000, 10**7), count)
    return [f"{_word(rng)}-{n}.{rng.choice(('csv', 'json', 'txt', 'png'))}" for n in numbers]


def _months(rng: random.Random, count: int) -> list[str]:
    start = rng.randrange(12 * 1900, 12 * 2100)
    return [f"{month // 12}-{month % 12 + 1:02d}" for month in range(start, start + count)]


# The name a map has in its parent, and how its keys look: ids, names, ports, dates.
MAP_KEYS: dict[str, KeyMaker] = {
    "assets": lambda rng, n: [
        str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n)
    ],
    "items": lambda rng, n: [f"id{number}" for number in rng.sample(range(10**5, 10**7), n)],
    "objects": lambda rng, n: [f"{rng.getrandbits(96):024x}" for _ in range(n)],
    "ports": lambda rng, n: [
        f"{port} / {rng.choice(('tcp', 'udp'))}" for port in rng.sample(range(1, 65536), n)
    ],
    "files": _files,
    "summaries": _months,
    "packages": lambda rng, n: [f"{_word(rng)}-{_word(rng)}" for _ in range(n)],
}
MAX_ENTRIES = 4000  # per map: months stay four-digit years, ports stay ports


@dataclass(frozen=True)
class _MapEndpoint:
    number: int
    style: str  # "record" holds one large map, each of a "page"'s records a small one;
    # a "map" body is the map itself
    name: str  # the map's key in its parent, and its kind of keys (MAP_KEYS)
    records: list[dict[str, Any]]  # the fields around the map
    values: list[Any]  # the map's values: records, or lists of them (`ports`)


def _map_endpoint(plan: random.Random, values: random.Random, number: int) -> _MapEndpoint:
    name = plan.choice(sorted(MAP_KEYS))
    fields = _fields(plan, 1, plan.randint(3, 10))
    inner = _fields(plan, 2, plan.randint(2, 7))
    pool = [_record(values, inner) for _ in range(64)]
    value_pool: list[Any] = pool
    if name == "ports":  # a port's value lists the services found on it
        value_pool = [values.sample(pool, values.randint(1, 3)) for _ in range(64)]
    records = [_record(values, fields) for _ in range(64)]
    style = plan.choice(["record", "page", "page", "map"])
    return _MapEndpoint(number, style, name, records, value_pool)


def _map(values: random.Random, ids: random.Random, point: _MapEndpoint, count: int) -> Any:
    """`count` values from the pool (drawn alike on both sides) under fresh keys."""
    count = max(1, min(count, MAX_ENTRIES))
    chosen = [values.choice(point.values) for _ in range(count)]
    return dict(zip(MAP_KEYS[point.name](ids, count), chosen, strict=True))


def _map_body(values: random.Random, ids: random.Random, point: _MapEndpoint, size: int) -> Any:
    per_value = max(1, len(json.dumps(point.values[:8])) // 8)
    if point.style == "map":
        return _map(values, ids, point, size // per_value)
    if point.style == "record":
        return {
            **values.choice(point.records),
            point.name: _map(values, ids, point, size // per_value),
        }
    per_record = max(1, len(json.dumps(point.records[:8])) // 8) + 6 * per_value
    data = [
        {
            **values.choice(point.records),
            point.name: _map(values, ids, point, values.randint(2, 12)),
        }
        for _ in range(max(1, size // per_record))
    ]
    return {"data": data, "meta": {"page": 1, "per_page": len(data), "next": None}}


def _write_maps_corpus(folder: Path, preset: Preset, seed: int, side: int) -> None:
    """Like `_write_corpus`, but every body holds maps: both sides draw the same structure
    and values (`plan`, `values`) and only the maps' keys differ (`ids`)."""
    plan, values = random.Random(seed), random.Random(seed * 7919)
    ids = random.Random(seed * 104729 + side)
    points = [_map_endpoint(plan, values, number) for number in range(preset.endpoints)]
    endpoints: list[Planned] = [
        (point.number, "maps", point.style, functools.partial(_map_body, values, ids, point))
        for point in points
    ]
    _write_cassettes(folder, preset, plan, endpoints)


# Presets written by their own modules (imported on use: they import this one).
SCALE = {
    "many-small": ("synthetic_small", 20_000),
    "many-small-100k": ("synthetic_small", 100_000),
    "big-body-50": ("synthetic_big", "fifty"),
    "big-body-1": ("synthetic_big", "one"),
    "big-body-string": ("synthetic_big", "string"),
}
GROUPS = {"big-body": ["big-body-50", "big-body-1", "big-body-string"]}
NAMES = sorted([*PRESETS, *SCALE, *GROUPS])


def _write_scale(name: str, base: Path, current: Path, seed: int) -> None:
    module_name, argument = SCALE[name]
    module = importlib.import_module(module_name)
    module.preset(argument)(base, current, seed)


def generate(out: Path, preset_name: str, seed: int = 1) -> tuple[Path, Path]:
    """BASE and CURRENT folders for a preset, generated once and then reused."""
    root = out / f"{preset_name}-seed{seed}-v{GENERATOR}"
    base, current = root / "base", root / "current"
    if (root / "COMPLETE").is_file():
        return base, current
    shutil.rmtree(root, ignore_errors=True)
    if preset_name in SCALE:
        _write_scale(preset_name, base, current, seed)
        (root / "COMPLETE").write_text("ok\n")
        return base, current
    preset = PRESETS[preset_name]
    if preset.maps:
        _write_maps_corpus(base, preset, seed, side=0)
        _write_maps_corpus(current, preset, seed, side=1)
    else:
        _write_corpus(base, preset, seed, drifted=False)
        _write_corpus(current, preset, seed, drifted=True)
    (root / "COMPLETE").write_text("ok\n")
    return base, current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=NAMES, default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/driftcheck-bench"))
    args = parser.parse_args()
    for name in GROUPS.get(args.preset, [args.preset]):
        base, current = generate(args.out, name, args.seed)
        for folder in (base, current):
            files = list(folder.rglob("*.yaml"))
            size = sum(f.stat().st_size for f in files)
            print(f"{folder}: {len(files)} cassettes, {size / MB:.0f} MB")


if __name__ == "__main__":
    main()
