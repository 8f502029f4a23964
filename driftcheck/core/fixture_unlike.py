"""Fixture objects that do not look like the endpoint's responses (pure): a placeholder
`{"foo": "bar"}` among real records, a body written for another endpoint.

Such an object is one cause, so it gets one `mock-unlike-endpoint` finding instead of a
finding per key. It is judged object by object (the walk beside the contract merges all
elements of a list into one path, so it cannot tell a placeholder from the records around
it) and set aside as `Opaque` before that walk: nothing in it is checked, and it covers
nothing.

An object is unlike the contract object it is compared with when more than half of its
keys were never returned there AND more than half of the keys always returned there are
missing from it (so at least one of each, two problems in all). `{"foo": "bar"}` where
records always have `id`, `name` and `email` is; a record with a typo (`nme` for `name`:
one of two keys unknown, one of two missing) or with one extra and one missing key among
several is not, and keeps its findings per key. Strict majorities, because at exactly half
a real record with one typo would qualify. An empty object has no unknown key: it is not
unlike, its missing keys are reported one by one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from driftcheck.core.model import Node, Opaque
from driftcheck.core.paths import ITEMS, ROOT, VALUES, child_path
from driftcheck.core.shape import fits, json_type
from driftcheck.core.tags import partitioned, variant_of

_Link = tuple["_Link", str | int] | None  # the steps from the body to a value, innermost last
_Visit = tuple[Any, Node, str, _Link]

ASIDE = Opaque("an object unlike the endpoint's responses, reported as such", 0)


@dataclass(frozen=True, slots=True)
class Unlike:
    """An object of a fixture that shares almost nothing with its contract object."""

    path: str
    keys: int  # the fixture object's keys
    unknown: int  # of them, never returned there
    required: int  # keys always returned there
    missing: int  # of them, missing from the fixture object


def set_aside(body: Any, root: Node) -> tuple[Any, list[Unlike]]:
    """`body` with every object unlike its contract object replaced by `ASIDE`, and those
    objects in document order. The walk goes where `signature.Reach` goes: values whose
    type fits, keys the contract knows, elements of arrays, values of maps."""
    found: list[tuple[_Link, Unlike]] = []
    stack: list[_Visit] = [(body, root, ROOT, None)]
    while stack:
        value, node, path, link = stack.pop()
        if isinstance(value, Opaque):
            continue
        kind = json_type(value)
        if not fits(kind, node.types):
            continue
        if kind == "object":
            unlike = _judge(value, node, path)
            if unlike is not None:
                found.append((link, unlike))
            else:
                stack.extend(reversed(_children(value, node, path, link)))
        elif kind == "array" and node.items is not None:
            elements = [(item, node.items, path + ITEMS, (link, i)) for i, item in enumerate(value)]
            stack.extend(reversed(elements))
    if not found:
        return body, []
    return _replaced(body, [link for link, _ in found]), [unlike for _, unlike in found]


def _children(value: Mapping[str, Any], node: Node, path: str, link: _Link) -> list[_Visit]:
    """A map's values, else the keys the contract knows, in the fixture's order."""
    if node.values is not None:
        return [(v, node.values, path + VALUES, (link, k)) for k, v in value.items()]
    return [
        (v, node.keys[k], child_path(path, k), (link, k))
        for k, v in value.items()
        if k in node.keys
    ]


def _judge(value: Mapping[str, Any], node: Node, path: str) -> Unlike | None:
    """An `Unlike` when both strict majorities hold (the module's docstring says why)."""
    unknown = sum(1 for key in value if key not in node.keys)
    if 2 * unknown <= len(value):
        return None
    required = _always_returned(value, node)
    missing = sum(1 for key in required if key not in value)
    if 2 * missing <= len(required):
        return None
    return Unlike(path, len(value), unknown, len(required), missing)


def _always_returned(value: Mapping[str, Any], node: Node) -> list[str]:
    """The keys every recorded object there had (a map has none: never unlike). Under a
    tag that tells variants apart (`tags`), those of the variant the fixture's tag names,
    or of every variant when it names none, as `signature.Reach` holds the object to."""
    if not partitioned(node):
        objects = node.types.get("object", 0)
        return [key for key, child in node.keys.items() if child.count >= objects]
    variant = variant_of(node, value)
    variants = [variant] if variant is not None else list(node.variants.values())
    return [key for key in node.keys if all(v.keys.get(key, 0) >= v.count for v in variants)]


def _replaced(body: Any, links: list[_Link]) -> Any:
    """A copy of `body` with the values at `links` replaced by `ASIDE`; only the containers
    on the way to them are copied, the rest is shared."""
    routes = [_steps(link) for link in links]
    if any(not route for route in routes):
        return ASIDE  # the body itself (then nothing below it was judged)
    top = _shallow(body)
    copies: dict[tuple[str | int, ...], Any] = {(): top}
    for route in routes:
        container = top
        for depth in range(1, len(route)):
            copy = copies.get(route[:depth])
            if copy is None:
                copy = copies[route[:depth]] = _shallow(container[route[depth - 1]])
                container[route[depth - 1]] = copy
            container = copy
        container[route[-1]] = ASIDE
    return top


def _steps(link: _Link) -> tuple[str | int, ...]:
    steps: list[str | int] = []
    while link is not None:
        link, step = link
        steps.append(step)
    return tuple(reversed(steps))


def _shallow(value: Any) -> Any:
    return dict(value) if isinstance(value, Mapping) else list(value)
