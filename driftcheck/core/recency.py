"""Recency: which recordings an endpoint's contract is built from (pure).

A cassette is dated by the newest date recorded in it (Ruby VCR's `recorded_at`, else the
responses' `Date` headers), as a UTC day, and a scan pools shapes per day: a status's
`eras`. A file with no date in it is undated: always part of a contract, never old. (Its
last git commit or modification time would date it too, but costs a call per file, on
tens of thousands of files, in the workers.)

`contract_since` keeps the days on or after a date, `contract_newest` the newest days an
endpoint was recorded on. Without either, an endpoint whose recordings span more than a
year is also held to its recent recordings alone: a finding only the old ones give says
so, and cannot fail a build on its own (a beta-era cassette makes keys look optional).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from driftcheck.core.model import Finding, Node, Severity, StatusShape
from driftcheck.core.shape import merge
from driftcheck.core.staleness import moment

UNDATED = ""  # the day of a file with no date in it
RECENT_DAYS = 365  # recordings older than this before an endpoint's newest are old
OLD_REASON = (
    "rests only on recordings before {month}: the recent ones do not show it "
    "(set `contract_since` to leave them out)"
)
OLD_NOTE = (
    "; seen only in recordings before {month} (the recent ones do not show it; "
    "set `contract_since` to drop them)"
)


def day_of(stamps: Iterable[float | None]) -> str:
    """A file's day: the UTC date of the newest of its interactions' `recorded_at`, ISO;
    `UNDATED` when none has one."""
    newest = max((stamp for stamp in stamps if stamp is not None), default=None)
    when = None if newest is None else moment(newest)
    return UNDATED if when is None else when.date().isoformat()


@dataclass(frozen=True, slots=True)
class Recency:
    """What an endpoint's contract is built from: its recordings of `since` or later, and
    of its `newest` recording days; both None: all of them."""

    since: datetime.date | None = None
    newest: int | None = None

    def __bool__(self) -> bool:
        return self.since is not None or self.newest is not None

    @property
    def setting(self) -> str:
        """How the config says it, for messages."""
        said = []
        if self.since is not None:
            said.append(f"`contract_since = {self.since.isoformat()}`")
        if self.newest is not None:
            said.append(f"`contract_newest = {self.newest}`")
        return " and ".join(said)


def days_of(statuses: Mapping[int, StatusShape]) -> list[str]:
    """The days an endpoint's JSON bodies were recorded on, oldest first (undated left out)."""
    return sorted({day for shape in statuses.values() for day, _ in shape.eras if day})


def chosen_days(days: Iterable[str], recency: Recency) -> frozenset[str]:
    """The days of `days` a recency keeps: on or after `since`, then the `newest` of them."""
    kept = sorted({day for day in days if day})
    if recency.since is not None:
        kept = [day for day in kept if day >= recency.since.isoformat()]
    if recency.newest is not None:
        kept = kept[-recency.newest :] if recency.newest > 0 else []
    return frozenset(kept)


def restricted(
    statuses: Mapping[int, StatusShape], keep: Callable[[str], bool]
) -> dict[int, StatusShape]:
    """The statuses with only the eras whose day `keep` accepts (undated ones always); a
    status whose every era is left out is left out. A status with no eras (no dated JSON
    body) stays whole."""
    found: dict[int, StatusShape] = {}
    for status, shape in statuses.items():
        eras = tuple(era for era in shape.eras if era[0] == UNDATED or keep(era[0]))
        if len(eras) == len(shape.eras):
            found[status] = shape
        elif eras:
            found[status] = _only(shape, eras)
    return found


def _only(shape: StatusShape, eras: tuple[tuple[str, Node], ...]) -> StatusShape:
    nodes = [node for _, node in eras]
    dropped = sum(node.count for _, node in shape.eras) - sum(node.count for node in nodes)
    return dataclasses.replace(
        shape,
        samples=shape.samples - dropped,
        shape=nodes[0] if len(nodes) == 1 else merge(*nodes),
        eras=eras,
    )


def keeps(statuses: Mapping[int, StatusShape], recency: Recency) -> Callable[[str], bool]:
    """Whether a recording day is part of an endpoint's contract (undated ones always)."""
    if not recency:
        return _every_day
    days = chosen_days(days_of(statuses), recency)
    return lambda day: day == UNDATED or day in days


def _every_day(day: str) -> bool:
    return True


def select(statuses: Mapping[int, StatusShape], recency: Recency) -> Mapping[int, StatusShape]:
    """An endpoint's statuses as its configured recency builds its contract (unchanged
    when none is configured)."""
    if not recency:
        return statuses
    return restricted(statuses, keeps(statuses, recency))


@dataclass(frozen=True, slots=True)
class Recent:
    """An endpoint's recordings of the last `RECENT_DAYS` before its newest one, when it
    has older ones too: `before` is the month the old ones all precede (`2015-07`)."""

    statuses: Mapping[int, StatusShape]
    before: str


def recent(statuses: Mapping[int, StatusShape]) -> Recent | None:
    """The recent recordings, when the endpoint's recordings span more than a year."""
    days = days_of(statuses)
    if not days:
        return None
    newest = datetime.date.fromisoformat(days[-1])
    if newest.toordinal() <= RECENT_DAYS:  # year 1: nothing can be a year older
        return None
    cutoff = (newest - datetime.timedelta(days=RECENT_DAYS)).isoformat()
    old = [day for day in days if day < cutoff]
    if not old:
        return None
    return Recent(restricted(statuses, lambda day: day >= cutoff), _month_after(old[-1]))


def _month_after(day: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def only_old(
    findings: Sequence[Finding], recent_findings: Iterable[Finding], before: str
) -> list[Finding]:
    """`findings` of the whole contract; those the recent recordings alone do not give
    (by rule, path and location) say they rest on old recordings, and are shown as ignored
    (warnings at most): a finding the API of today contradicts must not fail a build."""
    shown = {(found.rule, found.path, found.location) for found in recent_findings}
    return [
        found if (found.rule, found.path, found.location) in shown else _old(found, before)
        for found in findings
    ]


def _old(found: Finding, before: str) -> Finding:
    return dataclasses.replace(
        found,
        message=found.message + OLD_NOTE.format(month=before),
        severity=min(found.severity, Severity.WARNING),
        ignored=found.ignored or OLD_REASON.format(month=before),
    )
