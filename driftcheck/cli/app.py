"""The command group: parse, call one command function, render, exit with its code.

Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 usage/config/input error,
3 recording failed, 130 Ctrl-C, 143 SIGTERM. `DriftcheckError`s, Ctrl-C and SIGTERM become
one-line messages here and nowhere else (`cli/__init__.py` only for a signal that comes
while this module is still being imported).
"""

from __future__ import annotations

import os
from typing import Any

import click

from driftcheck import __version__
from driftcheck.cli.common import fail, interruption
from driftcheck.errors import DriftcheckError


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
            return super().make_context(info_name, args, parent, **extra)
        except KeyboardInterrupt as stop:
            fail(*interruption(stop))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM raised as `Terminated`
            fail(*interruption(stop))  # else Click says "Aborted!" and exits 1, the drift code
        except DriftcheckError as error:
            fail(str(error), error.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
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
