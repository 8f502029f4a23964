"""Recording throughput: 200 endpoints behind a local server that answers after 100 ms.

Prints wall time and its ratio to the ideal ceil(endpoints / concurrency) x latency
at concurrency 1, 8 and 16. The target is within 1.3x of ideal at concurrency 16.

    .venv/bin/python benchmarks/record_bench.py [--endpoints 200] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Response

from driftcheck.config import Endpoint
from driftcheck.demo.app import serving
from driftcheck.record.recorder import Settings, record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoints", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 16])
    args = parser.parse_args()

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        time.sleep(args.latency)
        body = '{"id": 1, "name": "Ada", "tags": ["a", "b"], "profile": {"age": 36}}'
        return Response(body, content_type="application/json")(environ, start_response)

    with serving(app) as base:
        run(base, args)


def run(base: str, args: argparse.Namespace) -> None:
    endpoints = tuple(
        Endpoint(name=f"e{n:03d}", url=f"{base}/e/{n}") for n in range(args.endpoints)
    )
    print(f"{args.endpoints} endpoints, {args.latency * 1000:.0f} ms latency")
    print(f"{'concurrency':>11}  {'wall s':>7}  {'ideal s':>7}  {'ratio':>6}  target")
    for concurrency in args.concurrency:
        with tempfile.TemporaryDirectory() as folder:
            started = time.perf_counter()
            outcomes = record(endpoints, Path(folder), Settings(timeout=10), concurrency)
            wall = time.perf_counter() - started
        failed = sum(1 for o in outcomes if o.error)
        ideal = math.ceil(args.endpoints / concurrency) * args.latency
        target = "<= 1.30" if concurrency == 16 else ""
        note = f"  ({failed} failed)" if failed else ""
        ratio = wall / ideal
        print(f"{concurrency:>11}  {wall:>7.2f}  {ideal:>7.2f}  {ratio:>6.2f}  {target}{note}")


if __name__ == "__main__":
    main()
