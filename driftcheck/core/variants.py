"""Edge-case fixtures from reality: a recorded body, then one variant per variation (pure).

The base is the recorded body with the most non-null paths. Each variant changes one
thing the recordings show can happen: an optional key removed, or a nullable value set
to null. Nothing is invented: every key in a variant is one the API returned.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from driftcheck.core.model import Node
from driftcheck.core.paths import Segment, Step, parse_path
from driftcheck.core.shape import flatten, infer


@dataclass(frozen=True, slots=True)
class Variant:
    """One fixture: `base`, or the base with `path` removed (`without`) or null (`null`)."""

    name: str
    change: str
    path: str | None
    value: Any


def base_body(bodies: Sequence[Any]) -> Any:
    """The body that shows the most: most paths with a non-null value; the first on ties."""
    return max(bodies, key=_richness)


def _richness(body: Any) -> int:
    return sum(1 for field in flatten(infer(body)) if set(field.counts) - {"null"})


def variants(bodies: Sequence[Any], shape: Node) -> list[Variant]:
    """The base body and one variant per optional key and per nullable path of `shape`."""
    if not bodies:
        raise ValueError("variants() needs at least one recorded body")
    base = base_body(bodies)
    result = [Variant("base", "base", None, base)]
    names = {"base"}
    for field in flatten(shape):
        if field.parent_path is None:
            continue
        segments = parse_path(field.path)
        if not field.is_item and 0 < field.present < field.parent:
            removed = _without(base, segments)
            if removed is not None:
                result.append(_named("without", field.path, removed, names))
        if field.nulls:
            nulled = _nulled(base, segments)
            if nulled is not None:
                result.append(_named("null", field.path, nulled, names))
    return result


def _named(change: str, path: str, value: Any, names: set[str]) -> Variant:
    name = f"{change}.{_slug(path)}"
    unique, number = name, 2
    while unique in names:
        unique, number = f"{name}-{number}", number + 1
    names.add(unique)
    return Variant(unique, change, path, value)


def _slug(path: str) -> str:
    keys = [segment for segment in parse_path(path) if isinstance(segment, str)]
    text = ".".join(re.sub(r"[^A-Za-z0-9_-]+", "_", key) for key in keys)
    return text or "items"


def _containers(value: Any, segments: Sequence[Segment]) -> Iterator[Any]:
    """Every object or array at the parent path of `segments`, in document order."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        current, depth = stack.pop()
        if depth == len(segments):
            yield current
            continue
        segment = segments[depth]
        if segment is Step.ITEMS and isinstance(current, list):
            stack.extend((item, depth + 1) for item in reversed(current))
        elif isinstance(current, dict) and segment in current:
            stack.append((current[segment], depth + 1))


def _without(base: Any, segments: tuple[Segment, ...]) -> Any | None:
    """The base with the first occurrence of the key removed; None when the base lacks it."""
    body = copy.deepcopy(base)
    key = segments[-1]
    for container in _containers(body, segments[:-1]):
        if isinstance(container, dict) and key in container:
            del container[key]
            return body
    return None


def _nulled(base: Any, segments: tuple[Segment, ...]) -> Any | None:
    """The base with the first value at the path set to null; None when it already has one."""
    body = copy.deepcopy(base)
    key = segments[-1]
    parents = list(_containers(body, segments[:-1]))
    if key is Step.ITEMS:
        arrays = [p for p in parents if isinstance(p, list) and p]
        if not arrays or any(item is None for array in arrays for item in array):
            return None
        arrays[0][0] = None
        return body
    objects = [p for p in parents if isinstance(p, dict)]
    if not objects or any(key in o and o[key] is None for o in objects):
        return None
    target = next((o for o in objects if key in o), objects[0])
    target[key] = None  # a key the API returns, with the null it has been seen to hold
    return body
