"""Structural signatures (pure): what the comparison rules look at, and nothing else
(never counts beyond "always present", never values).

A shape node's signature is an int interned per comparison, so equal subtrees compare in
one step however deep; where two shapes' signatures differ, `region` flattens each side
there into `{path: descriptor}`, the form DeepDiff compares (`compare.changes`). A mock
fixture walked beside its contract (`Reach`) flattens into the same form.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from driftcheck.core import domain_rules, domains
from driftcheck.core.model import Field, Location, Node, Opaque
from driftcheck.core.paths import ITEMS, ROOT, VALUES, child_path
from driftcheck.core.shape import fits, format_types, json_type
from driftcheck.core.tags import key_parents, partitioned, tag_value, variant_of

Descriptor = Mapping[str, Any]  # {"types": frozenset[str], "nullable": bool, "required": ...}
Flat = dict[str, Descriptor]  # JSONPath -> descriptor: a flattened structural signature
KeySignature = tuple[str, bool, int]  # a key, whether always present, its signature
Where = Callable[[str], Location]  # a fixture path -> the line that wrote it

_NULL = frozenset({"null"})
_NO_KEYS: frozenset[KeySignature] = frozenset()


def descriptor(types: Collection[str], required: bool | None) -> Descriptor:
    """What the rules read at one path: its types besides null, whether null was seen, and
    for keys whether always present (None for array elements, which have no presence).

    Equal descriptors are one shared, read-only object (a few hundred can exist), so DeepDiff
    passes over a path that did not change by identity, without comparing its parts.
    """
    seen = frozenset(types)
    found = _DESCRIPTORS.get((seen, required))
    if found is None:
        kinds = _TYPE_SETS.setdefault(seen - _NULL, seen - _NULL)
        found = {"types": kinds, "nullable": "null" in seen, "required": required}
        _DESCRIPTORS[seen, required] = found
    return found


_DESCRIPTORS: dict[tuple[frozenset[str], bool | None], Descriptor] = {}
_TYPE_SETS: dict[frozenset[str], frozenset[str]] = {}


class Signatures:
    """Each node's structure as a small int: two nodes get the same int exactly when the
    comparison rules can find nothing between them, anywhere below.

    Structure is the node's type set, each key with whether it is always present (as often
    as the node was an object) and its own structure, the elements' structure, and what the
    value rules read (`domain_rules.signature`). One
    table serves both sides of a comparison, so a whole subtree compares as one int, and
    no nested value is built that `==` would have to recurse through 1024 levels of.
    """

    __slots__ = ("_held", "_ids", "_keys", "_of")

    def __init__(self) -> None:
        self._ids: dict[tuple[Any, ...], int] = {}
        self._of: dict[int, int] = {}  # id(node) -> its signature
        self._keys: dict[int, frozenset[KeySignature]] = {}
        # Every root signed, kept alive with its subtree (nodes are frozen): a node freed
        # meanwhile could hand its id, and so its signature, to a new one.
        self._held: list[Node] = []

    def __call__(self, node: Node) -> int:
        known = self._of.get(id(node))
        return known if known is not None else self._build(node)

    def keys(self, node: Node) -> frozenset[KeySignature]:
        """Each key of `node` with whether it is always present and its signature."""
        self(node)
        return self._keys.get(id(node), _NO_KEYS)

    def _build(self, root: Node) -> int:
        """Every node of `root` in pre-order, then back to front: children before parents."""
        self._held.append(root)
        order: list[Node] = []
        stack = [root]
        while stack:
            node = stack.pop()
            order.append(node)
            stack.extend(node.keys.values())
            if node.items is not None:
                stack.append(node.items)
            if node.values is not None:
                stack.append(node.values)
        of, ids = self._of, self._ids
        for node in reversed(order):
            keys = _NO_KEYS
            if node.keys:
                parents = key_parents(node)
                objects = node.types.get("object", 0)
                keys = self._keys[id(node)] = frozenset(
                    [
                        (key, child.count >= (parents[key] if parents else objects), of[id(child)])
                        for key, child in node.keys.items()
                    ]
                )
            items = -1 if node.items is None else of[id(node.items)]
            values = -1 if node.values is None else of[id(node.values)]
            signature = (frozenset(node.types), keys, items, values, domain_rules.signature(node))
            of[id(node)] = ids.setdefault(signature, len(ids))
        return of[id(root)]


@dataclass(frozen=True, slots=True)
class Spot:
    """A path of the differing region, with what its rules need: the node, its parent's
    count and path, and how often the other side saw the parent (0: never)."""

    node: Node
    parent: int
    parent_path: str | None
    is_item: bool
    their_parent: int

    def field(self, path: str) -> Field:
        node = self.node
        return Field(path, node.types, node.count, self.parent, self.parent_path, node.empty,
                     self.is_item)  # fmt: skip  # a record's fields on few lines, not one per line


_Visit = tuple[Node, Node | None, int, int, str, str | None, bool]


def region(mine: Node, theirs: Node, signature: Signatures) -> tuple[Flat, dict[str, Spot]]:
    """`mine` flattened where it differs from `theirs`, in `flatten` order: every path whose
    own descriptor or subtree differs, and the top of each subtree `theirs` lacks (below
    it no rule can fire: they count against the other side's parent, which is absent)."""
    flat: Flat = {}
    spots: dict[str, Spot] = {}
    stack: list[_Visit] = [(mine, theirs, mine.count, theirs.count, ROOT, None, False)]
    while stack:
        node, other, parent, their_parent, path, parent_path, is_item = stack.pop()
        flat[path] = descriptor(node.types, None if is_item else node.count >= parent)
        spots[path] = Spot(node, parent, parent_path, is_item, their_parent)
        if other is not None and signature(node) != signature(other):
            stack.extend(reversed(_differing_children(node, other, path, signature)))
    return flat, spots


def _differing_children(node: Node, other: Node, path: str, signature: Signatures) -> list[_Visit]:
    """The children of `node` whose signature or presence differs from `other`'s."""
    parent, their_parent = _parents(node), _parents(other)
    differing = {key for key, _, _ in signature.keys(node) - signature.keys(other)}
    visits: list[_Visit] = [
        (child, other.keys.get(key), parent(key), their_parent(key), child_path(path, key), path,
         False)
        for key, child in node.keys.items()
        if key in differing
    ]  # fmt: skip  # one visit per line
    items, their_items = node.items, other.items
    if items is not None and (their_items is None or signature(items) != signature(their_items)):
        arrays = node.types.get("array", 0) - node.empty
        their_arrays = other.types.get("array", 0) - other.empty
        visits.append((items, their_items, arrays, their_arrays, path + ITEMS, path, True))
    values, their_values = _entries(node), _entries(other)
    if values is not None and (
        their_values is None or signature(values) != signature(their_values)
    ):
        their_count = their_values.count if their_values is not None else 0
        visits.append((values, their_values, values.count, their_count, path + VALUES, path, True))
    return visits


def _entries(node: Node) -> Node | None:
    """A map's values, if it ever had any (an empty map says nothing about them)."""
    values = node.values
    return values if values is not None and values.count else None


def _parents(node: Node) -> Callable[[str], int]:
    """A key's parent count: the objects, or those of the variants that have the key."""
    parents = key_parents(node)
    objects = node.types.get("object", 0)
    if parents is None:
        return lambda key: objects
    return lambda key: parents.get(key, objects)


@dataclass(frozen=True, slots=True)
class First:
    """Where something a rule reports first shows in a fixture: its place in walk order
    (findings keep that order, as a walk reporting as it goes would) and its line."""

    order: int
    location: Location
    detail: str = ""  # an unknown key's type, as the message names it
    parent: str = ""  # an unknown key's parent path


@dataclass
class Reach:
    """One fixture walked beside the contract: the contract paths it reaches, the paths it
    has (keys of objects that fit, elements of non-empty arrays that fit; a value whose type
    does not fit, an Opaque part and a key the contract lacks are not descended), and where
    each thing a rule may report first shows."""

    expected: set[str] = field(default_factory=set)  # root, keys of reached objects, elements
    present: dict[str, bool] = field(default_factory=dict)  # path -> a key (else element)
    kinds: dict[str, dict[str, First]] = field(default_factory=dict)  # path -> type -> first
    lacking: dict[str, First] = field(default_factory=dict)  # key path -> first object without
    unknown: dict[str, First] = field(default_factory=dict)  # key paths the contract lacks
    objects: dict[str, Location] = field(default_factory=dict)  # reached object paths
    tags: dict[str, dict[str, First]] = field(default_factory=dict)  # path -> variant -> first
    off_enum: dict[str, First] = field(default_factory=dict)  # a value no enum value (detail)
    off_format: dict[str, First] = field(default_factory=dict)  # a string of another format
    count: int = 0
    _domains: dict[int, tuple[frozenset[str] | None, str | None]] = field(default_factory=dict)

    def walk(self, body: Any, root: Node, where: Where) -> None:
        """Depth first, keys in fixture order: the order findings are reported in."""
        if not isinstance(body, Opaque):
            self.expected.add(ROOT)
            self.present[ROOT] = True
        stack: list[tuple[Any, Node, str]] = [(body, root, ROOT)]
        while stack:
            value, node, path = stack.pop()
            if isinstance(value, Opaque):
                continue
            kind = json_type(value)
            self._saw(where, path, kind)
            if not fits(kind, node.types):
                continue
            if kind == "string":
                self._string(where, path, value, node)
            if kind == "object" and node.values is not None:
                entries = path + VALUES
                self.objects.setdefault(path, where(path))
                self.expected.add(entries)
                self.present[entries] = False
                stack.extend((item, node.values, entries) for item in reversed(value.values()))
            elif kind == "object":
                self.objects.setdefault(path, where(path))
                stack.extend(reversed(self._object(where, value, node, path)))
            elif kind == "array" and value and node.items is not None:
                elements = path + ITEMS
                self.expected.add(elements)
                self.present[elements] = False
                stack.extend((item, node.items, elements) for item in reversed(value))

    def _string(self, where: Where, path: str, value: str, node: Node) -> None:
        """A string at an enum-like path that is none of its values, or of another format
        than every recorded string there: the first of each per path. A mock string whose
        value is not known (`Unknown`: an f-string) is never checked."""
        if type(value) is not str:
            return
        known = self._domains.get(id(node))
        if known is None:
            enum = domain_rules.enum_values(node)
            known = self._domains[id(node)] = (
                None if enum is None else frozenset(enum),
                domain_rules.contract_format(node),
            )
        allowed, fmt = known
        if allowed is not None and value not in allowed and path not in self.off_enum:
            self.off_enum[path] = First(self._next(), where(path), value)
        if fmt is not None and path not in self.off_format:
            found = domains.string_format(value)
            if found not in (fmt, domains.PLACEHOLDER) and not (
                fmt == "decimal-as-string" and found in domains.NUMERIC
            ):
                self.off_format[path] = First(self._next(), where(path), found or "no format")

    def _next(self) -> int:
        self.count += 1
        return self.count

    def _saw(self, where: Where, path: str, kind: str) -> None:
        firsts = self.kinds.setdefault(path, {})
        if kind not in firsts:
            firsts[kind] = First(self._next(), where(path), kind)

    def _object(
        self, where: Where, value: Mapping[str, Any], node: Node, path: str
    ) -> list[tuple[Any, Node, str]]:
        """The keys the contract knows, to descend; unknown keys first, then absent ones."""
        known: list[tuple[Any, Node, str]] = []
        for key, child in value.items():
            at = child_path(path, key)
            child_node = node.keys.get(key)
            if child_node is not None:
                self.present[at] = True
                known.append((child, child_node, at))
            elif at not in self.unknown:
                kind = format_types([_type(child)])
                self.unknown[at] = First(self._next(), where(at), kind, path)
                self.present[at] = False
        for key in self._expected_keys(where, value, node, path):
            at = child_path(path, key)
            self.expected.add(at)
            if key not in value and at not in self.lacking:
                self.lacking[at] = First(self._next(), where(path))
        return known

    def _expected_keys(
        self, where: Where, value: Mapping[str, Any], node: Node, path: str
    ) -> Iterable[str]:
        """The keys an object is held to: all the contract's, or under a tag that tells
        variants apart, those of the variant its tag names (of every variant, when the
        tag names none), so an Organization is not missing a User's keys."""
        if not partitioned(node):
            return node.keys
        variant = variant_of(node, value)
        if variant is None:
            every = node.variants.values()
            return [key for key in node.keys if all(v.keys.get(key) for v in every)]
        name = tag_value(value, node.tag or "")
        seen = self.tags.setdefault(path, {})
        if name not in seen:
            seen[name] = First(self._next(), where(path), name)
        return [key for key in node.keys if variant.keys.get(key)]

    def flat(self) -> Flat:
        """The fixture's signature: each path's types, and for keys whether every reached
        object has it."""
        return {
            path: descriptor(self.kinds.get(path, ()), path not in self.lacking if keyed else None)
            for path, keyed in self.present.items()
        }


def _type(value: Any) -> str:
    return "unknown" if isinstance(value, Opaque) else json_type(value)
