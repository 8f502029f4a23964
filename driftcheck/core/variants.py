"""Edge-case fixtures from reality: the fewest recorded bodies, lightly edited, that
together show every variation the recordings have (pure).

A variation (`Target`, `core/variant_targets.py`) is an optional key absent, a nullable
path null, one value of a discriminating tag (`"type": "User"`), one value of an
enum-like path (`"status": "suspended"`) or one format of a path seen in several
(`created_at` as a date). Paths under `[*]` and `{*}` are one place: any element or map
value shows them, so a map keyed by ids is never one target per id. A recorded body shows
some variations as it is, and can be edited to show more: one occurrence of an optional
key removed, or one occurrence of a nullable value set to null. Nothing else is ever
changed, so every key and value in a written body is one the API returned there: enum
values and formats are shown only by bodies that hold them.

A greedy set cover picks, round after round, the body (with its edits) that shows the
most variations not yet shown. One copy may carry several edits, each at its own place,
none inside another's nor inside what a kept variation needs: a list's or a map's worth of
optional keys then fits in one or two files, where one file per edit made dozens.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from driftcheck.core.domains import string_format
from driftcheck.core.model import Node, Tagged
from driftcheck.core.paths import ITEMS, ROOT, VALUES, Segment, child_path, join, parse_path
from driftcheck.core.shape import flatten, infer
from driftcheck.core.tags import tag_value
from driftcheck.core.variant_targets import Target, targets

__all__ = ["Cover", "Edit", "Target", "Variant", "base_body", "cover", "spelled", "targets"]

Location = tuple[str | int, ...]  # a place in one body: keys, and indices into arrays
WITNESSES = 32  # edits kept per variation and body: alternatives when one place is taken


@dataclass(frozen=True, slots=True)
class Edit:
    """One change to a copy of a recorded body: the value at `at` removed, or set to null."""

    kind: Literal["removed", "null"]
    at: Location

    def __str__(self) -> str:
        return f"{spelled(self.at)} {'removed' if self.kind == 'removed' else 'set to null'}"


@dataclass(frozen=True, slots=True)
class Variant:
    """One fixture file: recorded body number `body` (an index into the bodies) with
    `edits`, and the variations it is the first file to show.

    `value` shares its unchanged parts with the recorded body: never mutate it."""

    name: str
    body: int
    edits: tuple[Edit, ...]
    covers: tuple[Target, ...]
    value: Any


@dataclass(frozen=True, slots=True)
class Cover:
    """The files to write, every variation of the shape, and those no body could show."""

    variants: tuple[Variant, ...]
    targets: tuple[Target, ...]
    uncovered: tuple[Target, ...]

    @property
    def bodies(self) -> int:
        """How many distinct recorded bodies the files copy."""
        return len({variant.body for variant in self.variants})


def spelled(at: Location) -> str:
    """A concrete place as a path: `$.items[2].email`, `$.assets['a1'].href`."""
    path = ROOT
    for step in at:
        path = f"{path}[{step}]" if isinstance(step, int) else child_path(path, step)
    return path


def base_body(bodies: Sequence[Any]) -> Any:
    """The body that shows the most: most paths with a non-null value; the first on ties."""
    return max(bodies, key=_richness)


def _richness(body: Any) -> int:
    return sum(1 for item in flatten(infer(body)) if set(item.counts) - {"null"})


def cover(bodies: Sequence[Any], shape: Node) -> Cover:
    """The fewest files, copied from `bodies` (the recordings `shape` was inferred from)
    with edits, that together show every variation of `shape`: greedy set cover. With no
    variation to show, the richest body alone."""
    if not bodies:
        raise ValueError("cover() needs at least one recorded body")
    wanted = targets(shape)
    lookup = _Lookup(wanted)
    shows = [_shows(body, shape, lookup) for body in bodies]
    uncovered = set(range(len(wanted)))  # variations by their place in `wanted`
    made: list[Variant] = []
    used: set[int] = set()
    while uncovered:
        pick = _best(shows, uncovered, used)
        if pick is None:
            break
        index, edits = pick
        value = _apply(bodies[index], edits)
        shown = _shows(value, shape, lookup).as_is.keys() & uncovered  # what the file shows
        if not shown:
            break  # cannot happen: each edit shows what it was chosen for
        uncovered -= shown
        used.add(index)
        covers = tuple(wanted[number] for number in sorted(shown))
        made.append(Variant(str(len(made) + 1), index, tuple(edits), covers, value))
    if not made:
        index = max(range(len(bodies)), key=lambda i: _richness(bodies[i]))
        made.append(Variant("1", index, (), (), bodies[index]))
    return Cover(tuple(made), wanted, tuple(wanted[number] for number in sorted(uncovered)))


class _Lookup:
    """The variations by place (each by its number), and the places a walk must visit:
    a body's parts where nothing varies are never walked."""

    def __init__(self, wanted: Sequence[Target]) -> None:
        self.absent: dict[str, list[tuple[str, int]]] = {}  # parent path -> keys
        self.null: dict[str, int] = {}
        self.variant: dict[tuple[str, str], int] = {}
        self.value: dict[tuple[str, str], int] = {}  # (path, enum value)
        self.format: dict[tuple[str, str], int] = {}  # (path, format)
        self.read: set[str] = set()  # paths whose values are read: null, values, formats
        self.within: set[str] = set()  # paths with a variation at or below them
        for number, target in enumerate(wanted):
            segments = parse_path(target.path)
            self._add(number, target, segments)
            last = len(segments) if target.kind == "variant" else len(segments) - 1
            self.within.update(join(segments[:depth]) for depth in range(last + 1))
        self.formatted = {path for path, _ in self.format}
        self.keys: dict[str, list[tuple[str, str]]] = {}  # parent path -> keys to visit
        for path in sorted(self.within | self.read):
            segments = parse_path(path)
            if segments and isinstance(segments[-1], str):
                self.keys.setdefault(join(segments[:-1]), []).append((segments[-1], path))

    def _add(self, number: int, target: Target, segments: tuple[Segment, ...]) -> None:
        if target.kind == "absent":
            key = segments[-1]
            assert isinstance(key, str)  # only keys are optional
            self.absent.setdefault(join(segments[:-1]), []).append((key, number))
            return
        if target.kind == "variant":
            self.variant[target.path, target.value] = number
            return
        if target.kind == "null":
            self.null[target.path] = number
        else:
            found = self.value if target.kind == "value" else self.format
            found[target.path, target.value] = number
        self.read.add(target.path)

    def visits(self, path: str) -> bool:
        return path in self.within or path in self.read

    def note(self, shows: _Shows, value: Any, place: str, at: Location) -> None:
        """What a value at a read place shows: null as it is (else a null edit), its enum
        value, its format."""
        target = self.null.get(place)
        if target is not None and value is None:
            shows.as_is.setdefault(target, at)
        elif target is not None:
            shows.edit(target, "null", at)
        if not isinstance(value, str):
            return
        target = self.value.get((place, value))
        if target is not None:
            shows.as_is.setdefault(target, at)
        if place in self.formatted:
            target = self.format.get((place, string_format(value) or ""))
            if target is not None:
                shows.as_is.setdefault(target, at)


@dataclass
class _Shows:
    """What one body shows as it is (with the place that must stay as it is for that),
    and the edits that would make it show more, by variation number."""

    as_is: dict[int, Location] = field(default_factory=dict)
    edits: dict[int, list[Edit]] = field(default_factory=dict)

    def edit(self, target: int, kind: Literal["removed", "null"], at: Location) -> None:
        found = self.edits.get(target)
        if found is None:
            self.edits[target] = [Edit(kind, at)]
        elif len(found) < WITNESSES and target not in self.as_is:  # else: never asked for
            found.append(Edit(kind, at))

    def reach(self, uncovered: set[int]) -> list[int]:
        """The uncovered variations this body shows or can be edited to show."""
        found = uncovered.intersection(self.as_is)
        found.update(uncovered.intersection(self.edits))
        return sorted(found)


_Visit = tuple[Any, Node, str, Location]
_CONTAINERS = (dict, list)


def _shows(body: Any, shape: Node, lookup: _Lookup) -> _Shows:
    """Walk `body` beside `shape` (iteratively: bodies nest deep), noting each variation."""
    shows = _Shows()
    if ROOT in lookup.read:
        lookup.note(shows, body, ROOT, ())
    stack: list[_Visit] = [(body, shape, ROOT, ())] if ROOT in lookup.within else []
    while stack:
        value, node, path, at = stack.pop()
        if isinstance(value, dict) and node.values is None:
            _object(shows, lookup, value, node, path, at)
        deeper: list[_Visit] = []
        for child, child_node, place, where in _children(value, node, path, at, lookup):
            if place in lookup.read:
                lookup.note(shows, child, place, where)
            if child_node is not None and place in lookup.within and isinstance(child, _CONTAINERS):
                deeper.append((child, child_node, place, where))
        stack.extend(reversed(deeper))
    return shows


def _children(
    value: Any, node: Node, path: str, at: Location, lookup: _Lookup
) -> Iterator[tuple[Any, Node | None, str, Location]]:
    """Each element, map value or key's value where something varies, with its node,
    path and place."""
    if isinstance(value, list) and lookup.visits(elements := path + ITEMS):
        for index, child in enumerate(value):
            yield child, node.items, elements, (*at, index)
    elif isinstance(value, dict) and node.values is not None:
        if lookup.visits(values := path + VALUES):  # a map: every value is one place
            for key, child in value.items():
                yield child, node.values, values, (*at, key)
    elif isinstance(value, dict):
        for key, place in lookup.keys.get(path, ()):
            if key in value:
                yield value[key], node.keys.get(key), place, (*at, key)


def _object(
    shows: _Shows, lookup: _Lookup, value: dict[str, Any], node: Node, path: str, at: Location
) -> None:
    """An object shows an optional key absent when it lacks it, and can show it when it
    has it; for a tagged object, only as its variant's objects have been seen (a key every
    User had is not removed from a User). It shows its tag's value as it is."""
    tagged = _variant(node, value)
    for key, target in lookup.absent.get(path, ()):
        if key not in value:
            if tagged is None or tagged.keys.get(key, 0) > 0:
                shows.as_is.setdefault(target, at)
        elif tagged is None or tagged.keys.get(key, 0) < tagged.count:
            shows.edit(target, "removed", (*at, key))
    if node.tag is not None:
        named = lookup.variant.get((path, tag_value(value, node.tag)))
        if named is not None:
            shows.as_is.setdefault(named, (*at, node.tag))


def _variant(node: Node, value: dict[str, Any]) -> Tagged | None:
    if node.tag is None or not node.variants:
        return None
    return node.variants.get(tag_value(value, node.tag))


class _Guard:
    """The places a copy's plan holds: kept (with their parents) and edited. An edit may
    not touch a kept place or a parent of one, nor lie inside another edit."""

    def __init__(self) -> None:
        self.kept: set[Location] = set()
        self.edited: set[Location] = set()

    def keep(self, at: Location) -> None:
        self.kept.update(at[:depth] for depth in range(len(at) + 1))

    def allows(self, at: Location) -> bool:
        if at in self.kept:
            return False
        return not any(at[:depth] in self.edited for depth in range(len(at) + 1))

    def edit(self, at: Location) -> None:
        self.keep(at)
        self.edited.add(at)


def _plan(shows: _Shows, wanted: Sequence[int]) -> tuple[int, list[Edit]]:
    """How many of `wanted` one copy of the body can show, and the edits for it: what it
    shows as it is first, then an edit for each of the rest that fits beside the others."""
    guard = _Guard()
    shown = 0
    for target in wanted:
        at = shows.as_is.get(target)
        if at is not None:
            guard.keep(at)
            shown += 1
    edits: list[Edit] = []
    for target in wanted:
        if target in shows.as_is:
            continue
        edit = next((e for e in shows.edits.get(target, ()) if guard.allows(e.at)), None)
        if edit is not None:
            guard.edit(edit.at)
            edits.append(edit)
            shown += 1
    return shown, edits


def _best(
    shows: Sequence[_Shows], uncovered: set[int], used: set[int]
) -> tuple[int, list[Edit]] | None:
    """The body whose copy shows the most uncovered variations; on ties one already
    copied (fewer bodies), then fewer edits, then the first. Bodies are planned in order
    of what they could show at most, until that is less than the best plan found."""
    reaches = [(index, body.reach(uncovered)) for index, body in enumerate(shows)]
    reaches = sorted((each for each in reaches if each[1]), key=lambda each: -len(each[1]))
    best: tuple[int, list[Edit]] | None = None
    best_key: tuple[int, bool, int, int] = (0, False, 0, 0)
    for index, reach in reaches:
        if len(reach) < best_key[0]:
            break
        shown, edits = _plan(shows[index], reach)
        key = (shown, index in used, -len(edits), -index)
        if key > best_key:
            best, best_key = (index, edits), key
    return best


def _apply(body: Any, edits: Sequence[Edit]) -> Any:
    """A copy of `body` with `edits` made: only the containers on their way are copied."""
    if not edits:
        return body
    copies: dict[Location, Any] = {(): _shallow(body)}
    for edit in edits:
        parent = copies[()]
        for depth in range(1, len(edit.at)):
            prefix = edit.at[:depth]
            copied = copies.get(prefix)
            if copied is None:
                copied = copies[prefix] = _shallow(parent[prefix[-1]])
                parent[prefix[-1]] = copied
            parent = copied
        if edit.kind == "removed":
            del parent[edit.at[-1]]
        else:
            parent[edit.at[-1]] = None  # a value the API has been seen to send as null here
    return copies[()]


def _shallow(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else list(value)
