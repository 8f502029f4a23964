"""The command group: parse, call one command function, render, exit with its code.

Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 usage/config/input error,
3 recording failed, 129 SIGHUP, 130 Ctrl-C, 143 SIGTERM. `DriftcheckError`s and signals
become one-line messages here (`cli/__init__.py` only for a signal that comes once the
group has ended: `driftcheck.stops.settle`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

import click

from driftcheck import __version__, stops
from driftcheck.cli import streams
from driftcheck.cli.common import fail
from driftcheck.errors import DriftcheckError, stop_reason

_T = TypeVar("_T")


def _armed(call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run `call` with signals raised (a held one at once), and held again the moment
    it ends: nothing after a command can be interrupted (`driftcheck.stops`)."""
    try:
        stops.arm()
        return call(*args, **kwargs)
    finally:
        stops.hold()


class _Group(click.Group):
    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """Parse the command line; a signal meanwhile stops the run as during `invoke`."""
        try:
            return _armed(super().make_context, info_name, args, parent, **extra)
        except KeyboardInterrupt as stop:
            fail(*stop_reason(stop))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return _armed(super().invoke, ctx)
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM / SIGHUP raised as `Terminated`
            fail(*stop_reason(stop))
        except DriftcheckError as error:
            fail(str(error), error.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            if isinstance(error, OSError) and streams.stdout_failed(error):  # a --help text
                fail(f"cannot write to stdout: {streams.reason(error)}")
            if os.environ.get("DRIFTCHECK_DEBUG"):
                raise
            fail(
                f"internal error: {type(error).__name__}: {error} "
                "(a bug in driftcheck; DRIFTCHECK_DEBUG=1 shows the traceback)"
            )


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="driftcheck")
def cli() -> None:
    """Catch API contract drift in recorded VCR.py cassettes and test mocks.

    driftcheck infers the shape of every JSON response body (key paths, types,
    how often each key is present, nullability) and reports how shapes drift:
    between recordings, and between recordings and the mocks your tests use.
    """


from driftcheck.cli import inspect, recording, reports, setup  # noqa: E402 - registers the commands

for _module in (reports, recording, inspect, setup):
    for _command in _module.COMMANDS:
        cli.add_command(_command)
