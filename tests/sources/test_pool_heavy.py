"""Runs holding a huge cassette are read one at a time on the pool, beside the others:
two at once would hold twice the memory one takes (issue 16: peak RSS within 250 MB +
3x the largest cassette for the whole run, not per process).

Each run's reader writes a marker and waits a moment for another run's marker: two
runs read at once see each other; runs read one at a time never do. A scan of two
real cassettes over the threshold is then compared with one worker's."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from driftcheck.sources import scan as scan_module
from driftcheck.sources.scan import Settings, scan_sides
from driftcheck.sources.workers import mark, read_all
from tests.helpers import REPORTS

WAIT = 1.0  # seconds a reader waits for another: a bound, never a measured duration


def _meets_another(paths: list[str], folder: str) -> bool:
    """Whether another run was being read while this one was."""
    mark(0)
    mine = Path(folder) / Path(paths[0]).name
    mine.touch()
    try:
        until = time.monotonic() + WAIT
        while time.monotonic() < until:
            if any(other != mine for other in Path(folder).iterdir()):
                return True
            time.sleep(0.01)
        return False
    finally:
        mine.unlink()


def _crashed(path: str, reason: str) -> bool:
    raise AssertionError(f"{path}: {reason}")


@pytest.mark.parametrize("heavy", [(), (0, 1, 2)], ids=["light", "heavy"])
def test_heavy_runs_are_read_one_at_a_time(tmp_path: Path, heavy: tuple[int, ...]) -> None:
    runs = [[f"run{number}"] for number in range(3)]
    met = read_all(_meets_another, runs, str(tmp_path), 2, _crashed, heavy=heavy)
    assert [len(results) for results in met] == [1, 1, 1]
    assert any(results[0] for results in met) is not bool(heavy)


def test_a_scan_with_heavy_files_finds_what_one_worker_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sides = []
    for side in ("old", "new"):
        folder = tmp_path / side
        folder.mkdir()
        for number in range(scan_module.SMALL // 2 + 1):  # enough files for a pool
            (folder / f"{number}.yaml").write_bytes(REPORTS.read_bytes())
        sides.append(sorted(str(path) for path in folder.iterdir()))
    monkeypatch.setattr(scan_module, "HEAVY_BYTES", 1)  # every file is heavy
    told: list[object] = []
    real = scan_module._chunks

    def chunks(paths: list[str], count: int, *more: list[int]) -> list[object]:
        found = real(paths, count, *more)
        told.extend(more)
        return list(found)

    monkeypatch.setattr(scan_module, "_chunks", chunks)
    pooled = scan_sides(sides, Settings(workers=2))
    assert told  # the pool was used, told each run's largest file
    assert all(size > 0 for sizes in told for size in sizes)
    alone = scan_sides(sides, Settings(workers=1))
    assert [side.census for side in pooled] == [side.census for side in alone]
    assert [side.shapes for side in pooled] == [side.shapes for side in alone]
