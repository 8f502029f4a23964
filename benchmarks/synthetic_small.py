"""Many small per-test cassettes in pytest-recording's layout (`many-small` presets).

`cassettes/<test_module>/<test_name>.yaml`, one file per test, 1-5 interactions each
across several endpoints; 1-20 KB JSON bodies (mostly small); the same 60 path
templates (20 resources: collection, item by id, sub-collection) plus POSTs shared
by all the tests, with numeric ids or UUIDs in the URLs; about 5 % 404 and 422 error
bodies. Both sides have the same files, endpoints, ids and sizes (drawn from the file's
own seed); CURRENT's values are fresh and one endpoint in ten drifts, as in
`synthetic.py`. Written with `cassette_text` (checked against `yaml.dump` on a sample),
in several processes, each file seeded by its number so the split does not matter.
"""

from __future__ import annotations

import functools
import json
import os
import random
import uuid
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cassette_text
import synthetic
from cassette_text import Exchange

RESOURCES = [
    "users", "orders", "invoices", "projects", "teams", "tickets", "products", "carts",
    "payments", "shipments", "accounts", "repos", "issues", "comments", "webhooks",
    "sessions", "files", "reports", "events", "subscriptions",
]  # fmt: skip
SUBS = ["items", "members", "history", "notes", "logs"]
UUID_IDS = {"sessions", "files", "webhooks", "payments"}
TESTS_PER_MODULE = 40
CHECK_EVERY = 499  # files whose text is compared with yaml.dump's
POOL = 24  # records drawn per template and side; bodies pick from them


@dataclass(frozen=True)
class Template:
    number: int
    method: str
    resource: str
    form: str  # "collection", "item", "sub"
    style: str  # body: "page", "list", "record"


@functools.cache
def templates() -> tuple[Template, ...]:
    """60 GET templates and a POST on each collection: 80 endpoints."""
    found: list[Template] = []
    for resource in RESOURCES:
        for form, style in (("collection", "page"), ("item", "record"), ("sub", "list")):
            found.append(Template(len(found), "GET", resource, form, style))
        found.append(Template(len(found), "POST", resource, "collection", "record"))
    return tuple(found)


@functools.cache
def pool_of(seed: int, side: int, number: int, size: int = POOL) -> tuple[str, ...]:
    """Template `number`'s `size` records as JSON text, drawn on first use (drawing them is
    most of a small run's time); CURRENT's values are fresh and one template in ten has
    a drifted schema."""
    plan = random.Random(seed * 1009 + number)
    values = random.Random((seed * 7919 + side) * 1009 + number)
    fields = synthetic._fields(plan, 1, plan.randint(4, 12))
    if side and number % 10 == 3:
        fields = synthetic._drift(random.Random(seed + number), fields)
    return tuple(json.dumps(synthetic._record(values, fields)) for _ in range(size))


def _ident(rng: random.Random, resource: str) -> str:
    if resource in UUID_IDS:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))
    return str(rng.randint(1, 10**7))


def _uri(rng: random.Random, template: Template) -> str:
    path = f"https://api.example.com/v1/{template.resource}"
    if template.form == "collection":
        return path + (f"?page={rng.randint(1, 9)}&per_page=50" if template.method == "GET" else "")
    path += "/" + _ident(rng, template.resource)
    if template.form == "sub":
        path += "/" + SUBS[template.number % len(SUBS)]
    return path


def _records(rng: random.Random, pool: tuple[str, ...], size: int) -> tuple[str, int]:
    per_record = max(1, sum(map(len, pool[:16])) // 16)
    count = max(1, size // per_record)
    return ", ".join(rng.choices(pool, k=count)), count


def _body(rng: random.Random, template: Template, pool: tuple[str, ...], status: int) -> str:
    if status == 404:
        return json.dumps({"detail": "Not Found", "code": "not_found"})
    if status == 422:
        field = rng.choice(["name", "email", "quantity", "currency"])
        error = {"loc": ["body", field], "msg": "field required", "type": "value_error.missing"}
        return json.dumps({"detail": [error]})
    size = int(1024 * 20 ** rng.random() ** 1.25)  # 1-20 KB of JSON, mostly small
    records, count = _records(rng, pool, size)
    if template.style == "list":
        return f"[{records}]"
    if template.style == "page":
        return f'{{"data": [{records}], "meta": {{"page": 1, "per_page": {count}, "next": null}}}}'
    record = rng.choice(pool)
    related = f'"related": [{records}]'
    return f"{{{related}}}" if record == "{}" else f"{record[:-1]}, {related}}}"


def _status(rng: random.Random, template: Template) -> int:
    roll = rng.random()
    if roll < 0.03:
        return 404 if template.form != "collection" else 422
    if roll < 0.06:
        return 422 if template.method == "POST" else 404
    return 201 if template.method == "POST" else 200


def _exchange(rng: random.Random, template: Template) -> Exchange:
    status = _status(rng, template)
    request_body = None
    if template.method == "POST":
        request_body = json.dumps({"name": synthetic._word(rng), "quantity": rng.randint(1, 9)})
    request_id = f"req-{rng.getrandbits(64):016x}"
    return Exchange(template.method, _uri(rng, template), status, request_id, request_body)


def _module(seed: int, module: int, count: int) -> tuple[str, list[int]]:
    """A test module's name and the templates its tests call (its own resource first)."""
    rng = random.Random(seed * 31 + module)
    home = module % len(RESOURCES)
    own = [home * 4 + offset for offset in range(4)]
    others = rng.sample(range(count), rng.randint(2, 6))
    return f"test_{RESOURCES[home]}_{module // len(RESOURCES):03d}", own + others


def cassette(
    seed: int, side: int, index: int, pool: int = POOL
) -> tuple[str, list[tuple[Exchange, str]]]:
    """File `index`: its path under the side's root and its interactions."""
    found = templates()
    name, usable = _module(seed, index // TESTS_PER_MODULE, len(found))
    rng = random.Random(seed * 1_000_003 + index)  # the same structure on both sides
    values = random.Random(f"{seed}-{side}-{index}")  # which pooled records: per side
    exchanges = []
    for _ in range(rng.randint(1, 5)):
        template = found[rng.choice(usable)]
        exchange = _exchange(rng, template)
        body_rng = random.Random(rng.getrandbits(64) ^ values.getrandbits(64))
        records = pool_of(seed, side, template.number, pool)
        body = _body(body_rng, template, records, exchange.status)
        exchanges.append((exchange, body))
    verb = {"GET": "get", "POST": "create"}[exchanges[0][0].method]
    test = f"test_{verb}_{index % TESTS_PER_MODULE:02d}"
    if index % 7 == 0:
        test += f"[case{index % 5}]"  # a parametrized test
    return f"cassettes/{name}/{test}.yaml", exchanges


def _write_range(root: str, seed: int, side: int, span: tuple[int, int], pool: int) -> int:
    written = 0
    for index in range(*span):
        relative, exchanges = cassette(seed, side, index, pool)
        if index % CHECK_EVERY == 0:
            cassette_text.check(exchanges)
        path = Path(root, relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = cassette_text.render(exchanges)
        path.write_text(text)
        written += len(text)
    return written


def write(
    base: Path, current: Path, seed: int, files: int, workers: int | None = None, pool: int = POOL
) -> None:
    """`files` cassettes a side, written by `workers` processes (all cores by default);
    `pool`: records per endpoint to draw bodies from (fewer: faster, for tests)."""
    workers = workers or os.cpu_count() or 1
    step = max(1, min(2000, files // (workers * 4) or 1))
    jobs = [
        (str(root), seed, side, (start, min(files, start + step)), pool)
        for side, root in enumerate((base, current))
        for start in range(0, files, step)
    ]
    if workers == 1:
        for job in jobs:
            _write_range(*job)
        return
    with ProcessPoolExecutor(workers) as executor:
        for future in [executor.submit(_write_range, *job) for job in jobs]:
            future.result()


def preset(files: int) -> Callable[[Path, Path, int], None]:
    return functools.partial(_write_preset, files)


def _write_preset(files: int, base: Path, current: Path, seed: int) -> None:
    write(base, current, seed, files)
