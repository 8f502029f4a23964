"""`driftcheck diff` against the cost of parsing, GenSON and naive DeepDiff, side by side.

For each corpus pair (BASE, CURRENT) it measures, in the same run:

- the parse floor: `yaml.load(CSafeLoader)` + `json.loads` of every response body of
  both corpora, in this one process;
- `driftcheck diff BASE CURRENT --format json` cold (empty cache) and warm (the same
  cache again, nothing changed), on 2 workers, plus cold on 1 worker;
- peak memory: the largest process's max RSS and the whole process tree's peak;
- GenSON building a schema per endpoint from the same bodies, against driftcheck's
  inference of the same parsed bodies (one core each);
- naive DeepDiff of raw body pairs (BASE vs CURRENT, same file and position), timed on
  a sample and extrapolated by bytes;
- the findings of the report; on a `-maps` preset, whose sides differ only in the keys
  of maps keyed by ids and names, there must be none.

Targets are printed beside the figures. Nothing here is a test: machines are noisy.

    .venv/bin/python benchmarks/diff_bench.py                  # small preset + corpus
    .venv/bin/python benchmarks/diff_bench.py --preset medium --preset large
    .venv/bin/python benchmarks/diff_bench.py --preset medium-maps --no-corpus
    .venv/bin/python benchmarks/diff_bench.py --base A --current B   # any two folders
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).parent))
import synthetic

from driftcheck.core.endpoints import endpoint_key
from driftcheck.core.shape import infer_all
from driftcheck.sources.cassettes import discover

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
MB = 1024 * 1024


@dataclass
class Run:
    seconds: float
    max_rss: int  # bytes, largest single process
    tree_rss: int  # bytes, peak of the sum over the process tree
    output: bytes
    code: int


# ---------------------------------------------------------------- parse floor


def _responses(document: Any) -> Iterator[tuple[str, str, Any]]:
    """(method, uri, body text) of each interaction of a vcrpy-like document."""
    entries = document.get("interactions", []) if isinstance(document, dict) else []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        request, response = entry.get("request") or {}, entry.get("response") or {}
        body = response.get("body") if isinstance(response, dict) else None
        text = body.get("string") if isinstance(body, dict) else body
        if isinstance(request, dict):
            yield str(request.get("method", "GET")), str(request.get("uri", "")), text


def _load_file(path: Path) -> Any:
    data = path.read_bytes()
    try:
        return yaml.load(data, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        try:
            return json.loads(data)
        except ValueError:
            return None


def _json(text: Any) -> Any:
    if isinstance(text, bytes):
        try:
            text = text.decode()
        except UnicodeDecodeError:
            return None
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def floor(files: list[Path]) -> float:
    """Seconds to parse every file and every JSON body, plainly, in one process."""
    started = time.perf_counter()
    for path in files:
        for _, _, text in _responses(_load_file(path)):
            _json(text)
    return time.perf_counter() - started


# ---------------------------------------------------------------- driftcheck runs


def _tree_memory(root: int) -> tuple[int, int]:
    """`root` and its descendants: (sum of resident bytes now, largest process's peak).

    The peak is each process's own VmHWM. (`wait4`'s ru_maxrss is no good here: it
    keeps the high-water mark of the benchmark process the child was forked from.)
    Descendants are found through /proc/PID/task/TID/children, not by scanning every
    process: a sample costs a few reads, so the watcher does not steal a core's time
    from the run it measures.
    """
    total, largest, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            for task in os.scandir(f"/proc/{pid}/task"):
                stack.extend(map(int, Path(task.path, "children").read_text().split()))
        except OSError:
            continue  # gone meanwhile
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if "VmRSS" in fields:  # not a zombie
            total += int(fields["VmRSS"].split()[0]) * 1024
            largest = max(largest, int(fields["VmHWM"].split()[0]) * 1024)
    return total, largest


def driftcheck_diff(base: Path, current: Path, cache: Path | None, workers: int) -> Run:
    """One `driftcheck diff` in a fresh process, timed, with its memory watched."""
    command = [sys.executable, "-m", "driftcheck", "diff", str(base), str(current)]
    command += ["--format", "json", "--workers", str(workers)]
    if cache is None:
        command.append("--no-cache")
    env = {**os.environ, "DRIFTCHECK_CACHE": str(cache or "")}
    with tempfile.TemporaryDirectory() as folder:  # no driftcheck.toml is found from here
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE)
        tree = largest = 0
        done = threading.Event()

        def watch() -> None:
            nonlocal tree, largest
            while not done.wait(0.02):
                now, peak = _tree_memory(process.pid)
                tree, largest = max(tree, now), max(largest, peak)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        output, _ = process.communicate()
        seconds = time.perf_counter() - started
        done.set()
        watcher.join()
    return Run(seconds, largest, tree, output, process.returncode)


# ---------------------------------------------------------------- alternatives


def parsed_bodies(files: list[Path]) -> dict[str, list[Any]]:
    """JSON bodies by endpoint, as GenSON and driftcheck's inference both see them."""
    bodies: dict[str, list[Any]] = defaultdict(list)
    for path in files:
        for method, uri, text in _responses(_load_file(path)):
            value = _json(text)
            if value is not None:
                bodies[endpoint_key(method, uri)].append(value)
    return bodies


def genson_seconds(bodies: dict[str, list[Any]]) -> float:
    from genson import SchemaBuilder

    started = time.perf_counter()
    for values in bodies.values():
        builder = SchemaBuilder()
        for value in values:
            builder.add_object(value)
        builder.to_schema()
    return time.perf_counter() - started


def inference_seconds(bodies: dict[str, list[Any]]) -> float:
    started = time.perf_counter()
    for values in bodies.values():
        infer_all(values)
    return time.perf_counter() - started


def deepdiff_seconds(
    roots: tuple[Path, Path], base: list[Path], current: list[Path], budget: float
) -> tuple[float, str]:
    """Naive DeepDiff of raw body pairs (the same file under both roots): a sample timed,
    the rest extrapolated by bytes."""
    from deepdiff import DeepDiff

    pairs: list[tuple[int, Path, Path]] = []
    by_name = {p.relative_to(roots[1]): p for p in current}
    for path in base:
        other = by_name.get(path.relative_to(roots[0]))
        if other is not None:
            pairs.append((path.stat().st_size + other.stat().st_size, path, other))
    total = sum(size for size, _, _ in pairs)
    pairs.sort(key=lambda pair: pair[0])
    sample_bytes, spent, timed = 0, 0.0, 0
    for size, old, new in pairs[:: max(1, len(pairs) // 50)]:
        if spent > budget:
            break
        olds = [_json(t) for _, _, t in _responses(_load_file(old))]
        news = [_json(t) for _, _, t in _responses(_load_file(new))]
        started = time.perf_counter()
        for before, after in zip(olds, news, strict=False):
            DeepDiff(before, after)
        spent += time.perf_counter() - started
        sample_bytes += size
        timed += 1
    if not sample_bytes:
        return 0.0, "no file pairs"
    return spent * total / sample_bytes, f"{timed} of {len(pairs)} file pairs timed"


# ---------------------------------------------------------------- report


def _row(label: str, value: str, ratio: str = "", target: str = "", ok: bool | None = None) -> None:
    verdict = "" if ok is None else ("ok" if ok else "MISSED")
    print(f"  {label:<38} {value:>12} {ratio:>10}  {target:<22} {verdict}")


def _findings_row(output: bytes, clean: bool) -> None:
    """The report's findings by severity; `clean`: the corpus has no drift to find."""
    summary = json.loads(output or b"{}").get("summary", {})  # no output: the run failed
    counts = [summary.get(severity, "?") for severity in ("breaking", "warning", "info")]
    verdict = counts == [0, 0, 0] if clean else None
    target = "none (ids only differ)" if clean else ""
    _row("findings (breaking/warning/info)", "/".join(map(str, counts)), "", target, verdict)


def bench(
    name: str, base: Path, current: Path, args: argparse.Namespace, clean: bool = False
) -> None:
    base_files = discover([base])
    current_files = discover([current])
    files = base_files + current_files
    largest = max(p.stat().st_size for p in files)
    size = sum(p.stat().st_size for p in files)
    print(
        f"\n{name}: {len(base_files)} + {len(current_files)} files, {size / MB:.0f} MB, "
        f"largest cassette {largest / MB:.1f} MB"
    )
    # Rounds interleave every measurement, and each figure is its best round: on a shared
    # 2-core VM the same run varies by a third over minutes, and drift between rounds
    # then falls on the floor and on driftcheck alike.
    floors, colds, warms, uncacheds = [], [], [], []
    for _ in range(args.repeat):
        floors.append(floor(files))
        cache = Path(tempfile.mkdtemp(prefix="driftcheck-cache-"))
        try:
            colds.append(driftcheck_diff(base, current, cache, 2))
            warms.append(driftcheck_diff(base, current, cache, 2))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        uncacheds.append(driftcheck_diff(base, current, None, 2))
    single = driftcheck_diff(base, current, None, 1)
    floor_s = min(floors)
    cold, warm, uncached = (
        min(runs, key=lambda run: run.seconds) for runs in (colds, warms, uncacheds)
    )
    _row("parse floor (CSafeLoader + json.loads)", f"{floor_s:.2f} s", "1.00x")
    _row(
        "diff cold, 2 workers, cache written",
        f"{cold.seconds:.2f} s",
        f"{cold.seconds / floor_s:.2f}x",
        "<= 1.00x floor",
        cold.seconds <= floor_s,
    )
    _row(
        "diff cold, 2 workers, --no-cache",
        f"{uncached.seconds:.2f} s",
        f"{uncached.seconds / floor_s:.2f}x",
        "<= 1.00x floor",
        uncached.seconds <= floor_s,
    )
    _row(
        "diff cold, 1 worker, --no-cache",
        f"{single.seconds:.2f} s",
        f"{single.seconds / floor_s:.2f}x",
    )
    _row(
        "diff warm, 2 workers",
        f"{warm.seconds:.2f} s",
        f"{warm.seconds / floor_s:.2f}x",
        "<= 0.15x floor",
        warm.seconds <= 0.15 * floor_s,
    )
    runs = [*colds, *warms, *uncacheds, single]
    same = len({run.output for run in runs}) == 1
    _row("reports identical (cold/warm/1/2 workers)", "yes" if same else "NO", ok=same)
    _findings_row(cold.output, clean)
    budget = 250 * MB + 3 * largest
    largest_rss = max(run.max_rss for run in runs)
    peak = max(run.tree_rss for run in [*colds, *uncacheds])
    _row(
        "max RSS, largest process",
        f"{largest_rss / MB:.0f} MB",
        "",
        f"<= {budget / MB:.0f} MB",
        largest_rss <= budget,
    )
    _row(
        "peak RSS, process tree (2 workers)",
        f"{peak / MB:.0f} MB",
        "",
        f"<= {budget / MB:.0f} MB",
        peak <= budget,
    )
    _row("peak RSS, 1 worker", f"{single.tree_rss / MB:.0f} MB")
    if args.memory_only:
        return

    bodies = parsed_bodies(files)
    genson_s = genson_seconds(bodies)
    ours = inference_seconds(bodies)
    del bodies  # gigabytes of parsed JSON on the large preset
    _row("GenSON schema, same parsed bodies", f"{genson_s:.2f} s", "1.00x")
    _row(
        "driftcheck inference, same bodies",
        f"{ours:.2f} s",
        f"{ours / genson_s:.2f}x",
        "< 1.00x GenSON",
        ours < genson_s,
    )
    genson_total = floor_s + genson_s
    _row(
        "parse + GenSON vs diff cold",
        f"{genson_total:.2f} s",
        f"{uncached.seconds / genson_total:.2f}x",
        "< 1.00x",
        uncached.seconds < genson_total,
    )
    naive, how = deepdiff_seconds((base, current), base_files, current_files, args.deepdiff_budget)
    if not naive:
        _row("naive DeepDiff", how, ok=False)
    else:
        speedup = naive / uncached.seconds
        _row(
            f"naive DeepDiff ({how})",
            f"{naive:.1f} s",
            f"{speedup:.0f}x faster",
            ">= 50x",
            speedup >= 50,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", action="append", choices=sorted(synthetic.PRESETS))
    parser.add_argument("--base", type=Path, help="compare these two folders instead")
    parser.add_argument("--current", type=Path)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir(), "driftcheck-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds; each figure is its best round (3)"
    )
    parser.add_argument("--deepdiff-budget", type=float, default=20.0, help="seconds to sample")
    parser.add_argument("--memory-only", action="store_true")
    parser.add_argument("--no-corpus", action="store_true", help="skip ../shared/corpus")
    args = parser.parse_args()
    print(f"driftcheck diff benchmark; {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    if args.base and args.current:
        bench("given folders", args.base, args.current, args)
        return
    for preset in args.preset or ["small"]:
        base, current = synthetic.generate(args.out, preset, args.seed)
        clean = synthetic.PRESETS[preset].maps
        bench(f"synthetic {preset} (seed {args.seed})", base, current, args, clean)
    if CORPUS.is_dir() and not args.no_corpus:
        bench("../shared/corpus against itself", CORPUS, CORPUS, args)


if __name__ == "__main__":
    main()
