"""One exception tree for driftcheck; the CLI maps each class to an exit code in one place.

Recording failures are not exceptions: `record` and `check` report them per endpoint
and exit 3.

Messages say what failed, where (file, line, key) and what would be valid, in one line.
"""

from __future__ import annotations

import enum
import signal


class ExitCode(enum.IntEnum):
    """The process exit codes, as the CLI contract (DESIGN.md) defines them."""

    OK = 0  # no finding at or above --fail-on
    DRIFT = 1  # drift at or above --fail-on
    INPUT = 2  # usage, config or input error
    RECORDING = 3  # recording failed for some endpoints
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM)
    HANGUP = 129  # SIGHUP: the terminal closed, the ssh session dropped (128 + SIGHUP)


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so every Ctrl-C clean-up path runs for it too;
    the CLI exits 143 for it, 130 for a plain KeyboardInterrupt."""


class HungUp(Terminated):
    """SIGHUP (the terminal closed, an ssh session dropped): stops the run as SIGTERM
    does, clean-up included; the CLI exits 129 for it."""


# How a run stopped from outside ends, in one place: signal, what is raised in the main
# thread, the word of its one-line message, the exit code. Subclasses before their base.
_STOPS: tuple[tuple[int, type[KeyboardInterrupt], str, ExitCode], ...] = (
    (int(getattr(signal, "SIGHUP", 1)), HungUp, "hung up", ExitCode.HANGUP),
    (signal.SIGTERM, Terminated, "terminated", ExitCode.TERMINATED),
    (signal.SIGINT, KeyboardInterrupt, "interrupted", ExitCode.INTERRUPTED),
)


def stop_for(number: int) -> KeyboardInterrupt:
    """What signal `number` raises in the main thread (Ctrl-C's KeyboardInterrupt for any
    other)."""
    return next((kind() for signum, kind, _, _ in _STOPS if signum == number), KeyboardInterrupt())


def signal_of(stop: KeyboardInterrupt) -> int:
    """The signal that raises `stop`."""
    return next(signum for signum, kind, _, _ in _STOPS if isinstance(stop, kind))


def stop_reason(stop: KeyboardInterrupt) -> tuple[str, ExitCode]:
    """How a run stopped from outside ends: the word its one-line message gives, and its
    exit code, 129 for SIGHUP, 143 for SIGTERM, 130 for Ctrl-C."""
    return next((word, code) for _, kind, word, code in _STOPS if isinstance(stop, kind))


def wrapped_stop(error: BaseException) -> KeyboardInterrupt | None:
    """The signal's KeyboardInterrupt inside `error`'s causes, if any: Python wraps what
    `__set_name__` or a codec raises (a RuntimeError "Error calling __set_name__" when
    Ctrl-C lands during an import), and the run must still end as interrupted."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, KeyboardInterrupt):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None


class DriftcheckError(Exception):
    """Base of every error driftcheck reports to a user (exit code 2 unless a subclass says)."""

    exit_code = ExitCode.INPUT


class InputError(DriftcheckError):
    """A file or argument given to driftcheck cannot be used."""


class FileInputError(InputError):
    """A file cannot be used; `file` names it so a run can list it and go on."""

    def __init__(self, file: str, reason: str) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason


class CassetteError(FileInputError):
    """A cassette cannot be read."""


class FixtureError(FileInputError):
    """A mock fixture cannot be read, or a fixture reference matches nothing."""


class ShapeDepthError(InputError):
    """A JSON body nests deeper than driftcheck follows; refused rather than overflowing."""


class ConfigError(DriftcheckError):
    """The configuration is invalid."""
