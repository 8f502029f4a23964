"""A pool worker that dies mid-run (segfault, OOM kill, `os._exit`): the file it was
reading is listed as unreadable, naming the signal, and every other file is read.

The crash is real: the reader is replaced, in the test process, by one that kills its
own process on one file's content; the pool's workers are forked from the test process
and so run it. A worker killed from outside with SIGKILL is the OOM killer's case."""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from driftcheck.core.census import Census
from driftcheck.core.model import FileError
from driftcheck.sources import cassettes as cassettes_module
from driftcheck.sources.cassettes import parse_document
from driftcheck.sources.scan import Scanned, Settings, scan, scan_file
from driftcheck.sources.workers import mark, read_all
from tests.helpers import CASSETTES, children

pytestmark = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork", reason="workers inherit the crashing reader"
)
CRASH = b"# crash here\n"
_REAL_PARSE = parse_document  # every reader of a cassette's text goes through it
HANG = 30  # seconds: a bound against a hang, never a measured duration


def _readable() -> list[Path]:
    return [p for p in sorted(CASSETTES.glob("*.yaml")) if not scan_file(str(p)).errors]


def _corpus(folder: Path, copies: int = 2) -> list[Path]:
    """Real cassettes that read without error, each copy a distinct file."""
    folder.mkdir()
    paths = []
    sources = _readable()
    for n in range(copies):
        for source in sources:
            paths.append(folder / f"{n}-{source.name}")
            shutil.copyfile(source, paths[-1])
    return paths


def _crashing(kill: Callable[[], None]) -> Callable[..., Any]:
    def parse(data: bytes, path: str) -> Any:
        if data.startswith(CRASH):
            kill()
        return _REAL_PARSE(data, path)

    return parse


def _segfault() -> None:
    faulthandler.disable()  # pytest's, inherited: its dump would only be noise
    os.kill(os.getpid(), signal.SIGSEGV)


def _exit() -> None:
    os._exit(3)


def _plant(paths: list[Path], positions: list[int]) -> list[str]:
    """Make the files at `positions` crash their reader; their names."""
    for position in positions:
        paths[position].write_bytes(CRASH + paths[position].read_bytes())
    return [str(paths[p]) for p in positions]


def _comparable(scanned: Scanned) -> tuple[Any, ...]:
    return scanned.census, scanned.shapes


def _but_crashed(paths: list[Path], crashers: list[str], reason: str) -> Census:
    """The census of `paths` read one by one, `crashers` listed with `reason` alone."""
    census = Census()
    for path in map(str, paths):
        if path in crashers:
            census.add_file(path, [], str, reason)
        else:
            census.extend(scan_file(path).census)
    return census


@pytest.mark.parametrize(
    ("kill", "reason", "positions"),
    [
        (_segfault, "the reader crashed (signal 11)", [5]),
        (_segfault, "the reader crashed (signal 11)", [0, 1, -1]),  # first, next, last
        (_exit, "the reader crashed (exit status 3)", [5]),
    ],
)
def test_the_file_that_killed_its_reader_is_listed_and_the_rest_is_read(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    kill: Callable[[], None],
    reason: str,
    positions: list[int],
) -> None:
    paths = _corpus(tmp_path / "cassettes")
    crashers = [str(paths[p]) for p in positions]
    expected = _but_crashed(paths, crashers, reason)
    kept = scan([p for p in paths if str(p) not in crashers], Settings(workers=1))
    _plant(paths, positions)
    monkeypatch.setattr(cassettes_module, "parse_document", _crashing(kill))
    scanned = scan(paths, Settings(workers=2))
    assert scanned.errors == [FileError(path, reason) for path in sorted(crashers)]
    assert scanned.paths == [str(p) for p in paths]  # input order kept
    assert scanned.census == expected  # every other file counted as when read alone
    assert scanned.shapes == kept.shapes


def test_a_crash_with_a_cache_leaves_the_other_files_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _corpus(tmp_path / "cassettes")
    (crasher,) = _plant(paths, [4])
    monkeypatch.setattr(cassettes_module, "parse_document", _crashing(_segfault))
    cache = tmp_path / "cache"
    first = scan(paths, Settings(workers=2, cache=cache))
    again = scan(paths, Settings(workers=2, cache=cache))
    assert first.errors == again.errors == [FileError(crasher, "the reader crashed (signal 11)")]
    assert _comparable(first) == _comparable(again)
    assert [p for p in cache.rglob("*") if p.name.endswith(".tmp")] == []


def test_a_file_nested_past_the_yaml_parser_is_listed_not_fatal(tmp_path: Path) -> None:
    """50,000 nested flow sequences once segfaulted the C YAML parser in a worker, and
    the pool died with BrokenProcessPool and no file named."""
    paths = _corpus(tmp_path / "cassettes")
    deep = tmp_path / "cassettes" / "deep.yaml"
    deep.write_text("x: " + "[" * 50_000 + "]" * 50_000 + "\n")
    scanned = scan([*paths, deep], Settings(workers=2))
    assert [error.file for error in scanned.errors] == [str(deep)]
    assert scanned.paths == [str(p) for p in [*paths, deep]]
    assert list(scanned.census.errors) == [len(paths)]  # the others read
    assert scanned.census.endpoints == scan(paths, Settings(workers=1)).census.endpoints


def _slowly(data: bytes, path: str) -> Any:
    """The reader, taking a moment per file: a run is surely mid-way when a worker dies."""
    time.sleep(0.05)
    return _REAL_PARSE(data, path)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_worker_killed_mid_run_costs_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = _corpus(tmp_path / "cassettes", copies=4)
    expected = scan(paths, Settings(workers=1))
    monkeypatch.setattr(cassettes_module, "parse_document", _slowly)
    before = set(children(os.getpid()))
    killed: list[int] = []

    def kill_a_worker() -> None:
        deadline = time.monotonic() + HANG
        while time.monotonic() < deadline:
            workers = sorted(set(children(os.getpid())) - before)
            if workers:
                time.sleep(0.2)  # into its reading
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])
                return
            time.sleep(0.01)

    killer = threading.Thread(target=kill_a_worker)
    killer.start()
    scanned = scan(paths, Settings(workers=2))
    killer.join()
    assert killed, "no worker was there to kill"
    assert scanned.errors == []
    assert _comparable(scanned) == _comparable(expected)
    assert set(children(os.getpid())) - before == set()  # every pool (the broken one too) is gone


def _read_files(paths: list[str], shared: None) -> list[str]:
    """A reader over names: "crash" kills its process, as the OOM killer would."""
    for position, path in enumerate(paths):
        mark(position)
        if path == "crash":
            os.kill(os.getpid(), signal.SIGKILL)
    return paths


def test_runs_split_by_crashes_come_back_in_file_order() -> None:
    runs = [["a", "crash", "b", "c"], [], ["crash"], ["d", "e", "crash"]]
    results = read_all(_read_files, runs, None, 2, lambda path, reason: [f"{path}: {reason}"])
    crashed = "crash: the reader crashed (signal 9)"
    assert [[item for part in parts for item in part] for parts in results] == [
        ["a", crashed, "b", "c"],
        [],
        [crashed],
        ["d", "e", crashed],
    ]
