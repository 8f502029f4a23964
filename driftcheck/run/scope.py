"""What one run covers: its shard of the endpoints, the age a cassette may reach, how
cassettes are read (worker processes, shape cache, declared maps) and the moment it runs."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.core.compare import HeaderRules
from driftcheck.core.maps import Declared
from driftcheck.core.shard import Shard, pick
from driftcheck.core.staleness import Age
from driftcheck.sources.scan import Settings


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


@dataclass(frozen=True, slots=True)
class Scope:
    """A run's scope, parsed from flags and config before any work is done."""

    shard: Shard | None = None
    max_age: Age | None = None
    reading: Settings = field(default_factory=Settings)
    now: datetime.datetime = field(default_factory=_now)
    maps: Declared | None = None  # the config's `maps` / `not_maps`, also in `diff A B`
    volatile_headers: tuple[str, ...] = ()  # the config's: headers never compared
    scrub_headers: tuple[str, ...] = ()  # the config's: secrets, never compared nor shown
    scrub_body: tuple[str, ...] = ()  # the config's: body keys whose values are never enums
    spec: Path | None = None  # a provider's OpenAPI description the recordings are held to

    @property
    def header_rules(self) -> HeaderRules:
        return HeaderRules(self.now.timestamp(), self.volatile_headers, self.scrub_headers)

    def pick(self, names: Iterable[str]) -> set[str]:
        return pick(names, self.shard)
