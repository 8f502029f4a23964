"""The walk-based comparison driftcheck used before DeepDiff became its engine, kept as
the oracle the property tests hold the engine to: same findings, order and messages.

A copy, on purpose: compare.py's `_walk` (with the rules it fed) and fixture_check.py's
`_walk`/`_keys` as they were. Imported by tests, never a test itself.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from driftcheck.core import domain_rules
from driftcheck.core.compare import Overrides, describe
from driftcheck.core.fixture_check import Contract, bodies_of
from driftcheck.core.model import Field, Finding, Fixture, Location, Node, Opaque
from driftcheck.core.paths import ITEMS, ROOT, child_path
from driftcheck.core.rules import RuleId, finding, percent
from driftcheck.core.shape import flatten, format_types, json_type

# ---- recordings vs recordings: compare.py's walk ----

_Link = tuple["_Link", str | None] | None


def _path(link: _Link) -> str:
    keys: list[str | None] = []
    while link is not None:
        link, key = link
        keys.append(key)
    path = ROOT
    for key in reversed(keys):
        path = path + ITEMS if key is None else child_path(path, key)
    return path


def walk(
    node: Node, other: Node | None, differing: bool
) -> Iterator[tuple[Field, Field | None, int]]:
    """Paths of `node` that `other` lacks, and with `differing` those whose structure
    (type set; for keys, always present or not) differs there, in `flatten` order."""
    stack: list[tuple[Node, Node | None, int, int, _Link, _Link, bool]] = [
        (node, other, node.count, other.count if other else 0, None, None, False)
    ]
    while stack:
        mine, theirs, parent, their_parent, link, parent_link, is_item = stack.pop()
        if theirs is None or (
            differing
            and (
                mine.types.keys() != theirs.types.keys()
                or (not is_item and (mine.count >= parent) != (theirs.count >= their_parent))
                or domain_rules.signature(mine) != domain_rules.signature(theirs)
            )
        ):
            path = _path(link)
            parent_path = None if link is None else _path(parent_link)
            mine_field = Field(
                path, mine.types, mine.count, parent, parent_path, mine.empty, is_item
            )
            if theirs is None:
                yield mine_field, None, their_parent
            else:
                their_field = Field(
                    path, theirs.types, theirs.count, their_parent, parent_path, theirs.empty,
                    is_item,
                )  # fmt: skip
                yield mine_field, their_field, their_parent
        objects = mine.types.get("object", 0)
        their_objects = theirs.types.get("object", 0) if theirs else 0
        children: list[tuple[Node, Node | None, int, int, _Link, _Link, bool]] = [
            (child, theirs.keys.get(key) if theirs else None, objects, their_objects, (link, key),
             link, False)
            for key, child in mine.keys.items()
        ]  # fmt: skip
        if mine.items is not None:
            their_items = theirs.items if theirs else None
            their_arrays = theirs.types.get("array", 0) - theirs.empty if theirs else 0
            arrays = mine.types.get("array", 0) - mine.empty
            children.append(
                (mine.items, their_items, arrays, their_arrays, (link, None), link, True)
            )
        stack.extend(reversed(children))


@dataclass(frozen=True, slots=True)
class Where:
    """The endpoint, status and source every finding of one comparison shares."""

    endpoint: str
    status: int | None
    source: str = "cassette"
    overrides: Overrides | None = None
    location: Location | None = None

    def finding(
        self, rule: RuleId, path: str, baseline: str, current: str, **facts: Any
    ) -> Finding:
        return finding(
            rule,
            endpoint=self.endpoint,
            status=self.status,
            path=path,
            source=self.source,
            baseline=baseline,
            current=current,
            location=self.location,
            overrides=self.overrides,
            **facts,
        )


def compare_fields(where: Where, before: Node, after: Node) -> list[Finding]:
    """Findings for one endpoint and status: paths of `before` in the order first seen,
    then paths only `after` has, in its order."""
    findings: list[Finding] = []
    for old, new, current_parent in walk(before, after, differing=True):
        if new is None:
            findings.extend(_removed(where, old, current_parent))
        else:
            findings.extend(_types(where, old, new))
            findings.extend(_presence(where, old, new))
    for new, _, baseline_parent in walk(after, before, differing=False):
        findings.extend(_added(where, new, baseline_parent))
    return findings


def _removed(where: Where, old: Field, current_parent: int) -> list[Finding]:
    if old.is_item or not current_parent:
        return []
    return [
        where.finding(
            RuleId.FIELD_REMOVED,
            old.path,
            describe(old),
            f"absent, 0/{current_parent}",
            current_parent=current_parent,
        )
    ]


def _added(where: Where, new: Field, baseline_parent: int) -> list[Finding]:
    if new.is_item or not baseline_parent:
        return []
    return [
        where.finding(
            RuleId.FIELD_ADDED,
            new.path,
            "absent",
            describe(new),
            current_present=new.present,
            current_parent=new.parent,
        )
    ]


def _covers(types: frozenset[str], kind: str) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _type_rule(old: frozenset[str], new: frozenset[str]) -> RuleId | None:
    if not old - {"null"}:
        return RuleId.TYPE_WIDENED
    new_within_old = all(_covers(old, kind) for kind in new)
    old_within_new = all(_covers(new, kind) for kind in old)
    if new_within_old and old_within_new:
        return None
    if new_within_old:
        return RuleId.TYPE_NARROWED
    return RuleId.TYPE_WIDENED if old_within_new else RuleId.TYPE_CHANGED


def _types(where: Where, old: Field, new: Field) -> list[Finding]:
    if old.types == new.types:
        return []
    extra = {
        "baseline_types": format_types(old.types),
        "current_types": format_types(new.types),
        "nulls": new.nulls,
        "current_present": new.present,
    }
    findings: list[Finding] = []
    current = new.types
    if "null" in new.types and "null" not in old.types:
        findings.append(
            where.finding(RuleId.BECAME_NULLABLE, new.path, describe(old), describe(new), **extra)
        )
        current = current - {"null"}
    rule = _type_rule(old.types, current) if current != old.types else None
    if rule is not None:
        findings.append(where.finding(rule, new.path, describe(old), describe(new), **extra))
    return findings


def _presence(where: Where, old: Field, new: Field) -> list[Finding]:
    if old.is_item or old.parent == 0 or new.parent == 0 or old.required == new.required:
        return []
    if old.required:
        missing = new.parent - new.present
        return [
            where.finding(
                RuleId.FIELD_BECAME_OPTIONAL,
                new.path,
                describe(old),
                describe(new),
                missing=missing,
                current_parent=new.parent,
                missing_pct=percent(missing, new.parent),
            )
        ]
    return [where.finding(RuleId.FIELD_BECAME_REQUIRED, new.path, describe(old), describe(new))]


# ---- mock fixtures vs the contract: fixture_check.py's walk ----


@dataclass
class _Seen:
    objects: dict[str, Location] = field(default_factory=dict)
    arrays: set[str] = field(default_factory=set)
    absent: set[str] = field(default_factory=set)
    nulls: set[str] = field(default_factory=set)


def compare_fixtures(
    contract: Contract, fixtures: Sequence[Fixture], overrides: Overrides | None = None
) -> list[Finding]:
    """Every mock-* finding for one endpoint: per fixture first, then coverage."""
    seen = _Seen()
    findings: list[Finding] = []
    for fixture in fixtures:
        emitted: set[tuple[str, str]] = set()
        for body in bodies_of(fixture, contract.shape):
            for found in _fixture_walk(contract, body, seen, overrides):
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


def _fixture_walk(
    contract: Contract, body: Any, seen: _Seen, overrides: Overrides | None
) -> Iterator[Finding]:
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
    body: Any,
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
    contract: Contract, body: Any, path: str, kind: str, node: Node, overrides: Overrides | None
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
            continue
        location = seen.objects.get(item.parent_path) or next(
            iter(seen.objects.values()), Location("")
        )
        optional = not item.is_item and 0 < item.present < item.parent
        if optional and item.path not in seen.absent:
            missing = item.parent - item.present
            yield _finding(
                contract,
                RuleId.MOCK_UNCOVERED_OPTIONAL,
                item.path,
                describe(item),
                "present in every fixture",
                location,
                overrides,
                missing=missing,
                samples=_samples(item.parent_path, item.parent),
                missing_pct=percent(missing, item.parent),
            )
        if item.nulls and item.path not in seen.nulls:
            yield _finding(
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
