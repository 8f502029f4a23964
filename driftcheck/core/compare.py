"""Compare two endpoint sets shape against shape and classify each difference (pure).

Each shape's structural signature (type sets, and for keys whether always present) settles
an unchanged endpoint with one equality check. Where signatures differ, both sides are
flattened there into `{path: descriptor}` and DeepDiff says which paths were added or
removed and what changed in each; the rules below say what each change means. Raw bodies
are never compared, so bodies that differ only in values give no finding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from driftcheck.core import domain_rules, headers
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
from driftcheck.core.paths import ROOT, VALUES
from driftcheck.core.rules import RuleId, finding, percent
from driftcheck.core.shape import align_maps, fits, format_types
from driftcheck.core.signature import Flat, Signatures, region

Overrides = Mapping[str, Severity]


@dataclass(frozen=True, slots=True)
class HeaderRules:
    """How response headers are compared: the time now (a Sunset past it is breaking),
    and the config's volatile and scrubbed headers, never compared (`core/headers.py`)."""

    now: float
    volatile: tuple[str, ...] = ()
    scrubbed: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Context:
    endpoint: str
    status: int | None
    source: str
    overrides: Overrides | None
    location: Location | None = None
    values: bool = True  # the value rules (enums, formats, empty arrays) are on

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
        return f"{types} ({'map values' if field.path.endswith(VALUES) else 'array elements'})"
    text = f"{types}, present in {field.present}/{field.parent}"
    if field.nulls:
        text += f", null in {field.nulls}"
    return text


def compare(
    baseline: EndpointSet,
    current: EndpointSet,
    overrides: Overrides | None = None,
    source: str = "cassette",
    values: bool = True,
    header_rules: HeaderRules | None = None,
) -> Report:
    """Every drift from `baseline` to `current`, ordered by endpoint, status and path;
    `values=False` leaves out the rules on values (enums, formats, empty arrays), and
    headers are compared only with `header_rules`."""
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
            ctx = _Context(name, None, source, overrides, values=values)
            findings.extend(_compare_endpoint(ctx, before, after, header_rules))
    return Report(findings=tuple(findings), endpoints=len(names), checked=tuple(checked))


def _first_location(shapes: Mapping[int, StatusShape] | None) -> Location | None:
    return next((s.location for s in (shapes or {}).values() if s.location), None)


def _compare_endpoint(
    endpoint: _Context,
    before: Mapping[int, StatusShape],
    after: Mapping[int, StatusShape],
    header_rules: HeaderRules | None,
) -> list[Finding]:
    findings: list[Finding] = []
    for status in sorted(set(before) | set(after)):
        old, new = before.get(status), after.get(status)
        where = (new.location if new else None) or (old.location if old else None)
        ctx = replace(endpoint, status=status, location=where or _first_location(after))
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
            if header_rules is not None and old.headers and new.headers:
                findings.extend(_header_presence(ctx, old.headers, new.headers, header_rules))
    if header_rules is not None:
        findings.extend(_retirement(endpoint, before, after, header_rules.now))
    return findings


def _header_presence(
    ctx: _Context,
    before: headers.HeaderTally,
    after: headers.HeaderTally,
    rules: HeaderRules,
) -> list[Finding]:
    return headers.presence_findings(
        ctx.endpoint,
        ctx.status,
        before,
        after,
        volatile=rules.volatile,
        scrubbed=rules.scrubbed,
        location=ctx.location,
        overrides=ctx.overrides,
    )


def _retirement(
    ctx: _Context, before: Mapping[int, StatusShape], after: Mapping[int, StatusShape], now: float
) -> list[Finding]:
    """`endpoint-deprecated`, once per endpoint: its notices over every status."""
    told = headers.merged(shape.headers for shape in after.values() if shape.headers)
    if told.notice is None:
        return []
    known = headers.merged(shape.headers for shape in before.values() if shape.headers)
    where = _first_location(after)
    return headers.deprecation_findings(
        ctx.endpoint, None, known, told, now, location=where, overrides=ctx.overrides
    )


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
        if old.shape.count < domain_rules.MIN_RESPONSES:  # one moment of one data set
            ctx = replace(ctx, values=False)
        findings.extend(compare_fields(ctx, old.shape, new.shape))
    return findings


@dataclass(frozen=True, slots=True)
class Changes:
    """What DeepDiff finds between two flattened signatures, path by path."""

    added: frozenset[str]  # paths only the new side has
    removed: frozenset[str]  # paths only the old side has
    changed: Mapping[str, frozenset[str]]  # path -> the descriptor entries that differ
    new_types: Mapping[str, frozenset[str]]  # path -> types only the new side has there


def changes(old: Flat, new: Flat) -> Changes:
    """DeepDiff of two flattened signatures, read back by path. Only called when they
    differ, so a run where nothing changed never imports deepdiff."""
    from deepdiff import DeepDiff

    tree = DeepDiff(old, new, view="tree", threshold_to_diff_deeper=0)
    ends: dict[str, set[str]] = {"dictionary_item_added": set(), "dictionary_item_removed": set()}
    changed: dict[str, set[str]] = {}
    new_types: dict[str, set[str]] = {}
    for report, found in tree.items():
        for change in found:
            path, *entry = change.path(output_format="list")
            if report in ends:
                ends[report].add(path)
                continue
            changed.setdefault(path, set()).add(entry[0])
            if report == "set_item_added":
                new_types.setdefault(path, set()).add(change.t2)
    return Changes(
        frozenset(ends["dictionary_item_added"]),
        frozenset(ends["dictionary_item_removed"]),
        {path: frozenset(entries) for path, entries in changed.items()},
        {path: frozenset(types) for path, types in new_types.items()},
    )


def compare_fields(ctx: _Context, before: Node, after: Node) -> list[Finding]:
    """Findings for one endpoint and status: paths of `before` in the order first seen,
    then paths only `after` has, in its order.

    Equal signatures settle an unchanged shape at once; otherwise DeepDiff compares the
    two sides flattened where they differ, and the rules classify what it found.
    """
    signature = Signatures()
    if signature(before) == signature(after):
        return []
    before, after = align_maps(before, after)
    old_flat, old_spots = region(before, after, signature)
    new_flat, new_spots = region(after, before, signature)
    found = changes(old_flat, new_flat)
    findings: list[Finding] = []
    for path, spot in old_spots.items():
        if path in found.removed:
            findings.extend(_removed(ctx, spot.field(path), spot.their_parent))
            continue
        if path in found.changed:
            old_field, new_field = spot.field(path), new_spots[path].field(path)
            findings.extend(_changed(ctx, found.changed[path], old_field, new_field))
        if ctx.values and path in new_spots:
            new_node = new_spots[path].node
            findings.extend(domain_rules.findings(ctx.finding, path, spot.node, new_node))
    for path, spot in new_spots.items():
        if path in found.added:
            findings.extend(_added(ctx, spot.field(path), spot.their_parent))
    return findings


def _changed(ctx: _Context, entries: frozenset[str], old: Field, new: Field) -> list[Finding]:
    """A path both sides have: its types (null included), then its presence."""
    findings = _types(ctx, old, new) if entries & {"types", "nullable"} else []
    if "required" in entries:
        findings.extend(_presence(ctx, old, new))
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


def _type_rule(old: frozenset[str], new: frozenset[str]) -> RuleId | None:
    """Compare type sets as sets of values: narrower, wider, or something else."""
    if not old - {"null"}:
        return RuleId.TYPE_WIDENED  # only null was seen before: any type is news, not a break
    new_within_old = all(fits(kind, old) for kind in new)
    old_within_new = all(fits(kind, new) for kind in old)
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
