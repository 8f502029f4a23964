"""Compare two endpoint sets shape against shape and classify each difference (pure).

One walk over both shapes finds the paths whose structure differs (type set, and for
keys whether always present); the rules below say what each difference means. Raw bodies
are never compared, so bodies that differ only in values give no finding.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from driftcheck.core.model import (
    EndpointSet,
    Field,
    Finding,
    Location,
    Node,
    Report,
    Severity,
    StatusShape,
)
from driftcheck.core.paths import ITEMS, ROOT, child_path
from driftcheck.core.rules import RuleId, finding, percent
from driftcheck.core.shape import format_types

Overrides = Mapping[str, Severity]


@dataclass(frozen=True, slots=True)
class _Context:
    endpoint: str
    status: int | None
    source: str
    overrides: Overrides | None
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


def describe(field: Field) -> str:
    """`string|null, present in 9/12`: structure and counts, never values."""
    types = format_types(field.types)
    if field.is_item:
        return f"{types} (array elements)"
    text = f"{types}, present in {field.present}/{field.parent}"
    if field.nulls:
        text += f", null in {field.nulls}"
    return text


def compare(
    baseline: EndpointSet,
    current: EndpointSet,
    overrides: Overrides | None = None,
    source: str = "cassette",
) -> Report:
    """Every drift from `baseline` to `current`, ordered by endpoint, status and path."""
    findings: list[Finding] = []
    checked: list[tuple[str, int | None]] = []
    names = sorted(set(baseline.endpoints) | set(current.endpoints))
    for name in names:
        before, after = baseline.endpoints.get(name), current.endpoints.get(name)
        statuses = sorted(set(before or {}) | set(after or {}))
        checked.extend((name, status) for status in statuses)
        if after is None:
            ctx = _Context(name, None, source, overrides, _first_location(before))
            findings.append(ctx.finding(RuleId.ENDPOINT_MISSING, ROOT, "recorded", "not recorded"))
        elif before is None:
            ctx = _Context(name, None, source, overrides, _first_location(after))
            findings.append(ctx.finding(RuleId.ENDPOINT_ADDED, ROOT, "not recorded", "recorded"))
        else:
            findings.extend(_compare_endpoint(name, before, after, overrides, source))
    return Report(findings=tuple(findings), endpoints=len(names), checked=tuple(checked))


def _first_location(shapes: Mapping[int, StatusShape] | None) -> Location | None:
    return next((s.location for s in (shapes or {}).values() if s.location), None)


def _compare_endpoint(
    name: str,
    before: Mapping[int, StatusShape],
    after: Mapping[int, StatusShape],
    overrides: Overrides | None,
    source: str,
) -> list[Finding]:
    findings: list[Finding] = []
    for status in sorted(set(before) | set(after)):
        old, new = before.get(status), after.get(status)
        where = (new.location if new else None) or (old.location if old else None)
        ctx = _Context(name, status, source, overrides, where or _first_location(after))
        if new is None and old is not None:
            findings.append(
                ctx.finding(
                    RuleId.STATUS_CHANGED,
                    ROOT,
                    f"status {status} in {old.samples} samples",
                    "not returned",
                    variant="gone",
                    statuses=_statuses(after),
                )
            )
        elif old is None and new is not None:
            if status >= 400:
                findings.append(
                    ctx.finding(
                        RuleId.STATUS_CHANGED,
                        ROOT,
                        "not returned",
                        f"status {status} in {new.samples} samples",
                        variant="new-error",
                        samples=new.samples,
                        statuses=_statuses(before),
                    )
                )
        elif old is not None and new is not None:
            findings.extend(_compare_status(ctx, old, new))
    return findings


def _statuses(shapes: Mapping[int, StatusShape]) -> str:
    return ", ".join(str(status) for status in sorted(shapes))


def _compare_status(ctx: _Context, old: StatusShape, new: StatusShape) -> list[Finding]:
    findings: list[Finding] = []
    if set(old.content_types) != set(new.content_types):
        findings.append(
            ctx.finding(
                RuleId.CONTENT_TYPE_CHANGED,
                ROOT,
                ", ".join(old.content_types),
                ", ".join(new.content_types),
            )
        )
    if old.shape is not None and new.shape is not None:
        findings.extend(compare_fields(ctx, old.shape, new.shape))
    return findings


# A path as a chain of (parent, key) links, rendered only for the few paths reported:
# writing out every path of two large shapes cost more than comparing them.
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


def _walk(
    node: Node, other: Node | None, differing: bool
) -> Iterator[tuple[Field, Field | None, int]]:
    """Paths of `node` that `other` lacks, and with `differing` those whose structure
    (type set; for keys, always present or not) differs there, in `flatten` order.

    Yields the field on each side and how often the other side saw its parent as an
    object (0 when it has no such parent), which is what the presence rules count against.
    """
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
            )
        ):
            path = _path(link)
            parent_path = None if link is None else _path(parent_link)
            field = _field(mine, path, parent, parent_path, is_item)
            if theirs is None:
                yield field, None, their_parent
            else:
                their_field = _field(theirs, path, their_parent, parent_path, is_item)
                yield field, their_field, their_parent
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


def _field(node: Node, path: str, parent: int, parent_path: str | None, is_item: bool) -> Field:
    return Field(path, node.types, node.count, parent, parent_path, node.empty, is_item)


def compare_fields(ctx: _Context, before: Node, after: Node) -> list[Finding]:
    """Findings for one endpoint and status: paths of `before` in the order first seen,
    then paths only `after` has, in its order."""
    findings: list[Finding] = []
    for old, new, current_parent in _walk(before, after, differing=True):
        if new is None:
            findings.extend(_removed(ctx, old, current_parent))
        else:
            findings.extend(_types(ctx, old, new))
            findings.extend(_presence(ctx, old, new))
    for new, _, baseline_parent in _walk(after, before, differing=False):
        findings.extend(_added(ctx, new, baseline_parent))
    return findings


def _removed(ctx: _Context, old: Field, current_parent: int) -> list[Finding]:
    if old.is_item or not current_parent:
        return []
    return [
        ctx.finding(
            RuleId.FIELD_REMOVED,
            old.path,
            describe(old),
            f"absent, 0/{current_parent}",
            current_parent=current_parent,
        )
    ]


def _added(ctx: _Context, new: Field, baseline_parent: int) -> list[Finding]:
    if new.is_item or not baseline_parent:
        return []
    return [
        ctx.finding(
            RuleId.FIELD_ADDED,
            new.path,
            "absent",
            describe(new),
            current_present=new.present,
            current_parent=new.parent,
        )
    ]


def _covers(types: frozenset[str], kind: str) -> bool:
    """Whether values of `kind` fit in `types`; every integer is also a number."""
    return kind in types or (kind == "integer" and "number" in types)


def _type_rule(old: frozenset[str], new: frozenset[str]) -> RuleId | None:
    """Compare type sets as sets of values: narrower, wider, or something else."""
    if not old - {"null"}:
        return RuleId.TYPE_WIDENED  # only null was seen before: any type is news, not a break
    new_within_old = all(_covers(old, kind) for kind in new)
    old_within_new = all(_covers(new, kind) for kind in old)
    if new_within_old and old_within_new:
        return None
    if new_within_old:
        return RuleId.TYPE_NARROWED
    return RuleId.TYPE_WIDENED if old_within_new else RuleId.TYPE_CHANGED


def _types(ctx: _Context, old: Field, new: Field) -> list[Finding]:
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
            ctx.finding(RuleId.BECAME_NULLABLE, new.path, describe(old), describe(new), **extra)
        )
        current = current - {"null"}
    rule = _type_rule(old.types, current) if current != old.types else None
    if rule is not None:
        findings.append(ctx.finding(rule, new.path, describe(old), describe(new), **extra))
    return findings


def _presence(ctx: _Context, old: Field, new: Field) -> list[Finding]:
    if old.is_item or old.parent == 0 or new.parent == 0 or old.required == new.required:
        return []
    if old.required:
        missing = new.parent - new.present
        return [
            ctx.finding(
                RuleId.FIELD_BECAME_OPTIONAL,
                new.path,
                describe(old),
                describe(new),
                missing=missing,
                current_parent=new.parent,
                missing_pct=percent(missing, new.parent),
            )
        ]
    return [ctx.finding(RuleId.FIELD_BECAME_REQUIRED, new.path, describe(old), describe(new))]
