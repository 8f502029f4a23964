"""How a mock fixture lines up with its endpoint's bodies (pure): a fixture is a whole
body, a list of bodies, or one element of a list endpoint; each body knows where the
fixture wrote each of its paths."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from driftcheck.core.model import Fixture, Location, Node, Opaque
from driftcheck.core.paths import ITEMS, ROOT
from driftcheck.core.shape import json_type


@dataclass(frozen=True, slots=True)
class Body:
    """One body of a fixture, and where the fixture's own `$` sits in it."""

    value: Any
    fixture: Fixture
    prefix: str  # where the fixture's own `$` sits in the body: `$` or `$[*]`

    def where(self, path: str) -> Location:
        own = ROOT + path[len(self.prefix) :] if path.startswith(self.prefix) else None
        return self.fixture.where(own if own is not None else None)


def bodies_of(fixture: Fixture, root: Node) -> list[Body]:
    """A fixture is a whole body, a list of bodies, or one element of a list endpoint."""
    value = fixture.value
    kind = None if isinstance(value, Opaque) else json_type(value)
    if kind == "array" and "array" not in root.types and "object" in root.types:
        return [Body(item, _element_fixture(fixture), ROOT) for item in value]
    if kind == "object" and "object" not in root.types and "array" in root.types:
        return [Body([value], fixture, ROOT + ITEMS)]
    return [Body(value, fixture, ROOT)]


def _element_fixture(fixture: Fixture) -> Fixture:
    """Each element of a list of bodies is a fixture, its lines taken from the `[*]` paths."""
    prefix = ROOT + ITEMS
    lines = {ROOT + p[len(prefix) :]: n for p, n in fixture.lines.items() if p.startswith(prefix)}
    return Fixture(fixture.value, fixture.file, lines.get(ROOT, fixture.line), fixture.name, lines)
