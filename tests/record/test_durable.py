"""Cassettes written off the main thread stay atomic, durable, complete and in order.

Real local servers, real files, real signals. `os.fsync` and `os.replace` are wrapped
only to observe the order of calls (an fsync's effect cannot be observed from a test):
each file synced before its rename, and a folder sync that began after the rename
ended before the endpoint was reported written.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import vcr.serialize
from vcr.serializers import yamlserializer

from driftcheck.config import Endpoint
from driftcheck.core.model import Outcome
from driftcheck.files import DurableWrites
from driftcheck.record.exchange import LeakError, cassette_text
from driftcheck.record.recorder import Settings, record
from driftcheck.record.scrub import Scrubbing
from driftcheck.record.writer import Exchange, serialize
from tests.servers import LiveServer, json_response, slow

USER = '{"id": 1, "name": "Ada", "tags": ["a", "b"]}'


@pytest.fixture
def server() -> Iterator[LiveServer]:
    with LiveServer() as live:
        live.routes["/user"] = lambda r: json_response(USER)
        yield live


def endpoints(url: str, count: int) -> tuple[Endpoint, ...]:
    return tuple(Endpoint(name=f"e{n:03d}", url=f"{url}/user") for n in range(count))


def temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob(".*")]


class Calls:
    """`os.fsync` and `os.replace` wrapped: what was synced and renamed, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        real_fsync, real_replace = os.fsync, os.replace

        def fsync(fd: int) -> None:
            path = os.readlink(f"/proc/self/fd/{fd}")
            self._log("sync-start", path)
            real_fsync(fd)
            self._log("sync-end", path)

        def replace(source: str | Path, target: str | Path) -> None:
            real_replace(source, target)
            self._log("replace", f"{source}\0{target}")

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)

    def _log(self, kind: str, what: str) -> None:
        with self._lock:
            self.events.append((kind, what))

    def reported(self, outcome: Outcome) -> None:
        self._log("reported", outcome.path or "")

    def index(self, kind: str, what: str, after: int = -1) -> int:
        for position, event in enumerate(self.events):
            if position > after and event == (kind, what):
                return position
        raise AssertionError(f"no {kind} of {what} after event {after}")


# --- every cassette whole, readable and durable at concurrency 32 ---


def test_at_concurrency_32_every_cassette_is_written_durably_and_reads_back(
    tmp_path: Path, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    chosen = endpoints(server.url, 96)
    outcomes = record(chosen, tmp_path, Settings(), concurrency=32, on_outcome=calls.reported)
    assert [o.error for o in outcomes] == [None] * 96
    assert [o.endpoint for o in outcomes] == [e.name for e in chosen]
    assert temporaries(tmp_path) == []
    for outcome in outcomes:
        path = Path(outcome.path or "")
        requests, responses = vcr.serialize.deserialize(path.read_text(), yamlserializer)
        assert requests[0].uri == f"{server.url}/user"
        assert responses[0]["body"]["string"] == USER.encode()
        assert oct(path.stat().st_mode & 0o777) == oct(0o644)
    for outcome in outcomes:  # synced, renamed, then its folder synced, then reported
        target = outcome.path or ""
        renamed = next(
            n for n, (kind, what) in enumerate(calls.events)
            if kind == "replace" and what.endswith(f"\0{target}")
        )  # fmt: skip
        temporary = calls.events[renamed][1].split("\0")[0]
        synced = calls.index("sync-end", temporary)
        assert calls.index("sync-start", temporary) < synced < renamed
        folder_synced = calls.index("sync-start", str(tmp_path), after=renamed)
        folder_done = calls.index("sync-end", str(tmp_path), after=folder_synced)
        assert folder_done < calls.index("reported", target)


def test_folder_syncs_are_shared_but_never_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(monkeypatch)
    writes = DurableWrites()
    names = [f"f{n}.yaml" for n in range(64)]
    threads = [
        threading.Thread(target=writes.write, args=(tmp_path / name, f"{name}\n")) for name in names
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)
    assert all((tmp_path / name).read_text() == f"{name}\n" for name in names)
    file_syncs = [w for kind, w in calls.events if kind == "sync-end" and w != str(tmp_path)]
    folder_syncs = [w for kind, w in calls.events if kind == "sync-end" and w == str(tmp_path)]
    assert len(file_syncs) == 64
    assert 1 <= len(folder_syncs) <= 64
    last_rename = max(n for n, (kind, _) in enumerate(calls.events) if kind == "replace")
    calls.index("sync-start", str(tmp_path), after=last_rename)  # the last rename synced too


def test_write_atomic_keeps_its_behaviour_for_other_callers(tmp_path: Path) -> None:
    from driftcheck.files import write_atomic

    target = tmp_path / "deep" / "report.json"
    write_atomic(target, "{}", mode=0o600)
    write_atomic(target, b"[]", durable=True)
    assert target.read_bytes() == b"[]"
    assert temporaries(tmp_path) == []


# --- stopping: no temporary file left, whoever was writing it ---


def test_closing_removes_a_temporary_file_a_stuck_thread_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stuck, release = threading.Event(), threading.Event()
    real_fsync = os.fsync

    def hanging_fsync(fd: int) -> None:
        stuck.set()
        release.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", hanging_fsync)
    writes = DurableWrites()
    failure: list[BaseException] = []

    def write() -> None:
        try:
            writes.write(tmp_path / "a.yaml", "a")
        except OSError as error:
            failure.append(error)

    thread = threading.Thread(target=write)
    thread.start()
    assert stuck.wait(10)
    assert len(temporaries(tmp_path)) == 1  # the write is in flight
    writes.close(grace=0.05)
    assert temporaries(tmp_path) == []
    release.set()
    thread.join(10)
    assert temporaries(tmp_path) == []
    assert not (tmp_path / "a.yaml").exists()  # its temporary file was gone: never renamed
    assert len(failure) == 1
    with pytest.raises(OSError, match="writes closed"):
        writes.write(tmp_path / "b.yaml", "b")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_many_cassettes_are_written_leaves_only_whole_ones(
    tmp_path: Path, server: LiveServer, signum: int, code: int
) -> None:
    server.routes["/user"] = slow(0.05, lambda r: json_response(USER))
    lines = ['fresh = "fresh"', 'cassettes = "cassettes"', "timeout = 20", "concurrency = 32"]
    for n in range(640):
        lines += ["[[endpoints]]", f'name = "e{n:03d}"', f'url = "{server.url}/user"']
    (tmp_path / "driftcheck.toml").write_text("\n".join(lines) + "\n")
    process = subprocess.Popen(
        [sys.executable, "-m", "driftcheck", "record"],
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    fresh = tmp_path / "fresh"
    deadline = time.monotonic() + 30
    while len(list(fresh.glob("*.yaml"))) < 20 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code, stderr
    assert "Traceback" not in stderr
    assert temporaries(tmp_path) == []
    written = sorted(fresh.glob("*.yaml"))
    assert 20 <= len(written) < 640  # stopped part-way
    for path in written:
        requests, _ = vcr.serialize.deserialize(path.read_text(), yamlserializer)
        assert len(requests) == 1


# --- failures stay per endpoint; outcomes come in the order endpoints finished ---


def test_a_folder_sync_that_fails_fails_only_the_endpoint_that_ran_it(
    tmp_path: Path, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fsync = os.fsync
    failed = threading.Event()

    def fsync(fd: int) -> None:
        if os.readlink(f"/proc/self/fd/{fd}") == str(tmp_path) and not failed.is_set():
            failed.set()
            raise OSError(5, "Input/output error")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    outcomes = record(endpoints(server.url, 24), tmp_path, Settings(), concurrency=8)
    errors = [o.error for o in outcomes if o.error]
    assert len(errors) == 1
    assert errors[0].startswith(f"cannot write {tmp_path}/e")
    assert errors[0].endswith(": Input/output error")
    assert sum(1 for o in outcomes if o.path) == 23
    assert temporaries(tmp_path) == []


def test_outcomes_are_reported_in_the_order_endpoints_finished(
    tmp_path: Path, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.routes["/missing"] = lambda r: json_response("{}", status=404)
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:  # a slow disk: writes end well after the next failure
        time.sleep(0.05)
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", slow_fsync)
    chosen = (
        Endpoint(name="a", url=f"{server.url}/user"),
        Endpoint(name="b", url=f"{server.url}/missing"),
        Endpoint(name="c", url=f"{server.url}/user"),
        Endpoint(name="d", url=f"{server.url}/missing"),
    )
    seen: list[str] = []
    outcomes = record(
        chosen, tmp_path, Settings(), concurrency=1, on_outcome=lambda o: seen.append(o.endpoint)
    )
    assert seen == ["a", "b", "c", "d"]
    assert [o.error is None for o in outcomes] == [True, False, True, False]
    assert (
        outcomes[1].error == f"unexpected status 404 (expected below 400) from {server.url}/missing"
    )


# --- the HTTP side: one kept-alive connection per worker ---


@pytest.fixture
def keep_alive() -> Iterator[tuple[str, list[int]]]:
    """A minimal HTTP/1.1 server that keeps connections open; yields its URL and a
    one-item list counting the connections it accepted."""
    accepted = [0]
    ready: list[str] = []
    stop = threading.Event()
    body = USER.encode()
    head = (
        f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted[0] += 1
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                writer.write(head.encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def serve() -> None:
        server = await asyncio.start_server(answer, "127.0.0.1", 0)
        ready.append(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}")
        while not stop.is_set():
            await asyncio.sleep(0.05)
        server.close()

    thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
    thread.start()
    while not ready:
        time.sleep(0.01)
    yield ready[0], accepted
    stop.set()
    thread.join(5)


def test_each_worker_reuses_its_connection(
    tmp_path: Path, keep_alive: tuple[str, list[int]]
) -> None:
    url, accepted = keep_alive
    outcomes = record(endpoints(url, 120), tmp_path, Settings(), concurrency=32)
    assert [o.error for o in outcomes] == [None] * 120
    assert 1 <= accepted[0] <= 32  # a Session per worker thread, its connection kept


# --- the leak scan: skipped only when there is nothing to look for ---


def test_the_scan_is_skipped_only_when_no_secret_can_be_found() -> None:
    exchange = Exchange(
        method="GET",
        uri="http://api.test/user",
        request_headers={"Accept": ["*/*"]},
        request_body=None,
        status=200,
        reason="OK",
        response_headers={"Content-Type": ["application/json"]},
        body=b'{"token": "abc-secret"}',
    )
    assert cassette_text([exchange], Scrubbing()) == serialize([exchange])
    short = Scrubbing(secrets={"SHORT": "abc"})  # too short to tell apart: never looked for
    assert cassette_text([exchange], short) == serialize([exchange])
    with pytest.raises(LeakError, match=r"\$\{TOKEN\}"):
        cassette_text([exchange], Scrubbing(secrets={"TOKEN": "abc-secret"}))


def test_a_bug_while_saving_fails_that_endpoint_and_the_run_ends(
    tmp_path: Path, server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from driftcheck.record import recorder

    real = recorder.cassette_text

    def buggy(exchanges: list[Exchange], scrubbing: Scrubbing) -> str:
        if exchanges[0].uri.endswith("/boom"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(exchanges, scrubbing)

    monkeypatch.setattr(recorder, "cassette_text", buggy)
    server.routes["/boom"] = lambda r: json_response(USER)
    chosen = (*endpoints(server.url, 3), Endpoint(name="boom", url=f"{server.url}/boom"))
    outcomes = record(chosen, tmp_path, Settings(), concurrency=4)
    assert [o.error for o in outcomes] == [None, None, None, (
        "cannot write its cassette: RecursionError: maximum recursion depth exceeded"
    )]  # fmt: skip
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e000.yaml", "e001.yaml", "e002.yaml"]


def test_a_folder_removed_during_the_writes_is_made_again(tmp_path: Path) -> None:
    writes = DurableWrites()
    folder = tmp_path / "fresh"
    writes.write(folder / "a.yaml", "a")
    (folder / "a.yaml").unlink()
    folder.rmdir()
    writes.write(folder / "b.yaml", "b")
    assert [p.name for p in folder.iterdir()] == ["b.yaml"]
