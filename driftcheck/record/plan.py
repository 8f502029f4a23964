"""A recording run's bookkeeping: its samples, and one outcome per endpoint whatever fails.

Apart from the HTTP side (`record/recorder.py`) so that it holds plain values only. Every
failure of one endpoint — a sample's error, a cassette that cannot be written, a bug —
becomes that endpoint's outcome, its message made safe to show; the run goes on.
"""

from __future__ import annotations

import contextlib
import itertools
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlencode

from driftcheck.config import Endpoint
from driftcheck.core.model import Outcome
from driftcheck.record.exchange import SampleError
from driftcheck.record.pool import Overdue
from driftcheck.record.writer import Exchange

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Sample:
    """One request of an endpoint: its URL filled from one combination of params."""

    endpoint: Endpoint
    index: int
    url: str


def samples(endpoint: Endpoint) -> Iterator[Sample]:
    """One sample per combination of `params`; params not in the URL go to the query."""
    names = sorted(endpoint.params)
    in_url = set(endpoint.placeholders)
    combos = itertools.product(*(endpoint.params[name] for name in names))
    for index, combo in enumerate(combos):
        values = dict(zip(names, combo, strict=True))
        url = endpoint.url.format_map({k: v for k, v in values.items() if k in in_url})
        extra = {k: v for k, v in values.items() if k not in in_url}
        query = {**endpoint.query, **{k: str(v) for k, v in extra.items()}}
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        yield Sample(endpoint, index, url)


def call_safely(callback: Callable[[T], None] | None, value: T) -> None:
    """Call a display callback; one that raises (a closed terminal, markup it cannot
    render) costs only that line: the summary still lists every outcome."""
    if callback is None:
        return
    with contextlib.suppress(Exception):  # a display must never end a recording run
        callback(value)


def cannot_write(path: Path, error: OSError) -> str:
    """One line for a cassette that could not be written, without the temporary name."""
    reason = error.strerror or type(error).__name__
    if isinstance(error, FileExistsError | NotADirectoryError):
        blocking = next((p for p in reversed(path.parents) if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            reason = f"{blocking} is a file, not a folder"
    return f"cannot write {path}: {reason}"


class Run:
    """The results of one run, endpoint by endpoint, as they arrive in any order.

    An endpoint whose samples all succeeded is handed to `write`, which returns its
    outcome as a `Future` (written on another thread); `flush` reports outcomes in the
    order endpoints finished, each once its write has ended."""

    def __init__(
        self,
        endpoints: tuple[Endpoint, ...],
        write: Callable[[Endpoint, list[Exchange]], Future[Outcome]],
        show: Callable[[str], str],
        timeout: float,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self._endpoints = endpoints
        self._write = write
        self._show = show
        self._timeout = timeout
        self._on_outcome = on_outcome
        self._plan = {endpoint.name: list(samples(endpoint)) for endpoint in endpoints}
        self._results: dict[str, list[Exchange | None]] = {
            name: [None] * len(found) for name, found in self._plan.items()
        }
        self._finished: set[str] = set()
        self._unreported: deque[Future[Outcome]] = deque()  # in the order they finished
        self._done: dict[str, Outcome] = {}
        for endpoint in endpoints:
            if not self._plan[endpoint.name]:
                self._fail(endpoint.name, "no samples: a `params` list is empty")

    def samples(self) -> list[Sample]:
        return [sample for found in self._plan.values() for sample in found]

    def take(self, sample: Sample, value: Exchange | BaseException) -> None:
        """One sample's exchange or error; the endpoint's cassette is written once all of
        its samples succeeded, and it fails at its first failed sample."""
        name = sample.endpoint.name
        if name in self._finished:
            return  # this endpoint already failed
        if isinstance(value, BaseException):
            self._fail(name, self._reason(value))
            return
        slots = self._results[name]
        slots[sample.index] = value
        if all(item is not None for item in slots):
            exchanges = [item for item in slots if item is not None]
            del self._results[name]  # the exchanges now belong to the write
            self._finished.add(name)
            self._unreported.append(self._write(sample.endpoint, exchanges))

    def _reason(self, error: BaseException) -> str:
        if isinstance(error, SampleError):
            return str(error)
        if isinstance(error, Overdue):
            return f"timed out after {self._timeout:g} s"
        return f"{type(error).__name__}: {error}"  # a bug must not cost the other endpoints

    def _fail(self, name: str, reason: str) -> None:
        self._finished.add(name)
        self._results.pop(name, None)
        failed: Future[Outcome] = Future()
        failed.set_result(Outcome(name, len(self._plan[name]), error=reason))
        self._unreported.append(failed)

    def flush(self) -> bool:
        """Report every outcome ready, in order; True while some write is still running."""
        while self._unreported and self._unreported[0].done():
            outcome = self._unreported.popleft().result()
            if outcome.error is not None:  # the one place failures are made safe to show
                outcome = replace(outcome, error=self._show(outcome.error))
            self._done[outcome.endpoint] = outcome
            call_safely(self._on_outcome, outcome)
        return bool(self._unreported)

    def outcomes(self) -> list[Outcome]:
        """One outcome per endpoint, in the order they were given."""
        return [self._done[endpoint.name] for endpoint in self._endpoints]
