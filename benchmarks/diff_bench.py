"""`driftcheck diff` against the cost of parsing, GenSON and naive DeepDiff, side by side.

For each corpus pair (BASE, CURRENT) it measures, in the same run:

- the parse floor: `yaml.load(CSafeLoader)` + `json.loads` of every response body of
  both corpora, in this one process;
- `driftcheck diff BASE CURRENT --format json` cold (empty cache) and warm (the same
  cache again, nothing changed), on 2 workers, plus cold on 1 worker;
- peak memory: the largest process's max RSS, the main process's own (2 workers,
  cold) and the whole process tree's peak;
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
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
import synthetic
from bench_process import Run, driftcheck_diff, floor_main, floor_process, parse_json, responses

from driftcheck.core.endpoints import endpoint_key
from driftcheck.core.shape import infer_all
from driftcheck.sources.cassettes import discover

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
MB = 1024 * 1024


# ---------------------------------------------------------------- alternatives


def parsed_bodies(files: list[Path]) -> dict[str, list[Any]]:
    """JSON bodies by endpoint, as GenSON and driftcheck's inference both see them."""
    bodies: dict[str, list[Any]] = defaultdict(list)
    for path in files:
        for method, uri, text in responses(path):
            value = parse_json(text)
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
        olds = [parse_json(t) for _, _, t in responses(old)]
        news = [parse_json(t) for _, _, t in responses(new)]
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


def _time_rows(floor_s: float, cold: Run, uncached: Run, single: Run, warm: Run) -> None:
    _row("parse floor (CSafeLoader + json.loads)", f"{floor_s:.2f} s", "1.00x")
    for label, run, target in (
        ("diff cold, 2 workers, cache written", cold, 1.0),
        ("diff cold, 2 workers, --no-cache", uncached, 1.0),
        ("diff cold, 1 worker, --no-cache", single, None),
        ("diff warm, 2 workers", warm, 0.15),
    ):
        ratio = run.seconds / floor_s
        aim = "" if target is None else f"<= {target:.2f}x floor"
        ok = None if target is None else ratio <= target
        shown = f"{ratio:.2f}x" if ratio >= 0.1 else f"{ratio:.3f}x"  # warm runs: 0.004x
        _row(label, f"{run.seconds:.2f} s", shown, aim, ok)


def _memory_rows(runs: list[Run], two_workers: list[Run], single: Run, largest: int) -> None:
    """Peak RSS against 250 MB + 3x the largest cassette, with the ratio to that limit.
    The main process's own peak is printed apart from the workers': it holds per-endpoint
    aggregates only, so it must stay flat however many files there are (issue 16)."""
    budget = 250 * MB + 3 * largest
    aim = f"<= {budget / MB:.0f} MB"
    for label, rss in (
        ("max RSS, largest process", max(run.max_rss for run in runs)),
        ("peak RSS, main process (2 workers)", max(run.main_rss for run in two_workers)),
        ("peak RSS, process tree (2 workers)", max(run.tree_rss for run in two_workers)),
        ("peak RSS, process tree (1 worker)", single.tree_rss),
    ):
        _row(label, f"{rss / MB:.0f} MB", f"{rss / budget:.2f}x", aim + " (1.00x)", rss <= budget)


def _identical_row(runs: dict[str, Run], which: str = "cold/warm/1/2 workers") -> None:
    """Reports must be byte-identical; when not, each kind of report is kept in a folder
    and the runs that wrote it are named, so the difference can be looked at."""
    failed = [f"{label}: {run.code}" for label, run in runs.items() if run.code not in (0, 1)]
    if failed:
        _row("runs failed, exit codes", "; ".join(failed), ok=False)
    kinds: dict[bytes, list[str]] = defaultdict(list)
    for label, run in runs.items():
        kinds[run.output].append(label)
    _row(f"reports identical ({which})", "yes" if len(kinds) == 1 else "NO", ok=len(kinds) == 1)
    if len(kinds) > 1:
        folder = Path(tempfile.mkdtemp(prefix="driftcheck-reports-"))
        for number, (output, labels) in enumerate(kinds.items()):
            (folder / f"report-{number}.json").write_bytes(output)
            print(f"    {folder}/report-{number}.json: {', '.join(labels)}")


def _timed(base: Path, current: Path, repeat: int) -> tuple[float, list[Run], list[Run], list[Run]]:
    """Rounds that interleave every measurement; each figure is then its best round: on a
    shared 2-core VM the same run varies by a third over minutes, and drift between
    rounds falls on the floor and on driftcheck alike."""
    floors, colds, warms, uncacheds = [], [], [], []
    for _ in range(repeat):
        seconds, floor_run = floor_process(base, current)
        floors.append(seconds)
        print(f"  (parse floor's own process: peak RSS {floor_run.max_rss / MB:.0f} MB)")
        cache = Path(tempfile.mkdtemp(prefix="driftcheck-cache-"))
        try:
            colds.append(driftcheck_diff(base, current, cache, 2))
            warms.append(driftcheck_diff(base, current, cache, 2))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        uncacheds.append(driftcheck_diff(base, current, None, 2))
    return min(floors), colds, warms, uncacheds


def bench(
    name: str, base: Path, current: Path, args: argparse.Namespace, clean: bool = False
) -> None:
    base_files = discover([base])
    current_files = discover([current])
    files = base_files + current_files
    sizes = [p.stat().st_size for p in files]
    largest = max(sizes)
    print(
        f"\n{name}: {len(base_files)} + {len(current_files)} files, {sum(sizes) / MB:.0f} MB, "
        f"largest cassette {largest / MB:.1f} MB, RSS limit 250 MB + 3 x largest = "
        f"{(250 * MB + 3 * largest) / MB:.0f} MB"
    )
    if args.memory_only:  # one cold run on two workers and one on one: no floor, no cache
        uncached = driftcheck_diff(base, current, None, 2)
        single = driftcheck_diff(base, current, None, 1)
        _row("diff cold, 2 workers, --no-cache", f"{uncached.seconds:.2f} s")
        _row("diff cold, 1 worker, --no-cache", f"{single.seconds:.2f} s")
        _identical_row({"cold, 2 workers": uncached, "cold, 1 worker": single}, "cold, 1/2 workers")
        _findings_row(uncached.output, clean)
        _memory_rows([uncached, single], [uncached], single, largest)
        return
    floor_s, colds, warms, uncacheds = _timed(base, current, args.repeat)
    single = driftcheck_diff(base, current, None, 1)
    cold, warm, uncached = (
        min(runs, key=lambda run: run.seconds) for runs in (colds, warms, uncacheds)
    )
    _time_rows(floor_s, cold, uncached, single, warm)
    runs = [*colds, *warms, *uncacheds, single]
    labelled = {"cold, 1 worker, --no-cache": single}
    for kind, done in (
        ("cold, cache written", colds),
        ("warm", warms),
        ("cold, --no-cache", uncacheds),
    ):
        labelled.update({f"{kind}, 2 workers, round {n + 1}": run for n, run in enumerate(done)})
    _identical_row(labelled)
    _findings_row(cold.output, clean)
    _memory_rows(runs, [*colds, *uncacheds], single, largest)
    if not args.alternatives:
        print("  (GenSON and naive DeepDiff skipped: they hold every parsed body at once)")
        return
    _alternatives((base, current), (base_files, current_files), floor_s, uncached, args)


def _alternatives(
    roots: tuple[Path, Path],
    files: tuple[list[Path], list[Path]],
    floor_s: float,
    uncached: Run,
    args: argparse.Namespace,
) -> None:
    """GenSON and naive DeepDiff on the same bodies (all held in memory at once)."""
    bodies = parsed_bodies(files[0] + files[1])
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
    naive, how = deepdiff_seconds(roots, files[0], files[1], args.deepdiff_budget)
    if not naive:
        _row("naive DeepDiff", how, ok=False)
        return
    speedup = naive / uncached.seconds
    faster = f"{speedup:.0f}x faster"
    _row(f"naive DeepDiff ({how})", f"{naive:.1f} s", faster, ">= 50x", speedup >= 50)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", action="append", choices=synthetic.NAMES)
    parser.add_argument("--base", type=Path, help="compare these two folders instead")
    parser.add_argument("--current", type=Path)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir(), "driftcheck-bench"))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds; each figure is its best round (3)"
    )
    parser.add_argument("--deepdiff-budget", type=float, default=20.0, help="seconds to sample")
    parser.add_argument(
        "--memory-only", action="store_true", help="one cold run on 2 workers and one on 1"
    )
    parser.add_argument(
        "--no-alternatives", dest="alternatives", action="store_false", help="skip GenSON, DeepDiff"
    )
    parser.add_argument("--no-corpus", action="store_true", help="skip ../shared/corpus")
    parser.add_argument("--floor-of", nargs=2, type=Path, help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # figures as they come
    if args.floor_of:  # the parse floor's own process (bench_process.floor_process)
        floor_main(*args.floor_of)
        return
    print(f"driftcheck diff benchmark; {os.cpu_count()} cores; Python {sys.version.split()[0]}")
    if args.base and args.current:
        bench("given folders", args.base, args.current, args)
        return
    names = [n for p in args.preset or ["small"] for n in synthetic.GROUPS.get(p, [p])]
    for preset in names:
        base, current = synthetic.generate(args.out, preset, args.seed)
        clean = preset in synthetic.PRESETS and synthetic.PRESETS[preset].maps
        scale = argparse.Namespace(**{**vars(args), "alternatives": False})
        options = scale if preset in synthetic.SCALE else args  # bodies too many to hold
        bench(f"synthetic {preset} (seed {args.seed})", base, current, options, clean)
    if CORPUS.is_dir() and not args.no_corpus:
        bench("../shared/corpus against itself", CORPUS, CORPUS, args)


if __name__ == "__main__":
    main()
