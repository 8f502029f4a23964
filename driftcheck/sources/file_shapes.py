"""Cassettes' JSON bodies as shapes: pooled per endpoint, status and recording day.

The worker's step between parsing files and pooling them: bodies are inferred here and
dropped, and what a body says of its own URL (which segments it echoes) is kept, since
slugs are told from resource names by it once bodies are gone.

A per-test cassette holds a handful of bodies; inferred file by file, each column is a
few values, and the fixed cost of a column (its nodes, its counters, settling its maps,
merging it into the pool) was most of the inference. So a batch's files are inferred
together (`infer_files`): one column per endpoint across them, with the same keys
(endpoint, status, each file's own recording day) in the same order.
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from collections import deque
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from driftcheck.core.endpoints import Names, PoolKey, endpoint_key
from driftcheck.core.maps import Declared
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.recency import day_of
from driftcheck.core.shape import AUTO, ShapeBuilder, infer
from driftcheck.core.slugs import slug_positions
from driftcheck.errors import ShapeDepthError
from driftcheck.sources import json_pieces

# A record names itself near the top of its body: so many of its values are looked at for
# the URL's segments, and so many elements of each array.
ECHO_VALUES = 64
ECHO_ITEMS = json_pieces.ECHO_ITEMS
# Fields that name a resource's kind (JSON:API `type`, Stripe `object`), never a record.
TYPE_KEYS = frozenset({"type", "kind", "object", "resource", "resource_type", "resourceType"})


def infer_bodies(
    interactions: Sequence[Interaction], names: Names | None = None, maps: Declared | None = None
) -> tuple[list[Interaction], dict[PoolKey, ShapeBuilder]]:
    """The interactions of one file without bodies, and their JSON bodies' shapes per
    endpoint name (as `names` gives it), status and the file's recording day (the newest
    date in it), each group inferred as one column (`infer_files` of one file)."""
    (kept,), pools = infer_files([interactions], names, maps)
    return kept, pools


def infer_files(
    files: Sequence[Sequence[Interaction]], names: Names | None = None, maps: Declared | None = None
) -> tuple[list[list[Interaction]], dict[PoolKey, ShapeBuilder]]:
    """Each file's interactions without bodies, and the shapes of all their JSON bodies
    pooled per endpoint name, status and the file's recording day (its newest date)."""
    name_of = names or Names()
    flat: list[Interaction] = []
    bounds: list[tuple[int, int]] = []
    groups: dict[PoolKey, list[int]] = {}
    for interactions in files:
        start = len(flat)
        day = day_of(interaction.recorded_at for interaction in interactions)
        for interaction in interactions:
            if interaction.kind is BodyKind.JSON:
                groups.setdefault((name_of(interaction), interaction.status, day), []).append(
                    len(flat)
                )
                echoes = echoed(interaction.uri, interaction.body)
                if echoes:
                    interaction = _with(interaction, interaction.body, echoes)
            flat.append(interaction)
        bounds.append((start, len(flat)))
    pools = {}
    for key, positions in groups.items():
        builder, kept = column_shape(flat, positions, maps)
        if kept:
            pools[key] = builder
    bare = [i if i.body is None else _with(i, None, i.echoed) for i in flat]
    return [bare[start:end] for start, end in bounds], pools


def _with(i: Interaction, body: object, echoes: tuple[int, ...]) -> Interaction:
    """`i` with another body and echoed segments (`dataclasses.replace` costs three times
    as much, once per interaction); the strings every interaction repeats interned, so
    that a scan's result holds them once, and sends them to the main process once."""
    return Interaction(
        sys.intern(i.method), i.uri, i.status, sys.intern(i.content_type), i.kind, body,
        i.note, i.source, i.index, i.line, i.recorded_at, i.operation, echoes, i.headers,
    )  # fmt: skip


def column_shape(
    interactions: list[Interaction], positions: list[int], maps: Declared | None
) -> tuple[ShapeBuilder, list[int]]:
    """The bodies at `positions` inferred as one column, or one by one when one of them is
    too deep (it is then marked unreadable), and the positions that were inferred."""
    builder = ShapeBuilder(maps or AUTO)
    try:
        builder.add_values([interactions[p].body for p in positions])
    except ShapeDepthError:
        return _one_by_one(interactions, positions)
    return builder, positions


def echoed(uri: str, body: Any) -> tuple[int, ...]:
    """The path segments of `uri` (0: the first) where a slug may stand and whose value
    `body` states in a field that is not a type: `/collections/naip` answered with
    `{"id": "naip", ...}`. A record names itself, a resource type does not (`"type":
    "mute_rules"`): slugs are told from resource names by this once bodies are gone."""
    positions = slug_positions(endpoint_key("GET", uri))
    if not positions or not isinstance(body, (dict, list)):
        return ()
    segments = urlsplit(uri).path.split("/")[1:]
    wanted = {unquote(segments[p]): p for p in positions if p < len(segments)}
    stated: set[int] = set()
    queue: deque[Any] = deque([body])
    budget = ECHO_VALUES
    while queue and budget > 0:
        node = queue.popleft()
        items = node.items() if isinstance(node, dict) else enumerate(node[:ECHO_ITEMS])
        for key, value in itertools.islice(items, budget):
            budget -= 1
            if isinstance(value, str):
                if value in wanted and key not in TYPE_KEYS:
                    stated.add(wanted[value])
            elif isinstance(value, (dict, list)):
                queue.append(value)
    return tuple(sorted(stated))


def _one_by_one(
    interactions: list[Interaction], positions: list[int]
) -> tuple[ShapeBuilder, list[int]]:
    merged, kept = ShapeBuilder(), []
    for position in positions:
        try:
            merged.add(infer(interactions[position].body))
            kept.append(position)
        except ShapeDepthError as error:
            interactions[position] = dataclasses.replace(
                interactions[position], kind=BodyKind.UNREADABLE, note=f"{error}; body left out"
            )
    return merged, kept
