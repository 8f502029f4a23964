"""Hypothesis strategies for related JSON samples: a baseline and a drifted copy of it (keys
removed or added, types changed, nulls), so that the two sides differ often but not
everywhere. Imported by tests, never a test itself."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import strategies as st

from driftcheck.core.model import Fixture, Opaque
from driftcheck.core.paths import child_path
from tests.helpers import json_values

KEYS = ["a", "b", "c", "d e", "it's"]
REPLACEMENTS: list[Any] = [None, 0, 2.5, "s", True, [], [1], [{"a": 1}], {}, {"a": None}]


def drift(value: Any, rnd: random.Random, opaque: bool = False) -> Any:
    """A copy of `value` with random structural changes; with `opaque`, some parts become
    `Opaque` (what a Python fixture has where it calls a function)."""
    roll = rnd.random()
    if opaque and roll < 0.05:
        return Opaque("a call", 1)
    if roll < 0.15:
        return rnd.choice(REPLACEMENTS)
    if isinstance(value, dict):
        copied = {k: drift(v, rnd, opaque) if rnd.random() < 0.7 else v for k, v in value.items()
                  if rnd.random() > 0.15}  # fmt: skip
        if rnd.random() < 0.2:
            copied[rnd.choice(KEYS)] = rnd.choice(REPLACEMENTS)
        return copied
    if isinstance(value, list):
        return [drift(v, rnd, opaque) for v in value if rnd.random() > 0.1]
    return value


samples = st.lists(json_values, min_size=1, max_size=4)


@st.composite
def related_samples(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    """Baseline samples, and current ones drifted from them (sometimes with more samples)."""
    old = draw(samples)
    rnd = draw(st.randoms(use_true_random=False))
    new = [drift(value, rnd) if rnd.random() < 0.8 else value for value in old]
    new += draw(st.lists(st.sampled_from(old), max_size=2))
    return old, new


def paths_of(value: Any, prefix: str = "$") -> list[str]:
    """Every JSONPath in `value` (elements as `[*]`), for giving a fixture line numbers."""
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += paths_of(child, child_path(prefix, key))
    elif isinstance(value, list):
        for child in value:
            found += paths_of(child, prefix + "[*]")
    return found


bodies = st.lists(
    st.dictionaries(st.sampled_from(KEYS), json_values, max_size=5)
    | st.lists(st.dictionaries(st.sampled_from(KEYS), json_values, max_size=4), max_size=3)
    | json_values,
    min_size=1,
    max_size=4,
)


@st.composite
def fixtures_of(draw: st.DrawFn, recorded: list[Any]) -> list[Fixture]:
    """Mock fixtures for an endpoint that returned `recorded`: drifted copies of its bodies
    (some with Opaque parts), lists of them, or unrelated values; some lines known."""
    rnd = draw(st.randoms(use_true_random=False))
    fixtures: list[Fixture] = []
    for index in range(draw(st.integers(1, 3))):
        roll = rnd.random()
        if roll < 0.6:
            value = drift(rnd.choice(recorded), rnd, opaque=True)
        elif roll < 0.8:
            value = [
                drift(rnd.choice(recorded), rnd, opaque=True) for _ in range(rnd.randint(1, 3))
            ]
        else:
            value = draw(json_values)
        lines = {path: rnd.randint(1, 99) for path in paths_of(value) if rnd.random() < 0.5}
        name = f"tests/test_{index}.py"
        fixtures.append(Fixture(value, name, 10 + index, f"{name}::MOCK", lines))
    return fixtures
