"""Mock payloads in Python test modules, read with `ast` (never imported or executed).

Two kinds of candidate: assignments of literals (`MOCK_USER = {...}` at module level,
`payload = {...}` in `test_user`, named `test_user.payload`), and mock set-ups whose value
is a response body:

    mock_get.return_value.json.return_value = todos
    mock_get.return_value.json.side_effect = [first, second]
    Mock(**{"json.return_value": {...}}) / Mock(json=Mock(return_value={...}))
    responses.add(..., json={...}) / httpx_mock.add_response(json={...}) / Response(json=...)

A name inside a literal is resolved to its assignment in the same function or an
enclosing scope; whatever is not data becomes `Opaque` with its line.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field

from driftcheck.core.limits import MAX_MOCK_DEPTH
from driftcheck.core.model import Fixture, Opaque
from driftcheck.core.paths import ITEMS, ROOT, child_path
from driftcheck.errors import FixtureError

MOCK_CLASSES = frozenset({"Mock", "MagicMock", "AsyncMock", "NonCallableMock"})
REGISTRARS = frozenset({"add", "add_response", "upsert", "replace", "register_uri", "Response"})
_LITERAL_TYPES = (str, int, float, bool, type(None))


@dataclass
class _Scope:
    qualname: str
    parent: _Scope | None
    assigns: dict[str, list[ast.expr]] = field(default_factory=dict)

    def name(self, local: str) -> str:
        return f"{self.qualname}.{local}" if self.qualname else local


@dataclass(frozen=True)
class _Candidate:
    qualname: str
    node: ast.expr
    scope: _Scope
    is_mock: bool


class _Collector(ast.NodeVisitor):
    """Finds candidates and remembers every scope's assignments, for resolving names."""

    def __init__(self) -> None:
        self.scope = _Scope("", None)
        self.candidates: list[_Candidate] = []

    def _nested(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> None:
        outer = self.scope
        self.scope = _Scope(outer.name(node.name), outer)
        self.generic_visit(node)
        self.scope = outer

    visit_FunctionDef = visit_AsyncFunctionDef = visit_ClassDef = _nested

    def _assign(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.scope.assigns.setdefault(target.id, []).append(value)
            self._add(self.scope.name(target.id), value, is_mock=False)
            return
        text = ast.unparse(target)
        if text.endswith(".json.return_value"):
            self._add(self.scope.name(text), value, is_mock=True)
        elif text.endswith(".json.side_effect") and isinstance(value, (ast.List, ast.Tuple)):
            for element in value.elts:
                self._add(self.scope.name(text), element, is_mock=True)
        elif text.endswith(".json"):
            self._mock_json(text, value)

    def _mock_json(self, where: str, value: ast.expr) -> None:
        """`x.json = lambda: BODY` or `x.json = Mock(return_value=BODY)`."""
        if isinstance(value, ast.Lambda):
            self._add(self.scope.name(where), value.body, is_mock=True)
        elif isinstance(value, ast.Call) and _callee(value) in MOCK_CLASSES:
            for keyword in value.keywords:
                if keyword.arg == "return_value":
                    self._add(self.scope.name(where), keyword.value, is_mock=True)

    def _add(self, qualname: str, node: ast.expr, is_mock: bool) -> None:
        self.candidates.append(_Candidate(qualname, node, self.scope, is_mock))

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assign(target, node.value)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self._assign(node.target, node.value)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        callee = _callee(node)
        where = f"{callee or 'call'}@{node.lineno}"
        for keyword in node.keywords:
            if keyword.arg is None and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    if isinstance(key, ast.Constant) and key.value == "json.return_value":
                        self._add(self.scope.name(where), value, is_mock=True)
            elif keyword.arg == "json" and callee in MOCK_CLASSES:
                self._mock_json(where, keyword.value)
            elif keyword.arg == "json" and callee in REGISTRARS:
                self._add(self.scope.name(where), keyword.value, is_mock=True)
        self.generic_visit(node)


def _callee(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


class _Evaluator:
    """Turns a literal into data, recording each path's line and every opaque part."""

    def __init__(self) -> None:
        self.lines: dict[str, int] = {}
        self.holes: list[tuple[str, Opaque]] = []
        self._resolving: set[int] = set()

    def evaluate(self, node: ast.expr, scope: _Scope) -> object:
        """The data of a candidate, which may not refer to itself."""
        self._resolving.add(id(node))
        return self.value(node, scope, ROOT)

    def value(self, node: ast.expr, scope: _Scope, path: str, depth: int = 0) -> object:
        self.lines.setdefault(path, node.lineno)
        if depth > MAX_MOCK_DEPTH:
            return self._hole(path, f"a literal nested deeper than {MAX_MOCK_DEPTH} levels", node)
        if isinstance(node, ast.Constant) and isinstance(node.value, _LITERAL_TYPES):
            return node.value
        if isinstance(node, ast.Dict):
            return self._dict(node, scope, path, depth)
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.value(e, scope, path + ITEMS, depth + 1) for e in node.elts]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = node.operand
            number = operand.value if isinstance(operand, ast.Constant) else None
            if isinstance(number, (int, float)) and not isinstance(number, bool):
                return -number if isinstance(node.op, ast.USub) else number
        if isinstance(node, ast.JoinedStr):
            return ast.unparse(node)  # an f-string is a string, whatever it formats
        if isinstance(node, ast.Name):
            return self._name(node, scope, path, depth)
        if isinstance(node, ast.Call):
            return self._hole(path, f"a call to `{ast.unparse(node.func)}()`", node)
        return self._hole(path, f"`{_short(ast.unparse(node))}`", node)

    def _dict(self, node: ast.Dict, scope: _Scope, path: str, depth: int) -> object:
        result: dict[str, object] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:  # {**BASE, ...}
                spread = self.value(value, scope, path, depth)
                if isinstance(spread, dict):
                    result.update(spread)
                continue
            if not (isinstance(key, ast.Constant) and isinstance(key.value, _LITERAL_TYPES)):
                self._hole(path, f"a key `{_short(ast.unparse(key))}` that is not data", key)
                continue
            name = json_key(key.value)
            child = child_path(path, name)
            self.lines.setdefault(child, key.lineno)
            result[name] = self.value(value, scope, child, depth + 1)
        return result

    def _name(self, node: ast.Name, scope: _Scope, path: str, depth: int) -> object:
        found = _lookup(node.id, node.lineno, scope)
        if found is None or id(found[0]) in self._resolving:
            return self._hole(path, f"the name `{node.id}`", node)
        target, target_scope = found
        self._resolving.add(id(target))
        try:
            return self.value(target, target_scope, path, depth + 1)
        finally:
            self._resolving.discard(id(target))

    def _hole(self, path: str, what: str, node: ast.expr) -> Opaque:
        hole = Opaque(what, node.lineno)
        self.holes.append((path, hole))
        return hole


def _lookup(name: str, line: int, scope: _Scope | None) -> tuple[ast.expr, _Scope] | None:
    """The assignment a name refers to: the last one before `line`, innermost scope first."""
    while scope is not None:
        assigned = scope.assigns.get(name)
        if assigned:
            before = [node for node in assigned if node.lineno <= line]
            return (before or assigned)[-1], scope
        scope = scope.parent
    return None


def json_key(key: object) -> str:
    """A literal dict key as `json.dumps` writes it."""
    if isinstance(key, bool) or key is None:
        return {True: "true", False: "false", None: "null"}[key]
    return str(key)


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def python_fixtures(source: bytes, label: str, name: str | None) -> tuple[list[Fixture], list[str]]:
    """The payloads named `name` in a test module, or all its mock set-ups when None."""
    try:
        tree = ast.parse(source, filename=label)
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        where = f"line {line}: " if line else ""
        raise FixtureError(
            label, f"{where}invalid Python: {getattr(error, 'msg', error)}"
        ) from None
    collector = _Collector()
    collector.visit(tree)
    chosen = _choose(collector.candidates, name, label)
    fixtures: list[Fixture] = []
    notes: list[str] = []
    for candidate in chosen:
        evaluator = _Evaluator()
        value = evaluator.evaluate(candidate.node, candidate.scope)
        reference = f"{label}::{candidate.qualname}"
        if isinstance(value, Opaque):
            reason = (
                f"line {value.line}: `{candidate.qualname}` is {value.what}, not a data literal"
            )
            if name is not None:
                raise FixtureError(label, f"{reason}; driftcheck reads literals, never runs tests")
            notes.append(f"{label}:{value.line}: skipped {reference}: {value.what} is not data")
            continue
        notes.extend(
            f"{label}:{hole.line}: `{path}` in {reference} is {hole.what}, not data; "
            "its type is not checked"
            for path, hole in evaluator.holes
        )
        line = candidate.node.lineno
        fixtures.append(Fixture(value, label, line, reference, dict(evaluator.lines)))
    return fixtures, notes


def _choose(candidates: list[_Candidate], name: str | None, label: str) -> list[_Candidate]:
    if name is None:
        return [c for c in candidates if c.is_mock]
    exact = [c for c in candidates if c.qualname == name]
    if exact:
        return exact
    chosen = [c for c in candidates if c.qualname.endswith("." + name)]
    if chosen:
        return chosen
    known = sorted({c.qualname for c in candidates if not c.is_mock})
    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean `{close[0]}`?" if close else ""
    raise FixtureError(label, f"no assignment named `{name}`{hint}")
