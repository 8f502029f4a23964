"""Compare mock fixtures with the recorded shape of their endpoint (pure).

Per fixture: keys the API never returned (`mock-field-unknown`), keys it always returns
that the mock lacks (`mock-field-missing`), and types it never returned there
(`mock-type-mismatch`). Across all fixtures of an endpoint: recorded variants that no
fixture covers, an omitted key (`mock-uncovered-optional`) or a null
(`mock-uncovered-null`). Only the endpoint's successful (2xx) responses are the contract.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from driftcheck.core.compare import Overrides, describe
from driftcheck.core.model import Field, Finding, Fixture, Location, Node, Opaque, StatusShape
from driftcheck.core.paths import ITEMS, ROOT, child_path
from driftcheck.core.rules import RuleId, finding, percent
from driftcheck.core.shape import flatten, format_types, json_type, merge

PER_PAYLOAD_RULES = frozenset(
    {RuleId.MOCK_FIELD_UNKNOWN, RuleId.MOCK_FIELD_MISSING, RuleId.MOCK_TYPE_MISMATCH}
)


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


@dataclass
class _Seen:
    """What the fixtures, together, show at each path: for judging coverage."""

    objects: dict[str, Location] = field(default_factory=dict)  # path -> first fixture line
    arrays: set[str] = field(default_factory=set)  # paths seen as non-empty arrays
    absent: set[str] = field(default_factory=set)  # key paths some fixture object lacks
    nulls: set[str] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class _Body:
    value: Any
    fixture: Fixture
    prefix: str  # where the fixture's own `$` sits in the body: `$` or `$[*]`

    def where(self, path: str) -> Location:
        own = ROOT + path[len(self.prefix) :] if path.startswith(self.prefix) else None
        return self.fixture.where(own if own is not None else None)


def bodies_of(fixture: Fixture, root: Node) -> list[_Body]:
    """A fixture is a whole body, a list of bodies, or one element of a list endpoint."""
    value = fixture.value
    kind = None if isinstance(value, Opaque) else json_type(value)
    if kind == "array" and "array" not in root.types and "object" in root.types:
        return [_Body(item, _element_fixture(fixture), ROOT) for item in value]
    if kind == "object" and "object" not in root.types and "array" in root.types:
        return [_Body([value], fixture, ROOT + ITEMS)]
    return [_Body(value, fixture, ROOT)]


def _element_fixture(fixture: Fixture) -> Fixture:
    """Each element of a list of bodies is a fixture, its lines taken from the `[*]` paths."""
    prefix = ROOT + ITEMS
    lines = {ROOT + p[len(prefix) :]: n for p, n in fixture.lines.items() if p.startswith(prefix)}
    return Fixture(fixture.value, fixture.file, lines.get(ROOT, fixture.line), fixture.name, lines)


def compare_fixtures(
    contract: Contract, fixtures: Sequence[Fixture], overrides: Overrides | None = None
) -> list[Finding]:
    """Every mock-* finding for one endpoint: per fixture first, then coverage."""
    seen = _Seen()
    findings: list[Finding] = []
    for fixture in fixtures:
        emitted: set[tuple[str, str]] = set()
        for body in bodies_of(fixture, contract.shape):
            for found in _walk(contract, body, seen, overrides):
                if (found.rule, found.path) not in emitted:
                    emitted.add((found.rule, found.path))
                    findings.append(found)
    findings.extend(_coverage(contract, seen, overrides))
    return findings


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


def _walk(
    contract: Contract, body: _Body, seen: _Seen, overrides: Overrides | None
) -> Iterator[Finding]:
    """Walk a fixture body beside the recorded shape, depth first, keys in fixture order."""
    stack: list[tuple[Any, Node, str]] = [(body.value, contract.shape, ROOT)]
    while stack:
        value, node, path = stack.pop()
        if isinstance(value, Opaque):
            continue
        kind = json_type(value)
        if not _fits(kind, node.types):
            yield _mismatch(contract, body, path, kind, node, overrides)
            continue
        if kind == "null":
            seen.nulls.add(path)
        elif kind == "object":
            seen.objects.setdefault(path, body.where(path))
            yield from _keys(contract, body, value, node, path, seen, overrides)
            known = [
                (v, node.keys[k], child_path(path, k)) for k, v in value.items() if k in node.keys
            ]
            stack.extend(reversed(known))
        elif kind == "array" and value and node.items is not None:
            seen.arrays.add(path)
            stack.extend((item, node.items, path + ITEMS) for item in reversed(value))


def _fits(kind: str, recorded: Mapping[str, int]) -> bool:
    return kind in recorded or (kind == "integer" and "number" in recorded)


def _keys(
    contract: Contract,
    body: _Body,
    value: Mapping[str, Any],
    node: Node,
    path: str,
    seen: _Seen,
    overrides: Overrides | None,
) -> Iterator[Finding]:
    objects = node.types.get("object", 0)
    for key in value:
        if key not in node.keys:
            child = child_path(path, key)
            yield _finding(
                contract,
                RuleId.MOCK_FIELD_UNKNOWN,
                child,
                f"absent, 0/{objects}",
                f"{format_types([_type(value[key])])} in fixture",
                body.where(child),
                overrides,
                where=body.where(child),
                samples=_samples(path, objects),
            )
    for key, child_node in node.keys.items():
        if key in value:
            continue
        child = child_path(path, key)
        seen.absent.add(child)
        if child_node.count >= objects:
            yield _finding(
                contract,
                RuleId.MOCK_FIELD_MISSING,
                child,
                f"{format_types(child_node.types)}, present in {objects}/{objects}",
                "absent from fixture",
                body.where(path),
                overrides,
                where=body.where(path),
                samples=_samples(path, objects),
            )


def _type(value: Any) -> str:
    return "unknown" if isinstance(value, Opaque) else json_type(value)


def _mismatch(
    contract: Contract, body: _Body, path: str, kind: str, node: Node, overrides: Overrides | None
) -> Finding:
    recorded = format_types(node.types)
    return _finding(
        contract,
        RuleId.MOCK_TYPE_MISMATCH,
        path,
        f"{recorded} in {node.count} samples",
        f"{kind} in fixture",
        body.where(path),
        overrides,
        where=body.where(path),
        kind=kind,
        recorded=recorded,
        count=node.count,
    )


def _samples(parent: str, count: int) -> str:
    """`48 recorded responses`, or `40 recorded `$.contact` objects` below the root."""
    if parent == ROOT:
        return f"{count} recorded responses"
    return f"{count} recorded `{parent}` objects"


def _coverage(contract: Contract, seen: _Seen, overrides: Overrides | None) -> Iterator[Finding]:
    for item in flatten(contract.shape):
        if item.parent_path is None:
            continue
        visible = (
            item.parent_path in seen.arrays if item.is_item else item.parent_path in seen.objects
        )
        if not visible:
            continue  # no fixture reaches this part of the body: nothing to cover
        location = seen.objects.get(item.parent_path) or _first(seen.objects)
        optional = not item.is_item and 0 < item.present < item.parent
        if optional and item.path not in seen.absent:
            yield _uncovered_optional(contract, item, location, overrides)
        if item.nulls and item.path not in seen.nulls:
            yield _uncovered_null(contract, item, location, overrides)


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
        samples=_samples(parent, item.parent),
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
