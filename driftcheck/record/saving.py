"""Cassettes serialized, scanned and written on their own threads, off the main thread.

Written one after another by the main thread, cassettes held a 2,000-endpoint run at 3x
its ideal time: each fsync waited for the disk, and each system call for the GIL again,
while the main thread was the only one taking results from the workers. Here a few
daemon threads write; their fsyncs overlap (and the file system batches them) and the
folder fsync is shared (`files.DurableWrites`). A write's outcome is a `Future` that the
main thread reports in the order endpoints finished, as before.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from driftcheck.config import Endpoint
from driftcheck.core.model import Outcome
from driftcheck.record.writer import Exchange

Save = Callable[[Endpoint, list[Exchange]], Outcome]
_Job = tuple[Endpoint, list[Exchange], "Future[Outcome]"]


def saved(save: Save, endpoint: Endpoint, exchanges: list[Exchange]) -> Outcome:
    """`save`'s outcome; a bug while saving fails this endpoint, not the run (and never
    leaves the main thread waiting for an outcome that will not come)."""
    try:
        return save(endpoint, exchanges)
    except BaseException as error:  # one endpoint's failure, not the run's
        reason = f"cannot write its cassette: {type(error).__name__}: {error}"
        return Outcome(endpoint.name, len(exchanges), error=reason)


class Saver:
    """Run `save` for each submitted endpoint on `threads` daemon threads; the first
    starts at once and runs `warm` (e.g. imports) before the first save is due."""

    def __init__(self, save: Save, threads: int, warm: Callable[[], None] | None = None) -> None:
        self._save = save
        self._todo: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._stopped = threading.Event()
        self._threads = max(1, threads)
        self._news = threading.Event()  # an outcome got ready since the last `wait`
        self._started = 1
        threading.Thread(
            target=self._run, args=(warm,), name="driftcheck-save", daemon=True
        ).start()

    def submit(self, endpoint: Endpoint, exchanges: list[Exchange]) -> Future[Outcome]:
        future: Future[Outcome] = Future()
        self._todo.put((endpoint, exchanges, future))
        if self._started < self._threads:  # threads only as the work needs them
            self._started += 1
            threading.Thread(target=self._run, name="driftcheck-save", daemon=True).start()
        return future

    def _run(self, warm: Callable[[], None] | None = None) -> None:
        if warm is not None:
            with contextlib.suppress(Exception):  # a failure shows again at the first save
                warm()
        while not self._stopped.is_set():
            job = self._todo.get()
            if job is None or self._stopped.is_set():
                return
            endpoint, exchanges, future = job
            future.set_result(saved(self._save, endpoint, exchanges))
            self._news.set()

    def wait(self, timeout: float) -> None:
        """Return when an outcome got ready since the last call, or after `timeout`."""
        if self._news.wait(timeout):
            self._news.clear()

    def stop(self) -> None:
        """Start no other save; saves in flight end on their own (see DurableWrites.close)."""
        self._stopped.set()
        for _ in range(self._started):
            self._todo.put(None)
