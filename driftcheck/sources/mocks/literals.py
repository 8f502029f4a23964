"""A payload literal as data: dicts, lists and constants, with every name resolved.

Whatever is not data (a call to a factory, an unknown name) becomes `Opaque` with its
line and is never checked; the rest is checked as usual. Each JSONPath remembers the
line that wrote it, so a finding points at the key to fix.
"""

from __future__ import annotations

import ast

from driftcheck import jsonio
from driftcheck.core.limits import MAX_MOCK_DEPTH, MAX_MOCK_VALUES
from driftcheck.core.model import Opaque, Unknown
from driftcheck.core.paths import ITEMS, ROOT, child_path
from driftcheck.sources.mocks.names import resolve
from driftcheck.sources.mocks.scopes import Module, Scope, Target, qualified

LITERAL_TYPES = (str, int, float, bool, type(None))
COPIES = frozenset({"copy.deepcopy", "deepcopy", "copy.copy", "dict", "list"})
JSON_LOADS = frozenset({"json.loads", "orjson.loads", "ujson.loads", "simplejson.loads"})
JSON_DUMPS = frozenset({"json.dumps", "orjson.dumps", "ujson.dumps", "simplejson.dumps"})
TOO_MANY = (
    f"a payload that expands to more than {MAX_MOCK_VALUES:,} values "
    "(names that refer to other names several times?)"
)


class _TooMany(Exception):
    """The payload's budget of values is spent: it is not read at all."""


class Evaluator:
    """Turns a literal into data, recording each path's line and every opaque part.

    Lines are kept only for parts written in `home` (the module the payload is reported
    in): a part resolved from another module would point at a line of the wrong file.
    """

    def __init__(self, home: Module) -> None:
        self.home = home
        self.lines: dict[str, int] = {}
        self.holes: list[tuple[str, Opaque]] = []
        self.fixtures: list[str] = []  # pytest fixtures the payload was read through
        self._resolving: set[int] = set()
        self._budget = MAX_MOCK_VALUES

    def evaluate(self, node: ast.expr, scope: Scope) -> object:
        """The data of a payload, which may not refer to itself; Opaque when it expands
        past MAX_MOCK_VALUES: each use of a name is expanded again, so 40 lines of
        `B = {"x": A, "y": A}` would otherwise take 2**40 steps."""
        self._resolving.add(id(node))
        try:
            return self.value(node, scope, ROOT)
        except _TooMany:
            self.lines.clear()
            self.holes.clear()
            self.fixtures.clear()
            return Opaque(TOO_MANY, getattr(node, "lineno", 0))

    def value(self, node: ast.expr, scope: Scope, path: str, depth: int = 0) -> object:
        self._spend()
        if scope.module is self.home:
            self.lines.setdefault(path, node.lineno)
        if depth > MAX_MOCK_DEPTH:
            return self._hole(path, f"a literal nested deeper than {MAX_MOCK_DEPTH} levels", node)
        if isinstance(node, ast.Constant) and isinstance(node.value, LITERAL_TYPES):
            return encodable(node.value) if isinstance(node.value, str) else node.value
        if isinstance(node, ast.Dict):
            return self._dict(node, scope, path, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.value(e, scope, path + ITEMS, depth + 1) for e in node.elts]
        signed = _signed(node)
        if signed is not None:
            return signed
        if isinstance(node, ast.JoinedStr):
            return _f_string(node)
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self._name(node, scope, path, depth)
        if isinstance(node, ast.Call):
            return self._call(node, scope, path, depth)
        return self._hole(path, f"`{short(ast.unparse(node))}`", node)

    def _spend(self) -> None:
        self._budget -= 1
        if self._budget < 0:
            raise _TooMany

    def _dict(self, node: ast.Dict, scope: Scope, path: str, depth: int) -> object:
        result: dict[str, object] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # {**BASE, ...}
                spread = self.value(value, scope, path, depth)
                if isinstance(spread, dict):
                    result.update(spread)
                continue
            if not (isinstance(key, ast.Constant) and isinstance(key.value, LITERAL_TYPES)):
                self._hole(path, f"a key `{short(ast.unparse(key))}` that is not data", key)
                continue
            name = json_key(key.value)
            child = child_path(path, name)
            if scope.module is self.home:
                self._written(child, name in result, key.lineno)
            result[name] = self.value(value, scope, child, depth + 1)
        return result

    def _call(self, node: ast.Call, scope: Scope, path: str, depth: int) -> object:
        """`dict(id=1)`, `deepcopy(USER)`, `USER.copy()`, `json.loads('{"id": 1}')`."""
        name = qualified(node.func, scope.module)
        if name in COPIES and not node.keywords and len(node.args) == 1:
            return self.value(node.args[0], scope, path, depth)
        if name == "dict" and not node.args:
            return self._keywords(node, scope, path, depth)
        if isinstance(node.func, ast.Attribute) and node.func.attr == "copy" and not node.args:
            return self.value(node.func.value, scope, path, depth)
        if name in JSON_LOADS and len(node.args) == 1:
            return self._loads(node, scope, path, depth)
        return self._hole(path, f"a call to `{short(ast.unparse(node.func))}()`", node)

    def _written(self, child: str, replaces: bool, line: int) -> None:
        """Where `child` is written: its first place, unless it replaces a key a spread
        (`{**BASE, "stars": "80"}`) brought in: then here, and nothing below keeps the
        spread's lines."""
        if replaces:
            for path in [p for p in self.lines if p == child or _below(p, child)]:
                del self.lines[path]
        self.lines.setdefault(child, line)

    def _keywords(self, node: ast.Call, scope: Scope, path: str, depth: int) -> object:
        result: dict[str, object] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                spread = self.value(keyword.value, scope, path, depth)
                if isinstance(spread, dict):
                    result.update(spread)
                continue
            child = child_path(path, keyword.arg)
            if scope.module is self.home:
                self._written(child, keyword.arg in result, keyword.value.lineno)
            result[keyword.arg] = self.value(keyword.value, scope, child, depth + 1)
        return result

    def _loads(self, node: ast.Call, scope: Scope, path: str, depth: int) -> object:
        """`json.loads(json.dumps(X))` is X; `json.loads('{...}')` is the parsed text."""
        argument = node.args[0]
        if (
            isinstance(argument, ast.Call)
            and argument.args
            and qualified(argument.func, scope.module) in JSON_DUMPS
        ):
            return self.value(argument.args[0], scope, path, depth)
        if isinstance(argument, ast.Constant) and isinstance(argument.value, (str, bytes)):
            try:  # orjson: bounded depth, no lone surrogates
                return jsonio.loads(argument.value)
            except jsonio.JSONDecodeError:
                return self._hole(path, "a string that is not JSON", node)
        return self._hole(path, f"a call to `{short(ast.unparse(node.func))}()`", node)

    def _name(self, node: ast.Name | ast.Attribute, scope: Scope, path: str, depth: int) -> object:
        found = resolve(node, scope)
        if not isinstance(found, Target) or id(found.expr) in self._resolving:
            what = f"the name `{short(ast.unparse(node))}`"
            return self._hole(path, what, node)
        if found.fixture is not None:
            self.fixtures.append(found.fixture)
        self._resolving.add(id(found.expr))
        try:
            return self.value(found.expr, found.scope, path, depth + 1)
        finally:
            self._resolving.discard(id(found.expr))

    def _hole(self, path: str, what: str, node: ast.AST) -> Opaque:
        hole = Opaque(what, getattr(node, "lineno", 0))
        self.holes.append((path, hole))
        return hole


def _signed(node: ast.expr) -> int | float | None:
    """`-1.5`, `+3`: a number with a sign."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        operand = node.operand
        number = operand.value if isinstance(operand, ast.Constant) else None
        if isinstance(number, (int, float)) and not isinstance(number, bool):
            return -number if isinstance(node.op, ast.USub) else number
    return None


def json_key(key: object) -> str:
    """A literal dict key as `json.dumps` writes it."""
    if isinstance(key, bool) or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    return encodable(str(key))


def encodable(text: str) -> str:
    """Text UTF-8 (and so JSON output) can carry: a lone surrogate (`'\\ud800'` in Python,
    `"\\ud800"` in JSON) is written as its escape."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def _below(path: str, parent: str) -> bool:
    return path.startswith(parent) and path[len(parent) : len(parent) + 1] in (".", "[", "{")


def _f_string(node: ast.JoinedStr) -> str:
    """An f-string is a string, whatever it formats: its text when it formats nothing,
    else a string of unknown value (never checked against enum values or formats)."""
    parts = [part.value for part in node.values if isinstance(part, ast.Constant)]
    if len(parts) == len(node.values):
        return encodable("".join(map(str, parts)))
    return Unknown(encodable(ast.unparse(node)))
