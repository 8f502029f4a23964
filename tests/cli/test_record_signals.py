"""`driftcheck record` under real signals: a real subprocess, a real local server.

Ctrl-C exits 130 and SIGTERM 143 within a second or two whatever is in flight (a slow
request, a wait before a retry), and a signal at any moment leaves no temporary file:
committed cassettes are each either the old file or a whole new one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from driftcheck.sources.cassettes import read_cassette
from tests.servers import LiveServer, json_response, slow

CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
WORDS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer() as live:
        yield live


def configure(tmp_path: Path, server: LiveServer, names: list[str], timeout: int = 100) -> None:
    text = f'cassettes = "cassettes"\nfresh = "fresh"\ntimeout = {timeout}\n'
    for name in names:
        text += f'\n[[endpoints]]\nname = "{name}"\nurl = "{server.url}/{name}"\n'
    (tmp_path / "driftcheck.toml").write_text(text)


def start(tmp_path: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "driftcheck", "record", "--update", *args],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def until(condition: object, limit: float = 20) -> None:
    """Wait for `condition()` (a hang guard, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not condition() and time.monotonic() < deadline:  # type: ignore[operator]
        time.sleep(0.01)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_abandons_requests_in_flight(
    tmp_path: Path, server: LiveServer, number: signal.Signals
) -> None:
    server.routes["/slow"] = slow(60, lambda r: json_response("{}"))
    configure(tmp_path, server, ["slow"], timeout=100)
    process = start(tmp_path)
    until(lambda: server.in_flight >= 1)
    assert server.in_flight == 1
    process.send_signal(number)
    # Waiting for the request would take a minute: the process must not.
    _, stderr = process.communicate(timeout=15)
    assert process.returncode == CODES[number], stderr
    assert f"Error: {WORDS[number]}: cassettes already written are complete" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_ends_a_wait_before_a_retry(
    tmp_path: Path, server: LiveServer, number: signal.Signals
) -> None:
    server.routes["/busy"] = lambda r: json_response("{}", 503, **{"Retry-After": "25"})
    configure(tmp_path, server, ["busy"], timeout=5)
    process = start(tmp_path)
    assert process.stderr is not None
    line = process.stderr.readline()
    assert line == "busy: waiting 25 s before retry 1 of 2 (Retry-After: 25)\n"
    process.send_signal(number)
    _, stderr = process.communicate(timeout=15)  # not 25 s more
    assert process.returncode == CODES[number], stderr
    assert server.hits["/busy"] == 1


NAMES = [f"e{n}" for n in range(6)]
BIG = json.dumps([{"id": n, "name": f"user {n}", "tags": ["a", "b"]} for n in range(60_000)])


def signal_during_writes(
    tmp_path: Path, server: LiveServer, number: signal.Signals, nth: int
) -> None:
    """Record six large cassettes over old ones; send `number` when the `nth` temporary
    file appears (the moment a write is under way), then check what is left."""
    for name in NAMES:
        server.routes[f"/{name}"] = lambda r: json_response(BIG)
    configure(tmp_path, server, NAMES, timeout=60)
    committed = tmp_path / "cassettes"
    committed.mkdir()
    old = {}
    for name in NAMES:
        (committed / f"{name}.yaml").write_text(f"# old {name}\ninteractions: []\n")
        old[name] = (committed / f"{name}.yaml").read_bytes()
    process = start(tmp_path, "--concurrency", "2")
    seen: set[str] = set()
    deadline = time.monotonic() + 60
    while len(seen) < nth and process.poll() is None and time.monotonic() < deadline:
        seen.update(leftovers(committed))
        time.sleep(0.001)
    finished_first = process.poll() is not None
    process.send_signal(number)
    _, stderr = process.communicate(timeout=30)
    assert "Traceback" not in stderr
    if not finished_first:
        assert process.returncode == CODES[number], stderr
    assert leftovers(committed) == []
    assert leftovers(tmp_path) == []
    for name in NAMES:
        data = (committed / f"{name}.yaml").read_bytes()
        if data != old[name]:  # a new cassette, whole
            (interaction,) = read_cassette(committed / f"{name}.yaml").interactions
            assert interaction.body == json.loads(BIG)


@pytest.mark.parametrize(
    ("number", "nth"),
    [(signal.SIGINT, 1), (signal.SIGTERM, 1), (signal.SIGTERM, 3)],
    ids=["SIGINT-1st", "SIGTERM-1st", "SIGTERM-3rd"],
)
def test_a_signal_during_a_write_leaves_no_temporary_file(
    tmp_path: Path, server: LiveServer, number: signal.Signals, nth: int
) -> None:
    signal_during_writes(tmp_path, server, number, nth)


@pytest.mark.slow
@pytest.mark.parametrize("run", range(6))  # SIGINT and SIGTERM, 1st to 6th write
def test_signals_at_many_moments_leave_no_temporary_file(
    tmp_path: Path, server: LiveServer, run: int
) -> None:
    number = signal.SIGTERM if run % 2 else signal.SIGINT
    signal_during_writes(tmp_path, server, number, nth=run % 6 + 1)
