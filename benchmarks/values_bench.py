"""What the rules on values and headers cost (issue 17: at most 5 % of a cold `diff`).

A cold `diff` (no cache, one worker, in this process so the switch reaches the worker)
is run with the value domains and header counting as they are, and with both stubbed out
(`Acc.add_strings`, `HeaderTally.add`: nothing counted), in interleaved rounds, so a
shared machine's drift falls on both alike; each figure is the best round's CPU time
(this process and its workers). The comparison itself (signatures, rules) is included in
both: it is a few shapes per endpoint.

    .venv/bin/python benchmarks/values_bench.py [--preset medium] [--rounds 3]
    .venv/bin/python benchmarks/values_bench.py --base A --current B
"""

from __future__ import annotations

import argparse
import resource
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import synthetic

from driftcheck.core import headers, inference
from driftcheck.run.diff import diff_paths
from driftcheck.run.scope import Scope
from driftcheck.sources.scan import Settings

TARGET = 1.05  # x the run without the value domains and headers


def _cpu() -> float:
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _stub_strings(self: inference.Acc, key: str | None, strings: list[str]) -> None:
    """No value domain counted."""


def _stub_headers(self: headers.HeaderTally, given: Any, recorded_at: float | None = None) -> None:
    self.samples += 1  # the count codecs check, nothing else


_REAL: dict[str, Callable[..., Any]] = {
    "strings": inference.Acc.add_strings,
    "headers": headers.HeaderTally.add,
}


def _switch(on: bool) -> None:
    inference.Acc.add_strings = _REAL["strings"] if on else _stub_strings  # type: ignore[method-assign]
    headers.HeaderTally.add = _REAL["headers"] if on else _stub_headers  # type: ignore[method-assign,assignment]


def measure(base: Path, current: Path, rounds: int) -> tuple[float, float]:
    """Best CPU seconds without and with the value domains and headers."""
    best = {False: float("inf"), True: float("inf")}
    scope = Scope(reading=Settings(workers=1, cache=None))
    for _ in range(rounds):
        for on in (False, True):
            _switch(on)
            start = _cpu()
            diff_paths(base, current, scope)
            best[on] = min(best[on], _cpu() - start)
    _switch(True)
    return best[False], best[True]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="medium", choices=synthetic.NAMES)
    parser.add_argument("--base", type=Path)
    parser.add_argument("--current", type=Path)
    parser.add_argument("--out", type=Path, default=Path("/tmp/driftcheck-bench"))
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.base and args.current:
        base, current, label = args.base, args.current, "given folders"
    else:
        base, current = synthetic.generate(args.out, args.preset, 1)
        label = f"synthetic {args.preset}"
    without, with_values = measure(base, current, args.rounds)
    ratio = with_values / without
    verdict = "ok" if ratio <= TARGET else "MISSED"
    print(f"{label}: cold diff, 1 worker, CPU time, best of {args.rounds}")
    print(f"  without value domains and headers  {without:8.2f} s")
    print(f"  with them (as shipped)             {with_values:8.2f} s")
    print(f"  ratio {ratio:.3f}x  <= {TARGET:.2f}x  {verdict}")
    sys.exit(0)


if __name__ == "__main__":
    main()
