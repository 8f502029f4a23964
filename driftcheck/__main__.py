"""The `driftcheck` program: `python -m driftcheck`, and the console script (`main`).

Its first statements take SIGINT, SIGTERM and SIGHUP, before any other import: a signal
from here on is held, then stops the run with exit 130 / 143 / 129 and one line
(`driftcheck.stops`). Before them only Python's own start-up runs (`site`, the import of
the `driftcheck` package): a Ctrl-C there is Python's, as for any program.
"""

# First of all: `_signal` (the C module under `signal`) is loaded by Python's start-up,
# so this runs no Python code that a signal could interrupt; `signal` itself is not.
import _signal  # type: ignore[import-not-found]  # no stub; `signal` is its wrapper

_HELD: list[int] = []  # signals that came before `stops` took over; it adopts the list


def _hold(number: int, frame: object) -> None:
    _HELD.append(number)


for _number in (_signal.SIGINT, _signal.SIGTERM, getattr(_signal, "SIGHUP", _signal.SIGTERM)):
    _signal.signal(_number, _hold)

from driftcheck import stops  # noqa: E402 - after the handlers, on purpose

stops.install(_HELD)

from driftcheck.cli import main  # noqa: E402 - after the handlers, on purpose

__all__ = ["main"]

if __name__ == "__main__":
    main()
