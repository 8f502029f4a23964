"""Take a cassette's huge body strings out of its YAML text before the YAML is parsed.

libyaml grows a scalar's buffer by doubling and zero-fills each new half, so a body of
548 MB costs 1 GiB there, besides the file's bytes and the Python string: a file of one
huge body peaked at almost 4x its size before its JSON was even looked at. A body as
vcrpy writes it, `string: '...'` in plain ASCII (on one line, or folded at spaces as
`yaml.dump` folds it), is read here instead:
decoded straight from the file's bytes into a string (one copy), and replaced in the
text by a placeholder, which the YAML parse carries to where the body belongs.

Nothing here decides what the document means: the YAML parser still reads all of it.
`put_back` checks that each placeholder came back as a whole `string` value, exactly
once; when one did not (the text was not what it looked like), the caller parses the
original text instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

BIG_SCALAR = 32 << 20  # a body this long is taken out (one of a few MB is cheap to parse)
_MARK = b"string: '"
# What may stand before `string: '` on its line: indentation, a sequence entry, the key
# of a flow mapping the scalar opens (`body: {string: '...'}`).
_BEFORE = re.compile(rb"[ \t]*(?:- )?(?:[A-Za-z_]+: ?\{ ?)?\Z")
_AFTER = re.compile(rb"[ \t]*(?:\}[ \t]*)?(?:\r?\n|\Z)")  # after the closing quote
_NOT_PLAIN = re.compile(rb"[^\t\n\x20-\x7e]")  # anything but printable ASCII and line breaks
# A blank line (a line break kept) or a line not indented: left to the YAML parser.
_NOT_FOLDED = re.compile(rb"\n(?:[ \t]*\n|[^ \t])")
# `yaml.dump` breaks a long line at a single space (width 80); reading folds it back.
_FOLD = re.compile(r"[ \t]*\n[ \t]*")


def take_out(data: bytes, least: int | None = None) -> tuple[bytes, dict[str, str]]:
    """The YAML text with each single-quoted `string` value of `least` characters or more
    (`BIG_SCALAR`) replaced by a placeholder, and the values by placeholder; `data`
    itself when it has none."""
    token = os.urandom(8).hex()
    taken: dict[str, str] = {}
    parts: list[bytes] = []
    kept = 0  # where the text not yet copied to `parts` starts
    for start, end in _candidates(data, BIG_SCALAR if least is None else least):
        placeholder = f"driftcheck-body-{token}-{len(taken)}"
        value = _unfolded(data, start, end)
        taken[placeholder] = value.replace("''", "'") if "''" in value else value
        parts += [data[kept:start], placeholder.encode()]
        kept = end
    if not taken or token.encode() in data:
        return data, {}
    parts.append(data[kept:])
    return b"".join(parts), taken


def _unfolded(data: bytes, start: int, end: int) -> str:
    """The scalar's text with its line breaks folded as YAML folds them (a break and the
    blanks around it: one space). `yaml.dump` breaks at a single space and indents each
    next line alike: then one `str.replace` does it, with no string per line."""
    value = str(memoryview(data)[start:end], "ascii")
    first = data.find(b"\n", start, end)
    if first < 0:
        return value
    indent = data[first + 1 : first + 1 + 256]
    indent = indent[: len(indent) - len(indent.lstrip(b" "))]
    if indent and _regular(data, start, end, b"\n" + indent):
        return value.replace("\n" + indent.decode(), " ")
    return _FOLD.sub(" ", value)


def _regular(data: bytes, start: int, end: int, turn: bytes) -> bool:
    """Whether every line break is `turn` (a break and one indentation) between two
    characters that are not blank: counted and searched in C, not line by line."""
    return data.count(b"\n", start, end) == data.count(turn, start, end) and not any(
        data.find(sign, start, end) >= 0
        for sign in (b" \n", b"\t\n", turn + b" ", turn + b"\t", turn + b"\n")
    )


def _candidates(data: bytes, least: int) -> Iterator[tuple[int, int]]:
    """Where each long single-quoted `string` value's text starts and ends."""
    mark = data.find(_MARK)
    while mark >= 0:
        start = mark + len(_MARK)
        end = _closing_quote(data, start)
        if end < 0:
            return
        if end - start >= least and _alone(data, mark, start, end):
            yield start, end
        mark = data.find(_MARK, end + 1)


def _closing_quote(data: bytes, start: int) -> int:
    """The quote that ends a single-quoted scalar starting at `start` (`''` is a quote
    within it); -1 when there is none."""
    end = data.find(b"'", start)
    while end >= 0 and data[end + 1 : end + 2] == b"'":
        end = data.find(b"'", end + 2)
    return end


def _alone(data: bytes, mark: int, start: int, end: int) -> bool:
    """Whether the scalar stands alone as a value, in printable ASCII, on one line or
    folded over indented lines as `yaml.dump` folds it (no blank line)."""
    line = data.rfind(b"\n", 0, mark) + 1
    return (
        _BEFORE.match(data, line, mark) is not None
        and _AFTER.match(data, end + 1) is not None
        and _NOT_PLAIN.search(data, start, end) is None
        and _NOT_FOLDED.search(data, start, end) is None
    )


def put_back(document: Any, taken: dict[str, str]) -> bool:
    """Put each taken value back where its placeholder is in the parsed `document`; False
    (the document is then to be parsed again from the original text) unless every
    placeholder came back as a whole `string` value of a mapping, exactly once."""
    found: list[tuple[dict[Any, Any], str]] = []
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            value = node.get("string")
            if isinstance(value, str) and value in taken:
                found.append((node, value))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    if sorted(placeholder for _, placeholder in found) != sorted(taken):
        return False
    for mapping, placeholder in found:
        mapping["string"] = taken[placeholder]
    return True
