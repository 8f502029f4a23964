"""Counts merged: a shape or another accumulator added into an accumulator, and objects
whose keys are data folded into maps, children before parents (pure; `core/inference.py`
counts values, this merges what was counted)."""

from __future__ import annotations

from collections.abc import Mapping

from driftcheck.core import maps, tags
from driftcheck.core.inference import NO_VALUES, Acc, Decide, bound, start_variants
from driftcheck.core.model import Node
from driftcheck.core.paths import Segment, Step

Source = Node | Acc


def _variant_state(source: Source) -> tuple[str | None, dict[str, tuple[int, dict[str, int]]]]:
    """A node's or accumulator's tag and its counts ({} with a tag: not a discriminator)."""
    if isinstance(source, Acc):
        found = source.variants or {}
        return source.tag, {name: (n, dict(keys)) for name, (n, keys) in found.items()}
    return source.tag, {name: (t.count, dict(t.keys)) for name, t in source.variants.items()}


def _merge_variants(target: Acc, source: Source, added: int) -> None:
    """Variants of `source` (with `added` objects) into `target`, before their keys are."""
    if source.tag is None and target.tag is None:
        return  # the usual case: no tag on either side
    tag, counts = _variant_state(source)
    if target.tag is None and tag is not None:
        start_variants(target, tag, target.types.get("object", 0) - added)
    if target.variants is None:
        return
    if tag is None:
        if added:
            untagged = {key: child.count for key, child in source.keys.items()}
            tags.add_counts(target.variants, {tags.UNTAGGED: (added, untagged)})
    elif tag != target.tag or not counts:
        target.variants = None  # two tags, or one that is data elsewhere
        return
    else:
        tags.add_counts(target.variants, counts)
    bound(target)


def _add_counts(target: Acc, source: Source) -> None:
    """A node's own counts: types, empty arrays, value domains."""
    for kind, count in source.types.items():
        target.types[kind] = target.types.get(kind, 0) + count
    target.empty += source.empty
    if source.formats is not NO_VALUES or source.enum is not NO_VALUES:
        target.add_domains(_copy(source.formats), _copy(source.enum))


def _copy(counts: Mapping[str, int] | None) -> dict[str, int] | None:
    return None if counts is None else NO_VALUES if not counts else dict(counts)


def fold(acc: Acc) -> None:
    """Make `acc` a map: its keys' values merged into one place, its keys forgotten."""
    values = acc.values = acc.values or Acc()
    for child in acc.keys.values():
        add_node(values, child)
    acc.keys = {}
    acc.tag, acc.variants = None, None


def add_node(acc: Acc, node: Source) -> None:
    """Add a frozen shape, or another accumulator (they share their field names)."""
    stack: list[tuple[Source, Acc]] = [(node, acc)]
    while stack:
        source, target = stack.pop()
        added = source.types.get("object", 0)
        _add_counts(target, source)
        if source.values is not None and target.values is None:
            fold(target)
        if target.values is not None:
            if source.values is not None:
                stack.append((source.values, target.values))
            stack.extend((child, target.values) for child in source.keys.values())
        else:
            _merge_variants(target, source, added)
            for key, child in source.keys.items():
                child_acc = target.keys.get(key)
                if child_acc is None:
                    child_acc = target.keys[key] = Acc()
                stack.append((child, child_acc))
        if source.items is not None:
            if target.items is None:
                target.items = Acc()
            stack.append((source.items, target.items))


def _nodes(root: Acc, paths: bool) -> list[tuple[Acc, tuple[Segment, ...]]]:
    """Every accumulator in pre-order, with its path when `paths` (else `()`)."""
    order: list[tuple[Acc, tuple[Segment, ...]]] = []
    stack: list[tuple[Acc, tuple[Segment, ...]]] = [(root, ())]
    while stack:
        acc, path = stack.pop()
        order.append((acc, path))
        for key, child in acc.keys.items():
            stack.append((child, (*path, key) if paths else ()))
        for step, child_acc in ((Step.ITEMS, acc.items), (Step.VALUES, acc.values)):
            if child_acc is not None:
                stack.append((child_acc, (*path, step) if paths else ()))
    return order


def settle(root: Acc, decide: Decide | None = None) -> None:
    """Fold every object whose keys are data into a map, children before parents.

    `decide` says for a path whether it is a map (True), never one (False), or leaves it
    to the heuristics of `core.maps` (None).
    """
    if not any_map(root, decide):
        return  # the usual case, found in one walk without building the post-order
    for acc, path in reversed(_nodes(root, decide is not None)):
        if acc.values is not None or not acc.keys:
            continue
        verdict = decide(path) if decide is not None else None
        if verdict is None:
            verdict = maps.is_map(acc.types.get("object", 0), acc.keys)
        if verdict:
            fold(acc)
            assert acc.values is not None  # fold() made it
            settle(acc.values, _below(decide, path) if decide is not None else None)


def any_map(root: Source, decide: Decide | None = None) -> bool:
    """Whether some object below `root` (a shape or an accumulator) is a map not folded
    yet. Folding one can make its parent one: only then is `settle`'s full walk needed."""
    stack: list[tuple[Source, tuple[Segment, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node.values is None and node.keys:
            verdict = decide(path) if decide is not None else None
            if verdict is None:
                verdict = maps.is_map(node.types.get("object", 0), node.keys)
            if verdict:
                return True
        for key, child in node.keys.items():
            stack.append((child, (*path, key) if decide is not None else ()))
        for step, below in ((Step.ITEMS, node.items), (Step.VALUES, node.values)):
            if below is not None:
                stack.append((below, (*path, step) if decide is not None else ()))
    return False


def _below(decide: Decide, path: tuple[Segment, ...]) -> Decide:
    return lambda rest: decide((*path, Step.VALUES, *rest))
