"""A spec file's text as plain data, with the line each object and array was written at.

YAML and JSON alike: JSON is read as YAML too, so its lines are known. Scalars are read
as YAML 1.2's core schema reads them, as OpenAPI tools do (`on`, `yes` and `2024-01-01`
stay strings, `1e5` is a number) and keys are always strings (`200:` is "200"). The data
is built from libyaml's parse events, several times faster than composing PyYAML's nodes
(a vendor's 10 MB spec reads in about a second). A JSON text YAML cannot read (tabs,
keys longer than 1024 characters) is read by orjson, without lines. Tags other than
YAML's core ones are refused, naming the line: a spec is data, never objects.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from driftcheck import jsonio
from driftcheck.sources.yamlsafe import Event, YamlProblem, events

_CORE = "tag:yaml.org,2002:"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False}
_BOOLS["FALSE"] = False
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL = {
    ".inf": float("inf"),
    "+.inf": float("inf"),
    "-.inf": float("-inf"),
    ".nan": float("nan"),
}
_NUMERIC_START = frozenset("-+.0123456789")


@dataclass(frozen=True, slots=True)
class Document:
    """One file's data; `lines` maps the id() of each dict and list in it to the line it
    was written at (a mapping's value: its key's line); `keys` the lines of the top-level
    keys (`openapi`, `paths`); `refs` the line of each mapping's `$ref` key."""

    data: Any
    lines: dict[int, int]
    keys: dict[str, int] = field(default_factory=dict)
    refs: dict[int, int] = field(default_factory=dict)


def parse(raw: bytes) -> Document:
    """The document in `raw`; raises YamlProblem (JSON's problems are named as such)."""
    if raw.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] not in (b"{", b"["):
        return build(events(raw))
    try:
        data = jsonio.loads(raw.removeprefix(b"\xef\xbb\xbf"))  # orjson refuses a BOM
    except jsonio.JSONDecodeError as error:
        raise YamlProblem(
            f"line {error.lineno}: malformed JSON at column {error.colno}: {error.msg}"
        ) from None
    try:
        return build(events(raw))
    except YamlProblem:  # valid JSON that YAML does not read: no lines, line 0
        return Document(data, _unlined(data))


def _unlined(data: Any) -> dict[int, int]:
    """Line 0 for every dict and list of `data`, so each is known to be in its file."""
    lines: dict[int, int] = {}
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            lines[id(value)] = 0
            stack.extend(value.values())
        elif isinstance(value, list):
            lines[id(value)] = 0
            stack.extend(value)
    return lines


@dataclass(slots=True)
class _Frame:
    """A collection being filled: for a mapping, the key waiting for its value."""

    container: dict[str, Any] | list[Any]
    key: str | None = None
    key_line: int = 0
    merges: list[Any] = field(default_factory=list)  # `<<:` values, applied at its end


@dataclass(slots=True)
class _Builder:
    lines: dict[int, int] = field(default_factory=dict)
    keys: dict[str, int] = field(default_factory=dict)
    refs: dict[int, int] = field(default_factory=dict)
    anchors: dict[str, Any] = field(default_factory=dict)
    stack: list[_Frame] = field(default_factory=list)
    root: Any = None
    documents: int = 0

    def see(self, event: Event) -> None:
        kind, line, anchor, tag, value, plain = event
        if kind == "scalar":
            if self._at_key():
                self._key(value, line)
                return
            self._place(_scalar(value, tag, plain, line), line, anchor)
        elif kind in ("map", "seq"):
            self._open(kind, line, anchor, tag)
        elif kind == "end":
            frame = self.stack.pop()
            if frame.merges and isinstance(frame.container, dict):
                _merge_keys(frame.container, frame.merges, line)
        elif kind == "alias":
            self._alias(str(anchor), line)
        elif kind == "doc":
            self.documents += 1
            if self.documents > 1:
                raise YamlProblem(f"line {line}: a second YAML document; a spec is one document")

    def _alias(self, anchor: str, line: int) -> None:
        if anchor not in self.anchors:
            raise YamlProblem(f"line {line}: alias *{anchor} names no anchor before it")
        if self._at_key():
            raise YamlProblem(f"line {line}: an alias as a mapping key; keys are strings")
        self._place(self.anchors[anchor], line, None)

    def _at_key(self) -> bool:
        return (
            bool(self.stack)
            and isinstance(self.stack[-1].container, dict)
            and (self.stack[-1].key is None)
        )

    def _key(self, value: str, line: int) -> None:
        frame = self.stack[-1]
        frame.key, frame.key_line = value, line
        if len(self.stack) == 1:
            self.keys.setdefault(value, line)
        if value == "$ref":
            self.refs[id(frame.container)] = line

    def _open(self, kind: str, line: int, anchor: str | None, tag: str | None) -> None:
        if self._at_key():
            raise YamlProblem(f"line {line}: a mapping key that is not a string; keys are strings")
        if tag not in (None, "!", _CORE + ("map" if kind == "map" else "seq")):
            raise YamlProblem(_refused(tag, line))
        container: dict[str, Any] | list[Any] = {} if kind == "map" else []
        self._place(container, line, anchor)
        self.stack.append(_Frame(container))

    def _place(self, value: Any, line: int, anchor: str | None) -> None:
        if anchor is not None:
            self.anchors[anchor] = value
        if not self.stack:
            self.root = value
            self._line(value, line)
            return
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            frame.container.append(value)
            self._line(value, line)
            return
        key, frame.key = frame.key, None
        if key == "<<":
            frame.merges.append(value)
            return
        frame.container[str(key)] = value
        self._line(value, frame.key_line)

    def _line(self, value: Any, line: int) -> None:
        if isinstance(value, (dict, list)):
            self.lines.setdefault(id(value), line)


def build(stream: Iterator[Event]) -> Document:
    """The data of a stream of parse events, with the line of each dict and list."""
    builder = _Builder()
    for event in stream:
        builder.see(event)
    return Document(builder.root, builder.lines, builder.keys, builder.refs)


def _merge_keys(mapping: dict[str, Any], merges: list[Any], line: int) -> None:
    """YAML's `<<: *base` (or a list of them): keys the mapping lacks, the first wins."""
    for merge in merges:
        for source in merge if isinstance(merge, list) else [merge]:
            if not isinstance(source, dict):
                raise YamlProblem(f"line {line}: `<<` merges mappings only")
            for key, value in source.items():
                mapping.setdefault(key, value)


def _scalar(value: str, tag: str | None, plain: bool, line: int) -> Any:
    """A scalar as YAML 1.2's core schema reads it."""
    if plain:
        return _resolve(value)
    if tag is None or tag in ("!", _CORE + "str"):
        return value
    kind = tag[len(_CORE) :] if tag.startswith(_CORE) else ""
    resolved = _resolve(value)
    expected = {"int": int, "float": float, "bool": bool, "null": type(None)}.get(kind)
    if expected is None:
        raise YamlProblem(_refused(tag, line))
    if expected is float and isinstance(resolved, int) and not isinstance(resolved, bool):
        return float(resolved)
    if type(resolved) is not expected:
        raise YamlProblem(f"line {line}: {value!r} is not a valid !!{kind}")
    return resolved


def _resolve(value: str) -> Any:
    if value in _NULLS:
        return None
    if value in _BOOLS:
        return _BOOLS[value]
    if value[0] not in _NUMERIC_START:
        return value
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    lowered = value.lower()
    if lowered in _SPECIAL:
        return _SPECIAL[lowered]
    for prefix, base in (("0o", 8), ("0x", 16)):
        if value.startswith(prefix):
            try:
                return int(value[2:], base)
            except ValueError:
                return value
    return value


def _refused(tag: str | None, line: int) -> str:
    shown = str(tag).replace(_CORE, "!!")
    return (
        f"line {line}: refused YAML tag {shown}: it would build objects; a spec holds "
        "plain data (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq)"
    )
