"""Config mode's mock check: every mock the tests feed their code, matched to a recorded
endpoint and status, and compared with what that status recorded.

The repository's mocks are read (`sources/mocks/`), the config's `fixtures` pin the
payloads they name (`mocks_pins.py`), and each mock is matched (`core/mock_match.py`)
against every recorded endpoint: configured matchers first, automatic keys for what no
configured endpoint claims; shapes from the fresh recordings where they hold an
endpoint, else the committed ones. The mocks held to one endpoint and status are
compared together, so the coverage rules see all of them. A mock whose status recorded
no JSON body moves to the unmatched with that reason: no mock is dropped.

A contract is built from the recordings an endpoint's `contract_since` / `contract_newest`
keep (`core/recency.py`); without them, an endpoint recorded over more than a year is also
held to its recent recordings, and what only the old ones give says so (`Held`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

from driftcheck.config import Config
from driftcheck.core.fixture_check import PER_PAYLOAD_RULES, Contract, compare_fixtures, contract_of
from driftcheck.core.mock_match import (
    Matched,
    MockMatches,
    Pins,
    Recorded,
    Unmatched,
    match_mocks,
    recorded_endpoints,
)
from driftcheck.core.mocks import MocksFound
from driftcheck.core.model import (
    EndpointSet,
    FileError,
    Finding,
    Fixture,
    Location,
    Report,
    StatusShape,
)
from driftcheck.core.recency import Recency, only_old, recent, select
from driftcheck.core.spec_model import Spec
from driftcheck.errors import InputError
from driftcheck.run.mocks_pins import config_pins
from driftcheck.run.recordings import Recordings, contract
from driftcheck.run.spec_mocks import SpecHeld, held_to_spec
from driftcheck.sources.mocks import repository_mocks
from driftcheck.sources.mocks.patch_targets import patch_target_urls

SHOWN = 3  # mock locations a note lists before "and N more"
GroupKey = tuple[str, int | None]  # (endpoint, status); None: its 2xx responses merged


def recorded_of(config: Config, recordings: Recordings) -> tuple[Recorded, ...]:
    """Every recorded endpoint as matching sees it: its configured matcher or automatic
    key, its shapes per status and request URLs, from the fresh recordings if they hold
    it, else the committed ones (as its contract comes)."""
    committed, fresh = recordings.sides()
    names = dict.fromkeys([*committed.endpoints.endpoints, *fresh.endpoints.endpoints])
    sides = [(s, s.uris(), s.sampled()) for s in (fresh, committed)]
    holding = {n: next(s for s in sides if n in s[0].endpoints.endpoints) for n in names}
    return recorded_endpoints(
        EndpointSet({n: side.endpoints.endpoints[n] for n, (side, _, _) in holding.items()}),
        config.matchers,
        {n: uris.get(n, ()) for n, (_, uris, _) in holding.items()},
        {n: side.every_uri(n) for n, (side, _, sampled) in holding.items() if n in sampled},
    )


def match_found(
    found: MocksFound, recorded: Sequence[Recorded], root: Path, pins: Pins | None = None
) -> MockMatches:
    """Each mock matched to a recorded endpoint, the patched callables' URLs read from
    the code under test first (`diff` and `init` match the same way)."""
    targets = [mock.patch_target for mock in found.mocks if mock.patch_target]
    return match_mocks(found, recorded, patch_target_urls(targets, root), pins)


def status_contract(
    endpoint: str, statuses: Mapping[int, StatusShape], status: int | None
) -> Contract | str:
    """What a mock of `status` is held to: that status's recorded JSON shape (None: the
    endpoint's 2xx responses merged, for a mock stating no status); else why there is
    nothing to hold it to."""
    if status is None:
        merged = contract_of(endpoint, statuses)
        return merged or f"`{endpoint}` has no 2xx JSON response recorded: nothing to compare"
    recorded = statuses.get(status)
    if recorded is None:
        seen = ", ".join(map(str, sorted(statuses))) or "nothing"
        return f"`{endpoint}` was never recorded answering {status} (recorded: {seen})"
    if recorded.shape is None:
        kinds = ", ".join(recorded.content_types) or "no content type"
        return f"`{endpoint}` recorded no JSON body for {status} ({kinds}): nothing to compare"
    return Contract(endpoint, status, recorded.shape.count, recorded.shape)


@dataclass(frozen=True, slots=True)
class Held:
    """What the mocks of one endpoint and status are held to: the contract and, when the
    endpoint's recordings span more than a year (no recency configured for it), the
    contract of the recent ones alone (None: they did not record that status), to tell
    the findings that rest only on old recordings."""

    contract: Contract
    recent: Contract | None = None
    before: str = ""  # the month the old recordings precede; "": none are old

    def findings(self, check: Callable[[Contract], list[Finding]]) -> list[Finding]:
        """`check`'s findings against the contract; those only old recordings give say so."""
        found = check(self.contract)
        if not self.before:
            return found
        return only_old(found, check(self.recent) if self.recent else [], self.before)


def held_to(
    endpoint: str, statuses: Mapping[int, StatusShape], status: int | None, recency: Recency
) -> Held | str:
    """`status_contract` of the recordings `recency` keeps, with the recent contract when
    old recordings must be told apart; else why there is nothing to hold a mock to."""
    found = status_contract(endpoint, select(statuses, recency), status)
    if isinstance(found, str):
        if recency and not isinstance(status_contract(endpoint, statuses, status), str):
            found = f"{found}; older recordings are left out by {recency.setting}"
        return found
    old = None if recency else recent(statuses)
    if old is None:
        return Held(found)
    now = status_contract(endpoint, old.statuses, status)
    return Held(found, None if isinstance(now, str) else now, old.before)


def mock_report(
    config: Config,
    recordings: Recordings | None = None,
    names: set[str] | None = None,
    spec: Spec | None = None,
) -> Report:
    """The repository's mocks against the recordings, as one report: the mock-* findings,
    the (endpoint, status) pairs compared, and the coverage of every mock found.

    `names`: the endpoints this run covers (a shard, what `check` recorded); mocks held
    to others are matched the same way but compared by the run that covers them. With a
    `spec`, mocks of endpoints never recorded are held to its documented responses."""
    recordings = recordings or Recordings(config)
    found = repository_mocks(config.root)
    pinned = config_pins(config, found, names)
    recorded = recorded_of(config, recordings)
    matches = match_found(pinned.found, recorded, config.root, pinned.pins)
    statuses = {endpoint.name: endpoint.statuses for endpoint in recorded}
    compared = _Comparison(statuses, config.recency).run(matches.matched, names)
    held = _held_to_spec(spec, matches.unmatched, config, set(statuses), names)
    compared.findings.extend(held.findings)
    compared.checked.extend((m.endpoint, m.status) for m in held.matched)
    coverage = dataclasses.replace(
        matches,
        matched=tuple(sorted((*compared.matched, *held.matched), key=_place)),
        unmatched=tuple(sorted((*held.left, *compared.unmatched), key=_place)),
    ).coverage()
    unread = [f"{e.file}: {e.message}; its mocks were not read" for e in pinned.found.errors]
    notes = (*pinned.found.notes, *pinned.notes, *unread, *_elsewhere(compared.elsewhere))
    unrecorded = _unrecorded_pins(
        config, recordings, pinned.naming - set(statuses) - held.configured, names
    )
    return Report(
        findings=tuple(compared.findings),
        endpoints=len({endpoint for endpoint, _ in compared.checked}),
        errors=(*pinned.errors, *unrecorded),
        notes=tuple(dict.fromkeys(notes)),
        checked=tuple(compared.checked),
        coverage=coverage,
    )


def _held_to_spec(
    spec: Spec | None,
    unmatched: Iterable[Unmatched],
    config: Config,
    recorded: set[str],
    names: set[str] | None,
) -> SpecHeld:
    """The unmatched mocks of endpoints never recorded, held to the spec (all of them
    left when there is none); a shard holds those of its own endpoints."""
    if spec is None:
        return SpecHeld(left=list(unmatched))
    return held_to_spec(spec, unmatched, config, recorded, names)


def _unrecorded_pins(
    config: Config, recordings: Recordings, unrecorded: Set[str], names: set[str] | None
) -> list[FileError]:
    """An endpoint whose `fixtures` name payloads but that nothing recorded is a set-up
    error (run `record`), as before endpoints were matchers; its mocks are unmatched too."""
    errors = []
    for endpoint in config.endpoints:
        if endpoint.name not in unrecorded or (names is not None and endpoint.name not in names):
            continue
        try:
            contract(config, endpoint.name, recordings)
        except InputError as error:
            errors.append(FileError(endpoint.name, f"fixtures not checked: {error}"))
    return errors


def _place(outcome: Matched | Unmatched) -> Location:
    return outcome.location


def _elsewhere(matched: Sequence[Matched]) -> list[str]:
    """A note on the mocks held to endpoints another run covers, so none goes unsaid."""
    if not matched:
        return []
    where = [str(m.location) for m in matched]
    shown = ", ".join(where[:SHOWN]) + (
        f" and {len(where) - SHOWN} more" if len(where) > SHOWN else ""
    )
    endpoints = ", ".join(f"`{e}`" for e in dict.fromkeys(m.endpoint for m in matched))
    count = f"{len(matched)} mock{'' if len(matched) == 1 else 's'}"
    return [
        f"{count} held to endpoints this run does not cover ({endpoints}) not compared: {shown}"
    ]


@dataclass
class _Compared:
    """What comparing the matched mocks gave."""

    findings: list[Finding] = field(default_factory=list)
    checked: list[tuple[str, int | None]] = field(default_factory=list)
    matched: list[Matched] = field(default_factory=list)  # compared, status as compared
    unmatched: list[Unmatched] = field(default_factory=list)  # nothing to compare with
    elsewhere: list[Matched] = field(default_factory=list)  # outside the run's endpoints


class _Comparison:
    """The matched mocks grouped by endpoint and status, each group held to one contract
    (of the recordings each endpoint's recency keeps)."""

    def __init__(
        self,
        statuses: Mapping[str, Mapping[int, StatusShape]],
        recency: Callable[[str], Recency],
    ) -> None:
        self.statuses = statuses
        self.recency = recency

    def run(self, matched: Iterable[Matched], names: set[str] | None) -> _Compared:
        result = _Compared()
        groups: dict[GroupKey, list[Matched]] = {}
        for each in matched:
            if names is not None and each.endpoint not in names:
                result.elsewhere.append(each)
            else:
                groups.setdefault(self._key(each), []).append(each)
        for (endpoint, status), group in groups.items():
            held = held_to(endpoint, self.statuses[endpoint], status, self.recency(endpoint))
            if isinstance(held, str):
                result.unmatched.extend(Unmatched(m.mock, held, (endpoint,)) for m in group)
                continue
            contract = held.contract
            result.checked.append((endpoint, contract.status))
            result.matched.extend(dataclasses.replace(m, status=contract.status) for m in group)
            result.findings.extend(held.findings(functools.partial(compare_group, group=group)))
        result.findings = _distinct_findings(result.findings)
        return result

    def _key(self, matched: Matched) -> GroupKey:
        """A mock stating no status is held to the 2xx responses merged, where the endpoint
        recorded several 2xx statuses; otherwise to the status it was matched to."""
        if matched.mock.status is None and 200 <= matched.status < 300:
            statuses = self.statuses[matched.endpoint]
            success = [s for s, shape in statuses.items() if 200 <= s < 300 and shape.shape]
            if len(success) > 1:
                return matched.endpoint, None
        return matched.endpoint, matched.status


def compare_group(contract: Contract, group: Sequence[Matched]) -> list[Finding]:
    """The findings of the mocks held to one contract: each payload's own (said to rest on
    a guess where the payload was matched by shape only), then the coverage of all."""
    payloads: dict[tuple[str, int, str], tuple[Fixture, list[Matched]]] = {}
    for each in group:
        fixture = each.mock.fixture
        _, serving = payloads.setdefault((fixture.file, fixture.line, fixture.name), (fixture, []))
        serving.append(each)
    findings: list[Finding] = []
    for fixture, by in payloads.values():
        note = _shape_note(by)
        own = [f for f in compare_fixtures(contract, [fixture]) if f.rule in PER_PAYLOAD_RULES]
        findings.extend(_noted(f, f"({note})") if note else f for f in own)
    fixtures = [fixture for fixture, _ in payloads.values()]
    guessed = all(each.matched_by == "shape" for each in group)
    for found in compare_fixtures(contract, fixtures):
        if found.rule in PER_PAYLOAD_RULES:
            continue
        if guessed:
            found = _noted(
                found, f"(mocks matched to `{contract.endpoint}` by shape similarity only)"
            )
        findings.append(found)
    return findings


def _shape_note(by: Sequence[Matched]) -> str | None:
    """The similarity that decided, when every mock of a payload was matched by shape."""
    if all(each.matched_by == "shape" for each in by):
        return next((each.note for each in by if each.note), "matched by shape similarity")
    return None


def _noted(found: Finding, note: str) -> Finding:
    return dataclasses.replace(found, message=f"{found.message} {note}")


def _distinct_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per place: a payload served by several mocks (a fixture, a data file
    loaded by several tests) is wrong once."""
    seen: dict[tuple[object, ...], Finding] = {}
    for found in findings:
        key = (found.endpoint, found.status, found.rule, found.path, found.location)
        seen.setdefault(key, found)
    return list(seen.values())
