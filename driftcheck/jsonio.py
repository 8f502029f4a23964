"""Fast JSON in and out: the one `orjson` import.

orjson parses and writes several times faster than the standard library, and cassettes,
cache entries and reports are read and written by the thousand.
"""

from __future__ import annotations

from typing import Any

import orjson

JSONDecodeError = orjson.JSONDecodeError


def loads(data: bytes | str) -> Any:
    """Parse strict JSON; raises JSONDecodeError (a ValueError)."""
    return orjson.loads(data)


def dumps(value: Any) -> bytes:
    """Compact JSON bytes."""
    return orjson.dumps(value)


def dumps_indented(value: Any) -> str:
    """Indented JSON text ending in a newline, for files people read and diff."""
    return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode() + "\n"
