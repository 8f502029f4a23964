"""The command line: `main()` runs the command group (`cli/app.py`) as the program.

Signals are `driftcheck.stops`'s: held while the group is imported, raised once while a
command is imported (on use: `cli/app.py` `COMMANDS`), parses or runs, only remembered
after; the first one decides the exit code (143 / 130 / 129) and its one line, never a
traceback. The program's entry (`driftcheck/__main__.py`) takes them at its first
statement; importing this package (tests, the pytest plugin) takes none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

from driftcheck import stops
from driftcheck.errors import wrapped_stop

if TYPE_CHECKING:
    from driftcheck.cli.app import cli as cli


def __getattr__(name: str) -> Any:
    """`driftcheck.cli.cli`, the group, imported when first asked for."""
    if name == "cli":
        from driftcheck.cli.app import cli

        return cli
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> NoReturn:
    """Run the command line as the program, and exit; it takes the process's SIGINT,
    SIGTERM and SIGHUP (already taken when started through `driftcheck/__main__.py`)."""
    stops.install()
    code = _run()
    stops.finish()
    raise SystemExit(code)


def _run() -> int:
    """The group's exit code, settled against any signal that came."""
    stop: KeyboardInterrupt | None = None
    code = 0
    try:
        from driftcheck.cli.app import cli
        from driftcheck.cli.streams import standalone

        standalone(cli, "driftcheck")
    except KeyboardInterrupt as escaped:  # a stop the group did not turn into its line
        stop, code = escaped, -1
    except Exception as error:  # a stop Python wrapped while importing (see `wrapped_stop`)
        if (wrapped := wrapped_stop(error)) is None:
            raise
        stop, code = wrapped, -1
    except SystemExit as end:
        code = _number(end.code)
    stops.hold()
    return stops.settle(code, stop)


def _number(code: object) -> int:
    """SystemExit's code as a process's: None is 0, a message is printed and 1."""
    if code is None or isinstance(code, int):
        return code or 0
    stops.say(str(code))
    return 1
