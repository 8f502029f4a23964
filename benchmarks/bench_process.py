"""Processes the diff benchmark measures: `driftcheck diff` and the parse floor, each in
its own process with its memory watched, so neither the floor's parsed corpus nor the
benchmark's own memory counts against driftcheck (a 1 GiB body's floor needs GBs)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent


@dataclass
class Run:
    seconds: float
    max_rss: int  # bytes, largest single process
    tree_rss: int  # bytes, peak of the sum over the process tree
    output: bytes
    code: int
    main_rss: int = 0  # bytes, the root process's own peak (its VmHWM), workers not counted


def _tree_memory(root: int) -> tuple[int, int, int | None]:
    """`root` and its descendants: (sum of resident bytes now, largest process's peak,
    `root`'s own peak or None once it has exited).

    A peak is the process's own VmHWM. (`wait4`'s ru_maxrss is no good here: it
    keeps the high-water mark of the benchmark process the child was forked from.)
    Descendants are found through /proc/PID/task/TID/children, not by scanning every
    process: a sample costs a few reads, so the watcher does not steal a core's time
    from the run it measures.
    """
    total, largest, main, stack = 0, 0, None, [root]
    while stack:
        pid = stack.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            for task in os.scandir(f"/proc/{pid}/task"):
                stack.extend(map(int, Path(task.path, "children").read_text().split()))
        except OSError:
            continue  # gone meanwhile
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if "VmRSS" in fields:  # not a zombie
            total += int(fields["VmRSS"].split()[0]) * 1024
            peak = int(fields["VmHWM"].split()[0]) * 1024
            largest = max(largest, peak)
            main = peak if pid == root else main
    return total, largest, main


def watched(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run `command` in a fresh process from an empty folder, timed, memory watched.

    The watcher samples until the process has exited and only then is it reaped: an
    unreaped zombie keeps its pid, so no sample reads a recycled one, and the root's last
    sample is taken as late as it can be (every millisecond once its output has ended).
    """
    with tempfile.TemporaryDirectory() as folder:  # no driftcheck.toml is found from here
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.PIPE)
        peaks = [0, 0, 0]  # tree, largest, main
        ending = threading.Event()

        def watch() -> None:
            while True:
                now, peak, main = _tree_memory(process.pid)
                if main is None:  # exited: a zombie has no memory left to read
                    return
                peaks[:] = max(peaks[0], now), max(peaks[1], peak), max(peaks[2], main)
                if ending.wait(0.02):
                    time.sleep(0.001)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        assert process.stdout is not None
        with process.stdout:
            output = process.stdout.read()  # the end of output: the process is exiting
        ending.set()
        watcher.join()
        process.wait()
        seconds = time.perf_counter() - started
    return Run(seconds, peaks[1], peaks[0], output, process.returncode, peaks[2])


def driftcheck_diff(base: Path, current: Path, cache: Path | None, workers: int) -> Run:
    """One `driftcheck diff` in a fresh process, timed, with its memory watched."""
    command = [sys.executable, "-m", "driftcheck", "diff", str(base), str(current)]
    # a corpus may hold files driftcheck refuses (../shared/corpus has a pre-1.0 cassette
    # and one with an object-building tag): listed in the report, not a failed run
    command += ["--format", "json", "--workers", str(workers), "--allow-unreadable"]
    if cache is None:
        command.append("--no-cache")
    return watched(command, {**os.environ, "DRIFTCHECK_CACHE": str(cache or "")})


# ---------------------------------------------------------------- parse floor


def _responses(document: Any) -> Iterator[tuple[str, str, Any]]:
    """(method, uri, body text) of each interaction of a vcrpy-like document."""
    entries = document.get("interactions", []) if isinstance(document, dict) else []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        request, response = entry.get("request") or {}, entry.get("response") or {}
        body = response.get("body") if isinstance(response, dict) else None
        text = body.get("string") if isinstance(body, dict) else body
        if isinstance(request, dict):
            yield str(request.get("method", "GET")), str(request.get("uri", "")), text


def load_file(path: Path) -> Any:
    data = path.read_bytes()
    try:
        return yaml.load(data, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        try:
            return json.loads(data)
        except ValueError:
            return None


def parse_json(text: Any) -> Any:
    if isinstance(text, bytes):
        try:
            text = text.decode()
        except UnicodeDecodeError:
            return None
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def responses(path: Path) -> Iterator[tuple[str, str, Any]]:
    return _responses(load_file(path))


def floor(files: list[Path]) -> float:
    """Seconds to parse every file and every JSON body, plainly, in one process; each
    file's document and bodies are released before the next file is read."""
    started = time.perf_counter()
    for path in files:
        for _, _, text in responses(path):
            parse_json(text)
    return time.perf_counter() - started


def floor_process(base: Path, current: Path) -> tuple[float, Run]:
    """The floor measured in a process of its own: (its in-process seconds, the run)."""
    script = HERE / "diff_bench.py"
    run = watched([sys.executable, str(script), "--floor-of", str(base), str(current)])
    if run.code != 0:
        raise RuntimeError(f"the parse floor's process failed with exit code {run.code}")
    return float(json.loads(run.output)["seconds"]), run


def floor_main(base: Path, current: Path) -> None:
    """`diff_bench.py --floor-of BASE CURRENT`: print the floor's seconds as JSON."""
    from driftcheck.sources.cassettes import discover

    files = discover([base]) + discover([current])
    print(json.dumps({"seconds": floor(files)}))
