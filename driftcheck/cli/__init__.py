"""The console-script entry point: signals first, then the command group (`cli/app.py`).

Importing the commands takes a moment; SIGTERM and Ctrl-C are handled from before it
(held until it is done), so a run stopped at any point exits 143 / 130 with one line,
never a traceback. Only `driftcheck.errors` is imported before the handlers are set.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

from driftcheck.errors import Terminated, stop_reason

if TYPE_CHECKING:
    from driftcheck.cli.app import cli as cli

RESEND = 0.05  # seconds: a dropped signal is sent again once its finalizer has returned
_pending: list[KeyboardInterrupt] = []  # signals that came while the commands were imported


def __getattr__(name: str) -> Any:
    """`driftcheck.cli.cli`, the group, imported when first asked for."""
    if name == "cli":
        from driftcheck.cli.app import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _terminate(number: int, frame: FrameType | None) -> NoReturn:
    raise Terminated


def _lost(unraisable: Any) -> None:
    """Python drops an exception raised where it cannot propagate (a weakref callback, a
    `__del__`): a signal's would be lost, and the run go on. Send the signal again, to
    land in ordinary code once the finalizer is done."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        terminated = isinstance(unraisable.exc_value, Terminated)
        number = signal.SIGTERM if terminated else signal.SIGINT
        # a moment later: sent now, its handler would run here, and be dropped too (and
        # should it still land in a finalizer, this comes round again)
        resend = threading.Timer(RESEND, os.kill, (os.getpid(), number))
        resend.daemon = True
        resend.start()
        return
    sys.__unraisablehook__(unraisable)


def _defer(number: int, frame: FrameType | None) -> None:
    """While the commands are imported, a signal waits: raised inside a C extension's
    initialisation (orjson's), the exception crashes the interpreter (a segfault)."""
    _pending.append(Terminated() if number == signal.SIGTERM else KeyboardInterrupt())


def main() -> None:
    """Run the command line. SIGTERM is raised as `Terminated` (a KeyboardInterrupt) in
    the main thread, so every clean-up Ctrl-C runs (temporary files and folders, pool
    workers) runs for it too; the group turns both into one line and 143 / 130."""
    signal.signal(signal.SIGTERM, _defer)
    signal.signal(signal.SIGINT, _defer)
    sys.unraisablehook = _lost
    try:
        from driftcheck.cli.app import cli

        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _terminate)
        if _pending:
            raise _pending[0]
        cli(prog_name="driftcheck")
    except KeyboardInterrupt as stop:  # before the group ran: while importing it
        reason, code = stop_reason(stop)
        print(f"Error: {reason}", file=sys.stderr)
        raise SystemExit(code) from None
    finally:  # the run has ended: a SIGTERM while the interpreter exits just ends it
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        sys.unraisablehook = sys.__unraisablehook__
