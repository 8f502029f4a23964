"""A deterministic synthetic cassette corpus: a BASE recording and a drifted CURRENT one.

Each endpoint gets a random schema (nested objects, arrays of records, optional keys,
nullable and mixed-type fields); bodies are single records, pages of records or bare
lists, from a few KB to several MB. CURRENT is recorded from the same endpoints with
fresh values, and about one endpoint in ten drifts (a field removed, retyped, made
nullable or added). Cassettes are written the way vcrpy writes them (`yaml.dump`).

    .venv/bin/python benchmarks/synthetic.py --preset small --out /tmp/driftcheck-bench

The same preset and seed always give byte-identical files; a finished corpus is marked
complete and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import string
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


PRESETS = {
    "tiny": Preset(4 * MB, 12),
    "small": Preset(29 * MB, 40),
    "medium": Preset(290 * MB, 120),
    "large": Preset(1180 * MB, 300),
}

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
        "id",
        "name",
        "email",
        "status",
        "type",
        "created_at",
        "updated_at",
        "url",
        "count",
        "total",
        "price",
        "label",
        "owner",
        "tags",
        "items",
        "meta",
        "attributes",
        "score",
        "enabled",
        "region",
        "kind",
        "slug",
        "description",
        "parent",
        "version",
    ]
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
    endpoints = []
    for number in range(preset.endpoints):
        fields = _fields(plan, 0, plan.randint(5, 18))
        if drifted and number % 10 == 3:
            fields = _drift(random.Random(seed + number), fields)
        pool = [_record(values, fields) for _ in range(64)]  # fresh values per recording
        endpoints.append((number, plan.choice(["record", "page", "page", "list"]), pool))
    written = cassette = 0
    while written < preset.size:
        number, style, pool = endpoints[cassette % len(endpoints)]
        uri = f"https://api{number % 7}.example.com/v1/resource{number}"
        interactions: list[dict[str, Any]] = []
        total = 0
        for index in range(plan.randint(1, 5)):
            size = _body_size(plan)
            total += size
            if interactions and total > MAX_CASSETTE // 2:
                break
            body = _body(values, style, pool, size)
            interactions.append(
                _interaction(f"{uri}/{1000 + index}" if style == "record" else uri, body)
            )
        text = yaml.dump({"interactions": interactions, "version": 1}, Dumper=yaml.CSafeDumper)
        path = folder / f"svc{number % 7}" / f"resource{number:03d}-{cassette:05d}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        written += total
        cassette += 1


def generate(out: Path, preset_name: str, seed: int = 1) -> tuple[Path, Path]:
    """BASE and CURRENT folders for a preset, generated once and then reused."""
    root = out / f"{preset_name}-seed{seed}-v{GENERATOR}"
    base, current = root / "base", root / "current"
    if (root / "COMPLETE").is_file():
        return base, current
    shutil.rmtree(root, ignore_errors=True)
    preset = PRESETS[preset_name]
    _write_corpus(base, preset, seed, drifted=False)
    _write_corpus(current, preset, seed, drifted=True)
    (root / "COMPLETE").write_text("ok\n")
    return base, current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="small")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path("/tmp/driftcheck-bench"))
    args = parser.parse_args()
    base, current = generate(args.out, args.preset, args.seed)
    for folder in (base, current):
        files = list(folder.rglob("*.yaml"))
        size = sum(f.stat().st_size for f in files)
        print(f"{folder}: {len(files)} cassettes, {size / MB:.0f} MB")


if __name__ == "__main__":
    main()
