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
from driftcheck.core.census import SAMPLES, Census
from driftcheck.core.endpoints import Names, endpoint_key, group, grouped
from driftcheck.core.maps import Declared
from driftcheck.core.matchers import Matcher
from driftcheck.core.model import BodyKind, EndpointSet, Interaction, Outcome
from driftcheck.core.shape import flatten
from driftcheck.core.staleness import Age
from driftcheck.run import check as check_run
from driftcheck.run import recordings as recordings_run
from driftcheck.run.scope import Scope
from driftcheck.sources.cache import cached_run, decode_run, store, unseal
from driftcheck.sources.cassettes import discover, load_all
from driftcheck.sources.file_shapes import echoed, infer_bodies
from driftcheck.sources.scan import (
    Scanned,
    Settings,
    scan,
    scan_file,
    scan_sides,
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
    runs = [entry for entry in entries if "census" in entry]
    cached = sorted(path for run in runs for path in run["census"]["paths"])
    assert cached == sorted(str(path) for path in discover(list(pair)))  # no file twice
    kinds = {"census", "shapes", "key", "sum"}, {"entry", "key", "sum"}  # a batch, an alias
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
    [entry] = [entry for entry in cache.rglob("*.json") if b'"census"' in entry.read_bytes()]
    entry.write_bytes(b'{"census": {"paths": [1')  # a half-written or damaged entry
    again = scan_file(source, cache)
    assert again == cold
    rebuilt = cached_run(cache, entry.stem, [source])
    assert rebuilt is not None
    assert rebuilt.census == cold.census
    assert rebuilt.census.endpoints


USERS = "GET api.example.com/users/{id}"
OLD_DAY, NEW_DAY = "Mon, 15 Jun 2015 10:00:00 GMT", "Thu, 01 Feb 2024 10:00:00 GMT"
Change = Callable[[Any], object]
ROW = {"string": 1}  # a shape row's types
OLD_STAMP, NEW_STAMP = 1434362400.0, 1706781600.0  # OLD_DAY, NEW_DAY


def _exchange(path: str, status: int, body: str, date: str | None = None) -> dict[str, Any]:
    headers = {"Content-Type": ["text/plain" if status == 404 else "application/json"]}
    return {
        "request": {"method": "GET", "uri": f"https://api.example.com/{path}", "headers": {}},
        "response": {
            "status": {"code": status, "message": "?"},
            "headers": {**headers, **({"Date": [date]} if date else {})},
            "body": {"string": body},
        },
    }


@pytest.fixture
def varied(tmp_path: Path) -> list[Path]:
    """Four cassettes, one batch: an endpoint in three files (dated, undated, dated newer)
    with notes, a body that is not JSON, a second status and a second endpoint; and a
    file that is no cassette."""
    lone = '{"\\ud800": 1}'  # a lone surrogate: not Unicode, so a note
    files = {
        "a.json": [
            _exchange("users/1", 200, '{"id": 1}', OLD_DAY),
            _exchange("users/2", 200, lone),
            _exchange("users/3", 200, lone),
        ],
        "b.json": [
            _exchange("users/4", 200, '{"id": 4}'),
            _exchange("users/5", 404, "nope"),
            _exchange("users/6", 200, '{"id": 6, "name": "x"}'),
        ],
        "c.json": 5,
        "d.json": [
            _exchange("users/7", 200, '{"id": 7}', NEW_DAY),
            _exchange("orders", 200, "[]", NEW_DAY),
        ],
    }
    folder = tmp_path / "varied"
    folder.mkdir()
    for name, interactions in files.items():
        (folder / name).write_text(json.dumps({"interactions": interactions, "version": 1}))
    return sorted(folder.iterdir())


def _census(change: Change) -> Change:
    return lambda body: change(body["census"])


def _users(change: Change) -> Change:
    """`change` on the tally of USERS (in the one entry that holds it)."""
    return _census(lambda census: [change(t) for n, t in census["endpoints"] if n == USERS])


def _ok(change: Change) -> Change:
    """`change` on USERS's 200 row: [status, samples, types, skipped, bodies, first, notes]."""
    return _users(lambda tally: [change(row) for row in tally["statuses"] if row[0] == 200])


def _operation(change: Change) -> Change:
    """`change` on USERS's one operation: [name, uris, dropped, sampled, statuses]."""
    return _users(lambda tally: change(tally["operations"][0]))


def _set(key: Any, value: Any) -> Change:
    return lambda item: item.__setitem__(key, value)


def _rows(rows: Any) -> Change:
    def damage(body: dict[str, Any]) -> None:
        body["shapes"] = [[name, status, day, rows] for name, status, day, _ in body["shapes"]]

    return damage


def _one_dropped(operation: list[Any]) -> None:
    """A URL of the operation counted as dropped (the counts still agree)."""
    _, count, _, _ = operation[1].pop()  # [URL, count, position, index]
    operation[2] = count


def _set_stamp(position: int, stamp: float) -> Change:
    return lambda census: census["stamps"].__setitem__(position, stamp)


def _orders_everywhere(census: dict[str, Any]) -> None:
    """The other endpoint (one interaction, in d.json) said to be in a.json too."""
    for name, tally in census["endpoints"]:
        if name != USERS:
            tally["files"] = [0, 3]


DAMAGES: dict[str, tuple[Change, str]] = {  # each damage, and why it is refused
    "a row before its parent": (
        _rows([[-1, None, {"object": 1}, 0, None, {}, {}], [3, "a", ROW, 0, None, {}, {}]]),
        "shape row 1 is not placed in a shape",
    ),
    "types that are not counts": (
        _rows([[-1, None, ["string"], 0, None, {}, {}]]),
        "shape row 0 does not count types",
    ),
    "counts that are not numbers": (
        _rows([[-1, None, {"string": "1"}, 0, None, {}, {}]]),
        "shape row 0 does not count types",
    ),
    "more formatted strings than strings": (
        _rows([[-1, None, {"string": 1}, 0, None, {"date": 2}, None]]),
        "shape row 0 does not count value domains",
    ),
    "a format no one infers": (
        _rows([[-1, None, {"string": 1}, 0, None, {"ssn": 1}, None]]),
        "shape row 0 does not count value domains",
    ),
    "enum values that are not the strings": (
        _rows([[-1, None, {"string": 3}, 0, None, {}, {"active": 1}]]),
        "shape row 0 does not count value domains",
    ),
    "more enum values than an enum has": (
        _rows([[-1, None, {"string": 99}, 0, None, {}, {f"v{i}": 1 for i in range(99)}]]),
        "shape row 0 does not count value domains",
    ),
    "no enum values where strings were seen": (
        _rows([[-1, None, {"string": 3}, 0, None, None, {}]]),
        "shape row 0 does not count value domains",
    ),
    "enum values that are no enum's": (
        _rows([[-1, None, {"string": 2}, 0, None, None, {"\x1b[31mEVIL\nline": 2}]]),
        "shape row 0 does not count value domains",
    ),
    "an enum where no string was seen": (
        _rows([[-1, None, {"integer": 2}, 0, None, {}, None]]),
        "shape row 0 does not count value domains",
    ),
    "a row of four fields": (_rows([[-1, None, ROW, 0]]), "shape row 0 is not a row"),
    "no rows at all": (_rows([]), "no shape rows"),
    "rows that are a string": (_rows("rows"), "no shape rows"),
    "a pool the census does not count": (
        lambda body: body["shapes"].pop(),
        "pooled shapes that do not count the census's bodies",
    ),
    "a field too many": (_census(_set("extra", 1)), "not a census"),
    "other files": (_census(lambda census: census["paths"].reverse()), "a census of other files"),
    "an error that is no message": (
        _census(lambda census: census["errors"][0].__setitem__(1, 3)),
        "not a file's error",
    ),
    "an error of no file": (
        _census(lambda census: census["errors"][0].__setitem__(0, 4)),
        "a file position out of range",
    ),
    "a file's error twice": (
        _census(lambda census: census["errors"].append(census["errors"][0])),
        "not a file's error",
    ),
    "a file without a date": (
        _census(lambda census: census["stamps"].pop()),
        "not a date per file",
    ),
    "a date past any calendar": (
        _census(lambda census: census["stamps"].__setitem__(0, 1e300)),
        "a date out of range",
    ),
    "a date that is text": (
        _census(lambda census: census["stamps"].__setitem__(0, "2015-06-15")),
        "a date out of range",
    ),
    "an endpoint twice": (
        _census(lambda c: c["endpoints"].append(c["endpoints"][0])),
        "not an endpoint name",
    ),
    "an endpoint of no name": (
        _census(lambda c: c["endpoints"][0].__setitem__(0, "")),
        "not an endpoint name",
    ),
    "an endpoint in no file": (
        _users(lambda tally: tally.update(files=[], undated=[])),
        "not the files of an endpoint",
    ),
    "a file past the last": (
        _users(lambda tally: tally["files"].append(4)),
        "a file position out of range",
    ),
    "files out of order": (
        _users(lambda tally: tally["files"].reverse()),
        "positions out of order",
    ),
    "a file twice": (_users(lambda tally: tally["files"].insert(0, 0)), "positions out of order"),
    "an undated file that does not hold it": (
        _users(lambda tally: tally["undated"].append(2)),
        "not the files of an endpoint",
    ),
    "a newest date of an undated file": (
        _users(lambda tally: tally["newest"].__setitem__(1, 1)),
        "a newest date of no dated file",
    ),
    "dated files but no newest date": (
        _users(_set("newest", None)),
        "dated files without a newest date",
    ),
    "a newest date past any calendar": (
        _users(lambda t: t["newest"].__setitem__(0, 1e300)),
        "a date out of range",
    ),
    "said segments out of order": (_users(_set("echoed", [1, 0])), "positions out of order"),
    "a status twice": (
        _users(lambda tally: tally["statuses"].append(tally["statuses"][0])),
        "a status listed twice",
    ),
    "an operation twice": (
        _users(lambda t: t["operations"].append(t["operations"][0])),
        "an operation listed twice",
    ),
    "a status that is text": (
        _ok(_set(0, "200")),
        "content types that do not count the interactions",
    ),
    "a status row of two fields": (
        _ok(lambda row: row.__delitem__(slice(2, None))),
        "not a status's counts",
    ),
    "content types counting more": (
        _ok(lambda row: row[2].update({"text/x": 1})),
        "content types that do not count the interactions",
    ),
    "a content type counted zero times": (
        _ok(lambda row: row[2].update({"text/x": 0})),
        "not a count",
    ),
    "a body kind that does not exist": (
        _ok(_set(3, {"yaml": 2})),
        "bodies that do not count the interactions",
    ),
    "more bodies than interactions": (
        _ok(lambda row: row[3].update(unreadable=9)),
        "bodies that do not count the interactions",
    ),
    "bodies of a day no pool has": (
        _ok(lambda row: row[4].update({"2001-01-01": row[4].pop("")})),
        "bodies of a day none of the endpoint's files was recorded on",
    ),
    "bodies on no day": (
        _ok(lambda row: row[4].update({"yesterday": row[4].pop("")})),
        "bodies that do not count the interactions",
    ),
    "a first in a file without it": (
        _ok(lambda row: row[5].__setitem__(0, 2)),
        "not an interaction of the endpoint",
    ),
    "a negative line": (
        _ok(lambda row: row[5].__setitem__(2, -3)),
        "not an interaction of the endpoint",
    ),
    "a note in a file without it": (_ok(lambda row: row[6][-1].__setitem__(0, 2)), "not a note"),
    "notes out of order": (_ok(lambda row: row[6].reverse()), "notes out of order"),
    "more notes than interactions": (
        _ok(lambda row: row.__setitem__(6, sorted(row[6] * 4))),
        "notes out of order",
    ),
    "an operation counting more of a status": (
        _operation(lambda op: op[4][0].__setitem__(1, 9)),
        "URLs that do not count the interactions",  # checked within the operation first
    ),
    "an operation of another status": (
        _operation(lambda op: op[4][-1].__setitem__(0, 405)),
        "operations that do not count the interactions",
    ),
    "URLs counting more": (
        _operation(lambda op: op[1].append(["https://x.io/", 1, 3, 5])),
        "URLs that do not count the interactions",
    ),
    "URLs dropped below the cap": (_operation(_one_dropped), "not the URLs of an operation"),
    "URLs out of order": (_operation(lambda op: op[1].reverse()), "URLs out of order"),
    "a URL first met in a file without it": (
        _operation(lambda op: op[1][0].__setitem__(2, 2)),
        "not an interaction of the endpoint",
    ),
    "samples out of order": (
        _operation(lambda op: op[3].reverse()),
        "not the first interactions of an operation",
    ),
    "more samples than are kept": (
        _operation(_set(3, [[0, n] for n in range(SAMPLES + 1)])),
        "not the first interactions of an operation",
    ),
    "a sample in a file without it": (
        _operation(lambda op: op[3][-1].__setitem__(0, 2)),
        "not an interaction of the endpoint",
    ),
    # each of these misleads a report: a file both unreadable and read, a cassette's
    # age, the files said to hold an endpoint, where it was first recorded
    "an error beside interactions": (
        _census(lambda c: c["errors"].insert(0, [0, "x"])),
        "a file that could not be read, with interactions",
    ),
    "a date for a file that could not be read": (
        _census(_set_stamp(2, OLD_STAMP)),
        "a file that could not be read, with interactions",
    ),
    "a file's date on a day none of its bodies is": (
        _census(_set_stamp(0, 1500000000.0)),
        "bodies of a day none of the endpoint's files was recorded on",
    ),
    "a date for a file undated wherever it is held": (
        _census(_set_stamp(1, OLD_STAMP)),
        "a file's date that no endpoint was recorded on",
    ),
    "a newest date past its file's": (
        _users(_set("newest", [NEW_STAMP + 60, 3])),
        "a newest date later than its file's",
    ),
    "an endpoint in more files than its interactions": (
        _census(_orders_everywhere),
        "fewer interactions than files",
    ),
    "an operation of no interaction": (
        _users(lambda t: t["operations"].append(["q", [], 0, [], []])),
        "not the URLs of an operation",
    ),
    "an operation sampling none of its interactions": (
        _operation(_set(3, [])),
        "not the first interactions of an operation",
    ),
    "a first recording after the endpoint's first file": (
        _ok(_set(5, [3, 0, 1])),
        "a first interaction that is not the first",
    ),
}


@pytest.mark.parametrize(("damage", "refusal"), DAMAGES.values(), ids=list(DAMAGES))
def test_an_entry_that_describes_other_data_is_rebuilt(
    varied: list[Path], tmp_path: Path, damage: Change, refusal: str
) -> None:
    """Valid JSON, even re-sealed under its key, is not enough: an entry whose census or
    shapes are not what its files give is refused (it would crash or mislead later), and
    the files are read again and the entry rewritten."""
    cache = tmp_path / "cache"
    first = scan(varied, Settings(workers=1, cache=cache))
    assert [error.file for error in first.errors] == [str(varied[2])]
    written = {entry: entry.read_bytes() for entry in cache.rglob("*.json")}
    runs = 0
    for entry in written:
        body = json.loads(unseal(entry.stem, entry.read_bytes()))
        if "census" not in body:
            continue  # an alias, naming the entry by its files' stat
        assert body["census"]["paths"] == list(map(str, varied))  # one batch
        damaged = json.loads(json.dumps(body))
        damage(damaged)
        assert damaged != body
        data = json.dumps(damaged).encode()
        with pytest.raises(ValueError, match=refusal):  # refused by the check meant
            decode_run(data, list(map(str, varied)))
        store(cache, entry.stem, data)
        runs += 1
    assert runs == 1
    assert scan(varied, Settings(workers=1, cache=cache)) == first
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
    assert list(first.census.errors) == [0]
    assert {p for tally in first.census.endpoints.values() for p in tally.files} == {1}
    assert first.census.stamp(0) is None


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


def _bodies(census: Census) -> dict[tuple[str, int, str], int]:
    """The census's JSON bodies per pool (endpoint, status, day)."""
    return {
        (name, status, day): count
        for name, tally in census.endpoints.items()
        for status, day, count in tally.json_bodies()
    }


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
    interactions = load_all(paths)[0]
    by_body = group(interactions)
    scanned = scan(paths, Settings(workers=workers))
    assert pooled_order(grouped(scanned.census, scanned.shapes)) == pooled_order(by_body)
    assert {key[:2] for key in scanned.shapes} == _keys(interactions)
    assert {key: shape.count for key, shape in scanned.shapes.items()} == _bodies(scanned.census)
    counted = [s.samples for t in scanned.census.endpoints.values() for s in t.statuses.values()]
    assert sum(counted) == len(interactions)  # each counted once, none kept
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
    assert pooled_order(grouped(scanned.census, scanned.shapes)) == pooled_order(by_body)
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
        sides: Sequence[Sequence[Path | str]],
        settings: Settings,
        matchers: Sequence[Matcher],
        maps: Declared | None = None,
    ) -> list[Scanned]:
        read.extend(Path(path).name for side in sides for path in side)
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


def test_a_deeply_nested_shape_crosses_from_a_worker(tmp_path: Path) -> None:
    """Workers send shapes as flat rows: a tree of nodes 300 deep failed to pickle
    (RecursionError, an internal error) on two workers and not on one."""
    depth = 300
    deep = '{"a":' * depth + "1" + "}" * depth
    for side in ("old", "new"):
        write_json_cassette(tmp_path / side / "deep.json", "https://api.x.io/things/2", deep)
        for k in range(8):
            body = json.dumps({"id": k})
            write_json_cassette(tmp_path / side / f"o{k}.json", f"https://api.x.io/o/{k}", body)
    sides = [discover([tmp_path / "old"]), discover([tmp_path / "new"])]
    one = scan_sides(sides, Settings(workers=1))
    two = scan_sides(sides, Settings(workers=2))
    assert [_fields(s) for s in two] == [_fields(s) for s in one]  # no deep `==` here
    deepest = max(_fields(two[0])["GET api.x.io/things/{id}"], key=len)
    assert deepest.count(".a") == depth


def _fields(scanned: Scanned) -> dict[str, list[str]]:
    """Each endpoint's 200 paths, walked without recursion."""
    found = grouped(scanned.census, scanned.shapes).endpoints
    return {name: [f.path for f in flatten(s[200].shape)] for name, s in found.items()}


def write_json_cassette(path: Path, uri: str, body: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    interaction = {
        "request": {"method": "GET", "uri": uri, "body": None, "headers": {}},
        "response": {
            "status": {"code": 200, "message": "OK"},
            "headers": {"Content-Type": ["application/json"]},
            "body": {"string": body},
        },
    }
    path.write_text(json.dumps({"interactions": [interaction], "version": 1}))
