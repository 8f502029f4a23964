"""Issue 14, maps keyed by data: two recordings of the same API whose bodies hold maps
keyed by ids or names (`assets` by UUID, `ports` by `443 / tcp`, `files` by file name,
`summaries` by month, `attachments` by UUID with values that have optional keys...) and
differ only in those keys give no finding; a real change inside the map's values is still
reported, once, at the `{*}` path.

The cassettes are written by vcrpy's own serializer: a few files per side, each with a
record holding a map, a page of records holding maps, and a body that is a map.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from vcr.request import Request
from vcr.serialize import serialize
from vcr.serializers import yamlserializer

from tests.helpers import run

API = "https://api.example.com"
WORDS = (
    "report", "summary", "export", "daily", "backup", "invoice", "left", "pad", "core",
    "utils", "http", "client", "yaml", "parser", "async", "tools", "image", "json",
    "cache", "queue", "crypto", "docs", "mock", "retry",
)  # fmt: skip

Keys = Callable[[random.Random], str]

# A map's name in its parent, and how its keys look.
KEYS: dict[str, Keys] = {
    "assets": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "items": lambda rng: f"id{rng.randrange(10**5, 10**7)}",
    "ports": lambda rng: f"{rng.randrange(1, 65536)} / {rng.choice(('tcp', 'udp'))}",
    "files": lambda rng: (
        f"{rng.choice(WORDS)}-{rng.randrange(2000, 2027)}.{rng.choice(('csv', 'json', 'pdf'))}"
    ),
    "summaries": lambda rng: f"{rng.randrange(1990, 2027)}-{rng.randrange(1, 13):02d}",
    "packages": lambda rng: f"{rng.choice(WORDS)}-{rng.choice(WORDS)}",
    "attachments": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
}

# The integer field of each map's values that the drifted recording sends as a string,
# and where it sits below the map's `{*}`.
COUNTED = {
    "assets": ("file_size", "{*}.file_size"),
    "items": ("id", "{*}.id"),
    "ports": ("ttl", "{*}[*].ttl"),
    "files": ("size", "{*}.size"),
    "summaries": ("count", "{*}.count"),
    "packages": ("downloads", "{*}.downloads"),
    "attachments": ("size", "{*}.size"),
}
SPARSE = ("title", "media_type", "checksum", "roles", "created", "description")


def _word(rng: random.Random) -> str:
    return rng.choice(WORDS)


def _value(kind: str, rng: random.Random) -> Any:
    """One value of a map of `kind`: one type per key, every key always present but in
    `attachments`, whose values have two keys always and each of six others or not (as
    STAC assets have `href` always, and `title`, `roles`, `eo:bands`... sometimes)."""
    if kind == "assets":
        href = f"https://cdn.example.com/{rng.randrange(10**6)}.tif"
        return {"href": href, "type": "image/tiff", "roles": [_word(rng)], "file_size": 10}
    if kind == "items":
        return {"id": rng.randrange(10**6), "name": _word(rng), "price": 1.5, "tags": []}
    if kind == "ports":
        return [{"product": _word(rng), "version": "1.2", "ttl": 64} for _ in range(2)]
    if kind == "files":
        return {"filename": _word(rng), "size": rng.randrange(10**6), "truncated": False}
    if kind == "summaries":
        return {"count": rng.randrange(100), "mean": 2.5, "first": "2019-05-01"}
    if kind == "attachments":
        value = {"href": f"https://files.example.com/{rng.randrange(10**6)}", "size": 5}
        return value | {key: _word(rng) for key in SPARSE if rng.random() < 0.5}
    return {"version": "1.2.3", "requires": [_word(rng)], "downloads": rng.randrange(10**6)}


class Recording:
    """One side's bodies: structure and values from `values` (alike on both sides when
    seeded alike), map keys from `keys`, never reusing a key of the other side."""

    def __init__(self, kind: str, values: random.Random, keys: random.Random, used: set[str]):
        self.kind, self.values, self.keys, self.used = kind, values, keys, used

    def map(self) -> dict[str, Any]:
        result = {}
        for _ in range(self.values.randint(4, 8)):
            key = KEYS[self.kind](self.keys)
            while key in self.used:
                key = KEYS[self.kind](self.keys)
            self.used.add(key)
            result[key] = _value(self.kind, self.values)
        return result

    def record(self, number: int) -> dict[str, Any]:
        return {"id": number, "name": _word(self.values), self.kind: self.map()}

    def bodies(self, file: int) -> list[tuple[str, Any]]:
        """(uri, body): a record, a page of records, and a body that is a map."""
        kind = self.kind
        page = {"data": [self.record(n) for n in range(3)], "meta": {"page": file + 1}}
        return [
            (f"{API}/{kind}/{100 + file}", self.record(100 + file)),
            (f"{API}/{kind}", page),
            (f"{API}/{kind}/index", self.map()),
        ]


def write_cassette(path: Path, bodies: list[tuple[str, Any]]) -> None:
    """A cassette as vcrpy writes it, through vcrpy's own serializer."""
    requests = [Request("GET", uri, None, {"Accept": "application/json"}) for uri, _ in bodies]
    responses = [
        {
            "status": {"code": 200, "message": "OK"},
            "headers": {
                "Content-Type": ["application/json"],
                "Date": ["Mon, 02 Nov 2026 10:00:00 GMT"],
            },
            "body": {"string": json.dumps(body)},
        }
        for _, body in bodies
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(serialize({"requests": requests, "responses": responses}, yamlserializer))


def _drift(kind: str, body: Any) -> Any:
    """Every map value's counted integer sent as a string instead."""
    field = COUNTED[kind][0]

    def change(value: Any) -> None:
        for entry in value if isinstance(value, list) else [value]:
            entry[field] = str(entry[field])

    if "data" in body:
        for record in body["data"]:
            for value in record[kind].values():
                change(value)
    else:
        for value in body.get(kind, body).values():
            change(value)
    return body


def recordings(root: Path, kind: str, drifted: bool = False) -> tuple[Path, Path]:
    """BASE and CURRENT: three files each, the same bodies under other map keys (and, when
    `drifted`, CURRENT's counted field a string)."""
    used: set[str] = set()
    sides = []
    for side in (0, 1):
        folder = root / ("base", "current")[side]
        recording = Recording(kind, random.Random(7), random.Random(100 + side), used)
        for file in range(3):
            bodies = recording.bodies(file)
            if drifted and side:
                bodies = [(uri, _drift(kind, body)) for uri, body in bodies]
            write_cassette(folder / f"{kind}-{file}.yaml", bodies)
        sides.append(folder)
    return sides[0], sides[1]


def _report(base: Path, current: Path) -> tuple[int, dict[str, Any]]:
    result = run("diff", str(base), str(current), "--format", "json", "--no-cache")
    return result.exit_code, json.loads(result.output)


@pytest.mark.parametrize("kind", list(KEYS))
def test_recordings_that_differ_only_in_map_keys_give_no_finding(tmp_path: Path, kind: str) -> None:
    base, current = recordings(tmp_path, kind)
    assert (base / f"{kind}-0.yaml").read_text() != (current / f"{kind}-0.yaml").read_text()
    code, report = _report(base, current)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == []
    assert code == 0


@pytest.mark.parametrize("kind", list(KEYS))
def test_a_type_change_inside_a_maps_values_is_reported_once_at_its_values_path(
    tmp_path: Path, kind: str
) -> None:
    base, current = recordings(tmp_path, kind, drifted=True)
    code, report = _report(base, current)
    below = COUNTED[kind][1]
    assert sorted((f["endpoint"], f["rule"], f["path"]) for f in report["findings"]) == [
        (f"GET api.example.com/{kind}", "type-changed", f"$.data[*].{kind}{below}"),
        (f"GET api.example.com/{kind}/index", "type-changed", f"${below}"),
        (f"GET api.example.com/{kind}/{{id}}", "type-changed", f"$.{kind}{below}"),
    ]
    assert code == 1
