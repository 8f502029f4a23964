"""Reading on a process pool with a content-keyed shape cache: same findings, every way."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from driftcheck.config import load_config
from driftcheck.core.endpoints import Names, endpoint_key, group
from driftcheck.core.maps import Declared
from driftcheck.core.matchers import Matcher
from driftcheck.core.model import BodyKind, EndpointSet, Interaction, Outcome
from driftcheck.core.shape import flatten
from driftcheck.core.staleness import Age
from driftcheck.run import check as check_run
from driftcheck.run import recordings as recordings_run
from driftcheck.run.scope import Scope
from driftcheck.sources.cassettes import discover, load_all
from driftcheck.sources.file_shapes import echoed, infer_bodies
from driftcheck.sources.scan import (
    Scanned,
    Settings,
    scan,
    scan_file,
)
from tests.helpers import CASSETTES, DRIFTS, OKTA, REPORTS, TEAMS, rewrite_cassette, run


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
    runs = [entry for entry in entries if "files" in entry]
    cached = sorted(path for run in runs for path, _, _ in run["files"])
    assert cached == sorted(str(path) for path in discover(list(pair)))  # no file twice
    kinds = {"files", "shapes", "key", "sum"}, {"entry", "key", "sum"}  # a batch, an alias
    assert all(set(entry) in kinds for entry in entries)
    assert report(pair, "--workers", "2", "--config", str(config)) == plain  # warm: runs hit
    assert report(pair, "--workers", "1", "--config", str(config)) == plain  # the same
    for entry in cache.rglob("*.json"):
        entry.write_bytes(entry.read_bytes()[:20])  # every entry damaged: all rebuilt
    assert report(pair, "--workers", "2", "--config", str(config)) == plain


def test_a_corrupt_entry_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    source = str(CASSETTES / "datadog_teams.yaml")
    cold = scan_file(source, cache)
    [entry] = [entry for entry in cache.rglob("*.json") if b'"files"' in entry.read_bytes()]
    entry.write_bytes(b'{"interactions": [{"m": 1')  # a half-written or damaged entry
    again = scan_file(source, cache)
    assert again == cold
    assert json.loads(entry.read_bytes())["files"][0][2]


def _rows(rows: Any) -> Callable[[dict[str, Any]], None]:
    def damage(entry: dict[str, Any]) -> None:
        entry["shapes"] = [
            [endpoint, status, day, rows] for endpoint, status, day, _ in entry["shapes"]
        ]

    return damage


def _interaction(change: Callable[[list[Any]], None]) -> Callable[[dict[str, Any]], None]:
    def damage(entry: dict[str, Any]) -> None:
        change(entry["files"][0][2][0])

    return damage


def _other_files(entry: dict[str, Any]) -> None:
    if len(entry["files"]) > 1:
        entry["files"].reverse()
    else:
        entry["files"][0][1] = 3


DAMAGES = {
    "a row before its parent": _rows([[-1, None, {"object": 1}, 0], [3, "a", {"string": 1}, 0]]),
    "types that are not counts": _rows([[-1, None, ["string"], 0]]),
    "counts that are not numbers": _rows([[-1, None, {"string": "1"}, 0]]),
    "a row of three fields": _rows([[-1, None, {"string": 1}]]),
    "no rows at all": _rows([]),
    "rows that are a string": _rows("rows"),
    "a status that is text": _interaction(lambda row: row.__setitem__(2, "200")),
    "a body kind that does not exist": _interaction(lambda row: row.__setitem__(4, "yaml")),
    "an interaction of two fields": _interaction(lambda row: row.__delitem__(slice(2, None))),
    "other files, or an error that is no message": _other_files,
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=list(DAMAGES))
def test_an_entry_that_describes_other_data_is_rebuilt(
    tmp_path: Path, damage: Callable[[dict[str, Any]], None]
) -> None:
    """Valid JSON is not enough: an entry whose shapes or interactions are not what a scan
    gives is not used (it would crash or mislead later), but read again and rewritten."""
    cache = tmp_path / "cache"
    paths = sorted(CASSETTES.glob("datadog_*.yaml"))
    first = scan(paths, Settings(workers=1, cache=cache))
    written = {entry: entry.read_bytes() for entry in cache.rglob("*.json")}
    assert written
    for entry in written:
        data = json.loads(entry.read_bytes())
        if "files" not in data:
            continue  # an alias, naming the entry by its files' stat
        damage(data)
        entry.write_text(json.dumps(data))
    assert scan(paths, Settings(workers=1, cache=cache)) == first
    assert {entry: entry.read_bytes() for entry in cache.rglob("*.json")} == written


def test_a_failed_cache_write_leaves_nothing_behind(tmp_path: Path) -> None:
    """An entry that cannot be written (here the cache folder is a file, so no folder can
    be made in it) costs speed only: the result is the same and nothing is left behind."""
    cache = tmp_path / "cache"
    cache.write_text("not a folder")
    source = CASSETTES / "datadog_teams.yaml"
    assert scan_file(str(source), cache) == scan_file(str(source))
    assert cache.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_unreadable_files_are_cached_as_such(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    paths = [CASSETTES / "vcrpy_old_format.json", CASSETTES / "datadog_teams.yaml"]
    first = scan(paths, Settings(workers=1, cache=cache))
    second = scan(paths, Settings(workers=1, cache=cache))
    assert first == second
    assert first.errors[0].message.startswith("pre-1.0 vcrpy cassette format")
    assert first.files[0].interactions == ()


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


def _keys(interactions: Sequence[Interaction]) -> set[tuple[str, int]]:
    return {
        (endpoint_key(i.method, i.uri), i.status) for i in interactions if i.kind is BodyKind.JSON
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_pooled_shapes_equal_shapes_inferred_body_by_body(
    pair: tuple[Path, Path], workers: int
) -> None:
    """Bodies inferred per endpoint as one column, pooled over runs of files and then
    across runs, change no shape: counts, key order and notes are those of each body
    inferred on its own. The scan hands over no body, and one shape per pool."""
    paths = discover([pair[1]])
    by_body = group(load_all(paths)[0])
    scanned = scan(paths, Settings(workers=workers))
    interactions = scanned.interactions
    assert pooled_order(group(interactions, scanned.shapes)) == pooled_order(by_body)
    assert all(i.body is None for i in interactions)
    assert {key[:2] for key in scanned.shapes} == _keys(interactions)
    assert len(scanned.shapes) < len(interactions) / 10  # ten copies of each file


MATCHERS = (
    Matcher.of("okta", "GET", "https://api.datadoghq.com/api/v2/integrations/okta/accounts"),
    Matcher.of("teams", "POST", "https://api.datadoghq.com/api/v2/team"),
)


@pytest.mark.parametrize("workers", [1, 2])
def test_shapes_pooled_under_matcher_names_equal_shapes_grouped_by_them(
    pair: tuple[Path, Path], workers: int
) -> None:
    """Config mode names an endpoint by the matcher that fits each interaction, whatever
    file holds it: the workers pool shapes under those names, one file of several
    endpoints split between a configured name and automatic keys."""
    paths = discover([pair[1]])
    names = Names(MATCHERS)
    by_body = group(load_all(paths)[0], name_of=names)
    scanned = scan(paths, Settings(workers=workers), MATCHERS)
    assert pooled_order(group(scanned.interactions, scanned.shapes, name_of=names)) == (
        pooled_order(by_body)
    )
    pools = {name for name, _, _ in scanned.shapes}
    assert {"okta", "teams"} <= pools
    assert "POST api.datadoghq.com/api/v2/integrations/okta/accounts" in pools  # not GET
    assert "GET api.datadoghq.com/api/v2/team" in pools
    assert "POST api.datadoghq.com/api/v2/team" not in pools


def test_the_cache_keys_pools_by_the_matchers_that_named_them(tmp_path: Path) -> None:
    """A config change must not reuse shapes pooled under other names."""
    cache = tmp_path / "cache"
    paths = sorted(CASSETTES.glob("datadog_*.yaml"))
    plain = scan(paths, Settings(workers=1, cache=cache))
    named = scan(paths, Settings(workers=1, cache=cache), MATCHERS)
    assert {key[0] for key in named.shapes} != {key[0] for key in plain.shapes}
    assert named == scan(paths, Settings(workers=1), MATCHERS)
    assert scan(paths, Settings(workers=1, cache=cache)) == plain


def test_an_interaction_keeps_the_segments_its_body_states() -> None:
    """Bodies are dropped in the workers; what slug collapsing needs of them stays."""
    body = {"id": "naip", "type": "collections", "links": [{"rel": "self"}]}
    assert echoed("https://x.io/stac/collections/naip", body) == (2,)
    assert echoed("https://x.io/a/mute_rules/reorder", {"type": "mute_rules"}) == ()
    assert echoed("https://x.io/pypi/my%20pkg/json", [{"info": {"name": "my pkg"}}]) == (1,)
    assert echoed("https://x.io/users/ada", "ada") == ()
    kept, _ = infer_bodies(
        [Interaction("GET", "https://x.io/c/naip", 200, "application/json", BodyKind.JSON, body)]
    )
    assert kept[0].echoed == (1,)


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
    kept, pools = infer_bodies(interactions)
    shape = pools["GET api.example.com/users", 200, ""].build()  # undated
    assert shape.count == 2
    assert dict(shape.keys["id"].types) == {"integer": 2}
    assert [i.body for i in kept] == [None, None, None]
    assert kept[1].kind is BodyKind.UNREADABLE
    assert kept[1].note == "JSON nested deeper than 1024 levels; body left out"


def test_a_check_reads_each_cassette_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`check` compares the fresh recording with the committed cassette, checks fixtures
    and staleness: three reports, one read of each file."""
    (tmp_path / "cassettes").mkdir()
    shutil.copyfile(TEAMS, tmp_path / "cassettes" / "teams.yaml")
    (tmp_path / "driftcheck.toml").write_text(
        'cassettes = "cassettes"\n[[endpoints]]\nname = "teams"\n'
        'url = "https://api.datadoghq.com/api/v2/team"\n'
    )
    config = load_config(tmp_path / "driftcheck.toml")

    def record(_: object, endpoints: Sequence[Any], folder: Path, *__: object) -> list[Outcome]:
        shutil.copyfile(TEAMS, folder / "teams.yaml")
        return [Outcome(e.name, 1, str(folder / "teams.yaml")) for e in endpoints]

    read: list[str] = []

    def scan_sides(
        sides: Sequence[Sequence[Path]],
        settings: Settings,
        matchers: Sequence[Matcher],
        maps: Declared | None = None,
    ) -> list[Scanned]:
        read.extend(path.name for side in sides for path in side)
        return real(sides, settings, matchers, maps)

    real = recordings_run.scan_sides
    monkeypatch.setattr(check_run, "record_endpoints", record)
    monkeypatch.setattr(recordings_run, "scan_sides", scan_sides)
    scope = Scope(max_age=Age.parse("9999w"))
    report, _ = check_run.check(config, config.endpoints, scope=scope)
    assert report.endpoints == 1
    assert read == ["teams.yaml", "teams.yaml"]  # the committed one and the fresh one


def test_two_large_cassettes_are_read_side_by_side(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few files use the pool when they are large together (two huge cassettes, one a
    side, were read one after the other in the main process); a few small ones do not."""
    from driftcheck.sources import scan as scanning

    pools: list[int] = []
    original = scanning._on_pool
    monkeypatch.setattr(
        scanning,
        "_on_pool",
        lambda files, *rest: pools.append(len(files)) or original(files, *rest),
    )
    one, other = CASSETTES / "datadog_teams.yaml", CASSETTES / "datadog_okta_accounts.yaml"
    expected = [scan([one], Settings(workers=1)), scan([other], Settings(workers=1))]
    assert scanning.scan_sides([[one], [other]], Settings(workers=2)) == expected
    assert pools == []  # small: read here
    monkeypatch.setattr(scanning, "SMALL_BYTES", 1)
    assert scanning.scan_sides([[one], [other]], Settings(workers=2)) == expected
    assert pools == [2]
