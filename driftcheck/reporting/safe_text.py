"""Untrusted text made safe for each output: what is illegal or dangerous where.

Keys, paths, endpoint names, file names and reasons come from recorded responses, test
files and file names, all of which an attacker may write. Each output has its own hazards:
a terminal runs escape sequences (clear the screen, hyperlinks, a retitled window), XML
1.0 refuses most control characters, a Markdown code span ends at a backtick and a table
row at a `|` or a line break, a pull-request comment runs `<img>` and notifies
`@mentions`, and no encoder takes a lone surrogate (a file name that is not UTF-8). Every
renderer passes every untrusted string through one of these functions.
"""

from __future__ import annotations

import re

from driftcheck.core.text import escape as _escape
from driftcheck.core.text import visible as visible  # re-exported: one spelling for every output

CELL = 200  # characters of one untrusted value shown in a cell, a tree or a title
MESSAGE = 1_000  # characters of a message on a terminal (it may hold several values)
ELLIPSIS = "…"

# What XML 1.0 refuses (tab, newline and carriage return are allowed).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# GitHub notifies `@name` when `@` follows a non-word character and precedes a word one.
_MENTION = re.compile(r"(?<!\w)@(?=\w)")
_JOINER = "\u200d"  # a zero-width joiner after `@`: shown the same, notifies nobody


def truncate(text: str, limit: int = CELL) -> str:
    """At most `limit` characters, the last an ellipsis when some were cut."""
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def clean(text: str, limit: int = CELL) -> str:
    """Visible and cut to `limit`: one untrusted value for a terminal or a title."""
    return truncate(visible(text), limit)


def for_terminal(text: str, limit: int = CELL) -> str:
    """An untrusted value for a terminal: no escape sequence reaches it, and it is cut."""
    return clean(text, limit)


def for_xml(text: str) -> str:
    """Text XML 1.0 can hold: its illegal characters spelled as escapes."""
    return _XML_ILLEGAL.sub(_escape, text)


def without_surrogates(text: str) -> str:
    """Text UTF-8 can encode: a lone surrogate (a file name that was not UTF-8) spelled as
    its escape, `\\udcff`."""
    return _SURROGATE.sub(_escape, text)


def code_span(text: str, *, table: bool = True, limit: int = CELL) -> str:
    """A Markdown code span that holds `text` whatever its backticks (CommonMark: the
    fence is longer than any run of backticks inside, padded with a space when the content
    starts or ends with one); in a table a `|` is escaped, which GFM removes again."""
    content = clean(text, limit)
    if table:
        content = content.replace("|", "\\|")
    if not content:
        return "` `"
    runs = [len(run) for run in re.findall("`+", content)]
    fence = "`" * (max(runs, default=0) + 1)
    padded = (
        content[0] == "`"
        or content[-1] == "`"
        or (content[0] == " " and content[-1] == " " and content.strip(" ") != "")
    )
    pad = " " if padded else ""
    return f"{fence}{pad}{content}{pad}{fence}"


def markdown_text(text: str, *, limit: int = CELL) -> str:
    """Untrusted text as Markdown inline text, in a table cell or a list item: no HTML,
    no link or image, no code span, no table break, no `@mention`."""
    import html

    escaped = html.escape(clean(text, limit), quote=False)
    for char in "\\`|":
        escaped = escaped.replace(char, "\\" + char)
    escaped = escaped.replace("](", "\\](")  # an inline link or image needs `](`
    return _MENTION.sub("@" + _JOINER, escaped)


def html_text(text: str, *, limit: int = CELL) -> str:
    """Untrusted text inside raw HTML (a `<summary>`): escaped, no `@mention`."""
    import html

    return _MENTION.sub("@" + _JOINER, html.escape(clean(text, limit)))


def markdown_message(text: str, literals: tuple[str, ...] = (), *, table: bool = True) -> str:
    """A message as Markdown: the values the rules wrote in backticks as code spans, the
    rest as text. `literals` are values known to have been quoted (the finding's path and
    endpoint), found first, so a backtick inside one does not end its span."""
    parts: list[str] = []
    plain: list[str] = []
    position = 0
    known = sorted((f"`{value}`" for value in literals if value), key=len, reverse=True)
    while position < len(text):
        quoted = _quoted(text, position, known)
        if quoted is None:
            plain.append(text[position])
            position += 1
            continue
        parts.append(markdown_text("".join(plain), limit=MESSAGE // 2))
        plain = []
        parts.append(code_span(quoted, table=table))
        position += len(quoted) + 2
    parts.append(markdown_text("".join(plain), limit=MESSAGE // 2))
    shown = "".join(parts)
    return shown if len(shown) <= 2 * MESSAGE else markdown_text(text, limit=MESSAGE)


def _quoted(text: str, position: int, known: list[str]) -> str | None:
    """The value quoted in backticks at `position`, or None when no quote starts there."""
    if text[position] != "`":
        return None
    for literal in known:
        if text.startswith(literal, position):
            return literal[1:-1]
    end = text.find("`", position + 1)
    if end == -1 or "\n" in text[position:end]:
        return None
    return text[position + 1 : end]
