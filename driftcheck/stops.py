"""How the `driftcheck` program takes SIGINT, SIGTERM and SIGHUP.

The first signal stops the run once: raised in the main thread as a KeyboardInterrupt
(`errors.stop_for`), so every clean-up Ctrl-C runs (temporary files and folders, pool
workers) runs for it too; it is raised only while a command parses or runs (`arm` /
`hold`), held before. Every later signal is only remembered, so clean-up and exit cannot
be interrupted, and the first one decides the exit code (`settle`).

Only the program's entry (`driftcheck/__main__.py`) installs this: a library must not take
a process's signals (the pytest plugin imports driftcheck too).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType
from typing import Any, NoReturn

RESEND = 0.05  # seconds: a dropped stop is sent again once its finalizer has returned
SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)

_received: list[int] = []  # every signal taken, in order; the first decides
_pid = 0  # the process that installed the handlers (a forked worker inherits them)
_running = False  # a command parses or runs: a signal may be raised
_armed = False  # the next signal is raised (no stop raised yet in this phase)
_wakeup = -1  # the read end of the wakeup pipe: signal numbers as they came
_taking = False  # a handler is reading the pipe and recording what it read


def install(held: list[int] | None = None) -> None:
    """Take the signals from now on, adopting `held`: those the entry module's first
    statements remembered (its handler may still add to it until this returns)."""
    global _received, _pid
    if _pid == os.getpid():
        return
    if held is not None:
        _received = held
    _pid = os.getpid()
    _order_of_arrival()
    for number in SIGNALS:
        signal.signal(number, _take)
    sys.unraisablehook = _lost


def _order_of_arrival() -> None:
    """Python runs the handlers of signals that came while the main thread was busy in C
    by signal number, not in the order they came (SIGHUP before a SIGINT sent earlier):
    the wakeup pipe, written by the C handler as each one comes, keeps that order.
    (Signals that arrive while the process is not running at all are all pending at
    once: the kernel delivers them in an order of its own, and no program can tell.)"""
    global _wakeup
    reader, writer = os.pipe()
    os.set_blocking(reader, False)
    os.set_blocking(writer, False)
    try:
        signal.set_wakeup_fd(writer, warn_on_full_buffer=False)
    except ValueError:  # not the main thread: the handlers' order, then
        os.close(reader)
        os.close(writer)
        return
    _wakeup = reader
    os.register_at_fork(after_in_child=_forget_wakeup)


def _forget_wakeup() -> None:
    """A forked pool worker must not write its own signals into its parent's pipe."""
    with contextlib.suppress(ValueError):
        signal.set_wakeup_fd(-1)


def _arrived() -> list[int]:
    """The stop signals come since last asked, in order of arrival (empty without the
    pipe); the pipe has every signal with a Python handler (SIGCHLD, SIGUSR1, ...)."""
    if _wakeup < 0:
        return []
    try:
        return [number for number in os.read(_wakeup, 4096) if number in SIGNALS]
    except OSError:  # nothing (EAGAIN): read by a handler that ran before this one
        return []


def _take(number: int, frame: FrameType | None) -> None:
    """Python may run a handler inside another, between any two of its steps: one that
    comes while another has read the pipe but not yet recorded what it read only leaves
    its number in the pipe, for the next to read (else it would record itself first)."""
    global _taking
    if os.getpid() != _pid or _taking:  # a forked pool worker (its parent stops it), or nested
        return
    _taking = True
    try:
        _received.extend(_arrived() or [number])
    finally:
        _taking = False
    if _armed:
        _raise()


def _raise() -> NoReturn:
    global _armed
    from driftcheck.errors import stop_for

    _armed = False  # once: what comes next is only remembered
    raise stop_for(_received[0])


def arm() -> None:
    """A command parses or runs: a signal stops it (the one held meanwhile, at once)."""
    global _running, _armed
    _running = True
    if _received:
        _raise()
    _armed = True


def hold() -> None:
    """The command has ended (or is stopping): signals are only remembered from now."""
    global _running, _armed
    _running = _armed = False


def settle(code: int, stop: KeyboardInterrupt | None = None) -> int:
    """The exit code once the run has ended with `code` (or `stop` escaped it): the first
    signal's, with its one line unless the run already said it. A signal that came once
    the work was done still counts: the user asked to stop (and the output is whole)."""
    from driftcheck.errors import stop_for, stop_reason

    first = stop_for(_received[0]) if _received else stop
    if first is None:
        return code
    word, stop_code = stop_reason(first)
    if code != stop_code:
        say(f"Error: {word}")
    return int(stop_code)


def say(line: str) -> None:
    """One line on stderr; after SIGHUP the terminal may be gone, and that is no error."""
    try:
        print(line, file=sys.stderr, flush=True)
    except (OSError, ValueError):
        _to_null(sys.stderr)


def finish() -> None:
    """The exit code is decided: the interpreter's shutdown ignores the signals (else,
    once Python restores their defaults, one would kill it), and output that cannot be
    flushed (a closed terminal) is dropped rather than turned into an exit code 120."""
    if os.getpid() == _pid:
        for number in SIGNALS:
            signal.signal(number, signal.SIG_IGN)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            _to_null(stream)


def _to_null(stream: Any) -> None:
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def _lost(unraisable: Any) -> None:
    """Python drops an exception raised where it cannot propagate (a weakref callback, a
    `__del__`): a stop would be lost, and the run go on. Send the signal again, to land
    in ordinary code once the finalizer is done (and should it land in one again, this
    comes round again)."""
    global _armed
    if not isinstance(unraisable.exc_value, KeyboardInterrupt):
        sys.__unraisablehook__(unraisable)
        return
    import threading

    from driftcheck.errors import signal_of

    _armed = _running  # the stop was not raised after all; held if the run has ended
    resend = threading.Timer(RESEND, os.kill, (os.getpid(), signal_of(unraisable.exc_value)))
    resend.daemon = True
    resend.start()
