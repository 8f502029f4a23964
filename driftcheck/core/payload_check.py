"""One payload at a time against a contract that stays the same (pure): the pytest
plugin's check, called hundreds of times a session on one endpoint's contract.

`compare_fixtures` flattens the whole contract for every call and computes the coverage
of the fixtures it is given, which needs all of an endpoint's fixtures; one payload
alone has its own findings only (`PER_PAYLOAD_RULES`). A `PayloadCheck` keeps its
contract's path table and grows it as payloads reach new parts of the contract: each
contract node the payload walks to has its children's fields added, once per session,
so a call costs the payload's size (and the keys of the contract objects it reaches),
never the whole contract's. Its findings are exactly those `compare_fixtures(contract,
[fixture])` gives of those rules (the table holds every path they read).
"""

from __future__ import annotations

from typing import Any

from driftcheck.core import domain_rules
from driftcheck.core.compare import Overrides
from driftcheck.core.fixture_bodies import bodies_of
from driftcheck.core.fixture_check import Contract, Table, fixture_findings
from driftcheck.core.model import Field, Finding, Fixture, Node, Opaque
from driftcheck.core.paths import ITEMS, ROOT, VALUES, child_path
from driftcheck.core.signature import descriptor
from driftcheck.core.tags import key_parents

_Child = tuple[str, Node, int, bool]  # path, node, parent count, is an element


class PayloadCheck:
    """A contract with the part of its path table payloads have reached so far."""

    __slots__ = ("_grown", "contract", "table")

    def __init__(self, contract: Contract) -> None:
        self.contract = contract
        self.table = Table({}, {})
        self._grown: set[str] = set()  # paths whose children are in the table
        root = contract.shape
        self._add(_field(None, (ROOT, root, root.count, False)))

    @property
    def indexed(self) -> int:
        """How many of the contract's paths the table holds."""
        return len(self.table.fields)

    def findings(
        self, payload: Any, label: str = "payload", overrides: Overrides | None = None
    ) -> list[Finding]:
        """What is wrong with `payload` by itself, in `compare_fixtures`' order."""
        fixture = Fixture(payload, label, 0, label)
        for body in bodies_of(fixture, self.contract.shape):
            self._grow(body.value)
        _, found = fixture_findings(self.contract, self.table, fixture, overrides)
        return found

    def _grow(self, value: Any) -> None:
        """The fields of every contract node `value` reaches and of their children: more
        than the walk beside the contract visits (it stops where a type does not fit or
        an object is set aside), never less."""
        stack: list[tuple[Any, Node, str]] = [(value, self.contract.shape, ROOT)]
        while stack:
            value, node, path = stack.pop()
            if path not in self._grown:
                self._grown.add(path)
                for child in _children(path, node):
                    self._add(_field(path, child))
            if isinstance(value, Opaque):
                continue
            if isinstance(value, dict):
                if node.values is not None:
                    stack.extend((v, node.values, path + VALUES) for v in value.values())
                known = ((k, node.keys.get(k)) for k in value)
                stack.extend((value[k], n, child_path(path, k)) for k, n in known if n)
            elif isinstance(value, list) and node.items is not None:
                stack.extend((v, node.items, path + ITEMS) for v in value)

    def _add(self, field: Field) -> None:
        self.table.fields[field.path] = field
        required = None if field.is_item else field.required
        self.table.flat[field.path] = descriptor(field.counts, required)


def _children(path: str, node: Node) -> list[_Child]:
    """A node's children with their parent counts, as `shape.flatten` counts them: a
    key's parent is the objects (of the variants that have it, under a tag), elements'
    the non-empty arrays, a map's values their own count."""
    objects = node.types.get("object", 0)
    parents = key_parents(node)
    found: list[_Child] = [
        (child_path(path, key), child, parents[key] if parents else objects, False)
        for key, child in node.keys.items()
    ]
    if node.items is not None:
        found.append((path + ITEMS, node.items, node.types.get("array", 0) - node.empty, True))
    if node.values is not None:
        found.append((path + VALUES, node.values, node.values.count, True))
    return found


def _field(parent: str | None, child: _Child) -> Field:
    path, node, count, is_item = child
    return Field(path, node.types, node.count, count, parent, node.empty, is_item,
                 domain_rules.path_format(node), domain_rules.enum_values(node))  # fmt: skip
