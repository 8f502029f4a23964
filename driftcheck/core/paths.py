"""JSONPath notation, the same in every output and in `[[ignore]]` paths (pure).

`$` is the body; a key is `.name` when it is an identifier and `['key with spaces']`
otherwise; `[*]` is every element of an array and `{*}` every value of a map (an object
whose keys are data, such as ids or file names, not field names): `$.items[*].id`,
`$.assets{*}.href`, `$.ports{*}[*].port`. One place has exactly one spelling.
"""

from __future__ import annotations

import enum
import re

ROOT = "$"
ITEMS = "[*]"
VALUES = "{*}"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Step(enum.Enum):
    """A path step that is not a key: an array's elements, or a map's values."""

    ITEMS = ITEMS
    VALUES = VALUES


Segment = str | Step  # a key, or a step into elements or map values


def child_path(parent: str, key: str) -> str:
    """JSONPath of a key under `parent`: dotted when it is an identifier, bracketed else."""
    if _IDENTIFIER.match(key):
        return f"{parent}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{parent}['{escaped}']"


def join(segments: tuple[Segment, ...] | list[Segment]) -> str:
    """The JSONPath of `segments`: the inverse of `parse_path`."""
    path = ROOT
    for segment in segments:
        path = child_path(path, segment) if isinstance(segment, str) else path + segment.value
    return path


_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\*\]|\{\*\}|\['((?:[^'\\]|\\.)*)'\]")


def parse_path(path: str) -> tuple[Segment, ...]:
    """The segments of a JSONPath written by `child_path`: keys, `Step.ITEMS` for `[*]` and
    `Step.VALUES` for `{*}`; ValueError for anything else."""
    if not path.startswith(ROOT):
        raise ValueError(f"not a JSONPath: {path!r}")
    segments: list[Segment] = []
    position = len(ROOT)
    while position < len(path):
        match = _SEGMENT.match(path, position)
        if match is None:
            raise ValueError(f"not a JSONPath: {path!r}")
        if match.group(1) is not None:
            segments.append(match.group(1))
        elif match.group(2) is not None:
            segments.append(re.sub(r"\\(.)", r"\1", match.group(2)))
        else:
            segments.append(Step(match.group(0)))
        position = match.end()
    return tuple(segments)
