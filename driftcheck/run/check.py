"""`driftcheck check`: record into a temporary folder, then diff as `diff` would."""

from __future__ import annotations

import dataclasses
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from driftcheck.config import Config, Endpoint
from driftcheck.core.merge import combine
from driftcheck.core.model import Outcome, Report
from driftcheck.run import spec as spec_run
from driftcheck.run.diff import cassette_report, stale_report
from driftcheck.run.mocks import mock_report
from driftcheck.run.record import record_endpoints
from driftcheck.run.recordings import Recordings
from driftcheck.run.scope import Scope


def check(
    config: Config,
    endpoints: tuple[Endpoint, ...],
    on_outcome: Callable[[Outcome], None] | None = None,
    scope: Scope | None = None,
) -> tuple[Report, list[Outcome]]:
    """Record `endpoints` into a temporary folder and compare with the committed cassettes.

    Every configured endpoint still names the recordings (a failed one must not let its
    interactions fall to another matcher); only the recorded ones are compared."""
    scope = scope or Scope()
    spec = None if scope.spec is None else spec_run.load(scope.spec)  # fails before recording
    with _temporary_folder() as folder:
        outcomes = record_endpoints(config, endpoints, Path(folder), on_outcome)
        recorded = {o.endpoint for o in outcomes if o.error is None}
        fresh = dataclasses.replace(config, fresh=Path(folder), fresh_sources=())
        recordings = Recordings(fresh, scope.reading)  # each cassette read once, for all three
        report = cassette_report(fresh, recordings, recorded, scope.now) or Report((), 0)
        mocks = mock_report(fresh, recordings, recorded)
        stale = stale_report(config, [o.endpoint for o in outcomes], scope, recordings)
        parts = [report, mocks, stale]
        if spec is not None:  # the fresh recordings against the spec too
            just_recorded = recordings.fresh.only(recorded).endpoints
            parts.append(spec_run.spec_report(spec, just_recorded, config))
    failures = tuple(o for o in outcomes if o.error)
    return dataclasses.replace(combine(parts), failed=failures), outcomes


@contextmanager
def _temporary_folder() -> Iterator[Path]:
    """A new private folder, removed whole however the run ends. Named before it is
    made, so a signal right after `mkdir` cannot lose it; removed by `_remove`, which a
    signal cannot cut short (`TemporaryDirectory.cleanup` stops where one lands)."""
    folder = Path(tempfile.gettempdir(), f"driftcheck-check-{secrets.token_hex(8)}")
    try:
        folder.mkdir(mode=0o700)
    except FileExistsError:  # 64 random bits: not ours, so not removed either
        raise
    except BaseException:
        _remove(folder)
        raise
    try:
        yield folder
    finally:
        _remove(folder)


def _remove(folder: Path) -> None:
    """Remove `folder` and all it holds, to the end even if a signal comes meanwhile;
    then raise the first signal's stop (the run exits 130 / 143 / 129 as it would)."""
    stop: KeyboardInterrupt | None = None
    while True:
        try:
            shutil.rmtree(folder, ignore_errors=True)
            break
        except KeyboardInterrupt as error:  # Ctrl-C, SIGTERM (Terminated), SIGHUP
            stop = stop or error
    if stop is not None:
        raise stop
