"""Safe YAML: the one `yaml` import, shared by cassettes and fixtures.

Loading never builds objects from YAML tags: the loader knows the benign tags vcrpy
writes and refuses the rest, naming the line. Errors become `YamlProblem` with a
one-line reason; the caller adds the file name.

Nesting is bounded before libyaml's composer sees the text: it recurses in C and a text
nested tens of thousands of levels kills the process. A cheap scan of the bytes bounds
the depth from above; only a text it cannot clear (or one using aliases) is walked
event by event (libyaml's parser does not recurse), counting depth, an alias as deep as
what it names. Aliases are shared, never copied: an alias bomb loads as a small graph,
and the readers that walk values bound what they visit.
"""

from __future__ import annotations

import base64
import binascii
import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from driftcheck.core.limits import MAX_YAML_DEPTH
from driftcheck.core.paths import ITEMS, ROOT, child_path
from driftcheck.sources.yaml_bounds import plain, shallow

BENIGN_TAGS = ("!!binary", "!binary", "!!python/unicode", "!!python/str", "!!python/tuple")

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlProblem(ValueError):
    """Why a YAML text cannot be loaded, in one line (without the file name)."""


class _RefusedTagError(Exception):
    def __init__(self, tag: str, line: int) -> None:
        super().__init__(tag)
        self.tag = tag
        self.line = line


class SafeLoader(_BaseLoader):  # type: ignore[misc,valid-type]  # base chosen at run time
    """Safe YAML plus the benign tags old vcrpy versions wrote; any other tag is refused."""


def _construct_text(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    return str(loader.construct_scalar(node))  # type: ignore[arg-type]  # any node; not scalar: raises


def _construct_ruby_binary(loader: yaml.SafeLoader, node: yaml.Node) -> bytes:
    """Ruby VCR's `!binary` is base64 like `!!binary`: plain data, safe to decode."""
    text = str(loader.construct_scalar(node))  # type: ignore[arg-type]  # any node; not scalar: raises
    try:
        return base64.b64decode("".join(text.split()))
    except (binascii.Error, ValueError) as error:
        raise yaml.constructor.ConstructorError(
            None, None, f"a !binary value is not valid base64 ({error})", node.start_mark
        ) from None


def _construct_tuple(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
    return loader.construct_sequence(node, deep=True)  # type: ignore[arg-type]  # not a sequence: raises


def _refuse(loader: yaml.SafeLoader, node: yaml.Node) -> None:
    raise _RefusedTagError(node.tag, node.start_mark.line + 1)


SafeLoader.add_constructor("tag:yaml.org,2002:python/unicode", _construct_text)
SafeLoader.add_constructor("tag:yaml.org,2002:python/str", _construct_text)
SafeLoader.add_constructor("tag:yaml.org,2002:python/tuple", _construct_tuple)
SafeLoader.add_constructor("!binary", _construct_ruby_binary)
SafeLoader.add_constructor(None, _refuse)


def _marked(construct: Callable[[yaml.SafeLoader, yaml.Node], Any]) -> Any:
    """A scalar constructor whose bad value (`2024-13-45`, `!!int x`) names its line."""

    def checked(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        try:
            return construct(loader, node)
        except (ValueError, TypeError, OverflowError, AttributeError, LookupError) as error:
            # PyYAML's own: AttributeError for a `!!timestamp` its regexp does not match,
            # KeyError for `!!bool abc`, IndexError for `!!int ''` and `!!float ''`
            problem = f"{_short_tag(node.tag)} value is invalid ({error})"
            raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark) from None

    return checked


for _kind in ("bool", "int", "float", "timestamp"):
    _tag = f"tag:yaml.org,2002:{_kind}"
    SafeLoader.add_constructor(_tag, _marked(SafeLoader.yaml_constructors[_tag]))


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def load(text: bytes | str) -> Any:
    """One YAML document as plain data; raises YamlProblem."""
    data = _utf8(text)
    plain = screen(data)
    try:
        return _construct(data, fast=plain)
    except _RefusedTagError as error:
        raise YamlProblem(
            f"line {error.line}: refused YAML tag {_short_tag(error.tag)}: it would build "
            f"objects; only {', '.join(BENIGN_TAGS)} are accepted"
        ) from None
    except yaml.YAMLError as error:
        raise _problem(error) from None
    except RecursionError:  # a `!!python/tuple` or a complex key is built recursively
        raise YamlProblem("a YAML tuple or key nested too deeply to build") from None
    except (ValueError, TypeError, OverflowError, LookupError) as error:  # 2024-13-45
        raise YamlProblem(_one_line(f"invalid YAML value: {error}")) from None


class _Fallback(Exception):
    """A node the fast constructor leaves to PyYAML's: the document is built by PyYAML."""


_STR, _MAP, _SEQ = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "map", "seq"))
# Scalar tags whose constructors return a plain value (not a generator): called as they are.
_SCALAR_TAGS = frozenset(
    [f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float", "binary")]
    + ["tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:python/unicode"]
    + ["tag:yaml.org,2002:python/str", "!binary"]
)
FAST_DEPTH = 64  # deeper than any cassette's structure: the rest goes to PyYAML's


def _construct(data: bytes, fast: bool) -> Any:
    """The document of `data`. With `fast` (a text with no aliases), built by `_build`,
    which does for plain maps, lists and scalars what PyYAML's constructor does at a
    third of its cost; a document holding anything else (other tags, merge keys, complex
    keys, deep nesting) is built by PyYAML's constructor, refusals and all."""
    loader = SafeLoader(data)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if fast:
            try:
                return _build(loader, node, 0, set())
            except Exception:  # _Fallback, or an error PyYAML's names its way
                pass
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, depth: int, built: set[int]) -> Any:
    """`node` as PyYAML's safe constructor builds it, for the tags it knows; _Fallback
    for any other (whatever it is: refused tags are refused by PyYAML's), and for a
    collection met twice (an alias, which PyYAML's shares rather than copies: copies of
    copies would grow exponentially)."""
    kind, tag = node.__class__, node.tag
    if kind is yaml.ScalarNode:
        if tag == _STR:
            return node.value
        if tag not in _SCALAR_TAGS:
            raise _Fallback
        return loader.yaml_constructors[tag](loader, node)
    if depth >= FAST_DEPTH or id(node) in built:
        raise _Fallback
    built.add(id(node))
    if kind is yaml.MappingNode and tag == _MAP:
        mapping = {}
        for key_node, value_node in node.value:
            if key_node.__class__ is not yaml.ScalarNode:
                raise _Fallback  # a complex key: PyYAML's says whether it is hashable
            key = _build(loader, key_node, depth, built)
            mapping[key] = _build(loader, value_node, depth + 1, built)
        return mapping
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_build(loader, item, depth + 1, built) for item in node.value]
    raise _Fallback


def line_map(text: bytes | str) -> dict[str, int]:
    """The first line (1-based) of every JSONPath in a YAML or JSON text, `[*]` for items.

    Best effort, for pointing findings at a line: text YAML cannot compose gives `{}`.
    """
    try:
        data = _utf8(text)
        screen(data)
        root = yaml.compose(data, Loader=SafeLoader)
    except (yaml.YAMLError, YamlProblem, RecursionError):
        return {}
    lines: dict[str, int] = {}
    seen: set[int] = set()  # an alias repeats a node: walk it once, or a bomb explodes here
    stack: list[tuple[str, yaml.Node]] = [] if root is None else [(ROOT, root)]
    while stack:
        path, node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    child = child_path(path, str(key.value))
                    lines.setdefault(child, key.start_mark.line + 1)
                    stack.append((child, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((path + ITEMS, item) for item in reversed(node.value))
    return lines


def _problem(error: yaml.YAMLError) -> YamlProblem:
    """A parser's error as one line, naming the line and column when it knows them."""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = error.problem or error.context or "malformed"
        return YamlProblem(_one_line(f"invalid YAML at {where}{problem}"))
    return YamlProblem(_one_line(f"invalid YAML: {error}"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _utf8(text: bytes | str) -> bytes:
    """The text as UTF-8, which the scan below reads (libyaml also takes UTF-16 with a BOM)."""
    try:
        if isinstance(text, str):
            return text.encode("utf-8")
        if text.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return text.decode("utf-16").encode("utf-8")
    except UnicodeError as error:
        raise YamlProblem(f"not valid Unicode: {_one_line(str(error))}") from None
    return text


def screen(data: bytes) -> bool:
    """Refuse a text nested deeper than MAX_YAML_DEPTH (aliases counted as deep as what
    they name), or with an alias inside what it names, before it is composed; raises
    YamlProblem. True when the text has no aliases (the cheap bound cleared it).

    The cheap bound covers a normal text; the event walk is exact and slower.
    """
    if plain(data) and shallow(data):
        return True
    _walk_events(data)
    return False


@dataclass(slots=True)
class _Open:
    """A collection being walked: its anchor, and how many levels it holds so far."""

    anchor: str | None
    height: int = 1


@dataclass(slots=True)
class _Census:
    """The depth of a YAML text, counted over libyaml's events."""

    open: list[_Open] = field(default_factory=list)
    heights: dict[str, int] = field(default_factory=dict)  # levels each anchor holds

    def see(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.CollectionStartEvent):
            if len(self.open) >= MAX_YAML_DEPTH:
                raise YamlProblem(_too_deep(line))
            self.open.append(_Open(event.anchor))
        elif isinstance(event, yaml.CollectionEndEvent) and self.open:
            done = self.open.pop()
            self._add(done.anchor, done.height)
        elif isinstance(event, yaml.ScalarEvent):
            self._add(event.anchor, 0)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(str(event.anchor), line)

    def _alias(self, anchor: str, line: int) -> None:
        if any(above.anchor == anchor for above in self.open):
            raise YamlProblem(
                f"line {line}: alias *{anchor} refers to a node that holds it; "
                "driftcheck reads YAML without recursive aliases"
            )
        height = self.heights.get(anchor, 0)  # undefined: the composer says so
        if len(self.open) + height > MAX_YAML_DEPTH:
            raise YamlProblem(_too_deep(line))
        self._add(None, height)

    def _add(self, anchor: str | None, height: int) -> None:
        if self.open:
            parent = self.open[-1]
            parent.height = max(parent.height, height + 1)
        if anchor is not None:
            self.heights[anchor] = height


def _too_deep(line: int) -> str:
    return (
        f"line {line}: nested deeper than {MAX_YAML_DEPTH} levels; driftcheck reads YAML "
        f"nested at most {MAX_YAML_DEPTH} levels"
    )


def _walk_events(data: bytes) -> None:
    """Every parse event of the text (libyaml's parser keeps its own stack); a text that
    does not parse is left to the loader, which names the line."""
    census = _Census()
    loader = SafeLoader(data)
    try:
        while loader.check_event():
            census.see(loader.get_event())
    except yaml.YAMLError:
        return
    finally:
        loader.dispose()


def dump(value: Any) -> str:
    """Plain data as block YAML, keys in their order (an exported OpenAPI document)."""
    dumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(value, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


# One parse event as plain values, for a reader that builds its own data with the lines
# it needs (an OpenAPI spec's): (kind, line, anchor, tag, value, plain), kind one of
# "doc", "map", "seq", "end", "scalar", "alias"; `plain` for an untagged plain scalar.
Event = tuple[str, int, str | None, str | None, str, bool]
_KINDS = {
    yaml.DocumentStartEvent: "doc",
    yaml.MappingStartEvent: "map",
    yaml.SequenceStartEvent: "seq",
    yaml.MappingEndEvent: "end",
    yaml.SequenceEndEvent: "end",
    yaml.ScalarEvent: "scalar",
    yaml.AliasEvent: "alias",
}


def events(text: bytes | str) -> Iterator[Event]:
    """Every parse event of a YAML text, screened as `load` screens it (libyaml's parser
    keeps its own stack: no recursion); raises YamlProblem naming the line. Tags are
    left to the caller, which refuses what it does not know."""
    data = _utf8(text)
    screen(data)
    loader = SafeLoader(data)
    try:
        while loader.check_event():
            event = loader.get_event()
            kind = _KINDS.get(event.__class__)
            if kind is None:
                continue
            tag, value = getattr(event, "tag", None), getattr(event, "value", "")
            plain = kind == "scalar" and tag is None and not event.style
            anchor = getattr(event, "anchor", None)
            yield kind, event.start_mark.line + 1, anchor, tag, value, plain
    except yaml.YAMLError as error:
        raise _problem(error) from None
    finally:
        loader.dispose()
