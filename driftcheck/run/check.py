"""`driftcheck check`: record into a temporary folder, then diff as `diff` would."""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from pathlib import Path

from driftcheck.config import Config, Endpoint
from driftcheck.core.merge import combine
from driftcheck.core.model import Outcome, Report
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
    with tempfile.TemporaryDirectory(prefix="driftcheck-check-") as folder:
        outcomes = record_endpoints(config, endpoints, Path(folder), on_outcome)
        recorded = {o.endpoint for o in outcomes if o.error is None}
        fresh = dataclasses.replace(config, fresh=Path(folder), fresh_sources=())
        recordings = Recordings(fresh, scope.reading)  # each cassette read once, for all three
        report = cassette_report(fresh, recordings, recorded) or Report((), 0)
        mocks = mock_report(fresh, recordings, recorded)
        stale = stale_report(config, [o.endpoint for o in outcomes], scope, recordings)
    failures = tuple(o for o in outcomes if o.error)
    return dataclasses.replace(combine([report, mocks, stale]), failed=failures), outcomes
