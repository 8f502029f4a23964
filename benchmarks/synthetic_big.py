"""Cassettes with very large bodies (`big-body-*` presets), written without holding them.

- `big-body-50`: one cassette of 50 pages of records from five endpoints, ~534 MB;
- `big-body-1`: one cassette holding one page of records, ~548 MB;
- `big-body-string`: one cassette whose body is a record holding a 1 GiB JSON string
  (base64, no spaces: one YAML line).

Three presets rather than one of three pairs: the memory target is 250 MB + 3x the
largest cassette, so each case needs its own corpus for its own limit (in one corpus
the 1 GiB string's limit would hide the others), and each fails in its own way (many
bodies alive at once, one body copied, one huge scalar). Bodies are streamed in pieces
through `cassette_text`, so generating them needs a few MB. CURRENT has fresh values
and a drifted schema (`synthetic_small.pool_of`: template 13 drifts), so every pair has
findings.
"""

from __future__ import annotations

import base64
import functools
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import cassette_text
import synthetic_small
from cassette_text import Exchange
from synthetic_small import POOL

MB = 1024 * 1024
FOLDING = 1.115  # file bytes per byte of JSON text folded at 80 columns, about
SIZES = {"fifty": 534 * MB, "one": 548 * MB, "string": 1024 * MB}  # per cassette
CHUNK = 40  # records per piece of a streamed page
PAGES = (0, 4, 8, 12, 13)  # templates whose pools fill the pages; 13 drifts on CURRENT


Body = Callable[[], Iterator[str]]  # the pieces of a body, made when it is written


def _page(seed: int, side: int, template: tuple[int, int], number: int, size: int) -> Iterator[str]:
    """`{"data": [...], "meta": {...}}` of about `size` bytes, in pieces; `template`: its
    number and how many records to draw from."""
    pool = synthetic_small.pool_of(seed, side, *template)
    rng = random.Random(f"{seed}-{side}-{template[0]}-{number}")
    yield '{"data": ['
    count = written = 0
    while written < size or not count:
        chunk = max(1, min(CHUNK, (size - written) // 4096))  # little overshoot
        piece = ", ".join(rng.choices(pool, k=chunk))
        yield piece if not count else ", " + piece
        count, written = count + chunk, written + len(piece) + 2
    yield f'], "meta": {{"page": {number + 1}, "per_page": {count}, "next": null}}}}'


def _blob(seed: int, side: int, size: int) -> Iterator[str]:
    """A record holding one `size`-byte base64 string; CURRENT adds a field."""
    rng = random.Random(seed * 65537 + side)
    yield '{"id": 1, "name": "backup.tar.gz", "encoding": "base64", '
    if side:
        yield '"checksum": "sha256", '
    yield '"content": "'
    step = 3 * MB
    for start in range(0, size * 3 // 4, step):
        yield base64.b64encode(rng.randbytes(min(step, size * 3 // 4 - start))).decode()
    yield '"}'


def exchanges(
    kind: str, seed: int, side: int, size: int, pool: int = POOL
) -> list[tuple[Exchange, Body]]:
    """The interactions of a preset's one cassette of about `size` bytes; `pool`: records
    per endpoint to draw from (fewer: faster, for tests)."""
    uri = "https://api.example.com/v1/{}?page={}&per_page=1000000"
    json_bytes = int(size / FOLDING)
    if kind == "string":
        exchange = Exchange("GET", "https://api.example.com/v1/backups/1", 200, "req-blob")
        return [(exchange, functools.partial(_blob, seed, side, size))]
    if kind == "one":
        exchange = Exchange("GET", uri.format("teams", 1), 200, "req-one")
        return [(exchange, functools.partial(_page, seed, side, (13, pool), 0, json_bytes))]
    found: list[tuple[Exchange, Body]] = []
    for number in range(50):
        template = PAGES[number % len(PAGES)]
        resource = synthetic_small.templates()[template].resource
        exchange = Exchange("GET", uri.format(resource, number + 1), 200, f"req-{number:04d}")
        body = functools.partial(_page, seed, side, (template, pool), number, json_bytes // 50)
        found.append((exchange, body))
    return found


def write(path: Path, pairs: list[tuple[Exchange, Body]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        out.writelines(cassette_text.stream((exchange, body()) for exchange, body in pairs))


def check(kind: str, seed: int, side: int, size: int, pool: int = POOL) -> None:
    """The streamed text is what `yaml.dump` writes (small `size` only: holds the bodies)."""
    pairs = exchanges(kind, seed, side, size, pool)
    whole = [(exchange, "".join(body())) for exchange, body in pairs]
    cassette_text.check(whole)
    streamed = "".join(cassette_text.stream((exchange, body()) for exchange, body in pairs))
    if streamed != cassette_text.render(whole):
        raise AssertionError(f"{kind}: the streamed cassette differs from the rendered one")


def write_preset(
    kind: str, base: Path, current: Path, seed: int, size: int = 0, pool: int = POOL
) -> None:
    size = size or SIZES[kind]
    for side, root in enumerate((base, current)):
        check(kind, seed, side, 200_000, pool)
        write(root / "cassettes" / f"big_{kind}.yaml", exchanges(kind, seed, side, size, pool))


def preset(kind: str) -> Callable[[Path, Path, int], None]:
    return functools.partial(write_preset, kind)
