"""Recording progress: a rich progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from driftcheck.core.model import Outcome
from driftcheck.reporting.safe_text import MESSAGE, for_terminal


def _line(outcome: Outcome) -> str:
    """One outcome on one line; endpoint names, paths and errors (which quote URLs and
    server text) are shown, never run: a log may be a terminal too."""
    endpoint = for_terminal(outcome.endpoint)
    if outcome.error:
        return f"FAILED {endpoint}: {for_terminal(outcome.error, MESSAGE)}"
    plural = "" if outcome.samples == 1 else "s"
    path = for_terminal(str(outcome.path), MESSAGE)
    return f"recorded {endpoint} ({outcome.samples} sample{plural}) -> {path}"


@contextlib.contextmanager
def progress(total: int, stream: TextIO, terminal: bool) -> Iterator[Callable[[Outcome], None]]:
    """Yield a callback to call once per finished endpoint."""
    if not terminal:

        def plain(outcome: Outcome) -> None:
            print(_line(outcome), file=stream, flush=True)

        yield plain
        return
    from rich.console import Console  # here, not above: only a terminal pays for rich
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    console = Console(file=stream)
    columns = (
        TextColumn("recording"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", markup=False),  # an endpoint name, not markup
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=total)

        def update(outcome: Outcome) -> None:
            endpoint = for_terminal(outcome.endpoint)
            if outcome.error:
                error = for_terminal(outcome.error, MESSAGE)
                bar.console.print(Text.assemble(("FAILED", "red"), f" {endpoint}: {error}"))
            bar.update(task, advance=1, description=endpoint)

        yield update


def summary(outcomes: Sequence[Outcome], out: str) -> str:
    """One line for what was written, then one line per failure with its reason."""
    written = [o for o in outcomes if o.error is None]
    failed = [o for o in outcomes if o.error is not None]
    lines = [
        f"recorded {len(written)} of {len(outcomes)} endpoints into {for_terminal(out, MESSAGE)}"
    ]
    if failed:
        lines.append(f"{len(failed)} failed; their existing cassettes were left untouched:")
        lines.extend(
            f"  {for_terminal(o.endpoint)}: {for_terminal(str(o.error), MESSAGE)}" for o in failed
        )
    return "\n".join(lines) + "\n"
