"""Which recorded endpoint a payload's shape is a clear best match for, if any (pure).

For a mock that states no URL (or whose patched callable is called for several
endpoints), the keys of its payload are compared with each candidate's recorded keys.
A payload's keys are its key paths (`$.profile.name`, `$.items[*].id`; not `$` nor the
`[*]` element paths); `Opaque` parts are left out. Per candidate:

- known: the payload's keys the recordings have; precision = known / payload keys;
- required: keys every recorded body has (through required parents); recall = required
  keys the payload has / required keys (1 when none is required);
- score: the F1 of precision and recall, so a payload that knows every key of a small
  endpoint is not taken for a large endpoint that merely contains those keys too.

The best candidate is accepted only when it is clear (`MIN_KNOWN`, `MIN_KEYS`,
`MIN_LEAD` say how clear, and why those numbers): a false match would check a mock
against the wrong contract, which is worse than saying it was not checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from driftcheck.core.model import Node, Opaque, StatusShape
from driftcheck.core.paths import ITEMS, ROOT
from driftcheck.core.shape import flatten, infer, merge
from driftcheck.errors import ShapeDepthError

MIN_KNOWN = 0.8  # a drifted mock still knows most keys (the few it does not are findings);
# a mock of another endpoint shares only generic ones (id, name, created_at)
MIN_KEYS = 3  # a payload with fewer keys: generic ones alone would decide
MIN_LEAD = 0.2  # F1 moves ~0.1 per differing key of a 10-key body: the best must lead the
# runner-up by about two keys, so one drifted or optional key cannot flip the choice


@dataclass(frozen=True, slots=True)
class Profile:
    """A recorded shape's keys, as similarity sees them."""

    keys: frozenset[str]
    required: frozenset[str]
    root: frozenset[str]  # the body's JSON types


@dataclass(frozen=True, slots=True)
class PayloadKeys:
    """A payload's keys, and its own JSON type."""

    keys: frozenset[str]
    root: str

    def aligned(self, root: frozenset[str]) -> frozenset[str]:
        """A list of bodies against an object endpoint compares its elements; one element
        against a list endpoint compares as its items (as the fixture check reads them)."""
        if self.root == "array" and "array" not in root and "object" in root:
            prefix = ROOT + ITEMS
            return frozenset(ROOT + key[len(prefix) :] for key in self.keys)
        if self.root == "object" and "object" not in root and "array" in root:
            return frozenset(ROOT + ITEMS + key[len(ROOT) :] for key in self.keys)
        return self.keys


@dataclass(frozen=True, slots=True)
class Score:
    """How one candidate (an endpoint at one status) fits a payload."""

    endpoint: str
    status: int
    known: int
    present: int  # the endpoint's required keys the payload has
    required: int
    f1: float


@dataclass(frozen=True, slots=True)
class ShapeMatch:
    """The clear best candidate, and the note saying why."""

    endpoint: str
    status: int
    note: str


@dataclass(frozen=True, slots=True)
class ShapeMiss:
    """No clear best candidate: why, and the leading candidates (best first)."""

    reason: str
    endpoints: tuple[str, ...] = ()


def profile_of(shape: Node) -> Profile:
    """The keys of a recorded shape, and which of them every body has."""
    keys: set[str] = set()
    required = {ROOT}
    for field in flatten(shape):  # parents come before their children
        if field.path == ROOT:
            continue
        if field.required and field.parent_path in required:
            required.add(field.path)  # element paths too, so `$.items[*].id` can be required
        if not field.is_item:
            keys.add(field.path)
    return Profile(frozenset(keys), frozenset(required & keys), frozenset(shape.types))


def status_profile(statuses: Mapping[int, StatusShape], status: int | None) -> Profile | None:
    """The recorded keys a mock of `status` is compared with: that status's shape, or for
    None the merged 2xx shapes (the contract); None without a JSON body to compare."""
    codes = [code for code in statuses if 200 <= code < 300] if status is None else [status]
    shapes = [statuses[code].shape for code in codes if code in statuses]
    nodes = [shape for shape in shapes if shape is not None]
    if not nodes:
        return None
    return profile_of(nodes[0] if len(nodes) == 1 else merge(*nodes))


def payload_keys(value: Any) -> PayloadKeys | str:
    """A payload's keys, its `Opaque` parts left out; or why it cannot be compared."""
    data = without_opaque(value)
    if isinstance(data, Opaque):
        return f"its payload is {data.what}, not data"
    try:
        node = infer(data)
    except ShapeDepthError as error:
        return f"its payload cannot be compared by shape: {error}"
    keys = frozenset(f.path for f in flatten(node) if f.path != ROOT and not f.is_item)
    if len(keys) < MIN_KEYS:
        return f"its payload has {len(keys)} of the {MIN_KEYS} keys needed to match by shape"
    return PayloadKeys(keys, next(iter(node.types)))


def without_opaque(value: Any) -> Any:
    """The value without its `Opaque` parts (a key whose value is a call, say); iterative,
    as a payload read from a data file may be deeply nested. An `Opaque` root stays."""
    if isinstance(value, Opaque):
        return value
    holder: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, holder, 0)]
    while stack:
        current, owner, slot = stack.pop()
        copy: Any = current
        if isinstance(current, dict):
            copy = {
                k: None
                for k, v in current.items()
                if isinstance(k, str) and not isinstance(v, Opaque)
            }
            stack.extend((current[k], copy, k) for k in copy)
        elif isinstance(current, (list, tuple)):
            kept = [v for v in current if not isinstance(v, Opaque)]
            copy = [None] * len(kept)
            stack.extend((v, copy, i) for i, v in enumerate(kept))
        owner[slot] = copy
    return holder[0]


def score(payload: PayloadKeys, endpoint: str, status: int, profile: Profile) -> Score:
    keys = payload.aligned(profile.root)
    known = len(keys & profile.keys)
    present = len(keys & profile.required)
    precision = known / len(keys) if keys else 0.0
    recall = present / len(profile.required) if profile.required else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Score(endpoint, status, known, present, len(profile.required), f1)


def clear_best(
    payload: PayloadKeys, candidates: Iterable[tuple[str, int, Profile]]
) -> ShapeMatch | ShapeMiss:
    """The candidate (endpoint, status, recorded profile) the payload clearly matches:
    at least `MIN_KNOWN` of its keys known there, and an F1 at least `MIN_LEAD` above the
    runner-up's; else why not."""
    scores = sorted(
        (score(payload, *candidate) for candidate in candidates),
        key=lambda s: (-s.f1, -s.known, s.endpoint),
    )
    size = len(payload.keys)
    leading = tuple(s.endpoint for s in scores[:2])
    if not scores:
        return ShapeMiss("no recorded endpoint of its method and status has a JSON body to compare")
    best = scores[0]
    if best.known < MIN_KNOWN * size:
        return ShapeMiss(
            f"no recorded endpoint is a clear match by shape: at best {best.known} of {size} "
            f"keys known to {best.endpoint} (needs {MIN_KNOWN:.0%})",
            leading,
        )
    if len(scores) > 1 and best.f1 - scores[1].f1 < MIN_LEAD:
        return ShapeMiss(
            f"{best.endpoint} and {scores[1].endpoint} fit its shape about equally: "
            f"{_fit_text(best, size)}; {_fit_text(scores[1], size)}",
            leading,
        )
    runner_up = (
        f"next best {_fit_text(scores[1], size)}" if len(scores) > 1 else "no other candidate"
    )
    note = f"matched by shape similarity: {_fit_text(best, size)}; {runner_up}"
    return ShapeMatch(best.endpoint, best.status, note)


def _fit_text(score: Score, size: int) -> str:
    """`11 of 12 keys known to GET api.x/users/{id}, 9 of its 10 required keys present`."""
    required = (
        f"{score.present} of its {score.required} required keys present"
        if score.required
        else "it requires none"
    )
    return f"{score.known} of {size} keys known to {score.endpoint}, {required}"
