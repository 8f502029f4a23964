"""Discriminated variants: objects whose `type` (or `kind`, `object`, `__typename`)
names which of several key sets they have — `owner` is a User in some responses and an
Organization in others (pure).

Inference keeps, per tag value, how many objects had it and how often each key appeared
in them (`Tagged`); structure below is merged as before. A key's presence is then counted
against the objects of the variants that ever have it, so a User-only key is required of
Users, not optional because Organizations lack it; and a mock is held to the variant its
tag names. A tag with many values (`type: "image/png"`, ids) is no discriminator.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Container, Mapping
from itertools import chain
from operator import methodcaller
from typing import Any

from driftcheck.core.model import Node, Tagged

TAG_KEYS = ("type", "kind", "object", "__typename", "@type", "_type", "$type", "resourceType")
MAX_VARIANTS = 12  # more tag values than this: the field is data, not a discriminator
UNTAGGED = ""  # objects without the tag (or with a non-string value) form one variant

VariantCounts = dict[str, tuple[int, dict[str, int]]]  # tag value -> objects, key counts


def tag_of(keys: Container[str]) -> str | None:
    """The first tag key among `keys` (a dict, a Counter), in `TAG_KEYS` order."""
    return next((key for key in TAG_KEYS if key in keys), None)


def count_variants(
    objects: list[Any], tag: str, keys: Counter[str] | None = None
) -> VariantCounts | None:
    """Objects grouped by their tag's value: how many, and each key's count (`keys`, the
    column's own count, when they all share one value: the usual case). None when the
    tag has too many values to be a discriminator."""
    names = [
        name if type(name) is str else UNTAGGED for name in map(methodcaller("get", tag), objects)
    ]
    distinct = set(names)
    if len(distinct) > MAX_VARIANTS:
        return None
    if len(distinct) == 1 and keys is not None:
        return {names[0]: (len(objects), keys)}
    groups: dict[str, list[Any]] = {}
    for name, value in zip(names, objects, strict=True):
        groups.setdefault(name, []).append(value)
    return {
        name: (len(group), Counter(chain.from_iterable(group))) for name, group in groups.items()
    }


def add_counts(into: VariantCounts, more: Mapping[str, tuple[int, dict[str, int]]]) -> None:
    """Add `more`'s counts into `into`. A variant new to `into` takes `more`'s key counts
    as they are (callers hand over counts they no longer use: no copy in the hot path)."""
    for name, (count, keys) in more.items():
        found = into.get(name)
        if found is None:
            into[name] = (count, keys)
            continue
        seen, counter = found
        for key, n in keys.items():
            counter[key] = counter.get(key, 0) + n
        into[name] = (seen + count, counter)


def partitioned(node: Node) -> bool:
    """Whether the tag really tells key sets apart: two or more variants, and a key that
    some variant always lacks while another has it."""
    variants = node.variants
    if len(variants) < 2:
        return False
    keys = set().union(*(variant.keys for variant in variants.values()))
    return any(any(not variant.keys.get(key) for variant in variants.values()) for key in keys)


def key_parents(node: Node) -> Mapping[str, int] | None:
    """For a partitioned node, each key's parent count: the objects of the variants that
    have it at all. None when the node is not partitioned (every object counts)."""
    if not partitioned(node):
        return None
    variants = node.variants.values()
    return {
        key: sum(variant.count for variant in variants if variant.keys.get(key))
        for key in node.keys
    }


def tag_value(value: Mapping[str, Any], tag: str) -> str:
    """The variant an object names by its tag (`UNTAGGED` when it names none)."""
    name = value.get(tag)
    return name if isinstance(name, str) else UNTAGGED


def variant_of(node: Node, value: Any) -> Tagged | None:
    """The variant a fixture object belongs to, by its tag's value (None: unknown)."""
    if node.tag is None or not partitioned(node) or not isinstance(value, dict):
        return None
    return node.variants.get(tag_value(value, node.tag))


def variant_names(node: Node) -> list[str]:
    """The tag values of a partitioned node, most common first."""
    if not partitioned(node):
        return []
    return sorted(node.variants, key=lambda name: (-node.variants[name].count, name))
