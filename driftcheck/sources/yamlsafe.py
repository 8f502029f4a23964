"""Safe YAML: the one `yaml` import, shared by cassettes and fixtures.

Loading never builds objects from YAML tags: the loader knows the benign tags vcrpy
writes and refuses the rest, naming the line. Errors become `YamlProblem` with a
one-line reason; the caller adds the file name.
"""

from __future__ import annotations

import base64
from typing import Any

import yaml

from driftcheck.core.paths import ITEMS, ROOT, child_path

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
    return base64.b64decode("".join(text.split()))


def _construct_tuple(loader: yaml.SafeLoader, node: yaml.Node) -> list[Any]:
    return loader.construct_sequence(node, deep=True)  # type: ignore[arg-type]  # not a sequence: raises


def _refuse(loader: yaml.SafeLoader, node: yaml.Node) -> None:
    raise _RefusedTagError(node.tag, node.start_mark.line + 1)


SafeLoader.add_constructor("tag:yaml.org,2002:python/unicode", _construct_text)
SafeLoader.add_constructor("tag:yaml.org,2002:python/str", _construct_text)
SafeLoader.add_constructor("tag:yaml.org,2002:python/tuple", _construct_tuple)
SafeLoader.add_constructor("!binary", _construct_ruby_binary)
SafeLoader.add_constructor(None, _refuse)


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def load(text: bytes | str) -> Any:
    """One YAML document as plain data; raises YamlProblem."""
    try:
        return yaml.load(text, Loader=SafeLoader)
    except _RefusedTagError as error:
        raise YamlProblem(
            f"line {error.line}: refused YAML tag {_short_tag(error.tag)}: it would build "
            f"objects; only {', '.join(BENIGN_TAGS)} are accepted"
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = error.problem or error.context or "malformed"
        raise YamlProblem(f"invalid YAML at {where}{problem}") from None
    except yaml.YAMLError as error:
        raise YamlProblem(f"invalid YAML: {error}") from None


def line_map(text: bytes | str) -> dict[str, int]:
    """The first line (1-based) of every JSONPath in a YAML or JSON text, `[*]` for items.

    Best effort, for pointing findings at a line: text YAML cannot compose gives `{}`.
    """
    try:
        root = yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError:
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
