"""`--shard K/N`: a deterministic split of endpoints across CI runners (pure)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from driftcheck.errors import InputError

Shard = tuple[int, int]

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*\Z")


def parse_shard(text: str) -> Shard:
    """`2/3` is the second of three shards."""
    match = _SHARD.match(text)
    if match is None:
        raise InputError(f"--shard {text!r}: write K/N, e.g. 2/3 (the second of three)")
    index, total = int(match.group(1)), int(match.group(2))
    if total < 1 or not 1 <= index <= total:
        raise InputError(f"--shard {text!r}: K must be between 1 and N, e.g. 1/{max(total, 2)}")
    return index, total


def pick(names: Iterable[str], shard: Shard | None) -> set[str]:
    """The names in this shard: sorted, then every N-th from the K-th."""
    ordered = sorted(set(names))
    if shard is None:
        return set(ordered)
    index, total = shard
    return {name for position, name in enumerate(ordered) if position % total == index - 1}
