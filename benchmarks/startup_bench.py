"""Start-up: `driftcheck --help` and a diff of two tiny cassettes, against the baseline
`python -c "import yaml, orjson"` measured in the same run (issue 16: within about 3x).

Each command is a fresh interpreter, as in CI. Rounds interleave every command, so
drift on a shared machine falls on both sides of a ratio alike; each figure is its best
round. One round first warms the disk cache and the shape cache and is not counted.
Both entry points are timed: `python -m driftcheck` and the console script.

    .venv/bin/python benchmarks/startup_bench.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET = 3.0  # x the baseline
BASELINE = 'python -c "import yaml, orjson"'
PASS = "python -c pass"

CASSETTE = """interactions:
- request:
    body: null
    headers:
      Accept: ['*/*']
    method: GET
    uri: https://api.example.com/users/{user}
  response:
    body:
      string: '{body}'
    headers:
      Content-Type: [application/json]
    status: {{code: 200, message: OK}}
version: 1
"""


def _write_cassettes(folder: Path) -> dict[str, Path]:
    """Two tiny cassettes of the same shape (other values: no DeepDiff), and one that drifts."""
    bodies = {
        "tiny1.yaml": '{"id": 1, "name": "ada", "email": null, "tags": ["a"]}',
        "tiny2.yaml": '{"id": 2, "name": "bob", "email": null, "tags": ["b", "c"]}',
        "drifted.yaml": '{"id": "2", "name": "bob", "tags": []}',
    }
    paths: dict[str, Path] = {}
    for name, body in bodies.items():
        path = folder / name
        path.write_text(CASSETTE.format(user=len(paths) + 1, body=body))
        paths[name] = path
    return paths


def _commands(python: str, paths: dict[str, Path]) -> list[tuple[str, list[str], bool]]:
    """(label, argv, held to the target) for every timed command."""
    script = Path(python).parent / "driftcheck"
    tiny = [str(paths["tiny1.yaml"]), str(paths["tiny2.yaml"])]
    drift = [str(paths["tiny1.yaml"]), str(paths["drifted.yaml"])]
    entries = [("python -m driftcheck", [python, "-m", "driftcheck"])]
    if script.is_file():
        entries.append(("driftcheck (console script)", [str(script)]))
    commands: list[tuple[str, list[str], bool]] = [
        (BASELINE, [python, "-c", "import yaml, orjson"], False),
        (PASS, [python, "-c", "pass"], False),
    ]
    for label, argv in entries:
        commands.append((f"{label} --help", [*argv, "--help"], True))
        commands.append((f"{label} diff tiny1 tiny2 --format json", [*argv, "diff", *tiny,
                         "--format", "json"], True))  # fmt: skip
    label, argv = entries[0]
    commands.append((f"{label} diff tiny1 drifted --format json", [*argv, "diff", *drift,
                     "--format", "json"], False))  # fmt: skip
    return commands


def _time(argv: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds, and the child's CPU seconds (user + system): on a loaded machine the
    wall time waits for a core, the CPU time much less so."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # 1: the drifted pair's finding
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="timed rounds (best counts)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="startup-bench-") as temporary:
        folder = Path(temporary)
        commands = _commands(sys.executable, _write_cassettes(folder))
        # Compiled modules, as an installed program has them: written by the first round
        # into a folder of the benchmark's own (PYTHONDONTWRITEBYTECODE would compile
        # every edited module on every run, and the repository is left untouched).
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(folder / "pycache")
        wall = {label: float("inf") for label, _, _ in commands}
        cpu = dict(wall)
        for round_ in range(args.rounds + 1):
            for label, argv, _ in commands:
                elapsed, used = _time(argv, folder, env)
                if round_:  # the first round only warms caches
                    wall[label], cpu[label] = min(wall[label], elapsed), min(cpu[label], used)
    _report(commands, wall, cpu, args.rounds)


def _report(
    commands: list[tuple[str, list[str], bool]],
    wall: dict[str, float],
    cpu: dict[str, float],
    rounds: int,
) -> None:
    print(f"start-up, best of {rounds} rounds, {os.cpu_count()} cores; a shared machine is noisy:")
    print("compare the ratios of one run, not seconds across runs")
    print(f"{'command':<58} {'wall ms':>8} {'x base':>7} {'cpu ms':>7} {'x base':>7} "
          f"{'x pass':>7}  target")  # fmt: skip
    for label, _, held in commands:
        ratios = (wall[label] / wall[BASELINE], cpu[label] / cpu[BASELINE])
        verdict = ("met" if max(ratios) <= TARGET else "MISSED") if held else ""
        target = f"<= {TARGET:.0f}x  {verdict}" if held else ""
        print(
            f"{label:<58} {wall[label] * 1000:>8.1f} {ratios[0]:>6.2f}x "
            f"{cpu[label] * 1000:>7.1f} {ratios[1]:>6.2f}x "
            f"{wall[label] / wall[PASS]:>6.2f}x  {target}"
        )
    print(f"x base: over the baseline, {BASELINE}; x pass: wall time over {PASS}.")
    print("The drifted pair also imports DeepDiff (only a diff whose shapes differ needs it):")
    print("shown, not held to the target.")


if __name__ == "__main__":
    main()
