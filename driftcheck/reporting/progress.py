"""Recording progress: a rich progress bar on a terminal, plain lines otherwise."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from typing import TextIO

from driftcheck.core.model import Outcome


def _line(outcome: Outcome) -> str:
    if outcome.error:
        return f"FAILED {outcome.endpoint}: {outcome.error}"
    plural = "" if outcome.samples == 1 else "s"
    return f"recorded {outcome.endpoint} ({outcome.samples} sample{plural}) -> {outcome.path}"


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

    console = Console(file=stream)
    columns = (
        TextColumn("recording"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=total)

        def update(outcome: Outcome) -> None:
            if outcome.error:
                bar.console.print(f"[red]FAILED[/] {outcome.endpoint}: {outcome.error}")
            bar.update(task, advance=1, description=outcome.endpoint)

        yield update


def summary(outcomes: Sequence[Outcome], out: str) -> str:
    """One line for what was written, then one line per failure with its reason."""
    written = [o for o in outcomes if o.error is None]
    failed = [o for o in outcomes if o.error is not None]
    lines = [f"recorded {len(written)} of {len(outcomes)} endpoints into {out}"]
    if failed:
        lines.append(f"{len(failed)} failed; their existing cassettes were left untouched:")
        lines.extend(f"  {o.endpoint}: {o.error}" for o in failed)
    return "\n".join(lines) + "\n"
