"""A recorded shape walked against a documented response schema (pure): the field rules
`spec-field-undocumented`, `spec-required-missing`, `spec-null-undeclared`,
`spec-type-mismatch` and `spec-enum-undeclared` at each recorded path.

The walk follows the recording and stops where the spec stops saying anything (an
undocumented key, `{}`, items of any type, a recorded map the spec does not describe as
one): a recording cannot disagree with what the spec leaves open. Each place of the
schema is a list of branches (`core/spec_branches.py`); a finding needs every branch to
disagree. Objects with a tag (`type`) keep key counts per variant, so where a
discriminator (its `mapping`, or each alternative's enum for the tag) names the
alternative of a variant, that variant is held to that alternative's keys alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from driftcheck.core import tags
from driftcheck.core.model import Finding, Location, Node, Severity
from driftcheck.core.paths import ITEMS, ROOT, VALUES, child_path
from driftcheck.core.rules import RuleId, percent
from driftcheck.core.shape import format_types
from driftcheck.core.spec_branches import Branch, consistent, place_of
from driftcheck.core.spec_model import SchemaNode

__all__ = ["Report", "Visit", "field_findings"]

MAX_SHOWN = 5  # recorded values named in a message; the rest are counted
MAX_DECLARED = 12  # spec enum values named in a message

# rule, path, the spec's location, baseline, current, severity (None: the rule's), facts
Report = Callable[..., Finding]


@dataclass(frozen=True, slots=True)
class Visit:
    """One recorded place still to compare: its node, path, the schema's branches there
    and where the spec describes it; `position` orders findings as the recording's paths
    are (each key's index under its parent's)."""

    node: Node
    path: str
    place: list[Branch]
    site: Location
    position: tuple[int, ...] = ()


Placed = tuple[tuple[int, ...], Finding]


def field_findings(report: Report, root: Node, schema: SchemaNode) -> list[Finding]:
    """Every field rule's findings for one recorded shape against one response schema,
    depth first in the recording's key order. Iterative: shapes nest deep."""
    place = place_of([(schema,)])
    if place is None:
        return []
    found: list[Placed] = []
    stack = [Visit(root, ROOT, place, schema.location)]
    while stack:
        step = stack.pop()
        found.extend((step.position, finding) for finding in _local(report, step))
        children, more = _below(report, step)
        found.extend(more)
        stack.extend(children)
    found.sort(key=lambda placed: placed[0])  # stable: a path's own findings in order
    return [finding for _, finding in found]


def _local(report: Report, step: Visit) -> Iterator[Finding]:
    """The type, null and enum rules at one path."""
    node, place = step.node, step.place
    nulls = node.types.get("null", 0)
    if nulls and not any(branch.allows("null") for branch in place):
        yield report(
            RuleId.SPEC_NULL_UNDECLARED, step.path, step.site, "not null",
            f"null in {nulls}/{node.count}", nulls=nulls, present=node.count,
        )  # fmt: skip
    wrong = [k for k, n in node.types.items() if n and k != "null" and not _fits(k, place)]
    if wrong:
        declared = _declared(place)
        count = sum(node.types[kind] for kind in wrong)
        yield report(
            RuleId.SPEC_TYPE_MISMATCH, step.path, step.site, declared, format_types(wrong),
            recorded=format_types(wrong), count=count, declared=declared, present=node.count,
        )  # fmt: skip
    yield from _enum(report, step)


def _fits(kind: str, place: list[Branch]) -> bool:
    """Whether some branch allows a recorded type. A recorded `number` may be `3.0`, an
    integer to JSON Schema: where the spec says `integer`, the shape cannot tell."""
    if any(branch.allows(kind) for branch in place):
        return True
    return kind == "number" and any(branch.allows("integer") for branch in place)


def _declared(place: list[Branch]) -> str:
    """The types the spec allows at a place, `integer` left out beside `number`."""
    kinds: set[str] = set()
    for branch in place:
        kinds.update(branch.kinds() or ())
    if "number" in kinds:
        kinds.discard("integer")
    return format_types(kinds) if kinds else "no value at all"


def _enum(report: Report, step: Visit) -> Iterator[Finding]:
    """`spec-enum-undeclared`: recorded strings outside every string branch's enum."""
    values = step.node.enum
    strings = [branch for branch in step.place if branch.allows("string")]
    if not values or not strings:
        return  # values unknown, or strings are a type mismatch already
    outside = [v for v in values if not any(branch.allows_value(v) for branch in strings)]
    if not outside:
        return
    outside.sort(key=lambda value: (-values[value], value))
    declared = _declared_values(strings)
    shown = ", ".join(f"`{value}` ({values[value]})" for value in outside[:MAX_SHOWN])
    if len(outside) > MAX_SHOWN:
        shown += f" and {len(outside) - MAX_SHOWN} more"
    current = "also " + "|".join(outside[:MAX_SHOWN]) + ("|…" if len(outside) > MAX_SHOWN else "")
    yield report(
        RuleId.SPEC_ENUM_UNDECLARED, step.path, step.site, "one of " + declared, current,
        values=shown, declared=declared,
    )  # fmt: skip


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _declared_values(place: list[Branch]) -> str:
    values: dict[str, None] = {}
    for branch in place:
        values.update(dict.fromkeys(map(_text, branch.enum() or ())))
    names = list(values)
    text = "|".join(names[:MAX_DECLARED])
    return text + f"|… ({len(names)} values)" if len(names) > MAX_DECLARED else text


def _below(report: Report, step: Visit) -> tuple[list[Visit], list[Placed]]:
    """The places to compare under this one (elements, map values, documented keys), and
    the findings about its keys."""
    node = step.node
    children: list[Visit] = []
    found: list[Placed] = []
    arrays = [branch for branch in step.place if branch.allows("array")]
    if node.items is not None and arrays:
        children.extend(_items(step, arrays))
    objects = [branch for branch in step.place if branch.allows("object")]
    if not node.types.get("object") or not objects:
        return children, found
    if node.values is not None:
        children.extend(_map_values(step, objects))
        return children, found
    groups = _groups(node, objects)
    found.extend(_required(report, step, groups))
    for index, (key, child) in enumerate(node.keys.items()):
        branches = _branches_with(key, groups, objects)
        below, finding = _key(report, step, key, child, branches, (*step.position, index))
        children.extend(below)
        if finding is not None:
            found.append(finding)
    return children, found


def _items(step: Visit, arrays: list[Branch]) -> list[Visit]:
    assert step.node.items is not None
    conjunctions = []
    for branch in arrays:
        items = branch.items()
        if items is None:
            return []  # some reading allows items of any kind
        conjunctions.append(items)
    position = (*step.position, len(step.node.keys))
    return _step(step.node.items, step.path + ITEMS, conjunctions, position)


def _map_values(step: Visit, objects: list[Branch]) -> list[Visit]:
    """A recorded map's values against `additionalProperties`, when every reading of the
    spec gives them a schema (else its keys may be documented ones: say nothing). A value
    may also be a documented property's, whose key the map's hides: each is a reading."""
    assert step.node.values is not None
    conjunctions: list[tuple[SchemaNode, ...]] = []
    for branch in objects:
        additional = branch.additional()
        if not additional:
            return []
        conjunctions.append(additional)
        conjunctions.extend((p,) for member in branch.members for p in member.properties.values())
    position = (*step.position, len(step.node.keys) + 1)
    return _step(step.node.values, step.path + VALUES, conjunctions, position)


def _step(
    node: Node, path: str, conjunctions: list[tuple[SchemaNode, ...]], position: tuple[int, ...]
) -> list[Visit]:
    place = place_of(conjunctions)
    if place is None:
        return []
    return [Visit(node, path, place, conjunctions[0][0].location, position)]


@dataclass(frozen=True, slots=True)
class _Group:
    """Recorded objects held to the same branches: one variant (by its tag), or all."""

    count: int
    keys: Mapping[str, int]
    branches: list[Branch]


def _groups(node: Node, objects: list[Branch]) -> list[_Group]:
    """The recorded objects per variant, each with the branches its tag value allows;
    one group of all objects when there are no variants to tell apart."""
    total = node.types.get("object", 0)
    variants = node.variants
    if node.tag is None or not variants or sum(v.count for v in variants.values()) != total:
        return [_Group(total, {key: child.count for key, child in node.keys.items()}, objects)]
    tag = node.tag
    return [
        _Group(
            variant.count,
            variant.keys,
            [branch for branch in objects if consistent(branch, tag, value)] or objects,
        )
        for value, variant in variants.items()
    ]


def _required(report: Report, step: Visit, groups: list[_Group]) -> Iterator[Placed]:
    """`spec-required-missing`: a key every branch of a group requires, missing from some
    of its objects (counted over the groups that require it)."""
    tallies: dict[str, list[int]] = {}  # key -> [missing, parent]
    sites: dict[str, Location] = {}  # key -> where the spec says it is required
    for group in groups:
        required = frozenset.intersection(*(branch.required() for branch in group.branches))
        for key in required:
            tally = tallies.setdefault(key, [0, 0])
            tally[0] += group.count - min(group.keys.get(key, 0), group.count)
            tally[1] += group.count
            sites.setdefault(key, _requiring(group.branches, key) or step.site)
    order = {key: n for n, key in enumerate(step.node.keys)}
    never = len(order) + 2  # keys never recorded come after the recorded ones
    for key in sorted(tallies, key=lambda k: (order.get(k, never), k)):
        missing, parent = tallies[key]
        if missing > 0:
            yield (*step.position, order.get(key, never)), report(
                RuleId.SPEC_REQUIRED_MISSING, child_path(step.path, key), sites[key],
                "required", f"missing in {missing}/{parent}",
                missing=missing, parent=parent, missing_pct=percent(missing, parent),
            )  # fmt: skip


def _requiring(branches: list[Branch], key: str) -> Location | None:
    """Where the spec says `key` is required: its property's schema in the first branch
    requiring it, else the object schema listing it."""
    for branch in branches:
        if key not in branch.required():
            continue
        documented = [
            member.properties[key] for member in branch.members if key in member.properties
        ]
        if documented:
            return documented[0].location
        return next(member.location for member in branch.members if key in member.required)
    return None


def _branches_with(key: str, groups: list[_Group], objects: list[Branch]) -> list[Branch]:
    """The branches of the variants that have `key` (all objects' when none says)."""
    found: dict[int, Branch] = {}
    for group in groups:
        if group.keys.get(key):
            found.update((id(branch), branch) for branch in group.branches)
    return list(found.values()) or objects


def _key(
    report: Report,
    step: Visit,
    key: str,
    child: Node,
    branches: list[Branch],
    position: tuple[int, ...],
) -> tuple[list[Visit], Placed | None]:
    """A recorded key: compared with what the branches document for it, or reported as
    undocumented (a warning when every branch forbids other keys)."""
    path = child_path(step.path, key)
    documented = [branch.documents(key) for branch in branches]
    pairs = zip(documented, branches, strict=True)
    if any(not schemas and branch.free_form() for schemas, branch in pairs):
        return [], None  # some reading takes any key: nothing to say below
    conjunctions = [schemas for schemas in documented if schemas]
    if conjunctions:
        return _step(child, path, conjunctions, position), None
    parents = tags.key_parents(step.node)
    parent = parents[key] if parents else step.node.types.get("object", 0)
    strict = all(branch.strict() for branch in branches)
    finding = report(
        RuleId.SPEC_FIELD_UNDOCUMENTED, path, step.site,
        "not allowed" if strict else "undocumented", f"present in {child.count}/{parent}",
        severity=Severity.WARNING if strict else None, present=child.count, parent=parent,
    )  # fmt: skip
    return [], (position, finding)
