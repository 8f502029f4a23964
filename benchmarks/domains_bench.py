"""Value domains: `count_formats` + `enum_values` over every string column of a corpus's
JSON bodies, against `json.loads` of the same bodies (issue 17: within a few percent).

Each JSON body of every cassette is written back as JSON text (what a cassette holds)
and its string columns are gathered: the strings at one path, with the key holding them
(`[*]` items take their array's key). Columns are timed two ways: one column per body
(the most calls, as for a batch of one file) and one per endpoint and status over all its
bodies (the fewest, as for a large batch). Each figure is the best of the rounds.

    .venv/bin/python benchmarks/domains_bench.py [/work/shared/corpus] [--rounds 5]
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from driftcheck.core import domains, inference
from driftcheck.core.endpoints import endpoint_key
from driftcheck.core.model import BodyKind
from driftcheck.core.shape import ShapeBuilder
from driftcheck.errors import DriftcheckError
from driftcheck.sources.cassettes import discover, read_cassette

Column = tuple[str | None, list[str]]
READING = [0.0]  # seconds spent reading (parsing, decoding) the cassettes, once


def columns(body: Any, into: dict[str, Column]) -> None:
    """Add the string columns of one body to `into`, by path."""
    stack: list[tuple[Any, str, str | None]] = [(body, "$", None)]
    while stack:
        value, path, key = stack.pop()
        if isinstance(value, str):
            into.setdefault(path, (key, []))[1].append(value)
        elif isinstance(value, dict):
            stack.extend((item, f"{path}.{name}", name) for name, item in value.items())
        elif isinstance(value, list):
            stack.extend((item, f"{path}[*]", key) for item in value)


def corpus(
    folder: str,
) -> tuple[list[str], list[list[Column]], list[list[Column]], list[list[Any]]]:
    """The bodies as JSON text, their columns per body and per endpoint and status, and
    the bodies per endpoint and status."""
    texts: list[str] = []
    per_body: list[list[Column]] = []
    per_endpoint: dict[str, dict[str, Column]] = defaultdict(dict)
    bodies: dict[str, list[Any]] = defaultdict(list)
    for path in discover([folder]):
        start = time.perf_counter()
        try:
            cassette = read_cassette(path)
        except DriftcheckError:
            continue
        finally:
            READING[0] += time.perf_counter() - start
        for interaction in cassette.interactions:
            if interaction.kind is not BodyKind.JSON:
                continue
            texts.append(json.dumps(interaction.body))
            own: dict[str, Column] = {}
            columns(interaction.body, own)
            per_body.append(list(own.values()))
            endpoint = f"{endpoint_key(interaction.method, interaction.uri)} {interaction.status}"
            columns(interaction.body, per_endpoint[endpoint])
            bodies[endpoint].append(interaction.body)
    groups = [list(group.values()) for group in per_endpoint.values()]
    return texts, per_body, groups, list(bodies.values())


def best(rounds: int, work: Callable[[], object]) -> float:
    """The fastest of `rounds` runs of `work`, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def classify(groups: list[list[Column]]) -> None:
    for group in groups:
        for key, strings in group:
            domains.count_formats(strings)
            domains.enum_values(key, strings)


def infer(groups: list[list[Any]]) -> None:
    for bodies in groups:
        builder = ShapeBuilder()
        builder.add_values(bodies)
        builder.build()


def in_context(rounds: int, groups: list[list[Any]]) -> tuple[float, float]:
    """Inference of each endpoint's bodies with its value domains, and with them stubbed
    out (`Acc.add_strings` a no-op): what the domains cost where they run."""
    with_domains = best(rounds, lambda: infer(groups))
    real = inference.Acc.add_strings

    def skip(self: inference.Acc, key: str | None, strings: list[str]) -> None:
        return None

    inference.Acc.add_strings = skip  # type: ignore[method-assign]
    try:
        without = best(rounds, lambda: infer(groups))
    finally:
        inference.Acc.add_strings = real  # type: ignore[method-assign]
    return with_domains, without


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default="/work/shared/corpus")
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    texts, per_body, per_endpoint, bodies = corpus(options.folder)
    strings = sum(len(strings) for group in per_body for _, strings in group)
    size = sum(map(len, texts))
    print(f"{len(texts)} JSON bodies, {size / 1e6:.1f} MB, {strings} strings")
    loads = best(options.rounds, lambda: [json.loads(text) for text in texts])
    print(f"json.loads                       {loads * 1e3:8.1f} ms")
    for label, groups in (("per body", per_body), ("per endpoint", per_endpoint)):
        count = sum(map(len, groups))
        took = best(options.rounds, functools.partial(classify, groups))
        print(
            f"formats + enum {label:12} {count:6} columns {took * 1e3:8.1f} ms"
            f"  {took / loads:6.1%} of json.loads"
        )
    print(f"reading the cassettes (once)      {READING[0] * 1e3:8.1f} ms")
    with_domains, without = in_context(options.rounds, bodies)
    print(
        f"inference per endpoint: {with_domains * 1e3:.1f} ms with value domains, "
        f"{without * 1e3:.1f} ms without: +{with_domains / without - 1:.1%}; reading and "
        f"inferring: +{(with_domains - without) / (READING[0] + without):.1%}"
    )


if __name__ == "__main__":
    main()
