"""Where output goes when it cannot go there: a full stdout (/dev/full), closed stdout and
stderr (`>&-`), a reader gone (a pipe closed), and `--output` onto a symlink, a FIFO, an
empty or a very long name. Real subprocesses with real descriptors, CliRunner where the
streams do not matter."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from driftcheck.demo.app import DemoAPI, serving
from driftcheck.files import NAME_MAX, temporary_name, write_atomic
from tests.helpers import OKTA, TEAMS, run

FULL = "cannot write the report to stdout: No space left on device"
NO_STDOUT = "cannot write to stdout: No space left on device"
CLOSED = "cannot write the report to stdout: standard output is closed"
# The entry point with the stream guard, as `driftcheck.cli.main` runs the group.
STANDALONE = (
    "from driftcheck.cli.app import cli\n"
    "from driftcheck.cli.streams import standalone\n"
    "standalone(cli, 'driftcheck')\n"
)


def _driftcheck(
    args: list[str],
    cwd: Path,
    stdout: Any = subprocess.PIPE,
    stderr: Any = subprocess.PIPE,
    close: str = "",
    guarded: bool = False,
) -> subprocess.CompletedProcess[bytes]:
    """Run driftcheck in a real process; `close` names descriptors to close (`>&-`).
    `guarded` runs the group as `driftcheck.cli.main` runs it once it calls `standalone`
    (and with `close`, whose runs `main` cannot finish yet: see the report)."""
    entry = ["-c", STANDALONE] if guarded or close else ["-m", "driftcheck"]
    command = [sys.executable, *entry, *args]
    if close:
        closing = " ".join(f"{fd}>&-" for fd in close)
        command = ["sh", "-c", f'exec "$@" {closing}', "sh", *command]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100"}
    return subprocess.run(
        command, cwd=cwd, stdout=stdout, stderr=stderr, env=env, timeout=120, check=False
    )


@pytest.fixture
def full() -> Iterator[IO[bytes]]:
    with open("/dev/full", "wb") as stream:
        yield stream


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Two cassettes that drift, two JSON reports, and a config for `fixtures`."""
    shutil.copy(TEAMS, tmp_path / "a.yaml")
    shutil.copy(OKTA, tmp_path / "b.yaml")
    for name in ("r1.json", "r2.json"):
        result = run("diff", str(TEAMS), str(OKTA), "--format", "json", "-o", str(tmp_path / name))
        assert result.exit_code == 1, result.output
    (tmp_path / "cassettes").mkdir()
    shutil.copy(OKTA, tmp_path / "cassettes" / "okta.yaml")
    (tmp_path / "driftcheck.toml").write_text(
        'cassettes = "cassettes"\n[[endpoints]]\nname = "okta"\n'
        'url = "https://api.datadoghq.com/api/v2/integrations/okta/accounts"\n'
    )
    return tmp_path


REPORTING = {
    "diff": (["diff", "a.yaml", "b.yaml"], 1),
    "shape": (["shape", "a.yaml"], 0),
    "merge": (["merge", "r1.json", "r2.json"], 1),
    "init": (["init", "--dry-run"], 0),
    "fixtures": (["fixtures", "okta", "--variants", "--out", "fx"], 0),
}


@pytest.mark.parametrize("name", sorted(REPORTING))
def test_a_full_stdout_is_one_plain_line_and_exit_2(
    name: str, project: Path, full: IO[bytes]
) -> None:
    args, code = REPORTING[name]
    assert _driftcheck(args, project).returncode == code  # the run itself is fine
    result = _driftcheck(args, project, stdout=full)
    assert result.stderr.decode().splitlines()[-1] == f"Error: {FULL}"
    assert result.returncode == 2


@pytest.mark.parametrize("name", ["diff", "shape", "merge"])
def test_a_closed_stdout_is_not_a_terminal_and_fails_cleanly(name: str, project: Path) -> None:
    result = _driftcheck(REPORTING[name][0], project, close="1")
    assert result.stderr.decode().splitlines() == [f"Error: {CLOSED}"]
    assert result.returncode == 2


def test_version_and_help_onto_a_full_stdout_exit_2_without_a_traceback(
    tmp_path: Path, full: IO[bytes]
) -> None:
    for args in (["--version"], ["--help"]):
        result = _driftcheck(args, tmp_path, stdout=full, guarded=True)
        assert result.stderr.decode() == f"Error: {NO_STDOUT}\n"
        assert result.returncode == 2
    command_help = _driftcheck(["diff", "--help"], tmp_path, stdout=full)
    assert command_help.stderr.decode() == f"Error: {NO_STDOUT}\n"
    assert command_help.returncode == 2


def test_a_full_stderr_never_changes_the_exit_code(project: Path, full: IO[bytes]) -> None:
    missing = _driftcheck(["diff", "a.yaml", "nonexistent"], project, stderr=full, guarded=True)
    assert missing.returncode == 2  # Click's usage error, its line lost
    config = _driftcheck(["diff", "--config", "/nonexist.toml"], project, stderr=full)
    assert config.returncode == 2
    drift = _driftcheck(["diff", "a.yaml", "b.yaml"], project, stderr=full)
    assert drift.returncode == 1
    assert b"drift" in drift.stdout


def test_the_demo_with_a_full_stderr_still_shows_its_report(
    tmp_path: Path, full: IO[bytes]
) -> None:
    result = _driftcheck(["demo"], tmp_path, stderr=full)
    assert b"field-removed" in result.stdout
    assert result.returncode == 0


def test_the_demo_onto_a_full_or_closed_stdout(tmp_path: Path, full: IO[bytes]) -> None:
    result = _driftcheck(["demo"], tmp_path, stdout=full)
    assert result.stderr.decode().splitlines()[-1] == f"Error: {FULL}"
    assert result.returncode == 2
    closed = _driftcheck(["demo"], tmp_path, close="1")
    assert closed.stderr.decode().splitlines()[-1] == f"Error: {CLOSED}"
    assert closed.returncode == 2


def _live(folder: Path, base: str) -> Path:
    (folder / "driftcheck.toml").write_text(
        'cassettes = "cassettes"\ntimeout = 5\nretries = 0\n'
        f'[[endpoints]]\nname = "user"\nurl = "{base}/users/{{id}}"\nparams = {{ id = [1, 2] }}\n'
    )
    return folder


def test_record_and_check_with_failing_streams(tmp_path: Path, full: IO[bytes]) -> None:
    """`record` keeps its own exit code when its summary cannot be shown (the cassettes
    are written, and 0 / 3 says so); `check` fails like every report (2)."""
    with serving(DemoAPI(version=1)) as base:
        folder = _live(tmp_path, base)
        recorded = _driftcheck(["record", "--update"], folder, stdout=full)
        assert recorded.returncode == 0
        assert recorded.stderr.decode().splitlines()[-1] == (
            "Warning: cannot write the summary to stdout: No space left on device"
        )
        assert [p.name for p in (folder / "cassettes").iterdir()] == ["user.yaml"]
        quiet = _driftcheck(["record", "--update"], folder, stderr=full)
        assert quiet.returncode == 0  # progress lines lost: no endpoint failed for that
        assert quiet.stdout.decode().startswith("recorded 1 of 1 endpoints")
        checked = _driftcheck(["check", "--format", "json"], folder, stdout=full)
        assert checked.stderr.decode().splitlines()[-1] == f"Error: {FULL}"
        assert checked.returncode == 2
        no_stderr = _driftcheck(["check", "--format", "json"], folder, close="2")
        assert no_stderr.returncode == 0  # progress lines lost, the run unharmed
        assert json.loads(no_stderr.stdout)["findings"] == []
        no_stdout = _driftcheck(["check"], folder, close="1")
        assert no_stdout.stderr.decode().splitlines()[-1] == f"Error: {CLOSED}"
        assert no_stdout.returncode == 2
        nothing_due = _driftcheck(["record", "--update", "--max-age", "1d"], folder, close="12")
        assert nothing_due.returncode == 0


def _closed_pipe() -> tuple[int, int]:
    """A pipe whose reader is already gone: every write to it is EPIPE."""
    reader, writer = os.pipe()
    os.close(reader)
    return reader, writer


def test_a_reader_gone_keeps_the_runs_own_exit_code_and_says_nothing(project: Path) -> None:
    _, writer = _closed_pipe()
    try:
        drift = _driftcheck(["diff", "a.yaml", "b.yaml"], project, stdout=writer)
        shapes = _driftcheck(["shape", "a.yaml", "--format", "json"], project, stdout=writer)
        helped = _driftcheck(["--help"], project, stdout=writer, guarded=True)
    finally:
        os.close(writer)
    assert (drift.returncode, drift.stderr) == (1, b"")
    assert (shapes.returncode, shapes.stderr) == (0, b"")
    assert (helped.returncode, helped.stderr) == (0, b"")


def test_a_reader_that_stops_after_one_line(project: Path) -> None:
    """`| head -1`: however much was written before the reader went, the same exit."""
    process = subprocess.Popen(
        [sys.executable, "-m", "driftcheck", "shape", "a.yaml", "b.yaml", "--format", "json"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    assert process.stdout.readline() == b"{\n"
    process.stdout.close()
    error = process.stderr.read()
    assert (process.wait(timeout=60), error) == (0, b"")


def test_output_onto_a_symlink_to_a_file_writes_the_file_and_keeps_the_link(
    tmp_path: Path,
) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    result = run("diff", str(TEAMS), str(OKTA), "--format", "json", "-o", str(link))
    assert result.exit_code == 1, result.output
    assert link.is_symlink()
    assert json.loads(target.read_text())["findings"]


def test_output_onto_a_symlink_to_stdout_writes_in_place(project: Path) -> None:
    (project / "lnk").symlink_to("/dev/stdout")
    result = _driftcheck(["diff", "a.yaml", "b.yaml", "--format", "json", "-o", "lnk"], project)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["findings"]
    assert (project / "lnk").is_symlink()


def test_output_onto_a_fifo_writes_to_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as stream:
            received.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        args = ["diff", str(TEAMS), str(OKTA), "--format", "json", "-o", "f"]
        result = _driftcheck(args, tmp_path)
    finally:
        if reader.is_alive():  # the bug: renamed over, the FIFO never opened for writing
            with open(fifo, "wb"):
                pass
        reader.join(timeout=30)
    assert result.returncode == 1, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["findings"]


def test_output_onto_a_device_is_written_in_place(tmp_path: Path) -> None:
    (tmp_path / "full").symlink_to("/dev/full")  # a device that says whether it was written
    result = run("diff", str(TEAMS), str(OKTA), "-o", str(tmp_path / "full"))
    assert result.exit_code == 2
    assert f"cannot write {tmp_path / 'full'}: No space left on device" in result.output
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)
    assert (tmp_path / "full").is_symlink()


def test_an_empty_output_name_is_a_usage_error() -> None:
    result = run("diff", str(TEAMS), str(OKTA), "-o", "")
    assert result.exit_code == 2
    assert "must be a file name, or '-' for standard output" in result.output
    assert "internal error" not in result.output


def test_a_long_valid_output_name_is_written(tmp_path: Path) -> None:
    target = tmp_path / ("z" * 235 + ".json")
    target.touch()  # the name is valid
    result = run("diff", str(TEAMS), str(OKTA), "--format", "json", "-o", str(target))
    assert result.exit_code == 1, result.output
    assert json.loads(target.read_text())["findings"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


@pytest.mark.parametrize("name", ["z" * 255, "é" * 127, "short.json"])
def test_temporary_names_stay_valid_hidden_and_unique(tmp_path: Path, name: str) -> None:
    first, second = temporary_name(tmp_path / name), temporary_name(tmp_path / name)
    assert first != second
    for temporary in (first, second):
        assert len(os.fsencode(temporary.name)) <= NAME_MAX
        assert temporary.name.startswith(".")
        assert temporary.name.endswith(".tmp")
        assert temporary.parent == tmp_path
    write_atomic(tmp_path / name, "x")  # and it works
    assert (tmp_path / name).read_text() == "x"


def test_short_temporary_names_keep_their_form(tmp_path: Path) -> None:
    """The cache prunes leftovers by this form: `.NAME.PID.TOKEN.tmp`."""
    temporary = temporary_name(tmp_path / "entry.json")
    prefix, pid, token, suffix = temporary.name.rsplit(".", 3)
    assert (prefix, pid, len(token), suffix) == (".entry.json", str(os.getpid()), 8, "tmp")
