"""The plugin benchmark keeps working: a real pytest session and a real `driftcheck diff`
of the cassettes it generates, every figure printed with its target."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "plugin_bench.py"


@pytest.mark.slow
def test_the_plugin_benchmark_prints_every_figure(tmp_path: Path) -> None:
    command = [sys.executable, str(BENCH), "--out", str(tmp_path), "--calls", "30",
               "--nodes", "50", "600"]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    for figure in (
        "pytest session of 30 plugin calls",
        "plugin session cold",
        "<= ~2x diff cold",
        "plugin session warm",
        "<= ~2x diff warm",
        "e600",
        "per call flat in the contract's size",
    ):
        assert figure in output.stdout, output.stdout
    assert (tmp_path / ".driftcheck" / "cache").is_dir()
