"""Read one huge JSON body in pieces, so that its parsed tree is never whole in memory.

A parsed tree is 3.5-4x its text, so a body of hundreds of megabytes cannot be held
parsed within the memory budget (250 MB + 3x the largest cassette). The top of the body
(a top-level array, or a top-level object's keys and values) is read with the standard
library's C scanner; each array there is cut into stretches of about `PIECE_CHARS`
characters of elements, each parsed by orjson, counted into the shape (`core.pieces`)
and dropped.

A stretch ends where the text that separated the array's first two elements recurs
(`},{"id":`). A cut there that is not between two elements (inside a string, or
deeper down) leaves a string or brackets open, so the stretch does not parse and the
next place is tried; after `MAX_MISSES`, elements are read one by one for a stretch.

Anything out of the ordinary raises `NotPieces` and the body is read whole, as before,
for exactly the same result and note: text that is not strict JSON or not JSON at all,
a tag or id-like keys at the top (they change how the top is counted), a key twice,
escaped lone surrogates, nesting past a depth limit.
"""

from __future__ import annotations

import json
import re
from typing import Any

from driftcheck import jsonio
from driftcheck.core import maps, tags
from driftcheck.core.pieces import BodyPieces, Place
from driftcheck.core.shape import AUTO, MAX_DEPTH, MapRule, ShapeBuilder
from driftcheck.errors import ShapeDepthError

PIECE_CHARS = 8 << 20  # a stretch: about 30 MB parsed, a few ms of counting each
VALUE_CHARS = 32 << 20  # a longer element or value is no piece: the body is read whole
MAX_MISSES = 4  # cuts that did not parse before a stretch is read element by element
HEAD_CHARS = 16  # how much of the first two elements' common start marks where one starts
ECHO_ITEMS = 8  # elements of each array kept for `file_shapes.echoed` (its ECHO_ITEMS)
_SPACE = re.compile(r"[ \t\n\r]*")  # JSON's whitespace
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SCAN = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # one value at an index, in C
_STRING = json.decoder.scanstring  # type: ignore[attr-defined]  # a string after its quote


class NotPieces(Exception):
    """The body is read whole instead: nothing here could have said it differently."""


def read_in_pieces(
    text: str,
    rule: MapRule = AUTO,
    keep: int = 0,
    piece_chars: int = PIECE_CHARS,
    max_depth: int = MAX_DEPTH,
    value_chars: int = VALUE_CHARS,
) -> tuple[ShapeBuilder, Any]:
    """The shape of a JSON body read in pieces (as `ShapeBuilder.add_values([body])`
    counts its top), and a preview of it: the body with each array at the top cut to its
    first `ECHO_ITEMS` elements and strings there longer than `keep` characters replaced
    by "/" (what `file_shapes.echoed` looks at). Raises NotPieces."""
    if ("\\u" in text and _ESCAPED_SURROGATE.search(text)) or (
        not text.isascii() and _SURROGATE.search(text)
    ):
        raise NotPieces("surrogates: the whole body is checked for lone ones")
    reader = _Reader(text, BodyPieces(rule, max_depth), keep, (piece_chars, value_chars))
    try:
        preview, end = reader.top(_skip(text, 0))
    except (ValueError, RecursionError, StopIteration, IndexError, ShapeDepthError) as error:
        raise NotPieces(type(error).__name__) from None
    if _skip(text, end) != len(text):
        raise NotPieces("text after the value")
    return reader.pieces.finish(), preview


def _skip(text: str, index: int) -> int:
    return _SPACE.match(text, index).end()  # type: ignore[union-attr]  # `*` always matches


def _strict(text: str, index: int, end: int, depth: int) -> Any:
    """The value at `text[index:end]` as orjson parses it (its integers past 64 bits are
    numbers, as in the whole body's parse), at its depth for orjson's depth limit."""
    try:
        value = jsonio.loads("[" * depth + text[index:end] + "]" * depth)
    except jsonio.JSONDecodeError:
        raise NotPieces("not strict JSON: the whole body is read by the lenient parser") from None
    for _ in range(depth):
        value = value[0]
    return value


def _scan(text: str, index: int, depth: int, most: int) -> tuple[Any, int]:
    """One value at `index` (`depth` containers around it) and where it ends: the end found
    by the standard library's scanner, the value as orjson reads it. A value longer than
    `most` is no piece: the body is read whole (parsed once, not twice)."""
    end: int = _SCAN(text, index)[1]
    if end - index > most:
        raise NotPieces("one value past the size of a piece")
    return _strict(text, index, end, depth), end


class _Column:
    """A huge array's elements, counted a stretch at a time. Two elements are always held
    back: a column of one value is counted by another path (`inference._add_one`), so
    the last stretch is never counted alone."""

    __slots__ = ("_depth", "_key", "_pending", "_pieces", "_place", "preview")

    def __init__(self, pieces: BodyPieces, place: Place, depth: int, key: str | None) -> None:
        self._pieces, self._place, self._depth, self._key = pieces, place, depth, key
        self._pending: list[Any] = []
        self.preview: list[Any] = []

    def add(self, values: list[Any]) -> None:
        if len(self.preview) < ECHO_ITEMS:
            self.preview.extend(values[: ECHO_ITEMS - len(self.preview)])
        combined = self._pending + values
        if len(combined) >= 4:
            self._pieces.add(self._place, combined[:-2], self._depth, self._key)
            combined = combined[-2:]
        self._pending = combined

    def close(self) -> list[Any]:
        if self._pending:
            self._pieces.add(self._place, self._pending, self._depth, self._key)
        self._pending = []
        return self.preview


class _Reader:
    __slots__ = ("_keep", "_most", "_nothing_after", "_piece", "pieces", "text")

    def __init__(self, text: str, pieces: BodyPieces, keep: int, sizes: tuple[int, int]) -> None:
        self.text, self.pieces, self._keep = text, pieces, keep
        self._piece, self._most = sizes
        self._nothing_after = len(text)  # no cut found from here on

    def top(self, index: int) -> tuple[Any, int]:
        opening = self.text[index]
        if opening == "[":
            return self._array(self.pieces.root, index, 0)
        if opening == "{":
            return self._object(index)
        raise NotPieces("not an array or object")

    def _object(self, index: int) -> tuple[dict[str, Any], int]:
        """The top-level object, its keys one column each (as `_add_one` counts them)."""
        text, root = self.text, self.pieces.root
        index = _skip(text, index + 1)
        self.pieces.open_object(root, text[index] == "}", 0)
        preview: dict[str, Any] = {}
        while text[index] != "}":
            if text[index] != '"':
                raise NotPieces("a key that is not a string")
            key, index = _STRING(text, index + 1)
            if key in preview:
                raise NotPieces("a key twice")
            index = _skip(text, index)
            if text[index] != ":":
                raise NotPieces("no colon")
            place = self.pieces.key(root, key)
            preview[key], index = self._value(place, _skip(text, index + 1), key)
            index = _skip(text, index)
            if text[index] == ",":
                index = _skip(text, index + 1)
            elif text[index] != "}":
                raise NotPieces("no comma")
        if tags.tag_of(preview) is not None or maps.ids_only(preview):
            raise NotPieces("a tag or ids at the top: counted as a column of objects")
        return preview, index + 1

    def _value(self, place: Place, index: int, key: str) -> tuple[Any, int]:
        """A top-level key's value: an array in stretches, anything else whole."""
        text = self.text
        if text[index] == "[":
            return self._array(place, index, 1, key)
        if text[index] == '"':
            value, end = _STRING(text, index + 1)
            self.pieces.add(place, [value], 1, key)
            return (value if len(value) <= self._keep else "/"), end
        value, end = _scan(text, index, 1, self._most)
        self.pieces.add(place, [value], 1, key)
        return value, end

    def _array(
        self, place: Place, index: int, depth: int, key: str | None = None
    ) -> tuple[list[Any], int]:
        """An array at `depth`, its elements counted in stretches one level down."""
        text = self.text
        index = _skip(text, index + 1)
        items = self.pieces.open_array(place, text[index] == "]", depth)
        if items is None:
            return [], index + 1
        column = _Column(self.pieces, items, depth + 1, key)
        first, first_end = _scan(text, index, depth + 1, self._most)
        after = _skip(text, first_end)
        if text[after] == "]":
            column.add([first])
            return column.close(), after + 1
        start = self._comma(after)
        second, end = _scan(text, start, depth + 1, self._most)
        column.add([first, second])
        pattern = _pattern(text, index, first_end, start)
        return self._stretches(column, end, depth + 1, pattern)

    def _comma(self, index: int) -> int:
        if self.text[index] != ",":
            raise NotPieces("no comma between elements")
        return _skip(self.text, index + 1)

    def _stretches(self, column: _Column, end: int, depth: int, pattern: str) -> tuple[Any, int]:
        """Every element after the first two, a stretch at a time, up to the `]`."""
        text = self.text
        while True:
            after = _skip(text, end)
            if text[after] == "]":
                return column.close(), after + 1
            values, end = self._stretch(self._comma(after), depth, pattern)
            column.add(values)

    def _stretch(self, start: int, depth: int, pattern: str) -> tuple[list[Any], int]:
        """Elements from `start` on, about `PIECE_CHARS` of them, and where they end."""
        text = self.text
        cut = self._find(pattern, start + self._piece)
        for _ in range(MAX_MISSES + 1):
            if cut < 0:
                break
            end = cut + 1  # just after the last character of an element
            try:
                parsed = jsonio.loads("[" * depth + text[start:end] + "]" * depth)
            except jsonio.JSONDecodeError:
                cut = self._find(pattern, cut + 1)
                continue
            for _ in range(depth - 1):
                parsed = parsed[0]
            return parsed, end
        return self._one_by_one(start, depth)

    def _find(self, pattern: str, start: int) -> int:
        if start >= self._nothing_after:
            return -1
        found = self.text.find(pattern, start)
        if found < 0:
            self._nothing_after = start
        return found

    def _one_by_one(self, start: int, depth: int) -> tuple[list[Any], int]:
        """Elements read by the standard library's scanner, about `PIECE_CHARS` of them."""
        text = self.text
        values: list[Any] = []
        index = start
        while True:
            value, end = _scan(text, index, depth, self._most)
            values.append(value)
            after = _skip(text, end)
            if end - start >= self._piece or text[after] != ",":
                return values, end
            index = _skip(text, after + 1)


def _pattern(text: str, first: int, end: int, second: int) -> str:
    """What separates two elements: the first's last character, the text between them
    and what both start with (`},{"id":`); where it recurs, a stretch may end."""
    same = 0
    while same < HEAD_CHARS and text[first + same] == text[second + same]:
        same += 1  # within both elements: the first ends with `end`, before `second`
    return text[end - 1] + text[end:second] + text[second : second + same]
