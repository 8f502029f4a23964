"""The standard streams when they fail: closed (`>&-`), full (`>/dev/full`), or a reader
gone (`| head -1`).

What a command was asked to print (a report, a summary) failing to reach stdout is a
plain one-line error; a reader that went away wanted no more, so the run's exit code
stands. stderr only carries messages about the run: one that cannot be written is lost,
never a change of exit code. A stream that failed is pointed at /dev/null, so that what
is still buffered in it does not fail again when the interpreter exits (which would make
the exit code 120).
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any, NoReturn, TextIO, cast

import click

from driftcheck.errors import ExitCode

CLOSED = "standard output is closed"


def reason(error: OSError) -> str:
    """An OSError as the user reads it: "No space left on device"."""
    return error.strerror or str(error)


def is_terminal(stream: TextIO | None) -> bool:
    """Whether `stream` is a terminal; a closed or detached stream is not."""
    if stream is None:
        return False
    try:
        return stream.isatty()
    except (OSError, ValueError):
        return False


def _silence(stream: Any) -> None:
    """Point the file descriptor under `stream` at /dev/null: nothing more can be written
    there, and a later flush (the interpreter's, at exit) must not fail again."""
    try:
        descriptor = stream.fileno()
    except (OSError, ValueError, AttributeError):  # not a file: a test's in-memory stream
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, descriptor)
    finally:
        os.close(null)


class _Guarded:
    """A standard stream whose failures are handled where they happen: on stderr every
    OSError is dropped; on stdout a reader gone (EPIPE) ends the output quietly and any
    other error is raised. Everything else is the stream's own."""

    def __init__(self, stream: TextIO, drop_all: bool) -> None:
        self._stream = stream
        self._drop_all = drop_all
        self.failure: OSError | None = None

    def write(self, text: str) -> int:
        try:
            return self._stream.write(text)
        except OSError as error:
            self._failed(error)
            return len(text)

    def flush(self) -> None:
        try:
            self._stream.flush()
        except OSError as error:
            self._failed(error)

    def _failed(self, error: OSError) -> None:
        if not (self._drop_all or error.errno == errno.EPIPE):
            self.failure = error  # what `standalone` may call a stdout failure: this alone
            raise error  # its writer says so, and silences it (not Click probing it)
        _silence(self._stream)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def forgiving(stream: TextIO) -> TextIO:
    """`stream` (stderr) with every write error dropped: for progress lines and messages."""
    if isinstance(stream, _Guarded):
        return stream
    return cast(TextIO, _Guarded(stream, drop_all=True))


def stderr() -> TextIO:
    """A stream for messages about the run: stderr that never raises, /dev/null when
    stderr is closed."""
    if sys.stderr is None:
        return cast(TextIO, _Guarded(cast(TextIO, _Null()), drop_all=True))
    return forgiving(sys.stderr)


class _Null:
    """Where messages go when stderr is closed."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered."""

    def isatty(self) -> bool:
        return False


def to_stderr(line: str) -> None:
    """Print one line on stderr; a line that cannot be written is lost, nothing else."""
    stream = stderr()
    click.echo(line, file=stream)


def to_stdout(text: str) -> str | None:
    """Write `text` to stdout; None when done (or the reader went away: `| head -1`), else
    why it failed."""
    stream = sys.stdout
    if stream is None:
        return CLOSED
    try:
        click.echo(text, nl=False)
    except OSError as error:
        _silence(stream)
        return None if error.errno == errno.EPIPE else reason(error)
    return None


def stdout_failed(error: BaseException) -> bool:
    """Whether `error` is stdout failing under a write (not a file the command opened)."""
    return getattr(sys.stdout, "failure", None) is error


def standalone(command: click.Command, prog_name: str) -> NoReturn:
    """Run the command line with standard streams that cannot end it wrongly.

    A closed descriptor 0, 1 or 2 is opened on /dev/null first (a file opened later
    would otherwise take its number, and a worker's stray output land in it); stderr
    drops its write errors; stdout ends quietly when its reader goes away. Click's own
    --help / --version text failing to reach stdout is one line and exit 2.
    """
    _plug_closed()
    if sys.stdout is not None:
        sys.stdout = cast(TextIO, _Guarded(sys.stdout, drop_all=False))
    if sys.stderr is not None:
        sys.stderr = forgiving(sys.stderr)
    try:
        command(prog_name=prog_name)
    except OSError as error:  # Click writing --help, --version
        if not stdout_failed(error):
            raise  # not stdout's: a file named on the command line, with DRIFTCHECK_DEBUG
        _silence(sys.stdout)
        to_stderr(f"Error: cannot write to stdout: {reason(error)}")
        raise SystemExit(ExitCode.INPUT) from None
    raise SystemExit(ExitCode.OK)  # not reached: Click exits


def _plug_closed() -> None:
    for descriptor in (0, 1, 2):
        try:
            os.fstat(descriptor)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one
            if null != descriptor:
                os.dup2(null, descriptor)
                os.close(null)
