"""`driftcheck record`: which configured endpoints a run covers, and recording them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from driftcheck.config import Config, Endpoint
from driftcheck.core.model import Outcome
from driftcheck.core.staleness import moment
from driftcheck.errors import ConfigError
from driftcheck.run.recordings import newest, recordings_in
from driftcheck.run.scope import Scope
from driftcheck.sources.bodies import unreadable


def selected(
    config: Config, names: tuple[str, ...], scope: Scope | None = None
) -> tuple[Endpoint, ...]:
    """The configured endpoints a run covers: those named (all when none), in its shard."""
    chosen = config.select(names)
    if not chosen:
        where = config.source or "no driftcheck.toml found"
        raise ConfigError(f"{where}: no [[endpoints]] to record")
    picked = (scope or Scope()).pick(e.name for e in chosen)
    return recordable(config, tuple(e for e in chosen if e.name in picked))


def recordable(config: Config, endpoints: tuple[Endpoint, ...]) -> tuple[Endpoint, ...]:
    """`endpoints`, each with values for every URL placeholder: only recording needs
    them (`diff`, `shape`, `fixtures` and the pytest plugin match by template)."""
    for endpoint in endpoints:
        placeholder = endpoint.unfilled
        if placeholder is not None:
            where = config.source or "configuration"
            raise ConfigError(
                f"{where}: endpoint `{endpoint.name}`: url placeholder `{{{placeholder}}}` has "
                "no values in `params`; recording needs them"
            )
    return endpoints


def record_endpoints(
    config: Config,
    endpoints: tuple[Endpoint, ...],
    out: Path,
    on_outcome: Callable[[Outcome], None] | None = None,
    on_wait: Callable[[str], None] | None = None,
) -> list[Outcome]:
    """Record `endpoints` of `config` into `out`, one cassette each; `on_wait` gets a line
    each time a request waits before a retry."""
    from driftcheck.record import recorder  # imports requests (~0.15 s): only recording needs it

    settings = recorder.Settings.from_config(config, check_body=unreadable)
    chosen = recordable(config, endpoints)
    return recorder.record(chosen, out, settings, config.concurrency, on_outcome, on_wait)


def due(config: Config, names: tuple[str, ...], target: Path, scope: Scope) -> tuple[Endpoint, ...]:
    """What `record` should record: the selected endpoints of this shard, and with a max
    age only those with no recording in `target` (any file, any layout) newer than it."""
    chosen = selected(config, names, scope)
    if not scope.max_age:
        return chosen
    there = recordings_in(config, target, scope.reading)
    times = {r.endpoints[0]: r.stamp for r in newest(there, [e.name for e in chosen])}
    result = []
    for endpoint in chosen:
        stamp = times.get(endpoint.name)
        recorded = None if stamp is None else moment(stamp)
        if recorded is None or scope.now - recorded > scope.max_age.delta:
            result.append(endpoint)
    return tuple(result)
