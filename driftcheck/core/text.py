"""Untrusted text shown, never acted on: every character a terminal, a log or a reader
could take for something else (an escape sequence, a line break, a reordering bidi
control, a lone surrogate no encoder takes) spelled as its escape. Pure, so every layer
that shows text from recordings and tests (reports, the pytest plugin) spells it alike.
"""

from __future__ import annotations

import re

# Control characters (C0, DEL, C1), bidirectional overrides and marks that reorder what
# is shown, line and paragraph separators, lone surrogates, and the two noncharacters
# XML refuses: none is shown raw anywhere.
_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
    "\ud800-\udfff\ufffe\uffff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(match: re.Match[str]) -> str:
    """One matched character's escape, for `re.sub`."""
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Every unsafe character spelled as its escape (`\\x1b`, `\\n`, `\\u202e`): shown, never
    acted on, and the text stays on one line."""
    if text.isascii() and text.isprintable():
        return text
    return _UNSAFE.sub(escape, text)
