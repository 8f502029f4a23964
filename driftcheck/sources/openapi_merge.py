"""Two normalised schemas that must both hold (`allOf`, a 3.1 `$ref` beside other
keywords, `anyOf` beside `oneOf`) as one `SchemaNode`.

Properties are united (a property in both is merged in turn), `required` too (less the
write-only properties: `readable`), types
intersected (`integer` is a `number`), enums intersected. `additionalProperties: false`
in one branch closes the merge but keeps every branch's properties: that is what a spec
writing `allOf` for inheritance means, whatever strict JSON Schema says.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from driftcheck.core.spec_model import SchemaNode

MAX_PRODUCT = 64  # alternatives of two branches combined pairwise up to this many


def trivial(node: SchemaNode) -> bool:
    """A node that constrains nothing: merging it changes nothing."""
    return (
        node.types is None
        and not node.properties
        and not node.required
        and node.additional is True
        and node.items is None
        and node.enum is None
        and node.format is None
        and not node.alternatives
        and not node.write_only
    )


_NULL_ONLY = frozenset({"null"})
_DEEPEST = 8  # branches of branches looked into (as the rules do)


def readable(node: SchemaNode) -> SchemaNode:
    """`node` as a response must hold it: a `writeOnly` property is never required there
    (OAS: "the `required` will take effect on the request only"), wherever `writeOnly` is
    written (inline, in a `$ref`'d component, in another `allOf` part). Applied to every
    node once it is whole (`Schemas.node`) and to every merge, so the rules and the mock
    checks read the same `required`."""
    hidden = {
        name
        for name in node.required
        if name in node.properties and _write_only(node.properties[name])
    }
    return replace(node, required=node.required - hidden) if hidden else node


def _write_only(node: SchemaNode, depth: int = 0) -> bool:
    """Write-only itself, or every branch of its `oneOf`/`anyOf` that is not `null` is
    (NSwag's nullable reference, `oneOf: [$ref: Secret]`: the only value it can take)."""
    if node.write_only:
        return True
    branches = [b for b in node.alternatives if b.types != _NULL_ONLY]
    return depth < _DEEPEST and bool(branches) and all(_write_only(b, depth + 1) for b in branches)


def merge(first: SchemaNode, other: SchemaNode) -> SchemaNode:
    """Both schemas at once, at `first`'s location."""
    if other is first or trivial(other):  # `is`: a component or alias met twice
        return first
    if trivial(first):
        return replace(other, location=first.location)
    properties = dict(first.properties)
    for name, node in other.properties.items():
        properties[name] = merge(properties[name], node) if name in properties else node
    alternatives, discriminator, mapping = _alternatives(first, other)
    merged = SchemaNode(
        location=first.location,
        types=_types(first.types, other.types),
        properties=properties,
        required=first.required | other.required,
        additional=_additional(first.additional, other.additional),
        items=_items(first.items, other.items),
        enum=_enum(first.enum, other.enum),
        format=first.format or other.format,
        alternatives=alternatives,
        discriminator=discriminator,
        mapping=mapping,
        write_only=first.write_only or other.write_only,
    )
    return readable(merged)


def with_null(node: SchemaNode) -> SchemaNode:
    """`node` also accepting null (3.0's `nullable`, 3.1's `anyOf: [X, {type: null}]`)."""
    if node.types is None and node.alternatives:  # null allowed, the type left to them
        types: frozenset[str] | None = frozenset({"null"})
    else:
        types = None if node.types is None else node.types | {"null"}
    enum = node.enum if node.enum is None or None in node.enum else (*node.enum, None)
    return replace(node, types=types, enum=enum)


def _types(first: frozenset[str] | None, other: frozenset[str] | None) -> frozenset[str] | None:
    if first is None or other is None:
        return other if first is None else first
    both = set(first & other)
    if ("integer" in first and "number" in other) or ("number" in first and "integer" in other):
        both.add("integer")
    return frozenset(both)


def _additional(first: SchemaNode | bool, other: SchemaNode | bool) -> SchemaNode | bool:
    """Other keys of two parts. A trivial node is what `patternProperties` and the like
    leave (`additionalProperties: {}` reads as True): keys that part allows are not
    modelled, so it keeps the object open even beside a part closed with `false`."""
    for opened in (first, other):
        if isinstance(opened, SchemaNode) and trivial(opened):
            return opened
    if first is False or other is False:
        return False
    if first is True:
        return other
    if other is True:
        return first
    if isinstance(first, SchemaNode) and isinstance(other, SchemaNode):
        return merge(first, other)
    return True


def _items(first: SchemaNode | None, other: SchemaNode | None) -> SchemaNode | None:
    if first is None or other is None:
        return other if first is None else first
    return merge(first, other)


def _enum(first: tuple[Any, ...] | None, other: tuple[Any, ...] | None) -> tuple[Any, ...] | None:
    if first is None or other is None:
        return other if first is None else first
    return tuple(value for value in first if value in other)


def _alternatives(
    first: SchemaNode, other: SchemaNode
) -> tuple[tuple[SchemaNode, ...], str | None, dict[str, int] | Any]:
    """Alternatives of both: one side's as they are, both sides' combined pairwise (a
    value matches one of each) while that stays small, else the first side's."""
    if not other.alternatives or not first.alternatives:
        side = first if first.alternatives else other
        return side.alternatives, side.discriminator, side.mapping
    if len(first.alternatives) * len(other.alternatives) > MAX_PRODUCT:
        return first.alternatives, first.discriminator, first.mapping
    pairs = tuple(merge(a, b) for a in first.alternatives for b in other.alternatives)
    return pairs, first.discriminator or other.discriminator, {}
