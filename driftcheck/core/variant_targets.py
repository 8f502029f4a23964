"""The variations of a shape that edge-case fixtures must show (pure): what
`core/variants.py` covers with the fewest recorded bodies.

Five kinds, each at one place (paths under `[*]` and `{*}` are one place: any element or
map value shows them):

- `absent`: an optional key, some object that could have it lacks it;
- `null`: a path seen both null and not;
- `variant`: one value of a tag that tells objects' key sets apart (`"type": "User"`);
- `value`: one value of an enum-like path (`"status": "suspended"`), so that a client's
  lookup table meets every value the API has been seen to return;
- `format`: one string format of a path seen in two formats or more (`created_at` as a
  date-time and as a date), so that its parser meets each.

A path whose strings all have one format has no format target: every body shows that
format, so it asks for no body of its own. Nor has a path where some string has no
format: that is text, and a number in a chat reply is no format a parser reads there
(shapes count formats only while every string has one). On the shared corpus 42 paths
have every string in one of two formats or more (mostly user handles, an e-mail or a
UUID). The value of a tag that already has a `variant` target is no `value` target
besides.

Value and format targets are shown only by a body that holds that value as it was
recorded: no value is ever written, so none is one the API did not return there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from driftcheck.core import domains
from driftcheck.core.model import Field, Node
from driftcheck.core.paths import Step, child_path, parse_path
from driftcheck.core.shape import flatten, node_at
from driftcheck.core.tags import variant_names

Kind = Literal["absent", "null", "variant", "value", "format"]


@dataclass(frozen=True, slots=True)
class Target:
    """One variation the recordings show: `path` absent or null, a tag's `value` there,
    one enum `value` at `path`, or strings of format `value` there."""

    kind: Kind
    path: str
    tag: str = ""
    value: str = ""

    def __str__(self) -> str:
        if self.kind == "value":
            return f'{self.path} = "{self.value}"'
        if self.kind == "format":
            return f"{self.path} {self.value}"
        if self.kind != "variant":
            return f"{self.path} {self.kind}"
        return (
            f'{self.path} {self.tag}="{self.value}"' if self.value else f"{self.path} no {self.tag}"
        )


def targets(shape: Node) -> tuple[Target, ...]:
    """Every variation of `shape`, in `flatten` order: optional keys (not elements nor map
    values, which have no presence), paths seen null and non-null (a path only ever null
    decides nothing), each value of a tag that tells variants' key sets apart, each value
    of an enum-like path (most frequent first) and each format of a path seen in two or
    more (most frequent first)."""
    found: list[Target] = []
    tagged: set[tuple[str, str]] = set()  # (the tag's path, value) of variant targets
    for item in flatten(shape):
        segments = parse_path(item.path)
        if _optional(item, node_at(shape, segments[:-1]), segments[-1:]):
            found.append(Target("absent", item.path))
        if item.nulls and set(item.counts) - {"null"}:
            found.append(Target("null", item.path))
        node = node_at(shape, segments)
        if node is None:
            continue
        if node.tag is not None:
            names = variant_names(node)  # only a tag that tells key sets apart
            found.extend(Target("variant", item.path, node.tag, name) for name in names)
            tagged.update((child_path(item.path, node.tag), name) for name in names)
        values = (value for value in item.enum or () if (item.path, value) not in tagged)
        found.extend(Target("value", item.path, value=value) for value in values)
        found.extend(Target("format", item.path, value=name) for name in formats(node))
    return tuple(found)


def formats(node: Node) -> tuple[str, ...]:
    """The formats of a node's strings when every string has one and there are two or
    more, most frequent first; () otherwise (see the module docstring)."""
    seen = {
        name: count
        for name, count in (node.formats or {}).items()
        if count > 0 and name != domains.PLACEHOLDER  # a cleared or redacted value
    }
    if len(seen) < 2:
        return ()
    return tuple(sorted(seen, key=lambda name: (-seen[name], name)))


def _optional(item: Field, parent: Node | None, last: tuple[Step | str, ...]) -> bool:
    """Whether some object that could have the key lacks it: in a tagged object, one of a
    variant that sometimes has it (an Organization lacking a User-only key shows nothing)."""
    if item.parent_path is None or item.is_item or not 0 < item.present < item.parent:
        return False
    if parent is None or parent.tag is None or not parent.variants:
        return True
    key = str(last[0])
    return any(0 < tagged.keys.get(key, 0) < tagged.count for tagged in parent.variants.values())
