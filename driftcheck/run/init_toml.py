"""Write the config `driftcheck init` generates as TOML (tomllib reads, never writes).

Only what `init` writes: strings, integers, floats, booleans, arrays and inline tables of
them, top-level keys and `[[endpoints]]` tables, comments. Keys come in the order the
config is documented in, so a generated file reads like a hand-written one.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from driftcheck.config import Endpoint

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}
# Quotes, backslashes, control characters (C0, DEL, C1), and the invisible ones that can
# make a reviewed file read otherwise than it parses (bidi controls, line separators).
_NEEDS_ESCAPE = re.compile(
    '["\\\\\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]'
)
MAX_DEPTH = 64  # inline values nested deeper are refused, not written half


class TomlError(ValueError):
    """A value the config's TOML cannot hold (a null, a lone surrogate, deep nesting)."""


def string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    if any(0xD800 <= ord(character) <= 0xDFFF for character in text):
        raise TomlError("a lone surrogate cannot be written in TOML")
    escaped = _NEEDS_ESCAPE.sub(
        lambda found: _ESCAPES.get(found.group(0), f"\\u{ord(found.group(0)):04x}"), text
    )
    return f'"{escaped}"'


def key(name: str) -> str:
    return name if _BARE_KEY.match(name) else string(name)


def value(item: Any, depth: int = 0) -> str:
    """One value on one line: arrays and tables inline."""
    if depth > MAX_DEPTH:
        raise TomlError("nested too deeply to write")
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        return _float(item)
    if isinstance(item, str):
        return string(item)
    if isinstance(item, Mapping):
        members = ", ".join(f"{key(str(k))} = {value(v, depth + 1)}" for k, v in item.items())
        return f"{{ {members} }}" if members else "{}"
    if isinstance(item, (list, tuple)):
        return "[" + ", ".join(value(v, depth + 1) for v in item) + "]"
    raise TomlError(f"TOML has no value for {type(item).__name__}")


def _float(number: float) -> str:
    if math.isnan(number):
        return "nan"
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    text = repr(number)
    return text if any(c in text for c in ".en") else f"{text}.0"


def comment(text: str) -> str:
    """`# text` lines; a line break in `text` starts a new comment line."""
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines() or [""])


def endpoint_table(endpoint: Endpoint, notes: Sequence[str] = ()) -> str:
    """One `[[endpoints]]` table, its keys in the documented order, defaults left out."""
    lines = [comment(note) for note in notes]
    lines.append("[[endpoints]]\n")
    fields: list[tuple[str, Any]] = [
        ("name", endpoint.name),
        ("method", endpoint.method),
        ("url", endpoint.url),
        ("params", {k: list(v) for k, v in endpoint.params.items()}),
        ("query", dict(endpoint.query)),
        ("headers", dict(endpoint.headers)),
        ("json", endpoint.json),
        ("expect_status", list(endpoint.expect_status)),
        ("fixtures", list(endpoint.fixtures)),
        ("match_query", dict(endpoint.match_query)),
        ("operation", endpoint.operation),
    ]
    lines.extend(f"{name} = {value(item)}\n" for name, item in fields if item not in (None, {}, []))
    return "".join(lines)


def document(
    header: str,
    settings: Sequence[tuple[str, Any]],
    endpoints: Sequence[tuple[Endpoint, Sequence[str]]],
) -> str:
    """The whole file: a header comment, top-level settings, then each endpoint with its
    comment lines."""
    parts = [comment(header), "".join(f"{key(k)} = {value(v)}\n" for k, v in settings)]
    parts.extend("\n" + endpoint_table(endpoint, notes) for endpoint, notes in endpoints)
    return "".join(parts)
