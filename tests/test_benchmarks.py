"""The benchmark scripts keep working: a deterministic corpus, and every figure printed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

import synthetic  # noqa: E402


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.yaml"))}


@pytest.mark.slow
def test_the_synthetic_corpus_is_deterministic_and_drifts(tmp_path: Path) -> None:
    base, current = synthetic.generate(tmp_path / "a", "tiny")
    again, _ = synthetic.generate(tmp_path / "b", "tiny")
    assert _tree(base) == _tree(again)  # same preset and seed: byte-identical
    assert _tree(base).keys() == _tree(current).keys()  # CURRENT re-records the same files
    assert _tree(base) != _tree(current)
    other, _ = synthetic.generate(tmp_path / "c", "tiny", seed=2)
    assert _tree(other) != _tree(base)


@pytest.mark.slow
def test_the_diff_benchmark_prints_every_figure(tmp_path: Path) -> None:
    base, current = synthetic.generate(tmp_path, "tiny")
    command = [
        sys.executable, str(BENCHMARKS / "diff_bench.py"), "--base", str(base),
        "--current", str(current), "--deepdiff-budget", "0.5", "--repeat", "1",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    for figure in (
        "parse floor",
        "diff cold, 2 workers, cache written",
        "diff cold, 2 workers, --no-cache",
        "diff cold, 1 worker",
        "diff warm, 2 workers",
        "reports identical (cold/warm/1/2 workers)          yes",
        "max RSS, largest process",
        "peak RSS, process tree",
        "GenSON schema",
        "driftcheck inference",
        "naive DeepDiff",
    ):
        assert figure in output.stdout, output.stdout
    assert "<= 0.15x floor" in output.stdout
    assert ">= 50x" in output.stdout
