"""Compare mock fixtures with the recorded shape of their endpoint (pure).

Per fixture: keys the API never returned (`mock-field-unknown`), keys it always returns
that the mock lacks (`mock-field-missing`), types it never returned there
(`mock-type-mismatch`), a null where it never returned null (`mock-null-unseen`), a value
none of an enum-like path's (`mock-enum-unknown`), a string of another format than the
API's (`mock-format-mismatch`), and an
object that does not look like the API's at all (`mock-unlike-endpoint`, one finding
instead of one per key: `fixture_unlike`). Across all fixtures of an endpoint: recorded
variants that no fixture covers, an omitted key (`mock-uncovered-optional`) or a null
(`mock-uncovered-null`). Only the endpoint's successful (2xx) responses are the contract.

No finding where the recordings cannot decide: a path recorded only as null has an
unknown type, so any mock value fits there and no null is asked for; a key no fixture has
(absent, or only an `Opaque` part) asks for no null either, since that is not "never null".

Each fixture is flattened beside the contract into a signature of the contract's own form
(`signature.Reach`), and compare's DeepDiff step says where the two differ; the rules
below read those changes, with where each first shows in the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from driftcheck.core.compare import Changes, Overrides, changes, describe
from driftcheck.core.fixture_bodies import bodies_of
from driftcheck.core.fixture_unlike import Unlike, set_aside
from driftcheck.core.fixture_values import off_domain
from driftcheck.core.fixture_variants import uncovered_variants, variant_label
from driftcheck.core.model import Field, Finding, Fixture, Location, Node, StatusShape
from driftcheck.core.paths import ROOT
from driftcheck.core.rules import RuleId, finding, percent
from driftcheck.core.shape import fits, flatten, format_types, merge
from driftcheck.core.signature import Descriptor, First, Flat, Reach, descriptor

PER_PAYLOAD_RULES = frozenset(
    {
        RuleId.MOCK_FIELD_UNKNOWN,
        RuleId.MOCK_FIELD_MISSING,
        RuleId.MOCK_TYPE_MISMATCH,
        RuleId.MOCK_NULL_UNSEEN,
        RuleId.MOCK_UNLIKE_ENDPOINT,
        RuleId.MOCK_ENUM_UNKNOWN,
        RuleId.MOCK_FORMAT_MISMATCH,
    }
)
_NULL = frozenset({"null"})


@dataclass(frozen=True, slots=True)
class Contract:
    """What an endpoint's successful responses look like: the shape fixtures must fit."""

    endpoint: str
    status: int
    samples: int
    shape: Node


def contract_of(endpoint: str, recorded: Mapping[int, StatusShape]) -> Contract | None:
    """The merged shape of the endpoint's 2xx JSON responses, or None when there are none."""
    success = {s: shape for s, shape in recorded.items() if 200 <= s < 300 and shape.shape}
    if not success:
        return None
    status = max(success, key=lambda s: (success[s].samples, -s))
    nodes = [shape.shape for shape in success.values() if shape.shape is not None]
    samples = sum(shape.shape.count for shape in success.values() if shape.shape is not None)
    return Contract(endpoint, status, samples, merge(*nodes))


def compare_fixtures(
    contract: Contract, fixtures: Sequence[Fixture], overrides: Overrides | None = None
) -> list[Finding]:
    """Every mock-* finding for one endpoint: per fixture first (its objects unlike the
    endpoint, then the rest in the order the walk met them), then coverage."""
    table = Table.of(contract.shape)
    reaches: list[Reach] = []
    findings: list[Finding] = []
    for fixture in fixtures:
        reach, own = fixture_findings(contract, table, fixture, overrides)
        reaches.append(reach)
        findings.extend(own)
    findings.extend(_coverage(contract, table, reaches, overrides))
    findings.extend(
        uncovered_variants(contract.endpoint, contract.status, contract.shape, reaches, overrides)
    )
    return findings


def fixture_findings(
    contract: Contract, table: Table, fixture: Fixture, overrides: Overrides | None = None
) -> tuple[Reach, list[Finding]]:
    """One fixture's own findings (its objects unlike the endpoint, then the rest in walk
    order) and its reach, for coverage. Costs the fixture's size: the contract is read
    through `table`, built once."""
    reach = Reach()
    unlike: dict[str, Finding] = {}
    for body in bodies_of(fixture, contract.shape):
        value, strangers = set_aside(body.value, contract.shape)
        for each in strangers:
            if each.path not in unlike:
                unlike[each.path] = _unlike(contract, each, body.where(each.path), overrides)
        reach.walk(value, contract.shape, body.where)
    return reach, [*unlike.values(), *_per_fixture(contract, table, reach, overrides)]


@dataclass(frozen=True, slots=True)
class Table:
    """The contract flattened once: each path's field, and its descriptor."""

    fields: dict[str, Field]
    flat: Flat

    @classmethod
    def of(cls, shape: Node) -> Table:
        fields = {item.path: item for item in flatten(shape)}
        flat = {
            path: descriptor(item.counts, None if item.is_item else item.required)
            for path, item in fields.items()
        }
        return cls(fields, flat)


def _per_fixture(
    contract: Contract, table: Table, reach: Reach, overrides: Overrides | None
) -> list[Finding]:
    """Unknown keys, missing keys, type mismatches and values the API never sends, in the
    order the walk met them."""
    ordered = off_domain(contract.endpoint, contract.status, table.fields, reach, overrides)
    mine = reach.flat()
    recorded = _held_to(table.flat, reach, mine)
    if mine == recorded:
        return [each for _, each in sorted(ordered, key=itemgetter(0))]
    found = changes(recorded, mine)
    ordered.extend(_unknown(contract, table, path, reach, overrides) for path in found.added)
    ordered.extend(
        _missing(contract, table.fields[path], reach.lacking[path], overrides)
        for path in found.removed
        if table.flat[path]["required"]
    )
    for path, entries in found.changed.items():
        item = table.fields[path]
        if "required" in entries and table.flat[path]["required"]:
            ordered.append(_missing(contract, item, reach.lacking[path], overrides))
        kinds = _new_types(found, table, path)
        ordered.extend(_misfits(contract, item, kinds, reach.kinds.get(path, {}), overrides))
    return [each for _, each in sorted(ordered, key=itemgetter(0))]


def _held_to(flat: Flat, reach: Reach, mine: Flat) -> Flat:
    """The contract's signature where the fixture is compared: the paths it is held to,
    less the optional ones it never has (they can tell nothing), and the known keys it has
    beyond them (a key of some variants only, in an object whose tag names none)."""
    held = {p: flat[p] for p in reach.expected if p in mine or flat[p]["required"]}
    held.update((p, flat[p]) for p in mine if p not in held and p not in reach.unknown)
    return held


def _new_types(found: Changes, table: Table, path: str) -> frozenset[str]:
    """Types the fixture has at `path` and the contract lacks, null included."""
    added = found.new_types.get(path, frozenset())
    if "nullable" in found.changed.get(path, ()) and not table.flat[path]["nullable"]:
        return added | {"null"}
    return added


def _misfits(
    contract: Contract,
    item: Field,
    kinds: frozenset[str],
    firsts: Mapping[str, First],
    overrides: Overrides | None,
) -> list[tuple[int, Finding]]:
    """A null where none was recorded, and the first value whose type does not fit the
    recorded non-null ones (an integer fits a number); nothing where only null was
    recorded, as that says nothing of the type the API sends there."""
    if not item.types - _NULL:
        return []
    found: list[tuple[RuleId, First]] = []
    if "null" in kinds:  # `kinds` has null only where the API never sent it
        found.append((RuleId.MOCK_NULL_UNSEEN, firsts["null"]))
    misfits = [firsts[kind] for kind in kinds - _NULL if not fits(kind, item.types)]
    if misfits:
        found.append((RuleId.MOCK_TYPE_MISMATCH, min(misfits, key=lambda each: each.order)))
    return [(first.order, _misfit(rule, contract, item, first, overrides)) for rule, first in found]


def _finding(
    contract: Contract,
    rule: RuleId,
    path: str,
    baseline: str,
    current: str,
    location: Location,
    overrides: Overrides | None,
    **facts: Any,
) -> Finding:
    return finding(
        rule,
        endpoint=contract.endpoint,
        status=contract.status,
        path=path,
        source="fixture",
        baseline=baseline,
        current=current,
        location=location,
        overrides=overrides,
        **facts,
    )


def _unknown(
    contract: Contract, table: Table, path: str, reach: Reach, overrides: Overrides | None
) -> tuple[int, Finding]:
    first = reach.unknown[path]
    objects = table.fields[first.parent].counts.get("object", 0)
    return first.order, _finding(
        contract,
        RuleId.MOCK_FIELD_UNKNOWN,
        path,
        f"absent, 0/{objects}",
        f"{first.detail} in fixture",
        first.location,
        overrides,
        where=first.location,
        samples=_samples(first.parent, objects),
    )


def _missing(
    contract: Contract, item: Field, first: First, overrides: Overrides | None
) -> tuple[int, Finding]:
    parent = item.parent_path or ROOT
    return first.order, _finding(
        contract,
        RuleId.MOCK_FIELD_MISSING,
        item.path,
        f"{format_types(item.types)}, present in {item.parent}/{item.parent}",
        "absent from fixture",
        first.location,
        overrides,
        where=first.location,
        samples=_samples(parent, item.parent) + variant_label(contract.shape, item.path),
    )


def _misfit(
    rule: RuleId, contract: Contract, item: Field, first: First, overrides: Overrides | None
) -> Finding:
    """A type mismatch, or a null the API never sent (`kind` is then null)."""
    recorded = format_types(item.types)
    kind = first.detail
    return _finding(
        contract,
        rule,
        item.path,
        f"{recorded} in {item.present} samples",
        f"{kind} in fixture",
        first.location,
        overrides,
        where=first.location,
        kind=kind,
        recorded=recorded,
        count=item.present,
    )


def _unlike(
    contract: Contract, unlike: Unlike, location: Location, overrides: Overrides | None
) -> Finding:
    return _finding(
        contract,
        RuleId.MOCK_UNLIKE_ENDPOINT,
        unlike.path,
        f"object, {unlike.required} keys always returned",
        f"{unlike.unknown}/{unlike.keys} keys never returned, "
        f"{unlike.missing}/{unlike.required} missing",
        location,
        overrides,
        where=location,
        unknown=unlike.unknown,
        keys=unlike.keys,
        missing=unlike.missing,
        required=unlike.required,
    )


def _samples(parent: str, count: int) -> str:
    """`48 recorded responses`, or `40 recorded `$.contact` objects` below the root."""
    if parent == ROOT:
        return f"{count} recorded responses"
    return f"{count} recorded `{parent}` objects"


def _coverage(
    contract: Contract, table: Table, reaches: list[Reach], overrides: Overrides | None
) -> Iterator[Finding]:
    """Optional keys no fixture omits and nulls no fixture has, where some fixture has the
    key (an absent key covers its absence and asks for no null): the contract's order."""
    visible = set().union(*(reach.expected for reach in reaches)) - {ROOT}
    recorded = {path: table.flat[path] for path in visible}
    together = _together(reaches, visible)
    if together == recorded:
        return
    found = changes(recorded, together)
    objects: dict[str, Location] = {}
    for reach in reaches:
        for path, location in reach.objects.items():
            objects.setdefault(path, location)
    for path, item in table.fields.items():
        entries = found.changed.get(path, frozenset())  # a path no fixture has: covers all
        if not entries:
            continue
        location = objects.get(item.parent_path or "") or _first(objects)
        if "required" in entries and not item.is_item and 0 < item.present < item.parent:
            yield _uncovered_optional(contract, item, location, overrides)
        if "nullable" in entries and _null_asked(item, together.get(path)):
            yield _uncovered_null(contract, item, location, overrides)


def _null_asked(item: Field, fixtures: Descriptor | None) -> bool:
    """Whether a recorded null there is a case fixtures should cover: the API also sent
    other values (a path only ever null has an unknown type) and some fixture has a known
    non-null value there (a key no fixture has is missing, not "never null")."""
    return bool(item.nulls and item.types - _NULL and fixtures and fixtures["types"])


def _together(reaches: list[Reach], visible: set[str]) -> Flat:
    """All fixtures as one signature on `visible`: types and nulls any fixture has, and a
    key always present only if no fixture's object lacks it."""
    kinds: dict[str, set[str]] = {}
    keyed: dict[str, bool] = {}
    lacking: set[str] = set()
    for reach in reaches:
        lacking.update(reach.lacking)
        for path, is_key in reach.present.items():
            if path in visible:
                kinds.setdefault(path, set()).update(reach.kinds.get(path, ()))
                keyed[path] = is_key
    return {
        path: descriptor(types, path not in lacking if keyed[path] else None)
        for path, types in kinds.items()
    }


def _first(objects: Mapping[str, Location]) -> Location:
    return next(iter(objects.values()), Location(""))


def _uncovered_optional(
    contract: Contract, item: Field, location: Location, overrides: Overrides | None
) -> Finding:
    missing = item.parent - item.present
    parent = item.parent_path or ROOT
    return _finding(
        contract,
        RuleId.MOCK_UNCOVERED_OPTIONAL,
        item.path,
        describe(item),
        "present in every fixture",
        location,
        overrides,
        missing=missing,
        samples=_samples(parent, item.parent) + variant_label(contract.shape, item.path),
        missing_pct=percent(missing, item.parent),
    )


def _uncovered_null(
    contract: Contract, item: Field, location: Location, overrides: Overrides | None
) -> Finding:
    return _finding(
        contract,
        RuleId.MOCK_UNCOVERED_NULL,
        item.path,
        describe(item),
        "never null in fixtures",
        location,
        overrides,
        nulls=item.nulls,
        present=item.present,
        nulls_pct=percent(item.nulls, item.present),
    )
