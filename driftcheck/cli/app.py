"""The command group: parse, call one command function, render, exit with its code.

Exit codes: 0 no drift at or above --fail-on, 1 drift, 2 usage/config/input error,
3 recording failed, 129 SIGHUP, 130 Ctrl-C, 143 SIGTERM. `DriftcheckError`s and signals
become one-line messages here (`cli/__init__.py` only for a signal that comes once the
group has ended: `driftcheck.stops.settle`).

Commands are imported when used (`COMMANDS`): `driftcheck --help` and `driftcheck diff`
start in a fraction of the time that importing every command's implementation took.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from gettext import gettext as _
from typing import Any, NamedTuple, NoReturn, TypeVar

import click

from driftcheck import __version__, stops
from driftcheck.cli import streams
from driftcheck.errors import DriftcheckError, ExitCode, stop_reason, wrapped_stop

_T = TypeVar("_T")


class Lazy(NamedTuple):
    """Where a command lives, and the first paragraph of its help: the group's --help
    lists it from this alone, without importing it."""

    target: str  # "module:attribute"
    summary: str


# Every command: tests/cli/test_startup.py checks each entry against the command it names,
# and that every command defined under driftcheck/cli/ is here.
COMMANDS: Mapping[str, Lazy] = {
    "check": Lazy(
        "driftcheck.cli.reports:check",
        "Record the live endpoints into a temporary folder and diff them with the committed "
        "cassettes.",
    ),
    "demo": Lazy(
        "driftcheck.cli.inspect:demo",
        "Run the bundled demo end to end: a local API drifts, driftcheck finds it.",
    ),
    "diff": Lazy(
        "driftcheck.cli.reports:diff",
        "Compare response shapes: two cassette sets, or what the config names.",
    ),
    "fixtures": Lazy(
        "driftcheck.cli.inspect:fixtures",
        "Write edge-case JSON fixtures for ENDPOINT, derived from its recordings.",
    ),
    "init": Lazy(
        "driftcheck.cli.setup:init",
        "Write driftcheck.toml from the cassettes and mocks of a repository.",
    ),
    "merge": Lazy(
        "driftcheck.cli.reports:merge",
        "Combine the JSON reports of sharded runs into one report, in any format.",
    ),
    "record": Lazy(
        "driftcheck.cli.recording:record",
        "Call the configured live endpoints and write one cassette per endpoint.",
    ),
    "schema": Lazy(
        "driftcheck.cli.inspect:schema",
        "Write what the recordings prove as an OpenAPI document or JSON Schemas.",
    ),
    "shape": Lazy(
        "driftcheck.cli.inspect:shape",
        "Show the inferred shape of every endpoint in cassette files or folders.",
    ),
}


def load(target: str) -> click.Command:
    """The command at "module:attribute", its module imported now."""
    module, _colon, attribute = target.partition(":")
    command: click.Command = getattr(importlib.import_module(module), attribute)
    return command


class _Commands(MutableMapping[str, click.Command]):
    """The group's `commands`: every name of `COMMANDS` (and any added), each command
    imported the first time it is looked up. Names, membership and Click's "did you mean"
    need no import."""

    def __init__(self, table: Mapping[str, Lazy]) -> None:
        self._table = dict(table)
        self._loaded: dict[str, click.Command] = {}

    def __getitem__(self, name: str) -> click.Command:
        if name not in self._loaded:
            self._loaded[name] = load(self._table[name].target)  # KeyError: no such command
        return self._loaded[name]

    def __setitem__(self, name: str, command: click.Command) -> None:
        self._loaded[name] = command

    def __delitem__(self, name: str) -> None:
        if name not in self._table and name not in self._loaded:
            raise KeyError(name)
        self._table.pop(name, None)
        self._loaded.pop(name, None)

    def __contains__(self, name: object) -> bool:
        return name in self._table or name in self._loaded

    def __iter__(self) -> Iterator[str]:
        return iter(sorted({*self._table, *self._loaded}))

    def __len__(self) -> int:
        return len({*self._table, *self._loaded})

    def described(self, name: str) -> click.Command:
        """The command as --help lists it: itself once imported, else a stand-in that
        has only its summary (so Click shortens it exactly as it would the command's)."""
        if name in self._loaded:
            return self._loaded[name]
        return click.Command(name, help=self._table[name].summary)


def _armed(call: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """Run `call` with signals raised (a held one at once), and held again the moment
    it ends: nothing after a command can be interrupted (`driftcheck.stops`)."""
    try:
        stops.arm()
        return call(*args, **kwargs)
    finally:
        stops.hold()


def _import_held() -> None:
    """What must be imported while signals are held, before a command is armed: orjson,
    whose module init crashes the process (SIGSEGV) when Ctrl-C is raised inside it (CI
    saw it). A signal meanwhile is raised as the command starts."""
    import driftcheck.jsonio  # noqa: F401  # imported for its side effect: orjson loaded


def _fail(message: str, exit_code: ExitCode = ExitCode.INPUT) -> NoReturn:
    """`cli/common.py` `fail`, imported only when a run fails: --help does not need it."""
    from driftcheck.cli.common import fail

    fail(message, exit_code)


class _Group(click.Group):
    commands: _Commands  # a lazy mapping in place of the dict

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        given, self.commands = self.commands, _Commands(COMMANDS)
        self.commands.update(given)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Click's listing of commands, each described without importing it."""
        listed = [(name, self.commands.described(name)) for name in self.list_commands(ctx)]
        listed = [(name, command) for name, command in listed if not command.hidden]
        if not listed:
            return
        limit = formatter.width - 6 - max(len(name) for name, _command in listed)
        rows = [(name, command.get_short_help_str(limit)) for name, command in listed]
        with formatter.section(_("Commands")):
            formatter.write_dl(rows)

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
            _fail(*stop_reason(stop))

    def invoke(self, ctx: click.Context) -> Any:
        _import_held()
        try:
            return _armed(super().invoke, ctx)
        except KeyboardInterrupt as stop:  # Ctrl-C, or SIGTERM / SIGHUP raised as `Terminated`
            _fail(*stop_reason(stop))
        except DriftcheckError as error:
            _fail(str(error), error.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as error:
            if (wrapped := wrapped_stop(error)) is not None:
                _fail(*stop_reason(wrapped))
            if isinstance(error, OSError) and streams.stdout_failed(error):  # a --help text
                _fail(f"cannot write to stdout: {streams.reason(error)}")
            if os.environ.get("DRIFTCHECK_DEBUG"):
                raise
            _fail(
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
