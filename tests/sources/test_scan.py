"""Reading on a process pool with a content-keyed shape cache: same findings, every way."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from driftcheck.core.endpoints import group
from driftcheck.core.model import BodyKind, EndpointSet, Interaction
from driftcheck.core.shape import ShapeBuilder, flatten
from driftcheck.sources.cassettes import discover, load_all
from driftcheck.sources.scan import CHUNKS, Settings, _key, _pools, load, scan_file
from tests.helpers import CASSETTES, DRIFTS, OKTA, REPORTS, rewrite_cassette, run


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """Two folders of 40 real cassettes each, some of them drifted."""
    baseline, current = tmp_path / "baseline", tmp_path / "current"
    for folder in (baseline, current):
        folder.mkdir()
        for n in range(10):
            for source in sorted(CASSETTES.glob("*.yaml")):
                shutil.copyfile(source, folder / f"{n}-{source.name}")
    rewrite_cassette(REPORTS, current / f"3-{REPORTS.name}", DRIFTS["type changed"][0])
    rewrite_cassette(OKTA, current / f"7-{OKTA.name}", lambda body: {**body, "owner": "x"})
    return baseline, current


def report(pair: tuple[Path, Path], *flags: str) -> dict[str, object]:
    result = run("diff", str(pair[0]), str(pair[1]), "--format", "json", *flags)
    assert result.exit_code in (1, 2), result.output
    return json.loads(result.stdout)


def test_same_report_with_one_or_two_workers_and_with_or_without_cache(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    plain = report(pair, "--workers", "1", "--no-cache")
    rules = [f["rule"] for f in plain["findings"]]  # type: ignore[index]
    assert rules == ["type-widened", "field-added", "field-added"]
    assert report(pair, "--workers", "2", "--no-cache") == plain
    config = tmp_path / "driftcheck.toml"
    config.write_text(f'cache = "{cache}"\n')
    assert report(pair, "--workers", "2", "--config", str(config)) == plain  # cold: fills it
    entries = [json.loads(entry.read_bytes()) for entry in cache.rglob("*.json")]
    files = [entry for entry in entries if "interactions" in entry]
    runs = [entry for entry in entries if "files" in entry]
    assert len(files) == len(list(CASSETTES.glob("*.yaml"))) + 2  # one per distinct content
    assert len(runs) == 2 * 2 * CHUNKS  # a run of files per task, on both sides
    assert report(pair, "--workers", "2", "--config", str(config)) == plain  # warm: runs hit
    assert report(pair, "--workers", "1", "--config", str(config)) == plain  # files hit
    for entry in cache.rglob("*.json"):
        entry.write_bytes(entry.read_bytes()[:20])  # every entry damaged: all rebuilt
    assert report(pair, "--workers", "2", "--config", str(config)) == plain


def test_a_corrupt_entry_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    source = str(CASSETTES / "datadog_teams.yaml")
    cold = scan_file(source, cache)
    [entry] = list(cache.rglob("*.json"))
    entry.write_bytes(b'{"interactions": [{"m": 1')  # a half-written or damaged entry
    again = scan_file(source, cache)
    assert again == cold
    assert json.loads(entry.read_bytes())["interactions"]


@pytest.mark.parametrize(
    "rows",
    [
        [[3, "a", {"string": 1}, 0]],  # a row before its parent
        [[-1, None, ["string"], 0]],  # types that are not counts
        [],  # no rows at all
        "rows",
    ],
)
def test_a_run_entry_that_describes_no_shape_is_rebuilt(tmp_path: Path, rows: Any) -> None:
    """Valid JSON is not enough: a run entry whose shapes do not build is not used."""
    cache = tmp_path / "cache"
    paths = sorted(CASSETTES.glob("datadog_*.yaml"))
    first = load(paths, Settings(workers=1, cache=cache), across=True)
    damaged = 0
    for entry in cache.rglob("*.json"):
        data = json.loads(entry.read_bytes())
        if "leaders" in data:
            data["leaders"] = [[number, position, rows] for number, position, _ in data["leaders"]]
            entry.write_text(json.dumps(data))
            damaged += 1
    assert damaged == 1
    assert load(paths, Settings(workers=1, cache=cache), across=True) == first


def test_a_failed_cache_write_leaves_nothing_behind(tmp_path: Path) -> None:
    """An entry that cannot be renamed into place (here a directory is in the way) costs
    speed only: the result is the same and no temporary file is left in the cache."""
    cache = tmp_path / "cache"
    source = CASSETTES / "datadog_teams.yaml"
    key = _key(source.read_bytes())
    (cache / key[:2] / f"{key}.json").mkdir(parents=True)
    assert scan_file(str(source), cache) == scan_file(str(source))
    assert [path.name for path in (cache / key[:2]).iterdir()] == [f"{key}.json"]


def test_unreadable_files_are_cached_as_such(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    paths = [CASSETTES / "vcrpy_old_format.json", CASSETTES / "datadog_teams.yaml"]
    first = load(paths, Settings(workers=1, cache=cache))
    second = load(paths, Settings(workers=1, cache=cache))
    assert first == second
    assert first[1][0].message.startswith("pre-1.0 vcrpy cassette format")


def test_two_runs_can_share_a_cache(pair: tuple[Path, Path], tmp_path: Path) -> None:
    config = tmp_path / "driftcheck.toml"
    config.write_text(f'cache = "{tmp_path / "shared"}"\n')
    command = [
        sys.executable, "-m", "driftcheck", "diff", str(pair[0]), str(pair[1]),
        "--format", "json", "--config", str(config), "--workers", "2",
    ]  # fmt: skip
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in runs]
    assert [process.returncode for process in runs] == [2, 2]  # the junk files in the copies
    assert json.loads(outputs[0]) == json.loads(outputs[1]) == report(pair, "--no-cache")


@pytest.mark.parametrize("across", [False, True])
@pytest.mark.parametrize("workers", [1, 2])
def test_pooled_shapes_equal_shapes_inferred_body_by_body(
    pair: tuple[Path, Path], across: bool, workers: int
) -> None:
    """Bodies inferred per endpoint as one column, pooled over files, change no shape."""
    paths = discover([pair[1]])
    by_body = group(load_all(paths)[0])
    pooled, _ = load(paths, Settings(workers=workers), across=across)
    assert pooled_order(group(pooled)) == pooled_order(by_body)
    shaped = [i for i in pooled if i.shape is not None and i.shape.count]
    if across:  # ten copies of each file: one shape per endpoint, status and run of files
        assert len(shaped) < len(pooled) / 2


def pooled_order(endpoints: EndpointSet) -> list[tuple[str, int, list[str], Any]]:
    return [
        (name, status, [f.path for f in flatten(s.shape)] if s.shape else [], s.samples)
        for name, statuses in endpoints.endpoints.items()
        for status, s in statuses.items()
    ] + [endpoints]  # type: ignore[list-item]


def test_a_body_too_deep_to_infer_is_left_out_alone() -> None:
    """Bodies of one endpoint are inferred as a column; one too deep must not sink the rest."""
    deep: Any = 1
    for _ in range(1_100):
        deep = {"a": deep}
    bodies = [{"id": 1}, deep, {"id": 2, "name": "x"}]
    interactions = [
        Interaction("GET", "https://api.example.com/users", 200, "application/json",
                    BodyKind.JSON, body, index=n)
        for n, body in enumerate(bodies)
    ]  # fmt: skip
    (pool,) = _pools(interactions)
    assert pool.positions == [0, 2]
    assert isinstance(pool.shape, ShapeBuilder)
    shape = pool.shape.build()
    assert shape.count == 2
    assert dict(shape.keys["id"].types) == {"integer": 2}
    assert interactions[1].kind is BodyKind.UNREADABLE
    assert interactions[1].note == "JSON nested deeper than 1024 levels; body left out"
