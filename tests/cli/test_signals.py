"""Ctrl-C and SIGTERM, sent for real to a real `python -m driftcheck` mid-run: exit 130 /
143 with one line on stderr, no pool worker left alive, no temporary file or folder left."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import driftcheck
from tests.helpers import children
from tests.servers import LiveServer, json_response, slow

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")

HANG = 10  # seconds: a bound against a hang, never a measured duration
FILES = 240  # cassettes of ~250 KB: seconds of reading for two workers
RECORDS = 2000


def _corpus(folder: Path, count: int = FILES) -> Path:
    """`count` cassettes, each with its own URL (so no two share a cache entry)."""
    folder.mkdir(parents=True, exist_ok=True)
    records = [
        {"id": n, "name": f"user{n}", "tags": ["a", "b"], "score": n / 2, "address": {"zip": None}}
        for n in range(RECORDS)
    ]
    body = json.dumps(json.dumps(records))
    for n in range(count):
        (folder / f"items{n:04d}.yaml").write_text(
            "interactions:\n- request:\n    body: null\n    headers: {}\n    method: GET\n"
            f"    uri: https://api.example.com/v1/items{n % 20}?page={n}\n"
            f"  response:\n    body:\n      string: {body}\n"
            "    headers:\n      Content-Type: [application/json]\n"
            "    status: {code: 200, message: OK}\nversion: 1\n"
        )
    return folder


def _alive(pid: int) -> bool:
    """A process that still runs (a zombie has finished); a reused pid is not ours."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z" and b"driftcheck" in command


_STARTED: list[int] = []


@pytest.fixture(autouse=True)
def _no_strays() -> Iterator[None]:
    """Whatever a failing test leaves running (a worker that outlived its parent holds
    the pipes open) is killed with its process group."""
    yield
    while _STARTED:
        with contextlib.suppress(OSError):
            os.killpg(_STARTED.pop(), signal.SIGKILL)


def _start(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "driftcheck", *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    _STARTED.append(process.pid)
    return process


def _workers(process: subprocess.Popen[str], count: int = 2) -> list[int]:
    """The pool's processes once `count` exist and have had a moment to start reading."""
    deadline = time.monotonic() + HANG
    while len(children(process.pid)) < count and process.poll() is None:
        assert time.monotonic() < deadline, "the pool never started"
        time.sleep(0.02)
    time.sleep(0.3)  # into the reading, not its start
    workers = children(process.pid)
    assert len(workers) >= count, "the run ended before it was signalled"
    return workers


def _stopped(process: subprocess.Popen[str], workers: list[int], code: int, word: str) -> str:
    """Check the run stopped as documented: its last line on stderr says why (`check`
    reports its recording there before); its stderr."""
    try:
        stdout, stderr = process.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:  # still running, or a survivor holds the pipes
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        pytest.fail(f"still running {HANG} s after the signal (exit {process.returncode})")
    assert process.returncode == code, stderr
    assert stderr.strip().splitlines()[-1] == f"Error: {word}"
    assert "Traceback" not in stderr
    assert stdout == ""
    assert [pid for pid in workers if _alive(pid)] == []
    return stderr


def _leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.endswith(".tmp")]


def test_sigterm_stops_diff_and_its_workers(tmp_path: Path) -> None:
    cassettes = _corpus(tmp_path / "cassettes")
    process = _start(["diff", str(cassettes), str(cassettes), "--workers", "2"], tmp_path)
    workers = _workers(process)
    cache = tmp_path / ".driftcheck" / "cache"
    deadline = time.monotonic() + HANG
    while not any(cache.rglob("*.json")) and time.monotonic() < deadline:
        time.sleep(0.01)  # until the workers write entries: a batch has been read
    process.send_signal(signal.SIGTERM)
    assert _stopped(process, workers, 143, "terminated") == "Error: terminated\n"
    assert any(cache.rglob("*.json"))  # the workers were writing it
    assert _leftovers(tmp_path) == []


def test_ctrl_c_stops_diff_with_130_not_the_drift_code(tmp_path: Path) -> None:
    cassettes = _corpus(tmp_path / "cassettes")
    process = _start(["diff", str(cassettes), str(cassettes), "--workers", "2"], tmp_path)
    workers = _workers(process)
    os.killpg(process.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole foreground group
    assert _stopped(process, workers, 130, "interrupted") == "Error: interrupted\n"
    assert _leftovers(tmp_path) == []


@pytest.mark.slow  # the same path as its sibling, by another command or signal
def test_sigterm_stops_shape_and_its_workers(tmp_path: Path) -> None:
    cassettes = _corpus(tmp_path / "cassettes")
    process = _start(["shape", str(cassettes), "--workers", "2"], tmp_path)
    workers = _workers(process)
    process.send_signal(signal.SIGTERM)
    _stopped(process, workers, 143, "terminated")
    assert _leftovers(tmp_path) == []


def test_workers_die_with_a_parent_killed_outright(tmp_path: Path) -> None:
    """SIGKILL runs no clean-up in the parent: the kernel tells the workers (Linux)."""
    cassettes = _corpus(tmp_path / "cassettes")
    process = _start(["diff", str(cassettes), str(cassettes), "--workers", "2"], tmp_path)
    workers = _workers(process)
    process.kill()
    process.communicate(timeout=HANG)  # the pipes close once the workers are gone too
    assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + HANG
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)  # reparented: nobody reaps them at once
    assert [pid for pid in workers if _alive(pid)] == []
    assert _leftovers(tmp_path) == []


def _check_project(tmp_path: Path, server: LiveServer) -> Path:
    server.routes["/items"] = lambda request: json_response('{"id": 1, "name": "a"}')
    (tmp_path / "driftcheck.toml").write_text(
        'cassettes = "cassettes"\ntimeout = 5\nretries = 0\n'
        f'[[endpoints]]\nname = "items"\nurl = "{server.url}/items"\n'
    )
    _corpus(tmp_path / "cassettes")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    return temporary


def test_sigterm_during_check_removes_its_temporary_folder(tmp_path: Path) -> None:
    with LiveServer() as server:
        temporary = _check_project(tmp_path, server)
        process = _start(["check", "--workers", "2"], tmp_path, {"TMPDIR": str(temporary)})
        workers = _workers(process)  # recorded; now reading the committed cassettes
        assert [p.name for p in temporary.iterdir() if p.name.startswith("driftcheck-check-")]
        process.send_signal(signal.SIGTERM)
        _stopped(process, workers, 143, "terminated")
    assert list(temporary.iterdir()) == []
    assert _leftovers(tmp_path) == []


@pytest.mark.slow  # the same path as its sibling, by another command or signal
def test_ctrl_c_during_check_removes_its_temporary_folder(tmp_path: Path) -> None:
    with LiveServer() as server:
        temporary = _check_project(tmp_path, server)
        process = _start(["check", "--workers", "2"], tmp_path, {"TMPDIR": str(temporary)})
        workers = _workers(process)
        os.killpg(process.pid, signal.SIGINT)
        _stopped(process, workers, 130, "interrupted")
    assert list(temporary.iterdir()) == []


def _slow_check_project(tmp_path: Path, server: LiveServer) -> Path:
    server.routes["/items"] = slow(2, lambda request: json_response('{"id": 1}'))
    (tmp_path / "driftcheck.toml").write_text(
        'cassettes = "cassettes"\ntimeout = 10\nretries = 0\n'
        f'[[endpoints]]\nname = "items"\nurl = "{server.url}/items"\n'
    )
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    return temporary


def _in_flight(process: subprocess.Popen[str], server: LiveServer) -> None:
    """Wait until the request is out: check is recording."""
    deadline = time.monotonic() + HANG
    while not server.in_flight:
        assert process.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.02)


@pytest.mark.parametrize(
    ("number", "code", "word"),
    [(signal.SIGTERM, 143, "terminated"), (signal.SIGINT, 130, "interrupted")],
)
def test_a_signal_while_check_records_removes_its_temporary_folder(
    tmp_path: Path, number: signal.Signals, code: int, word: str
) -> None:
    """No pool yet: the request is in flight, the main thread waits for it."""
    with LiveServer() as server:
        temporary = _slow_check_project(tmp_path, server)
        process = _start(["check"], tmp_path, {"TMPDIR": str(temporary)})
        _in_flight(process, server)
        os.killpg(process.pid, number)
        _stopped(process, [], code, word)
    assert list(temporary.iterdir()) == []


# A `__del__` that raises what the SIGTERM handler raises, run from a SIGUSR1 handler in
# the main thread: the exception Python drops when a signal lands in a finalizer.
_LOST_IN_A_FINALIZER = """
import signal, sys
from driftcheck.cli import main
from driftcheck.errors import Terminated

class Finalized:
    def __del__(self):
        raise Terminated

held = [Finalized()]
signal.signal(signal.SIGUSR1, lambda number, frame: held.clear())
sys.argv = ["driftcheck", "check"]
main()
"""


def test_a_stop_raised_where_python_drops_it_still_stops_the_run(tmp_path: Path) -> None:
    with LiveServer() as server:
        temporary = _slow_check_project(tmp_path, server)
        process = subprocess.Popen(
            [sys.executable, "-c", _LOST_IN_A_FINALIZER],
            cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1", "TMPDIR": str(temporary)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        _STARTED.append(process.pid)
        _in_flight(process, server)
        process.send_signal(signal.SIGUSR1)
        _stopped(process, [], 143, "terminated")
    assert list(temporary.iterdir()) == []


# A command that, like an import, creates a class while Ctrl-C lands: Python 3.11 wraps
# what `__set_name__` raises in a RuntimeError (CI saw it, 105 ms into start-up).
_WRAPPED_BY_PYTHON = """
import os, signal, sys, time
import click
from driftcheck.cli import main
from driftcheck.cli.app import cli

class Field:
    def __set_name__(self, owner, name):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)

@cli.command("slow-import")
def slow_import():
    type("Census", (), {"open": Field()})

sys.argv = ["driftcheck", "slow-import"]
main()
"""


def _script(code: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """A Python program that runs driftcheck's `main` its own way, run to its end."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        env={**os.environ, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=HANG,
    )


def test_ctrl_c_wrapped_by_python_in_another_error_still_exits_130(tmp_path: Path) -> None:
    process = _script(_WRAPPED_BY_PYTHON, tmp_path)
    assert (process.returncode, process.stderr) == (130, "Error: interrupted\n")


# A SIGINT whose handler Python runs inside SIGTERM's, right after SIGTERM's read the
# wakeup pipe: the burst test below ended 130 in 1 run of 4 on a loaded machine.
_NESTED_HANDLERS = """
import os, signal, sys, time
from driftcheck import stops
from driftcheck.cli import main
from driftcheck.cli.app import cli

class Os:
    def __getattr__(self, name):
        return getattr(os, name)

    def read(self, fd, size):
        data = os.read(fd, size)
        if signal.SIGTERM in data:  # SIGTERM's handler read it: SIGINT's runs at once
            signal.raise_signal(signal.SIGINT)
        return data

@cli.command("stop-me")
def stop_me():
    stops.os = Os()
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(5)

sys.argv = ["driftcheck", "stop-me"]
main()
"""


def test_a_signal_handled_inside_the_first_ones_handler_does_not_overtake_it(
    tmp_path: Path,
) -> None:
    process = _script(_NESTED_HANDLERS, tmp_path)
    assert (process.returncode, process.stderr) == (143, "Error: terminated\n")


# Ctrl-C landing as orjson starts loading: its module init crashed the process (SIGSEGV,
# CI saw it 85 ms into start-up), so it is imported while signals are held.
_CTRL_C_AS_ORJSON_LOADS = """
import atexit, importlib.abc, os, signal, sys, time
from driftcheck.cli import main

class CtrlC(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "orjson":
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.05)  # an armed run raises it here, inside orjson's import
        return None

sys.meta_path.insert(0, CtrlC())
atexit.register(lambda: print("orjson loaded:", "orjson.orjson" in sys.modules))
sys.argv = ["driftcheck", "diff", sys.argv[1], sys.argv[1]]
main()
"""


def test_ctrl_c_while_orjson_loads_lets_it_load_then_stops(tmp_path: Path) -> None:
    cassettes = _corpus(tmp_path / "cassettes", 2)
    process = _script(_CTRL_C_AS_ORJSON_LOADS, tmp_path, str(cassettes))
    assert (process.returncode, process.stderr) == (130, "Error: interrupted\n")
    assert process.stdout.strip().endswith("orjson loaded: True")


# --- Signals that come close together, at the very start and at the very end. ---

WORDS = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated", signal.SIGHUP: "hung up"}
CODES = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
_OTHERS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP]


def _pending(pid: int) -> bool:
    """Whether a signal sent to `pid` has not been delivered yet (its threads included)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return any(
        line.startswith(("ShdPnd:", "SigPnd:")) and int(line.split()[1], 16)
        for line in status.splitlines()
    )


def _hammer(process: subprocess.Popen[str], first: signal.Signals) -> tuple[str, str]:
    """Send `first`, then SIGINT, SIGTERM and SIGHUP in turn as fast as possible until
    the run ends (into its clean-up, its exit and the interpreter's shutdown).

    The others start once `first` has been delivered: signals pending together (the
    process not running meanwhile) reach it in an order the kernel chooses."""
    process.send_signal(first)
    deadline = time.monotonic() + HANG
    while _pending(process.pid) and time.monotonic() < deadline:
        time.sleep(0.0002)
    sent = 0
    while process.poll() is None and time.monotonic() < deadline:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(_OTHERS[sent % 3])
        sent += 1
        time.sleep(0.001)
    try:
        return process.communicate(timeout=HANG)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"still running {HANG} s after the signals")


@pytest.mark.parametrize("first", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signals_in_a_burst_stop_diff_once_as_the_first_one_says(
    tmp_path: Path, first: signal.Signals
) -> None:
    cassettes = _corpus(tmp_path / "cassettes")
    process = _start(["diff", str(cassettes), str(cassettes), "--workers", "2"], tmp_path)
    workers = _workers(process)
    stdout, stderr = _hammer(process, first)
    assert (process.returncode, stderr) == (CODES[first], f"Error: {WORDS[first]}\n")
    assert stdout == ""
    assert [pid for pid in workers if _alive(pid)] == []
    assert _leftovers(tmp_path) == []


def test_ctrl_c_twice_stops_diff_with_one_line(tmp_path: Path) -> None:
    cassettes = _corpus(tmp_path / "cassettes")
    process = _start(["diff", str(cassettes), str(cassettes), "--workers", "2"], tmp_path)
    workers = _workers(process)
    os.killpg(process.pid, signal.SIGINT)
    os.killpg(process.pid, signal.SIGINT)
    _stopped(process, workers, 130, "interrupted")


@pytest.mark.parametrize("first", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_signals_as_the_run_finishes_exit_as_documented(
    tmp_path: Path, first: signal.Signals
) -> None:
    """Signals from the moment the report is written: the run's work is done, but the user
    asked to stop; until driftcheck has decided its exit code, the signal's code and line
    win; after (the interpreter's last moments) the run's own code stands. Never a death
    by the signal, never a traceback."""
    cassettes = _corpus(tmp_path / "cassettes", 4)
    report = tmp_path / "report.json"
    process = _start(
        ["diff", str(cassettes), str(cassettes), "--format", "json", "--output", str(report)],
        tmp_path,
    )
    deadline = time.monotonic() + HANG
    while not report.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    _, stderr = _hammer(process, first)
    assert report.exists(), stderr
    assert (process.returncode, stderr) in {(CODES[first], f"Error: {WORDS[first]}\n"), (0, "")}


# Emulates the console script (or `python -m driftcheck` with `-m`): a signal sent to the
# process while the entry module makes its first import (a meta-path finder sends it).
_SIGNAL_AT_FIRST_IMPORT = """
import os, runpy, signal, sys

entry = sys.argv.pop(1)
if entry == "-m":
    started = lambda: "driftcheck" in sys.modules
    skip = {"driftcheck", "driftcheck.__main__"}
else:
    module, _, function = entry.partition(":")
    started = lambda: module in sys.modules
    skip = set()

class Finder:
    fired = False
    def find_spec(self, name, path=None, target=None):
        if not Finder.fired and started() and name not in skip:
            Finder.fired = True
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, Finder())
if entry == "-m":
    runpy.run_module("driftcheck", run_name="__main__", alter_sys=True)
else:
    sys.exit(getattr(__import__(module, fromlist=[function]), function)())
"""


def _console_script() -> str:
    """The `driftcheck` console script's target, as pyproject.toml declares it."""
    text = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    scripts = text.split("[project.scripts]", 1)[1]
    return scripts.split('driftcheck = "', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize("entry", ["console-script", "-m"])
def test_ctrl_c_during_start_up_exits_130_with_one_line(tmp_path: Path, entry: str) -> None:
    """driftcheck's first statements hold a signal; its first import is the first moment
    one can come after them (before: Python's own start-up, which no program controls)."""
    target = _console_script() if entry == "console-script" else "-m"
    run = subprocess.run(
        [sys.executable, "-c", _SIGNAL_AT_FIRST_IMPORT, target, "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=HANG,
    )
    assert (run.returncode, run.stderr, run.stdout) == (130, "Error: interrupted\n", "")


@pytest.mark.parametrize("number", [signal.SIGHUP])
def test_sighup_during_check_removes_its_temporary_folder(
    tmp_path: Path, number: signal.Signals
) -> None:
    """A closed terminal or a dropped ssh session: clean-up runs as for SIGTERM, exit 129."""
    with LiveServer() as server:
        temporary = _check_project(tmp_path, server)
        process = _start(["check", "--workers", "2"], tmp_path, {"TMPDIR": str(temporary)})
        workers = _workers(process)
        process.send_signal(number)
        _stopped(process, workers, 129, "hung up")
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("number", [signal.SIGHUP])
def test_sighup_while_check_records_removes_its_temporary_folder(
    tmp_path: Path, number: signal.Signals
) -> None:
    with LiveServer() as server:
        temporary = _slow_check_project(tmp_path, server)
        process = _start(["check"], tmp_path, {"TMPDIR": str(temporary)})
        _in_flight(process, server)
        process.send_signal(number)
        _stopped(process, [], 129, "hung up")
    assert list(temporary.iterdir()) == []


# `check` with a removal of its temporary folder that a real signal interrupts: the
# process sends itself `number` once the first file of the folder is gone.
_SIGNAL_DURING_REMOVAL = """
import os, shutil, signal, sys
from driftcheck.cli import main

number = int(sys.argv.pop(1))
real = shutil.rmtree
fired = []

def rmtree(path, *args, **kwargs):
    if "driftcheck-check-" in str(path) and not fired:
        fired.append(path)
        for name in sorted(os.listdir(path))[:1]:
            os.unlink(os.path.join(path, name))
        os.kill(os.getpid(), number)
        for _ in range(1000):  # the handler runs here, between two bytecodes
            pass
    return real(path, *args, **kwargs)

shutil.rmtree = rmtree
sys.argv = ["driftcheck", "check"]
main()
"""


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_during_checks_removal_still_removes_everything(
    tmp_path: Path, number: signal.Signals
) -> None:
    with LiveServer() as server:
        server.routes["/items"] = lambda request: json_response('{"id": 1}')
        server.routes["/users"] = lambda request: json_response('{"id": 2}')
        (tmp_path / "driftcheck.toml").write_text(
            'cassettes = "cassettes"\ntimeout = 5\nretries = 0\n'
            f'[[endpoints]]\nname = "items"\nurl = "{server.url}/items"\n'
            f'[[endpoints]]\nname = "users"\nurl = "{server.url}/users"\n'
        )
        temporary = tmp_path / "tmp"
        temporary.mkdir()
        run = subprocess.run(
            [sys.executable, "-c", _SIGNAL_DURING_REMOVAL, str(int(number))],
            cwd=tmp_path,
            env={**os.environ, "NO_COLOR": "1", "TMPDIR": str(temporary)},
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    assert list(temporary.rglob("*")) == []
    assert run.returncode == CODES[number], run.stderr
    assert run.stderr.splitlines()[-1] == f"Error: {WORDS[number]}"
    assert "Traceback" not in run.stderr


@pytest.mark.slow
@pytest.mark.parametrize("delay", [n * 0.005 for n in range(1, 25)])
def test_ctrl_c_at_many_moments_of_start_up(tmp_path: Path, delay: float) -> None:
    """Ctrl-C 5-120 ms after exec: before driftcheck's first statement Python's own
    start-up may still die of it (a KeyboardInterrupt in `site` or at line 0 of the
    package, before its first statement, no driftcheck code run:
    killed by SIGINT, or Python's "Fatal Python error" and 1); from driftcheck's first
    statement on, exit 130 with one line, or the run's own end."""
    cassettes = _corpus(tmp_path / "cassettes", 2)
    process = _start(["diff", str(cassettes), str(cassettes)], tmp_path)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=HANG)
    # `__init__.py", line 0`: the package's frame was made, none of its statements ran;
    # no code can catch a signal there (a handler is itself a statement), so it is
    # Python's start-up still: killed by SIGINT, the traceback Python's own.
    started = stderr.replace(f'{Path(driftcheck.__file__)}", line 0,', "")
    if str(Path(driftcheck.__file__).parent) in started:  # a traceback through driftcheck
        pytest.fail(stderr)
    said = [line for line in stderr.splitlines() if line.startswith("Error: ")]  # driftcheck's
    if process.returncode == 1 and not said:  # no driftcheck frame above, no line of its own
        return  # Python's own start-up died ("Fatal Python error", "Could not import runpy";
        # its traceback may hold "AttributeError:" or "KeyError:", CI saw both)
    assert process.returncode in {130, 0, -signal.SIGINT}, stderr
    if process.returncode == 130:
        assert stderr == "Error: interrupted\n"


@pytest.mark.slow
@pytest.mark.parametrize("gap", [0.0, 0.002, 0.005, 0.01, 0.02, 0.035, 0.05])
@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_second_signal_0_to_50_ms_after_ctrl_c(
    tmp_path: Path, gap: float, second: signal.Signals
) -> None:
    cassettes = _corpus(tmp_path / "cassettes")
    process = _start(["diff", str(cassettes), str(cassettes), "--workers", "2"], tmp_path)
    workers = _workers(process)
    os.killpg(process.pid, signal.SIGINT)
    while _pending(process.pid):
        time.sleep(0.0002)
    time.sleep(gap)
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(second)
    assert _stopped(process, workers, 130, "interrupted") == "Error: interrupted\n"
