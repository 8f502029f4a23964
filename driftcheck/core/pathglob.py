"""Path patterns for `[[ignore]] path`: matched step by step, not as text (pure).

A pattern is written in the notation of paths (`driftcheck.core.paths`) and matched
against a finding's path parsed into steps, so a key reads the same dotted or
bracketed, and a wildcard never crosses from one step into the next:

- `.name` and `['any key']` are one key; within the key text, `*` and `?` are
  wildcards (`$.items[*].*_url`, `$['x-*']`) and a backslash makes the next
  character literal (`$['a\\*b']`);
- `*` as a whole step — `.*`, `[*]`, `{*}` or `['*']` — is any ONE step: a key, an
  array's elements or a map's values. `[*]` and `{*}` in a pattern are therefore not
  only elements and values: a body whose object became a map (`.foo` → `{*}`) is
  still matched;
- `**` as a whole step (`.**`) is any number of steps, none included: `$.assets.**`
  is `$.assets` and everything below it.

Compiled patterns and parsed paths are cached: `apply` matches every ignore against
every finding.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass

from driftcheck.core.paths import ROOT, Segment, parse_path

HINT = (
    "write steps as .key or ['key'] (* and ? match within a key), "
    "any one step as .*, [*] or {*}, any depth as .**, e.g. $.items[*].*_url or $.assets.**"
)


class Wild(enum.Enum):
    """A step that matches more than one key: any one step, or any number of them."""

    ONE = "*"
    ANY_DEPTH = "**"


PatternStep = Wild | str | re.Pattern[str]  # a wildcard step, a literal key, a key glob

# `.key` (anything but separators, quotes and spaces), `[*]`, `{*}`, `['quoted key']`.
_STEP = re.compile(r"\.([^.\[\]{}'\"\\\s]+)|(\[\*\]|\{\*\})|\['((?:[^'\\]|\\.)*)'\]")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def _key_step(text: str, quoted: bool) -> PatternStep:
    """A key's text as a step: a wildcard step, a literal key, or an fnmatch-style glob."""
    if text in ("*", "**"):
        return Wild(text)
    tokens = re.findall(r"\\.|.", text, re.DOTALL) if quoted else list(text)
    if not any(token in ("*", "?") for token in tokens):
        return _ESCAPED.sub(r"\1", text) if quoted else text
    parts = (
        ".*" if token == "*" else "." if token == "?" else re.escape(token[-1]) for token in tokens
    )
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class PathPattern:
    """A compiled `$…` pattern: its text and its steps."""

    text: str
    steps: tuple[PatternStep, ...]

    def matches(self, path: str) -> bool:
        """Whether `path` (a finding's JSONPath) is one this pattern names."""
        segments = _segments(path)
        if segments is None:  # not a path driftcheck writes: only the same text
            return path == self.text
        return _match(self.steps, segments)


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> PathPattern:
    """The steps of a pattern starting with `$`; ValueError naming the part that is not
    a step."""
    if not pattern.startswith(ROOT):
        raise ValueError(f"it does not start with `{ROOT}`")
    steps: list[PatternStep] = []
    position = len(ROOT)
    while position < len(pattern):
        match = _STEP.match(pattern, position)
        if match is None:
            raise ValueError(f"at `{pattern[position:]}`")
        dotted, wild, quoted = match.groups()
        if wild is not None:
            steps.append(Wild.ONE)
        else:
            steps.append(_key_step(dotted, False) if quoted is None else _key_step(quoted, True))
        position = match.end()
    return PathPattern(pattern, tuple(steps))


@functools.lru_cache(maxsize=8192)
def _segments(path: str) -> tuple[Segment, ...] | None:
    try:
        return parse_path(path)
    except ValueError:
        return None


def _fits(step: PatternStep, segment: Segment) -> bool:
    """Whether one step that is not `**` matches one segment of a path."""
    if step is Wild.ONE:
        return True
    if not isinstance(segment, str):  # `[*]` or `{*}`: only a wildcard step matches
        return False
    if isinstance(step, str):
        return step == segment
    return isinstance(step, re.Pattern) and step.match(segment) is not None


def _closure(states: set[int], steps: tuple[PatternStep, ...]) -> set[int]:
    """`states` with every `**` also standing for no step at all."""
    result = set(states)
    for state in states:
        while state < len(steps) and steps[state] is Wild.ANY_DEPTH:
            state += 1
            result.add(state)
    return result


def _match(steps: tuple[PatternStep, ...], segments: tuple[Segment, ...]) -> bool:
    """Every position of the pattern the path can reach, segment by segment (no
    backtracking, so `**` costs steps times segments at worst)."""
    states = _closure({0}, steps)
    for segment in segments:
        after = set()
        for state in states:
            if state == len(steps):
                continue
            step = steps[state]
            if step is Wild.ANY_DEPTH:
                after.add(state)
            elif _fits(step, segment):
                after.add(state + 1)
        if not after:
            return False
        states = _closure(after, steps)
    return len(steps) in states
