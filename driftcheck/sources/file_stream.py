"""One cassette into shapes with memory bounded by the file, whatever its bodies' sizes.

`infer_bodies(parse_cassette(data, name))` holds the file's bytes, its YAML document and
every parsed body at once: a parsed body is 3.5-4x its text, so a 548 MB cassette took
3.9 GB. Here the bytes go as soon as each interaction's line is found, bodies are parsed
in turn and counted a batch of `BATCH_CHARS` at a time (one column per endpoint, as
before), and a body of `PIECES_CHARS` or more is read in pieces (`json_pieces`).

A file whose JSON bodies hold less than `BATCH_CHARS` of text together (nearly every
cassette) is counted in one batch: exactly what `infer_bodies` gives.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from driftcheck.core.endpoints import Names, PoolKey
from driftcheck.core.maps import Declared
from driftcheck.core.model import BodyKind, Interaction
from driftcheck.core.recency import day_of
from driftcheck.core.shape import AUTO, ShapeBuilder
from driftcheck.sources import cassettes
from driftcheck.sources.bodies import DecodedBody, JsonText, classify
from driftcheck.sources.file_shapes import column_shape, echoed
from driftcheck.sources.json_pieces import PIECE_CHARS, NotPieces, read_in_pieces

# Body text held parsed at once (a parsed tree is about 4x its text: some 250 MB). Under
# it, a file's bodies are one batch, as before; the budget is 250 MB + 3x the file.
BATCH_CHARS = 64 << 20
# A body this long is read in pieces: parsed whole it alone would be 130 MB or more.
PIECES_CHARS = 32 << 20


@dataclasses.dataclass(frozen=True)
class Limits:
    """When bodies are counted in batches and in pieces (smaller in tests)."""

    batch_chars: int = BATCH_CHARS
    pieces_chars: int = PIECES_CHARS
    piece_chars: int = PIECE_CHARS


def read_shapes(
    box: list[bytes],
    name: str,
    names: Names | None = None,
    maps: Declared | None = None,
    limits: Limits = Limits(),  # frozen: one shared default is safe
) -> tuple[list[Interaction], dict[PoolKey, ShapeBuilder]]:
    """`infer_bodies(parse_cassette(data, name), names, maps)` for the bytes in `box`
    (taken out of it, so that they can be freed early); raises CassetteError."""
    pending: list[Any] = cassettes.parse_lazily(box, name)
    day = day_of(shell["recorded_at"] for shell, _, _ in pending)
    batch = _Batch(names or Names(), day, maps, limits)
    for index in range(len(pending)):
        shell, raw, headers = pending[index]
        pending[index] = None  # its raw body goes once decoded
        try:
            found = classify(raw, headers)
            del raw
            if not (isinstance(found, JsonText) and batch.in_pieces(shell, found)):
                decoded = found.parse() if isinstance(found, JsonText) else found
                batch.add(shell, decoded, len(found.text) if isinstance(found, JsonText) else 0)
        except cassettes.UNFORESEEN as error:  # as `parse_cassette` says it
            raise cassettes.unforeseen(name, index, error) from None
        del found
    return batch.done()


class _Batch:
    """Interactions read so far, and the JSON bodies not counted yet (one column per
    endpoint name, status and day, as `infer_bodies` counts a file)."""

    def __init__(self, names: Names, day: str, maps: Declared | None, limits: Limits) -> None:
        self._names, self._day, self._maps, self._limits = names, day, maps, limits
        self.kept: list[Interaction] = []
        self._groups: dict[PoolKey, list[int]] = {}
        self._order: dict[PoolKey, None] = {}
        self._pools: dict[PoolKey, ShapeBuilder] = {}
        self._held = 0

    def _key(self, interaction: Interaction) -> PoolKey:
        key = (self._names(interaction), interaction.status, self._day)
        self._order.setdefault(key, None)
        return key

    def in_pieces(self, shell: dict[str, Any], found: JsonText) -> bool:
        """Count a huge body in pieces; False when it is read whole after all."""
        if len(found.text) < self._limits.pieces_chars:
            return False
        rule, keep = self._maps or AUTO, len(shell["uri"])
        try:
            builder, preview = read_in_pieces(found.text, rule, keep, self._limits.piece_chars)
        except NotPieces:
            return False
        interaction = Interaction(kind=BodyKind.JSON, content_type=found.content_type, **shell)
        echoes = echoed(interaction.uri, preview)
        if echoes:
            interaction = dataclasses.replace(interaction, echoed=echoes)
        self._count()  # the bodies before it first: keys stay in the order they were seen
        self._merge(self._key(interaction), builder)
        self.kept.append(interaction)
        return True

    def add(self, shell: dict[str, Any], decoded: DecodedBody, size: int) -> None:
        interaction = cassettes.with_body(shell, decoded)
        if interaction.kind is BodyKind.JSON:
            echoes = echoed(interaction.uri, interaction.body)
            if echoes:
                interaction = dataclasses.replace(interaction, echoed=echoes)
            self._groups.setdefault(self._key(interaction), []).append(len(self.kept))
            self._held += size
        self.kept.append(interaction)
        if self._held >= self._limits.batch_chars:
            self._count()

    def _count(self) -> None:
        """Count the held bodies, one column per group, and let them go."""
        for key, positions in self._groups.items():
            builder, counted = column_shape(self.kept, positions, self._maps)
            for position in positions:
                self.kept[position] = dataclasses.replace(self.kept[position], body=None)
            if counted:
                self._merge(key, builder)
        self._groups, self._held = {}, 0

    def _merge(self, key: PoolKey, builder: ShapeBuilder) -> None:
        if key in self._pools:
            self._pools[key].add_builder(builder)
        else:
            self._pools[key] = builder

    def done(self) -> tuple[list[Interaction], dict[PoolKey, ShapeBuilder]]:
        self._count()
        pools = {key: self._pools[key] for key in self._order if key in self._pools}
        return self.kept, pools
