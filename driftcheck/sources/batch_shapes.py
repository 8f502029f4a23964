"""Many small files' JSON bodies inferred together: one column per endpoint across them.

A per-test cassette holds a handful of bodies; inferred file by file, each column is a
few values, and the fixed cost of a column (its nodes, its counters, settling its maps,
merging it into the pool) was most of the inference. Across a batch's files each
endpoint's bodies are one column, as `file_shapes.infer_bodies` would pool them: the
same keys (endpoint, status, each file's own recording day), the same order.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from driftcheck.core.endpoints import Names, PoolKey
from driftcheck.core.maps import Declared
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.recency import day_of
from driftcheck.core.shape import ShapeBuilder
from driftcheck.sources.file_shapes import column_shape, echoed


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
        i.note, i.source, i.index, i.line, i.recorded_at, i.operation, echoes,
    )  # fmt: skip
