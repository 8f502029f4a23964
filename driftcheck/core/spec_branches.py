"""One place of a response schema as the ways a value may match it (pure).

A `SchemaNode` with `oneOf`/`anyOf` alternatives holds beside each of them, so a place is
a list of `Branch`es: in each, every member schema holds (the node and one alternative,
nested alternatives taken apart the same way). The rules ask whether *some* branch allows
what was recorded: a finding needs every way of reading the spec to disagree.

Two readings are lenient on purpose, as spec authors mean them: a node that says only
`nullable` (or lists `null`) beside its alternatives allows null whatever they say, and a
key documented by one member is not held to another member's `additionalProperties`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from driftcheck.core.model import JSON_TYPES
from driftcheck.core.shape import fits
from driftcheck.core.spec_model import SchemaNode
from driftcheck.core.tags import UNTAGGED

__all__ = ["Branch", "Place", "consistent", "place_of"]

# Alternatives nest (a `oneOf` in a `oneOf`) and may refer to themselves: past these, a
# place is read as allowing anything rather than taken apart further.
MAX_NESTING = 8
MAX_BRANCHES = 64

_NULL = frozenset({"null"})


def _allows(member: SchemaNode, kind: str) -> bool:
    if member.types is None:
        return True
    if kind == "null":
        return "null" in member.types or (member.enum is not None and None in member.enum)
    return fits(kind, member.types)


def _unconstrained(member: SchemaNode) -> bool:
    """`{}`: a schema that allows any value."""
    return (
        member.types is None
        and not member.properties
        and member.additional is True
        and member.items is None
        and member.enum is None
        and not member.required
        and not member.alternatives
    )


@dataclass(frozen=True, slots=True)
class Branch:
    """One way a value matches a place: every member holds. `picks` say which alternative
    of which node was taken (for a discriminator's `mapping`)."""

    members: tuple[SchemaNode, ...]
    picks: tuple[tuple[SchemaNode, int], ...] = ()

    def allows(self, kind: str) -> bool:
        return all(_allows(member, kind) for member in self.members)

    def kinds(self) -> frozenset[str] | None:
        """The JSON types this branch allows (None: any)."""
        if all(member.types is None for member in self.members):
            return None
        return frozenset(kind for kind in JSON_TYPES if self.allows(kind))

    def allows_value(self, value: str) -> bool:
        """Whether a string value is in every member's enum (members without one allow it)."""
        return all(member.enum is None or value in member.enum for member in self.members)

    def enum(self) -> tuple[object, ...] | None:
        """The values every member's enum allows, in the first enum's order (None: any)."""
        enums = [member.enum for member in self.members if member.enum is not None]
        if not enums:
            return None
        return tuple(value for value in enums[0] if all(value in other for other in enums[1:]))

    def required(self) -> frozenset[str]:
        return frozenset().union(*(member.required for member in self.members))

    def documents(self, key: str) -> tuple[SchemaNode, ...]:
        """The schemas the members give a key: its properties, else schema-valued
        `additionalProperties` (the values of a map)."""
        found = tuple(m.properties[key] for m in self.members if key in m.properties)
        return found or self.additional()

    def additional(self) -> tuple[SchemaNode, ...]:
        return tuple(m.additional for m in self.members if isinstance(m.additional, SchemaNode))

    def strict(self) -> bool:
        """No key other than the documented ones (`additionalProperties: false`)."""
        return any(member.additional is False for member in self.members)

    def free_form(self) -> bool:
        """An object that documents no key and forbids none: any keys are its contract."""
        return not self.strict() and not any(member.properties for member in self.members)

    def items(self) -> tuple[SchemaNode, ...] | None:
        """The members' item schemas (None: the items may be anything)."""
        found = tuple(member.items for member in self.members if member.items is not None)
        return found or None

    def unconstrained(self) -> bool:
        return all(_unconstrained(member) for member in self.members)


Place = list[Branch] | None  # None: the spec allows anything here (say nothing)


def _without_null(types: frozenset[str] | None) -> frozenset[str] | None:
    if types is None or types <= _NULL:
        return None
    return types - _NULL


def _expand(
    members: tuple[SchemaNode, ...], picks: tuple[tuple[SchemaNode, int], ...], depth: int
) -> list[Branch] | None:
    """Every branch of a conjunction of members, alternatives taken apart (None: too
    many or too deep to say)."""
    index = next((i for i, member in enumerate(members) if member.alternatives), None)
    if index is None:
        return [Branch(members, picks)]
    if depth >= MAX_NESTING:
        return None
    node, rest = members[index], members[:index] + members[index + 1 :]
    conjunctions: list[tuple[tuple[SchemaNode, ...], tuple[tuple[SchemaNode, int], ...]]] = []
    if node.types is not None and "null" in node.types:
        conjunctions.append(((*rest, replace(node, types=_NULL, alternatives=())), picks))
    stripped = replace(node, types=_without_null(node.types), alternatives=())
    for number, alternative in enumerate(node.alternatives):
        conjunctions.append(((*rest, stripped, alternative), (*picks, (node, number))))
    branches: list[Branch] = []
    for conjunction, taken in conjunctions:
        found = _expand(conjunction, taken, depth + 1)
        if found is None or len(branches) + len(found) > MAX_BRANCHES:
            return None
        branches.extend(found)
    return branches


def place_of(conjunctions: Iterable[tuple[SchemaNode, ...]]) -> Place:
    """The branches of a place any of these conjunctions describes; None when one of
    them allows anything, or they cannot be taken apart."""
    branches: list[Branch] = []
    for members in conjunctions:
        found = _expand(members, (), 0)
        if found is None or any(branch.unconstrained() for branch in found):
            return None
        branches.extend(found)
    return branches if branches else None


def consistent(branch: Branch, tag: str, value: str) -> bool:
    """Whether objects whose `tag` is `value` may match `branch`: not if a discriminator's
    `mapping` sends the value to another alternative, a member's enum for the tag lacks
    it, or (for objects without the tag) a member requires the tag."""
    for node, number in branch.picks:
        if node.discriminator == tag and node.mapping.get(value, number) != number:
            return False
    for member in branch.members:
        if value == UNTAGGED:
            if tag in member.required:
                return False
            continue
        prop = member.properties.get(tag)
        if prop is not None and prop.enum is not None and value not in prop.enum:
            return False
    return True
