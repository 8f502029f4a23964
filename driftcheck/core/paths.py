"""JSONPath notation, the same in every output: `$`, `$.profile.name`, `$.items[*].id`,
`$['key with spaces']`. Pure."""

from __future__ import annotations

import re

ROOT = "$"
ITEMS = "[*]"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def child_path(parent: str, key: str) -> str:
    """JSONPath of a key under `parent`: dotted when it is an identifier, bracketed else."""
    if _IDENTIFIER.match(key):
        return f"{parent}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{parent}['{escaped}']"


_SEGMENT = re.compile(r"\.([A-Za-z_][A-Za-z0-9_]*)|\[\*\]|\['((?:[^'\\]|\\.)*)'\]")


def parse_path(path: str) -> tuple[str | None, ...]:
    """The segments of a JSONPath written by `child_path`: keys, and None for `[*]`."""
    if not path.startswith(ROOT):
        raise ValueError(f"not a JSONPath: {path!r}")
    segments: list[str | None] = []
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
            segments.append(None)
        position = match.end()
    return tuple(segments)
