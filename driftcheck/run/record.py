"""`driftcheck record`: which configured endpoints a run covers, and recording them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from driftcheck.config import Config, Endpoint
from driftcheck.core.model import Outcome
from driftcheck.errors import CassetteError, ConfigError
from driftcheck.run.scope import Scope
from driftcheck.sources.bodies import unreadable
from driftcheck.sources.cassettes import read_cassette
from driftcheck.sources.staleness import recorded_time

UTC = datetime.timezone.utc


def selected(
    config: Config, names: tuple[str, ...], scope: Scope | None = None
) -> tuple[Endpoint, ...]:
    """The configured endpoints a run covers: those named (all when none), in its shard."""
    chosen = config.select(names)
    if not chosen:
        where = config.source or "no driftcheck.toml found"
        raise ConfigError(f"{where}: no [[endpoints]] to record")
    picked = (scope or Scope()).pick(e.name for e in chosen)
    return tuple(e for e in chosen if e.name in picked)


def record_endpoints(
    config: Config,
    endpoints: tuple[Endpoint, ...],
    out: Path,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Record `endpoints` of `config` into `out`, one cassette each."""
    from driftcheck.record import recorder  # imports requests (~0.15 s): only recording needs it

    settings = recorder.Settings.from_config(config, check_body=unreadable)
    return recorder.record(endpoints, out, settings, config.concurrency, on_outcome)


def due(config: Config, names: tuple[str, ...], target: Path, scope: Scope) -> tuple[Endpoint, ...]:
    """What `record` should record: the selected endpoints of this shard, and with a max
    age only those whose cassette in `target` is missing, unreadable or older than it."""
    chosen = selected(config, names, scope)
    if not scope.max_age:
        return chosen
    result = []
    for endpoint in chosen:
        path = target / f"{endpoint.name}.yaml"
        try:
            found = recorded_time(str(path), read_cassette(path).interactions)
        except CassetteError:
            found = None
        recorded = None if found is None else datetime.datetime.fromtimestamp(found[0], UTC)
        if recorded is None or scope.now - recorded > scope.max_age.delta:
            result.append(endpoint)
    return tuple(result)
