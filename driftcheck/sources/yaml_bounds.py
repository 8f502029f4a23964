"""Cheap upper bounds on a YAML text's nesting, read from its bytes (no parsing).

`yamlsafe.screen` needs to know a text cannot nest past MAX_YAML_DEPTH before libyaml's
recursive composer sees it. These few scans in C settle it for a normal text; a text they
cannot clear is walked event by event there.
"""

from __future__ import annotations

import codecs
import re

from driftcheck.core.limits import MAX_YAML_DEPTH

# What may stand before a block collection on its line: indentation, `- `, `? `, `: `,
# `--- `, anchors and tags. A block collection nested inside another starts at a greater
# column (a sequence may share its parent mapping's), so at most two levels per column.
# Each pattern starts with a literal byte, so the regex engine skips ahead fast.
_PREFIX = re.compile(rb"\n[ \t]*(?:(?:---|[-?:]|[&!][^ \t\r\n]*)[ \t]+)*")
# `*name` and `&name` where an alias or anchor can start: after a space, `[`, `{`, `,`,
# or a quoted key's `":` (or at the start). A `*` in text usually has no `&` to go with it.
_ALIAS = re.compile(rb"\*(?:(?<=[\s\[{,]\*)|(?<=[\"']:\*))[^\s\[\]{},]")
_ANCHOR = re.compile(rb"&(?:(?<=[\s\[{,]&)|(?<=[\"']:&))[^\s\[\]{},]")
_LINE_SEPARATORS = re.compile(rb"\xe2\x80[\xa8\xa9]")  # LS, PS: libyaml breaks lines there
_NEXT_LINE = b"\xc2\x85"  # NEL, a line break too
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_OPENERS = bytes.maketrans(b"{}", b"[]")


def plain(data: bytes) -> bool:
    """No alias of an anchor, and no line break but CR and LF (which the bound reads).
    A byte-order mark past the first bytes is not plain: libyaml skips one at the start
    of any line, where it would hide an anchor from the patterns."""
    head = data.removeprefix(codecs.BOM_UTF8)
    if codecs.BOM_UTF8 in head:
        return False
    if _has(head, b"*", _ALIAS) and _has(head, b"&", _ANCHOR):
        return False
    if data.isascii():
        return True
    return _NEXT_LINE not in data and _LINE_SEPARATORS.search(data) is None


def _has(data: bytes, sign: bytes, pattern: re.Pattern[bytes]) -> bool:
    return data.startswith(sign) or pattern.search(data) is not None


def shallow(data: bytes) -> bool:
    """`depth_bound(data) <= MAX_YAML_DEPTH`, decided with a few scans in C: without
    anchors or tags before a line's content, a prefix is no longer than its line's
    leading run of blanks and indicators, so one search for a run too long settles it."""
    brackets = _bracket_bound(data, MAX_YAML_DEPTH // 2)
    widest = (MAX_YAML_DEPTH - 1 - 2 * brackets) // 2  # the widest prefix the limit allows
    if widest < 0:
        return False
    lines = data.replace(b"\r", b"\n") if b"\r" in data else data  # no copy when LF only
    if _tag_in_prefix(lines):
        return depth_bound(data) <= MAX_YAML_DEPTH
    run = rb"[ \t?:-]{%d}" % (widest + 1)  # a prefix too wide: the first line's, or another's
    return re.match(run, lines) is None and re.search(b"\n" + run, lines) is None


def _tag_in_prefix(lines: bytes) -> bool:
    """Whether an anchor or a tag stands before some line's content (rare in cassettes:
    `!!binary` follows a key). `find` in C beats a regex without a literal to start on."""
    for sign in (b"&", b"!"):
        if lines.count(sign) > 1_000:  # many: let the full bound read them
            return True
        at = lines.find(sign)
        while at != -1:
            start = lines.rfind(b"\n", 0, at)
            if not lines[start + 1 : at].strip(b" \t?:-"):
                return True
            at = lines.find(sign, at + 1)
    return False


def depth_bound(data: bytes) -> int:
    """An upper bound on the nesting of a YAML text with CR and LF breaks, from its bytes.

    Block collections: two levels per column a line's prefix reaches. Flow collections:
    two levels per bracket (`[a: b]` is a mapping in a sequence); brackets inside
    strings only raise the bound.
    """
    lines = b"\n" + data.replace(b"\r", b"\n")
    widest = max(len(found) for found in _PREFIX.findall(lines))
    return 2 * widest + 2 * _bracket_bound(data, MAX_YAML_DEPTH // 2) + 1


def _bracket_bound(data: bytes, limit: int) -> int:
    """How deep brackets nest, at most; `limit + 1` once past `limit`.

    Each pass removes every innermost pair; what no pass can remove is `]]][[[`, whose
    openers never close.
    """
    brackets = data.translate(_OPENERS, _NOT_BRACKETS)
    if b"[" * (limit + 1) in brackets:  # the usual attack, seen at once
        return limit + 1
    for passes in range(limit + 1):
        shorter = brackets.replace(b"[]", b"")
        if shorter == brackets:
            return min(passes + brackets.count(b"["), limit + 1)
        brackets = shorter
    return limit + 1
