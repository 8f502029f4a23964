"""A damaged shape cache never changes the gate's verdict: `driftcheck diff` with a cache
whose entries were emptied, given out-of-range indexes or wrong types, truncated, or
replaced by a FIFO, a directory or a huge file reports exactly what it reports without the
cache, and rewrites the entries. CI restores caches from shared storage."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from driftcheck.sources.cache import MAX_ENTRY_BYTES, content_key, entry_path
from driftcheck.sources.cache_prune import MARKER
from tests.helpers import DRIFTS, OKTA, REPORTS, TEAMS, rewrite_cassette, run

DAY = 86400.0


def _numbers_as_text(body: Any) -> Any:
    if isinstance(body, dict):
        return {key: _numbers_as_text(value) for key, value in body.items()}
    if isinstance(body, list):
        return [_numbers_as_text(value) for value in body]
    if isinstance(body, (int, float)) and not isinstance(body, bool):
        return str(body)
    return body


def _drifted(body: Any) -> Any:
    body = DRIFTS["key removed from every element"][0](body)
    return DRIFTS["null in some elements"][0](body)


@pytest.fixture
def project(tmp_path: Path) -> tuple[list[str], Path]:
    """`diff` arguments for two sides with breaking findings, reading through a cache."""
    baseline, current = tmp_path / "baseline", tmp_path / "current"
    for folder in (baseline, current):
        folder.mkdir()
        for source in (REPORTS, OKTA, TEAMS):
            shutil.copyfile(source, folder / source.name)
    rewrite_cassette(REPORTS, current / REPORTS.name, _drifted)
    rewrite_cassette(TEAMS, current / TEAMS.name, _numbers_as_text)
    cache = tmp_path / "cache"
    config = tmp_path / "driftcheck.toml"
    config.write_text(f'cache = "{cache}"\n')
    args = ["diff", str(baseline), str(current), "--format", "json", "--workers", "1"]
    return [*args, "--config", str(config)], cache


def _report(args: list[str], *flags: str) -> tuple[int, dict[str, Any]]:
    result = run(*args, *flags)
    return result.exit_code, json.loads(result.stdout)


def _in_subprocess(args: list[str]) -> tuple[int, dict[str, Any]]:
    """The CLI in a child process with a timeout: a hang fails the test, not the suite."""
    done = subprocess.run(
        [sys.executable, "-m", "driftcheck", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def _entries(cache: Path) -> dict[Path, bytes]:
    """The batches' entries (not the aliases naming them by their files' stat, which are
    written only once the files are two seconds old: some runs here are quicker)."""
    entries = {entry: entry.read_bytes() for entry in sorted(cache.rglob("*.json"))}
    return {entry: data for entry, data in entries.items() if data.startswith(b'{"census":')}


def _in_json(change: Callable[[dict[str, Any]], None]) -> Callable[[Path], None]:
    """A damage to a batch's entry (an alias naming one by its files' stat is left)."""

    def damage(entry: Path) -> None:
        body = json.loads(entry.read_bytes())
        if "census" not in body:
            return
        change(body)
        entry.write_text(json.dumps(body))

    return damage


def _emptied(body: dict[str, Any]) -> None:
    body["census"]["endpoints"] = []
    body["shapes"] = []


def _each_tally(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """A damage to what the census says of each endpoint."""

    def damage(body: dict[str, Any]) -> None:
        for _, tally in body["census"]["endpoints"]:
            change(tally)

    return damage


def _each_status(change: Callable[[list[Any]], None]) -> Callable[[dict[str, Any]], None]:
    return _each_tally(lambda tally: [change(row) for row in tally["statuses"]])


def _each_pool(change: Callable[[list[Any]], None]) -> Callable[[dict[str, Any]], None]:
    def damage(body: dict[str, Any]) -> None:
        for pool in body["shapes"]:
            change(pool)

    return damage


def _a_fifo_behind_a_symlink(entry: Path) -> None:
    fifo = entry.with_name(f"fifo-{entry.stem}")
    os.mkfifo(fifo)
    entry.unlink()
    entry.symlink_to(fifo)


def _a_directory(entry: Path) -> None:
    entry.unlink()
    entry.mkdir()


def _a_huge_file(entry: Path) -> None:
    os.truncate(entry, MAX_ENTRY_BYTES + 1)  # sparse: costs no disk


def _set(position: int, value: Any) -> Callable[[list[Any]], None]:
    return lambda row: row.__setitem__(position, value)


DAMAGES: dict[str, Callable[[Path], object]] = {
    "entries rewritten as empty lists": _in_json(_emptied),
    "a file position out of range": _in_json(_each_tally(lambda tally: tally.update(files=[99]))),
    "a shape row's parent out of range": _in_json(
        _each_pool(lambda pool: pool[3].append([10**6, "x", {"string": 1}, 0, None]))
    ),
    "a status that is text": _in_json(_each_status(_set(0, "200"))),
    "counts that are text": _in_json(_each_pool(lambda pool: _set(2, {"object": "1"})(pool[3][0]))),
    "a truncated entry": lambda entry: entry.write_bytes(entry.read_bytes()[:-100]),
    "a directory where an entry goes": _a_directory,
    "a file past the size cap": _a_huge_file,
}


@pytest.mark.parametrize("damage", DAMAGES.values(), ids=list(DAMAGES))
def test_a_damaged_cache_gives_the_report_no_cache_gives(
    project: tuple[list[str], Path], damage: Callable[[Path], object]
) -> None:
    args, cache = project
    plain = _report(args, "--no-cache")
    assert plain[0] == 1
    assert plain[1]["summary"]["breaking"] >= 3
    assert _report(args) == plain  # cold: fills the cache
    written = _entries(cache)
    assert len(written) >= 2  # a batch per side at least
    for entry in sorted(cache.rglob("*.json")):
        damage(entry)
    assert _report(args) == plain
    assert _entries(cache) == written  # every entry rebuilt


def test_a_symlink_to_a_fifo_is_a_miss_not_a_hang(project: tuple[list[str], Path]) -> None:
    args, cache = project
    plain = _in_subprocess([*args, "--no-cache"])
    assert _in_subprocess(args) == plain
    written = _entries(cache)
    for entry in sorted(cache.rglob("*.json")):
        _a_fifo_behind_a_symlink(entry)
    assert _in_subprocess(args) == plain
    assert _entries(cache) == written
    for entry in sorted(cache.rglob("*.json")):
        entry.unlink()
        os.mkfifo(entry)  # a FIFO in place of the entry itself
    assert _in_subprocess(args) == plain
    assert _entries(cache) == written


def test_a_run_prunes_entries_unused_for_a_month(project: tuple[list[str], Path]) -> None:
    """Entries the run reads (here its batches' entries: nothing changed) are touched and
    stay; the rest, a month old, go."""
    args, cache = project
    plain = _report(args)
    written = _entries(cache)
    used = dict(written)
    assert len(used) >= 2
    month_ago = time.time() - 31 * DAY
    unused = [entry_path(cache, content_key(f"unused {n}".encode())) for n in range(5)]
    for path in unused:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"{}")
    for path in [*unused, *written]:
        os.utime(path, (month_ago, month_ago))
    (cache / MARKER).unlink(missing_ok=True)  # not pruned lately
    assert _report(args) == plain
    assert _entries(cache) == used
    for entry in used:
        entry.unlink()
    assert _report(args) == plain  # the files pruned are read again
    assert _entries(cache) == written
