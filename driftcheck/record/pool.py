"""Daemon worker threads for recording: neither a signal nor a hung server holds a run.

`ThreadPoolExecutor` joins its threads when the interpreter exits, so Ctrl-C waited for
every request in flight (98 s with `timeout = 100`). These workers are daemons: exit
leaves them behind. The main thread waits on a queue in short steps, so a signal's
exception lands within one step; it gives up on a job a worker holds past the job's
deadline (a DNS lookup that hangs, headers dripping a byte at a time) and starts a fresh
worker in its place. Workers wait (backoff) on an event that stopping the pool sets.
"""

from __future__ import annotations

import functools
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

POLL = 0.1  # seconds the main thread waits at a time
GRACE = 1.0  # seconds past a job's deadline before the main thread gives up on it


class Stopped(Exception):
    """The pool was stopped (Ctrl-C, SIGTERM, end of run): the job ends early."""


class Overdue(Exception):
    """A worker held a job past its deadline; the job was given up on."""


@dataclass(frozen=True, slots=True)
class Notice:
    """A line a worker wants shown while it works (e.g. why it is waiting)."""

    text: str


class Control:
    """What work sees of its pool: a deadline to publish, waits that stop, notices."""

    def __init__(
        self,
        stop: threading.Event | None = None,
        notify: Callable[[str], None] | None = None,
    ) -> None:
        self.deadline: float | None = None  # monotonic; the pool gives up on the job after it
        self._stop = stop or threading.Event()
        self._notify = notify

    def wait(self, seconds: float) -> None:
        """Sleep `seconds`, or raise Stopped as soon as the pool stops."""
        if self._stop.wait(seconds):
            raise Stopped

    def notify(self, text: str) -> None:
        if self._notify is not None:
            self._notify(text)


@dataclass(eq=False)
class Job(Generic[T]):
    item: T
    control: Control = field(default_factory=Control)
    started: bool = False
    settled: bool = False  # its result was delivered, or it was given up on
    abandoned: bool = False  # given up on: its worker's later notices are dropped


Delivered = tuple[Job[T], R | BaseException | Notice]  # a job's result, error or notice


class Pool(Generic[T, R]):
    """Run `work(item, control)` for every item on at most `size` daemon threads."""

    def __init__(self, work: Callable[[T, Control], R], items: Iterable[T], size: int) -> None:
        self.stopped = threading.Event()
        self._work = work
        self._lock = threading.Lock()
        self._todo: queue.SimpleQueue[Job[T]] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[Delivered[T, R]] = queue.SimpleQueue()
        self._jobs: list[Job[T]] = []
        for item in items:
            job = Job(item)
            job.control = Control(self.stopped, functools.partial(self._notice, job))
            self._jobs.append(job)
            self._todo.put(job)
        for _ in range(min(size, len(self._jobs))):
            self._spawn()

    def _notice(self, job: Job[T], text: str) -> None:
        self._done.put((job, Notice(text)))

    def _spawn(self) -> None:
        threading.Thread(target=self._run, name="driftcheck-record", daemon=True).start()

    def _run(self) -> None:
        while not self.stopped.is_set():
            try:
                job = self._todo.get_nowait()
            except queue.Empty:
                return
            job.started = True
            value: R | BaseException
            try:
                value = self._work(job.item, job.control)
            except BaseException as error:  # delivered to the main thread, never lost
                value = error
            with self._lock:
                if job.settled:
                    return  # given up on: a fresh worker has taken this one's place
                job.settled = True
            self._done.put((job, value))

    def _overdue(self) -> list[Job[T]]:
        now = time.monotonic()
        with self._lock:
            late = [
                job
                for job in self._jobs
                if job.started
                and not job.settled
                and job.control.deadline is not None
                and now > job.control.deadline + GRACE
            ]
            for job in late:
                job.settled = job.abandoned = True
        for _ in late:
            self._spawn()
        return late

    def events(self) -> Iterator[Delivered[T, R] | None]:
        """Each job's result, error or Overdue, once, and notices meanwhile, as they come;
        None after each quiet step of POLL seconds (the caller may look at other work).

        The caller's loop runs in the main thread; the pool stops when it ends, however."""
        pending = len(self._jobs)
        try:
            checked = time.monotonic()
            while pending:
                try:
                    event = self._done.get(timeout=POLL)
                except queue.Empty:
                    yield None  # a quiet step: the caller may look at its other work
                else:
                    if not isinstance(event[1], Notice):
                        pending -= 1
                        yield event
                    elif not event[0].abandoned:
                        yield event
                if time.monotonic() - checked >= POLL:  # even while results pour in
                    checked = time.monotonic()
                    for late in self._overdue():
                        pending -= 1
                        yield late, Overdue()
        finally:
            self.stop()

    def stop(self) -> None:
        """End every wait and let no worker take another job; work in flight is abandoned."""
        self.stopped.set()
