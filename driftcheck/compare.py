"""Compare two endpoint sets shape against shape and classify each difference (pure).

DeepDiff finds which paths differ in their structural signature (types, required);
the rules below say what each difference means. Raw bodies are never compared, so
bodies that differ only in values give no finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff

from driftcheck.model import EndpointSet, Field, Finding, Report, Severity, StatusShape
from driftcheck.rules import RULES, percent, severity_of
from driftcheck.shape import ROOT, flatten, format_types, same_structure

Overrides = Mapping[str, Severity]


@dataclass(frozen=True, slots=True)
class _Context:
    endpoint: str
    status: int | None
    source: str
    overrides: Overrides | None
    location: str | None = None

    def finding(
        self, rule_id: str, path: str, baseline: str, current: str, **extra: Any
    ) -> Finding:
        message = RULES[rule_id].template.format(
            path=path, baseline=baseline, current=current, endpoint=self.endpoint, **extra
        )
        return Finding(
            endpoint=self.endpoint,
            status=self.status,
            path=path,
            rule=rule_id,
            severity=severity_of(rule_id, self.overrides),
            source=self.source,
            baseline=baseline,
            current=current,
            message=message,
            location=self.location,
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
            findings.append(ctx.finding("endpoint-missing", ROOT, "recorded", "not recorded"))
        elif before is None:
            ctx = _Context(name, None, source, overrides, _first_location(after))
            findings.append(ctx.finding("endpoint-added", ROOT, "not recorded", "recorded"))
        else:
            findings.extend(_compare_endpoint(name, before, after, overrides, source))
    return Report(findings=tuple(findings), endpoints=len(names), checked=tuple(checked))


def _first_location(shapes: Mapping[int, StatusShape] | None) -> str | None:
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
                    "status-changed",
                    ROOT,
                    f"status {status} in {old.samples} samples",
                    "not returned",
                    detail=f"status {status} is no longer returned "
                    f"(current statuses: {_statuses(after)})",
                )
            )
        elif old is None and new is not None:
            if status >= 400:
                findings.append(
                    ctx.finding(
                        "status-changed",
                        ROOT,
                        "not returned",
                        f"status {status} in {new.samples} samples",
                        detail=f"new error status {status} in {new.samples} current samples "
                        f"(baseline statuses: {_statuses(before)})",
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
                "content-type-changed",
                ROOT,
                ", ".join(old.content_types),
                ", ".join(new.content_types),
            )
        )
    if old.shape is not None and new.shape is not None and not same_structure(old.shape, new.shape):
        findings.extend(compare_fields(ctx, _by_path(old), _by_path(new)))
    return findings


def _by_path(status_shape: StatusShape) -> dict[str, Field]:
    assert status_shape.shape is not None
    return {field.path: field for field in flatten(status_shape.shape)}


def _signature(fields: Mapping[str, Field]) -> dict[str, dict[str, Any]]:
    """What counts as structure: the type set and, for keys, whether always present."""
    return {
        path: {
            "types": sorted(field.types),
            "required": None if field.is_item else field.required,
        }
        for path, field in fields.items()
    }


def compare_fields(
    ctx: _Context, before: Mapping[str, Field], after: Mapping[str, Field]
) -> list[Finding]:
    """Findings for one endpoint and status, in the order the paths were first seen."""
    old_signature, new_signature = _signature(before), _signature(after)
    if old_signature == new_signature:
        return []  # the common case in CI, and far cheaper than asking DeepDiff
    # DeepDiff's cost grows with its input: hand it only the paths a plain lookup finds
    # unequal, so a shape with thousands of paths and one change costs one change.
    suspects = [
        p
        for p in old_signature.keys() | new_signature.keys()
        if old_signature.get(p) != new_signature.get(p)
    ]
    # threshold_to_diff_deeper=0: else DeepDiff (>= 8) reports dicts sharing under a third
    # of their keys as one replaced value, and every path in them would go unreported.
    changed = set(
        DeepDiff(
            {p: old_signature[p] for p in suspects if p in old_signature},
            {p: new_signature[p] for p in suspects if p in new_signature},
            threshold_to_diff_deeper=0,
        ).affected_root_keys
    )
    ordered = [p for p in before if p in changed] + [
        p for p in after if p in changed and p not in before
    ]
    findings: list[Finding] = []
    for path in ordered:
        old, new = before.get(path), after.get(path)
        if new is None:
            assert old is not None
            findings.extend(_removed(ctx, old, after))
        elif old is None:
            findings.extend(_added(ctx, new, before))
        else:
            findings.extend(_types(ctx, old, new))
            findings.extend(_presence(ctx, old, new))
    return findings


def _objects(fields: Mapping[str, Field], path: str | None) -> int:
    """How often the other side saw the parent as an object (0: the parent reports it)."""
    parent = fields.get(path) if path is not None else None
    return 0 if parent is None else parent.counts.get("object", 0)


def _removed(ctx: _Context, old: Field, after: Mapping[str, Field]) -> list[Finding]:
    current_parent = _objects(after, old.parent_path)
    if old.is_item or not current_parent:
        return []
    return [
        ctx.finding(
            "field-removed",
            old.path,
            describe(old),
            f"absent, 0/{current_parent}",
            current_parent=current_parent,
        )
    ]


def _added(ctx: _Context, new: Field, before: Mapping[str, Field]) -> list[Finding]:
    if new.is_item or not _objects(before, new.parent_path):
        return []
    return [
        ctx.finding(
            "field-added",
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


def _type_rule(old: frozenset[str], new: frozenset[str]) -> str | None:
    """Compare type sets as sets of values: narrower, wider, or something else."""
    if not old - {"null"}:
        return "type-widened"  # only null was seen before: any type is news, not a break
    new_within_old = all(_covers(old, kind) for kind in new)
    old_within_new = all(_covers(new, kind) for kind in old)
    if new_within_old and old_within_new:
        return None
    if new_within_old:
        return "type-narrowed"
    return "type-widened" if old_within_new else "type-changed"


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
            ctx.finding("became-nullable", new.path, describe(old), describe(new), **extra)
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
                "field-became-optional",
                new.path,
                describe(old),
                describe(new),
                missing=missing,
                current_parent=new.parent,
                missing_pct=percent(missing, new.parent),
            )
        ]
    return [ctx.finding("field-became-required", new.path, describe(old), describe(new))]
