"""The process pool that reads runs of files: stopped with its parent, robust to a crash.

Ctrl-C reaches every process of the terminal's foreground group, so workers ignore
SIGINT: the parent decides. When the parent stops (Ctrl-C, SIGTERM raised as
`Terminated`), it cancels what is queued and terminates the workers; a worker told to
stop unwinds its call first, so a cache entry half written is removed, never left. On
Linux the kernel also stops a worker whose parent died however it died (SIGKILL too).

A worker that dies (a segfault in a C parser, the OOM killer, `os._exit`) breaks the
whole pool. Each worker marks in shared memory which file of its run it is reading (one
integer written per file: nothing else is paid while nothing crashes), so after a
crash the files being read are known: each is read again alone, in a process of its
own, where a second crash costs that file only (listed with the signal that killed its
reader), and the rest goes on on a fresh pool.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import FrameType
from typing import Any, Generic, TypeVar

from driftcheck.errors import DriftcheckError

T = TypeVar("T")  # what each call needs besides its files (cache folder, matchers, ...)
R = TypeVar("R")  # what a call returns for a run of files
Read = Callable[[Sequence[str], T], R]

GRACE = 1.0  # seconds a stopped worker has to unwind before it is killed
RETRIES = 2  # fresh pools after crashes that hit no file (an idle worker killed)
NOT_STARTED = -1
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_HELD = {signal.SIGINT, signal.SIGTERM}

_progress: Any = None  # in a worker: the round's markers, one per call (a shared array)
_slot = NOT_STARTED  # in a worker: which marker is this call's
_busy = False  # in a worker: inside a call (a stop then unwinds rather than exits)


class _Stopped(BaseException):
    """A worker told to stop, in a call: unwinds it (running its clean-up), then exits."""


@dataclass(frozen=True, slots=True)
class _Piece:
    """Consecutive files of one run: `start` is the first one's position in the run."""

    run: int
    start: int
    paths: Sequence[str]  # a list, or a compact run of names (pickled as a list)


class _Collected(Generic[R]):
    """Results of pieces of runs, handed to `take` run by run, in the runs' order, as
    soon as a run is whole: the caller folds each and lets it go, so results do not
    pile up while the rest is read."""

    def __init__(self, sizes: list[int], take: Callable[[int, list[R]], None]) -> None:
        self._sizes = sizes
        self._take = take
        self._parts: dict[tuple[int, int], tuple[int, R]] = {}  # (run, start): size, result
        self._next = 0

    def put(self, piece: _Piece, result: R) -> None:
        self._parts[piece.run, piece.start] = (len(piece.paths), result)
        self.flush()

    def flush(self) -> None:
        """Hand on every run now whole that follows those handed on (an empty one too)."""
        while self._next < len(self._sizes) and self._whole(self._next):
            run, start, results = self._next, 0, []
            while start < self._sizes[run]:
                size, result = self._parts.pop((run, start))
                results.append(result)
                start += size
            self._next += 1
            self._take(run, results)

    def _whole(self, run: int) -> bool:
        start = 0
        while start < self._sizes[run] and (run, start) in self._parts:
            start += self._parts[run, start][0]
        return start == self._sizes[run]


def read_all(
    read: Read[T, R],
    runs: Sequence[Sequence[str]],
    shared: T,
    workers: int,
    crashed: Callable[[str, str], R],
    take: Callable[[int, list[R]], None] | None = None,
    heavy: Collection[int] = (),
) -> list[list[R]]:
    """`read(run, shared)` for each run on `workers` processes: each run's results, in
    file order (more than one when a crash split the run; `crashed(path, reason)` stands
    for a file whose reader died). `read` must call `mark` before each file. With
    `take`, each run's results go to it instead, in the runs' order, as soon as the run
    is read (and the lists returned are empty). The runs numbered in `heavy` (a huge
    cassette each) are read one at a time, beside the others: two at once would hold
    twice the memory one takes."""
    results: list[list[R]] = [[] for _ in runs]
    parts = _Collected([len(paths) for paths in runs], take or _into(results))
    todo = [_Piece(number, 0, paths) for number, paths in enumerate(runs) if paths]
    stalled = 0
    while todo:
        unfinished = _round(read, todo, shared, workers, parts, frozenset(heavy))
        started = any(position != NOT_STARTED for _, position in unfinished)
        stalled = stalled + 1 if len(unfinished) == len(todo) and not started else 0
        if stalled > RETRIES:
            raise DriftcheckError(
                "the processes reading cassettes died before reading any file; "
                "--workers 1 reads them in this process"
            )
        todo = _after_crash(read, unfinished, shared, parts, crashed)
    parts.flush()
    return results


def _into(results: list[list[R]]) -> Callable[[int, list[R]], None]:
    def take(run: int, found: list[R]) -> None:
        results[run].extend(found)

    return take


def mark(position: int) -> None:
    """In a worker, note which file of its run it reads now (a no-op outside a pool)."""
    if _progress is not None:
        _progress[_slot] = position


def _round(
    read: Read[T, R],
    todo: list[_Piece],
    shared: T,
    workers: int,
    parts: _Collected[R],
    heavy: frozenset[int] = frozenset(),
) -> list[tuple[_Piece, int]]:
    """One pool over `todo`, results into `parts`; the pieces a crash left unfinished,
    each with the position of the file it was reading (NOT_STARTED). Pieces of `heavy`
    runs go one at a time, the first ahead of the rest, the next once it is done."""
    progress = multiprocessing.Array(ctypes.c_long, [NOT_STARTED] * len(todo), lock=False)
    executor = ProcessPoolExecutor(
        max_workers=max(1, min(workers, len(todo))),
        initializer=_start_worker,
        initargs=(os.getpid(), progress),
    )
    unfinished = []
    later = [slot for slot, piece in enumerate(todo) if piece.run in heavy]
    waiting = later[:1] + [slot for slot, piece in enumerate(todo) if piece.run not in heavy]
    del later[:1]
    try:
        futures = dict(zip(waiting, _submit(executor, read, todo, waiting, shared), strict=True))
        while waiting:
            slot = waiting.pop(0)
            future = futures.pop(slot)  # its result is the caller's once put: not held here
            try:
                if future is None:
                    raise BrokenProcessPool("never submitted")
                parts.put(todo[slot], future.result())
            except BrokenProcessPool:
                unfinished.append((todo[slot], int(progress[slot])))
            if todo[slot].run in heavy and later:  # the next huge one, now this one is done
                (futures[later[0]],) = _submit(executor, read, todo, later[:1], shared)
                waiting.append(later.pop(0))
    except BaseException:  # Ctrl-C, SIGTERM (Terminated), a bug: no worker outlives this
        _stop(executor)
        raise
    executor.shutdown()
    return unfinished


def _submit(
    executor: ProcessPoolExecutor,
    read: Read[T, R],
    todo: list[_Piece],
    slots: list[int],
    shared: T,
) -> list[Future[R] | None]:
    """The pieces at `slots` queued; once a crash broke the pool, the rest left unqueued
    (None)."""
    futures: list[Future[R] | None] = []
    with _held():  # the workers are forked here
        for slot in slots:
            try:
                futures.append(executor.submit(_call, read, slot, todo[slot].paths, shared))
            except BrokenProcessPool:
                futures.append(None)
    return futures


def _after_crash(
    read: Read[T, R],
    unfinished: list[tuple[_Piece, int]],
    shared: T,
    parts: _Collected[R],
    crashed: Callable[[str, str], R],
) -> list[_Piece]:
    """Each file being read when the pool broke, read alone; the pieces left to read.

    A round that breaks while reading takes at least one file out, so the rounds end."""
    todo, suspects = [], []
    for piece, position in unfinished:
        if position == NOT_STARTED:
            todo.append(piece)
            continue
        suspects.append(
            _Piece(piece.run, piece.start + position, piece.paths[position : position + 1])
        )
        before, after = piece.paths[:position], piece.paths[position + 1 :]
        if before:
            todo.append(_Piece(piece.run, piece.start, before))
        if after:
            todo.append(_Piece(piece.run, piece.start + position + 1, after))
    for suspect in suspects:
        parts.put(suspect, _alone(read, suspect.paths, shared, crashed))
    return todo


def _alone(
    read: Read[T, R], paths: Sequence[str], shared: T, crashed: Callable[[str, str], R]
) -> R:
    """`read(paths)` in a process of its own, used once: its crash costs these files only."""
    context = multiprocessing.get_context()
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=_answer, args=(read, paths, shared, sender, os.getpid()), daemon=True
    )
    with _held():
        process.start()
    sender.close()
    try:
        answer: tuple[bool, Any] | None = receiver.recv()
    except EOFError:  # it died before answering
        answer = None
    except BaseException:
        _end([process])
        raise
    finally:
        receiver.close()
    process.join()
    if answer is None:
        return crashed(paths[0], _reason(process.exitcode))
    succeeded, value = answer
    if not succeeded:
        raise value
    return value  # type: ignore[no-any-return]  # what `read` returned, through a pipe


def _answer(
    read: Read[T, R], paths: Sequence[str], shared: T, sender: Connection, parent: int
) -> None:
    """A single-use process: read, and send back the result or the exception."""
    _start_worker(parent, None)
    try:
        result = _call(read, NOT_STARTED, paths, shared)
    except Exception as error:  # a bug: raised in the parent, as the pool would
        sender.send((False, error))
        return
    sender.send((True, result))


def _reason(exitcode: int | None) -> str:
    """Why a file is unreadable when its reader died: the signal that killed it."""
    if exitcode is not None and exitcode < 0:
        return f"the reader crashed (signal {-exitcode})"
    return f"the reader crashed (exit status {exitcode})"


# ------------------------------------------------------------------ in the workers


@contextlib.contextmanager
def _held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait while workers are forked, so a worker meets them only
    once its own handlers are set (one that came meanwhile reaches the parent after)."""
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _start_worker(parent: int, progress: Any) -> None:
    """A worker's set-up: Ctrl-C and SIGHUP are the parent's to handle, SIGTERM stops it cleanly,
    and it dies with its parent."""
    global _progress
    _progress = progress
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # a hang-up to the group: the parent's too
    signal.signal(signal.SIGTERM, _on_terminate)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _HELD)  # held while it was forked
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the kernel was told
        os._exit(128 + signal.SIGTERM)


def _on_terminate(number: int, frame: FrameType | None) -> None:
    """In a call, unwind it (a half-written cache entry is removed); idle, just exit."""
    if _busy:
        raise _Stopped
    os._exit(128 + number)


def _call(read: Read[T, R], slot: int, paths: Sequence[str], shared: T) -> R:
    global _slot, _busy
    _slot, _busy = slot, True
    try:
        return read(paths, shared)
    except _Stopped:
        os._exit(128 + signal.SIGTERM)
    finally:
        _busy = False


# ------------------------------------------------------------------ stopping


def _stop(executor: ProcessPoolExecutor) -> None:
    """Cancel what is queued and end every worker, now: none survives the parent."""
    processes = list((executor._processes or {}).values())  # no public handles
    manager: threading.Thread | None = getattr(executor, "_executor_manager_thread", None)
    executor.shutdown(wait=False, cancel_futures=True)
    _end(processes)
    if manager is not None:  # done before the interpreter's exit hook pokes it
        manager.join(GRACE)


def _end(processes: Sequence[multiprocessing.process.BaseProcess]) -> None:
    """SIGTERM (each unwinds its call), then SIGKILL for any still alive after GRACE."""
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.terminate()
    deadline = time.monotonic() + GRACE
    for process in processes:
        with contextlib.suppress(ValueError):
            process.join(max(0.0, deadline - time.monotonic()))
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            if process.is_alive():
                process.kill()
                process.join()
