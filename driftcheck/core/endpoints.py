"""Group interactions into endpoints (`METHOD host/path-template`) and shapes per status.

Pure: interactions in, an `EndpointSet` out.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from driftcheck.core.model import BodyKind, EndpointSet, Interaction, Node, StatusShape
from driftcheck.core.shape import infer, merge
from driftcheck.errors import ShapeDepthError

ID = "{id}"

_ID_SEGMENTS = (
    re.compile(r"\d+\Z"),  # 42
    re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z"),
    re.compile(r"(?=.*\d)[0-9a-fA-F]{16,}\Z"),  # hashes, object ids
    re.compile(r".*\d{5,}"),  # anything carrying a timestamp or a long number
    re.compile(r"\d{4}-\d{2}-\d{2}"),  # dates
    re.compile(r"(?=.*\d)[a-z0-9]{2,4}(?:-[a-z0-9]{2,4}){2,}\Z"),  # short public ids: abc-d3f-gh1
    re.compile(r"(?=.*\d)(?=.*[a-z])(?=.*[A-Z])[A-Za-z0-9_\-]{16,}={0,2}\Z"),  # base64-like
    re.compile(r"(?=.*[A-Za-z])[A-Za-z]*\d+[A-Za-z]+\d[A-Za-z0-9]*\Z"),  # 45iw6lb8j5
)


def is_id_segment(segment: str) -> bool:
    """True for path segments that identify a record rather than name a resource."""
    return any(pattern.match(segment) for pattern in _ID_SEGMENTS)


@functools.lru_cache(maxsize=8192)  # a corpus repeats its URIs; the regexes are the cost
def endpoint_key(method: str, uri: str) -> str:
    """`GET api.example.com/users/{id}`: ids become `{id}`, the query is dropped."""
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    segments = [ID if is_id_segment(s) else s for s in parts.path.split("/")]
    path = "/".join(segments) or "/"
    return f"{method.upper()} {host}{path}"


def group(
    interactions: Iterable[Interaction],
    name_of: Callable[[Interaction], str] | None = None,
) -> EndpointSet:
    """Shapes per endpoint and status; `name_of` overrides the derived endpoint name."""
    buckets: dict[str, dict[int, list[Interaction]]] = defaultdict(lambda: defaultdict(list))
    for interaction in interactions:
        name = (
            name_of(interaction) if name_of else endpoint_key(interaction.method, interaction.uri)
        )
        buckets[name][interaction.status].append(interaction)
    return EndpointSet(
        endpoints={
            name: {status: summarize(samples) for status, samples in sorted(by_status.items())}
            for name, by_status in sorted(buckets.items())
        }
    )


def summarize(samples: list[Interaction]) -> StatusShape:
    """Merge the JSON bodies of one endpoint and status; note every body left out."""
    shapes: list[Node] = []
    notes: list[str] = []
    skipped: Counter[str] = Counter()
    for sample in samples:
        if sample.note:
            notes.append(f"{sample.source}#{sample.index}: {sample.note}")
        if sample.kind is BodyKind.JSON and sample.shape is not None:
            shapes.append(sample.shape)
        elif sample.kind is BodyKind.JSON:
            try:
                shapes.append(infer(sample.body))
            except ShapeDepthError as error:
                notes.append(f"{sample.source}#{sample.index}: {error}; body left out")
        elif sample.kind is not BodyKind.EMPTY:
            skipped[sample.kind.value] += 1
    notes.extend(
        f"{count} {kind} bod{'y' if count == 1 else 'ies'} not JSON, left out of the shape"
        for kind, count in sorted(skipped.items())
    )
    content_types = Counter(sample.content_type or "(none)" for sample in samples)
    return StatusShape(
        samples=len(samples),
        content_types=dict(sorted(content_types.items())),
        shape=_merged(shapes),
        notes=tuple(notes),
        location=samples[0].location if samples else None,
    )


def _merged(shapes: list[Node]) -> Node | None:
    """One shape for many; pooled reads leave a single counted shape, used as it is."""
    counted = [shape for shape in shapes if shape.count] or shapes
    if len(counted) == 1:
        return counted[0]
    return merge(*counted) if counted else None
