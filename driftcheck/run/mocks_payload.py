"""One payload against one endpoint's recorded contract, as the pytest plugin asks it:
the endpoint named by its config name, its automatic key or `GET https://host/path`,
the contract of one status, and the config's [severity] and [[ignore]] applied as the
CLI applies them. The recordings are read once per `Contracts` (through the shape cache
when the reading settings name one), each endpoint and status is built once, and each
contract's path table grows as payloads reach its parts (`core/payload_check.py`), so a
call costs its payload's size, not the contract's.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftcheck.config import Config
from driftcheck.core.fixture_check import Contract
from driftcheck.core.limits import MAX_FIXTURE_DEPTH
from driftcheck.core.matchers import Target, all_matches
from driftcheck.core.mock_match import Recorded
from driftcheck.core.model import Finding, Report, Severity
from driftcheck.core.paths import ITEMS, ROOT, child_path
from driftcheck.core.payload_check import PayloadCheck
from driftcheck.core.policy import Ignore, Policy, apply, glob
from driftcheck.errors import InputError
from driftcheck.run.mocks import Held, held_to, recorded_of
from driftcheck.run.recordings import Recordings, known_endpoint
from driftcheck.run.recordings import contract as recorded_contract

HTTP_METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"})
LABEL = "payload"  # how findings name the payload (`… is in fixture payload …`)
LISTED = 10  # endpoints a message lists
MAX_PAYLOAD_VALUES = 1_000_000  # shared lists can make a small payload hold billions
JSON_SCALARS = (str, bool, int, float, type(None))


@dataclass(frozen=True, slots=True)
class Checked:
    """One payload's findings against one contract, with the policy applied; `failing`
    are the ones at or above the threshold that no ignore hides."""

    asked: str  # the endpoint as the test named it
    contract: Contract
    findings: tuple[Finding, ...]
    failing: tuple[Finding, ...]


class Contracts:
    """A config's recorded endpoints, read once, and their contracts, each built once."""

    def __init__(
        self,
        config: Config,
        recordings: Recordings | None = None,
        today: datetime.date | None = None,
    ) -> None:
        self.config = config
        self.recordings = recordings or Recordings(config)
        self.policy = Policy(config.severity, config.ignore, config.values)
        self.today = today or datetime.date.today()
        self._recorded: dict[str, Recorded] | None = None
        self._names: dict[str, str] = {}
        self._contracts: dict[tuple[str, int], Held | str] = {}
        self._checks: dict[int, PayloadCheck] = {}  # id(contract): contracts live in _contracts
        self.reads = 0  # how often the recordings were read: once

    @property
    def recorded(self) -> Mapping[str, Recorded]:
        if self._recorded is None:
            self.reads += 1
            found = recorded_of(self.config, self.recordings)
            self._recorded = {recorded.name: recorded for recorded in found}
        return self._recorded

    @property
    def built(self) -> int:
        """How many contracts (endpoint and status) were built."""
        return len(self._contracts)

    @property
    def tables_built(self) -> int:
        """How many contract path tables were started: one per contract checked against."""
        return len(self._checks)

    def endpoint(self, asked: str) -> str:
        """The endpoint a test names: a configured name, a recorded key, or the recorded
        endpoint `METHOD URL` fits most closely."""
        if asked not in self._names:
            self._names[asked] = self._resolve(asked)
        return self._names[asked]

    def _resolve(self, asked: str) -> str:
        if asked in self.recorded or asked in {e.name for e in self.config.endpoints}:
            return asked
        method, _, url = asked.partition(" ")
        if method.upper() not in HTTP_METHODS or "/" not in url:
            return known_endpoint(self.config, asked, self.recordings)
        recorded = list(self.recorded.values())
        target = Target.of(method, url.strip())
        found = all_matches([r.matcher for r in recorded], target)
        if not found:
            known = _listing(self.recorded)
            raise InputError(f"no recorded endpoint fits `{asked}` (recorded: {known})")
        best = [m.name for m in found if m.score(target) == found[0].score(target)]
        if len(best) > 1:
            raise InputError(
                f"`{asked}` fits {len(best)} recorded endpoints equally: {', '.join(best)}; "
                "name one of them"
            )
        return best[0]

    def contract(self, name: str, status: int) -> Contract:
        """The recorded shape of `name` answering `status`; InputError when there is none."""
        return self.held(name, status).contract

    def held(self, name: str, status: int) -> Held:
        """What a payload of `name` answering `status` is held to (of the recordings the
        endpoint's recency keeps); InputError when there is nothing."""
        key = (name, status)
        if key not in self._contracts:
            recorded = self.recorded.get(name)
            if recorded is None:  # configured, never recorded: its error says where
                known = known_endpoint(self.config, name, self.recordings)
                recorded_contract(self.config, known, self.recordings)
            statuses = recorded.statuses if recorded else {}
            self._contracts[key] = held_to(name, statuses, status, self.config.recency(name))
        found = self._contracts[key]
        if isinstance(found, str):
            raise InputError(found)
        return found

    def check(self, payload: Any, asked: str, status: int, fail_on: Severity) -> Checked:
        """The payload's own findings (coverage needs every fixture of an endpoint, so it
        is the CLI's), severities and ignores applied."""
        held = self.held(self.endpoint(asked), status)
        own = held.findings(lambda contract: self._check_of(contract).findings(payload, LABEL))
        report = apply(Report(tuple(own), 1), self.policy, self.today)
        failing = tuple(f for f in report.active if f.severity >= fail_on)
        return Checked(asked, held.contract, report.findings, failing)

    def _check_of(self, contract: Contract) -> PayloadCheck:
        """The contract's check, its table kept for the next payload (keyed by identity:
        a contract is a tree of frozen nodes, hashing it would cost its size)."""
        found = self._checks.get(id(contract))
        if found is None:
            found = self._checks[id(contract)] = PayloadCheck(contract)
        return found

    def policy_warnings(self) -> list[str]:
        """What is wrong with the policy itself: an ignore whose `endpoint` glob matches
        no endpoint (it hides nothing: a typo, or a name that changed), or one past its
        date (it hides nothing any more)."""
        known = {*self.recorded, *(e.name for e in self.config.endpoints)}
        warnings = []
        for ignore in self.policy.ignores:
            entry = (
                f"{ignore.label} (endpoint `{ignore.endpoint}`, rule `{ignore.rule}`, "
                f"path `{ignore.path}`: {ignore.reason})"
            )
            if unused(ignore, known):
                listing = _listing(known)
                warnings.append(
                    f"{entry} matches no endpoint, so it hides nothing (endpoints: {listing})"
                )
            if ignore.until is not None and ignore.until < self.today:
                warnings.append(f"{entry} expired on {ignore.until}; it hides nothing any more")
        return warnings


def _listing(names: Mapping[str, object] | set[str]) -> str:
    shown = sorted(names)
    text = ", ".join(shown[:LISTED]) or "none"
    return text + (f", and {len(shown) - LISTED} more" if len(shown) > LISTED else "")


def unused(ignore: Ignore, names: set[str]) -> bool:
    """Whether an ignore's endpoint glob matches none of `names`."""
    return not any(glob(ignore.endpoint).match(name) for name in names)


def not_json(payload: Any) -> str | None:
    """What in a test's payload JSON cannot carry (a set, bytes, an object), or None.

    A mock payload stands for what `json.loads` returns; anything else would be checked
    as an opaque value and pass unseen. Walked with a stack, bounded in depth and size.
    """
    stack: list[tuple[Any, str, int]] = [(payload, ROOT, 0)]
    budget = MAX_PAYLOAD_VALUES
    while stack:
        value, path, depth = stack.pop()
        budget -= 1
        if budget < 0:
            return f"the payload holds more than {MAX_PAYLOAD_VALUES:,} values"
        if depth > MAX_FIXTURE_DEPTH:
            return f"the payload is nested deeper than {MAX_FIXTURE_DEPTH} levels"
        if isinstance(value, JSON_SCALARS):
            continue
        if isinstance(value, dict):
            for key, child in value.items():
                if not isinstance(key, JSON_SCALARS):
                    return f"{path} has a {type(key).__name__} key, not JSON data"
                stack.append((child, child_path(path, str(key)), depth + 1))
        elif isinstance(value, (list, tuple)):
            stack.extend((child, path + ITEMS, depth + 1) for child in value)
        else:
            kind = type(value).__name__
            return (
                f"{path} is a {kind}, not JSON data; a payload holds what json.loads "
                "returns: dict, list, str, int, float, bool, None"
            )
    return None
