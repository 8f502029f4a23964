"""The pytest plugin against `driftcheck diff` of the same cassettes, in one run.

Generates a project with three endpoints whose contracts have about 50, 5,000 and
250,000 shape nodes (`--nodes`), runs a real pytest session (a subprocess) of 300
`assert_matches_contract` calls spread over them, and one `driftcheck diff` of the
same cassettes (config mode: they are read once), cold (no shape cache) and warm,
interleaved, best of `--repeat`. Prints each ratio with its target (<= ~2x) beside it,
also less pytest's own start-up (its plugins: hypothesis alone is about a second here),
and the cost of one call by contract size, beside what it cost before (the whole
contract flattened, its coverage computed, on every call).

    .venv/bin/python benchmarks/plugin_bench.py [--calls 300] [--nodes 50 5000 250000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

HOST = "https://api.example.com"
TARGET = 2.0  # 300 calls cost at most about twice one diff
FLAT = "per call flat in the contract's size"
SECTION_KEYS = 50  # keys of one section of a large contract

TESTS = """
import json
import time
from pathlib import Path

import pytest

PAYLOADS = json.loads(Path("payloads.json").read_text())
ENDPOINTS = sorted(PAYLOADS)
TIMES = {name: [] for name in ENDPOINTS}


def _timed(check, payload, name):
    started = time.perf_counter()
    try:
        check(payload, name)
    finally:
        TIMES[name].append(time.perf_counter() - started)


@pytest.mark.parametrize("n", range(ROUNDS))
def test_mocks(assert_matches_contract, n):
    for name in ENDPOINTS:
        good, drifted = PAYLOADS[name]
        if n % 2:
            with pytest.raises(pytest.fail.Exception):
                _timed(assert_matches_contract, drifted, name)
        else:
            _timed(assert_matches_contract, good, name)


def test_zz_write_times():
    Path("times.json").write_text(json.dumps(TIMES))
"""


KINDS = (0, 1, 2, 0, 1, 2, 3, 0, 1, 4)  # a section of 50 keys has about 70 shape nodes


def _value(rng: random.Random, kind: int, depth: int) -> Any:
    if kind == 0:
        return rng.randint(0, 10**6)
    if kind == 1:
        return "".join(rng.choices("abcdefghij", k=8))
    if kind == 2:
        return rng.random() < 0.5
    if kind == 3:
        return [rng.randint(0, 9) for _ in range(3)]
    return {"code": rng.randint(0, 99), "label": "x", "depth": depth}


def _section(rng: random.Random, group: int, number: int, keys: int) -> dict[str, Any]:
    """One section: its own key names (sections differ, so no map is seen)."""
    return {f"s{group}_{number}_f{k}": _value(rng, KINDS[k % 10], k) for k in range(keys)}


def _layout(nodes: int) -> tuple[int, int, int]:
    """Groups, sections per group and keys per section for a contract of about `nodes`:
    a tree about as wide as deep, so a mock of one section reaches few keys of it."""
    if nodes < 300:
        return 1, 1, max(1, (nodes - 5) * 10 // 14)
    side = max(1, round((nodes / (SECTION_KEYS * 1.4)) ** 0.5))
    return side, side, SECTION_KEYS


def _bodies(rng: random.Random, nodes: int) -> list[dict[str, Any]]:
    """Two full bodies; one with the first section of each group only; one with `id` and
    `name` only: groups and most sections are optional, so a mock may hold one."""
    groups, sections, keys = _layout(nodes)

    def full() -> dict[str, Any]:
        body: dict[str, Any] = {"id": rng.randint(1, 10**6), "name": "thing"}
        for g in range(groups):
            body[f"g{g}"] = {f"s{g}_{n}": _section(rng, g, n, keys) for n in range(sections)}
        return body

    firsts = {f"g{g}": {f"s{g}_0": _section(rng, g, 0, keys)} for g in range(groups)}
    return [full(), full(), {"id": 2, "name": "few", **firsts}, {"id": 1, "name": "bare"}]


def _payloads(rng: random.Random, nodes: int) -> list[Any]:
    _, _, keys = _layout(nodes)
    good = {"id": 7, "name": "mock", "g0": {"s0_0": _section(rng, 0, 0, keys)}}
    return [good, {**good, "id": "7", "unheard_of": True}]


def _interaction(uri: str, body: Any) -> dict[str, Any]:
    text = json.dumps(body)
    return {
        "request": {"body": None, "headers": {}, "method": "GET", "uri": uri},
        "response": {
            "body": {"string": text},
            "headers": {"Content-Type": ["application/json"]},
            "status": {"code": 200, "message": "OK"},
        },
    }


def generate(folder: Path, nodes: list[int], calls: int, seed: int = 1) -> list[str]:
    """A project: config, one cassette per endpoint, the payloads (a good one and a
    drifted one per endpoint) and the test module."""
    rng = random.Random(seed)
    names = [f"e{count}" for count in nodes]
    config = ['cassettes = "cassettes"', 'not_maps = ["$", "$.*", "$.*.*"]']
    payloads = {}
    for name, count in zip(names, nodes, strict=True):
        uri = f"{HOST}/{name}"
        interactions = [_interaction(uri, body) for body in _bodies(rng, count)]
        path = folder / "cassettes" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        cassette = {"interactions": interactions, "version": 1}
        path.write_text(yaml.dump(cassette, Dumper=yaml.CSafeDumper))
        config += ["", "[[endpoints]]", f'name = "{name}"', f'url = "{uri}"']
        payloads[name] = _payloads(rng, count)
    (folder / "driftcheck.toml").write_text("\n".join(config) + "\n")
    (folder / "payloads.json").write_text(json.dumps(payloads))
    rounds = max(1, calls // len(names))
    (folder / "test_plugin_calls.py").write_text(TESTS.replace("ROUNDS", str(rounds)))
    return names


def _timed(command: list[str], folder: Path) -> float:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.perf_counter()
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall


def _session(folder: Path, *extra: str) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p",
               "no:cacheprovider", *extra, "test_plugin_calls.py"]  # fmt: skip
    return _timed(command, folder)


def _diff(folder: Path) -> float:
    driftcheck = Path(sys.executable).with_name("driftcheck")
    return _timed([str(driftcheck), "diff", "--format", "json", "-o", os.devnull], folder)


def _cold(folder: Path) -> None:
    shutil.rmtree(folder / ".driftcheck", ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--nodes", type=int, nargs="+", default=[50, 5_000, 250_000])
    parser.add_argument("--repeat", type=int, default=1, help="best of N for each figure")
    parser.add_argument("--out", type=Path, help="project folder (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.out or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        names = generate(folder, args.nodes, args.calls)
        run(folder, names, args)


def run(folder: Path, names: list[str], args: argparse.Namespace) -> None:
    rounds: dict[str, list[float]] = {
        "diff cold": [], "cold": [], "diff warm": [], "warm": [], "start-up": []
    }  # fmt: skip
    for _ in range(args.repeat):  # interleaved, so a busy minute weighs on both sides
        rounds["start-up"].append(_session(folder, "--collect-only"))
        _cold(folder)
        rounds["diff cold"].append(_diff(folder))
        _cold(folder)
        rounds["cold"].append(_session(folder))
        rounds["diff warm"].append(_diff(folder))
        rounds["warm"].append(_session(folder))
    diff_cold, session_cold, diff_warm, session_warm, start = (min(t) for t in rounds.values())
    times = json.loads((folder / "times.json").read_text())
    calls = sum(len(times[name]) for name in names)
    print(f"pytest session of {calls} plugin calls against `driftcheck diff` (config mode)")
    print(f"{'figure':<36} {'seconds':>8} {'ratio':>7}  target")
    print(f"{'pytest start-up (--collect-only)':<36} {start:>8.2f}")
    for label, session, diff in (
        ("cold", session_cold, diff_cold),
        ("warm", session_warm, diff_warm),
    ):
        print(f"{f'diff {label}':<36} {diff:>8.2f}")
        print(f"{f'plugin session {label}':<36} {session:>8.2f} {session / diff:>6.2f}x"
              f"  <= ~{TARGET:.0f}x diff {label}")  # fmt: skip
        calls_only = session - start
        print(f"{'  less pytest start-up':<36} {calls_only:>8.2f} {calls_only / diff:>6.2f}x"
              f"  <= ~{TARGET:.0f}x diff {label}")  # fmt: skip
    print()
    print(f"{'contract':<10} {'nodes':>8} {'first call ms':>14} {'per call ms':>12} "
          f"{'unindexed ms':>13} {'paths indexed':>14}  target")  # fmt: skip
    for name, (nodes, before, indexed) in zip(names, _reference(folder, names), strict=True):
        first, *rest = times[name]
        median = statistics.median(rest) if rest else first
        print(f"{name:<10} {nodes:>8} {first * 1000:>14.1f} {median * 1000:>12.2f} "
              f"{before * 1000:>13.1f} {indexed:>14}  {FLAT}")  # fmt: skip
    print("(first call: the first on that endpoint; the session's first also reads the")
    print(" recordings. unindexed: the whole contract flattened and its coverage computed")
    print(" on every call, as before; paths indexed: what 100 calls put in the path table)")


def _reference(folder: Path, names: list[str]) -> list[tuple[int, float, int]]:
    """Per contract: its shape nodes, a call as it cost before (`compare_fixtures` of the
    whole contract, kept to the per-payload rules), and the paths 100 calls index."""
    from driftcheck.config import load_config
    from driftcheck.core.fixture_check import PER_PAYLOAD_RULES, compare_fixtures
    from driftcheck.core.model import Fixture
    from driftcheck.core.payload_check import PayloadCheck
    from driftcheck.core.shape import flatten
    from driftcheck.run.mocks_payload import Contracts
    from driftcheck.run.recordings import Recordings
    from driftcheck.sources.scan import Settings

    config = load_config(folder / "driftcheck.toml", require_env=False)
    contracts = Contracts(config, Recordings(config, Settings(cache=config.cache)))
    payloads = json.loads((folder / "payloads.json").read_text())
    found = []
    for name in names:
        contract = contracts.contract(name, 200)
        good, drifted = payloads[name]
        started = time.perf_counter()
        for payload in (good, drifted):
            fixture = Fixture(payload, "payload", 0, "payload")
            [f for f in compare_fixtures(contract, [fixture]) if f.rule in PER_PAYLOAD_RULES]
        before = (time.perf_counter() - started) / 2
        check = PayloadCheck(contract)
        for payload in (good, drifted) * 50:
            check.findings(payload)
        found.append((sum(1 for _ in flatten(contract.shape)), before, check.indexed))
    return found


if __name__ == "__main__":
    main()
